"""Nothing a pull request's data brings can run: script-carrying text in every free-text field of
every record type comes out of every file the site publishes as the literal text it is.

The payloads are put into a copy of the real data folder, which is built once; the built HTML,
SVG, JSON, search index and CSV are read as a browser, a feed reader or a spreadsheet would, and
the pages are opened, hovered, focused and searched in headless Chromium (`tests/browser.py`).
Fields whose pattern refuses such text (slugs, ids, codes, dates, addresses) must refuse it.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from generator.cli import main
from generator.site.pages import escape_line_start, escape_text
from generator.site.workbook import read_sheets, spreadsheet_safe, spreadsheet_text
from tests.browser import Browser, find_chromium
from tests.conftest import DATA, build

# Every payload would, if it became markup anywhere, set window.__pwned, leave an attribute named
# data-kkpwn or an on... handler, or turn a kk... word into bold, code, a link or a computed number.
PAYLOADS = (
    '<script>window.__pwned="script"</script>',
    "<img src=x onerror=\"window.__pwned='img'\" data-kkpwn>",
    '"><svg onload="window.__pwned=\'svg\'" data-kkpwn>',
    "'><b data-kkpwn onmouseover=\"window.__pwned='hover'\">kkhover</b>",
    '" autofocus onfocus="window.__pwned=\'focus\'" data-kkpwn x="',
    "' tabindex=0 onfocus='window.__pwned=1' data-kkpwn x='",
    "[kklink](javascript:window.__pwned=1) <javascript:alert(1)> ![kkimg](x onerror=alert(1))",
    "{{ 6*7 }}kkjinja {% if true %}kkif{% endif %} {# kkcomment #}",
    "**kkbold** _kkem_ `kkcode` <b>kkb</b> &lt;kkentity&gt; &amp;",
    "</textarea></title></script></style><script>alert(1)</script>",
    '--><script>alert(1)</script><!-- kkcomment2 { onclick="window.__pwned=1" }',
    '=HYPERLINK("http://example.invalid","kkformula")',
    "- kklist",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+kkplus javascript:alert(1)",
    "1. kkordered",
)
# Keys whose values a pattern or a list of choices restricts: no free text goes there.
RESTRICTED = {
    "slug",
    "code",
    "municipality",
    "id",
    "framework",
    "report",
    "report_date",
    "relation",
    "kind",
    "statistic",
    "detail",
    "publisher",
    "country",
    "question",
    "url",
}
ON_ATTRIBUTE = re.compile(r"^on[a-z]+$")
MARKUP_FROM_DATA = ("kkbold", "kkem", "kkcode", "kkb", "kkhover", "kklink", "kkimg")


def _inject(data: Path, payloads) -> dict[str, list[str]]:
    """Put a payload in front of every free-text value of every YAML file in `data` (keys of a
    fact's mapping, such as party names, too); links get one after their address. Returns the
    new values by file."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    counter = iter(range(10**6))
    injected: dict[str, list[str]] = {}

    def hostile(original: str) -> str:
        number = next(counter)
        return DoubleQuotedScalarString(f"{payloads[number % len(payloads)]} {original}")  # any character, escaped

    def walk(node, key=None):
        if isinstance(node, dict):
            for name in list(node):
                value = node[name]
                if name == "value" and isinstance(value, dict):  # council seats: party -> seats
                    node[name] = {hostile(party): seats for party, seats in value.items()}
                elif isinstance(value, str):
                    if name == "url":
                        query = re.sub(r"\s", "", payloads[next(counter) % len(payloads)])  # an address has no spaces
                        node[name] = DoubleQuotedScalarString(f"{value}?{query}")
                    elif name not in RESTRICTED:
                        node[name] = hostile(value)
                    else:
                        continue
                    injected.setdefault(current, []).append(node[name])
                else:
                    walk(value, name)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                if isinstance(value, str) and key not in RESTRICTED:
                    node[index] = hostile(value)
                    injected.setdefault(current, []).append(node[index])
                else:
                    walk(value, key)

    for path in sorted(data.rglob("*.yaml")):
        current = path.relative_to(data).as_posix()
        document = yaml.load(path)
        walk(document)
        with path.open("w", encoding="utf-8") as out:
            yaml.dump(document, out)
    return injected


class Elements(HTMLParser):
    """Every start tag with its attributes, the text of script elements, and the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))
        self._open.append(tag)

    def handle_endtag(self, tag):
        if tag in self._open:
            while self._open and self._open.pop() != tag:
                pass

    def handle_data(self, data):
        if self._open and self._open[-1] in ("script", "style"):
            self.scripts.append(data)
        else:
            self.text.append(data)


def _elements(markup: str) -> Elements:
    parser = Elements()
    parser.feed(markup)
    parser.close()
    return parser


def _live_markup(markup: str, where: str) -> list[str]:
    """What in `markup` (HTML) is markup made from the payloads."""
    found = []
    parsed = _elements(markup)
    for tag, attributes in parsed.tags:
        for name, value in attributes.items():
            if name == "data-kkpwn" or ON_ATTRIBUTE.match(name):
                found.append(f"{where}: <{tag} {name}>")
            if name in ("href", "src", "action", "formaction") and value.strip().lower().startswith("javascript:"):
                found.append(f"{where}: <{tag} {name}={value!r}>")
    for script in parsed.scripts:
        if "__pwned" in script or "alert(" in script:
            found.append(f"{where}: a script from the data: {script[:80]!r}")
    text = "".join(parsed.text)
    if "42kkjinja" in text or ("kkif" in text and "{% if true %}kkif" not in text):
        found.append(f"{where}: Jinja syntax from the data was evaluated")
    for word in MARKUP_FROM_DATA:
        if re.search(rf"<(strong|em|code|b|a)\b[^>]*>{word}", markup) or f'alt="{word}"' in markup:
            found.append(f"{where}: {word} became markup")
    return found


def _add_optional_fields(data: Path) -> None:
    """Fields the real data leaves out, so that they carry payloads too: a practice's links."""
    path = data / "karlskoga" / "2007.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "        name: Kommunellt\n"
    assert marker in text
    path.write_text(
        text.replace(
            marker,
            marker + "        links:\n          - {title: Kommunellt, url: 'https://example.org/kommunellt'}\n",
            1,
        ),
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The real data with a payload in every free-text field, built; (data folder, site, values)."""
    out = tmp_path_factory.mktemp("hostile")
    data = out / "evaluations"
    shutil.copytree(DATA, data)
    _add_optional_fields(data)
    injected = _inject(data, PAYLOADS)
    return data, build(data, out), injected


KINDS = {
    "evaluation": "*/[0-9]*.yaml",
    "framework": "_frameworks/*.yaml",
    "municipalities": "_municipalities.yaml",
    "sources": "_sources.yaml",
    "reference": "_references/*.yaml",
}
REFERENCES = {"report"}  # free strings that must name a record (a report id): refused below otherwise


def _free_text_fields(schema: dict, path: str = "", definitions: dict | None = None) -> set[str]:
    """The paths of a schema's string fields that no pattern or list of choices restricts."""
    definitions = schema.get("$defs", {}) if definitions is None else definitions
    if "$ref" in schema:
        schema = definitions[schema["$ref"].rsplit("/", 1)[-1]]
    kind = schema.get("type")
    if "properties" in schema:
        return {
            p
            for name, sub in schema["properties"].items()
            for p in _free_text_fields(sub, f"{path}.{name}", definitions)
        }
    if kind == "array":
        return _free_text_fields(schema.get("items", {}), path, definitions)
    kinds = kind if isinstance(kind, list) else [kind]
    return {path} if "string" in kinds and "pattern" not in schema and "enum" not in schema else set()


def _carrying_payloads(node, path: str = "") -> set[str]:
    """The paths in a document whose text (or, for a fact's mapping, whose keys) begins with a payload."""
    if isinstance(node, dict):
        found = set()
        for name, value in node.items():
            if isinstance(name, str) and name.startswith(PAYLOADS):
                found.add(path)
            found |= _carrying_payloads(value, f"{path}.{name}" if not path.endswith(".value") else path)
        return found
    if isinstance(node, list):
        return {p for value in node for p in _carrying_payloads(value, path)}
    if isinstance(node, str) and (
        node.startswith(PAYLOADS) or any("?" + re.sub(r"\s", "", p) in node for p in PAYLOADS)
    ):
        return {path}
    return set()


def test_every_free_text_field_of_every_record_type_carries_a_payload(hostile):
    from generator.schema import SCHEMA_DIR

    data, _, _ = hostile
    for kind, pattern in KINDS.items():
        fields = _free_text_fields(json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8")))
        fields = {f for f in fields if f.rsplit(".", 1)[-1] not in REFERENCES}
        assert fields, kind
        carrying = set()
        for path in data.glob(pattern):
            carrying |= _carrying_payloads(YAML(typ="safe").load(path))
        assert fields <= carrying, (kind, sorted(fields - carrying))


def test_html_holds_no_markup_from_the_data_and_shows_it_literally(hostile):
    _data, site, _ = hostile
    found = []
    for path in sorted(site.rglob("*.html")):
        found += _live_markup(path.read_text(encoding="utf-8"), path.relative_to(site).as_posix())
    assert not found, found[:20]
    practice = site / "goda-exempel" / "badhusprocessen" / "index.html"
    page = practice.read_text(encoding="utf-8")
    title = html.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1))
    name = re.search(r"<h1[^>]*>(.*?)<a class=\"headerlink\"", page, re.S).group(1)
    assert title.startswith(html.unescape(name)) and '"Badhus" processen' in title
    description = re.search(r'<meta name="description" content="([^"]*)"', page).group(1)
    assert '"Badhus" processen' in html.unescape(description)
    for property_ in ("og:title", "og:description"):
        assert re.search(rf'<meta property="{property_}" content="[^"]*&#34;Badhus&#34; processen', page), property_
    visible = " ".join("".join(_elements(page).text).split())
    for payload in PAYLOADS:
        if payload in html.unescape(title):  # the practice's name: shown whole, as written
            assert payload in visible


def test_the_page_frame_prints_titles_descriptions_and_tags_as_text(hostile):
    _, site, _ = hostile
    checked = 0
    for path in sorted((site / "goda-exempel").glob("*/index.html")):
        page = path.read_text(encoding="utf-8")
        head = page[: page.index("<body")]
        for pattern in (
            r"<title>(.*?)</title>",
            r'<meta name="description" content="([^"]*)"',
            r'<meta property="og:title" content="([^"]*)"',
            r'<meta property="og:description" content="([^"]*)"',
        ):
            value = re.search(pattern, head, re.S)
            assert value, (path, pattern)
            assert "<" not in value.group(1) and '"' not in value.group(1), (path, pattern, value.group(1))
        header = re.search(
            r'<div class="md-header__topic" data-md-component="header-topic">\s*<span class="md-ellipsis">(.*?)</span>',
            page,
            re.S,
        )
        assert header, path
        assert "<" not in header.group(1), (path, header.group(1))
        for tag in re.findall(r'<(?:span|a)[^>]* class="md-tag[^"]*"[^>]*>(.*?)</(?:span|a)>', page, re.S):
            assert "<" not in tag, (path, tag)
            checked += 1
    assert checked > 10


def test_search_index_holds_text_not_markup(hostile):
    _, site, _ = hostile
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    found = []
    for document in index["docs"]:
        for field in ("title", "text"):
            found += _live_markup(document[field], f"{document['location']} {field}")
        for tag in document.get("tags", []):
            found += _live_markup(tag, f"{document['location']} tag")
            assert "<" not in tag and '"' not in tag, tag
    assert not found, found[:20]
    assert any("data-kkpwn" in html.unescape(d["text"]) for d in index["docs"])  # indexed, as text


def test_svg_charts_are_well_formed_and_hold_no_markup_from_the_data(hostile):
    _, site, _ = hostile
    charts = sorted(site.rglob("*.svg"))
    assert len(charts) > 20
    seen_payload = False
    for path in charts:
        text = path.read_text(encoding="utf-8")
        root = ET.fromstring(text)  # well-formed: the text went in escaped
        for element in root.iter():
            name = element.tag.rsplit("}", 1)[-1]
            assert name not in ("script", "foreignObject"), (path, name)
            for attribute, value in element.attrib.items():
                attribute = attribute.rsplit("}", 1)[-1]
                assert attribute != "data-kkpwn" and not ON_ATTRIBUTE.match(attribute), (path, attribute)
                if attribute == "href":
                    assert not value.strip().lower().startswith("javascript:"), (path, value)
            seen_payload |= "data-kkpwn" in "".join(element.itertext())
    assert seen_payload  # the labels and titles that carry payloads are there, as text


def test_json_files_hold_the_values_as_written(hostile):
    _data, site, injected = hostile
    everything = json.loads((site / "data" / "kommunkompassen.json").read_text(encoding="utf-8"))
    names = {mu["name"] for mu in everything["municipalities"]}
    written = set(injected["_municipalities.yaml"])
    assert names and names <= written
    for path in site.rglob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))  # all well-formed
    evaluation = json.loads((site / "kommuner" / "karlskoga" / "2007" / "utvardering.json").read_text(encoding="utf-8"))
    assert evaluation["summary"] in injected["karlskoga/2007.yaml"]


