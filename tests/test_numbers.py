"""Numbers and words a citizen can trust (issue 13), checked on the site built from the real data.

The printed total leads; no statistic of fewer than three evaluations; every statistic says what
it is computed over; revisions stay apart; clean Swedish; sources a reader can find; data files
with decimal points and a workbook that holds the same rows as the CSVs.
"""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

import pytest

from generator import aggregate as ag
from generator.site import urls
from generator.site.build import load_data
from generator.site.workbook import read_sheets
from tests.conftest import DATA, build


def visible(path: Path) -> str:
    """The text a reader sees in a page's article (tags dropped, entities decoded, spaces collapsed)."""
    page = path.read_text(encoding="utf-8")
    if "<article" in page:
        page = page.split("<article", 1)[1].split("</article>", 1)[0]
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html.unescape(page).split())


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


@pytest.fixture(scope="module")
def portal() -> ag.Portal:
    return ag.aggregate(load_data(DATA)[0])


# ---------------------------------------------------------------- 1. the printed total leads


def test_kalix_2012_leads_with_the_printed_total_and_gives_the_sums_beside_it(site):
    text = visible(site / "kommuner/kalix/2012/index.html")
    assert text.index("Totalpoäng: 415 av 800") < text.index("Om utvärderingen")
    assert "Totalpoäng: 413" not in text
    sums = text[text.index("Summor av rapportens delar") :]
    assert sums.startswith("Summor av rapportens delar: De tryckta områdespoängen summerar till 413.")
    assert "Delfrågornas poäng summerar till 417." in sums[:200]
    # every list and table uses the same headline figure
    for page in ("index.html", "kommuner/index.html", "kommuner/kalix/index.html", "jamforelse/2010/index.html"):
        shown = visible(site / page)
        assert "415" in shown and "413 av" not in shown, page


def test_the_csv_leads_with_the_headline_and_keeps_the_sums_in_their_own_columns(site):
    rows = list(csv.DictReader((site / "data/evaluations.csv").open(encoding="utf-8", newline="")))
    kalix = next(r for r in rows if r["municipality"] == "Kalix")
    assert (
        kalix["total_points"],
        kalix["reported_total_points"],
        kalix["area_sum_points"],
        kalix["question_sum_points"],
    ) == ("415", "415", "413", "417")
    karlskoga_2003 = next(r for r in rows if r["municipality"] == "Karlskoga" and r["year"] == "2003")
    assert (karlskoga_2003["total_points"], karlskoga_2003["area_sum_points"]) == ("346", "346.5")
    karlskrona = next(r for r in rows if r["municipality"] == "Karlskrona")
    assert karlskrona["reported_total_points"] == "" and karlskrona["total_points"] == karlskrona["area_sum_points"]


def test_rankings_order_by_the_headline_total(portal):
    revision = portal.framework("2002")
    totals = [v.total for v in revision.evaluations]
    assert totals == sorted(totals, reverse=True)
    karlskoga_2003 = next(v for v in revision.evaluations if v.key == "karlskoga/2003")
    assert karlskoga_2003.total == 346 and karlskoga_2003.area_sum == 346.5


# ---------------------------------------------------------------- 2. no statistic of fewer than three


STATISTIC_WORDS = re.compile(r"\b(Plats \d+ av|Medelvärde\b|Median\b|Nedre kvartil|Övre kvartil|Rangordning|Spridning)")


