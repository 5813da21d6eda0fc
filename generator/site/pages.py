"""Render: Markdown pages, SVG charts and data files from the aggregated portal.

`render_site` returns every file of the generated docs folder as bytes keyed by
its path, so that writing (only what changed) is separate from deciding what to
write. Page markup lives in Jinja templates; Swedish text in locale/sv.yaml.
"""

from __future__ import annotations

import csv
import io
import os
import posixpath
import statistics
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple, cast

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context

from generator import aggregate as ag
from generator import model as m
from generator.loader import load_locale
from generator.site import charts, datafiles, urls
from generator.site.cache import BuildCache
from generator.site.texts import with_portal_texts
from generator.text import (  # the templates use them; others import them from here
    escape_line_start,
    escape_text,
    format_number,
    one_line,
)

TEMPLATE_DIR = Path(__file__).parent / "templates"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGE = "sv"


# The package's page texts: a function of the locale file alone, read once per process.
@cache
def locale(language: str = LANGUAGE) -> dict:
    return load_locale(LOCALE_DIR / f"{language}.yaml")


def page_texts(locale_dir: Path | None = None, language: str = LANGUAGE) -> dict:
    """The page texts: the package's, with those of the portal's own file in `locale_dir` (sv.yaml)
    in place of the same keys; read anew each time, since the live preview may have changed it.
    DataError when the portal's file names a key the package lacks or gives a value of another kind."""
    own = locale_dir / f"{language}.yaml" if locale_dir is not None else None
    if own is None or not own.is_file():
        return locale(language)
    return with_portal_texts(locale(language), own)


def fill(template: str, **values: object) -> str:
    return template.format(**{k: v for k, v in values.items()})


@pass_context
def link(context, target: str) -> str:
    """A relative link from the page being rendered to another page or file of the docs folder."""
    return relative_path(target, posixpath.dirname(context["page_path"]))


@pass_context
def href(context, target: str) -> str:
    """A relative URL for raw HTML: pages are served as folders (use_directory_urls)."""
    here = posixpath.dirname(context["page_path"])
    if target.endswith("index.md"):
        target = posixpath.dirname(target)
        relative = relative_path(target or ".", here)
        return "./" if relative == "." else relative + "/"
    return relative_path(target, here)


def relative_path(target: str, start: str) -> str:
    """`posixpath.relpath(target, start)` for two paths inside the docs folder, by their parts
    alone: relpath makes both absolute from the working folder first, and the templates ask it
    for 27,000 links at 100 x 3 (a fifth of rendering the pages)."""
    if target.startswith("/") or start.startswith("/") or ".." in target or ".." in start:
        return posixpath.relpath(target, start)  # not a plain docs path: as relpath says
    to = [part for part in target.split("/") if part and part != "."]
    here = [part for part in start.split("/") if part and part != "."]
    shared = 0
    for mine, theirs in zip(to, here, strict=False):
        if mine != theirs:
            break
        shared += 1
    parts = [".."] * (len(here) - shared) + to[shared:]
    return "/".join(parts) if parts else "."


# The compiled templates: a function of the template files alone (Jinja reloads a file that changed).
@cache
def template_environment(portal_templates: Path | None = None) -> Environment:
    """The page templates: the package's, each replaced by the portal's own template of the same
    name in `portal_templates` (as a theme's custom_dir replaces the theme's)."""
    folders = [TEMPLATE_DIR] if portal_templates is None else [portal_templates, TEMPLATE_DIR]
    environment = Environment(
        loader=FileSystemLoader(folders),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # Markdown, not HTML: data text goes through the `esc` filter
    )
    environment.filters.update(
        num=format_number, esc=escape_text, esc_line=escape_line_start, one_line=one_line, fill=fill, counted=_counted
    )
    environment.globals.update(link=link, href=href, urls=urls)
    return environment


@dataclass(frozen=True)
class Page:
    """A page to make: its template renders `context` (plain values and frozen records, nothing else)
    with the page texts `t` and its own path; so the fingerprint of the three is the page's key."""

    path: str  # in the docs folder, e.g. kommuner/karlskoga/index.md
    template: str
    context: dict
    charts: tuple[charts.Chart, ...] = ()


def render_site(
    portal: ag.Portal,
    content_dir: Path | None = None,
    cache: BuildCache | None = None,
    templates_dir: Path | None = None,
    locale_dir: Path | None = None,
    write_now: Callable[[dict[str, bytes]], None] | None = None,
) -> dict[str, bytes]:
    """All generated files, keyed by their path in the docs folder; the page texts are the
    package's with the portal's own in `locale_dir` in their place (see `page_texts`). With
    `write_now`, the data files are handed to it as soon as they are made, and left out.

    Pages and charts are made in worker processes, one per core, when there are
    many. With a `cache` (kept by the caller between builds in one process), only
    the pages whose context changed are rendered again and only the charts whose
    spec changed are drawn again; the bytes are always those a fresh render gives.
    """
    cache = cache if cache is not None else BuildCache(next_build=False)
    files = _render(
        portal, page_texts(locale_dir), cache, templates=_portal_templates(templates_dir), write_now=write_now
    )[0]
    files.update(content_files(content_dir))
    return files


