"""Prose fidelity: the data says in its own words what the source reports say.

Every prose field of `evaluations/` is compared with the report its record names
(`source.report`, resolved through `_sources.yaml` to a plain-text copy in the seed
folder). A field fails when it shares a run of eight or more consecutive words with
that report, after normalising case, punctuation, whitespace and the hyphenation and
line breaks of the text extracted from PDF.

Which string fields are prose and which are exempt is decided per schema field below
(`PROSE` and `EXEMPT`); a string field that is in neither fails the classification
test, so that a new field gets a decision instead of silently going unchecked.
Short list items (strengths, improvements) of up to seven words may match the
report's own bullet lists: they are prose fields like the rest, and an item of at
most seven words cannot hold a run of eight.

The YAML is read through the project's loader (`generator.loader`), which also gives
the line of every value.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pytest

from generator import loader
from tests.conftest import DATA, ROOT

RUN = 8  # words in a row that make a copied passage

# Where the plain-text copies of the reports live: the README puts them in
# ../shared/seeds/ beside the repository; a git worktree may sit one level deeper.
SEEDS_ENV = "KOMMUNKOMPASSEN_SEEDS"
SEED_CANDIDATES = (ROOT.parent / "shared" / "seeds", ROOT.parent.parent / "shared" / "seeds")

# Schema fields, as paths with "*" for list indexes, by kind of file.
PROSE = {
    "evaluation": {
        ("summary",),
        ("areas", "*", "description"),
        ("areas", "*", "strengths", "*"),
        ("areas", "*", "improvements", "*"),
        ("areas", "*", "good_practices", "*", "description"),
        ("areas", "*", "cited_examples", "*", "topic"),
        ("discrepancies", "*", "text"),
    },
    "municipalities": {
        ("municipalities", "*", "facts", "*", "note"),
    },
    "reference": {
        ("notes", "*"),
    },
}

# Prose that sets printed wordings side by side: a discrepancy names how the report
# words a heading or question in two places. The words inside quotation marks are
# those printed wordings and are exempt; the rest of the text is checked.
QUOTING = {
    "evaluation": {
        ("discrepancies", "*", "text"),
    },
}
_QUOTED = re.compile(r'"[^"]*"|”[^”]*”|“[^”]*”|„[^“”]*[“”]|«[^»]*»')

# Exempt: they quote what the report prints, or are identifiers, names and dates.
EXEMPT = {
    "evaluation": {
        # identifiers, codes and dates
        ("municipality",): "slug of the register",
        ("framework",): "framework revision id",
        ("detail",): "enumerated value",
        ("report_date",): "date printed on the report",
        ("source", "report"): "id in _sources.yaml",
        ("areas", "*", "questions", "*", "id"): "question id",
        ("areas", "*", "good_practices", "*", "slug"): "address of the practice",
        ("areas", "*", "good_practices", "*", "links", "*", "url"): "address",
        ("areas", "*", "cited_examples", "*", "municipality"): "slug of the register",
        ("compared_with", "*", "municipality"): "slug of the register",
        ("discrepancies", "*", "question"): "question id",
        # printed headings, question texts and names, quoted on purpose
        ("evaluators", "*"): "names of the evaluators as printed",
        ("source", "location"): "printed heading or table title of the report",
        ("compared_with", "*", "location"): "printed heading or table title of the report",
        ("areas", "*", "printed_name"): "the area's title as printed",
        ("areas", "*", "questions", "*", "printed_text"): "the question text as printed",
        ("areas", "*", "good_practices", "*", "name"): "the practice's name as printed in the report",
        ("areas", "*", "good_practices", "*", "links", "*", "title"): "title of the linked page",
    },
    "municipalities": {
        ("municipalities", "*", "slug"): "slug",
        ("municipalities", "*", "code"): "municipality code",
        ("municipalities", "*", "name"): "municipality name",
        ("municipalities", "*", "county"): "county name",
        ("municipalities", "*", "country"): "country code",
        ("municipalities", "*", "facts", "*", "kind"): "enumerated value",
        ("municipalities", "*", "facts", "*", "label"): "name of a fact printed as a figure",
        ("municipalities", "*", "facts", "*", "value"): "fact printed as a figure",
        ("municipalities", "*", "facts", "*", "value", "*"): "fact printed as a figure",
        ("municipalities", "*", "facts", "*", "source", "report"): "id in _sources.yaml",
        ("municipalities", "*", "facts", "*", "source", "location"): "printed heading of the report",
    },
    "reference": {
        ("id",): "identifier",
        ("name",): "name of the series, after the row heading of the printed table",
        ("statistic",): "enumerated value",
        ("framework",): "framework revision id",
        ("source", "report"): "id in _sources.yaml",
        ("source", "location"): "printed table title of the report",
    },
    "sources": {
        ("sources", "*", "*"): "bibliographic record of a report: id, printed title, publisher, file name",
    },
    "framework": {
        ("*",): "catalogue record: id, name and label of the revision",
        ("areas", "*", "name"): "area title as printed in the framework",
        ("areas", "*", "questions", "*", "id"): "question id",
        ("areas", "*", "questions", "*", "text"): "question text as printed in the framework",
        ("areas", "*", "relations", "*", "*"): "ids and enumerated values",
    },
}


# ---------------------------------------------------------------- normalising text

_LINE_END_HYPHEN = re.compile(r"(\w)[-\u00ad\u2010\u2011][ \t]*\n(?:[ \t]*\n)*[ \t]*(?=([a-zåäöéü]+))")
_HYPHENS = re.compile(r"[-\u00ad\u2010\u2011]")
_WORD = re.compile(r"\w+")
# Swedish writes "sim- och idrottshall": a hyphen before these words ends a compound part.
_LIST_WORDS = {"och", "eller", "samt", "respektive", "resp", "till", "som"}


def _join_hyphenated_lines(text: str) -> str:
    """Undo the word division of the PDF: 'förtroende-\\nvalda' -> 'förtroendevalda'."""

    def join(match: re.Match) -> str:
        if match.group(2) in _LIST_WORDS:
            return match.group(1) + "- "
        return match.group(1)

    return _LINE_END_HYPHEN.sub(join, text)


def words(text: str) -> list[str]:
    """Lower-case words without punctuation; hyphens inside words are dropped ('e-tjänst' = 'etjänst')."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _WORD.findall(_HYPHENS.sub("", text))


