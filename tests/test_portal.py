"""A portal: the folder the tool works on, its own pages and overrides before the package's,
the MkDocs plugin that builds it, and `init`, which makes a new one (issue 12, items 1-3)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from mkdocs.plugins import get_plugins

from generator.cli import main
from generator.site import build as b
from generator.site.plugin import KommunkompassenPlugin
from tests.conftest import DATA, ROOT

pytestmark = pytest.mark.usefixtures("plain_build_output")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_plugin_is_registered_by_its_entry_point() -> None:
    assert get_plugins()["kommunkompassen"].load() is KommunkompassenPlugin


def test_a_build_loads_and_validates_the_data_once(tmp_path: Path, monkeypatch) -> None:
    """`kommunkompassen build` checks the data before MkDocs starts; the plugin's on_pre_build
    then uses what that wrote rather than load and validate again."""
    import generator.validate

    calls = {"load": 0, "validate": 0}
    real_load, real_check = b.load_data, generator.validate.check_dataset

    def counted_load(*args, **kwargs):
        calls["load"] += 1
        return real_load(*args, **kwargs)

    def counted_check(*args, **kwargs):
        calls["validate"] += 1
        return real_check(*args, **kwargs)

    from mkdocs.config.defaults import MkDocsConfig

    # A fresh plugin, so that no build before this one in the process has left it anything to remember.
    monkeypatch.setattr(MkDocsConfig.plugins, "plugin_cache", {})
    monkeypatch.setattr(b, "load_data", counted_load)
    monkeypatch.setattr(generator.validate, "check_dataset", counted_check)
    assert b.build_site(DATA, tmp_path / "site", docs_dir=tmp_path / "docs") == (tmp_path / "site").resolve()
    assert calls == {"load": 1, "validate": 1}
    assert (tmp_path / "site" / "kommuner" / "karlskoga" / "2022" / "index.html").is_file()


def _portal(folder: Path) -> Path:
    """A portal in `folder`: this repository's mkdocs.yml with `custom_dir: overrides`, a copy of the data."""
    (folder / "overrides").mkdir(parents=True)
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    (folder / "mkdocs.yml").write_text(
        text.replace("theme:\n  name: material\n", "theme:\n  name: material\n  custom_dir: overrides\n", 1),
        encoding="utf-8",
    )
    shutil.copytree(DATA, folder / "evaluations")
    return folder / "mkdocs.yml"


def test_a_portal_replaces_a_page_the_stylesheet_and_an_override_with_its_own(
    capsys, tmp_path: Path, monkeypatch
) -> None:
    config = _portal(tmp_path / "portal")
    (tmp_path / "portal" / "content" / "metod").mkdir(parents=True)
    (tmp_path / "portal" / "content" / "metod" / "index.md").write_text(
        "---\ntitle: Metod\n---\n\n# Vår egen metod\n", encoding="utf-8"
    )
    (tmp_path / "portal" / "content" / "assets").mkdir()
    (tmp_path / "portal" / "content" / "assets" / "kommunkompassen.css").write_text(
        "/* vår egen stil */\n", encoding="utf-8"
    )
    (tmp_path / "portal" / "content" / "om.md").write_text("# Om portalen\n", encoding="utf-8")
    (tmp_path / "portal" / "overrides" / "partials").mkdir()
    package_path = Path(b.__file__).parent / "overrides" / "partials" / "path.html"
    (tmp_path / "portal" / "overrides" / "partials" / "path.html").write_text(
        "<!-- portalens egen -->\n" + package_path.read_text(encoding="utf-8"), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path / "portal")  # the tool works on the portal it is run in

    code, _, err = run(capsys, "build")

    assert code == 0, err
    site = tmp_path / "portal" / "site"
    assert "Vår egen metod" in (site / "metod" / "index.html").read_text(encoding="utf-8")
    assert (site / "assets" / "kommunkompassen.css").read_text(encoding="utf-8") == "/* vår egen stil */\n"
    assert "Om portalen" in (site / "om" / "index.html").read_text(encoding="utf-8")
    assert "<!-- portalens egen -->" in (site / "kommuner" / "karlskoga" / "2022" / "index.html").read_text(
        encoding="utf-8"
    )
    for_evaluators = (site / "for-utvarderare" / "index.html").read_text(encoding="utf-8")  # the package's default page
    assert "För utvärderare" in for_evaluators and "sortable.js" in for_evaluators
    assert (site / "assets" / "sortable.js").read_bytes() == (
        Path(b.__file__).parent / "content" / "assets" / "sortable.js"
    ).read_bytes()
    assert config.is_file()


