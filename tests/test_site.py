"""The built site: every page kind, links and anchors, open data against the YAML, safe text."""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest
from ruamel.yaml import YAML

from tests.conftest import DATA, ROOT, build, tree

PAGE_KINDS = {
    "start": "index.html",
    "municipalities": "kommuner/index.html",
    "municipality": "kommuner/karlskoga/index.html",
    "evaluation": "kommuner/karlskoga/2022/index.html",
    "area-level evaluation": "kommuner/karlskoga/2003/index.html",
    "cited municipality": "kommuner/burlov/index.html",
    "area": "omraden/2002/5/index.html",
    "area with fewer than three evaluations": "omraden/2020/5/index.html",
    "areas": "omraden/index.html",
    "area mapping": "omraden/jamforbarhet/index.html",
    "good practices": "goda-exempel/index.html",
    "good practice": "goda-exempel/eftersnack/index.html",
    "good practices by area": "goda-exempel/2020/2/index.html",
    "gold stars": "goda-exempel/guldstjarnor/index.html",
    "comparison index": "jamforelse/index.html",
    "comparison": "jamforelse/2002/index.html",
    "method": "metod/index.html",
    "catalogue": "metod/2010/index.html",
    "data": "data/index.html",
    "evaluators": "for-utvarderare/index.html",
    "not found": "404.html",
}


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self.text: list[str] = []
        self.nav_links = 0
        self._nav_depth = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "nav":
            self._nav_depth += 1
        for name in ("href", "src"):
            if attributes.get(name):
                self.links.append((tag, attributes[name]))
                if tag == "a" and self._nav_depth:
                    self.nav_links += 1

    def handle_endtag(self, tag):
        if tag == "nav" and self._nav_depth:
            self._nav_depth -= 1

    def handle_data(self, data):
        self.text.append(data)


def parse(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_page_kind_is_built(site):
    for kind, page in PAGE_KINDS.items():
        assert (site / page).is_file(), f"{kind}: {page} missing"


def test_pages_are_swedish_with_titles_and_descriptions(site):
    for kind, page in PAGE_KINDS.items():
        html = (site / page).read_text(encoding="utf-8")
        assert '<html lang="sv"' in html, kind
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        assert "Kommunkompassen" in title, kind
        if kind != "not found":
            description = re.search(r'<meta name="description" content="([^"]*)"', html).group(1)
            assert len(description) > 40, kind
    evaluation = (site / PAGE_KINDS["evaluation"]).read_text(encoding="utf-8")
    assert "<title>Karlskoga 2022 - Kommunkompassen – öppna resultat</title>" in evaluation
    assert (
        'property="og:description" content="Karlskogas resultat i Kommunkompassen 2022: 536 av 800 poäng' in evaluation
    )
    assert "Sidan finns inte" in (site / "404.html").read_text(encoding="utf-8")


class HeadMeta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.metas: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "meta":
            self.metas.append(dict(attrs))


def test_meta_tags_keep_their_attributes_whole(site):
    """A title with quotes ('"Badhus" processen') broke the meta description's content="..." attribute."""
    for path in site.rglob("*.html"):
        parser = HeadMeta()
        parser.feed(path.read_text(encoding="utf-8"))
        for meta in parser.metas:
            assert set(meta) in (
                {"charset"},
                {"name", "content"},
                {"property", "content"},
                {"http-equiv", "content"},
            ), (path, meta)
    badhus = HeadMeta()
    badhus.feed((site / "goda-exempel" / "badhusprocessen" / "index.html").read_text(encoding="utf-8"))
    contents = {meta.get("name") or meta.get("property"): meta["content"] for meta in badhus.metas if "content" in meta}
    assert contents["description"].startswith('"Badhus" processen: gott exempel från Karlskoga (2007)')
    assert contents["og:title"] == '"Badhus" processen – Karlskoga – Kommunkompassen – öppna resultat'


def test_no_broken_internal_link_or_anchor(site):
    pages = {p: parse(p) for p in site.rglob("*.html")}
    broken = []
    for page, parsed in pages.items():
        for _tag, link in parsed.links:
            url = urlparse(link)
            if url.scheme or link.startswith("//") or link.startswith("mailto:"):
                continue
            target_path, fragment = urldefrag(link)
            base = site if target_path.startswith("/") else page.parent  # 404.html links from the root
            target = (base / unquote(target_path).lstrip("/")).resolve() if target_path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site)}: {link}")
                continue
            if fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else parse(target).ids
                if unquote(fragment) not in ids:
                    broken.append(f"{page.relative_to(site)}: #{fragment} not in {target.relative_to(site)}")
    assert not broken, "\n".join(broken[:30])


