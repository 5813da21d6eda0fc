"""The live preview: after an edit only the affected pages are built again, and the site
is then what a full build makes of the same data (issue: live preview at the speed of thought)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import ROOT, tree
from mkdocs.commands.build import build as mkdocs_build

from generator.site.build import load_portal_config
from generator.site.portal import find_portal

EDITED = "karlskoga/2022.yaml"
EDITED_PAGE = "kommuner/karlskoga/2022/index.html"


def _edit_summary(data_dir: Path, marker: str) -> None:
    path = data_dir / EDITED
    text = path.read_text(encoding="utf-8")
    assert "\nsummary: " in text
    path.write_text(text.replace("\nsummary: ", f"\nsummary: {marker} ", 1), encoding="utf-8")


def _mkdocs(site: Path, docs: Path, dirty: bool, data: Path) -> None:
    """What `mkdocs build` (the plugin alone) makes of this repository's portal with `data`."""
    docs.mkdir(parents=True, exist_ok=True)
    config = load_portal_config(
        find_portal(ROOT / "mkdocs.yml"), data, site_dir=str(site), docs_dir=str(docs), strict=True
    )
    mkdocs_build(config, dirty=dirty)


def _html_written(site: Path, since: dict[str, int]) -> set[str]:
    return {name for name, mtime in since.items() if (site / name).stat().st_mtime_ns != mtime}


def test_partial_build_rebuilds_the_edited_page_and_equals_a_full_build(data_copy: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    preview, full = tmp_path / "preview", tmp_path / "full"
    _mkdocs(
        preview / "site", preview / "docs", dirty=True, data=data_copy
    )  # the preview's first build: an empty site, so every page
    pages = {
        p.relative_to(preview / "site").as_posix(): p.stat().st_mtime_ns for p in (preview / "site").rglob("*.html")
    }
    time.sleep(1.1)  # MkDocs compares modification times
    _edit_summary(data_copy, "Ändrad mening.")

    _mkdocs(preview / "site", preview / "docs", dirty=True, data=data_copy)
    _mkdocs(full / "site", full / "docs", dirty=False, data=data_copy)

    written = _html_written(preview / "site", pages)
    assert EDITED_PAGE in written
    assert "kommuner/karlskrona/2022/index.html" not in written
    nav_pages = {
        "index.html",
        "404.html",
        "kommuner/index.html",
        "omraden/index.html",
        "omraden/jamforbarhet/index.html",
        "goda-exempel/index.html",
        "jamforelse/index.html",
        "metod/index.html",
        "metod/2002/index.html",
        "metod/2010/index.html",
        "metod/2020/index.html",
        "data/index.html",
        "for-utvarderare/index.html",
    }
    assert written <= nav_pages | {EDITED_PAGE}, written - nav_pages  # a summary shows on its own page only
    assert len(pages) > 100
    assert "Ändrad mening." in (preview / "site" / EDITED_PAGE).read_text(encoding="utf-8")
    assert tree(preview / "site") == tree(full / "site")  # search index included


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def _wait_for(url: str, needle: bytes, seconds: float) -> bytes:
    deadline = time.monotonic() + seconds
    while True:
        try:
            body = _get(url)
            if needle in body:
                return body
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{needle!r} did not appear at {url} within {seconds} s")
        time.sleep(0.2)


def _start_serve(data: Path, log: Path, cwd: Path = ROOT) -> tuple[subprocess.Popen, int]:
    """`kommunkompassen serve` of `data` in a process of its own on a free port, its output in `log`."""
    port = _free_port()
    with open(log, "w", encoding="utf-8") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--data", str(data), "--dev-addr", f"127.0.0.1:{port}"],
            cwd=cwd,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"},
        )
    return server, port


def test_serve_shows_an_edit_and_says_what_it_rebuilt_in_one_line(data_copy: Path, tmp_path: Path):
    log = tmp_path / "serve.log"
    server, port = _start_serve(data_copy, log)
    try:
        page = f"http://127.0.0.1:{port}/{EDITED_PAGE.removesuffix('index.html')}"
        _wait_for(page, b"<h1", 120)
        served_index = _get(f"http://127.0.0.1:{port}/search/search_index.json")
        _edit_summary(data_copy, "Synlig efter sparning.")
        _wait_for(page, b"Synlig efter sparning.", 60)
        time.sleep(2.5)  # time for a second build, which the generator's own writes must not start
        assert _get(f"http://127.0.0.1:{port}/search/search_index.json") != served_index
    finally:
        server.terminate()
        server.wait(timeout=20)
    lines = log.read_text(encoding="utf-8").splitlines()
    assert (
        lines[0]
        == f"Förhandsvisning på http://127.0.0.1:{port}/ – sidan laddas om när du sparar en fil. Avsluta med Ctrl+C."
    )
    assert any(line.startswith("Byggt på ") and line.endswith(" sidor") for line in lines), lines
    rebuilt = [line for line in lines if line.startswith("Byggt om på ")]
    assert len(rebuilt) == 1, lines  # one save, one build
    # the edited page shown first, then everything else (other pages, data files, search index)
    assert re.fullmatch(r"Byggt om på \d+,\d s: kommuner/karlskoga/2022/ \(allt klart efter \d+,\d s\)", rebuilt[0])
    assert not any(line.startswith("INFO") for line in lines), lines  # MkDocs' routine lines are quiet


def test_serve_shows_a_data_error_as_file_line_col(data_copy: Path, tmp_path: Path):
    log = tmp_path / "serve.log"
    server, port = _start_serve(data_copy, log)
    try:
        _wait_for(f"http://127.0.0.1:{port}/", b"<h1", 120)
        with open(data_copy / EDITED, "a", encoding="utf-8") as broken:
            broken.write("municipality: [\n")
        deadline = time.monotonic() + 30
        while "Sidorna visas som förut" not in log.read_text(encoding="utf-8") and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=20)
    text = log.read_text(encoding="utf-8")
    shown = str(data_copy / EDITED) if not str(data_copy).startswith(str(ROOT)) else EDITED
    assert any(line.startswith(f"{shown}:") and ": error: " in line for line in text.splitlines()), text
    assert "Traceback" not in text
    assert "Sidorna visas som förut tills felen ovan är rättade" in text  # in Swedish, not MkDocs' English line
    assert "An error happened" not in text


def test_serve_starts_in_a_portal_that_was_never_built(data_copy: Path, tmp_path: Path):
    """An evaluator's first command in a fresh clone or a new portal may be `serve`: there is no
    build/docs yet, which MkDocs refuses in a config (it failed as an internal error)."""
    portal = tmp_path / "portal"
    portal.mkdir()
    shutil.copy2(ROOT / "mkdocs.yml", portal / "mkdocs.yml")
    assert not (portal / "build").exists()
    log = tmp_path / "serve.log"
    server, port = _start_serve(data_copy, log, cwd=portal)
    try:
        _wait_for(f"http://127.0.0.1:{port}/{EDITED_PAGE.removesuffix('index.html')}", b"<h1", 120)
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert "internt fel" not in log.read_text(encoding="utf-8")
    assert (portal / "build" / "docs" / "index.md").is_file()
