"""Aggregate: totals, means, medians, rankings and cross-references.

Everything the pages show that is computed rather than transcribed is computed
here, once, into frozen records the renderer only reads.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from itertools import chain, islice, repeat

from generator import model as m

# No mean, median, rank or spread is computed over fewer evaluations than this (content/metod/ says so).
MIN_STATISTICS = 3
# "Learn from others" names an area only when it is at least this many points below the mean of
# its revision (content/metod/ states the rule).
LEARN_GAP = 10.0
# How many weak areas "Learn from others" looks at, and how many leaders and good practices it names.
WEAK_AREAS_SHOWN = 3
LEADERS_SHOWN = 3
PRACTICES_SHOWN = 8


@dataclass(frozen=True)
class QuestionRow:
    definition: m.QuestionDef
    score: m.QuestionScore | None

    @property
    def points(self) -> float | None:
        return self.score.points if self.score else None

    @property
    def percent(self) -> float | None:
        if self.points is None:
            return None
        return 100 * self.points / self.definition.max_points


@dataclass(frozen=True)
class AreaRow:
    """One area of one evaluation, with its points as printed and as summed."""

    definition: m.AreaDef
    result: m.AreaResult | None
    points: float | None  # printed total if the report prints one, else the sum of questions
    question_sum: float | None
    questions: tuple[QuestionRow, ...]
    revision_mean: float | None

    @property
    def printed(self) -> float | None:
        return self.result.reported_points if self.result else None

    @property
    def sum_differs(self) -> bool:
        return (
            self.printed is not None and self.question_sum is not None and abs(self.printed - self.question_sum) > 1e-9
        )

    @property
    def below_mean(self) -> float | None:
        if self.points is None or self.revision_mean is None:
            return None
        return self.revision_mean - self.points


@dataclass(frozen=True)
class EvaluationRef:
    """Another evaluation as a page names and links it: what a view holds of an evaluation not its own,
    so that a page showing a name and a year does not change when that evaluation's text does."""

    key: str
    slug: str  # the municipality's
    name: str  # the municipality's
    year: int
    framework_id: str
    framework_name: str


@dataclass(frozen=True)
class Ranked:
    evaluation: EvaluationRef
    points: float
    rank: int


@dataclass(frozen=True)
class PracticeView:
    practice: m.GoodPractice
    evaluation: EvaluationRef
    area: m.AreaDef
    source: m.SourceRef  # the evaluation's report
    printed_area_name: str | None  # the area's name as the report prints it, where it differs


@dataclass(frozen=True)
class LearnFrom:
    area: AreaRow
    leaders: tuple[Ranked, ...]
    practices: tuple[PracticeView, ...]


@dataclass(frozen=True)
class EvaluationView:
    evaluation: m.Evaluation
    municipality: m.Municipality
    framework: m.Framework
    source: m.Source | None
    areas: tuple[AreaRow, ...]
    area_sum: float | None  # sum of the area points (each as printed, else as its questions add up)
    question_sum: float | None = None  # sum of every question's points, for a full evaluation with all scored
    rank: int | None = None  # only in a revision with at least MIN_STATISTICS evaluations
    rank_of: int = 0  # how many evaluations of the revision the portal holds
    previous: EvaluationRef | None = None  # this municipality's evaluation before, in the same revision
    learn_from: tuple[LearnFrom, ...] = ()

    @property
    def key(self) -> str:
        return self.evaluation.key

    @cached_property
    def ref(self) -> EvaluationRef:
        return EvaluationRef(
            self.evaluation.key,
            self.evaluation.municipality,
            self.municipality.name,
            self.evaluation.year,
            self.framework.id,
            self.framework.name,
        )

    @property
    def slug(self) -> str:
        return self.evaluation.municipality

    @property
    def year(self) -> int:
        return self.evaluation.year

    @property
    def total(self) -> float | None:
        """The headline total: as printed in the report where it prints one, else the sum of the areas."""
        reported = self.evaluation.reported_total
        return reported if reported is not None else self.area_sum

    @property
    def total_printed(self) -> bool:
        return self.evaluation.reported_total is not None

    @property
    def total_differs(self) -> bool:
        """The printed total differs from the sum of the areas or from the sum of the questions."""
        return self.area_sum_differs or self.question_sum_differs

    @property
    def area_sum_differs(self) -> bool:
        return self.total is not None and self.area_sum is not None and abs(self.total - self.area_sum) > 1e-9

    @property
    def question_sum_differs(self) -> bool:
        return self.total is not None and self.question_sum is not None and abs(self.total - self.question_sum) > 1e-9

    def area(self, number: int) -> AreaRow | None:
        return next((a for a in self.areas if a.definition.number == number), None)