def test_nothing_is_requested_from_another_host(site):
    for page in site.rglob("*.html"):
        for tag, link in parse(page).links:
            if tag in ("script", "link", "img", "iframe", "source"):
                assert not urlparse(link).scheme and not link.startswith("//"), f"{page}: {tag} {link}"
    for asset in list(site.rglob("*.css")) + list(site.rglob("*.svg")):
        text = asset.read_text(encoding="utf-8", errors="replace")
        assert "fonts.googleapis" not in text and "@import url(http" not in text, asset
    mkdocs_text = (site / "index.html").read_text(encoding="utf-8")
    assert "fonts.gstatic" not in mkdocs_text and "googleapis" not in mkdocs_text


def test_navigation_stays_small(site):
    for kind in ("evaluation", "municipality", "good practice"):
        parsed = parse(site / PAGE_KINDS[kind])
        assert parsed.nav_links < 60, f"{kind}: {parsed.nav_links} navigation links"


def test_search_is_configured_for_swedish_and_indexes_the_pages(site):
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["sv"]
    locations = {doc["location"] for doc in index["docs"]}
    assert "goda-exempel/eftersnack/" in locations
    assert "omraden/2020/5/" in locations
    titles = {doc["title"] for doc in index["docs"]}
    assert "Eftersnack" in titles and "Karlskrona" in titles and "5 Brukarens fokus" in titles