def runs(sequence: list[str]) -> Iterator[tuple[str, ...]]:
    for start in range(len(sequence) - RUN + 1):
        yield tuple(sequence[start : start + RUN])


def shared_runs(field: list[str], report: frozenset) -> list[tuple[int, int]]:
    """Maximal stretches (start, end) of `field` whose every RUN-word window occurs in the report."""
    stretches: list[tuple[int, int]] = []
    for start, window in enumerate(runs(field)):
        if window in report:
            if stretches and start <= stretches[-1][1] - RUN + 1:
                stretches[-1] = (stretches[-1][0], start + RUN)
            else:
                stretches.append((start, start + RUN))
    return stretches


# ---------------------------------------------------------------- the reports


def seed_folder() -> Path:
    configured = os.environ.get(SEEDS_ENV)
    candidates = (Path(configured),) if configured else SEED_CANDIDATES
    for folder in candidates:
        if folder.is_dir():
            return folder
    pytest.fail(
        "the source reports were not found in "
        + " or ".join(str(c) for c in candidates)
        + f"; put the plain-text copies there or name their folder in {SEEDS_ENV}"
    )


@cache
def report_runs(path: Path) -> frozenset:
    text = _join_hyphenated_lines(path.read_text(encoding="utf-8"))
    return frozenset(runs(words(text)))


# ---------------------------------------------------------------- the data, through the loader


@dataclass(frozen=True)
class Field:
    document: loader.Document
    path: tuple
    text: str
    report: str | None  # id of the report it must be compared with


def _shape(path: tuple) -> tuple:
    return tuple("*" if isinstance(step, int) else step for step in path)


