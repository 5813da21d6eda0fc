"""Render: Markdown pages, SVG charts and data files from the aggregated portal.

`render_site` returns every file of the generated docs folder as bytes keyed by
its path, so that writing (only what changed) is separate from deciding what to
write. Page markup lives in Jinja templates; Swedish text in locale/sv.yaml.
"""

from __future__ import annotations

import csv
import io
import posixpath
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Optional

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context

from . import aggregate as ag
from . import charts, datafiles
from .loader import load_locale

TEMPLATE_DIR = Path(__file__).parent / "templates"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGE = "sv"

# Characters that Markdown or HTML would interpret: written as numeric entities so
# that text from the data always shows literally and never becomes markup.
_ENTITIES = {c: f"&#{ord(c)};" for c in "\\`*_{}[]()<>#+!|~^=&\"'$:"}


def escape_text(value: object) -> str:
    text = " ".join(str(value).split())
    return "".join(_ENTITIES.get(c, c) for c in text)


def format_number(value: Optional[float], decimals: Optional[int] = None) -> str:
    if value is None:
        return "–"
    if decimals is None and float(value).is_integer() and abs(value) >= 10_000:
        return f"{int(value):,}".replace(",", "\u00a0").replace("-", "−")  # Swedish: 30 150
    text = f"{value:.{decimals}f}" if decimals is not None else f"{value:g}"
    return text.replace(".", ",").replace("-", "−")


@lru_cache(maxsize=None)
def locale(language: str = LANGUAGE) -> dict:
    return load_locale(LOCALE_DIR / f"{language}.yaml")


def fill(template: str, **values: object) -> str:
    return template.format(**{k: v for k, v in values.items()})


@pass_context
def link(context, target: str) -> str:
    """A relative link from the page being rendered to another page or file of the docs folder."""
    return posixpath.relpath(target, posixpath.dirname(context["page_path"]))


@pass_context
def href(context, target: str) -> str:
    """A relative URL for raw HTML: pages are served as folders (use_directory_urls)."""
    here = posixpath.dirname(context["page_path"])
    if target.endswith("index.md"):
        target = posixpath.dirname(target)
        relative = posixpath.relpath(target or ".", here)
        return "./" if relative == "." else relative + "/"
    return posixpath.relpath(target, here)


@lru_cache(maxsize=None)
def template_environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # Markdown, not HTML: data text goes through the `esc` filter
    )
    environment.filters.update(num=format_number, esc=escape_text, fill=fill)
    environment.globals.update(link=link, href=href)
    return environment


@dataclass(frozen=True)
class Page:
    path: str  # in the docs folder, e.g. kommuner/karlskoga/index.md
    template: str
    context: dict
    charts: tuple[charts.Chart, ...] = ()


def render_site(portal: ag.Portal, content_dir: Optional[Path] = None,
                map_charts: Callable[[Callable, Iterable], list] = lambda f, xs: list(map(f, xs))) -> dict[str, bytes]:
    """All generated files, keyed by their path in the docs folder."""
    t = locale()
    pages = list(_pages(portal, t))
    files: dict[str, bytes] = {}
    environment = template_environment()
    for page in pages:
        text = environment.get_template(page.template).render(page_path=page.path, t=t, portal=portal, **page.context)
        files[page.path] = text.encode("utf-8")
    for page_path, chart_files in map_charts(_chart_files, [(p.path, p.charts) for p in pages]):
        files.update(chart_files)
    files.update(datafiles.data_files(portal, t))
    if content_dir and content_dir.is_dir():
        for path in sorted(content_dir.rglob("*")):
            if path.is_file():
                files[path.relative_to(content_dir).as_posix()] = path.read_bytes()
    return files


def _chart_files(item: tuple[str, tuple]) -> tuple[str, dict[str, bytes]]:
    page_path, page_charts = item
    folder = posixpath.dirname(page_path)
    out = {}
    for chart in page_charts:
        out[posixpath.join(folder, f"{chart.name}.svg")] = chart.svg.encode("utf-8")
        out[posixpath.join(folder, f"{chart.name}.csv")] = table_csv(chart.table)
    return page_path, out


def table_csv(table: charts.Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.header)
    writer.writerows(table.rows)
    return buffer.getvalue().encode("utf-8")


# ---------------------------------------------------------------- pages


def _pages(portal: ag.Portal, t: dict) -> Iterable[Page]:
    yield _home(portal, t)
    yield Page("kommuner/index.md", "municipalities.md.j2", {})
    for view in portal.municipalities:
        yield _municipality(view, t)
        for evaluation in view.evaluations:
            yield _evaluation(evaluation, portal, t)
    for view in portal.cited_only:
        yield Page(f"kommuner/{view.slug}/index.md", "municipality.md.j2", {"view": view})
    yield Page("omraden/index.md", "areas.md.j2", {})
    yield Page("omraden/jamforbarhet/index.md", "area_mapping.md.j2", {})
    for stats in portal.frameworks:
        for area in stats.areas:
            yield _area(stats, area, t)
        yield Page(f"jamforelse/{stats.framework.id}/index.md", "comparison.md.j2", {"stats": stats})
        yield Page(f"metod/{stats.framework.id}/index.md", "catalogue.md.j2", {"stats": stats})
        for area in stats.areas:
            yield Page(f"goda-exempel/{stats.framework.id}/{area.definition.number}/index.md", "practice_filter.md.j2",
                       {"stats": stats, "area": area})
    yield Page("jamforelse/index.md", "comparison_index.md.j2", {})
    yield Page("goda-exempel/index.md", "practices.md.j2", {})
    for practice in portal.practices:
        yield Page(f"goda-exempel/{practice.practice.slug}/index.md", "practice.md.j2", {"item": practice})
    yield Page("data/index.md", "data.md.j2", {"files": datafiles.listing(t)})