def test_search_indexes_each_text_once_where_it_belongs(site):
    """A summary on its evaluation page, a practice on its own page; the areas' findings and
    descriptions, facts, tables, charts and listings are left out, so that the index stays
    small at national size (BENCHMARKS.md)."""
    raw = (site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "\\u00e5" not in raw and "å" in raw  # written as UTF-8, not as escapes
    docs = json.loads(raw)["docs"]
    evaluation = YAML(typ="safe").load((DATA / "karlskoga" / "2022.yaml").read_text(encoding="utf-8"))
    area = next(
        a for a in evaluation["areas"] if a.get("strengths") and a.get("description") and a.get("good_practices")
    )

    def indexed_at(text: str) -> set[str]:
        wanted = " ".join(text.split())
        return {d["location"].split("#")[0] for d in docs if wanted in " ".join(html.unescape(d["text"]).split())}

    assert indexed_at(evaluation["summary"]) == {"kommuner/karlskoga/2022/"}
    assert indexed_at(area["strengths"][0]) == set()
    assert indexed_at(area["improvements"][0]) == set()
    assert indexed_at(area["description"]) == set()
    assert not any(d["location"].startswith("kommuner/karlskoga/2022/#omrade-") for d in docs)
    assert not any(d["location"].startswith("kommuner/karlskoga/2022/#om-utvarderingen") for d in docs)
    practice = area["good_practices"][0]
    assert indexed_at(practice["description"]) == {f"goda-exempel/{practice['slug']}/"}
    locations = {d["location"] for d in docs}
    assert not any(location.startswith(("goda-exempel/2020/", "goda-exempel/guldstjarnor/")) for location in locations)
    assert not any("Siffrorna i diagrammet" in d["text"] for d in docs)


def test_area_ranking_table_holds_the_ranking_chart_numbers(site):
    folder = site / "omraden" / "2002" / "5"
    with (folder / "rangordning.csv").open(encoding="utf-8") as f:
        chart_rows = [(row[0], row[1]) for row in list(csv.reader(f))[1:]]
    page = (folder / "index.html").read_text(encoding="utf-8")
    table = page[page.index('id="rangordning"') :]
    table = table[: table.index("</table>")]
    cells = re.findall(
        r"<tr><td class=\"kk-num\">\d+</td><th scope=\"row\"><a [^>]*>([^<]*)</a></th><td class=\"kk-num\">([^<]*)</td></tr>",
        table,
    )
    assert cells and [(html.unescape(name), points.replace(",", ".")) for name, points in cells] == chart_rows
    assert 'id="tabell-rangordning"' not in page and 'href="#rangordning"' in page


def test_charts_are_static_stable_svg(site):
    charts = list(site.rglob("*.svg"))
    assert len(charts) > 20
    for chart in charts:
        text = chart.read_text(encoding="utf-8")
        if "pygal" not in text:
            continue
        assert "<script" not in text, chart
        assert "<!--" not in text, chart
        assert not re.search(r"chart-[0-9a-f]{8}-", text), chart
    evaluation = (site / PAGE_KINDS["evaluation"]).read_text(encoding="utf-8")
    assert (
        '<img src="profil.svg" alt="Poäng per område.' in evaluation
    )  # two evaluations of its revision: nothing to compare with
    compared = (site / "kommuner/karlskoga/2003/index.html").read_text(
        encoding="utf-8"
    )  # revision 2002 has enough for a mean
    assert '<img src="profil.svg" alt="Profil jämfört med andra.' in compared
    assert '<a href="profil.csv" download>CSV</a>' in evaluation
    assert 'id="tabell-profil"' in evaluation
    rows = list(csv.reader((site / "kommuner/karlskoga/2022/profil.csv").open(encoding="utf-8")))
    assert rows[0][0] == "Område" and rows[1][:2] == ["1 Samspel mellan förtroendevalda och medborgare", "74"]


def _label_heights(svg: str, labels: list[str]) -> list[float]:
    """The y position of each label's text in a chart (a long label is drawn as lines, one after another)."""
    texts = [
        (float(y), html.unescape(text)) for y, text in re.findall(r'<text[^>]*\by="([\d.]+)"[^>]*>([^<]+)</text>', svg)
    ]
    heights = []
    for label in labels:
        for index, (y, text) in enumerate(texts):
            joined = " ".join(t for _, t in texts[index : index + 4])
            if label.startswith(text) and joined.startswith(label):
                heights.append(y)
                break
    return heights


def test_bar_charts_read_from_the_top_in_the_order_of_their_tables(site):
    """pygal draws a horizontal bar chart bottom up; the charts are drawn so that their first
    row, like their table's, is at the top: area 1 on an evaluation, rank 1 on an area."""
    for chart in ("kommuner/karlskrona/2022/profil", "omraden/2002/1/rangordning"):
        labels = [row[0] for row in list(csv.reader((site / f"{chart}.csv").open(encoding="utf-8")))[1:]]
        heights = _label_heights((site / f"{chart}.svg").read_text(encoding="utf-8"), labels)
        assert len(heights) == len(labels) >= 2 and heights == sorted(heights), (chart, labels, heights)


def _yaml(path: Path):
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def test_csv_files_match_the_yaml(site):
    register = {m["slug"]: m for m in _yaml(DATA / "_municipalities.yaml")["municipalities"]}
    expected_questions, expected_areas, expected_evaluations = set(), set(), set()
    for path in sorted(DATA.glob("*/*.yaml")):
        if path.parent.name.startswith("_"):
            continue
        data = _yaml(path)
        code = register[data["municipality"]]["code"]
        area_points = []
        for area in data["areas"]:
            points = area.get("reported_points")
            if points is None:
                points = sum(q["points"] for q in area["questions"])
            area_points.append(points)
            expected_areas.add((code, str(data["year"]), data["framework"], str(area["area"]), _n(points)))
            for question in area.get("questions", []):
                expected_questions.add(
                    (code, str(data["year"]), data["framework"], question["id"], _n(question["points"]))
                )
        expected_evaluations.add(
            (code, str(data["year"]), data["framework"], _n(sum(area_points)), _n(data.get("reported_total")))
        )

    def rows(name):
        with (site / "data" / name).open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    evaluations = rows("evaluations.csv")
    assert list(evaluations[0])[:7] == [
        "municipality_code",
        "municipality",
        "municipality_slug",
        "year",
        "framework",
        "framework_name",
        "total_points",
    ]
    assert {
        (r["municipality_code"], r["year"], r["framework"], r["area_sum_points"], r["reported_total_points"])
        for r in evaluations
    } == expected_evaluations
    assert {
        (r["municipality_code"], r["year"], r["framework"], r["area"], r["points"]) for r in rows("area_scores.csv")
    } == expected_areas
    assert {
        (r["municipality_code"], r["year"], r["framework"], r["question"], r["points"])
        for r in rows("question_scores.csv")
    } == expected_questions
    kalix = next(r for r in evaluations if r["municipality"] == "Kalix")
    assert (kalix["total_points"], kalix["area_sum_points"], kalix["reported_total_points"]) == ("415", "413", "415")


def _n(value) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def test_data_package_describes_the_files(site):
    package = json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        assert (site / "data" / resource["path"]).is_file()
        if resource["format"] == "csv":
            header = (site / "data" / resource["path"]).read_text(encoding="utf-8").splitlines()[0].split(",")
            assert header == [f["name"] for f in resource["schema"]["fields"]]
    everything = json.loads((site / "data" / "kommunkompassen.json").read_text(encoding="utf-8"))
    assert len(everything["evaluations"]) == len(
        list(p for p in DATA.glob("*/*.yaml") if not p.parent.name.startswith("_"))
    )
    assert (site / "data" / "schemas" / "evaluation.schema.json").is_file()
    assert (site / "data" / "LICENSE.txt").is_file()


def test_discrepancies_and_printed_values_are_shown(site):
    kalix = (site / "kommuner/kalix/2012/index.html").read_text(encoding="utf-8")
    assert "De tryckta områdespoängen summerar till 413." in kalix
    assert "Totalpoäng: 415 av 800" in kalix
    karlskrona = (site / "kommuner/karlskrona/2022/index.html").read_text(encoding="utf-8")
    assert "Namnet i rapportens poängtabell: ”Offentlighet och demokrati”." in karlskrona


def test_learn_from_others_links_leaders_and_practices(site):
    page = (site / "kommuner/gallivare/2003/index.html").read_text(encoding="utf-8")
    section = page.split('id="lar-av-andra"')[1].split('id="omrade-1"')[0]
    assert "Botkyrka 2005" in section
    assert "../../../goda-exempel/" in section


HOSTILE = {
    "script": "<script>alert('x')</script>",
    "markdown": "**fet** [länk](http://example.com) `kod`",
    "jinja": "{{ 7 * 7 }} {% if true %}ja{% endif %}",
}


def test_text_in_the_data_is_shown_literally_and_never_runs(tmp_path):
    data = tmp_path / "evaluations"
    shutil.copytree(DATA, data)
    path = data / "karlskrona" / "2022.yaml"
    text = path.read_text(encoding="utf-8")
    hostile = " ".join(HOSTILE.values()).replace("'", "''")
    text = text.replace("summary: >-\n", f"summary: '{hostile}'\nx_old_summary: >-\n", 1)
    text = re.sub(r"x_old_summary: >-\n(  .*\n)+", "", text)
    path.write_text(text, encoding="utf-8")
    site = build(data, tmp_path)
    html = (site / "kommuner/karlskrona/2022/index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html
    assert "<strong>fet</strong>" not in html and 'href="http://example.com"' not in html
    assert ">49<" not in html and " 49 " not in html
    visible = "".join(parse(site / "kommuner/karlskrona/2022/index.html").text)
    for value in HOSTILE.values():
        assert value in visible, value


def test_invalid_data_stops_the_build_and_leaves_the_last_site_intact(tmp_path, capsys):
    from generator.site.build import DataError, build_site

    data = tmp_path / "evaluations"
    shutil.copytree(DATA, data)
    site = build(data, tmp_path)
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    docs_before = {p: p.stat().st_mtime_ns for p in (tmp_path / "docs").rglob("*") if p.is_file()}
    path = data / "kalix" / "2012.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("points: 5,", "points: 55,", 1), encoding="utf-8")
    with pytest.raises(DataError) as stopped:
        build_site(data, site, docs_dir=tmp_path / "docs")
    assert capsys.readouterr().err == ""  # the library raises; the command prints
    assert any(
        p.pos.path == str(path) and p.message == "fråga 1.1 har 55 poäng; det ska vara mellan 0 och 15"
        for p in stopped.value.problems
    ), [p.plain() for p in stopped.value.problems]
    assert str(stopped.value) == "bygget stoppades: rätta felen ovan; ingenting skrevs"
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "docs").rglob("*") if p.is_file()} == docs_before