def render_site_drawing_charts_later(
    portal: ag.Portal,
    content_dir: Path | None,
    cache: BuildCache,
    templates_dir: Path | None = None,
    data_later: bool = False,
    locale_dir: Path | None = None,
    write_now: Callable[[dict[str, bytes]], None] | None = None,
) -> tuple[dict[str, bytes], ChartsInProgress | None]:
    """`render_site` with a cache, except that the charts to draw, when there are many, are left to a
    worker process that goes on drawing after this returns: the files without those charts, and them.

    With `data_later` (the live preview, once a build has made the data files), the data files are
    left out too, for `render_data_files` to make once the pages are shown: `cache.data_later`
    then holds what they are made from, and `cache.data_paths` names the last build's."""
    t = page_texts(locale_dir)
    files, drawing = _render(
        portal,
        t,
        cache,
        charts_later=True,
        templates=_portal_templates(templates_dir),
        data_later=data_later,
        write_now=write_now,
    )
    files.update(content_files(content_dir))
    return files, drawing


def render_edited_first(
    portal: ag.Portal, cache: BuildCache, templates_dir: Path | None = None, locale_dir: Path | None = None
) -> dict[str, bytes] | None:
    """The pages of the municipalities whose evaluation files alone changed (`cache.edited`) and their
    charts, made before any other page (see `build.generate_edited_first`); None when no page can go
    first: no such municipality, or the site's pages or their titles are not those of the last build
    (a page added, removed or renamed changes what other pages show of it). What is made here is
    remembered as if `render_site` had made it, so that the whole render that follows keeps it."""
    t = page_texts(locale_dir)  # DataError for a portal's texts file that is wrong, before anything is written
    shape, cache.shape = cache.shape, _shape(portal)
    edited = cache.edited
    if not edited or shape != cache.shape or not cache.next_build:
        return None
    templates = _portal_templates(templates_dir)
    pages = []
    for view in portal.municipalities:
        if view.slug in edited:
            pages.append(_municipality(view, portal, t))
            pages += [_evaluation(evaluation, view, portal, t) for evaluation in view.evaluations]
    pages = [_with_kept_charts(page, cache.charts) for page in pages]
    base = (_templates_version(templates), cache.fingerprints(t))
    keys = cache.page_keys(base, [(page.path, page.template, page.context) for page in pages], some=True)
    markdown, charts_needed = _kept_output(pages, keys, cache)
    _make(pages, markdown, charts_needed, t, templates=templates)
    made = cast(list[bytes], markdown)  # _make has filled in every page
    cache.pages.update(
        (page.path, (key, content)) for page, key, content in zip(pages, keys, made, strict=True) if key is not None
    )
    cache.charts.update((chart, (chart, *drawn)) for chart, drawn in charts_needed.items() if drawn is not None)
    return _page_files(pages, markdown, charts_needed)


def _shape(portal: ag.Portal) -> tuple:
    """Which pages the portal has and what other pages show of them (titles, listings' entries), as far
    as evaluation files decide it: the municipalities (those named only in reports too), the
    evaluations with their revisions (a revision's comparison pages, by county) and the good
    practices with their revisions and areas (the listings). (The revisions and registers are files
    of their own, whose change leaves no page to go first.)"""
    return (
        tuple((view.slug, view.municipality.name) for view in (*portal.municipalities, *portal.cited_only)),
        tuple((view.key, view.framework.id) for view in portal.evaluations),
        tuple(
            (
                p.practice.slug,
                p.practice.name,
                p.practice.gold_star,
                p.evaluation.key,
                p.evaluation.framework_id,
                p.area.number,
            )
            for p in portal.practices  # the revision and area: which listing's page shows it
        ),
    )


def render_data_files(cache: BuildCache) -> dict[str, bytes] | None:
    """The data files left out by a build with `data_later`, or None if it left none out."""
    if cache.data_later is None:
        return None
    portal, t = cache.data_later
    cache.data_later = None
    return _data_files(portal, t, cache)


def _data_files(
    portal: ag.Portal, t: dict, cache: BuildCache, write_now: Callable[[dict[str, bytes]], None] | None = None
) -> dict[str, bytes]:
    """The data files, their paths remembered as the last build's (`cache.data_paths`). With
    `write_now`, each batch is handed to it as soon as it is made and none is returned: a one-off
    build need not hold them while the pages come back from the workers."""
    if write_now is None:
        data = datafiles.data_files(portal, t, *cache.data_memos())
        cache.data_paths = frozenset(data)
        return data
    paths: set[str] = set()
    for batch in datafiles.data_file_batches(portal, t, *cache.data_memos()):
        write_now(batch)
        paths.update(batch)
    cache.data_paths = frozenset(paths)
    return {}


def _portal_templates(templates_dir: Path | None) -> Path | None:
    """The portal's template folder, if it has one (absolute, so that one folder is one environment)."""
    return templates_dir.resolve() if templates_dir is not None and templates_dir.is_dir() else None


