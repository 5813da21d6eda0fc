"""Build: generate the docs folder from the data, then let MkDocs build the site.

Generation writes only files whose bytes changed and removes files no longer
generated, so a live preview reloads quickly and untouched files keep their
modification time. Invalid data stops the build before anything is written.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .problems import Level, Problem

ROOT = Path(__file__).resolve().parent.parent
CONFIG_FILE = ROOT / "mkdocs.yml"
DOCS_DIR = ROOT / "build" / "docs"
CONTENT_DIR = ROOT / "content"
DATA_ENV = "KOMMUNKOMPASSEN_DATA"


class DataError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{sum(p.level is Level.ERROR for p in problems)} error(s) in the data")
        self.problems = problems


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int


def generate(data_dir: Path, docs_dir: Path = DOCS_DIR, content_dir: Path = CONTENT_DIR) -> WriteReport:
    """load -> validate -> aggregate -> render -> write; raises DataError on invalid data."""
    from .aggregate import aggregate
    from .problems import has_errors
    from .render import render_site
    from .validate import validate_folder

    dataset, problems = validate_folder(data_dir)
    if has_errors(problems):
        raise DataError(problems)
    files = render_site(aggregate(dataset), content_dir)
    return write_tree(files, docs_dir)


def write_tree(files: dict[str, bytes], folder: Path) -> WriteReport:
    folder.mkdir(parents=True, exist_ok=True)
    written, unchanged = [], 0
    for relative, content in sorted(files.items()):
        target = folder / relative
        try:
            if target.read_bytes() == content:
                unchanged += 1
                continue
        except OSError:
            target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(content)
        os.replace(temporary, target)
        written.append(relative)
    removed = []
    for path in sorted(folder.rglob("*"), reverse=True):
        relative = path.relative_to(folder).as_posix()
        if path.name.startswith("."):
            continue
        if path.is_file() and relative not in files:
            path.unlink()
            removed.append(relative)
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return WriteReport(tuple(written), tuple(removed), unchanged)


def source_date_epoch() -> str:
    """The commit's date, so that two builds of one commit are identical; never the clock."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    try:
        result = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True, check=True)
        return result.stdout.strip() or "0"
    except (OSError, subprocess.CalledProcessError):
        return "0"


def build_site(data_dir: Path, site_dir: Path, run_mkdocs: bool = True, docs_dir: Path = DOCS_DIR) -> int:
    """`kommunkompassen build`: exit 0 on success, 1 on invalid data or a failed build."""
    os.environ[DATA_ENV] = str(data_dir.resolve())
    os.environ["SOURCE_DATE_EPOCH"] = source_date_epoch()
    try:
        report = generate(data_dir, docs_dir)
    except DataError as exc:
        _print_problems(exc.problems)
        print("build stopped: fix the errors above; nothing was written", file=sys.stderr)
        return 1
    print(f"generated {len(report.written)} changed file(s), removed {len(report.removed)}, {report.unchanged} unchanged", file=sys.stderr)
    if not run_mkdocs:
        return 0
    return _mkdocs_build(site_dir.resolve(), docs_dir.resolve())


def _mkdocs_build(site_dir: Path, docs_dir: Path) -> int:
    """Build into a fresh folder beside the target and swap it in only when complete."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.", dir=site_dir.parent))
    try:
        config = load_config(str(CONFIG_FILE), site_dir=str(staging), docs_dir=str(docs_dir), strict=True)
        build(config)
    except (MkDocsException, SystemExit) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if site_dir.exists():
        shutil.rmtree(site_dir)
    os.replace(staging, site_dir)
    print(f"site built in {site_dir}", file=sys.stderr)
    return 0


def serve_site(data_dir: Path, dev_addr: str) -> int:
    from mkdocs.commands.serve import serve

    # Show MkDocs' messages and ours (data errors with file:line) while serving.
    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s - %(message)s")

    os.environ[DATA_ENV] = str(data_dir.resolve())
    os.environ["SOURCE_DATE_EPOCH"] = source_date_epoch()
    serve(str(CONFIG_FILE), dev_addr=dev_addr, livereload=True, watch=[str(data_dir.resolve())])
    return 0


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem.plain(), file=sys.stderr)
