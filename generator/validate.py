"""Validate: the checks a JSON Schema cannot express, over the whole dataset.

Every problem names file, line and column, what is wrong and what is expected.
All problems of a run are collected; nothing stops at the first.
"""

from __future__ import annotations

import datetime
import difflib
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable, Iterator, Optional

from . import model as m
from .loader import load_dataset
from .problems import Pos, Problem, error, warning

# A printed total may differ from the sum of its parts by this much before it is
# reported: reports print halves, and a rounded total of halves moves by 0.5.
ROUNDING_TOLERANCE = 0.5
# One evaluation makes one page per good practice: the real reports list up to 17.
MAX_PRACTICES_PER_EVALUATION = 100


def this_year() -> int:
    """The current year, for the checks that refuse a year in the future (never used in output)."""
    return datetime.date.today().year


def validate_folder(root: Path) -> tuple[m.Dataset, list[Problem]]:
    """Load and validate a data folder: the validator's single entry point."""
    dataset, problems = load_dataset(root)
    problems += check_dataset(dataset)
    return dataset, sorted(set(problems))


def check_dataset(dataset: m.Dataset) -> list[Problem]:
    problems: list[Problem] = []
    for framework in dataset.frameworks:
        problems += check_framework(framework, dataset)
    problems += check_unique((f.id, f.pos) for f in dataset.frameworks)("framework id")
    problems += check_unique((mu.slug, mu.pos) for mu in dataset.municipalities)("municipality slug")
    problems += check_unique((mu.code, mu.pos) for mu in dataset.municipalities)("municipality code")
    problems += check_unique((s.id, s.pos) for s in dataset.sources)("report id")
    problems += check_unique((r.id, r.pos) for r in dataset.references)("reference series id")
    problems += check_unique((e.key, e.pos) for e in dataset.evaluations)("evaluation of the same municipality and year")
    for municipality in dataset.municipalities:
        for fact in municipality.facts:
            if fact.source:
                problems += check_source_ref(fact.source, dataset)
    for evaluation in dataset.evaluations:
        problems += check_evaluation(evaluation, dataset)
    _forget_all_but(dataset.evaluations)
    problems += check_good_practice_slugs(dataset)
    problems += check_ordinals(dataset)
    for reference in dataset.references:
        problems += check_reference(reference, dataset)
    return problems


def check_unique(items: Iterable[tuple[str, Pos]]):
    seen: dict[str, Pos] = {}
    duplicates: list[tuple[str, Pos, Pos]] = []
    for value, pos in items:
        if value in seen:
            duplicates.append((value, pos, seen[value]))
        else:
            seen[value] = pos

    def report(what: str) -> list[Problem]:
        return [error(pos, f"duplicate {what} `{value}` (also at {first}); each must be unique") for value, pos, first in duplicates]

    return report


# ---------------------------------------------------------------- catalogue


def check_framework(framework: m.Framework, dataset: m.Dataset) -> list[Problem]:
    problems = []
    stem = Path(framework.pos.path).stem
    if stem != framework.id:
        problems.append(error(framework.spans.get("id", framework.pos), f"the file is named {stem}.yaml but holds revision {framework.id}; name it {framework.id}.yaml"))
    numbers = [a.number for a in framework.areas]
    if sorted(numbers) != list(range(1, 9)):
        problems.append(error(framework.spans.get("areas", framework.pos), f"revision {framework.id} must have areas 1 to 8 once each; it has {', '.join(map(str, numbers))}"))
    area_sum = sum(a.max_points for a in framework.areas)
    if area_sum != framework.max_points:
        problems.append(error(framework.spans.get("max_points", framework.pos), f"the area maxima of revision {framework.id} add up to {_num(area_sum)}, not its max_points {_num(framework.max_points)}"))
    if framework.last_year is not None and framework.last_year < framework.first_year:
        problems.append(error(framework.spans.get("last_year", framework.pos), f"last_year {framework.last_year} is before first_year {framework.first_year}"))
    for area in framework.areas:
        question_sum = sum(q.max_points for q in area.questions)
        if question_sum != area.max_points:
            problems.append(error(area.spans.get("max_points", area.pos), f"the question maxima of area {area.number} add up to {_num(question_sum)}, not the area's max_points {_num(area.max_points)}"))
        problems += check_unique((q.id, q.pos) for q in area.questions)(f"question id in area {area.number}")
        for question in area.questions:
            if question.id.split(".")[0] != str(area.number):
                problems.append(error(question.pos, f"question {question.id} is listed under area {area.number}; its id must start with {area.number}."))
        for relation in area.relations:
            other = dataset.framework(relation.framework)
            if other is None:
                problems.append(error(relation.pos, f"relation to unknown revision {relation.framework}; known: {_known(f.id for f in dataset.frameworks)}"))
            elif other.area(relation.area) is None:
                problems.append(error(relation.pos, f"revision {relation.framework} has no area {relation.area}"))
    return problems