def content_files(content_dir: Path | None) -> dict[str, bytes]:
    """The package's default pages, stylesheet and script, each replaced by the portal's own
    file of the same name in `content_dir`, and the portal's other pages and files."""
    from generator.site.portal import DEFAULT_CONTENT_DIR

    return {**_content_files(DEFAULT_CONTENT_DIR), **_content_files(content_dir)}


def _content_files(content_dir: Path | None) -> dict[str, bytes]:
    """The hand-written pages and their files, copied as they are."""
    if not content_dir or not content_dir.is_dir():
        return {}
    return {
        path.relative_to(content_dir).as_posix(): path.read_bytes()
        for path in sorted(content_dir.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def _page_files(pages: list[Page], markdown: list, charts_needed: dict) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for page, content in zip(pages, markdown, strict=True):
        files[page.path] = content
    for page in pages:
        for chart in page.charts:
            made = charts_needed[chart]
            if made is not None:  # None: still being drawn
                files.update(zip(_chart_paths(page, chart), made, strict=True))
    return files


def _chart_paths(page: Page, chart: charts.Chart) -> tuple[str, str]:
    """Where a page's chart is written: its SVG and its CSV, beside the page."""
    return urls.beside(page.path, urls.chart_svg(chart.name)), urls.beside(page.path, urls.chart_csv(chart.name))


def _templates_version(templates: Path | None) -> int:
    """A fingerprint of the template files as they are now (the live preview may have changed one)."""
    environment = template_environment(templates)
    return hash(
        tuple(
            (name, environment.loader.get_source(environment, name)[0])  # type: ignore[union-attr]  # made with a FileSystemLoader, never None
            for name in sorted(environment.list_templates())
        )
    )


def _render(
    portal: ag.Portal,
    t: dict,
    cache: BuildCache,
    charts_later: bool = False,
    templates: Path | None = None,
    data_later: bool = False,
    write_now: Callable[[dict[str, bytes]], None] | None = None,
) -> tuple[dict[str, bytes], ChartsInProgress | None]:
    release = datafiles.release()  # the commit and its date: an input like the records, never the clock
    version = _templates_version(templates)
    signature = (portal.dataset, version, release, t)  # t: the package's own object unless a portal replaces texts
    if cache.last is not None and cache.last[0] == signature:  # same records, templates and texts: same files
        return dict(cache.last[1]), None
    pages = [_with_kept_charts(page, cache.charts) for page in _pages(portal, t, release)]
    keys: list[int | None] = [None] * len(pages)
    if cache.next_build:
        cache.shape = _shape(portal)
        fingerprint = cache.fingerprints
        fingerprint.start()
        base = (version, fingerprint(t))
        keys = cache.page_keys(base, [(page.path, page.template, page.context) for page in pages])
    markdown, charts_needed = _kept_output(pages, keys, cache)
    data_later = data_later and cache.data_paths is not None  # the first build makes them: nothing to keep
    cache.data_later = (portal, t) if data_later else None
    data, drawing = _make(
        pages,
        markdown,
        charts_needed,
        t,
        meanwhile=dict if data_later else lambda: _data_files(portal, t, cache, write_now),
        charts_later=charts_later,
        templates=templates,
        meanwhile_later=write_now is not None and not data_later,  # written where they are made
    )
    files = _page_files(pages, markdown, charts_needed)
    files.update(data)
    made = cast(list[bytes], markdown)  # _make has filled in every page
    cache.pages = {
        page.path: (key, content) for page, key, content in zip(pages, keys, made, strict=True) if key is not None
    }
    cache.charts = {chart: (chart, *made) for chart, made in charts_needed.items() if made is not None}
    if drawing is None and not data_later and write_now is None:
        cache.last = (signature, dict(files))
        return files, None
    if drawing is None:
        cache.last = None  # without the data files (left for later, or written already)
        return files, None
    cache.last = None  # the charts being drawn join cache.charts when they are finished
    data_coming: frozenset[str] = frozenset()
    if drawing.data_first:  # the worker makes them: named now, for MkDocs to list
        data_coming = cache.data_paths = datafiles.data_file_paths(portal)
    return files, ChartsInProgress(drawing, pages, cache, data_coming)


def _kept_output(pages: list[Page], keys: list[int | None], cache: BuildCache) -> tuple[list[bytes | None], dict]:
    """What the last build made that these pages can keep: each page's Markdown where its key is the
    same (None where it is to be rendered), and each of their charts' SVG and CSV (None where it is
    to be drawn)."""
    markdown: list[bytes | None] = []
    for page, key in zip(pages, keys, strict=True):
        old = cache.pages.get(page.path)
        markdown.append(old[1] if old is not None and key is not None and old[0] == key else None)
    charts_needed = {
        chart: cache.charts[chart][1:] if chart in cache.charts else None for page in pages for chart in page.charts
    }
    return markdown, charts_needed


def _with_kept_charts(page: Page, kept: dict[charts.Chart, tuple]) -> Page:
    """The page with each chart equal to one of the last build's replaced by that object: the same
    chart, whose fingerprint is then known already (charts are made anew for every build)."""
    same = {id(chart): kept[chart][0] for chart in page.charts if chart in kept}
    if not same:
        return page

    def swap(value: object) -> object:
        if type(value) is list:
            return [same.get(id(item), item) for item in value]
        return same.get(id(value), value)

    context = {name: swap(value) for name, value in page.context.items()}
    return Page(page.path, page.template, context, tuple(same.get(id(chart), chart) for chart in page.charts))


# ---------------------------------------------------------------- making pages and charts, on all cores


PARALLEL_FROM = 96  # pages plus charts to make before worker processes pay off
_JOBS: tuple | None = None  # what forked workers read (pages, charts, t, templates, meanwhile): set only while they run


def _make(
    pages: list[Page],
    markdown: list[bytes | None],
    charts_needed: dict,
    t: dict,
    meanwhile: Callable[[], dict] = dict,
    charts_later: bool = False,
    templates: Path | None = None,
    meanwhile_later: bool = False,
) -> tuple[dict, _Drawing | None]:
    """Render the missing pages and draw the missing charts, in place; returns what `meanwhile`
    returns (it runs here while the workers render) and, with `charts_later`, the charts a worker is
    still drawing (`_Drawing`).

    With `meanwhile_later` (a `meanwhile` that writes what it makes, and returns nothing), the worker
    that draws the charts later runs `meanwhile` first, instead of this process while the pages are
    rendered: on two cores, it took a third core's share from the page workers, and the chart worker
    idles while MkDocs reads the pages."""
    global _JOBS
    chart_list = [chart for chart, made in charts_needed.items() if made is None]
    page_jobs = [("page", index) for index, content in enumerate(markdown) if content is None]
    chart_jobs = [("chart", index) for index in range(len(chart_list))]
    drawing: _Drawing | None = None
    _JOBS = (pages, chart_list, t, templates, meanwhile)
    try:
        workers = _workers(len(page_jobs) + len(chart_jobs))
        if workers > 1:
            import multiprocessing

            _load_templates(templates)
            context = multiprocessing.get_context("fork")
            later = charts_later and len(chart_jobs) >= PARALLEL_FROM
            deferred = later and meanwhile_later
            todo = page_jobs if later else chart_jobs + page_jobs  # charts first: they take longest
            with context.Pool(workers) as pool:
                pending = pool.map_async(_job, todo, chunksize=max(1, min(32, len(todo) // (workers * 8))))
                made_meanwhile = {} if deferred else meanwhile()
                results = pending.get()
            if later:  # forked only now: a pool runs threads, and forking beside them is not safe
                chart_pool = context.Pool(workers - 1, initializer=os.nice, initargs=(10,))  # the caller goes first
                later_jobs = [("meanwhile", 0)] * deferred + chart_jobs
                drawing = _Drawing(
                    chart_list, chart_pool, chart_pool.map_async(_job, later_jobs, chunksize=32), deferred
                )
        else:
            todo = chart_jobs + page_jobs
            results = [_job(job) for job in todo]
            made_meanwhile = meanwhile()
    finally:
        _JOBS = None
    for (kind, index), result in zip(todo, results, strict=True):
        if kind == "page":
            markdown[index] = result
        else:
            charts_needed[chart_list[index]] = result
    return made_meanwhile, drawing


class _Drawing(NamedTuple):
    """The charts a worker is drawing (`_make`)."""

    charts: list  # the charts, in the order of its results
    pool: Any  # the worker's pool, to end once its results are in
    result: Any  # its results: the charts' SVG and CSV (after None for the data files, with `data_first`)
    data_first: bool  # whether it makes and writes the data files first


class ChartsInProgress:
    """Charts a worker process draws while the build goes on (`render_site_drawing_charts_later`)."""

    def __init__(self, drawing: _Drawing, pages: list[Page], cache: BuildCache, data_coming: frozenset[str]):
        self._charts, self._pool, self._result, self._data_first = drawing
        self._data_coming = data_coming  # the data files the worker makes and writes first (if it does)
        wanted = set(self._charts)
        self._paths: dict[charts.Chart, list[tuple[str, str]]] = {}
        for page in pages:
            for chart in page.charts:
                if chart in wanted:
                    self._paths.setdefault(chart, []).append(_chart_paths(page, chart))
        self._cache = cache

    @property
    def paths(self) -> tuple[str, ...]:
        """The files still to come: the charts' and the data files'."""
        charts = (path for pairs in self._paths.values() for pair in pairs for path in pair)
        return (*charts, *sorted(self._data_coming))

    def finish(self) -> dict[str, bytes]:
        """Wait for the worker; the chart files it drew, which the cache now remembers too (for a next
        build). The data files, if it made them, it has written already."""
        try:
            made = self._result.get()
        finally:
            self._pool.terminate()
            self._pool.join()
        made = made[1:] if self._data_first else made
        files: dict[str, bytes] = {}
        for chart, svg_and_table in zip(self._charts, made, strict=True):
            if self._cache.next_build:
                self._cache.charts[chart] = (chart, *svg_and_table)
            for pair in self._paths[chart]:
                files.update(zip(pair, svg_and_table, strict=True))
        return files


def _load_templates(templates: Path | None) -> None:
    """Compile every template here, before forking: the workers inherit them, and so do later builds in this process."""
    environment = template_environment(templates)
    for name in environment.list_templates():
        environment.get_template(name)


def _workers(jobs: int) -> int:
    import multiprocessing

    cores = os.cpu_count() or 1
    if jobs < PARALLEL_FROM or cores < 2 or threading.active_count() > 1:
        return 1  # forking a process that runs other threads (the live preview's server) is not safe
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(cores, 8)


def _job(job: tuple[str, int]):
    assert _JOBS is not None
    pages, chart_list, t, templates, meanwhile = _JOBS
    kind, index = job
    if kind == "meanwhile":
        meanwhile()
        return None
    if kind == "page":
        page = pages[index]
        template = template_environment(templates).get_template(page.template)
        return template.render(page_path=page.path, t=t, **page.context).encode("utf-8")
    chart = chart_list[index]
    return chart.svg.encode("utf-8"), table_csv(chart.table)


def table_csv(table: charts.Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([datafiles.spreadsheet_safe(value) for value in table.header])
    # Decimal point, and a whole number without ".0", as in the data files.
    writer.writerows(
        [datafiles.spreadsheet_safe(int(v) if isinstance(v, float) and v.is_integer() else v) for v in row]
        for row in table.rows
    )
    return buffer.getvalue().encode("utf-8")


# ---------------------------------------------------------------- pages


def _pages(portal: ag.Portal, t: dict, release: tuple[str | None, str | None] = (None, None)) -> Iterable[Page]:
    yield _home(portal, t)
    yield _municipalities(portal)
    for view in portal.municipalities:
        yield _municipality(view, portal, t)
        for evaluation in view.evaluations:
            yield _evaluation(evaluation, view, portal, t)
    for view in portal.cited_only:
        yield _municipality(view, portal, t)
    yield _areas(portal, t)
    frameworks = tuple(s.framework for s in portal.frameworks)
    yield Page(
        urls.AREA_MAPPING, "area_mapping.md.j2", {"frameworks": frameworks, "by_id": {f.id: f for f in frameworks}}
    )
    for stats in portal.frameworks:
        for area in stats.areas:
            yield _area(stats, area, portal, t)
        yield from _comparisons(stats)
        yield Page(urls.catalogue(stats.framework.id), "catalogue.md.j2", {"framework": stats.framework})
        for area in stats.areas:
            if area.practices:  # no listing page that would only say it is empty
                yield Page(
                    urls.area_practices(stats.framework.id, area.definition.number),
                    "practice_filter.md.j2",
                    {
                        "framework": stats.framework,
                        "definition": area.definition,
                        "practices": _listed(area.practices),
                    },
                )
    yield Page(
        urls.COMPARISONS,
        "comparison_index.md.j2",
        {"revisions": tuple((s.framework.id, s.framework.name, len(s.evaluations)) for s in portal.frameworks)},
    )
    yield _practices(portal)
    gold_stars = _listed(p for p in portal.practices if p.practice.gold_star)
    if gold_stars:
        yield Page(urls.GOLD_STARS, "gold_stars.md.j2", {"practices": gold_stars})
    for practice in portal.practices:
        yield Page(
            urls.practice(practice.practice.slug),
            "practice.md.j2",
            {"item": practice, "sources": _sources(portal, [practice.source])},
        )
    version, date = release
    yield Page(
        urls.DATA,
        "data.md.j2",
        {"files": datafiles.listing(t), "tables": datafiles.CSV_FILES, "version": version, "date": date},
    )


def _listed(practices: Iterable[ag.PracticeView]) -> tuple[ag.PracticeView, ...]:
    """Good practices in the order a listing shows them: by name, then municipality (as their pages are titled)."""
    return tuple(
        sorted(practices, key=lambda p: (p.practice.name.casefold(), p.evaluation.name.casefold(), p.practice.slug))
    )


def _sources(portal: ag.Portal, refs: Iterable[m.SourceRef | None]) -> dict[str | None, m.Source | None]:
    """The reports a page cites, by id: all a citation on it reads."""
    return {
        ref.report: portal.dataset.source(ref.report) if ref.report is not None else None
        for ref in refs
        if ref is not None
    }


def _home(portal: ag.Portal, t: dict) -> Page:
    # A box only for a revision with enough evaluations; the table counts every revision.
    groups = [
        (s.framework.name, [v.total for v in s.evaluations if v.total is not None])
        for s in portal.frameworks
        if s.basis.enough
    ]
    summary = [
        (s.framework.name, s.basis.count, _round(s.total_mean), _round(s.total_median)) for s in portal.frameworks
    ]
    chart_list = []
    if groups:
        described = "; ".join(
            fill(t["home"]["overview_group"], name=s.framework.name, basis=basis_text(s.basis, t))
            for s in portal.frameworks
            if s.basis.enough
        )
        chart_list.append(
            charts.box(
                "oversikt",
                t["home"]["overview"],
                fill(t["home"]["overview_description"], groups=described) + " " + _box_finding(t, groups),
                groups,
                800,
                (t["word"]["revision"], t["word"]["count"], t["word"]["mean"], t["word"]["median"]),
                summary,
                legend=t["chart"]["box_legend"],
            )
        )
    latest = tuple(
        (v.ref, v.total, v.framework.max_points)
        for v in sorted(portal.evaluations, key=lambda v: (-v.year, v.municipality.name))[:6]
    )
    counts = {
        "municipalities": len(portal.municipalities),
        "evaluations": len(portal.evaluations),
        "practices": len(portal.practices),
    }
    return Page(
        urls.HOME,
        "home.md.j2",
        {"latest": latest, "overview": chart_list[0] if chart_list else None, "summary": summary, "counts": counts},
        tuple(chart_list),
    )


def _municipalities(portal: ag.Portal) -> Page:
    """The table of municipalities: each one's latest total in each revision."""
    revisions = tuple(s.framework.id for s in portal.frameworks)
    rows = []
    for view in portal.municipalities:
        latest = []
        for framework_id in revisions:
            own = [e for e in view.evaluations if e.framework.id == framework_id]
            latest.append((own[-1].total, own[-1].year) if own else None)
        rows.append((view.slug, view.municipality.name, view.municipality.county, len(view.evaluations), tuple(latest)))
    cited = tuple((v.slug, v.municipality.name, v.municipality.county) for v in portal.cited_only)
    return Page(
        urls.MUNICIPALITIES,
        "municipalities.md.j2",
        {"revision_names": tuple(s.framework.name for s in portal.frameworks), "rows": tuple(rows), "cited": cited},
    )


@dataclass(frozen=True)
class EvaluationLine:
    """What a municipality's page shows of one of its evaluations."""

    ref: ag.EvaluationRef
    total: float | None
    max_points: float
    area_sum: float | None
    area_sum_differs: bool
    rank: int | None
    rank_of: int
    source: m.SourceRef


def _municipality(view: ag.MunicipalityView, portal: ag.Portal, t: dict) -> Page:
    lines = tuple(
        EvaluationLine(
            e.ref,
            e.total,
            e.framework.max_points,
            e.area_sum,
            e.area_sum_differs,
            e.rank,
            e.rank_of,
            e.evaluation.source,
        )
        for e in view.evaluations
    )
    cited = [e.evaluation.source for e in view.evaluations] + [fact.source for fact in view.municipality.facts]
    context = {
        "municipality": view.municipality,
        "evaluations": lines,
        "practices": view.practices,
        "citations": view.citations,
        "sources": _sources(portal, cited),
    }
    chart_list = _municipality_charts(view, t) if view.evaluations else []
    context["charts"] = chart_list
    return Page(urls.municipality(view.slug), "municipality.md.j2", context, tuple(chart_list))


def _municipality_charts(view: ag.MunicipalityView, t: dict) -> list[charts.Chart]:
    name = view.municipality.name
    series = []
    for framework_id in sorted({e.framework.id for e in view.evaluations}):
        own = [e for e in view.evaluations if e.framework.id == framework_id and e.total is not None]
        if own:
            series.append((own[0].framework.name, [(e.year, e.total) for e in own]))
    chart_list = []
    if series:
        chart_list.append(
            charts.history(
                "historik",
                fill(t["municipality"]["history"]),
                fill(t["municipality"]["history_description"], name=name) + " " + _history_finding(t, series),
                series,
                800,
                (t["word"]["year"], t["word"]["revision"], t["word"]["total"]),
            )
        )
    latest = view.latest
    if latest:
        chart_list.append(
            _area_bars(
                latest,
                t,
                "profil",
                fill(t["municipality"]["profile"], year=latest.year),
                fill(t["municipality"]["profile_description"], name=name, year=latest.year),
            )
        )
    return chart_list


def _area_bars(view: ag.EvaluationView, t: dict, name: str, title: str, description: str) -> charts.Chart:
    labels = [f"{row.definition.number} {row.definition.name}" for row in view.areas]
    own = f"{view.municipality.name} {view.year}"
    values = [row.points for row in view.areas]
    if all(row.revision_mean is None for row in view.areas):  # too few evaluations of the revision for a mean
        return charts.bars(
            name,
            title,
            f"{description} {_bars_finding(t, labels, values)}",
            labels,
            values,
            100,
            own,
            (t["word"]["area"], own),
        )
    mean = fill(t["evaluation"]["mean_label"], revision=view.framework.name)
    reference = (mean, [_round(row.revision_mean) for row in view.areas])
    return charts.bars(
        name,
        title,
        f"{description} {_bars_finding(t, labels, values, reference)}",
        labels,
        values,
        100,
        own,
        (t["word"]["area"], own, mean),
        reference=reference,
    )


def basis_text(basis: ag.Basis, t: dict) -> str:
    """What a statistic is computed over, in words: "7 utvärderingar av 6 kommuner 2003–2009 (Karlskoga 2003 och 2007)"."""
    text = fill(
        t["stats"]["basis"],
        evaluations=counted(basis.count, "evaluation", t),
        municipalities=counted(basis.municipalities, "municipality", t),
        years=str(basis.first_year) if basis.first_year == basis.last_year else f"{basis.first_year}–{basis.last_year}",
    )
    if basis.repeated:
        twice = ", ".join(f"{name} {' och '.join(str(y) for y in years)}" for name, years in basis.repeated)
        text += fill(t["stats"]["basis_repeated"], which=twice)
    return text


def counted(n: int, unit: str, t: dict) -> str:
    """A count with its noun in the right number: "1 utvärdering", "2 utvärderingar"."""
    one, many = t["unit"][unit]
    return f"{format_number(n)} {one if n == 1 else many}"


@pass_context
def _counted(context, n: int, unit: str) -> str:
    """`counted` as a template filter, in the page's texts."""
    return counted(n, unit, context["t"])


def _evaluation(view: ag.EvaluationView, municipality: ag.MunicipalityView, portal: ag.Portal, t: dict) -> Page:
    name, year = view.municipality.name, view.year
    stats = portal.framework(view.framework.id)
    series = [(f"{name} {year}", [row.points for row in view.areas])]
    others = []
    if stats.basis.enough:
        others.append(
            fill(t["evaluation"]["radar_mean"], revision=view.framework.name, basis=basis_text(stats.basis, t))
        )
        series.append(
            (
                fill(t["evaluation"]["mean_label"], revision=view.framework.name),
                [_round(row.revision_mean) for row in view.areas],
            )
        )
    for reference in stats.references:
        values = {p.area: p.points for p in reference.areas}
        series.append((reference.name, [values.get(row.definition.number) for row in view.areas]))
        others.append(fill(t["evaluation"]["radar_reference"], name=reference.name.lower(), year=reference.year))
    previous = next((e for e in municipality.evaluations if view.previous and e.key == view.previous.key), None)
    if previous:
        series.append((f"{name} {previous.year}", [row.points for row in previous.areas]))
        others.append(f"{name} {previous.year}")
    if others:
        description = fill(t["evaluation"]["radar_description"], name=name, year=year, others=", ".join(others))
    else:
        description = fill(
            t["evaluation"]["radar_alone"],
            name=name,
            year=year,
            count=counted(stats.basis.count, "evaluation", t),
            revision=view.framework.name,
        )
    # One chart, one message: the areas against the revision's mean and the other references.
    # (The radar and the bar chart that said the same thing twice are gone; the table beside
    # the chart holds every number, and its area names lead to the areas further down.)
    labels = [f"{row.definition.number} {row.definition.name}" for row in view.areas]
    (main_label, main_values), references = series[0], series[1:]
    mean = series[1] if stats.basis.enough else None
    title = t["evaluation"]["radar"] if others else t["evaluation"]["radar_alone_title"]  # no "compared" without others
    profile = charts.bars(
        "profil",
        title,
        f"{description} {_bars_finding(t, labels, main_values, mean)}",
        labels,
        main_values,
        100,
        main_label,
        (t["word"]["area"],) + tuple(label for label, _ in series),
        references=references,
    )
    e = view.evaluation
    named = [c.municipality for row in view.areas if row.result for c in row.result.cited_examples]
    named += [c.municipality for c in e.compared_with]
    context = {
        "view": view,
        "enough": stats.basis.enough,
        "basis_count": stats.basis.count,
        "references": stats.references,
        "profile": profile,
        "profile_title": title,
        "history": tuple(h.ref for h in municipality.evaluations),
        "basis": basis_text(stats.basis, t),
        "learn_gap": ag.LEARN_GAP,
        "sources": _sources(portal, [e.source, *(r.source for r in stats.references)]),
        "municipalities": {slug: portal.dataset.municipality(slug) for slug in named},
    }
    return Page(urls.evaluation(view.slug, year), "evaluation.md.j2", context, (profile,))


def _history_finding(t: dict, series: list) -> str:
    """Each revision's line in words: from its first total to its last, or its one total."""
    parts = []
    for label, points in series:
        (first_year, first), (last_year, last) = points[0], points[-1]
        if len(points) == 1:
            parts.append(fill(t["chart"]["finding_once"], revision=label, value=format_number(first), year=first_year))
        else:
            parts.append(
                fill(
                    t["chart"]["finding_change"],
                    revision=label,
                    first=format_number(first),
                    first_year=first_year,
                    last=format_number(last),
                    last_year=last_year,
                )
            )
    return " ".join(parts)


def _box_finding(t: dict, groups: list) -> str:
    """Each group's median in words."""
    medians = [f"{label} {format_number(_round(statistics.median(values)))}" for label, values in groups if values]
    return fill(t["chart"]["finding_median"], medians="; ".join(medians)) if medians else ""


def _bars_finding(t: dict, labels: list, values: list, reference: tuple | None = None) -> str:
    """What a bar chart shows, in words (its text alternative states the finding, not only the topic)."""
    pairs = [(value, label) for label, value in zip(labels, values, strict=True) if value is not None]
    if not pairs:
        return ""
    top, bottom = max(pairs, key=lambda p: p[0]), min(pairs, key=lambda p: p[0])
    text = fill(
        t["chart"]["finding_range"],
        top=top[1],
        top_value=format_number(top[0]),
        bottom=bottom[1],
        bottom_value=format_number(bottom[0]),
    )
    if reference:
        both = [(v, r) for v, r in zip(values, reference[1], strict=True) if v is not None and r is not None]
        if both:
            text += " " + fill(
                t["chart"]["finding_above"],
                above=sum(v > r for v, r in both),
                n=len(both),
                reference=reference[0][:1].lower() + reference[0][1:],
            )
    return text


def _area(stats: ag.FrameworkStats, area: ag.AreaStats, portal: ag.Portal, t: dict) -> Page:
    name, revision = area.definition.name, stats.framework.name
    chart_list = []
    if area.ranking:
        basis = basis_text(area.basis, t)
        labels = [f"{r.evaluation.name} {r.evaluation.year}" for r in area.ranking]
        chart_list.append(
            charts.bars(
                "rangordning",
                t["areas"]["ranking"],
                fill(
                    t["areas"]["ranking_description"],
                    name=name,
                    revision=revision,
                    max=format_number(area.definition.max_points),
                    basis=basis,
                )
                + " "
                + _bars_finding(t, labels, [r.points for r in area.ranking]),
                labels,
                [r.points for r in area.ranking],
                area.definition.max_points,
                name,
                (t["word"]["municipality"], t["word"]["points"]),
            )
        )
        summary = [
            (label, _round(value))
            for label, value in zip(
                (t["word"]["min"], t["word"]["q1"], t["word"]["median"], t["word"]["q3"], t["word"]["max_value"]),
                area.quartiles or (),
                strict=False,
            )
        ]
        chart_list.append(
            charts.box(
                "spridning",
                t["areas"]["distribution"],
                fill(t["areas"]["distribution_description"], name=name, revision=revision, basis=basis)
                + " "
                + _box_finding(t, [(name, [r.points for r in area.ranking])]),
                [(name, [r.points for r in area.ranking])],
                area.definition.max_points,
                (t["word"]["value"], t["word"]["points"]),
                summary,
                legend=t["chart"]["box_legend"],
            )
        )
    related = {r.framework: portal.dataset.framework(r.framework) for r in area.definition.relations}
    return Page(
        urls.area(stats.framework.id, area.definition.number),
        "area.md.j2",
        {"area": area, "charts": chart_list, "basis": basis_text(area.basis, t), "frameworks": related},
        tuple(chart_list),
    )


def _areas(portal: ag.Portal, t: dict) -> Page:
    """Every area of every revision, with its mean and how many evaluations scored it."""
    revisions = tuple(
        {
            "framework": s.framework,
            "enough": s.basis.enough,
            "count": s.basis.count,
            "basis": basis_text(s.basis, t),
            "areas": tuple((a.definition, a.mean, len(a.scores)) for a in s.areas),
        }
        for s in portal.frameworks
    )
    return Page(urls.AREAS, "areas.md.j2", {"revisions": revisions})


# Rows of one comparison table: above this a revision's table is split by county. At 1000
# municipalities x 3 one table per revision was 400 KB of HTML; a county has at most about fifty
# municipalities.
COMPARISON_ROWS = 250


def _comparisons(stats: ag.FrameworkStats) -> Iterable[Page]:
    """Every evaluation of a revision with its points per area: one page, or, for more than
    COMPARISON_ROWS evaluations, a page per county and one that lists them."""
    framework_id = stats.framework.id
    shared = {"framework": stats.framework, "enough": stats.basis.enough, "count": stats.basis.count}
    rows = [((v.ref, tuple(row.points for row in v.areas), v.total), v.municipality.county) for v in stats.evaluations]
    if len(rows) <= COMPARISON_ROWS:
        yield Page(
            urls.comparison(framework_id),
            "comparison.md.j2",
            {**shared, "rows": tuple(row for row, _ in rows), "county": None, "parts": ()},
        )
        return
    folders = urls.folder_names(county for _, county in rows)
    counties = sorted(folders, key=lambda county: (county.casefold(), county))
    parts = tuple(
        (county, urls.comparison_part(framework_id, folders[county]), sum(1 for _, c in rows if c == county))
        for county in counties
    )
    yield Page(
        urls.comparison(framework_id), "comparison.md.j2", {**shared, "rows": (), "county": None, "parts": parts}
    )
    for county, address, _ in parts:
        yield Page(
            address,
            "comparison.md.j2",
            {**shared, "rows": tuple(row for row, c in rows if c == county), "county": county, "parts": ()},
        )


def _practices(portal: ag.Portal) -> Page:
    """The good practices by revision and area, and the latest gold stars."""
    revisions = tuple(
        (
            s.framework,
            tuple(
                (a.definition, len(a.practices), sum(p.practice.gold_star for p in a.practices))
                for a in s.areas
                if a.practices
            ),
        )
        for s in portal.frameworks
    )
    gold = sorted((p for p in portal.practices if p.practice.gold_star), key=lambda p: p.evaluation.year, reverse=True)
    return Page(
        urls.PRACTICES,
        "practices.md.j2",
        {"revisions": revisions, "gold": tuple(gold[:GOLD_SHOWN]), "gold_count": len(gold)},
    )


GOLD_SHOWN = 10  # the latest gold stars on the practices page, so that it does not grow with the corpus


def _n(value: float | None) -> str:
    return format_number(_round(value))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
