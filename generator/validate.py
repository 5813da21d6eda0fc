"""Validate: the checks a JSON Schema cannot express, over the whole dataset.

Every problem names file, line and column, what is wrong and what is expected.
All problems of a run are collected; nothing stops at the first.
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from generator import model as m
from generator.layout import evaluation_file
from generator.loader import FolderTree, SourceTree, load_tree
from generator.messages import did_you_mean, msg
from generator.problems import Pos, Problem, error, warning
from generator.text import plain_number

# A printed total may differ from the sum of its parts by this much before it is
# reported: reports print halves, and a rounded total of halves moves by 0.5.
ROUNDING_TOLERANCE = 0.5
# One evaluation makes one page per good practice: the real reports list up to 17.
MAX_PRACTICES_PER_EVALUATION = 100


def this_year() -> int:
    """The current year, for the checks that refuse a year in the future (never used in output)."""
    return datetime.date.today().year


def validate_folder(root: Path) -> tuple[m.Dataset, list[Problem]]:
    """Load and validate a data folder on disk."""
    return validate_tree(FolderTree(root))


def validate_tree(tree: SourceTree) -> tuple[m.Dataset, list[Problem]]:
    """Load and validate a data folder, on disk or in memory: the validator's single entry point."""
    dataset, problems = load_tree(tree)
    return dataset, combine(problems, check_dataset(dataset))


def combine(loaded: list[Problem], checked: list[Problem]) -> list[Problem]:
    """The loader's problems and the dataset checks', sorted by file and line, without repeats.
    A value the schema refused is left out of its record; a check of the record would only
    repeat at the same place that the value is missing, so the schema's word stands alone."""
    refused_at = {problem.pos for problem in loaded}
    return sorted(set(loaded + [p for p in checked if p.pos not in refused_at]))


# An evaluation's own problems (those that depend on its record and its revision alone).
OwnProblems = Callable[[m.Evaluation, m.Framework | None], Sequence[Problem]]


def check_dataset(dataset: m.Dataset, own_problems: OwnProblems | None = None) -> list[Problem]:
    """Every problem of the dataset beyond the schema's. `own_problems`, when given, stands for
    `check_evaluation_itself` (the live preview passes one that remembers, see `site.cache`)."""
    own = own_problems or check_evaluation_itself
    problems: list[Problem] = []
    for framework in dataset.frameworks:
        problems += check_framework(framework, dataset)
    problems += check_unique((f.id, f.pos) for f in dataset.frameworks)(msg("validate.what.framework_id"))
    problems += check_unique((mu.slug, mu.pos) for mu in dataset.municipalities)(msg("validate.what.municipality_slug"))
    problems += check_unique((mu.code, mu.pos) for mu in dataset.municipalities)(msg("validate.what.municipality_code"))
    problems += check_unique((s.id, s.pos) for s in dataset.sources)(msg("validate.what.report_id"))
    problems += check_unique((r.id, r.pos) for r in dataset.references)(msg("validate.what.reference_id"))
    problems += check_unique((e.key, e.pos) for e in dataset.evaluations)(msg("validate.what.evaluation"))
    for municipality in dataset.municipalities:
        for fact in municipality.facts:
            if fact.source:
                problems += check_source_ref(fact.source, dataset)
    for evaluation in dataset.evaluations:
        problems += check_evaluation(evaluation, dataset, own)
    problems += check_good_practice_slugs(dataset)
    problems += check_ordinals(dataset)
    for reference in dataset.references:
        problems += check_reference(reference, dataset)
    problems += check_future_years(dataset)
    return problems


def check_future_years(dataset: m.Dataset) -> list[Problem]:
    """Every other year in the data (a report's, a fact's, a reference series', an evaluation's earlier
    years and report date) is not in the future either: only what has been published is recorded."""
    found: list[tuple[int | None, Pos]] = [(s.year, s.pos) for s in dataset.sources]
    found += [(f.year, f.pos) for mu in dataset.municipalities for f in mu.facts]
    found += [(r.year, r.spans.get("year", r.pos)) for r in dataset.references]
    for e in dataset.evaluations:
        found += [(year, e.spans.get("previous_years", e.pos)) for year in e.previous_years]
        if e.report_date and e.report_date[:4].isdigit():
            found.append((int(e.report_date[:4]), e.spans.get("report_date", e.pos)))
    now = this_year()
    return [
        error(pos, msg("validate.year_future_record", year=year))
        for year, pos in found
        if isinstance(year, int) and not isinstance(year, bool) and year > now
    ]