# ---------------------------------------------------------------- evaluations


def check_source_ref(ref: m.SourceRef, dataset: m.Dataset) -> list[Problem]:
    if not ref.report:
        return [error(ref.pos, f"the source has no report yet; use the id of a report in _sources.yaml ({_known(s.id for s in dataset.sources)})")]
    if dataset.source(ref.report) is None:
        return [error(ref.pos, f"unknown report `{ref.report}`; add it to _sources.yaml or use one of: {_known(s.id for s in dataset.sources)}")]
    return []


def check_evaluation(evaluation: m.Evaluation, dataset: m.Dataset) -> list[Problem]:
    framework = dataset.framework(evaluation.framework)
    return list(_own_problems(evaluation, framework)) + check_evaluation_links(evaluation, framework, dataset)


def check_evaluation_links(evaluation: m.Evaluation, framework: Optional[m.Framework], dataset: m.Dataset) -> list[Problem]:
    """What an evaluation names elsewhere: its report, municipalities and the records it compares with."""
    problems = check_source_ref(evaluation.source, dataset)
    if dataset.municipality(evaluation.municipality) is None:
        problems.append(error(evaluation.spans.get("municipality", evaluation.pos), _unknown_municipality(evaluation.municipality, dataset)))
    if framework is None:
        problems.append(error(evaluation.spans.get("framework", evaluation.pos), f"unknown framework revision {evaluation.framework}; known: {_known(f.id for f in dataset.frameworks)}"))
        return problems
    for result in evaluation.areas:
        if framework.area(result.area) is None:
            continue  # reported by check_evaluation_itself
        for cited in result.cited_examples:
            if dataset.municipality(cited.municipality) is None:
                problems.append(error(cited.spans.get("municipality", cited.pos), _unknown_municipality(cited.municipality, dataset)))
    problems += check_comparisons(evaluation, dataset)
    return problems


def check_evaluation_itself(evaluation: m.Evaluation, framework: Optional[m.Framework]) -> list[Problem]:
    """The checks that read nothing but the record and its revision."""
    problems = check_file_name(evaluation)
    if framework is None:
        return problems
    problems += check_year(evaluation, framework)
    practices = [p for result in evaluation.areas for p in result.good_practices]
    if len(practices) > MAX_PRACTICES_PER_EVALUATION:
        problems.append(error(practices[MAX_PRACTICES_PER_EVALUATION].pos, f"the evaluation lists {len(practices)} good practices; at most {MAX_PRACTICES_PER_EVALUATION} are accepted per evaluation, so keep the ones the report names"))
    problems += check_unique((str(a.area), a.pos) for a in evaluation.areas)("area")
    missing = [a.number for a in framework.areas if evaluation.area(a.number) is None]
    if missing:
        problems.append(error(evaluation.spans.get("areas", evaluation.pos), f"areas {_ranges(missing)} are missing; every evaluation has all eight areas of revision {framework.id}"))
    for result in evaluation.areas:
        area = framework.area(result.area)
        if area is None:
            problems.append(error(result.spans.get("area", result.pos), f"revision {framework.id} has no area {result.area}"))
            continue
        if evaluation.is_full:
            problems += check_full_area(evaluation, result, area, framework)
        else:
            problems += check_area_level(result, area)
        problems += check_area_total(evaluation, result, area)
    if evaluation.is_full:
        problems += check_full_texts(evaluation)
    problems += check_grand_total(evaluation, framework)
    for discrepancy in evaluation.discrepancies:
        if discrepancy.area is not None and framework.area(discrepancy.area) is None:
            problems.append(error(discrepancy.pos, f"discrepancy names area {discrepancy.area}, which revision {framework.id} does not have"))
        elif discrepancy.question and not _question_exists(framework, discrepancy.question):
            problems.append(error(discrepancy.pos, f"discrepancy names question {discrepancy.question}, which revision {framework.id} does not have"))
    return problems