def _home(portal: ag.Portal, t: dict) -> Page:
    groups = [(s.framework.label, [v.total for v in s.evaluations if v.total is not None]) for s in portal.frameworks]
    summary = [(s.framework.label, len(s.evaluations), _n(s.total_mean), _n(s.total_median)) for s in portal.frameworks]
    overview = charts.box(
        "oversikt", t["home"]["overview"],
        "Lådagram över totalpoängen (högst 800) för alla utvärderingar i materialet, en låda per revision av Kommunkompassen.",
        groups, 800, (t["word"]["revision"], t["word"]["count"], t["word"]["mean"], t["word"]["median"]), summary)
    latest = sorted(portal.evaluations, key=lambda v: (-v.year, v.municipality.name))[:6]
    return Page("index.md", "home.md.j2", {"latest": latest, "overview": overview}, (overview,))


def _municipality(view: ag.MunicipalityView, t: dict) -> Page:
    name = view.municipality.name
    series = []
    for framework_id in sorted({e.framework.id for e in view.evaluations}):
        own = [e for e in view.evaluations if e.framework.id == framework_id and e.total is not None]
        if own:
            series.append((f"{t['word']['revision']} {own[0].framework.label}", [(e.year, e.total) for e in own]))
    chart_list = []
    if series:
        chart_list.append(charts.history(
            "historik", fill(t["municipality"]["history"]), fill(t["municipality"]["history_description"], name=name),
            series, 800, (t["word"]["year"], t["word"]["revision"], t["word"]["total"])))
    latest = view.latest
    if latest:
        chart_list.append(_area_bars(latest, t, "profil", fill(t["municipality"]["profile"], year=latest.year),
                                     fill(t["municipality"]["profile_description"], name=name, year=latest.year)))
    return Page(f"kommuner/{view.slug}/index.md", "municipality.md.j2", {"view": view, "charts": chart_list}, tuple(chart_list))


def _area_bars(view: ag.EvaluationView, t: dict, name: str, title: str, description: str) -> charts.Chart:
    labels = [f"{row.definition.number} {row.definition.name}" for row in view.areas]
    return charts.bars(
        name, title, description, labels, [row.points for row in view.areas], 100,
        f"{view.municipality.name} {view.year}",
        (t["word"]["area"], f"{view.municipality.name} {view.year}", t["word"]["mean"]),
        reference=(t["word"]["mean"], [_round(row.revision_mean) for row in view.areas]),
    )


def _evaluation(view: ag.EvaluationView, portal: ag.Portal, t: dict) -> Page:
    name, year = view.municipality.name, view.year
    stats = portal.framework(view.framework.id)
    series = [(f"{name} {year}", [row.points for row in view.areas])]
    others = [fill(t["evaluation"]["radar_mean"], revision=view.framework.label, n=len(stats.evaluations))]
    series.append((f"{t['word']['mean']} {view.framework.label}", [_round(row.revision_mean) for row in view.areas]))
    for reference in stats.references:
        values = {p.area: p.points for p in reference.areas}
        series.append((reference.name, [values.get(row.definition.number) for row in view.areas]))
        others.append(reference.name.lower())
    if view.previous:
        series.append((f"{name} {view.previous.year}", [row.points for row in view.previous.areas]))
        others.append(f"{name} {view.previous.year}")
    radar = charts.radar(
        "profil", t["evaluation"]["radar"],
        fill(t["evaluation"]["radar_description"], name=name, year=year, others=", ".join(others)),
        [str(row.definition.number) for row in view.areas], series, 100,
        (t["word"]["area"],) + tuple(label for label, _ in series))
    bars = _area_bars(view, t, "omraden", t["evaluation"]["bars"], fill(t["evaluation"]["bars_description"], name=name, year=year))
    return Page(f"kommuner/{view.slug}/{year}/index.md", "evaluation.md.j2",
                {"view": view, "stats": stats, "radar": radar, "bars": bars}, (radar, bars))


def _area(stats: ag.FrameworkStats, area: ag.AreaStats, t: dict) -> Page:
    name, revision = area.definition.name, stats.framework.label
    chart_list = []
    if area.ranking:
        labels = [f"{r.evaluation.municipality.name} {r.evaluation.year}" for r in area.ranking]
        chart_list.append(charts.bars(
            "rangordning", t["areas"]["ranking"], fill(t["areas"]["ranking_description"], name=name, revision=revision, max=format_number(area.definition.max_points)),
            labels, [r.points for r in area.ranking], area.definition.max_points, name,
            (t["word"]["municipality"], t["word"]["points"])))
        summary = [(label, format_number(value)) for label, value in zip(
            (t["word"]["min"], t["word"]["q1"], t["word"]["median"], t["word"]["q3"], t["word"]["max_value"]), area.quartiles or ())]
        chart_list.append(charts.box(
            "spridning", t["areas"]["distribution"],
            fill(t["areas"]["distribution_description"], name=name, revision=revision, n=len(area.ranking)),
            [(name, [r.points for r in area.ranking])], area.definition.max_points,
            (t["word"]["value"], t["word"]["points"]), summary))
    return Page(area.url + "index.md", "area.md.j2", {"stats": stats, "area": area, "charts": chart_list}, tuple(chart_list))


def _n(value: Optional[float]) -> str:
    return format_number(_round(value))


def _round(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 1)