def check_unique(items: Iterable[tuple[str, Pos]]):
    seen: dict[str, Pos] = {}
    duplicates: list[tuple[str, Pos, Pos]] = []
    for value, pos in items:
        if value in seen:
            duplicates.append((value, pos, seen[value]))
        else:
            seen[value] = pos

    def report(what: str) -> list[Problem]:
        return [
            error(pos, msg("validate.duplicate", what=what, value=value, first=first))
            for value, pos, first in duplicates
        ]

    return report


# ---------------------------------------------------------------- catalogue


def check_framework(framework: m.Framework, dataset: m.Dataset) -> list[Problem]:
    problems = []
    stem = Path(framework.pos.path).stem
    if stem != framework.id:
        problems.append(
            error(
                framework.spans.get("id", framework.pos),
                msg("validate.framework_file_name", stem=stem, id=framework.id),
            )
        )
    numbers = [a.number for a in framework.areas]
    if sorted(numbers) != list(range(1, 9)):
        problems.append(
            error(
                framework.spans.get("areas", framework.pos),
                msg("validate.framework_areas", id=framework.id, numbers=", ".join(map(str, numbers))),
            )
        )
    area_sum = sum(a.max_points for a in framework.areas)
    if area_sum != framework.max_points:
        problems.append(
            error(
                framework.spans.get("max_points", framework.pos),
                msg(
                    "validate.framework_area_sum", id=framework.id, total=_num(area_sum), max=_num(framework.max_points)
                ),
            )
        )
    if framework.last_year is not None and framework.last_year < framework.first_year:
        problems.append(
            error(
                framework.spans.get("last_year", framework.pos),
                msg("validate.framework_years", last=framework.last_year, first=framework.first_year),
            )
        )
    for area in framework.areas:
        question_sum = sum(q.max_points for q in area.questions)
        if question_sum != area.max_points:
            problems.append(
                error(
                    area.spans.get("max_points", area.pos),
                    msg(
                        "validate.framework_question_sum",
                        area=area.number,
                        total=_num(question_sum),
                        max=_num(area.max_points),
                    ),
                )
            )
        problems += check_unique((q.id, q.pos) for q in area.questions)(
            msg("validate.what.question_id", area=area.number)
        )
        for question in area.questions:
            if question.id.split(".")[0] != str(area.number):
                problems.append(
                    error(question.pos, msg("validate.framework_question_area", id=question.id, area=area.number))
                )
        for relation in area.relations:
            other = dataset.framework(relation.framework)
            if other is None:
                problems.append(
                    error(
                        relation.pos,
                        msg(
                            "validate.relation_revision",
                            id=relation.framework,
                            known=_known(f.id for f in dataset.frameworks),
                            hint=_hint(relation.framework, (f.id for f in dataset.frameworks)),
                        ),
                    )
                )
            elif other.area(relation.area) is None:
                problems.append(error(relation.pos, msg("validate.no_area", id=relation.framework, area=relation.area)))
    return problems


# ---------------------------------------------------------------- evaluations


def check_source_ref(ref: m.SourceRef, dataset: m.Dataset) -> list[Problem]:
    if not ref.report:
        return [error(ref.pos, msg("validate.source_empty"))]
    if dataset.source(ref.report) is None:
        return [
            error(
                ref.pos,
                msg(
                    "validate.source_unknown",
                    id=ref.report,
                    hint=did_you_mean(
                        ref.report,
                        (s.id for s in dataset.sources),
                        msg("validate.source_known", known=_known(s.id for s in dataset.sources)),
                    ),
                ),
            )
        ]
    return []