def test_no_statistic_of_fewer_than_three_evaluations(site, portal):
    small = [s for s in portal.frameworks if not s.basis.enough]
    assert {s.framework.id for s in small} == {"2010", "2020"}  # the real data: 1 and 2 evaluations
    for stats in small:
        revision = stats.framework.id
        folders = [site / "jamforelse" / revision, *(site / "omraden" / revision / str(n) for n in range(1, 9))]
        folders += [site / urls.served(urls.evaluation(v.slug, v.year)) for v in stats.evaluations]
        for folder in folders:
            text = visible(folder / "index.html")
            found = [
                m.group(0)
                for m in STATISTIC_WORDS.finditer(text)
                if not text[m.start() - 40 : m.end() + 120].count("visas först")
            ]
            assert not found, (folder, found)
            assert not (folder / "rangordning.svg").exists() and not (folder / "spridning.svg").exists(), folder
        first = stats.evaluations[0]
        evaluation = visible(site / urls.served(urls.evaluation(first.slug, first.year)) / "index.html")
        count = f"{stats.basis.count} utvärdering{'ar' if stats.basis.count != 1 else ''}"
        assert f"webbplatsen har {count} enligt {stats.framework.name}" in evaluation
    # the profile chart of a lone evaluation has no mean drawn over its own line
    header = (site / "kommuner/kalix/2012/profil.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "Område,Kalix 2012"
    # the data files carry no rank either
    rows = list(csv.DictReader((site / "data/evaluations.csv").open(encoding="utf-8", newline="")))
    assert {r["rank_in_framework"] for r in rows if r["framework"] != "2002"} == {""}
    assert {r["evaluations_in_framework"] for r in rows if r["framework"] == "2020"} == {"2"}


def test_every_statistic_says_what_it_is_computed_over(site):
    basis = "7 utvärderingar av 6 kommuner, 2003–2009; Karlskoga 2003 och 2007 räknas var för sig"
    for page in ("omraden/2002/1/index.html", "omraden/index.html", "kommuner/fagersta/2009/index.html", "index.html"):
        assert basis in visible(site / page), page
    fagersta = visible(site / "kommuner/fagersta/2009/index.html")
    assert "Plats 3 av 7 utvärderingar enligt Kommunkompassen 2002 på webbplatsen (" + basis in fagersta
    method = visible(site / "metod/index.html")
    assert "minst tre utvärderingar" in method and f"minst {ag.LEARN_GAP:g} poäng lägre än medelvärdet" in method
    assert ag.MIN_STATISTICS == 3
    assert "Varje utvärdering räknas för sig." in method and "Karlskoga 2003 och 2007" in method


def test_the_printed_reference_is_shown_as_printed_with_its_source(site):
    text = visible(site / "kommuner/fagersta/2009/index.html")
    section = text[text.index("Referensvärden tryckta i rapporter") : text.index("Lär av andra")]
    assert "Median för alla hittills rapporterade svenska utvärderingar (2009): 463,5 poäng totalt." in section
    assert "Källa: Sveriges Kommuner och Landsting (SKL) 2009: Kommunkompassen. Analys av Fagersta kommun" in section
    assert "Tabell 1" in section


def test_learn_from_others_names_only_areas_well_below_the_mean(site, portal):
    for view in portal.evaluations:
        for lesson in view.learn_from:
            assert lesson.area.below_mean >= ag.LEARN_GAP
        if not portal.framework(view.framework.id).basis.enough:
            assert not view.learn_from
    learners = [v for v in portal.evaluations if v.learn_from]
    assert learners, "the real data has an evaluation well below the mean somewhere"
    view = learners[0]
    text = visible(site / urls.served(urls.evaluation(view.slug, view.year)) / "index.html")
    lesson = view.learn_from[0]
    assert f"{lesson.area.definition.number} {lesson.area.definition.name}" in text[text.index("Lär av andra") :]


# ---------------------------------------------------------------- 3. revisions stay apart


def test_no_column_mixes_totals_of_different_revisions(site, portal):
    page = (site / "kommuner/index.html").read_text(encoding="utf-8")
    head = page[page.index('id="kommuntabell"') :]
    headers = re.findall(r"<th scope=\"col\"[^>]*>([^<]*)</th>", head[: head.index("</thead>")])
    assert [h for h in headers if h.startswith("Totalpoäng")] == [
        f"Totalpoäng, {s.framework.name}" for s in portal.frameworks
    ]
    row = re.search(r"<tr><th scope=\"row\"><a [^>]*>Karlskoga</a></th>(.*?)</tr>", page).group(1)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row)[2:] == ["457,5 (2007)", "–", "536 (2022)"]


def test_a_municipality_history_shows_the_break_between_revisions(site):
    page = (site / "kommuner/karlskoga/index.html").read_text(encoding="utf-8")
    groups = re.findall(r'<th scope="rowgroup" colspan="4">([^<]*)</th>', page)
    assert groups == ["Revision: Kommunkompassen 2019/2020", "Revision: Kommunkompassen 2002"]
    assert "Poängen går inte att jämföra över ett revisionsbyte" in visible(site / "kommuner/karlskoga/index.html")
    history = (site / "kommuner/karlskoga/historik.csv").read_text(encoding="utf-8").splitlines()
    assert history[1:] == [
        "2003,Kommunkompassen 2002,346",
        "2007,Kommunkompassen 2002,457.5",
        "2022,Kommunkompassen 2019/2020,536",
    ]


# ---------------------------------------------------------------- 4. what a report says about itself


