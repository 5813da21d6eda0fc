"""Open data: CSV and JSON exports, a Frictionless data package, schemas and licence."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from generator import aggregate as ag
from generator import model as m
from generator.schema import KINDS, SCHEMA_DIR
from generator.site import urls, workbook
from generator.site.workbook import spreadsheet_safe

LICENSE_NAME = "CC-BY-4.0"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Frictionless field type
    description: str


@dataclass(frozen=True)
class DataFile:
    name: str  # file name in data/
    title_key: str  # key in the locale's `data` section
    columns: tuple[Column, ...]


# Every column with its type and what it holds, in Swedish: the data page, the workbook's
# "kolumner" sheet and datapackage.json all read these descriptions.
_BASE = (
    Column("municipality_code", "string", "kommunkod (SCB:s kommunkod; SSB:s kommunnummer för norska kommuner)"),
    Column("municipality", "string", "kommunens namn"),
    Column("municipality_slug", "string", "kommunens namn i webbadresserna, till exempel karlskoga"),
    Column("year", "integer", "året då utvärderingen gjordes"),
    Column("framework", "string", "revisionen av Kommunkompassen som utvärderingen följer: 2002, 2010 eller 2020"),
    Column(
        "framework_name", "string", "revisionens namn, samma som på webbplatsen, till exempel Kommunkompassen 2019/2020"
    ),
)
EVALUATIONS = DataFile(
    "evaluations.csv",
    "file_evaluations",
    _BASE
    + (
        Column(
            "total_points",
            "number",
            "totalpoäng (högst 800): den som rapporten trycker, annars summan av områdena; samma siffra som webbplatsen visar och rangordnar efter",
        ),
        Column(
            "reported_total_points",
            "number",
            "totalpoängen som den är tryckt i rapporten; tom om rapporten inte trycker någon",
        ),
        Column("area_sum_points", "number", "summan av de åtta områdenas poäng (tryckta, annars delfrågornas summa)"),
        Column("question_sum_points", "number", "summan av alla delfrågors poäng; bara för fullständiga utvärderingar"),
        Column(
            "detail", "string", "full: varje delfråga har poäng; areas: bara områdespoäng, citerade i en annan rapport"
        ),
        Column(
            "rank_in_framework",
            "integer",
            "placering efter totalpoäng bland utvärderingarna av samma revision på webbplatsen; tom när de är färre än tre",
        ),
        Column("evaluations_in_framework", "integer", "hur många utvärderingar av samma revision webbplatsen har"),
        Column("source", "string", "källrapportens id på webbplatsen"),
        Column("source_title", "string", "källrapportens titel"),
        Column("source_publisher", "string", "källrapportens utgivare"),
        Column("source_year", "integer", "källrapportens utgivningsår"),
    ),
)
AREAS = DataFile(
    "area_scores.csv",
    "file_areas",
    _BASE
    + (
        Column("area", "integer", "områdets nummer, 1–8"),
        Column("area_name", "string", "områdets namn i revisionens frågekatalog"),
        Column("points", "number", "områdets poäng: som de är tryckta, annars delfrågornas summa"),
        Column("max_points", "number", "områdets maxpoäng"),
        Column("reported_points", "number", "områdets poäng som de är tryckta i rapporten"),
        Column("question_sum", "number", "summan av delfrågornas poäng"),
    ),
)
QUESTIONS = DataFile(
    "question_scores.csv",
    "file_questions",
    _BASE
    + (
        Column("area", "integer", "områdets nummer, 1–8"),
        Column("question", "string", "delfrågans nummer, till exempel 1.2"),
        Column("question_text", "string", "delfrågan som den står i revisionens frågekatalog"),
        Column("points", "number", "delfrågans poäng som de är tryckta"),
        Column("max_points", "number", "delfrågans maxpoäng"),
        Column("reported_percent", "number", "procentsatsen som den är tryckt i rapporten, om den trycks"),
    ),
)
PRACTICES = DataFile(
    "good_practices.csv",
    "file_practices",
    _BASE
    + (
        Column("area", "integer", "områdets nummer, 1–8"),
        Column("slug", "string", "det goda exemplets namn i webbadresserna"),
        Column("name", "string", "det goda exemplets namn"),
        Column("gold_star", "boolean", "true om rapporten ger exemplet en guldstjärna, annars false"),
        Column("description", "string", "beskrivning med webbplatsens egna ord"),
    ),
)
CSV_FILES = (EVALUATIONS, AREAS, QUESTIONS, PRACTICES)
JSON_FILE = "kommunkompassen.json"
PACKAGE_FILE = "datapackage.json"
LICENSE_FILE = "LICENSE.txt"
WORKBOOK_FILE = "kommunkompassen.xlsx"


def release() -> tuple[str | None, str | None]:
    """The dataset's version and date: the commit the site is built from and its date (from
    SOURCE_DATE_EPOCH, which the build sets from the commit), never the clock. The build sets
    both from the portal's repository (SOURCE_COMMIT too); otherwise git is asked in the
    working folder, the portal's when MkDocs is run there."""
    root = Path.cwd()
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or git_output(root, "log", "-1", "--format=%ct")
    date = datetime.fromtimestamp(int(epoch), timezone.utc).date().isoformat() if epoch and epoch.isdigit() else None
    version = os.environ.get("SOURCE_COMMIT") or git_output(root, "rev-parse", "--short=10", "HEAD")
    return version, date