def _formula(cell: str) -> bool:
    return cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(
        r"[+-]?(\d+([.,]\d+)?|[.,]\d+)([eE][+-]?\d+)?", cell
    )


def test_no_csv_cell_can_become_a_formula(hostile):
    _, site, _ = hostile
    files = sorted(site.rglob("*.csv"))
    assert any(p.parent.name == "data" for p in files) and any(p.stem == "profil" for p in files)
    neutralised = 0
    for path in files:
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))):
            for cell in row:
                assert not _formula(cell), (path, cell)
                neutralised += cell.startswith(("'=", "'-", "'+", "'@"))
    assert neutralised > 10
    practices = list(csv.DictReader(io.StringIO((site / "data" / "good_practices.csv").read_text(encoding="utf-8"))))
    assert any(row["name"].startswith("'=HYPERLINK(") for row in practices)


@pytest.mark.parametrize(
    "value, cell",
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://example.invalid")', '\'=HYPERLINK("http://example.invalid")'),
        ("+46 70 123", "'+46 70 123"),
        ("-", "'-"),
        ("- lista", "'- lista"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\n=1"),
        ("a\r=1", "a\n=1"),
        ("a\r\n@b", "a\n@b"),
        ("-3 kr", "'-3 kr"),
        ("-3", "-3"),
        ("+2.5", "+2.5"),
        ("-1,5", "-1,5"),
        ("-2e3", "-2e3"),
        ("a=b", "a=b"),
        ("'=1", "''=1"),
        ("'abc", "'abc"),
        ("'-3", "'-3"),
        ("Karlskoga", "Karlskoga"),
        ("", ""),
        (-3, -3),
        (2.5, 2.5),
    ],
)
def test_spreadsheet_safe_neutralises_formulas_and_keeps_numbers(value, cell):
    assert spreadsheet_safe(value) == cell