@dataclass(frozen=True)
class AreaStats:
    framework: m.Framework
    definition: m.AreaDef
    scores: tuple[tuple[EvaluationRef, float], ...]  # every evaluation with points here, by name and year
    ranking: tuple[Ranked, ...]  # empty below MIN_STATISTICS evaluations, as are the statistics below
    mean: float | None
    median: float | None
    quartiles: tuple[float, float, float, float, float] | None
    question_means: tuple[tuple[m.QuestionDef, float | None, int], ...]
    practices: tuple[PracticeView, ...]
    strengths: tuple[tuple[str, EvaluationRef], ...]
    improvements: tuple[tuple[str, EvaluationRef], ...]
    basis: Basis


@dataclass(frozen=True)
class Basis:
    """What a statistic is computed over: how many evaluations of how many municipalities, which years,
    and the municipalities that count more than once (each evaluation counts; see content/metod/)."""

    count: int
    municipalities: int
    first_year: int | None
    last_year: int | None
    repeated: tuple[tuple[str, tuple[int, ...]], ...]  # (municipality name, its years) where it has several

    @property
    def enough(self) -> bool:
        return self.count >= MIN_STATISTICS


def _basis(views) -> Basis:
    views = list(views)
    years: dict[str, list[int]] = defaultdict(list)
    for v in views:
        years[v.municipality.name].append(v.year)
    repeated = tuple((name, tuple(sorted(ys))) for name, ys in sorted(years.items()) if len(ys) > 1)
    all_years = [v.year for v in views]
    return Basis(
        len(views), len(years), min(all_years) if all_years else None, max(all_years) if all_years else None, repeated
    )


@dataclass(frozen=True)
class FrameworkStats:
    framework: m.Framework
    evaluations: tuple[EvaluationView, ...]  # by total, best first, when ranked; else by name and year
    areas: tuple[AreaStats, ...]
    total_mean: float | None  # None below MIN_STATISTICS evaluations, as is the median
    total_median: float | None
    references: tuple[m.ReferenceSeries, ...]
    basis: Basis = Basis(0, 0, None, None, ())

    @property
    def ranked(self) -> bool:
        return self.basis.enough

    def area(self, number: int) -> AreaStats:
        return next(a for a in self.areas if a.definition.number == number)


@dataclass(frozen=True)
class Citation:
    """Another report naming this municipality: as an example, in a comparison, or as a source of its scores."""

    kind: str  # example | comparison | record
    by: EvaluationRef
    text: str
    area: m.AreaDef | None = None


@dataclass(frozen=True)
class MunicipalityView:
    municipality: m.Municipality
    evaluations: tuple[EvaluationView, ...]  # oldest first
    practices: tuple[PracticeView, ...]
    citations: tuple[Citation, ...]

    @property
    def slug(self) -> str:
        return self.municipality.slug

    @property
    def latest(self) -> EvaluationView | None:
        return self.evaluations[-1] if self.evaluations else None