def _matches(shape: tuple, pattern: tuple) -> bool:
    return len(shape) == len(pattern) and all(p == "*" or p == s for s, p in zip(shape, pattern, strict=True))


def classify(kind: str, path: tuple) -> str | None:
    """'prose', 'exempt' or None when the field has not been decided on."""
    shape = _shape(path)
    if any(_matches(shape, p) for p in PROSE.get(kind, ())):
        return "prose"
    if any(_matches(shape, p) for p in EXEMPT.get(kind, ())):
        return "exempt"
    return None


def _strings(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, path + (index,))
    elif isinstance(data, str):
        yield path, data


def _report_of(document: loader.Document, path: tuple) -> str | None:
    """The report a field is traced to: the nearest `source.report` on its way from the root."""
    report = None
    data = document.data
    for step in path:
        if isinstance(data, dict) and isinstance(data.get("source"), dict):
            report = data["source"].get("report") or report
        data = data[step]
    return report


@lru_cache(maxsize=1)
def documents() -> tuple[loader.Document, ...]:
    files = loader.find_data_files(DATA)
    kinds = [(p, "framework") for p in files.frameworks] + [(p, "reference") for p in files.references]
    kinds += [(files.municipalities, "municipalities"), (files.sources, "sources")]
    kinds += [(p, "evaluation") for p in files.evaluations]
    loaded = []
    for path, kind in kinds:
        document, problems = loader.read_document(path, kind)
        assert document is not None, problems
        loaded.append(document)
    return tuple(loaded)


def fields(docs: tuple[loader.Document, ...]) -> Iterator[Field]:
    for document in docs:
        for path, text in _strings(document.data):
            yield Field(document, path, text, _report_of(document, path))


def seed_files(data_dir: Path) -> dict[str, Path]:
    dataset, _problems = loader.load_dataset(data_dir)
    folder = seed_folder()
    return {source.id: folder / source.file for source in dataset.sources if source.file}


# ---------------------------------------------------------------- the check


def _line_of_run(document: loader.Document, path: tuple, run: list[str]) -> int:
    """The line where the shared run starts: a folded field spans several lines."""
    start = document.pos(path).line
    lines = Path(document.path).read_text(encoding="utf-8").splitlines()
    tokens = [(word, number) for number in range(start, len(lines) + 1) for word in words(lines[number - 1])]
    sequence = [word for word, _ in tokens]
    for index in range(len(sequence) - len(run) + 1):
        if sequence[index : index + len(run)] == run:
            return tokens[index][1]
    return start


def copied_passages(docs: tuple[loader.Document, ...], seeds: dict[str, Path]) -> list[str]:
    findings = []
    for field in fields(docs):
        if classify(field.document.kind, field.path) != "prose":
            continue
        if field.report not in seeds:
            findings.append(f"{field.document.pos(field.path)}: the field names no report with a plain-text copy")
            continue
        pieces = [field.text]
        if any(_matches(_shape(field.path), p) for p in QUOTING.get(field.document.kind, ())):
            pieces = _QUOTED.split(field.text)  # the unquoted text between the quotations
        for piece in pieces:
            piece_words = words(piece)
            for start, end in shared_runs(piece_words, report_runs(seeds[field.report])):
                run = piece_words[start:end]
                line = _line_of_run(field.document, field.path, run)
                where = ".".join(str(step) for step in field.path)
                findings.append(
                    f"{field.document.path}:{line}: {where} shares {len(run)} words in a row with "
                    f'{seeds[field.report].name} ({field.report}): "{" ".join(run)}"'
                )
    return findings


def test_no_prose_field_copies_its_report():
    findings = copied_passages(documents(), seed_files(DATA))
    assert not findings, (
        "these fields copy a run of eight or more words from their source report; "
        "say it in your own words:\n" + "\n".join(findings)
    )


def test_every_string_field_is_decided_prose_or_exempt():
    undecided = sorted(
        {
            f"{field.document.path} ({field.document.kind}): {'.'.join(map(str, _shape(field.path)))}"
            for field in fields(documents())
            if classify(field.document.kind, field.path) is None
        }
    )
    assert not undecided, (
        "decide whether these fields are prose (PROSE) or quote the report (EXEMPT) in "
        "tests/test_prose_fidelity.py:\n" + "\n".join(undecided)
    )


