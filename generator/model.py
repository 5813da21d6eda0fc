"""The typed model of the data: what the loader produces and every later step reads.

All records are frozen. `pos` is where the record starts in its YAML file and
`spans` maps each of its keys to where that key's value starts, so that the
validator can point at the exact line of a mistake.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

from generator.problems import Pos

K = TypeVar("K")
V = TypeVar("V")

# Folders under goda-exempel/ that are pages of the portal, not good practices: the gold-star
# listing (a framework id, such as 2020, is reserved too: it holds the per-area listings).
GOLD_STAR_LISTING = "guldstjarnor"

Spans = Mapping[str, Pos]


@dataclass(frozen=True)
class QuestionDef:
    id: str
    text: str
    max_points: float
    pos: Pos


@dataclass(frozen=True)
class AreaRelation:
    framework: str
    area: int
    relation: str  # comparable | partly | not
    pos: Pos


@dataclass(frozen=True)
class AreaDef:
    number: int
    name: str
    max_points: float
    questions: tuple[QuestionDef, ...]
    relations: tuple[AreaRelation, ...]
    pos: Pos
    spans: Spans

    def question(self, question_id: str) -> QuestionDef | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class Framework:
    id: str
    name: str  # the revision's one name ("Kommunkompassen 2019/2020") on every page, chart, data file and message
    label: str  # an older short label, kept in the data; not shown
    first_year: int
    last_year: int | None
    max_points: float
    areas: tuple[AreaDef, ...]
    pos: Pos
    spans: Spans

    def area(self, number: int) -> AreaDef | None:
        return self._areas_by_number.get(number)

    @cached_property  # made on first use and kept with the revision, as the dataset's lookups are
    def _areas_by_number(self) -> dict[int, AreaDef]:
        return _first_by_key((a.number, a) for a in self.areas)


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str
    year: int
    file: str | None  # the plain-text copy transcribed (internal; never shown to readers)
    pos: Pos
    url: str | None = None  # the publisher's address as the report prints it


@dataclass(frozen=True)
class SourceRef:
    report: str | None
    location: str | None
    pos: Pos


@dataclass(frozen=True)
class Fact:
    kind: str
    value: object
    year: int | None
    label: str | None
    note: str | None
    source: SourceRef | None
    pos: Pos


@dataclass(frozen=True)
class Municipality:
    slug: str
    code: str
    name: str
    county: str
    country: str
    facts: tuple[Fact, ...]
    pos: Pos


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class GoodPractice:
    slug: str
    name: str
    gold_star: bool
    description: str
    links: tuple[Link, ...]
    pos: Pos
    spans: Spans


@dataclass(frozen=True)
class CitedExample:
    municipality: str
    topic: str
    pos: Pos
    spans: Spans


@dataclass(frozen=True)
class QuestionScore:
    id: str
    points: float | None
    printed_text: str | None
    reported_max: float | None
    reported_percent: float | None
    pos: Pos
    spans: Spans


@dataclass(frozen=True)
class AreaResult:
    area: int
    printed_name: str | None
    reported_points: float | None
    reported_percent: float | None
    description: str | None
    questions: tuple[QuestionScore, ...]
    strengths: tuple[str, ...]
    improvements: tuple[str, ...]
    good_practices: tuple[GoodPractice, ...]
    cited_examples: tuple[CitedExample, ...]
    pos: Pos
    spans: Spans

    @property
    def question_sum(self) -> float | None:
        """What the question points add up to; None unless every question is scored."""
        points = [q.points for q in self.questions]
        return float(sum(points)) if points and None not in points else None  # type: ignore[arg-type]  # `None not in` rules None out, but mypy cannot narrow a list's items by it

    @property
    def points(self) -> float | None:
        """The area's points as printed, else as its questions add up."""
        return self.reported_points if self.reported_points is not None else self.question_sum


@dataclass(frozen=True)
class Discrepancy:
    text: str
    area: int | None
    question: str | None
    pos: Pos


@dataclass(frozen=True)
class Comparison:
    municipality: str
    year: int
    reported_total: float | None
    location: str | None
    pos: Pos


@dataclass(frozen=True)
class Evaluation:
    municipality: str
    year: int
    framework: str
    detail: str  # full | areas
    month: int | None
    report_date: str | None
    ordinal: int | None
    previous_years: tuple[int, ...]
    evaluators: tuple[str, ...]
    interviewees: int | None
    source: SourceRef
    summary: str | None
    reported_total: float | None
    areas: tuple[AreaResult, ...]
    compared_with: tuple[Comparison, ...]
    discrepancies: tuple[Discrepancy, ...]
    pos: Pos
    spans: Spans

    @property
    def key(self) -> str:
        return f"{self.municipality}/{self.year}"

    @property
    def is_full(self) -> bool:
        return self.detail == "full"

    def area(self, number: int) -> AreaResult | None:
        return self._areas_by_number.get(number)

    @cached_property  # made on first use and kept with the record, as the revision's lookup is
    def _areas_by_number(self) -> dict[int, AreaResult]:
        return _first_by_key((a.area, a) for a in self.areas)


@dataclass(frozen=True)
class ReferencePoint:
    area: int
    points: float
    pos: Pos


@dataclass(frozen=True)
class ReferenceSeries:
    id: str
    name: str
    statistic: str  # median | mean
    framework: str
    year: int
    source: SourceRef
    reported_total: float | None
    areas: tuple[ReferencePoint, ...]
    notes: tuple[str, ...]
    pos: Pos
    spans: Spans


@dataclass(frozen=True)
class Dataset:
    """Everything under one data folder, as loaded."""

    frameworks: tuple[Framework, ...] = ()
    municipalities: tuple[Municipality, ...] = ()
    sources: tuple[Source, ...] = ()
    evaluations: tuple[Evaluation, ...] = ()
    references: tuple[ReferenceSeries, ...] = ()
    files: tuple[str, ...] = field(default=())

    def framework(self, framework_id: str) -> Framework | None:
        return self._frameworks_by_id.get(framework_id)

    def municipality(self, slug: str) -> Municipality | None:
        return self._municipalities_by_slug.get(slug)

    def source(self, source_id: str) -> Source | None:
        return self._sources_by_id.get(source_id)

    def evaluation(self, key: str) -> Evaluation | None:
        """The evaluation `<municipality>/<year>`."""
        return self._evaluations_by_key.get(key)

    # Made on first use and kept with the dataset (which never changes): looking records up one
    # by one made validation quadratic. With a key given twice (an error the validator reports),
    # the first record wins.
    @cached_property
    def _frameworks_by_id(self) -> dict[str, Framework]:
        return _first_by_key((f.id, f) for f in self.frameworks)

    @cached_property
    def _municipalities_by_slug(self) -> dict[str, Municipality]:
        return _first_by_key((mu.slug, mu) for mu in self.municipalities)

    @cached_property
    def _sources_by_id(self) -> dict[str, Source]:
        return _first_by_key((s.id, s) for s in self.sources)

    @cached_property
    def _evaluations_by_key(self) -> dict[str, Evaluation]:
        return _first_by_key((e.key, e) for e in self.evaluations)


def _first_by_key(pairs: Iterable[tuple[K, V]]) -> dict[K, V]:
    found: dict[K, V] = {}
    for key, record in pairs:
        found.setdefault(key, record)
    return found