@dataclass(frozen=True)
class Portal:
    dataset: m.Dataset
    evaluations: tuple[EvaluationView, ...]  # by municipality, then year
    frameworks: tuple[FrameworkStats, ...]
    municipalities: tuple[MunicipalityView, ...]  # those with evaluations, by name
    practices: tuple[PracticeView, ...]  # by name
    cited_only: tuple[MunicipalityView, ...]  # named by reports but never evaluated

    def framework(self, framework_id: str) -> FrameworkStats:
        return next(f for f in self.frameworks if f.framework.id == framework_id)


# One revision's part of the portal from exactly its inputs: the revision, its evaluations, their
# municipalities and reports (None where a report is not in the register), and its reference series.
RevisionInputs = tuple[
    m.Framework,
    tuple[m.Evaluation, ...],
    tuple[m.Municipality, ...],
    tuple[m.Source | None, ...],
    tuple[m.ReferenceSeries, ...],
]
RevisionPart = tuple[dict[str, "EvaluationView"], "FrameworkStats"]


def aggregate(dataset: m.Dataset, revision_part: Callable[[RevisionInputs], RevisionPart] | None = None) -> Portal:
    """Compute everything the site shows from a valid dataset.

    Each revision is aggregated on its own, by `revision_part` (`aggregate_revision`
    unless the caller passes one that remembers: the live preview, see `site.cache`)."""
    make = revision_part or aggregate_revision
    municipalities = {mu.slug: mu for mu in dataset.municipalities}
    sources = {s.id: s for s in dataset.sources}
    frameworks = {f.id: f for f in dataset.frameworks}
    by_framework: dict[str, list[m.Evaluation]] = defaultdict(list)
    for evaluation in dataset.evaluations:
        by_framework[evaluation.framework].append(evaluation)

    parts = {}
    for fid in sorted(frameworks):
        own = tuple(by_framework.get(fid, ()))
        parts[fid] = make(
            (
                frameworks[fid],
                own,
                tuple(municipalities[e.municipality] for e in own),
                tuple(sources.get(e.source.report or "") for e in own),
                tuple(r for r in dataset.references if r.framework == fid),
            )
        )
    views = {
        e.key: parts[e.framework][0][e.key] for e in sorted(dataset.evaluations, key=lambda e: (e.municipality, e.year))
    }
    stats = tuple(parts[fid][1] for fid in sorted(frameworks))

    practices = tuple(
        sorted(_kept_practices(views.values(), stats), key=lambda p: (p.practice.name.lower(), p.practice.slug))
    )
    citations = _citations(views.values(), frameworks)
    own_views: dict[str, list[EvaluationView]] = defaultdict(list)
    for view in views.values():
        own_views[view.slug].append(view)
    own_practices: dict[str, list[PracticeView]] = defaultdict(list)
    for practice in practices:
        own_practices[practice.evaluation.slug].append(practice)
    municipality_views: list[MunicipalityView] = []
    cited_only: list[MunicipalityView] = []
    for municipality in sorted(dataset.municipalities, key=lambda mu: (mu.name, mu.slug)):
        own_evaluations = tuple(own_views.get(municipality.slug, ()))
        municipality_view = MunicipalityView(
            municipality,
            own_evaluations,
            tuple(own_practices.get(municipality.slug, ())),
            tuple(citations.get(municipality.slug, ())),
        )
        (municipality_views if own_evaluations else cited_only).append(municipality_view)
    return Portal(dataset, tuple(views.values()), stats, tuple(municipality_views), practices, tuple(cited_only))