@given(st.text(alphabet="'=+-@\t\r3a ,.e", max_size=8))
def test_the_workbook_gets_back_exactly_the_value_a_csv_cell_neutralised(value):
    assert spreadsheet_text(spreadsheet_safe(value)) == value.replace("\r\n", "\n").replace("\r", "\n")


def test_a_carriage_return_in_a_value_cannot_start_a_row_with_a_formula(tmp_path_factory):
    """The csv module writes a cell with a lone carriage return unquoted: "Karl\r=HYPERLINK(...)" was
    a row break followed by a formula in a spreadsheet, and the workbook's CSV reader stopped the build."""
    out = tmp_path_factory.mktemp("carriage")
    data = out / "evaluations"
    shutil.copytree(DATA, data)
    path = data / "_municipalities.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("name: Karlskoga", 'name: "Karl\\r=HYPERLINK(1)\\rskoga"', 1),
        encoding="utf-8",
    )
    site = build(data, out)
    for csv_path in (site / "data").glob("*.csv"):
        raw = csv_path.read_bytes()
        assert b"\r" not in raw, csv_path
        for row in csv.reader(io.StringIO(raw.decode("utf-8"), newline="")):
            assert not any(_formula(cell) for cell in row), (csv_path, row)
    sheets = read_sheets((site / "data" / "kommunkompassen.xlsx").read_bytes())
    assert ["1883", "Karl\n=HYPERLINK(1)\nskoga", "karlskoga"] in [row[:3] for row in sheets["evaluations"]]