def git_output(root: Path, *arguments: str) -> str | None:
    """What `git ARGUMENTS` prints in `root`, or None where git or the repository is missing."""
    try:
        result = subprocess.run(["git", *arguments], cwd=root, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return result.stdout.strip() or None


def listing(t: dict) -> list[tuple[str, str]]:
    """The files of the data page with their descriptions, in order."""
    files = [(f.name, t["data"][f.title_key]) for f in CSV_FILES]
    files += [
        (WORKBOOK_FILE, t["data"]["file_workbook"]),
        (JSON_FILE, t["data"]["file_json"]),
        (PACKAGE_FILE, t["data"]["file_package"]),
    ]
    return files


def data_files(
    portal: ag.Portal,
    t: dict,
    kept: dict[str, EvaluationData] | None = None,
    sheets: dict[tuple[bytes, tuple[str, ...]], str] | None = None,
    sheet_rows: dict[tuple, str] | None = None,
) -> dict[str, bytes]:
    """Every file of data/ and each evaluation's own files beside its page.

    With `kept` (a dictionary the caller keeps between builds in one process), an
    evaluation whose inputs are the same objects as last time reuses what it
    contributed then, so that after an edit only the edited evaluation's data is
    encoded again; `kept` is left holding this build's contributions. `sheets` and `sheet_rows`
    are the workbook's (see `workbook.workbook`).
    """
    return {
        path: content
        for batch in data_file_batches(portal, t, kept, sheets, sheet_rows)
        for path, content in batch.items()
    }


def data_file_batches(
    portal: ag.Portal,
    t: dict,
    kept: dict[str, EvaluationData] | None = None,
    sheets: dict[tuple[bytes, tuple[str, ...]], str] | None = None,
    sheet_rows: dict[tuple, str] | None = None,
) -> Iterator[dict[str, bytes]]:
    """`data_files` as it is made: each evaluation's own files, then data/. Without `kept`, an
    evaluation's own files are let go once handed out, so that a caller writing each batch as it
    comes need not hold them all (22 MB at 290 x 3)."""
    earlier = {} if kept is None else kept
    parts = {}
    for view in portal.evaluations:
        part = _evaluation_data(view, earlier.get(view.key))
        yield dict(part.files)
        parts[view.key] = part if kept is not None else replace(part, files=())
    if kept is not None:
        kept.clear()
        kept.update(parts)
    tables = {
        EVALUATIONS: _csv_header(EVALUATIONS) + b"".join(p.evaluation_row for p in parts.values()),
        AREAS: _csv_header(AREAS) + b"".join(p.area_rows for p in parts.values()),
        QUESTIONS: _csv_header(QUESTIONS) + b"".join(p.question_rows for p in parts.values()),
        PRACTICES: _csv_header(PRACTICES) + _practice_lines(portal, parts.values()),
    }
    files = {
        **{urls.data_file(spec.name): content for spec, content in tables.items()},
        urls.data_file(WORKBOOK_FILE): workbook.workbook(tables, t, sheets, sheet_rows),
        urls.data_file(JSON_FILE): _everything_json(portal, [p.json for p in parts.values()]),
        urls.data_file(PACKAGE_FILE): _json(_package()),
        urls.data_file(LICENSE_FILE): t["data"]["licence_text"].encode("utf-8"),
    }
    for kind in KINDS:
        name = f"{kind}.schema.json"
        files[urls.data_file(f"schemas/{name}")] = (SCHEMA_DIR / name).read_bytes()
    parts.clear()  # made into the files (and kept, if asked): not held while they are written
    yield files


def data_file_paths(portal: ag.Portal) -> frozenset[str]:
    """The paths `data_files` makes, without making them: a build whose data files a worker makes
    names them to MkDocs before they are there."""
    paths = {urls.beside(urls.evaluation(view.slug, view.year), name) for view in portal.evaluations for name in _OWN}
    paths.update(urls.data_file(spec.name) for spec in CSV_FILES)
    paths.update(urls.data_file(name) for name in (WORKBOOK_FILE, JSON_FILE, PACKAGE_FILE, LICENSE_FILE))
    paths.update(urls.data_file(f"schemas/{kind}.schema.json") for kind in KINDS)
    return frozenset(paths)


@dataclass(frozen=True)
class EvaluationData:
    """What one evaluation contributes to the data files, with the inputs it was made from.

    The inputs are the view's records, its rank and the size of its revision (its
    area rows and total are made from the evaluation and the revision alone). The
    records are held here, so comparing them by identity with the next build's is
    sound; an unchanged file keeps its record objects (see `build.load_data`).
    """

    evaluation: m.Evaluation
    municipality: m.Municipality
    framework: m.Framework
    source: m.Source | None
    rank: int | None
    rank_of: int
    files: tuple[tuple[str, bytes], ...]  # poang.csv and utvardering.json beside its page
    evaluation_row: bytes  # its line of evaluations.csv
    area_rows: bytes  # its lines of area_scores.csv
    question_rows: bytes  # its lines of question_scores.csv
    practice_rows: tuple[tuple[m.GoodPractice, bytes], ...]  # its lines of good_practices.csv, by practice
    json: bytes  # its entry in kommunkompassen.json

    def made_from(self, view: ag.EvaluationView) -> bool:
        return (
            self.evaluation is view.evaluation
            and self.municipality is view.municipality
            and self.framework is view.framework
            and self.source is view.source
            and self.rank == view.rank
            and self.rank_of == view.rank_of
        )


def _evaluation_data(view: ag.EvaluationView, earlier: EvaluationData | None) -> EvaluationData:
    if earlier is not None and earlier.made_from(view):
        return earlier
    entry = _evaluation_json(view)  # its own file and its entry in kommunkompassen.json
    return EvaluationData(
        view.evaluation,
        view.municipality,
        view.framework,
        view.source,
        view.rank,
        view.rank_of,
        files=tuple(evaluation_files(view, entry).items()),
        evaluation_row=_csv_rows(_evaluation_rows(view)),
        area_rows=_csv_rows(_area_rows(view)),
        question_rows=_csv_rows(_question_rows(view)),
        practice_rows=tuple((practice, _csv_rows([row])) for practice, row in _practice_rows(view)),
        json=_compact(entry),
    )


EVALUATION_CSV = urls.EVALUATION_CSV
EVALUATION_JSON = urls.EVALUATION_JSON
_OWN = (EVALUATION_CSV, EVALUATION_JSON)  # each evaluation's own files, beside its page


def evaluation_files(view: ag.EvaluationView, entry: dict | None = None) -> dict[str, bytes]:
    """One evaluation's own data beside its page: area and question scores, and everything as JSON
    (`entry`, its `_evaluation_json`, when already made)."""
    spec = DataFile(
        EVALUATION_CSV,
        "",
        (
            Column("area", "integer", ""),
            Column("question", "string", ""),
            Column("text", "string", ""),
            Column("points", "number", ""),
            Column("max_points", "number", ""),
            Column("reported_points", "number", ""),
        ),
    )
    rows = []
    for row in view.areas:
        rows.append(
            (row.definition.number, "", row.definition.name, row.points, row.definition.max_points, row.printed)
        )
        for question in row.questions:
            rows.append(
                (
                    row.definition.number,
                    question.definition.id,
                    question.definition.text,
                    question.points,
                    question.definition.max_points,
                    None,
                )
            )
    page = urls.evaluation(view.slug, view.year)
    return {
        urls.beside(page, EVALUATION_CSV): _csv(spec, rows),
        urls.beside(page, EVALUATION_JSON): _json(_evaluation_json(view) if entry is None else entry),
    }


def _base(view: ag.EvaluationView) -> tuple:
    mu = view.municipality
    return (mu.code, mu.name, mu.slug, view.year, view.framework.id, view.framework.name)


def _evaluation_rows(view: ag.EvaluationView) -> Iterable[tuple]:
    source = view.source
    yield _base(view) + (
        view.total,
        view.evaluation.reported_total,
        view.area_sum,
        view.question_sum,
        view.evaluation.detail,
        view.rank,
        view.rank_of,
        view.evaluation.source.report,
        source.title if source else None,
        source.publisher if source else None,
        source.year if source else None,
    )


def _area_rows(view: ag.EvaluationView) -> Iterable[tuple]:
    for row in view.areas:
        yield _base(view) + (
            row.definition.number,
            row.definition.name,
            row.points,
            row.definition.max_points,
            row.printed,
            row.question_sum,
        )


def _question_rows(view: ag.EvaluationView) -> Iterable[tuple]:
    for row in view.areas:
        for question in row.questions:
            score = question.score
            yield _base(view) + (
                row.definition.number,
                question.definition.id,
                question.definition.text,
                question.points,
                question.definition.max_points,
                score.reported_percent if score else None,
            )


def _practice_rows(view: ag.EvaluationView) -> Iterable[tuple[m.GoodPractice, tuple]]:
    for row in view.areas:
        for p in row.result.good_practices if row.result else ():
            yield p, _base(view) + (row.definition.number, p.slug, p.name, p.gold_star, p.description)


def _practice_lines(portal: ag.Portal, parts: Iterable[EvaluationData]) -> bytes:
    """The lines of good_practices.csv, in the portal's order of practices (by name)."""
    lines = {id(practice): line for part in parts for practice, line in part.practice_rows}
    return b"".join(lines[id(item.practice)] for item in portal.practices)


def _csv(spec: DataFile, rows: Iterable[tuple]) -> bytes:
    return _csv_header(spec) + _csv_rows(rows)


def _csv_header(spec: DataFile) -> bytes:
    return _csv_rows([tuple(c.name for c in spec.columns)])


def _csv_rows(rows: Iterable[tuple]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def _cell(value: object) -> object:
    if type(value) is str and "\r" not in value and not value.startswith(_NEVER_PLAIN):
        return value  # what spreadsheet_safe leaves as it is, known without it (280,000 cells at 100 x 3)
    if type(value) is int:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return spreadsheet_safe(value)


_NEVER_PLAIN = ("'", *workbook.FORMULA_START)  # a text cell starting so may get a quote in front


def _json(data: object) -> bytes:
    """`json.dumps(data, ensure_ascii=False, indent=1)` and a line break: indented, Python's JSON
    encoder runs in Python (it took a third of making the data files); `_indented` writes the
    same text in one pass, and anything it does not know goes to json.dumps."""
    parts: list[str] = []
    try:
        _indented(data, "\n", parts)
        text = "".join(parts)
    except TypeError:
        text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False)
    return (text + "\n").encode("utf-8")


_encode_string = json.encoder.encode_basestring  # what json.dumps writes a string with when ensure_ascii=False


def _indented(value: object, newline: str, parts: list[str]) -> None:
    """`value` as json.dumps(indent=1) writes it, `newline` being a line break and the indentation
    of the value's own line; TypeError for anything but str, int, float, bool, None, list, tuple
    and dict with text keys (str and int subclasses too, which json.dumps writes its own way)."""
    if type(value) is str:
        parts.append(_encode_string(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif type(value) is int:
        parts.append(int.__repr__(value))
    elif type(value) is float:
        parts.append(_float_text(value))
    elif type(value) is dict:
        if not value:
            parts.append("{}")
            return
        inner = newline + " "
        separator = "{" + inner
        for key, item in value.items():
            if type(key) is not str:
                raise TypeError(key)
            parts.append(separator)
            parts.append(_encode_string(key))
            parts.append(": ")
            _indented(item, inner, parts)
            separator = "," + inner
        parts.append(newline + "}")
    elif type(value) is list or type(value) is tuple:
        if not value:
            parts.append("[]")
            return
        inner = newline + " "
        separator = "[" + inner
        for item in value:
            parts.append(separator)
            _indented(item, inner, parts)
            separator = "," + inner
        parts.append(newline + "]")
    else:
        raise TypeError(type(value))


def _float_text(number: float) -> str:
    if number != number:
        return "NaN"
    if number in (float("inf"), float("-inf")):
        return "Infinity" if number > 0 else "-Infinity"
    return float.__repr__(number)


def _compact(data: object) -> bytes:
    """JSON without indentation or spaces: Python's C encoder, several times faster than indenting for 20 MB."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _package() -> dict:
    resources = [
        {
            "name": spec.name.removesuffix(".csv").replace("_", "-"),
            "path": spec.name,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": {
                "fields": [{"name": c.name, "type": c.type, "description": c.description} for c in spec.columns]
            },
        }
        for spec in CSV_FILES
    ]
    resources.append({"name": "kommunkompassen", "path": JSON_FILE, "format": "json", "mediatype": "application/json"})
    return {
        "name": "kommunkompassen-open-results",
        "title": "Kommunkompassen – öppna resultat",
        "licenses": [
            {
                "name": LICENSE_NAME,
                "path": "https://creativecommons.org/licenses/by/4.0/",
                "title": "Creative Commons Attribution 4.0",
            }
        ],
        "resources": resources,
    }


def everything(portal: ag.Portal) -> dict:
    """The whole dataset as plain JSON: registers, catalogue, evaluations with texts (kommunkompassen.json)."""
    return {**_registers(portal.dataset), "evaluations": [_evaluation_json(view) for view in portal.evaluations]}


def _everything_json(portal: ag.Portal, entries: list[bytes]) -> bytes:
    """`everything(portal)` as compact JSON, from each evaluation's entry encoded already."""
    registers = _compact(_registers(portal.dataset))
    pieces = [registers[:-1], b',"evaluations":[']
    for number, entry in enumerate(entries):
        pieces += (b",", entry) if number else (entry,)
    pieces.append(b"]}\n")
    return b"".join(pieces)  # one join: the entries joined first, then again, took 17 MB more at 290 x 3


def _registers(d: m.Dataset) -> dict:
    return {
        "sources": [
            {"id": s.id, "title": s.title, "publisher": s.publisher, "year": s.year, "url": s.url} for s in d.sources
        ],
        "municipalities": [
            {
                "slug": mu.slug,
                "code": mu.code,
                "name": mu.name,
                "county": mu.county,
                "country": mu.country,
                "facts": [
                    {
                        "kind": f.kind,
                        "label": f.label,
                        "value": f.value,
                        "year": f.year,
                        "note": f.note,
                        "source": _ref(f.source),
                    }
                    for f in mu.facts
                ],
            }
            for mu in d.municipalities
        ],
        "frameworks": [
            {
                "id": f.id,
                "name": f.name,
                "label": f.label,
                "first_year": f.first_year,
                "last_year": f.last_year,
                "max_points": f.max_points,
                "areas": [
                    {
                        "number": a.number,
                        "name": a.name,
                        "max_points": a.max_points,
                        "relations": [
                            {"framework": r.framework, "area": r.area, "relation": r.relation} for r in a.relations
                        ],
                        "questions": [{"id": q.id, "text": q.text, "max_points": q.max_points} for q in a.questions],
                    }
                    for a in f.areas
                ],
            }
            for f in d.frameworks
        ],
        "references": [
            {
                "id": r.id,
                "name": r.name,
                "statistic": r.statistic,
                "framework": r.framework,
                "year": r.year,
                "source": _ref(r.source),
                "reported_total": r.reported_total,
                "areas": [{"area": p.area, "points": p.points} for p in r.areas],
                "notes": list(r.notes),
            }
            for r in d.references
        ],
    }


def _ref(ref) -> dict | None:
    return None if ref is None else {"report": ref.report, "location": ref.location}


def _evaluation_json(view: ag.EvaluationView) -> dict:
    e = view.evaluation
    return {
        "municipality": e.municipality,
        "municipality_code": view.municipality.code,
        "year": e.year,
        "framework": e.framework,
        "detail": e.detail,
        "month": e.month,
        "report_date": e.report_date,
        "ordinal": e.ordinal,
        "previous_years": list(e.previous_years),
        "evaluators": list(e.evaluators),
        "interviewees": e.interviewees,
        "source": _ref(e.source),
        "summary": e.summary,
        "framework_name": view.framework.name,
        "total_points": view.total,
        "reported_total_points": e.reported_total,
        "area_sum_points": view.area_sum,
        "question_sum_points": view.question_sum,
        "rank_in_framework": view.rank,
        "areas": [
            {
                "area": row.definition.number,
                "name": row.definition.name,
                "printed_name": row.result.printed_name if row.result else None,
                "points": row.points,
                "reported_points": row.printed,
                "question_sum": row.question_sum,
                "max_points": row.definition.max_points,
                "description": row.result.description if row.result else None,
                "questions": [
                    {
                        "id": q.definition.id,
                        "points": q.points,
                        "max_points": q.definition.max_points,
                        "printed_text": q.score.printed_text if q.score else None,
                        "reported_percent": q.score.reported_percent if q.score else None,
                    }
                    for q in row.questions
                ],
                "strengths": list(row.result.strengths) if row.result else [],
                "improvements": list(row.result.improvements) if row.result else [],
                "good_practices": [
                    {
                        "slug": p.slug,
                        "name": p.name,
                        "gold_star": p.gold_star,
                        "description": p.description,
                        "links": [{"title": link.title, "url": link.url} for link in p.links],
                    }
                    for p in (row.result.good_practices if row.result else ())
                ],
                "cited_examples": [
                    {"municipality": c.municipality, "topic": c.topic}
                    for c in (row.result.cited_examples if row.result else ())
                ],
            }
            for row in view.areas
        ],
        "compared_with": [
            {"municipality": c.municipality, "year": c.year, "reported_total": c.reported_total, "location": c.location}
            for c in e.compared_with
        ],
        "discrepancies": [{"area": x.area, "question": x.question, "text": x.text} for x in e.discrepancies],
    }