# An evaluation's own problems, by the identity of its record and revision, for the records of the
# last dataset checked: after an edit in the live preview, only the edited evaluation is checked again.
_OWN: dict[int, tuple[m.Evaluation, Optional[m.Framework], tuple[Problem, ...]]] = {}


def _own_problems(evaluation: m.Evaluation, framework: Optional[m.Framework]) -> tuple[Problem, ...]:
    known = _OWN.get(id(evaluation))  # the record is held in _OWN, so its id is its own
    if known is None or known[0] is not evaluation or known[1] is not framework:
        known = _OWN[id(evaluation)] = (evaluation, framework, tuple(check_evaluation_itself(evaluation, framework)))
    return known[2]


def _forget_all_but(evaluations: Iterable[m.Evaluation]) -> None:
    kept = {id(e) for e in evaluations}
    for key in [key for key in _OWN if key not in kept]:
        del _OWN[key]


def check_file_name(evaluation: m.Evaluation) -> list[Problem]:
    path = Path(evaluation.pos.path)
    expected = f"{evaluation.municipality}/{evaluation.year}.yaml"
    actual = f"{path.parent.name}/{path.name}"
    if actual != expected:
        return [error(evaluation.spans.get("municipality", evaluation.pos), f"the file is {actual} but holds {evaluation.municipality} {evaluation.year}; move it to {expected}")]
    return []


def check_year(evaluation: m.Evaluation, framework: m.Framework) -> list[Problem]:
    if evaluation.year > this_year():
        return [error(evaluation.spans.get("year", evaluation.pos), f"year {evaluation.year} is in the future; an evaluation is recorded after it was carried out")]
    last = framework.last_year
    if evaluation.year < framework.first_year or (last is not None and evaluation.year > last):
        span = f"{framework.first_year}–{last if last is not None else ''}"
        return [error(evaluation.spans.get("year", evaluation.pos), f"year {evaluation.year} does not fit revision {framework.id}, which was used {span}")]
    return []


def check_full_area(evaluation: m.Evaluation, result: m.AreaResult, area: m.AreaDef, framework: m.Framework) -> list[Problem]:
    problems = check_unique((q.id, q.pos) for q in result.questions)(f"question in area {area.number}")
    listed = {q.id for q in result.questions}
    for question in result.questions:
        definition = area.question(question.id)
        if definition is None:
            problems.append(error(question.spans.get("id", question.pos), f"question {question.id} is not in revision {framework.id} (area {area.number} has {_id_range(area)})"))
            continue
        problems += check_points(question, definition)
    missing = [q.id for q in area.questions if q.id not in listed]
    if missing:
        where = result.spans.get("questions", result.pos)
        problems.append(error(where, f"area {area.number} has no score for question {', '.join(missing)}; a full evaluation scores every question"))
    for key, label in (("description", "a description"), ("strengths", "strengths"), ("improvements", "improvement areas")):
        if not getattr(result, key):
            problems.append(error(result.pos, f"area {area.number} has no {key}; write {label} in your own words"))
    return problems