def aggregate_revision(inputs: RevisionInputs, earlier: RevisionPart | None = None) -> RevisionPart:
    """The views of one revision's evaluations (ranked, with history and lessons) and its statistics.

    With `earlier` (this revision's part from other inputs), an evaluation whose record, municipality,
    revision, report and area means are the same keeps the area rows made then: the same values,
    as the same objects (which the live preview then recognises at once, see `site.cache`); one
    whose record and revision alone are the same keeps its question rows (a save that moves the
    means gives every evaluation of the revision new area rows, not new question rows)."""
    framework, evaluations, municipalities, sources, references = inputs
    area_means = (
        {
            (framework.id, area.number): _mean([_points(e.area(area.number)) for e in evaluations])
            for area in framework.areas
        }
        if len(evaluations) >= MIN_STATISTICS
        else {}
    )
    means = tuple(area_means.get((framework.id, area.number)) for area in framework.areas)
    before = earlier[0] if earlier is not None else {}
    views: dict[str, EvaluationView] = {}
    for e, municipality, source in sorted(
        zip(evaluations, municipalities, sources, strict=False), key=lambda ems: (ems[0].municipality, ems[0].year)
    ):
        old = before.get(e.key)
        if old is not None and old.evaluation is e and old.framework is framework:
            if (
                old.municipality is municipality
                and old.source is source
                and tuple(row.revision_mean for row in old.areas) == means
            ):
                views[e.key] = EvaluationView(
                    e, municipality, framework, source, old.areas, old.area_sum, old.question_sum
                )
            else:
                views[e.key] = _evaluation_view(e, municipality, framework, source, area_means, old)
        else:
            views[e.key] = _evaluation_view(e, municipality, framework, source, area_means)
    views = _with_ranks_and_history(views)
    ranked = [views[e.key] for e in evaluations]
    rankings = {  # each view's area rows are the revision's areas, in order (see _evaluation_view)
        area.number: tuple(_rank([(v, v.areas[index].points) for v in ranked]))
        for index, area in enumerate(framework.areas)
    }
    lessons = _lessons(framework, ranked, rankings)
    views = {key: _with_learning(view, lessons) for key, view in views.items()}
    ordered = [views[v.key] for v in sorted(ranked, key=_by_total)]
    stats = _framework_stats(framework, ordered, references, rankings)
    return views, stats


def _points(result: m.AreaResult | None) -> float | None:
    return result.points if result else None


def _evaluation_view(evaluation, municipality, framework, source, area_means, earlier=None) -> EvaluationView:
    """One evaluation's view. With `earlier` (its view from the same record and revision, whose area
    means were others), each area row keeps its question rows: the same objects, not made again."""
    rows = []
    for index, area in enumerate(framework.areas):
        result = evaluation.area(area.number)
        revision_mean = area_means.get((framework.id, area.number))
        if earlier is not None:
            row = earlier.areas[index]
            rows.append(AreaRow(area, result, row.points, row.question_sum, row.questions, revision_mean))
            continue
        scores = {q.id: q for q in result.questions} if result else {}
        rows.append(
            AreaRow(
                definition=area,
                result=result,
                points=_points(result),
                question_sum=result.question_sum if result else None,
                questions=tuple(QuestionRow(q, scores.get(q.id)) for q in area.questions) if evaluation.is_full else (),
                revision_mean=revision_mean,
            )
        )
    points = [row.points for row in rows]
    area_sum = None if None in points else float(sum(points))  # type: ignore[arg-type]  # `None not in` rules None out, but mypy cannot narrow a list's items by it
    question_sum = None
    if evaluation.is_full:
        sums = [row.question_sum for row in rows]
        question_sum = None if None in sums else float(sum(sums))  # type: ignore[arg-type]  # `None not in` rules None out, but mypy cannot narrow a list's items by it
    return EvaluationView(evaluation, municipality, framework, source, tuple(rows), area_sum, question_sum)


def _with_ranks_and_history(views: dict[str, EvaluationView]) -> dict[str, EvaluationView]:
    by_framework: dict[str, list[EvaluationView]] = defaultdict(list)
    for view in views.values():
        by_framework[view.framework.id].append(view)
    ranks: dict[str, tuple[int, int]] = {}
    for group in by_framework.values():
        if len(group) < MIN_STATISTICS:
            continue
        ranked = _rank([(v, v.total) for v in group])
        for item in ranked:
            ranks[item.evaluation.key] = (item.rank, len(group))
    same: dict[tuple[str, str], list[EvaluationView]] = defaultdict(list)  # one municipality, one revision
    for view in views.values():
        same[(view.slug, view.framework.id)].append(view)
    result: dict[str, EvaluationView] = {}
    for key, view in views.items():
        rank, of = ranks.get(key, (None, len(by_framework[view.framework.id])))
        earlier = [v for v in same[(view.slug, view.framework.id)] if v.year < view.year]
        previous = max(earlier, key=lambda v: v.year) if earlier else None
        result[key] = _replace(view, rank=rank, rank_of=of, previous=previous.ref if previous else None)
    return result


