"""`build` and `serve` raise the errors of generator/errors.py and print nothing themselves;
`kommunkompassen` shows each and maps it to its exit code (issue 12, item 5). Each case here
goes once through the library and once through the real command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cli import main
from generator.errors import BuildError, DataError, UsageError
from generator.site import build as b
from generator.site.portal import PortalError
from generator.site.preview import serve_site
from generator.tools.init import write_portal

YAML_ERROR = (
    "evaluations/_sources.yaml:1:10: error: YAML-syntaxfel: hakparentesen som börjar här stängs aldrig; "
    "avsluta listan med ] på samma rad"
)


pytestmark = pytest.mark.usefixtures("plain_build_output")


@pytest.fixture
def portal(tmp_path: Path, monkeypatch) -> Path:
    """A new portal (`kommunkompassen init`), the working folder: small, so that MkDocs runs in seconds."""
    write_portal(tmp_path / "portal")
    monkeypatch.chdir(tmp_path / "portal")
    return tmp_path / "portal"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


REASON = (
    "bygget misslyckades: Aborted with 1 warnings in strict mode! (MkDocs: Doc file 'extra.md' contains a link "
    "'saknas.md', but the target is not found among documentation files.)"
)


def _break_a_link(portal: Path) -> None:
    """A page of the portal's own linking to a page that does not exist: MkDocs' strict mode stops the build."""
    (portal / "content" / "extra.md").write_text("---\ntitle: Extra\n---\n\n[Saknas](saknas.md)\n", encoding="utf-8")


def test_a_failed_mkdocs_build_raises_build_error_and_leaves_the_last_site(capsys, portal: Path) -> None:
    assert b.build_site(None, None) == (portal / "site").resolve()
    before = sorted(p.relative_to(portal).as_posix() for p in (portal / "site").rglob("*"))
    capsys.readouterr()
    _break_a_link(portal)
    with pytest.raises(BuildError) as failed:
        b.build_site(None, None)
    assert str(failed.value) == REASON  # with MkDocs' own warning, which says which link
    assert "bygget" not in capsys.readouterr().err  # the library raises; the command prints
    assert sorted(p.relative_to(portal).as_posix() for p in (portal / "site").rglob("*")) == before
    assert sorted(p.name for p in portal.iterdir() if p.name.startswith(".site")) == []  # no staging folder left


def test_a_failed_mkdocs_build_exits_1_with_its_reason(capsys, portal: Path) -> None:
    _break_a_link(portal)
    code, out, err = run(capsys, "build")
    assert (code, out, err) == (1, "", REASON + "\n")
    assert not (portal / "site").exists()


def test_invalid_data_raises_data_error_with_the_problems(capsys, portal: Path) -> None:
    (portal / "evaluations" / "_sources.yaml").write_text("sources: [oops\n", encoding="utf-8")
    for generate_only in (False, True):
        with pytest.raises(DataError) as stopped:
            b.build_site(None, None, run_mkdocs=not generate_only)
        assert [p.plain() for p in stopped.value.problems] == [YAML_ERROR]
        assert str(stopped.value) == "bygget stoppades: rätta felen ovan; ingenting skrevs"
        assert capsys.readouterr().err == ""
    assert not (portal / "site").exists()


@pytest.mark.parametrize("generate_only", [[], ["--generate-only"]])
def test_invalid_data_exits_1_with_each_problem_then_what_it_stopped(capsys, portal: Path, generate_only) -> None:
    (portal / "evaluations" / "_sources.yaml").write_text("sources: [oops\n", encoding="utf-8")
    code, out, err = run(capsys, "build", *generate_only)
    assert (code, out) == (1, "")
    assert err.splitlines() == [YAML_ERROR, "bygget stoppades: rätta felen ovan; ingenting skrevs"]


def test_a_refused_site_folder_raises_usage_error(capsys, portal: Path) -> None:
    (portal / "site").mkdir()
    (portal / "site" / "thesis.txt").write_text("years of work", encoding="utf-8")
    with pytest.raises(UsageError) as refused:
        b.build_site(None, None)
    assert str(refused.value) == (
        "bygget stoppades: site är ingen webbplats som kommunkompassen byggt (filen "
        ".kommunkompassen-site saknas), så den ersätts inte; ange en tom eller ny mapp med --site-dir, "
        "eller ta bort mappen själv"
    )
    assert capsys.readouterr().err == ""
    code, out, err = run(capsys, "build")
    assert (code, out, err) == (2, "", f"{refused.value}\n")
    assert [p.name for p in (portal / "site").iterdir()] == ["thesis.txt"]


def test_no_portal_raises_portal_error(capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    reason = (
        "ingen portal här: mkdocs.yml finns inte; kör kommandot i portalens mapp, ange dess mkdocs.yml med -f, "
        "eller skapa en portal med `kommunkompassen init MAPP`"
    )
    for call in (lambda: b.build_site(None, None), lambda: serve_site(None, "127.0.0.1:0")):
        with pytest.raises(PortalError) as missing:
            call()
        assert str(missing.value) == reason
    assert capsys.readouterr().err == ""
    for command in ("build", "serve"):
        assert run(capsys, command) == (2, "", f"kommunkompassen {command}: {reason}\n")


def test_serve_without_the_plugin_raises_usage_error(capsys, portal: Path) -> None:
    config = portal / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("  - kommunkompassen:\n      data: evaluations\n", ""), encoding="utf-8")
    assert "kommunkompassen:" not in config.read_text(encoding="utf-8")
    with pytest.raises(UsageError) as refused:
        serve_site(None, "127.0.0.1:0")
    assert str(refused.value) == (
        "mkdocs.yml använder inte pluginen kommunkompassen; lägg till `- kommunkompassen` under `plugins:`"
    )
    assert capsys.readouterr().err == ""


def test_a_build_prints_only_through_the_command(capsys, portal: Path) -> None:
    assert b.build_site(None, None) == (portal / "site").resolve()
    pages = b.build_site(None, None, run_mkdocs=False)  # a build handed MkDocs the pages in memory
    assert isinstance(pages, b.WriteReport) and pages.written and all(p.endswith(".md") for p in pages.written)
    report = b.build_site(None, None, run_mkdocs=False)
    assert isinstance(report, b.WriteReport) and report.written == () and report.unchanged > 0
    assert capsys.readouterr().err == ""
    assert run(capsys, "build") == (0, "", f"webbplatsen byggd i {(portal / 'site').resolve()}\n")
    assert run(capsys, "build", "--generate-only") == (
        0,
        "",
        f"genererade {len(pages.written)} ändrade fil(er), tog bort 0, {pages.unchanged} oförändrade\n",
    )