def test_a_portal_replaces_a_page_template_with_its_own_and_keeps_the_others(
    capsys, tmp_path: Path, monkeypatch
) -> None:
    _portal(tmp_path / "portal")
    templates = tmp_path / "portal" / "templates"
    templates.mkdir()
    package_template = Path(b.__file__).parent / "templates" / "municipality.md.j2"
    (templates / "municipality.md.j2").write_text(
        package_template.read_text(encoding="utf-8") + "\nKommunsidan i portalens egen mall.\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path / "portal")

    code, _, err = run(capsys, "build")

    assert code == 0, err
    site = tmp_path / "portal" / "site"
    assert "Kommunsidan i portalens egen mall." in (site / "kommuner" / "karlskoga" / "index.html").read_text(
        encoding="utf-8"
    )
    evaluation = (site / "kommuner" / "karlskoga" / "2022" / "index.html").read_text(encoding="utf-8")
    assert "portalens egen mall" not in evaluation and "Karlskoga" in evaluation  # the package's template

    (templates / "evaluation.md.j2").symlink_to(Path(b.__file__).parent / "templates" / "evaluation.md.j2")
    code, _, err = run(capsys, "build")
    assert code == 1 and "templates/evaluation.md.j2" in err  # a link could render any file of the machine


def test_commands_say_in_swedish_where_there_is_no_portal(capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "build")
    assert code == 2
    assert err.strip() == (
        "kommunkompassen build: ingen portal här: mkdocs.yml finns inte; kör kommandot i portalens mapp, "
        "ange dess mkdocs.yml med -f, eller skapa en portal med `kommunkompassen init MAPP`"
    )
    code, _, err = run(capsys, "validate", "-f", str(tmp_path / "nowhere.yml"))
    assert code == 2 and "ingen portal här:" in err


def test_validate_reads_the_data_folder_the_plugin_names(capsys, tmp_path: Path) -> None:
    config = _portal(tmp_path / "portal")
    config.write_text(
        config.read_text(encoding="utf-8").replace("data: evaluations", "data: resultat"), encoding="utf-8"
    )
    (tmp_path / "portal" / "evaluations").rename(tmp_path / "portal" / "resultat")
    (tmp_path / "portal" / "resultat" / "kalix" / "2012.yaml").write_text("year: [\n", encoding="utf-8")
    code, out, _ = run(capsys, "validate", "-f", str(config), "--format", "plain")
    assert code == 1 and f"{tmp_path / 'portal' / 'resultat' / 'kalix' / '2012.yaml'}:" in out


def test_init_makes_a_portal_that_validates_and_builds_at_once(capsys, tmp_path: Path, monkeypatch) -> None:
    code, out, _ = run(capsys, "init", str(tmp_path / "ny"))
    assert code == 0
    assert out.strip() == (
        f"skapade portalen i {tmp_path / 'ny'} (15 filer); gå dit och kör `kommunkompassen validate` "
        f"och `kommunkompassen build`"
    )
    portal = tmp_path / "ny"
    assert sorted(p.relative_to(portal).as_posix() for p in portal.rglob("*") if p.is_file()) == [
        ".github/workflows/deploy.yml",
        ".github/workflows/preview.yml",
        ".github/workflows/pull-request.yml",
        ".gitignore",
        ".pre-commit-config.yaml",
        "README.md",
        "build/docs/.gitkeep",
        "content/.gitkeep",
        "evaluations/_frameworks/2002.yaml",
        "evaluations/_frameworks/2010.yaml",
        "evaluations/_frameworks/2020.yaml",
        "evaluations/_municipalities.yaml",
        "evaluations/_sources.yaml",
        "mkdocs.yml",
        "requirements.txt",
    ]
    for name in ("2002.yaml", "2010.yaml", "2020.yaml"):  # the framework catalogue is this repository's
        assert (portal / "evaluations" / "_frameworks" / name).read_bytes() == (
            DATA / "_frameworks" / name
        ).read_bytes()
    assert (portal / "mkdocs.yml").read_bytes() == (
        ROOT / "mkdocs.yml"
    ).read_bytes()  # this repository is such a portal
    assert "kommunkompassen-open-results" in (portal / "requirements.txt").read_text(encoding="utf-8")
    monkeypatch.chdir(portal)
    code, out, err = run(capsys, "validate")
    assert code == 0 and out == "" and err.strip() == "0 fel (error), 0 varningar (warning)"
    code, _, err = run(capsys, "build")
    assert code == 0, err
    assert (portal / "site" / "index.html").is_file() and (portal / "site" / "metod" / "2020" / "index.html").is_file()


def test_init_never_overwrites(capsys, tmp_path: Path) -> None:
    target = tmp_path / "upptagen"
    target.mkdir()
    (target / "mkdocs.yml").write_text("site_name: min\n", encoding="utf-8")
    code, out, err = run(capsys, "init", str(target))
    assert code == 2 and out == ""
    assert err.strip() == (
        f"kommunkompassen init: {target} finns och är inte tom; init skriver aldrig över något: "
        "ange en ny eller tom mapp"
    )
    assert [p.name for p in target.iterdir()] == ["mkdocs.yml"]
    assert (target / "mkdocs.yml").read_text(encoding="utf-8") == "site_name: min\n"
    (tmp_path / "fil").write_text("x", encoding="utf-8")
    code, _, err = run(capsys, "init", str(tmp_path / "fil"))
    assert code == 2 and err.strip() == f"kommunkompassen init: {tmp_path / 'fil'} finns och är inte en mapp"
    (tmp_path / "tom").mkdir()
    assert run(capsys, "init", str(tmp_path / "tom"))[0] == 0  # an empty folder is fine


def test_the_packaged_catalogue_is_this_repositorys() -> None:
    from generator.tools.init import TEMPLATE

    packaged = sorted(p.name for p in (TEMPLATE / "evaluations" / "_frameworks").iterdir())
    assert packaged == sorted(p.name for p in (DATA / "_frameworks").iterdir())
    for name in packaged:
        assert (TEMPLATE / "evaluations" / "_frameworks" / name).read_bytes() == (
            DATA / "_frameworks" / name
        ).read_bytes()


def test_a_config_without_the_plugin_is_named_not_built_empty(capsys, tmp_path: Path) -> None:
    config = _portal(tmp_path / "portal")
    config.write_text(
        config.read_text(encoding="utf-8").replace("  - kommunkompassen:\n      data: evaluations\n", ""),
        encoding="utf-8",
    )
    reason = "mkdocs.yml använder inte pluginen kommunkompassen; lägg till `- kommunkompassen` under `plugins:`"
    code, _, err = run(capsys, "build", "-f", str(config))
    assert code == 1 and f"{config}:1:1: error: {reason}" in err.splitlines()
    assert not (tmp_path / "portal" / "site").exists()
    code, _, err = run(capsys, "serve", "-f", str(config))
    assert code == 2 and err.strip() == reason