def check_points(question: m.QuestionScore, definition: m.QuestionDef) -> list[Problem]:
    if question.points is None:
        return [error(question.spans.get("points", question.pos), f"question {question.id} has no points yet (0–{_num(definition.max_points)})")]
    problems = []
    if not 0 <= question.points <= definition.max_points:
        problems.append(error(question.spans.get("points", question.pos), f"question {question.id} has {_num(question.points)} points; it must be between 0 and {_num(definition.max_points)}"))
    if question.reported_max is not None and question.reported_max != definition.max_points:
        problems.append(warning(question.spans.get("reported_max", question.pos), f"the report prints maximum {_num(question.reported_max)} for question {question.id}; the catalogue says {_num(definition.max_points)}"))
    if question.reported_percent is not None and not _percent_fits(question.points, definition.max_points, question.reported_percent):
        computed = 100 * question.points / definition.max_points
        problems.append(warning(question.spans.get("reported_percent", question.pos), f"the printed {_num(question.reported_percent)} % for question {question.id} differs from {_num(question.points)}/{_num(definition.max_points)} = {computed:.0f} %"))
    return problems


def _percent_fits(points: float, max_points: float, percent: float) -> bool:
    # Printed points may be rounded to whole numbers and percentages to whole percent.
    slack = 100 * ROUNDING_TOLERANCE / max_points + 0.5
    return abs(100 * points / max_points - percent) <= slack + 1e-9


def check_area_level(result: m.AreaResult, area: m.AreaDef) -> list[Problem]:
    problems = []
    if result.questions:
        problems.append(error(result.spans.get("questions", result.pos), f"an area-level record (detail: areas) has no question scores; use detail: full"))
    if result.reported_points is None:
        problems.append(error(result.pos, f"area {area.number} has no reported_points; an area-level record needs all eight area totals"))
    return problems


def check_area_total(evaluation: m.Evaluation, result: m.AreaResult, area: m.AreaDef) -> list[Problem]:
    problems = []
    if result.reported_points is not None and result.reported_points > area.max_points:
        problems.append(error(result.spans.get("reported_points", result.pos), f"area {area.number} has {_num(result.reported_points)} points; the maximum is {_num(area.max_points)}"))
    if not evaluation.is_full or result.reported_points is None:
        return problems
    scored = [q.points for q in result.questions if q.points is not None and area.question(q.id)]
    if len(scored) != len(area.questions):
        return problems
    total = sum(scored)
    if abs(total - result.reported_points) > ROUNDING_TOLERANCE:
        problems.append(warning(result.spans.get("reported_points", result.pos), f"area {area.number} is printed as {_num(result.reported_points)} but its questions add up to {_num(total)}; both are kept and the site shows the difference"))
    return problems


def check_full_texts(evaluation: m.Evaluation) -> list[Problem]:
    problems = []
    if not evaluation.summary:
        problems.append(error(evaluation.pos, "the evaluation has no summary; write one in your own words"))
    for key in ("evaluators", "month"):
        if not getattr(evaluation, key):
            problems.append(warning(evaluation.pos, f"the evaluation has no {key}; add it if the report prints it"))
    return problems


def check_grand_total(evaluation: m.Evaluation, framework: m.Framework) -> list[Problem]:
    if evaluation.reported_total is None:
        return []
    problems = []
    if evaluation.reported_total > framework.max_points:
        problems.append(error(evaluation.spans.get("reported_total", evaluation.pos), f"reported_total {_num(evaluation.reported_total)} exceeds the maximum {_num(framework.max_points)}"))
    parts = [_area_points(evaluation, a) for a in framework.areas]
    if all(p is not None for p in parts):
        total = sum(parts)  # type: ignore[arg-type]
        if abs(total - evaluation.reported_total) > ROUNDING_TOLERANCE:
            problems.append(warning(evaluation.spans.get("reported_total", evaluation.pos), f"the total is printed as {_num(evaluation.reported_total)} but the areas add up to {_num(total)}; both are kept and the site shows the difference"))
    return problems


def _area_points(evaluation: m.Evaluation, area: m.AreaDef) -> Optional[float]:
    """The area's points as printed, else (in a full evaluation) as its questions add up."""
    result = evaluation.area(area.number)
    if result is None:
        return None
    return result.points if evaluation.is_full else result.reported_points