def test_the_workbook_holds_text_as_written_never_a_quote_in_front(hostile):
    """An xlsx text cell (an inline string) is never a formula: the CSV's leading quote is not copied
    into it, so the reader of the workbook sees the value the evaluator wrote."""
    _, site, _ = hostile
    sheets = read_sheets((site / "data" / "kommunkompassen.xlsx").read_bytes())
    texts = [cell for row in sheets["good_practices"][1:] for cell in row if isinstance(cell, str)]
    assert any(text.startswith('=HYPERLINK("http://example.invalid","kkformula")') for text in texts)
    assert any(text.startswith(("- kklist", "@SUM(1+1)")) for text in texts)
    assert not any(text.startswith(("'=", "'-", "'+", "'@")) for text in texts)


def test_csv_files_write_neutralised_cells(hostile):
    """The exact cells of an evaluation's own CSV and its chart's CSV."""
    _, site, _ = hostile
    rows = list(
        csv.reader(io.StringIO((site / "kommuner" / "kalix" / "2012" / "poang.csv").read_text(encoding="utf-8")))
    )
    texts = [row[2] for row in rows[1:]]
    assert any(text.startswith('\'=HYPERLINK("http://example.invalid","kkformula") ') for text in texts)
    assert any(text.startswith("'- kklist ") for text in texts) or any(text.startswith("'@SUM(1+1)") for text in texts)
    chart = list(
        csv.reader(io.StringIO((site / "kommuner" / "kalix" / "2012" / "profil.csv").read_text(encoding="utf-8")))
    )
    assert len(chart) == 9  # the header and the eight areas, named by the (hostile) framework
    assert all(not _formula(cell) for row in chart for cell in row)


