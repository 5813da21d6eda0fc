"""`new`: a complete evaluation template for one framework revision, commented in the
evaluator's language: every area and question with its text and maximum."""

from __future__ import annotations

import datetime
from pathlib import Path

from generator import model as m
from generator.errors import UsageError
from generator.layout import MUNICIPALITIES_FILE, evaluation_file
from generator.loader import load_dataset
from generator.messages import did_you_mean, msg
from generator.site.pages import template_environment


class ScaffoldError(UsageError):
    """`new` cannot write the template asked for."""


def year_range(dataset: m.Dataset, today: datetime.date | None = None) -> tuple[int, int]:
    """The years an evaluation can be written for: from the first revision's first year
    (when Kommunkompassen began) to next year (an evaluation being planned)."""
    first = min((f.first_year for f in dataset.frameworks), default=2002)
    return first, (today or datetime.date.today()).year + 1


def _nearest_year(year: int, first: int, last: int) -> int:
    """The year meant: the same digits in another order (2206: 2026), else one digit mistyped
    (2036: 2026), else the nearer end of the range; the latest such year first."""
    typed = str(year)
    years = [str(y) for y in range(last, first - 1, -1)]
    for candidate in years:
        if len(candidate) == len(typed) and sorted(candidate) == sorted(typed):
            return int(candidate)
    for candidate in years:
        if len(candidate) == len(typed) and sum(a != b for a, b in zip(candidate, typed, strict=True)) == 1:
            return int(candidate)
    return min(max(year, first), last)


def choose_framework(dataset: m.Dataset, year: int) -> m.Framework | None:
    """The newest revision in use in `year`."""
    fitting = [f for f in dataset.frameworks if f.first_year <= year and (f.last_year is None or year <= f.last_year)]
    return max(fitting, key=lambda f: f.first_year, default=None)


def write_template(
    data: Path, slug: str, year: int, framework_id: str | None = None, today: datetime.date | None = None
) -> Path:
    dataset, _ = load_dataset(data)
    municipality = dataset.municipality(slug)
    if municipality is None:
        hint = did_you_mean(
            slug,
            (mu.slug for mu in dataset.municipalities),
            msg("new.add_municipality", register=data / MUNICIPALITIES_FILE),
        )
        raise ScaffoldError(msg("new.unknown_municipality", slug=slug, register=data / MUNICIPALITIES_FILE, hint=hint))
    first, last = year_range(dataset, today)
    if not first <= year <= last:
        nearest = _nearest_year(year, first, last)
        raise ScaffoldError(msg("new.year_outside", year=year, first=first, last=last, nearest=nearest))
    known = ", ".join(f.id for f in dataset.frameworks)
    if framework_id is None:
        framework = choose_framework(dataset, year)
        if framework is None:
            raise ScaffoldError(msg("new.no_revision_for_year", year=year, known=known))
    else:
        framework = dataset.framework(framework_id)
        if framework is None:
            hint = did_you_mean(framework_id, (f.id for f in dataset.frameworks))
            raise ScaffoldError(
                msg("new.unknown_revision", id=framework_id, known=known) + (f"; {hint}" if hint else "")
            )
        if year < framework.first_year or (framework.last_year is not None and year > framework.last_year):
            fitting = choose_framework(dataset, year)
            span = f"{framework.first_year}–{framework.last_year if framework.last_year is not None else ''}"
            suggestion = msg("new.use_revision", id=fitting.id) if fitting else ""
            raise ScaffoldError(msg("new.year_revision", year=year, id=framework.id, span=span) + suggestion)
    target = data / evaluation_file(slug, year)
    if any(path.is_symlink() for path in (data, data / slug, target)):
        raise ScaffoldError(msg("new.link", path=data / slug))
    if target.exists():
        raise ScaffoldError(msg("new.exists", path=target))
    text = (
        template_environment()
        .get_template("new_evaluation.yaml.j2")
        .render(municipality=municipality, framework=framework, year=year, path=target, t=msg)
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
        handle.write(text + "\n")
    return target