def check_evaluation(evaluation: m.Evaluation, dataset: m.Dataset, own: OwnProblems | None = None) -> list[Problem]:
    framework = dataset.framework(evaluation.framework)
    return list((own or check_evaluation_itself)(evaluation, framework)) + check_evaluation_links(
        evaluation, framework, dataset
    )


def check_evaluation_links(
    evaluation: m.Evaluation, framework: m.Framework | None, dataset: m.Dataset
) -> list[Problem]:
    """What an evaluation names elsewhere: its report, municipalities and the records it compares with."""
    problems = check_source_ref(evaluation.source, dataset)
    if dataset.municipality(evaluation.municipality) is None:
        problems.append(
            error(
                evaluation.spans.get("municipality", evaluation.pos),
                _unknown_municipality(evaluation.municipality, dataset),
            )
        )
    if framework is None:
        problems.append(
            error(
                evaluation.spans.get("framework", evaluation.pos),
                msg(
                    "validate.unknown_revision",
                    id=evaluation.framework,
                    known=_known(f.id for f in dataset.frameworks),
                    hint=_hint(evaluation.framework, (f.id for f in dataset.frameworks)),
                ),
            )
        )
        return problems
    for result in evaluation.areas:
        if framework.area(result.area) is None:
            continue  # reported by check_evaluation_itself
        for cited in result.cited_examples:
            if dataset.municipality(cited.municipality) is None:
                problems.append(
                    error(
                        cited.spans.get("municipality", cited.pos), _unknown_municipality(cited.municipality, dataset)
                    )
                )
    problems += check_comparisons(evaluation, dataset)
    return problems


def check_evaluation_itself(evaluation: m.Evaluation, framework: m.Framework | None) -> list[Problem]:
    """The checks that read nothing but the record and its revision."""
    problems = check_file_name(evaluation)
    if framework is None:
        return problems
    problems += check_year(evaluation, framework)
    practices = [p for result in evaluation.areas for p in result.good_practices]
    if len(practices) > MAX_PRACTICES_PER_EVALUATION:
        problems.append(
            error(
                practices[MAX_PRACTICES_PER_EVALUATION].pos,
                msg("validate.too_many_practices", count=len(practices), most=MAX_PRACTICES_PER_EVALUATION),
            )
        )
    problems += check_unique((str(a.area), a.pos) for a in evaluation.areas)(msg("validate.what.area"))
    pending: list[tuple[str, str, Pos]] = []  # what is still to be filled in: grouped when there is much
    missing = [a.number for a in framework.areas if evaluation.area(a.number) is None]
    if missing:
        problems.append(
            error(
                evaluation.spans.get("areas", evaluation.pos),
                msg("validate.areas_missing", areas=_ranges(missing), id=framework.id),
            )
        )
    for result in evaluation.areas:
        area = framework.area(result.area)
        if area is None:
            problems.append(
                error(result.spans.get("area", result.pos), msg("validate.no_area", id=framework.id, area=result.area))
            )
            continue
        if evaluation.is_full:
            problems += check_full_area(evaluation, result, area, framework, pending)
        else:
            problems += check_area_level(result, area)
        problems += check_area_total(evaluation, result, area)
    if evaluation.is_full:
        problems += check_full_texts(evaluation)
    problems += pending_problems(pending)
    problems += check_grand_total(evaluation, framework)
    for discrepancy in evaluation.discrepancies:
        if discrepancy.area is not None and framework.area(discrepancy.area) is None:
            problems.append(
                error(discrepancy.pos, msg("validate.discrepancy_area", area=discrepancy.area, id=framework.id))
            )
        elif discrepancy.question and not _question_exists(framework, discrepancy.question):
            problems.append(
                error(
                    discrepancy.pos,
                    msg("validate.discrepancy_question", question=discrepancy.question, id=framework.id),
                )
            )
    return problems


def check_file_name(evaluation: m.Evaluation) -> list[Problem]:
    path = Path(evaluation.pos.path)
    expected = evaluation_file(evaluation.municipality, evaluation.year)
    actual = f"{path.parent.name}/{path.name}"
    if actual != expected:
        return [
            error(
                evaluation.spans.get("municipality", evaluation.pos),
                msg(
                    "validate.file_name",
                    actual=actual,
                    municipality=evaluation.municipality,
                    year=evaluation.year,
                    expected=expected,
                ),
            )
        ]
    return []


