"""A portal replaces page texts with its own: `locale/sv.yaml` holds only the keys it changes,
which replace the package's texts of the same keys (issue 12, item 1). A key the package does
not have, a value of another kind or a placeholder the package's text does not fill in stops
the build at its file:line:col."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.errors import DataError
from generator.loader import link_message
from generator.site import build as b
from generator.site.cache import BuildCache
from generator.site.pages import locale, page_texts
from generator.site.texts import with_portal_texts
from generator.tools.init import write_portal
from generator.tools.synth import write_corpus
from tests.conftest import tree

NORWEGIAN = """\
# Only the keys this portal changes.
nav:
  municipalities: Kommuner i Norge
unit:
  municipality: [kommune, kommunar]
site:
  path: Her er du
"""


pytestmark = pytest.mark.usefixtures("plain_build_output")


@pytest.fixture
def portal(tmp_path: Path, monkeypatch) -> Path:
    """A new portal with four synthetic municipalities, the working folder."""
    folder = tmp_path / "portal"
    write_portal(folder)
    shutil.rmtree(folder / "evaluations")
    write_corpus(folder / "evaluations", 4, 2, 3)
    monkeypatch.chdir(folder)
    return folder


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _texts(portal: Path, text: str) -> Path:
    (portal / "locale").mkdir(exist_ok=True)
    path = portal / "locale" / "sv.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_portals_texts_replace_the_packages_in_the_built_site(capsys, portal: Path) -> None:
    _texts(portal, NORWEGIAN)
    code, _, err = run(capsys, "build")
    assert code == 0, err
    home = (portal / "site" / "index.html").read_text(encoding="utf-8")
    assert "Kommuner i Norge" in home and "Kommuner med resultat" not in home  # a template's text
    assert "4 kommunar" in home and "4 kommuner" not in home  # a count's noun, through the template filter
    evaluation = (portal / "site" / "kommuner" / "bjorknas" / "2022" / "index.html").read_text(encoding="utf-8")
    assert "4 utvärderingar av 4 kommunar" in evaluation  # a count's noun, made in Python (the statistics' basis)
    assert 'aria-label="Her er du"' in evaluation  # the breadcrumbs' label, which the plugin hands the theme
    assert "Områden och delfrågor" in home  # a text the portal does not change stays the package's


def test_a_site_without_portal_texts_is_what_the_package_texts_give(portal: Path, tmp_path: Path) -> None:
    data = portal / "evaluations"
    b.generate(data, tmp_path / "none")
    b.generate(data, tmp_path / "missing", locale_dir=portal / "locale")  # the folder does not exist
    assert page_texts(portal / "locale") is page_texts(None)  # the package's, read once per process
    _texts(portal, "nav:\n  municipalities: Kommuner med resultat\n")  # the package's own text, again
    b.generate(data, tmp_path / "same", locale_dir=portal / "locale")
    _texts(portal, NORWEGIAN)
    b.generate(data, tmp_path / "own", locale_dir=portal / "locale")
    assert tree(tmp_path / "missing") == tree(tmp_path / "none") == tree(tmp_path / "same")
    changed = {path for path, content in tree(tmp_path / "own").items() if tree(tmp_path / "none")[path] != content}
    assert "index.md" in changed and len(changed) > 1


def test_the_preview_follows_an_edit_of_the_portals_texts(portal: Path, tmp_path: Path) -> None:
    """The live preview keeps one BuildCache: an edited text must change the pages that show it,
    though the data, templates and page contexts are the same."""
    data, docs, texts = portal / "evaluations", tmp_path / "docs", portal / "locale"
    cache = BuildCache(next_build=True)
    b.generate(data, docs, locale_dir=texts, cache=cache)
    before = tree(docs)
    assert b.generate(data, docs, locale_dir=texts, cache=cache).written == ()
    _texts(portal, NORWEGIAN)
    report = b.generate(data, docs, locale_dir=texts, cache=cache)
    assert "index.md" in report.written and "kommuner/bjorknas/2022/index.md" in report.written
    assert "Kommuner i Norge" in (docs / "index.md").read_text(encoding="utf-8")
    b.generate(data, tmp_path / "fresh", locale_dir=texts)
    assert tree(docs) == tree(tmp_path / "fresh")  # what a build without the cache writes
    _texts(portal, NORWEGIAN.replace("Kommuner i Norge", "Kommunene"))
    assert b.generate(data, docs, locale_dir=texts, cache=cache).written == ("index.md",)
    (texts / "sv.yaml").unlink()
    b.generate(data, docs, locale_dir=texts, cache=cache)
    assert tree(docs) == before


def test_the_plugin_watches_the_texts_folder_its_option_names(portal: Path) -> None:
    config_file = portal / "mkdocs.yml"
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(text.replace("      data: evaluations\n", "      data: evaluations\n      locale: texter\n"))
    (portal / "texter").mkdir()
    (portal / "texter" / "sv.yaml").write_text("nav:\n  municipalities: Kommuner i Norge\n", encoding="utf-8")
    from generator.site.portal import find_portal

    found = find_portal(config_file)
    assert found.locale_dir == portal / "texter"
    config = b.load_portal_config(found)
    config = config.plugins.on_config(config)  # as MkDocs starts a build or the live preview
    assert str(portal / "texter") in config.watch
    report = b.build_site(None, None, run_mkdocs=False)
    assert isinstance(report, b.WriteReport)
    assert "Kommuner i Norge" in (portal / "build" / "docs" / "index.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("generate_only", [[], ["--generate-only"]])
def test_an_unknown_key_and_a_wrong_kind_stop_the_build_at_their_place(capsys, portal: Path, generate_only) -> None:
    _texts(portal, "nav:\n  municipalitis: Kommuner i Norge\nunit:\n  municipality: kommune\n")
    code, out, err = run(capsys, "build", *generate_only)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "locale/sv.yaml:2:3: error: sidtexterna har ingen nyckel `nav.municipalitis`, så texten skulle aldrig "
        "visas; menade du `municipalities`?",
        "locale/sv.yaml:4:17: error: `unit.municipality` är en text här men en lista bland paketets sidtexter; "
        "skriv den som en lista",
        "bygget stoppades: rätta felen ovan; ingenting skrevs",
    ]
    assert not (portal / "site").exists()


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "homee:\n  title: X\n",
            "locale/sv.yaml:1:1: error: sidtexterna har ingen nyckel `homee`, så texten skulle aldrig visas; "
            "menade du `home`?",
        ),
        (
            "nav: Kommuner\n",
            "locale/sv.yaml:1:6: error: `nav` är en text här men nycklar med värden bland paketets sidtexter; "
            "skriv den som nycklar med värden",
        ),
        (
            "unit:\n  municipality: [kommune]\n",
            "locale/sv.yaml:2:17: error: `unit.municipality` har 1 poster här men 2 bland paketets sidtexter; "
            "ge lika många",
        ),
        (
            "unit:\n  municipality: [kommune, {many: kommuner}]\n",
            "locale/sv.yaml:2:27: error: `unit.municipality[2]` är nycklar med värden här men en text bland "
            "paketets sidtexter; skriv den som en text",
        ),
        (
            "decimal_comma: ja\n",
            "locale/sv.yaml:1:16: error: `decimal_comma` är en text här men sant eller falskt (true/false) bland "
            "paketets sidtexter; skriv den som sant eller falskt (true/false)",
        ),
        (
            "stats:\n  basis: '{count} av {municipalities}'\n",
            "locale/sv.yaml:2:10: error: `stats.basis` använder platshållaren {count}, som aldrig fylls i här; "
            "texten kan använda {evaluations}, {municipalities}, {years}",
        ),
        (
            "nav:\n  data: 'Öppna data {'\n",
            "locale/sv.yaml:2:9: error: `nav.data` har en klammerparentes utan sin partner; skriv {{ eller }} "
            "för en klammer i texten",
        ),
        (
            "nav:\n  data: 'Öppna {data}'\n",
            "locale/sv.yaml:2:9: error: `nav.data` använder platshållaren {data}, som aldrig fylls i här; "
            "texten har inga platshållare",
        ),
        (
            "nav: [oops\n",
            "locale/sv.yaml:1:6: error: YAML-syntaxfel: hakparentesen som börjar här stängs aldrig; avsluta "
            "listan med ] på samma rad",
        ),
    ],
)
def test_each_refused_text_is_named_at_its_place(portal: Path, text: str, message: str) -> None:
    path = _texts(portal, text)
    with pytest.raises(DataError) as refused:
        with_portal_texts(locale(), Path("locale") / path.name)
    assert [p.plain() for p in refused.value.problems] == [message]


def test_a_text_may_leave_out_a_placeholder_and_use_doubled_braces(portal: Path) -> None:
    path = _texts(portal, "stats:\n  basis: '{evaluations} {{i alt}}'\n")
    texts = with_portal_texts(locale(), path)
    assert texts["stats"]["basis"] == "{evaluations} {{i alt}}"
    assert texts["stats"]["too_few"] == locale()["stats"]["too_few"] and texts["nav"] == locale()["nav"]
    assert locale()["stats"]["basis"] == "{evaluations} av {municipalities}, {years}"  # the package's, untouched


def test_a_link_in_the_texts_folder_stops_the_build(capsys, portal: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("nav:\n  data: Data\n", encoding="utf-8")
    (portal / "locale").mkdir()
    (portal / "locale" / "sv.yaml").symlink_to(outside)
    code, _, err = run(capsys, "build")
    assert code == 1
    assert f"{portal / 'locale' / 'sv.yaml'}:1:1: error: {link_message()}" in err.splitlines()
    assert not (portal / "site").exists()


def test_the_live_preview_shows_an_edited_text_as_a_full_build_would(portal: Path, tmp_path: Path) -> None:
    """Through the preview's own rebuild (generator.site.preview): the pages whose text changed are
    rendered again, and the served site is then what a build of the whole site makes."""
    from mkdocs.commands.build import build as mkdocs_build

    from generator.site.portal import find_portal
    from generator.site.preview import Preview

    url = "http://127.0.0.1:8765/"
    _texts(portal, NORWEGIAN)

    def config(out: Path):
        (out / "docs").mkdir(parents=True, exist_ok=True)
        return b.load_portal_config(
            find_portal(portal / "mkdocs.yml"), site_dir=str(out / "site"), docs_dir=str(out / "docs"), strict=True
        )

    first = config(tmp_path / "preview")
    first.plugins.on_startup(command="serve", dirty=True)
    preview = Preview(lambda: config(tmp_path / "preview"), url)
    preview.build(first)
    site = tmp_path / "preview" / "site"
    assert "Kommuner i Norge" in (site / "index.html").read_text(encoding="utf-8")
    _texts(portal, NORWEGIAN.replace("Kommuner i Norge", "Kommunene i Norge"))
    preview.build()
    preview.wait()
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Kommunene i Norge" in home and "Kommuner i Norge" not in home
    whole = config(tmp_path / "full")
    whole.site_url = url
    mkdocs_build(whole, serve_url=url)
    assert tree(site) == tree(tmp_path / "full" / "site")
    # The breadcrumbs' label is in the frame of every page, which no generated page holds.
    _texts(portal, NORWEGIAN.replace("Her er du", "Du er her"))
    preview.build()
    preview.wait()
    assert 'aria-label="Du er her"' in next(site.glob("kommuner/*/*/index.html")).read_text(encoding="utf-8")
    shutil.rmtree(tmp_path / "full")
    whole = config(tmp_path / "full")
    whole.site_url = url
    mkdocs_build(whole, serve_url=url)
    assert tree(site) == tree(tmp_path / "full" / "site")