@pytest.mark.parametrize(
    "file, old, new",
    [
        ("_municipalities.yaml", "slug: karlshamn", "slug: '<script>'"),
        ("_municipalities.yaml", "code: '1082'", "code: '<b>1'"),
        ("_sources.yaml", "id: skl-2007-karlskoga", "id: 'skl\"><script>'"),
        ("karlskoga/2007.yaml", "report_date: '2007-12'", "report_date: '<b>2007-12'"),
        ("karlskoga/2007.yaml", "      - slug: kommunellt", "      - slug: '\"><img src=x onerror=alert(1)>'"),
        ("_frameworks/2002.yaml", "id: '2002'", "id: '<b>'"),
        ("karlskoga/2007.yaml", "report: skl-2007-karlskoga", "report: '<script>alert(1)</script>'"),
        ("_municipalities.yaml", "report: skl-2009-fagersta", "report: '\"><svg onload=alert(1)>'"),
        ("_sources.yaml", "url: https://www.skl.se\n", "url: 'javascript:alert(1)'\n"),
        ("_sources.yaml", "url: https://www.skl.se\n", "url: 'https://www.skl.se\" onmouseover=\"alert(1)'\n"),
    ],
)
def test_fields_with_a_pattern_refuse_markup(data_copy, capsys, file, old, new):
    path = data_copy / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert main(["validate", "--data", str(data_copy), "--format", "plain"]) == 1
    assert f"{path}:" in capsys.readouterr().out


def test_a_link_must_be_a_web_address(data_copy, capsys):
    path = data_copy / "karlskoga" / "2007.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "        name: Kommunellt\n"
    assert marker in text
    path.write_text(
        text.replace(marker, marker + "        links:\n          - {title: x, url: 'javascript:alert(1)'}\n", 1),
        encoding="utf-8",
    )
    assert main(["validate", "--data", str(data_copy), "--format", "plain"]) == 1
    assert f"{path}:" in capsys.readouterr().out


# ---------------------------------------------------------------- escaping, property-based


@pytest.mark.parametrize(
    "value, escaped, at_line_start",
    [
        ('"Badhus" processen', "&#34;Badhus&#34; processen", "&#34;Badhus&#34; processen"),
        ("<b>x</b>", "&#60;b&#62;x&#60;/b&#62;", "&#60;b&#62;x&#60;/b&#62;"),
        ("a\n\n  b\tc", "a b c", "a b c"),
        ("\x02wzxhzdk:0\x03", "&#2;wzxhzdk&#58;0&#3;", "&#2;wzxhzdk&#58;0&#3;"),
        ("\x1b[31m", "&#27;&#91;31m", "&#27;&#91;31m"),
        ("- lista", "- lista", "&#45; lista"),
        ("---", "---", "&#45;--"),
        ("1. lista", "1. lista", "1&#46; lista"),
        ("Upplands-Bro", "Upplands-Bro", "Upplands-Bro"),
        ("-3", "-3", "-3"),
        ("12.5 procent", "12.5 procent", "12.5 procent"),
    ],
)
def test_escaping_of_text_from_the_data(value, escaped, at_line_start):
    assert escape_text(value) == escaped
    assert escape_line_start(value) == at_line_start