def check_year(evaluation: m.Evaluation, framework: m.Framework) -> list[Problem]:
    if evaluation.year > this_year():
        return [error(evaluation.spans.get("year", evaluation.pos), msg("validate.year_future", year=evaluation.year))]
    last = framework.last_year
    if evaluation.year < framework.first_year or (last is not None and evaluation.year > last):
        span = f"{framework.first_year}–{last if last is not None else ''}"
        return [
            error(
                evaluation.spans.get("year", evaluation.pos),
                msg("validate.year_revision", year=evaluation.year, id=framework.id, span=span),
            )
        ]
    return []


def check_full_area(
    evaluation: m.Evaluation, result: m.AreaResult, area: m.AreaDef, framework: m.Framework, pending: list | None = None
) -> list[Problem]:
    pending = [] if pending is None else pending
    problems = check_unique((q.id, q.pos) for q in result.questions)(msg("validate.what.question", area=area.number))
    listed = {q.id for q in result.questions}
    for question in result.questions:
        definition = area.question(question.id)
        if definition is None:
            problems.append(
                error(
                    question.spans.get("id", question.pos),
                    msg(
                        "validate.unknown_question",
                        id=question.id,
                        revision=framework.id,
                        area=area.number,
                        range=_id_range(area),
                        hint=_hint(question.id, (q.id for q in area.questions)),
                    ),
                )
            )
            continue
        if question.points is None:
            pending.append(("points", question.id, question.spans.get("points", question.pos)))
        problems += check_points(question, definition)
    missing = [q.id for q in area.questions if q.id not in listed]
    if missing:
        where = result.spans.get("questions", result.pos)
        problems.append(error(where, msg("validate.questions_missing", area=area.number, ids=", ".join(missing))))
    for key in ("description", "strengths", "improvements"):
        if not getattr(result, key):
            pending.append((key, str(area.number), result.spans.get(key, result.pos)))
    return problems


# From this many of a kind, what remains to be filled in is one line (an untouched template
# would otherwise list a hundred); fewer are listed one by one, each at its place.
GROUP_FROM = 4


def pending_problems(pending: list[tuple[str, str, Pos]]) -> list[Problem]:
    problems = []
    for kind in ("points", "description", "strengths", "improvements"):
        items = [(label, pos) for k, label, pos in pending if k == kind]
        if len(items) >= GROUP_FROM:
            labels = [label for label, _ in items]
            problems.append(
                error(items[0][1], msg(f"validate.pending_many.{kind}", count=len(items), ids=_id_runs(labels)))
            )
        else:
            problems += [error(pos, msg(f"validate.pending_one.{kind}", id=label)) for label, pos in items]
    return problems


def _id_runs(ids: list[str]) -> str:
    """'1.1–1.5, 2.1–2.4, 3.2' (or '1–8' for areas): consecutive ids in one run."""

    def parts(value: str) -> tuple[int, ...]:
        return tuple(int(x) for x in value.split(".") if x.isdigit())

    runs: list[list[str]] = []
    for value in ids:
        if runs:
            last = parts(runs[-1][-1])
            here = parts(value)
            if len(last) == len(here) and last[:-1] == here[:-1] and here and here[-1] == last[-1] + 1:
                runs[-1].append(value)
                continue
        runs.append([value])
    return ", ".join(run[0] if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs)


def check_points(question: m.QuestionScore, definition: m.QuestionDef) -> list[Problem]:
    if question.points is None:
        return []  # listed by pending_problems
    problems = []
    if not 0 <= question.points <= definition.max_points:
        problems.append(
            error(
                question.spans.get("points", question.pos),
                msg(
                    "validate.points_range",
                    id=question.id,
                    points=_num(question.points),
                    max=_num(definition.max_points),
                ),
            )
        )
    if question.reported_max is not None and question.reported_max != definition.max_points:
        problems.append(
            warning(
                question.spans.get("reported_max", question.pos),
                msg(
                    "validate.reported_max",
                    printed=_num(question.reported_max),
                    id=question.id,
                    max=_num(definition.max_points),
                ),
            )
        )
    if question.reported_percent is not None and not _percent_fits(
        question.points, definition.max_points, question.reported_percent
    ):
        computed = 100 * question.points / definition.max_points
        problems.append(
            warning(
                question.spans.get("reported_percent", question.pos),
                msg(
                    "validate.reported_percent",
                    percent=_num(question.reported_percent),
                    id=question.id,
                    points=_num(question.points),
                    max=_num(definition.max_points),
                    computed=f"{computed:.0f}",
                ),
            )
        )
    return problems


