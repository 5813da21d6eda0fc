"""What one build remembers for the next in the same process: the live preview.

All of it is held by one `BuildCache` that the caller makes and passes to
`build.generate` (the MkDocs hook keeps one for its process); without one, a
build starts from nothing and gives the same bytes. Nothing here changes what a
build makes, only what it makes again:

- a data file is read and checked against its schema again only if its bytes changed;
- an evaluation's own checks run again only if its record or revision is another object;
- a revision is aggregated again only if one of its inputs (its evaluations' records,
  their municipalities and reports, its reference series) is another object;
- a page is rendered again only if the fingerprint of its context changed (a page
  is a function of its template, the page texts and its context, nothing else);
  fingerprints are taken only with `next_build`, since a build that has no next one
  (`kommunkompassen build`) would only pay for them;
- a chart is drawn again only if its spec changed, an evaluation's data files are
  encoded again only if their inputs changed (`datafiles.data_files`), and a sheet
  of the workbook is made again only if its CSV changed (`workbook.workbook`); the
  data files' parts are kept only with `next_build` too;
- a file is written only if its bytes differ from what is on disk.

A build with no next one lets go of all of it (`forget`) once the docs folder is
written, but for the pages it hands MkDocs in memory, and hands the memory back, so that
MkDocs reads the pages in the memory that generation used.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from generator import aggregate as ag
from generator import model as m
from generator.problems import Problem

if TYPE_CHECKING:
    from pathlib import Path

    from generator.site import charts
    from generator.site.datafiles import EvaluationData


@dataclass(frozen=True)
class FileResult:
    """What the loader made of one file: kept while the file's bytes stay the same."""

    raw: bytes | None
    problems: tuple[Problem, ...]  # refusals and schema problems
    records: tuple  # the records built from the document (none if it was refused)


class ChartsDrawing(Protocol):
    """Charts a worker is drawing (`pages.ChartsInProgress`, which imports this module)."""

    @property
    def paths(self) -> tuple[str, ...]: ...

    def finish(self) -> dict[str, bytes]: ...