def test_site_files_linked_to_the_docs_keep_their_bytes_when_the_docs_change(tmp_path):
    """The hook hard-links charts and data files into the site instead of copying them;
    regenerating the docs must replace such a file, never write through the link."""
    from generator.site.build import generate

    data = tmp_path / "evaluations"
    shutil.copytree(DATA, data)
    site = build(data, tmp_path)
    relative = "kommuner/kalix/2012/utvardering.json"
    built, docs = site / relative, tmp_path / "docs" / relative
    assert built.stat().st_ino == docs.stat().st_ino  # linked, not copied
    before = built.read_bytes()
    path = data / "kalix" / "2012.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("points: 5,", "points: 6,", 1), encoding="utf-8")
    generate(data, tmp_path / "docs")
    assert docs.read_bytes() != before
    assert built.read_bytes() == before


def test_a_build_hands_mkdocs_the_pages_in_memory_and_makes_the_same_site(tmp_path, monkeypatch):
    """`kommunkompassen build` hands MkDocs the generated pages in memory instead of writing them into
    the docs folder for MkDocs to read back: the site is byte for byte the one MkDocs makes from the
    pages written (as for a dirty build, which needs them there), in MkDocs' order (the search index
    lists the pages in it), and a page an earlier run left in the docs folder is neither published nor kept."""
    from mkdocs.commands.build import build as mkdocs_build

    from generator.site.build import SITE_MARKER, load_portal_config, portal_plugin
    from generator.site.portal import find_portal

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setenv("SOURCE_COMMIT", "0123456789")
    docs = tmp_path / "docs"
    left = {
        "kommuner/gammal/index.md": "---\ntitle: Gammal\n---\n\n# Gammal\n",
        "kommuner/kalix/index.md": "# Inaktuell\n",
    }
    for path, text in left.items():
        (docs / path).parent.mkdir(parents=True, exist_ok=True)
        (docs / path).write_text(text, encoding="utf-8")
    site = build(DATA, tmp_path)
    assert sorted(docs.rglob("*.md")) == []  # none written, those left there removed
    assert (docs / "kommuner" / "kalix" / "2012" / "utvardering.json").is_file()  # data files and charts still go there

    on_disk = tmp_path / "on-disk"
    (on_disk / "docs").mkdir(parents=True)
    config = load_portal_config(
        find_portal(ROOT / "mkdocs.yml"),
        DATA,
        site_dir=str(on_disk / "site"),
        docs_dir=str(on_disk / "docs"),
        strict=True,
    )
    portal_plugin(config).on_startup(command="build", dirty=True)  # as for `mkdocs build --dirty`: pages written
    mkdocs_build(config)
    assert (on_disk / "docs" / "kommuner" / "kalix" / "index.md").is_file()
    in_memory, from_disk = tree(site), tree(on_disk / "site")
    assert in_memory.pop(SITE_MARKER)
    assert sorted(p for p in in_memory.keys() | from_disk.keys() if in_memory.get(p) != from_disk.get(p)) == []
    assert not (site / "kommuner" / "gammal").exists()