def _percent_fits(points: float, max_points: float, percent: float) -> bool:
    # Printed points may be rounded to whole numbers and percentages to whole percent.
    slack = 100 * ROUNDING_TOLERANCE / max_points + 0.5
    return abs(100 * points / max_points - percent) <= slack + 1e-9


def check_area_level(result: m.AreaResult, area: m.AreaDef) -> list[Problem]:
    problems = []
    if result.questions:
        problems.append(error(result.spans.get("questions", result.pos), msg("validate.area_level_questions")))
    if result.reported_points is None:
        problems.append(error(result.pos, msg("validate.area_level_points", area=area.number)))
    return problems


def check_area_total(evaluation: m.Evaluation, result: m.AreaResult, area: m.AreaDef) -> list[Problem]:
    problems = []
    if result.reported_points is not None and result.reported_points > area.max_points:
        problems.append(
            error(
                result.spans.get("reported_points", result.pos),
                msg(
                    "validate.area_above_max",
                    area=area.number,
                    points=_num(result.reported_points),
                    max=_num(area.max_points),
                ),
            )
        )
    if not evaluation.is_full or result.reported_points is None:
        return problems
    scored = [q.points for q in result.questions if q.points is not None and area.question(q.id)]
    if len(scored) != len(area.questions):
        return problems
    total = sum(scored)
    if abs(total - result.reported_points) > ROUNDING_TOLERANCE:
        problems.append(
            warning(
                result.spans.get("reported_points", result.pos),
                msg(
                    "validate.area_total_differs",
                    area=area.number,
                    printed=_num(result.reported_points),
                    total=_num(total),
                ),
            )
        )
    return problems


def check_full_texts(evaluation: m.Evaluation) -> list[Problem]:
    problems = []
    if not evaluation.summary:
        problems.append(error(evaluation.spans.get("summary", evaluation.pos), msg("validate.no_summary")))
    for key in ("evaluators", "month"):
        if not getattr(evaluation, key):
            problems.append(warning(evaluation.spans.get(key, evaluation.pos), msg(f"validate.no_{key}")))
    return problems


def check_grand_total(evaluation: m.Evaluation, framework: m.Framework) -> list[Problem]:
    if evaluation.reported_total is None:
        return []
    problems = []
    if evaluation.reported_total > framework.max_points:
        problems.append(
            error(
                evaluation.spans.get("reported_total", evaluation.pos),
                msg("validate.total_above_max", total=_num(evaluation.reported_total), max=_num(framework.max_points)),
            )
        )
    parts = [_area_points(evaluation, a) for a in framework.areas]
    if all(p is not None for p in parts):
        total = sum(parts)  # type: ignore[arg-type]  # all() above ruled None out; mypy cannot narrow a list's items by it
        if abs(total - evaluation.reported_total) > ROUNDING_TOLERANCE:
            problems.append(
                warning(
                    evaluation.spans.get("reported_total", evaluation.pos),
                    msg("validate.total_differs", printed=_num(evaluation.reported_total), total=_num(total)),
                )
            )
    return problems


def _area_points(evaluation: m.Evaluation, area: m.AreaDef) -> float | None:
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
            problems.append(
                warning(
                    comparison.pos,
                    msg("validate.comparison_missing", municipality=comparison.municipality, year=comparison.year),
                )
            )
        elif (
            comparison.reported_total is not None
            and other.reported_total is not None
            and other.reported_total != comparison.reported_total
        ):
            problems.append(
                warning(
                    comparison.pos,
                    msg(
                        "validate.comparison_differs",
                        printed=_num(comparison.reported_total),
                        municipality=comparison.municipality,
                        year=comparison.year,
                        own=_num(other.reported_total),
                    ),
                )
            )
    return problems


