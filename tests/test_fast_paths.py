"""The full build's shortcuts give what the general way gives: links by their path parts
(posixpath.relpath), page text escaped by one regular expression (str.translate with the entity
table), indented JSON written in one pass (json.dumps), CSV cells known plain without
spreadsheet_safe, and workbook text cells known to need no escaping. Each on the real data and
on the odd values the general way was written for."""

from __future__ import annotations

import io
import itertools
import json
import posixpath
import random
from xml.sax.saxutils import escape

import pytest

from generator import text
from generator.aggregate import aggregate
from generator.site import datafiles, pages, workbook
from generator.site.build import check_data
from tests.conftest import DATA


@pytest.fixture(scope="module")
def portal():
    return aggregate(check_data(DATA), {})


def _words(portal) -> list[str]:
    """Every text the real evaluations hold, and a few that html and Markdown would read."""
    found: list[str] = ["", " ", "a\tb\nc", "\x00\x1b[31m", "<b>&amp;</b>", "'=1", "-1", "1. a", "*_`[]"]
    for view in portal.evaluations:
        found += [view.evaluation.summary or "", view.municipality.name]
        for row in view.areas:
            found.append(row.definition.name)
            if row.result:
                found += [row.result.description or "", *row.result.strengths, *row.result.improvements]
                found += [p.name for p in row.result.good_practices] + [
                    p.description for p in row.result.good_practices
                ]
    return found


def test_relative_path_is_relpath() -> None:
    parts = ["", ".", "..", "kommuner", "a", "index.md", "profil.svg", "2014", "/"]
    paths = {"/".join(combo) for size in range(3) for combo in itertools.product(parts, repeat=size)}
    paths |= {"kommuner/arvika/2014/index.md", "goda-exempel/x/index.md", "data/a.csv", "index.md", "./a/../b"}
    for target, start in itertools.product(sorted(paths), repeat=2):
        try:
            expected = posixpath.relpath(target, start)
        except ValueError:  # an empty target, which no template asks for
            continue
        assert pages.relative_path(target, start) == expected, (target, start)


def test_escape_text_is_the_entity_table(portal) -> None:
    table = str.maketrans(text._ENTITIES)
    random.seed(1)
    odd = ["".join(random.choice("ab \t\n\\`*_{}[]()<>#+!|~^=&\"'$:\x01\x7få") for _ in range(12)) for _ in range(2000)]
    for value in _words(portal) + odd:
        assert text.escape_text(value) == " ".join(value.split()).translate(table), value


def test_indented_json_is_json_dumps(portal) -> None:
    values: list[object] = [datafiles._evaluation_json(view) for view in portal.evaluations]
    values += [datafiles._package(), {}, [], (), {"a": []}, [{}], 1.5, -0.0, 1e300, 2**70, float("nan"), 'å"\\\n']
    values += [{1: "a"}, {"a": {True: None}}, [float("inf"), float("-inf")]]  # json.dumps' own way
    for value in values:
        assert datafiles._json(value) == (json.dumps(value, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def test_plain_csv_cells_are_spreadsheet_safe(portal) -> None:
    def general(value: object) -> object:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return workbook.spreadsheet_safe(value)

    random.seed(2)
    odd = ["".join(random.choice("=+-@\t\r\n'a1 .,") for _ in range(random.randint(0, 5))) for _ in range(5000)]
    for value in [*_words(portal), *odd, None, True, False, 0, -3, 1.0, 2.5, -0.0]:
        made = datafiles._cell(value)
        assert made == general(value) and type(made) is type(general(value)), value


def test_workbook_text_cells_are_escaped_as_before(portal) -> None:
    random.seed(3)
    odd = ["".join(random.choice("ab &<>\"'\x00\x0b\ufffe é \t") for _ in range(8)) for _ in range(5000)]
    for value in _words(portal) + odd:
        escaped = escape(workbook._ILLEGAL.sub("", value))
        space = ' xml:space="preserve"' if escaped != escaped.strip() else ""
        assert workbook._cell("B2", value) == f'<c r="B2" t="inlineStr"><is><t{space}>{escaped}</t></is></c>'


def test_the_search_index_in_utf8_is_json_dumps_without_escapes(portal) -> None:
    """A full build undoes the escapes of Material's search index in its text (parsing it took 30 MB
    at 290 x 3, at the build's peak): byte for byte what `json.dumps` without `ensure_ascii` writes."""
    from generator.site.plugin import write_json_in_utf8

    def json_in_utf8(escaped: bytes) -> bytes:
        out = io.BytesIO()
        write_json_in_utf8(escaped, out)
        return out.getvalue()

    random.seed(2)
    alphabet = [
        "a",
        "\\",
        '"',
        "\n",
        "\t",
        "\x00",
        "\x1f",
        "\x7f",
        "\x80",
        "å",
        "Ö",
        "\u2028",
        "😀",
        "u00e5",
        "\\u00e5",
        "/",
    ]
    odd = ["".join(random.choice(alphabet) for _ in range(random.randrange(12))) for _ in range(3000)]
    values: list[object] = [{"docs": [{"text": value, value: [1.5, None, True, 10**20]}]} for value in odd]
    values += [[datafiles._evaluation_json(view) for view in portal.evaluations]]
    for value in values:
        escaped = json.dumps(value, separators=(",", ":")).encode("ascii")
        assert json_in_utf8(escaped) == json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    lone = json.dumps(["\ud800", "\udc00x", "\ud800\ud800"]).encode("ascii")  # no character: left as escapes
    assert json_in_utf8(lone) == lone