@pytest.mark.parametrize("dirty", [False, True])
def test_mkdocs_build_gets_the_pages_in_memory_unless_dirty(dirty: bool, tmp_path: Path):
    """`mkdocs build` too; `mkdocs build --dirty` compares the docs folder's pages with the site's
    by their modification times, so it gets them written."""
    from mkdocs.commands.build import build as mkdocs_build

    from generator.site.build import load_portal_config, portal_plugin
    from generator.site.portal import find_portal

    (tmp_path / "docs").mkdir()
    config = load_portal_config(
        find_portal(ROOT / "mkdocs.yml"), DATA, site_dir=str(tmp_path / "site"), docs_dir=str(tmp_path / "docs")
    )
    portal_plugin(config).on_startup(command="build", dirty=dirty)
    mkdocs_build(config, dirty=dirty)
    assert (tmp_path / "docs" / "kommuner" / "kalix" / "2012" / "index.md").is_file() == dirty
    assert "Kalix" in (tmp_path / "site" / "kommuner" / "kalix" / "2012" / "index.html").read_text(encoding="utf-8")


SECTIONS = {
    "": "Start",
    "kommuner": "Kommuner",
    "omraden": "Områden",
    "goda-exempel": "Goda exempel",
    "jamforelse": "Jämförelse",
    "metod": "Metod",
    "data": "Öppna data",
    "for-utvarderare": "För utvärderare",
}