def check_comparisons(evaluation: m.Evaluation, dataset: m.Dataset) -> list[Problem]:
    problems = []
    for comparison in evaluation.compared_with:
        other = dataset.evaluation(f"{comparison.municipality}/{comparison.year}")
        if dataset.municipality(comparison.municipality) is None:
            problems.append(error(comparison.pos, _unknown_municipality(comparison.municipality, dataset)))
        elif other is None:
            problems.append(warning(comparison.pos, f"the report compares with {comparison.municipality} {comparison.year}, which has no record; add it as an area-level record"))
        elif comparison.reported_total is not None and other.reported_total is not None and other.reported_total != comparison.reported_total:
            problems.append(warning(comparison.pos, f"this report prints {_num(comparison.reported_total)} for {comparison.municipality} {comparison.year}; its own record says {_num(other.reported_total)}"))
    return problems


def check_good_practice_slugs(dataset: m.Dataset) -> list[Problem]:
    slugs = [(practice.slug, practice.spans.get("slug", practice.pos))
             for evaluation in dataset.evaluations
             for area in evaluation.areas
             for practice in area.good_practices]
    reserved = {m.GOLD_STAR_LISTING} | {framework.id for framework in dataset.frameworks}
    problems = [error(pos, f"good-practice slug `{slug}` is the address of another page (/goda-exempel/{slug}/); choose another")
                for slug, pos in slugs if slug in reserved]
    return problems + check_unique(slugs)("good-practice slug")


def check_ordinals(dataset: m.Dataset) -> list[Problem]:
    problems = []
    by_municipality: dict[str, list[m.Evaluation]] = defaultdict(list)
    for evaluation in dataset.evaluations:
        by_municipality[evaluation.municipality].append(evaluation)
    for evaluations in by_municipality.values():
        ordered = sorted((e for e in evaluations if e.ordinal), key=lambda e: e.year)
        for earlier, later in zip(ordered, ordered[1:]):
            if later.ordinal <= earlier.ordinal:  # type: ignore[operator]
                problems.append(warning(later.spans.get("ordinal", later.pos), f"ordinal {later.ordinal} is not after {earlier.municipality} {earlier.year}'s ordinal {earlier.ordinal}"))
    return problems


def check_reference(reference: m.ReferenceSeries, dataset: m.Dataset) -> list[Problem]:
    problems = check_source_ref(reference.source, dataset)
    framework = dataset.framework(reference.framework)
    if framework is None:
        return problems + [error(reference.spans.get("framework", reference.pos), f"unknown framework revision {reference.framework}")]
    problems += check_unique((str(p.area), p.pos) for p in reference.areas)("area")
    for point in reference.areas:
        area = framework.area(point.area)
        if area is None:
            problems.append(error(point.pos, f"revision {framework.id} has no area {point.area}"))
        elif point.points > area.max_points:
            problems.append(error(point.pos, f"area {point.area} has {_num(point.points)} points; the maximum is {_num(area.max_points)}"))
    if reference.statistic == "mean" and reference.reported_total is not None:
        total = sum(p.points for p in reference.areas)
        if abs(total - reference.reported_total) > ROUNDING_TOLERANCE:
            problems.append(warning(reference.spans.get("reported_total", reference.pos), f"the mean total is printed as {_num(reference.reported_total)} but the area means add up to {_num(total)}"))
    return problems


# ---------------------------------------------------------------- helpers


def _num(value: float) -> str:
    return f"{value:g}"


def _known(values: Iterable[str]) -> str:
    return ", ".join(sorted(values)) or "none"


def _unknown_municipality(slug: str, dataset: m.Dataset) -> str:
    slugs = [mu.slug for mu in dataset.municipalities]
    close = difflib.get_close_matches(slug, slugs, n=1)
    hint = f"did you mean `{close[0]}`?" if close else "add it to _municipalities.yaml"
    return f"municipality `{slug}` is not in the register; {hint}"


def _id_range(area: m.AreaDef) -> str:
    ids = [q.id for q in area.questions]
    return f"{ids[0]}–{ids[-1]}" if len(ids) > 1 else ids[0]


def _question_exists(framework: m.Framework, question_id: str) -> bool:
    area = framework.area(int(question_id.split(".")[0]))
    return area is not None and area.question(question_id) is not None


def _ranges(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers))