# Pieces of markup in every context the site writes text into; a generated value is any string of them.
PIECES = [
    "<",
    ">",
    "&",
    '"',
    "'",
    "`",
    "*",
    "_",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    "#",
    "|",
    "\\",
    "!",
    "=",
    "-",
    "+",
    "@",
    ":",
    ".",
    "1",
    " ",
    "  ",
    "\t",
    "\n",
    "<kkx ",
    "</kkx>",
    " kkattr=",
    "kkattr",
    "javascript:",
    "{{",
    "}}",
    "{%",
    "%}",
    "&#60;",
    "&lt;",
    "<!--",
    "-->",
    "<script>",
    "</p>",
    "---",
    "1. ",
    "- ",
    "å",
    "\x02",
    "\x03",
    "wzxhzdk:0",
    "\u2028",
    "\x1b[31m",
]
hostile_text = st.lists(st.sampled_from(PIECES), min_size=1, max_size=25).map("".join).filter(lambda s: s.strip())


def _markdown(text: str) -> str:
    import markdown

    return markdown.Markdown(
        extensions=["generator.site.htmlblocks", "admonition", "attr_list", "md_in_html", "tables", "toc"]
    ).convert(text)


def _shown(value: str) -> str:
    """What a reader sees of a value: the text with runs of whitespace as one space (control characters
    left out: the site writes them as character references, which Python's parser drops)."""
    return " ".join(re.sub(r"[\x00-\x08\x0e-\x1b\x7f]", "", value).split())


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_escaped_text_is_the_same_text_in_every_markdown_and_html_context(value):
    for template in (
        "# {v}",
        "## A {v} {{ data-search-exclude }}",
        "{v} · x",
        "| a | {v} |\n|---|---|\n| {v} | b |",
        "- [{v}](x/)",
        '<p title="{v}">{v}</p>',
        "<ul>\n<li>{v}</li>\n</ul>",
        "x [{v}](y/) z",
    ):
        escape = escape_line_start if template.startswith("{v}") else escape_text
        markup = _markdown(template.format(v=escape(value)))
        parsed = _elements(markup)
        tags = {tag for tag, _ in parsed.tags}
        assert "kkx" not in tags and not any("kkattr" in a for _, attrs in parsed.tags for a in attrs), (
            template,
            markup,
        )
        assert tags <= {"h1", "h2", "p", "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "a"}, (
            template,
            markup,
        )
        texts = [_shown(t) for t in ("".join(parsed.text),)]
        assert _shown(value) in texts[0], (template, markup)
        titles = [attrs["title"] for tag, attrs in parsed.tags if "title" in attrs]
        assert all(_shown(title) == _shown(value) for title in titles), (template, titles)


SMALL = ("karlskoga/2007.yaml", "fagersta/2009.yaml")


@settings(
    max_examples=4,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # a build per example: no shrinking
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=hostile_text)
def test_generated_payloads_in_every_field_build_into_inert_pages(tmp_path_factory, value):
    out = tmp_path_factory.mktemp("generated")
    data = out / "evaluations"
    shutil.copytree(DATA, data)
    for path in data.glob("*/*.yaml"):  # the registers, catalogues and two evaluations: a fast build
        if not path.parent.name.startswith("_") and path.relative_to(data).as_posix() not in SMALL:
            path.unlink()
    _inject(data, (value,))
    site = build(data, out)
    page = (site / "goda-exempel" / "kommunellt" / "index.html").read_text(encoding="utf-8")
    heading = re.search(r"<h1 id=\"[^\"]*\">(.*?)<a class=\"headerlink\"", page, re.S).group(1)
    assert _shown(html.unescape(heading)) == _shown(f"{value} Kommunellt")  # shown as written
    for path in site.rglob("*.html"):
        parsed = _elements(path.read_text(encoding="utf-8"))
        assert not [tag for tag, attrs in parsed.tags if tag == "kkx" or any("kkattr" in a for a in attrs)], path
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    for document in index["docs"]:
        for part in [document["title"], document["text"], *document.get("tags", [])]:
            parsed = _elements(part)
            assert not [tag for tag, attrs in parsed.tags if tag == "kkx" or any("kkattr" in a for a in attrs)], part
    for path in site.rglob("*.svg"):
        ET.fromstring(path.read_text(encoding="utf-8"))
    for path in site.rglob("*.csv"):
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))):
            assert not any(_formula(cell) for cell in row), (path, row)


