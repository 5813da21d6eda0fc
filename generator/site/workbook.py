"""The dataset as an Excel workbook (.xlsx), written with the standard library's zipfile.

One sheet per CSV file with the same rows, numbers stored as numbers, and a sheet
("kolumner") describing every column in Swedish. The bytes depend on the tables
only: every zip entry has the same fixed timestamp and the document properties
name no author and no date, so two builds of the same data give the same file.
A workbook needs only a handful of XML parts; writing them here avoids a
dependency whose output would have to be pinned instead.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache
from itertools import chain, islice
from typing import Protocol, TypeVar
from xml.sax.saxutils import escape

# 1980-01-01, the earliest time a zip entry can carry: the same in every build.
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
# Characters XML 1.0 cannot hold at all.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MARKUP_OR_ILLEGAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # what escape or _ILLEGAL change
DESCRIPTION_SHEET = "kolumner"
KEPT_SHEETS = 16  # sheets remembered between builds (see `workbook`): four data files, a few versions of each


class Column(Protocol):
    """A column of a table as the "kolumner" sheet describes it (generator.site.datafiles.Column)."""

    @property
    def name(self) -> str: ...
    @property
    def type(self) -> str: ...  # Frictionless field type
    @property
    def description(self) -> str: ...


class Table(Protocol):
    """What the workbook needs to know of a data file (generator.site.datafiles.DataFile)."""

    @property
    def name(self) -> str: ...
    @property
    def columns(self) -> Sequence[Column]: ...


AnyTable = TypeVar(
    "AnyTable", bound=Table
)  # a Mapping's key type is invariant: dict[DataFile, bytes] is no Mapping[Table, bytes]


def workbook(
    tables: Mapping[AnyTable, bytes],
    t: dict,
    kept: dict[tuple[bytes, tuple[str, ...]], str] | None = None,
    kept_rows: dict[tuple, str] | None = None,
) -> bytes:
    """The workbook of `tables` (each data file's spec and its CSV bytes).

    With `kept` (a dictionary the caller keeps between builds in one process), a sheet whose CSV
    bytes are those of one of the last builds is not made again (a whole workbook took a second at
    100 x 3); `kept` holds the `KEPT_SHEETS` sheets used last, so that undoing an edit finds them too.
    With `kept_rows` (another), a sheet made again reuses the XML of every row whose place and
    values are those of the last build: an edited question's points change one row of three sheets,
    and making those sheets whole took 1.5 s of the edit at 100 x 3."""
    rows_before = {} if kept_rows is None else dict(kept_rows)
    rows_now: dict[tuple, str] | None = None if kept_rows is None else {}
    keys = [(content, tuple(column.type for column in spec.columns)) for spec, content in tables.items()]

    def sheets() -> Iterator[Iterable[str]]:
        """Each sheet's XML in turn, in pieces: a build with nothing to keep holds one row at a time
        (a whole sheet of question scores and its rows took 45 MB at 100 x 3)."""
        for key in keys:
            if kept is None:
                yield _data_sheet(*key, rows_before, rows_now)
                continue
            xml = kept.pop(key) if key in kept else "".join(_data_sheet(*key, rows_before, rows_now))
            kept[key] = xml  # the last used at the end
            yield (xml,)
        yield (_description_sheet(tables, t["data"]),)

    made = _package([*(_sheet_name(spec.name) for spec in tables), DESCRIPTION_SHEET], sheets())
    if kept is not None:
        for key in list(kept)[: max(0, len(kept) - KEPT_SHEETS)]:
            del kept[key]
    if kept_rows is not None and rows_now:  # the rows of the sheets made this time (none: all were kept)
        kept_rows.clear()
        kept_rows.update(rows_now)
    return made


def _description_sheet(tables: Iterable[Table], words: dict) -> str:
    """The sheet describing every column of every data file."""
    described: list[list[object]] = [
        [words["column_file"], words["column_name"], words["column_type"], words["column_description"]]
    ]
    for spec in tables:
        for column in spec.columns:
            described.append([spec.name, column.name, words["types"][column.type], column.description])
    return _sheet_xml(described)


def read_sheets(data: bytes) -> dict[str, list[list[object]]]:
    """The sheets of a workbook written by `workbook`, as rows of values (for tests and checks)."""
    from xml.etree import ElementTree as ET

    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    }
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        book = ET.fromstring(archive.read("xl/workbook.xml"))
        result: dict[str, list[list[object]]] = {}
        for index, sheet in enumerate(book.iterfind("m:sheets/m:sheet", ns), start=1):
            root = ET.fromstring(archive.read(f"xl/worksheets/sheet{index}.xml"))
            rows = []
            for row in root.iter(f"{{{ns['m']}}}row"):
                values: list[object] = []
                for cell in row:
                    column = _column_index(cell.get("r", ""))
                    values.extend([None] * (column - len(values)))  # empty cells are not written
                    kind = cell.get("t")
                    if kind == "inlineStr":
                        values.append("".join(x.text or "" for x in cell.iter(f"{{{ns['m']}}}t")))
                    elif kind == "b":
                        values.append(cell.findtext("m:v", namespaces=ns) == "1")
                    else:
                        text = cell.findtext("m:v", namespaces=ns)
                        values.append(None if text is None else float(text))
                rows.append(values)
            result[sheet.get("name", "")] = rows
    return result


def _data_sheet(
    content: bytes, types: tuple[str, ...], rows_before: dict[tuple, str], rows_now: dict[tuple, str] | None
) -> Iterator[str]:
    """A CSV file's sheet, a row at a time. A row's XML depends on its number, its values and their
    types alone, so it is taken from `rows_before` when there; `rows_now` (if kept for a next build)
    receives every row made or taken."""
    rows = csv.reader(io.TextIOWrapper(io.BytesIO(content), encoding="utf-8", newline=""))
    yield _SHEET_START
    yield _row_xml(1, [*next(rows)], header=True)
    for number, row in enumerate(rows, start=2):
        key = (number, types, *row)
        xml = rows_before.get(key)
        if xml is None:
            xml = _row_xml(number, [_typed(value, kind) for value, kind in zip(row, types, strict=True)])
        if rows_now is not None:
            rows_now[key] = xml
        yield xml
    yield _SHEET_END


def _typed(value: str, kind: str) -> object:
    if value == "":
        return None
    if kind in ("number", "integer"):
        number = float(value)
        return int(number) if number.is_integer() else number
    if kind == "boolean":
        return value == "true"
    return spreadsheet_text(value)  # an inline string is never a formula: no quote in front


def _sheet_name(file_name: str) -> str:
    return file_name.rsplit(".", 1)[0][:31]


def _column_index(ref: str) -> int:
    """0 for A1, 1 for B7, 26 for AA3."""
    index = 0
    for letter in re.match(r"[A-Z]*", ref).group(0):  # type: ignore[union-attr]  # [A-Z]* matches every text, if only emptily
        index = index * 26 + ord(letter) - 64
    return index - 1


@cache  # a pure function of a small number: the letters of a column, asked for every cell
def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(ref: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    text = str(value)
    if _MARKUP_OR_ILLEGAL.search(text):  # most text needs neither: one search instead of four passes
        text = escape(_ILLEGAL.sub("", text))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _sheet_xml(rows: list[list[object]]) -> str:
    return _sheet([_row_xml(r, row, header=r == 1) for r, row in enumerate(rows, start=1)])


def _row_xml(r: int, row: list[object], header: bool = False) -> str:
    cells = "".join([_cell(f"{_column(c)}{r}", value) for c, value in enumerate(row)])
    if header:  # the header row in bold
        cells = cells.replace("<c r=", '<c s="1" r=')
    return f'<row r="{r}">{cells}</row>'


def _sheet(body: list[str]) -> str:
    return f"{_SHEET_START}{''.join(body)}{_SHEET_END}"


_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    "</sheetView></sheetViews><sheetData>"
)
_SHEET_END = "</sheetData></worksheet>"


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "{sheets}"
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)
# Fixed document properties: a title and language, no author, no dates.
_CORE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/">'
    "<dc:title>Kommunkompassen – öppna resultat</dc:title><dc:language>sv-SE</dc:language>"
    "</cp:coreProperties>"
)
_APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>kommunkompassen</Application></Properties>"
)
# Two cell formats: the default, and bold for the header row.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    "</styleSheet>"
)


def _package(names: list[str], sheets: Iterable[Iterable[str]]) -> bytes:
    """The workbook's zip archive of its sheets: their names, and their XML in the same order
    (each piece of each sheet compressed as it comes, so that it need not be held any longer)."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(names) + 1)
    )
    book = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        + "".join(
            f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(names, start=1)
        )
        + "</sheets></workbook>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(names) + 1)
        )
        + f'<Relationship Id="rId{len(names) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/></Relationships>'
    )
    parts = [
        ("[Content_Types].xml", _CONTENT_TYPES.format(sheets=overrides)),
        ("_rels/.rels", _ROOT_RELS),
        ("docProps/core.xml", _CORE),
        ("docProps/app.xml", _APP),
        ("xl/workbook.xml", book),
        ("xl/_rels/workbook.xml.rels", rels),
        ("xl/styles.xml", _STYLES),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, pieces in chain(
            ((name, (text,)) for name, text in parts),
            ((f"xl/worksheets/sheet{i}.xml", sheet) for i, sheet in enumerate(sheets, start=1)),
        ):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info._compresslevel = 1  # type: ignore[attr-defined]  # writestr's compresslevel=1 (level 9 took 0.7 s of every live-preview edit at 100 x 3); public as compress_level from Python 3.13, which keeps this name
            info.external_attr = 0o644 << 16
            with archive.open(info, "w") as entry:
                for batch in _batches(pieces):
                    entry.write(batch.encode("utf-8"))
    return buffer.getvalue()


def _batches(pieces: Iterable[str], size: int = 512) -> Iterator[str]:
    """The pieces joined `size` at a time: few calls into zlib, little held at once."""
    pieces = iter(pieces)
    while batch := "".join(islice(pieces, size)):
        yield batch


# What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")  # a carriage return is written as a line break
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_safe(value: object) -> object:
    """A CSV cell that no spreadsheet runs as a formula: text starting with =, +, -, @, a tab or
    a carriage return gets a single quote in front, as OWASP recommends, unless it is a number
    (-3, +2.5). Every CSV the site publishes, the charts' too, writes its cells through this.
    Text that already starts with quotes before such a character gets one more, so that
    `spreadsheet_text` gives back exactly the value written. A carriage return is written as a
    line break: the csv module leaves a cell holding a lone one unquoted, and a spreadsheet
    would start a new row there, whose first cell ("a\r=1") no quote protects."""
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        unquoted = value.lstrip("'")
        if unquoted.startswith(FORMULA_START) and not _NUMBER.fullmatch(unquoted):
            return "'" + value
    return value


def spreadsheet_text(cell: str) -> str:
    """The text a CSV cell written by `spreadsheet_safe` holds, without the quote it put in front:
    the workbook's text cells are never formulas, so they carry the value as written."""
    if cell.startswith("'") and spreadsheet_safe(cell[1:]) == cell:
        return cell[1:]
    return cell