class BuildCache:
    """Everything a build remembers for the next one in the same process (see the module's text)."""

    def __init__(self, next_build: bool = True) -> None:
        self.next_build = next_build  # False: no build follows in this process, so keep only what this one reuses
        # loading and checking
        self.files: dict[tuple[str, str, str], FileResult] = {}  # (path, working folder, kind) -> what it gave
        self.edited: frozenset[str] | None = None  # the municipalities whose evaluation files alone were read anew
        self.frame: tuple | None = None  # (data folder, working folder, files found), frame dataset, its problems
        self.checked: tuple[m.Dataset, list[Problem], list[Problem]] | None = None  # the last validation
        self.own: dict[int, tuple[m.Evaluation, m.Framework | None, tuple[Problem, ...]]] = {}  # by record id
        # aggregation
        self.revisions: dict[str, tuple[ag.RevisionInputs, ag.RevisionPart]] = {}  # by revision id
        # rendering
        self.last: tuple[tuple, dict[str, bytes]] | None = None  # the files of the last build, by its inputs
        self.pages: dict[str, tuple[int, bytes]] = {}  # page path -> (fingerprint of its context, Markdown)
        self.page_inputs: dict[str, tuple] = {}  # page path -> (base, template, context's names, values, key)
        self.shape: tuple | None = None  # the pages there are and their titles, as the last build made them
        self.charts: dict[charts.Chart, tuple[charts.Chart, bytes, bytes]] = {}  # chart -> the one drawn, SVG, CSV
        self.data: dict[str, EvaluationData] = {}  # each evaluation's part of the data files, by its key
        self.sheets: dict[
            tuple[bytes, tuple[str, ...]], str
        ] = {}  # the workbook's sheets, by their CSV and column types
        self.sheet_rows: dict[tuple, str] = {}  # the XML of each row of the sheets made last, by number, types, values
        self.data_paths: frozenset[str] | None = None  # the data files the last build made
        self.data_later: tuple[ag.Portal, dict] | None = None  # what the data files left for later are made from
        self.data_docs: Path | None = None  # the docs folder they are to be written into
        self.fingerprints = Fingerprints()
        # writing
        self.written: dict[str, dict[str, tuple]] = {}  # folder -> file -> bytes, size, mtime, inode, when recorded
        self.listings: dict[
            str, dict[str, tuple[int, int, list[tuple[str, bool]]]]
        ] = {}  # folder -> subfolder -> mtime, when listed, entries
        self.drawing: tuple[ChartsDrawing, Path] | None = None  # charts a worker draws for a docs folder
        self.pages_in_memory: tuple[dict[str, bytes], Path] | None = None  # pages for MkDocs, by docs folder

    def data_memos(self) -> tuple[dict | None, dict | None, dict | None]:
        """What `datafiles.data_files` keeps for the next build (each evaluation's part, the workbook's
        sheets and rows): nothing when there is none (40 MB at 100 x 3, held until the pages are written)."""
        return (self.data, self.sheets, self.sheet_rows) if self.next_build else (None, None, None)

    def forget(self) -> None:
        """Let go of everything but the charts still being drawn and the pages MkDocs is to read: what a
        build with no next one does once its docs folder is written (the dataset, its views and the
        files took 175 MB at 100 x 3)."""
        fresh = BuildCache(self.next_build)
        fresh.drawing, fresh.pages_in_memory = self.drawing, self.pages_in_memory
        vars(self).update(vars(fresh))
        give_back_freed_memory()

    def validation(self, dataset: m.Dataset, problems: list[Problem], check: Callable) -> list[Problem]:
        """`check(dataset, own_problems)` combined with the loader's `problems`, remembered for the same inputs;
        each evaluation's own problems are remembered by the identity of its record and revision."""
        last = self.checked
        if last is not None and last[0] == dataset and last[1] == problems:
            return list(last[2])
        from generator.validate import check_evaluation_itself, combine

        own, kept = self.own, {}

        def own_problems(evaluation: m.Evaluation, framework: m.Framework | None) -> Sequence[Problem]:
            known = own.get(id(evaluation))  # the record is held here, so its id is its own
            if known is None or known[0] is not evaluation or known[1] is not framework:
                known = (evaluation, framework, tuple(check_evaluation_itself(evaluation, framework)))
            kept[id(evaluation)] = known
            return known[2]

        result = combine(problems, check(dataset, own_problems))
        self.own = kept
        self.checked = (dataset, problems, result)
        return list(result)

    def revision_part(self, inputs: ag.RevisionInputs) -> ag.RevisionPart:
        """`aggregate.aggregate_revision`, the same objects again for the same input objects: an unchanged
        revision keeps its views, whose fingerprints (see `Fingerprints`) are then known already."""
        framework = inputs[0]
        last = self.revisions.get(framework.id)
        if last is not None and _same_objects(last[0], inputs):
            return last[1]
        part = ag.aggregate_revision(inputs, last[1] if last is not None else None)
        self.revisions[framework.id] = (inputs, part)
        return part

    def page_keys(self, base: tuple, pages: list[tuple[str, str, dict]], some: bool = False) -> list[int | None]:
        """Each page's key: the fingerprint of its path, template and context with `base` (the
        templates and page texts). A page whose context holds the same objects as last time (lists
        and dictionaries of the same objects) keeps its key without a walk through them: records
        and views never change once made, which `Fingerprints` relies on too. With `some` (a few
        pages made first, see `pages.render_edited_first`), the other pages' inputs stay known."""
        kept = self.page_inputs
        now: dict[str, tuple] = dict(kept) if some else {}
        keys: list[int | None] = []
        for path, template, context in pages:
            names, values = tuple(context), tuple(context.values())
            last = kept.get(path)
            if (
                last is not None
                and last[0] == base
                and last[1] == template
                and last[2] == names
                and all(map(_same, last[3], values))
            ):
                key = last[4]
            else:
                key = hash((base, self.fingerprints((path, template, context))))
            now[path] = (base, template, names, values, key)
            keys.append(key)
        self.page_inputs = now
        return keys


def _same(old: object, new: object) -> bool:
    """The same object, or a list, tuple or dictionary of the same objects (and equal plain values)."""
    if old is new:
        return True
    if type(old) is not type(new):
        return False
    if isinstance(old, list | tuple) and isinstance(new, list | tuple):
        return len(old) == len(new) and all(map(_same_plain, old, new))
    if isinstance(old, dict) and isinstance(new, dict):
        return list(old) == list(new) and all(map(_same_plain, old.values(), new.values()))
    return _same_plain(old, new)


def _same_plain(old: object, new: object) -> bool:
    """The same object, an equal string, whole number, float or boolean, or a record of the same kind whose
    fields are each the same by this rule. So a small record made anew for every build (the
    `EvaluationRef` of each evaluation a page names, the `PracticeView` of each good practice) is
    the same as last time's when it holds the same: at 290 x 3, three of four pages a save gave new
    objects were such, and fingerprinting them took most of the edit's 0.9 s of page keys."""
    if old is new:
        return True
    kind = type(new)
    if type(old) is not kind:
        return False
    if kind is str or kind is int or kind is bool:
        return old == new
    if kind is float:  # a total or a mean: equal, and 0.0 and -0.0 apart as in `_plain_hash` (NaN is never the same)
        return old == new and math.copysign(1.0, old) == math.copysign(1.0, new)  # type: ignore[arg-type]  # both are floats here: `kind` is the type of each
    fields = _record_fields(kind)  # type: ignore[arg-type]  # a type is hashable; typeshed's cache wants Hashable
    return fields is not None and all(map(_same_plain, fields(old), fields(new)))


