"""Reproducible builds: two builds of the same data are byte-identical, every file.

The second build runs in another process, with another hash seed and time zone,
from another working directory and a copy of the data in another place, so that
nothing that differs between two machines or two runs (set order, absolute paths,
local time, the clock) can reach the output unnoticed. Dates come from SOURCE_DATE_EPOCH, which CI
takes from the commit.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

from generator.site.build import build_site
from tests.conftest import tree

ROOT = Path(__file__).resolve().parents[1]
EPOCH = "1700000000"  # 2023-11-14T22:13:20Z


def differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    only_a = [f"only in the first build: {p}" for p in sorted(set(a) - set(b))]
    only_b = [f"only in the second build: {p}" for p in sorted(set(b) - set(a))]
    changed = [f"differs: {p}" for p in sorted(set(a) & set(b)) if a[p] != b[p]]
    return only_a + only_b + changed


def test_two_builds_are_byte_identical(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)

    first = tmp_path / "a"
    assert build_site(ROOT / "evaluations", first / "site", docs_dir=first / "docs") == (first / "site").resolve()

    second = tmp_path / "b"
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(ROOT / "evaluations", elsewhere / "data")
    env = {
        **os.environ,
        "SOURCE_DATE_EPOCH": EPOCH,
        "PYTHONHASHSEED": "12345",
        "TZ": "Pacific/Chatham",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    script = (
        "import sys; from pathlib import Path; from generator.site.build import build_site; "
        "build_site(Path('data'), Path(sys.argv[1]) / 'site', docs_dir=Path(sys.argv[1]) / 'docs', "
        "config_file=Path(sys.argv[2]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(second), str(ROOT / "mkdocs.yml")],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr

    site_a, site_b = tree(first / "site"), tree(second / "site")
    assert len(site_a) > 100
    assert differences(site_a, site_b) == []
    assert differences(tree(first / "docs"), tree(second / "docs")) == []


def test_dates_come_from_source_date_epoch(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert (
        build_site(ROOT / "evaluations", tmp_path / "site", docs_dir=tmp_path / "docs") == (tmp_path / "site").resolve()
    )
    header = (tmp_path / "site" / "sitemap.xml.gz").read_bytes()[:10]
    assert header[:2] == b"\x1f\x8b"
    midnight = int(EPOCH) // 86400 * 86400  # MkDocs dates pages by day: the day of SOURCE_DATE_EPOCH
    assert struct.unpack("<I", header[4:8])[0] == midnight, (
        "the gzip header holds the clock's time, not SOURCE_DATE_EPOCH's"
    )