def _rank(items: list[tuple[EvaluationView, float | None]]) -> list[Ranked]:
    """Competition ranking (1, 2, 2, 4), best first; ties in name order."""
    scored = sorted(
        ((v, p) for v, p in items if p is not None), key=lambda vp: (-vp[1], vp[0].municipality.name, vp[0].year)
    )
    ranked: list[Ranked] = []
    for index, (view, points) in enumerate(scored):
        rank = ranked[-1].rank if ranked and ranked[-1].points == points else index + 1
        ranked.append(Ranked(view.ref, points, rank))
    return ranked


def _lessons(
    framework: m.Framework, views: list[EvaluationView], rankings: dict[int, tuple[Ranked, ...]]
) -> dict[int, tuple[tuple[Ranked, ...], tuple[PracticeView, ...]]]:
    """What "Learn from others" picks from, per area: the ranking (`rankings`, of every evaluation with
    points there; none in a revision of fewer than MIN_STATISTICS evaluations) and the good practices."""
    practices = _practices_by_area(views)
    return {
        area.number: (rankings[area.number] if len(views) >= MIN_STATISTICS else (), practices.get(area.number, ()))
        for area in framework.areas
    }


def _by_total(view: EvaluationView) -> tuple:
    return (-(view.total or -1), view.municipality.name, view.year)


def _by_name(view: EvaluationView) -> tuple:
    return (view.municipality.name, view.year)


def _framework_stats(
    framework: m.Framework,
    views: list[EvaluationView],
    references: tuple[m.ReferenceSeries, ...],
    rankings: dict[int, tuple[Ranked, ...]],
) -> FrameworkStats:
    """The revision's statistics; `views` are by total, `rankings` ranks each area's evaluations with points there."""
    basis = _basis(views)
    enough = basis.enough
    totals = [v.total for v in views if v.total is not None] if enough else []
    practices = _practices_by_area(views)
    by_name = sorted(views, key=_by_name)
    areas = []
    for index, area in enumerate(framework.areas):
        rows = [v.areas[index] for v in views]  # each view's area rows are the revision's areas, in order
        scored = [v for v, row in zip(views, rows, strict=True) if row.points is not None]
        area_basis = basis if len(scored) == len(views) else _basis(scored)
        points = [row.points for row in rows if row.points is not None] if area_basis.enough else []
        areas.append(
            AreaStats(
                framework=framework,
                definition=area,
                scores=tuple((v.ref, row.points) for v in by_name if (row := v.areas[index]).points is not None),
                ranking=rankings[area.number] if len(scored) >= MIN_STATISTICS else (),
                mean=_mean(points),
                median=statistics.median(points) if points else None,
                quartiles=_quartiles(points),
                question_means=_question_means(area, rows),
                practices=practices.get(area.number, ()),
                strengths=_said(views, rows, "strengths"),
                improvements=_said(views, rows, "improvements"),
                basis=area_basis,
            )
        )
    return FrameworkStats(
        framework,
        tuple(views if enough else by_name),
        tuple(areas),
        _mean(totals),
        statistics.median(totals) if totals else None,
        references,
        basis,
    )


def _said(views: list[EvaluationView], rows: list[AreaRow], field: str) -> tuple[tuple[str, EvaluationRef], ...]:
    """Every strength (or improvement area, by `field`) of the rows with the evaluation that found it, in row order."""
    return tuple(
        chain.from_iterable(
            zip(getattr(row.result, field), repeat(view.ref))
            for view, row in zip(views, rows, strict=True)
            if row.result
        )
    )