def test_a_report_calling_itself_the_first_is_shown_beside_the_portals_facts(site):
    text = visible(site / "kommuner/karlskoga/2022/index.html")
    facts = text[text.index("Ordning:") : text.index("Detaljnivå")]
    assert "kommunens utvärdering nr 1 enligt rapporten" in facts
    assert (
        "På webbplatsen: tidigare utvärderingar av Karlskoga: 2003 (Kommunkompassen 2002), 2007 (Kommunkompassen 2002)."
        in facts
    )
    assert "Rapportens egen uppgift räknar alltså inte med dem." in facts
    kalix = visible(site / "kommuner/kalix/2012/index.html")
    assert (
        "Tidigare utvärderingar enligt rapporten: 2003 På webbplatsen: inga tidigare utvärderingar av Kalix." in kalix
    )


# ---------------------------------------------------------------- 5. clean Swedish


DEFECTS = {
    "wrong plural": re.compile(r"(?<![\d,.])1 (utvärderingar|kommuner|guldstjärnor)\b|\b1 goda exempel"),
    "double parentheses": re.compile(r"\([^()]*\([^()]*\)\)"),
    "two names for one revision": re.compile(r"Revision \S+ års revidering|års revidering|Originalversionen \(2002\)"),
    "dangling dash": re.compile(r"\d–\s*[.,;)]"),
    "minus zero": re.compile(r"[−-]0(?![\d,.])"),
    "English": re.compile(r"Made with|Material for MkDocs|\bLearn from\b|\bRevision of\b"),
    "typo": re.compile(r"otouchad"),
    "internal file name": re.compile(r"\b\d{3}_[0-9a-f]{16}\.txt|Textkopia"),
}


def test_no_page_shows_the_wording_defects(site):
    problems = []
    for page in pages(site):
        text = visible(page)
        for name, pattern in DEFECTS.items():
            for match in pattern.finditer(text):
                problems.append(
                    (page.relative_to(site).as_posix(), name, text[max(0, match.start() - 40) : match.end() + 40])
                )
    assert not problems, problems[:10]
    footer = (site / "index.html").read_text(encoding="utf-8")
    assert "Made with" not in footer and "mkdocs-material" not in footer.split("<footer", 1)[1]


def test_one_name_per_revision_everywhere(site, portal):
    names = {s.framework.id: s.framework.name for s in portal.frameworks}
    assert names == {
        "2002": "Kommunkompassen 2002",
        "2010": "Kommunkompassen 2010",
        "2020": "Kommunkompassen 2019/2020",
    }
    labels = {s.framework.label for s in portal.frameworks}
    for page in pages(site):
        text = visible(page)
        for label in labels:
            assert label not in text, (page, label)
    navigation = (site / "index.html").read_text(encoding="utf-8")
    assert all(
        f">{name}<" in navigation.replace("\n", "").replace("  ", "") or name in navigation for name in names.values()
    )
    rows = list(csv.DictReader((site / "data/evaluations.csv").open(encoding="utf-8", newline="")))
    assert {(r["framework"], r["framework_name"]) for r in rows} == set(names.items())


def test_no_listing_page_only_says_it_is_empty(site, portal):
    for stats in portal.frameworks:
        for area in stats.areas:
            listing = site / "goda-exempel" / stats.framework.id / str(area.definition.number) / "index.html"
            assert listing.exists() == bool(area.practices), listing
    assert (site / "goda-exempel/guldstjarnor/index.html").exists() == any(
        p.practice.gold_star for p in portal.practices
    )
    listing = visible(site / "goda-exempel/index.html")
    assert "3 Politisk styrning och kontroll" not in listing  # Kalix 2012 names no practice in area 3


def test_a_municipality_only_cited_by_others_is_introduced_as_such(site):
    text = visible(site / "kommuner/jarfalla/index.html")
    assert text.index("Järfälla har inga egna resultat på webbplatsen.") < text.index("Fakta")
    assert "Goda exempel från kommunen" not in text
    assert "Kommuner som bara nämns i andra rapporter" in visible(site / "kommuner/index.html")


# ---------------------------------------------------------------- 6. sources a reader can find


