"""Issue 12, done when: in a fresh virtual environment, `pip install` of a clean clone (not
editable, the clone then deleted), `kommunkompassen init portal`, this repository's evaluations/
copied into it, `validate` and `build` succeed; and the same installed tool builds a copy of this
repository's portal into the site the editable build makes.

Slow (a virtual environment and a wheel, about a minute): the dependencies come from pip's
usual index and cache, never from this test's own environment (no --system-site-packages)."""

from __future__ import annotations

import os
import shutil
import subprocess
import venv
import zipfile
from pathlib import Path

import pytest

from generator.site.build import build_site
from tests.conftest import ROOT, tree

RELEASE = {"SOURCE_DATE_EPOCH": "1700000000", "SOURCE_COMMIT": "0123456789"}


def _run(command: list, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.mark.slow
def test_an_installed_wheel_makes_and_builds_a_portal_and_builds_this_one(tmp_path: Path, monkeypatch) -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs this repository's git checkout")
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "KOMMUNKOMPASSEN_LANG")}
    env = {**clean, **RELEASE}
    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(environment)
    python = environment / "bin" / "python"
    clone, wheels = tmp_path / "clone", tmp_path / "wheels"
    _run(["git", "clone", "--quiet", "--no-hardlinks", ROOT, clone], tmp_path, env)
    _run(
        [python, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", wheels, clone], tmp_path, env
    )  # as `pip install CLONE` builds it
    shutil.rmtree(clone)
    (wheel,) = wheels.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in (
        "generator/site/plugin.py",
        "generator/site/templates/evaluation.md.j2",
        "generator/site/locale/sv.yaml",
        "generator/site/overrides/partials/path.html",
        "generator/site/content/assets/kommunkompassen.css",
        "generator/site/content/metod/index.md",
        "generator/schemas/evaluation.schema.json",
        "generator/locale/messages.sv.yaml",
        "generator/review/filter_preview.py",
        "generator/tools/portal_template/dot-github/workflows/preview.yml",
        "generator/tools/portal_template/evaluations/_frameworks/2020.yaml",
        "generator/tools/synth_phrases.yaml",
    ):
        assert shipped in names, shipped

    _run([python, "-m", "pip", "install", "--quiet", wheel], tmp_path, env)
    tool = environment / "bin" / "kommunkompassen"

    work = tmp_path / "work"
    work.mkdir()
    _run([tool, "init", "portal"], work, env)
    portal = work / "portal"
    shutil.copytree(ROOT / "evaluations", portal / "evaluations", dirs_exist_ok=True)
    _run([tool, "validate"], portal, env)
    _run([tool, "build"], portal, env)
    assert (portal / "site" / "kommuner" / "karlskoga" / "2022" / "index.html").is_file()

    checkout = tmp_path / "checkout"  # this repository's portal: its config, data and own folders
    checkout.mkdir()
    shutil.copy2(ROOT / "mkdocs.yml", checkout / "mkdocs.yml")
    for folder in ("evaluations", "content", "overrides"):
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, checkout / folder)
    _run([tool, "build"], checkout, env)

    for name, value in RELEASE.items():
        monkeypatch.setenv(name, value)
    editable = tmp_path / "editable"
    assert (
        build_site(ROOT / "evaluations", editable / "site", docs_dir=editable / "docs", config_file=ROOT / "mkdocs.yml")
        == (editable / "site").resolve()
    )
    installed, made_here = tree(checkout / "site"), tree(editable / "site")
    assert len(installed) > 100
    assert sorted(set(installed) ^ set(made_here)) == []
    assert [name for name in sorted(installed) if installed[name] != made_here[name]] == []