def _question_means(area: m.AreaDef, rows: list[AreaRow]) -> tuple[tuple[m.QuestionDef, float | None, int], ...]:
    """Each question's mean over the rows that score it, and how many do, where at least MIN_STATISTICS do."""
    by_question: dict[str, list[float | None]] = defaultdict(list)  # in row order, as the means are summed
    for row in rows:
        for question_row in row.questions:
            by_question[question_row.definition.id].append(question_row.points)
    means = []
    for question in area.questions:
        values = by_question.get(question.id, ())
        count = sum(1 for value in values if value is not None)
        if count >= MIN_STATISTICS:
            means.append((question, _mean(values), count))
    return tuple(means)


def _with_learning(
    view: EvaluationView, lessons: dict[int, tuple[tuple[Ranked, ...], tuple[PracticeView, ...]]]
) -> EvaluationView:
    weak = sorted(
        (row for row in view.areas if (row.below_mean or 0) >= LEARN_GAP), key=lambda row: -(row.below_mean or 0)
    )
    learn_from = []
    slug = view.slug
    for row in weak[:WEAK_AREAS_SHOWN]:
        ranking, practices = lessons[row.definition.number]
        leaders = tuple(islice((r for r in ranking if r.evaluation.slug != slug), LEADERS_SHOWN))
        others = tuple(islice((p for p in practices if p.evaluation.slug != slug), PRACTICES_SHOWN))
        learn_from.append(LearnFrom(row, leaders, others))
    return _replace(view, learn_from=tuple(learn_from))


def _practices(views) -> list[PracticeView]:
    return [
        PracticeView(practice, view.ref, row.definition, view.evaluation.source, row.result.printed_name)
        for view in views
        for row in view.areas
        if row.result
        for practice in row.result.good_practices
    ]


def _practices_by_area(views) -> dict[int, tuple[PracticeView, ...]]:
    """`_practices(views)` by area number, each area's in the same order."""
    by_area: dict[int, list[PracticeView]] = defaultdict(list)
    for practice in _practices(views):
        by_area[practice.area.number].append(practice)
    return {number: tuple(practices) for number, practices in by_area.items()}


def _kept_practices(views, stats: tuple[FrameworkStats, ...]) -> list[PracticeView]:
    """`_practices(views)`, made of the revisions' own views of the practices (the same objects, not copies)."""
    made = {id(p.practice): p for revision in stats for area in revision.areas for p in area.practices}
    return [
        made[id(practice)]
        for view in views
        for row in view.areas
        if row.result
        for practice in row.result.good_practices
    ]


def _citations(views, frameworks) -> dict[str, list[Citation]]:
    found: dict[str, list[Citation]] = defaultdict(list)
    for view in views:
        for row in view.areas:
            for example in row.result.cited_examples if row.result else ():
                found[example.municipality].append(Citation("example", view.ref, example.topic, row.definition))
        for comparison in view.evaluation.compared_with:
            found[comparison.municipality].append(Citation("comparison", view.ref, str(comparison.year)))
    full_by_report: dict[str | None, list[EvaluationView]] = defaultdict(list)
    for view in views:
        if view.evaluation.is_full:
            full_by_report[view.evaluation.source.report].append(view)
    for view in views:
        if view.evaluation.detail == "areas":
            for other in full_by_report.get(view.evaluation.source.report, ()):
                found[view.slug].append(Citation("record", other.ref, str(view.year)))
    return found


def _mean(values) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _quartiles(values: list[float]) -> tuple[float, float, float, float, float] | None:
    if len(values) < MIN_STATISTICS:
        return None
    ordered = sorted(values)
    q1, q2, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    return (ordered[0], q1, q2, q3, ordered[-1])


def _replace(view: EvaluationView, **changes) -> EvaluationView:
    from dataclasses import replace

    return replace(view, **changes)