def test_sources_are_cited_as_a_reader_can_find_them(site):
    page = (site / "kommuner/kalix/2012/index.html").read_text(encoding="utf-8")
    text = visible(site / "kommuner/kalix/2012/index.html")
    source = text[text.rindex("Poäng och uppgifter från rapporten") :]
    assert source.startswith(
        "Poäng och uppgifter från rapporten: Sveriges Kommuner och Landsting (SKL) 2012: "
        "Kommunkompassen. Analys av Kalix kommun , ”4. Översikt av poängfördelning”."
    )
    assert re.search(r'<a href="https&#58;//www.skl.se/kvalitet"|<a href="https://www.skl.se/kvalitet"', page)
    practice = visible(site / "goda-exempel/eftersnack/index.html")
    assert (
        "Källa: Sveriges Kommuner och Regioner (SKR) 2022: Kommunkompassen. Analys av Karlskoga kommun , ”Område 1 "
        in practice
    )
    assert "Översikt av poängfördelning" not in practice


# ---------------------------------------------------------------- 7. data that opens right


def _csv_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.csv"))


def test_every_csv_uses_the_decimal_point(site):
    files = _csv_files(site)
    assert len(files) > 40
    for path in files:
        for row in csv.reader(path.open(encoding="utf-8", newline="")):
            for cell in row:
                assert not re.fullmatch(r"[−-]?\d+,\d+", cell), (path, cell)
    overview = (site / "oversikt.csv").read_text(encoding="utf-8").splitlines()
    assert overview[1].startswith("Kommunkompassen 2002,7,") and "." in overview[1]


def test_the_workbook_holds_the_same_rows_as_the_csvs(site):
    sheets = read_sheets((site / "data/kommunkompassen.xlsx").read_bytes())
    for name in ("evaluations", "area_scores", "question_scores", "good_practices"):
        rows = list(csv.reader((site / f"data/{name}.csv").open(encoding="utf-8", newline="")))
        sheet = sheets[name]
        assert len(sheet) == len(rows) and sheet[0] == rows[0], name
        for row, values in zip(rows[1:], sheet[1:], strict=True):
            as_text = [
                ""
                if v is None
                else ("true" if v is True else "false" if v is False else (f"{v:g}" if isinstance(v, float) else v))
                for v in values
            ]
            assert as_text == row[: len(as_text)] and all(c == "" for c in row[len(as_text) :]), (name, row)
        numbers = [i for i, h in enumerate(rows[0]) if h in ("year", "total_points", "points")]
        assert numbers and all(
            isinstance(values[i], float) for values in sheet[1:] for i in numbers if values[i] is not None
        )
    described = {(r[0], r[1]) for r in sheets["kolumner"][1:]}
    for name in ("evaluations", "area_scores", "question_scores", "good_practices"):
        header = (site / f"data/{name}.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
        assert {(f"{name}.csv", h) for h in header} <= described


def test_the_workbook_is_byte_identical_between_builds(site, tmp_path):
    again = build(DATA, tmp_path)
    assert (again / "data/kommunkompassen.xlsx").read_bytes() == (site / "data/kommunkompassen.xlsx").read_bytes()
    import zipfile

    with zipfile.ZipFile(io.BytesIO((site / "data/kommunkompassen.xlsx").read_bytes())) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode("utf-8")
        assert "creator" not in core and "created" not in core and "modified" not in core


def test_the_data_page_explains_every_column_and_how_to_cite(site):
    text = visible(site / "data/index.html")
    for name in ("evaluations", "area_scores", "question_scores", "good_practices"):
        header = (site / f"data/{name}.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
        part = text[text.index(f"Kolumnerna: {name}.csv") :]
        for column in header:
            assert re.search(rf"\b{column}\b (text|tal|heltal|sant/falskt) \w", part), (name, column)
    assert "kommunkompassen.xlsx" in text
    version = re.search(r"Version (\w+), (\d{4}-\d\d-\d\d)\.", text)
    assert version, text[:500]
    assert f"Kommunkompassen – öppna resultat, version {version.group(1)} ({version.group(2)})." in text


def test_the_data_page_follows_the_commit_date_between_builds_in_one_process(tmp_path, monkeypatch):
    """The release is an input of the render like the records: a second build in the same process
    (the live preview, or the test session) with another commit date must not keep the first one's page."""
    dates = []
    for epoch, folder in (("86400", "a"), ("172800", "b")):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        monkeypatch.setenv("SOURCE_COMMIT", f"commit{epoch}")
        text = visible(build(DATA, tmp_path / folder) / "data/index.html")
        dates.append(re.search(r"Version (\w+), (\d{4}-\d\d-\d\d)\.", text).groups())
    assert dates == [("commit86400", "1970-01-02"), ("commit172800", "1970-01-03")]