def test_every_evaluation_names_a_report_with_a_copy():
    seeds = seed_files(DATA)
    missing = [
        f"{field.document.pos(field.path)}: report {field.report!r}"
        for field in fields(documents())
        if classify(field.document.kind, field.path) == "prose"
        and (field.report not in seeds or not seeds[field.report].is_file())
    ]
    assert not missing, "prose fields without a source report to compare with:\n" + "\n".join(missing)


# ---------------------------------------------------------------- the check itself


def _planted(data_copy: Path, old: str, new: str) -> tuple[list[str], Path]:
    """Findings for karlskoga/2022 after replacing `old` with `new` in a scratch copy."""
    target = data_copy / "karlskoga" / "2022.yaml"
    text = target.read_text(encoding="utf-8")
    assert text.count(old) == 1
    target.write_text(text.replace(old, new), encoding="utf-8")
    document, problems = loader.read_document(target, "evaluation")
    assert document is not None, problems
    return copied_passages((document,), seed_files(data_copy)), target


def _about(findings: list[str], where: str) -> list[str]:
    return [f for f in findings if f": {where} shares" in f]


def test_a_copied_sentence_is_found_across_the_reports_line_breaks(data_copy):
    # 002 prints "förtroende-" at the end of one line and "valdas kommunikation" on the next.
    sentence = "Övergripande förhållningssätt som ska prägla anställdas och förtroendevaldas kommunikation med varandra"
    findings, target = _planted(data_copy, "- Årlig politikerenkät", f"- {sentence}")
    line = next(n for n, text in enumerate(target.read_text(encoding="utf-8").splitlines(), 1) if sentence in text)
    found = _about(findings, "areas.0.strengths.7")
    assert found == [
        f"{loader.display_path(target)}:{line}: areas.0.strengths.7 shares 11 words in a row with "
        '002_7045bc8451646cbc.txt (skr-2022-karlskoga): "övergripande förhållningssätt som ska prägla '
        'anställdas och förtroendevaldas kommunikation med varandra"'
    ]


def test_a_copied_bullet_of_eight_words_is_found(data_copy):
    bullet = "Följ upp utfall och effekter av tidigare medborgardialoger"  # 002, a bullet of eight words
    findings, _ = _planted(data_copy, "- Årlig politikerenkät", f"- {bullet}")
    assert len(_about(findings, "areas.0.strengths.7")) == 1


def test_a_bullet_of_seven_words_may_match_the_reports_list(data_copy):
    findings, _ = _planted(data_copy, "- Årlig politikerenkät", "- Följ upp utfall och effekter av tidigare")
    assert _about(findings, "areas.0.strengths.7") == []


def test_fields_that_quote_the_report_are_exempt(data_copy):
    findings, _ = _planted(
        data_copy, "name: Eftersnack", "name: Följ upp utfall och effekter av tidigare medborgardialoger"
    )
    assert _about(findings, "areas.0.good_practices.0.name") == []
    assert classify("evaluation", ("areas", 0, "good_practices", 0, "name")) == "exempt"
    assert classify("evaluation", ("areas", 0, "good_practices", 0, "description")) == "prose"


def test_a_discrepancy_may_quote_printed_wordings_but_not_copy_around_them(data_copy):
    heading = "Nya arbetssätt och ny teknik som ökar effektivitet"  # 002, a printed heading of 4.4
    quoted, _ = _planted(data_copy, "- Årlig politikerenkät", f"- Rubriken ”{heading}”")
    assert len(_about(quoted, "areas.0.strengths.7")) == 1  # quotation marks exempt nothing outside discrepancies
    findings, _ = _planted(data_copy, "Poängrutan i kapitlet om område 6", f"Rubriken ”{heading}” och {heading}")
    found = _about(findings, "discrepancies.0.text")
    assert len(found) == 1 and found[0].endswith('"nya arbetssätt och ny teknik som ökar effektivitet"')