@functools.cache  # a pure function of the type: which fields a page may show
def _record_fields(kind: type) -> Callable[[object], tuple] | None:
    """The fields of a frozen dataclass other than where it is in its file, as a tuple; None for any
    other type."""
    if not (dataclasses.is_dataclass(kind) and kind.__dataclass_params__.frozen):  # type: ignore[attr-defined]  # every dataclass has it; typeshed does not declare it
        return None
    names = [f.name for f in dataclasses.fields(kind) if f.name not in _POSITION_FIELDS]
    if len(names) > 1:
        return operator.attrgetter(*names)
    only = names[0]
    return lambda value: (getattr(value, only),)


def _same_objects(old: ag.RevisionInputs, new: ag.RevisionInputs) -> bool:
    if old[0] is not new[0]:
        return False
    return all(
        len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=False))
        for a, b in zip(old[1:], new[1:], strict=False)
    )


# ---------------------------------------------------------------- fingerprints


def _plain_hash(value: object, kind: type) -> int | None:
    """The hash of a string, number, boolean or None (0.0 and -0.0 apart); None for anything else."""
    if kind is str:
        return hash(value)
    if kind is int or kind is bool or value is None:
        return hash((kind, value))
    if kind is float:
        return hash((float, value, math.copysign(1.0, value) if value == 0 else 0.0))
    return None


# Fields that say where a record is in its YAML file, for the validator's messages: no page shows them,
# and leaving them out keeps a record whose lines moved (a line added above it) the same.
_POSITION_FIELDS = frozenset({"pos", "spans"})


class Fingerprints:
    """A structural hash of plain values and frozen records: equal values give equal fingerprints.

    Tuples, frozen dataclass instances and frozensets cannot change, so each is
    hashed once; the last build's are kept by identity (with the object, so the
    id stays its own), and records the loader kept from an unchanged file are
    not walked again. Lists and dictionaries are hashed anew every time.
    """

    def __init__(self) -> None:
        self._last: dict[int, tuple[object, int]] = {}
        self._now: dict[int, tuple[object, int]] = {}

    def start(self) -> None:
        """A new build: what the last one hashed stays known for as long as this one uses it."""
        self._last, self._now = self._now or self._last, {}

    def __call__(self, value: object) -> int:
        kind = type(value)
        plain = _plain_hash(value, kind)
        if plain is not None:
            return plain
        if kind is list and isinstance(value, list):
            return hash((list, self._parts(value)))
        if kind is dict and isinstance(value, dict):
            return hash((dict, self._parts([x for item in value.items() for x in item])))
        key = id(value)
        hit = self._now.get(key)
        if hit is None:
            hit = self._last.get(key)
            if hit is not None and hit[0] is value:
                self._now[key] = hit
        if hit is not None and hit[0] is value:
            return hit[1]
        if isinstance(value, tuple) and kind is tuple:
            result = hash((kind, self._parts(value)))
        elif isinstance(value, frozenset):
            result = hash((kind, tuple(sorted(self(item) for item in value))))
        else:
            result = hash((kind, self._parts(self._getter(kind)(value))))
        self._now[key] = (value, result)
        return result

    def _parts(self, parts: Sequence[object]) -> tuple[int, ...]:
        """The fingerprints of the parts of a value; strings, whole numbers and values hashed this build
        are done here, for speed (most parts are one of these)."""
        out = []
        now = self._now
        for part in parts:
            kind = type(part)
            if kind is str:
                out.append(hash(part))
            elif kind is int or kind is bool or part is None:
                out.append(hash((kind, part)))
            else:
                hit = now.get(id(part))
                out.append(hit[1] if hit is not None and hit[0] is part else self(part))
        return tuple(out)

    def _getter(self, kind: type) -> Callable[[object], tuple]:
        """The fields of a frozen dataclass that a page may show, as a tuple."""
        getter = _record_fields(kind)
        if getter is None:
            raise TypeError(f"a page's context holds a {kind.__name__}: only plain values and frozen records")
        return getter


def give_back_freed_memory() -> None:
    """Hand the C library's freed memory back to the system, where it can (glibc). Python's objects
    are freed into the C library's lists, scattered among the few that live on, and the pages MkDocs
    then makes did not fit into those gaps: without this, MkDocs' peak came on top of what
    generation had freed (30 MB at 290 x 3)."""
    import ctypes

    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the interpreter runs on
    except (OSError, AttributeError):  # one without it: nothing to do
        return
    trim(0)
