"""Shared fixtures: the real data, scratch copies of it, and the site built from it."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

from generator.site.build import build_site

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "evaluations"


@pytest.fixture(autouse=True)
def default_language(monkeypatch):
    """Commands speak Swedish unless a test asks for English (KOMMUNKOMPASSEN_LANG or --lang en)."""
    monkeypatch.delenv("KOMMUNKOMPASSEN_LANG", raising=False)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A scratch copy of the real data folder that a test may break."""
    target = tmp_path / "evaluations"
    shutil.copytree(DATA, target)
    return target


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the n-th line containing `needle`."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found in {path}")


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by its relative path: two folders are equal when these are."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def build(data_dir: Path, out: Path) -> Path:
    site = out / "site"
    assert build_site(data_dir, site, docs_dir=out / "docs", config_file=ROOT / "mkdocs.yml") == site.resolve()
    return site


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The site built from the repository's real data, once per test session."""
    return build(DATA, tmp_path_factory.mktemp("real"))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def served_site(site: Path):
    """The built site on a localhost port, as a static host would serve it."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def plain_build_output(monkeypatch):
    """Command output as in a terminal (not GitHub's annotations) and the site's date fixed."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