def check_good_practice_slugs(dataset: m.Dataset) -> list[Problem]:
    slugs = [
        (practice.slug, practice.spans.get("slug", practice.pos))
        for evaluation in dataset.evaluations
        for area in evaluation.areas
        for practice in area.good_practices
    ]
    reserved = {m.GOLD_STAR_LISTING} | {framework.id for framework in dataset.frameworks}
    problems = [
        error(pos, msg("validate.practice_slug_reserved", slug=slug)) for slug, pos in slugs if slug in reserved
    ]
    return problems + check_unique(slugs)(msg("validate.what.practice_slug"))


def check_ordinals(dataset: m.Dataset) -> list[Problem]:
    problems = []
    by_municipality: dict[str, list[m.Evaluation]] = defaultdict(list)
    for evaluation in dataset.evaluations:
        by_municipality[evaluation.municipality].append(evaluation)
    for evaluations in by_municipality.values():
        ordered = sorted((e for e in evaluations if e.ordinal), key=lambda e: e.year)
        for earlier, later in itertools.pairwise(ordered):
            if later.ordinal <= earlier.ordinal:  # type: ignore[operator]  # `ordered` holds only evaluations with an ordinal; mypy cannot narrow by a filter
                problems.append(
                    warning(
                        later.spans.get("ordinal", later.pos),
                        msg(
                            "validate.ordinal",
                            ordinal=later.ordinal,
                            municipality=earlier.municipality,
                            year=earlier.year,
                            earlier=earlier.ordinal,
                        ),
                    )
                )
    return problems


def check_reference(reference: m.ReferenceSeries, dataset: m.Dataset) -> list[Problem]:
    problems = check_source_ref(reference.source, dataset)
    framework = dataset.framework(reference.framework)
    if framework is None:
        return problems + [
            error(
                reference.spans.get("framework", reference.pos),
                msg(
                    "validate.unknown_revision",
                    id=reference.framework,
                    known=_known(f.id for f in dataset.frameworks),
                    hint=_hint(reference.framework, (f.id for f in dataset.frameworks)),
                ),
            )
        ]
    problems += check_unique((str(p.area), p.pos) for p in reference.areas)(msg("validate.what.area"))
    for point in reference.areas:
        area = framework.area(point.area)
        if area is None:
            problems.append(error(point.pos, msg("validate.no_area", id=framework.id, area=point.area)))
        elif point.points > area.max_points:
            problems.append(
                error(
                    point.pos,
                    msg(
                        "validate.area_above_max", area=point.area, points=_num(point.points), max=_num(area.max_points)
                    ),
                )
            )
    if reference.statistic == "mean" and reference.reported_total is not None:
        total = sum(p.points for p in reference.areas)
        if abs(total - reference.reported_total) > ROUNDING_TOLERANCE:
            problems.append(
                warning(
                    reference.spans.get("reported_total", reference.pos),
                    msg("validate.mean_total_differs", printed=_num(reference.reported_total), total=_num(total)),
                )
            )
    return problems


# ---------------------------------------------------------------- helpers


_num = plain_number


def _known(values: Iterable[str]) -> str:
    return ", ".join(sorted(values)) or msg("validate.none")


def _hint(value: str, known: Iterable[str]) -> str:
    hint = did_you_mean(value, known)
    return f"; {hint}" if hint else ""


def _unknown_municipality(slug: str, dataset: m.Dataset) -> str:
    hint = did_you_mean(slug, (mu.slug for mu in dataset.municipalities), msg("validate.municipality_add"))
    return msg("validate.unknown_municipality", slug=slug, hint=hint)


def _id_range(area: m.AreaDef) -> str:
    ids = [q.id for q in area.questions]
    return f"{ids[0]}–{ids[-1]}" if len(ids) > 1 else ids[0]


def _question_exists(framework: m.Framework, question_id: str) -> bool:
    area = framework.area(int(question_id.split(".")[0]))
    return area is not None and area.question(question_id) is not None


def _ranges(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers))