def test_every_page_lights_its_tab_and_shows_where_it_is(site):
    """Generated pages are not in `nav`: the hook marks their section's tab and gives breadcrumbs."""
    for kind, path in PAGE_KINDS.items():
        if kind == "not found":
            continue
        page = (site / path).read_text(encoding="utf-8")
        active = re.findall(r'<li class="md-tabs__item md-tabs__item--active">\s*<a [^>]*>\s*([^<]+?)\s*</a>', page)
        assert active == [SECTIONS[path.split("/")[0] if "/" in path else ""]], (kind, active)
        depth = path.count("/")
        crumbs = re.findall(r'class="md-path__link"><span class="md-ellipsis">([^<]+)</span>', page)
        if depth >= 2:  # a page below a section: Start, the section, the folders between
            assert crumbs[:2] == ["Start", active[0]], (kind, crumbs)
        else:
            assert not crumbs, (kind, crumbs)
    crumbs = re.findall(
        r'class="md-path__link"><span class="md-ellipsis">([^<]+)</span>',
        (site / PAGE_KINDS["evaluation"]).read_text(encoding="utf-8"),
    )
    assert crumbs == ["Start", "Kommuner", "Karlskoga – kommun"], crumbs


class _Cells(HTMLParser):
    """Every table cell of a page: (tag, classes, text), and whether it sits in a kk-data table."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, str, str, bool]] = []
        self._cell: list | None = None
        self._tables: list[bool] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table":
            self._tables.append("kk-data" in (attributes.get("class") or ""))
        elif tag in ("td", "th") and self._tables:
            self._cell = [tag, attributes.get("class") or "", "", self._tables[-1]]

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append((self._cell[0], self._cell[1], self._cell[2].strip(), self._cell[3]))
            self._cell = None
        elif tag == "table" and self._tables:
            self._tables.pop()

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[2] += data


_NUMBER_CELL = re.compile(r"[−-]?\d+(?:,\d+)?(?: %)?")


def test_tables_read_like_tables(site):
    """Headers are never empty; in the generated tables numbers are right-aligned (kk-num) and text is not."""
    checked = 0
    for path in sorted(site.rglob("*.html")):
        parser = _Cells()
        parser.feed(path.read_text(encoding="utf-8"))
        for tag, classes, text, generated in parser.cells:
            if tag == "th":
                assert text, f"{path}: an empty table header"
            if generated and tag == "td":
                checked += 1
                if _NUMBER_CELL.fullmatch(text):
                    assert "kk-num" in classes, f"{path}: number {text!r} not right-aligned"
                elif text and not re.search(r"\d", text) and text != "–":
                    assert "kk-num" not in classes, f"{path}: text {text!r} right-aligned"
    assert checked > 500
