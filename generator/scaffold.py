"""`new`: a complete evaluation template for one framework revision."""

from __future__ import annotations

from pathlib import Path

from .loader import load_dataset
from .render import template_environment


class ScaffoldError(Exception):
    pass


def write_template(data: Path, slug: str, year: int, framework_id: str, this_year: int) -> Path:
    dataset, _ = load_dataset(data)
    first = min((f.first_year for f in dataset.frameworks), default=None)
    if first is not None and year < first:
        raise ScaffoldError(f"year {year} is before the first Kommunkompassen evaluation ({first}, the first revision in the catalogue)")
    if year > this_year + 1:
        raise ScaffoldError(f"year {year} is too far ahead; a new evaluation is for this year or the next ({this_year}–{this_year + 1})")
    municipality = dataset.municipality(slug)
    if municipality is None:
        raise ScaffoldError(f"municipality `{slug}` is not in {data}/_municipalities.yaml; add it there first")
    framework = dataset.framework(framework_id)
    if framework is None:
        known = ", ".join(f.id for f in dataset.frameworks)
        raise ScaffoldError(f"unknown framework revision `{framework_id}`; known: {known}")
    target = data / slug / f"{year}.yaml"
    if any(path.is_symlink() for path in (data, data / slug, target)):
        raise ScaffoldError(f"{data / slug} is or holds a symbolic link; links are never followed: replace it with the folder itself")
    if target.exists():
        raise ScaffoldError(f"{target} already exists; edit it instead (nothing was overwritten)")
    text = template_environment().get_template("new_evaluation.yaml.j2").render(
        municipality=municipality, framework=framework, year=year, path=target
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
        handle.write(text + "\n")
    return target