# ---------------------------------------------------------------- in the browser

CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (run bash scripts/test.sh)"
)

# Any dialog, and any assignment from a payload, leaves a mark instead of blocking the page.
TRAP = "window.alert = window.confirm = window.prompt = (m) => { window.__pwned = 'dialog: ' + m; };"
HOVER_AND_FOCUS = """(() => {
  const targets = [...document.querySelectorAll('[title], abbr, .md-tag, a, button, input, [tabindex], summary')];
  for (const element of targets) {
    element.scrollIntoView({block: 'center'});
    for (const kind of ['mouseover', 'mouseenter', 'mousemove']) element.dispatchEvent(new MouseEvent(kind, {bubbles: true}));
    element.focus();
  }
  for (const button of document.querySelectorAll('.kk-sortable thead button')) { button.click(); button.click(); }
  return targets.length;
})()"""


@pytest.fixture(scope="module")
def served_hostile(hostile):
    import functools
    import http.server
    import threading

    from tests.conftest import _QuietHandler

    _, site, _ = hostile
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def tab():
    browser = Browser(CHROMIUM)
    page = browser.new_page()
    page.call("Page.addScriptToEvaluateOnNewDocument", source=TRAP)
    yield page
    page.close()
    browser.close()


def _hover_each(tab, selector: str) -> int:
    """Real mouse movements over each element matching `selector` (the events Material listens to)."""
    boxes = (
        tab.evaluate(f"""[...document.querySelectorAll({json.dumps(selector)})].slice(0, 60).map(e => {{
        e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect();
        return [r.x + r.width / 2, r.y + r.height / 2, r.width > 0 && r.height > 0]; }})""")
        or []
    )
    for x, y, visible in boxes:
        if visible:
            tab.call("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
    tab.pump(0.2)
    return len(boxes)


HOSTILE_PAGES = [
    "index.html",
    "kommuner/index.html",
    "kommuner/karlskoga/index.html",
    "kommuner/karlskoga/2007/index.html",
    "kommuner/kalix/2012/index.html",
    "kommuner/fagersta/index.html",
    "kommuner/burlov/index.html",
    "omraden/2002/1/index.html",
    "omraden/index.html",
    "omraden/jamforbarhet/index.html",
    "goda-exempel/index.html",
    "goda-exempel/badhusprocessen/index.html",
    "goda-exempel/2002/1/index.html",
    "goda-exempel/guldstjarnor/index.html",
    "jamforelse/index.html",
    "jamforelse/2002/index.html",
    "metod/2002/index.html",
    "metod/2020/index.html",
    "data/index.html",
]


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_no_script_runs_on_load_hover_or_focus(tab, served_hostile, path):
    tab.goto(f"{served_hostile}/{path.removesuffix('index.html')}", settle=0.5)
    assert tab.evaluate("document.readyState") == "complete"
    assert tab.evaluate("window.__pwned") is None, "on load"
    assert tab.evaluate("document.querySelectorAll('[data-kkpwn]').length") == 0
    hovered = _hover_each(tab, "[title], abbr, .md-tag, a, h1, h2, th, li, figure img")
    assert hovered > 0
    tab.evaluate(HOVER_AND_FOCUS)
    tab.pump(0.5)  # an image that fails to load reports it a moment later
    assert tab.evaluate("document.querySelectorAll('[data-kkpwn]').length") == 0, (
        "markup from the data on hover or focus"
    )
    assert tab.evaluate("window.__pwned") is None, "on hover or focus"


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize(
    "query", ["kkpwn", "onerror", "Badhus", "Kommunellt", "Karlskoga", "<img src=x onerror=alert(1)>"]
)
def test_no_script_runs_after_a_search(tab, served_hostile, query):
    tab.goto(f"{served_hostile}/", settle=0.5)
    tab.evaluate("document.querySelector('label.md-search__icon, .md-header__button[for=__search]')?.click()")
    tab.evaluate("document.querySelector('input.md-search__input').focus()")
    tab.call("Input.insertText", text=query)  # typed, as a reader would
    tab.evaluate(
        "document.querySelector('input.md-search__input').dispatchEvent(new KeyboardEvent('keyup', {bubbles: true}))"
    )
    count = tab.wait_for("document.querySelectorAll('.md-search-result__item').length", timeout=15)
    assert count, f"no results for {query}"
    assert (
        tab.evaluate(
            "document.querySelectorAll('.md-search-result [data-kkpwn], .md-search-result script, "
            ".md-search-result img').length"
        )
        == 0
    )
    _hover_each(tab, ".md-search-result__link, .md-search-result .md-tag")
    tab.evaluate("[...document.querySelectorAll('.md-search-result__link')].forEach(e => e.focus())")
    tab.pump(0.3)
    assert tab.evaluate("window.__pwned") is None
    first = tab.evaluate("document.querySelector('.md-search-result__link').href")
    tab.goto(first, settle=0.5)  # with ?h=... the page highlights the words searched for
    _hover_each(tab, "mark, h1, p")
    assert tab.evaluate("window.__pwned") is None, first


@pytest.mark.browser
@needs_chromium
def test_no_script_runs_in_a_chart_opened_on_its_own(tab, served_hostile, hostile):
    _, site, _ = hostile
    for chart in (
        "kommuner/karlskoga/2007/profil.svg",
        "kommuner/karlskoga/historik.svg",
        "omraden/2002/1/rangordning.svg",
        "index.html",
    ):
        assert (site / chart).is_file()
        tab.goto(f"{served_hostile}/{chart}", settle=0.3)
        _hover_each(tab, "text, title, desc, g, path, circle, rect")
        assert tab.evaluate("window.__pwned") is None, chart


def test_new_keeps_names_from_the_data_inside_its_comments(data_copy):
    """`new` writes names into YAML comments: a line break in a name must not start a key."""
    from generator.tools.scaffold import write_template

    register = data_copy / "_municipalities.yaml"
    text = register.read_text(encoding="utf-8")
    old = "{slug: ale, code: '1440', name: Ale,"
    assert old in text
    register.write_text(
        text.replace(old, "{slug: ale, code: '1440', name: \"Ale\\nsummary: injected\\u2028detail: areas\",", 1),
        encoding="utf-8",
    )
    framework = data_copy / "_frameworks" / "2020.yaml"
    text = framework.read_text(encoding="utf-8")
    old = 'text: "Strategi för demokratiutveckling och information"'
    assert old in text
    framework.write_text(text.replace(old, 'text: "Strategi\\nreported_total: 800"', 1), encoding="utf-8")
    import datetime

    target = write_template(data_copy, "ale", 2025, "2020", today=datetime.date(2026, 1, 1))
    document = YAML(typ="safe").load(target)
    assert document["summary"] is None and document["detail"] == "full" and document["reported_total"] is None
    first_line = target.read_text(encoding="utf-8").splitlines()[1]
    assert first_line.startswith("# ") and "Ale summary: injected detail: areas" in first_line


def test_a_chart_stays_well_formed_with_control_characters_and_markup_in_its_text():
    from generator.site import charts

    chart = charts.bars(
        "x",
        "Titel\x02 <b>",
        "d",
        ['Område\x1b[31m 1 "<svg onload=alert(1)>'],
        [5],
        10,
        "Serie\x0b",
        ("Område", "Poäng"),
    )
    root = ET.fromstring(chart.svg)
    texts = [element.text for element in root.iter() if element.text]
    assert "Titel\ufffd <b>" in texts and 'Område\ufffd[31m 1 "<svg onload=alert(1)>' in texts
    assert not [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] in ("b", "svg") and e is not root]


@pytest.mark.parametrize("blank", [" ", "\t", "\u0085", "\u2028", "\u3000"])
def test_a_blank_name_draws_a_chart(blank):
    """A name of white space only passes the schema (minLength 1); it left the chart legend with no
    line to measure, and the build stopped with an internal error (max() of nothing)."""
    from generator.site import charts

    chart = charts.bars(
        "x", "Titel", "d", ["1 " + blank], [5], 10, blank, ("Område", "Poäng"), references=((blank, [4]),)
    )
    ET.fromstring(chart.svg)
