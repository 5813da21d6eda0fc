"""Build: generate the docs folder from the data, then let MkDocs build the site.

Generation writes only files whose bytes changed and removes files no longer
generated, so a live preview reloads quickly and untouched files keep their
modification time. Invalid data stops the build before anything is written.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from collections.abc import Callable, Collection, Iterable

from generator.errors import DataError
from generator.messages import msg
from generator.loader import read_fast
from generator.problems import Pos, Problem, display_path, error

if TYPE_CHECKING:
    from generator import model as m
    from generator.site.pages import ChartsInProgress, RenderCache

ROOT = Path(__file__).resolve().parents[2]
CONFIG_FILE = ROOT / "mkdocs.yml"
DOCS_DIR = ROOT / "build" / "docs"
CONTENT_DIR = ROOT / "content"
OVERRIDES_DIR = ROOT / "overrides"
DATA_ENV = "KOMMUNKOMPASSEN_DATA"
# Written into every site `build` makes: only a folder holding it (or an empty one) is ever replaced.
SITE_MARKER = ".kommunkompassen-site"
SITE_MARKER_TEXT = "Built by `kommunkompassen build`; the next build replaces this whole folder.\n"


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int


def generate(data_dir: Path, docs_dir: Path = DOCS_DIR, content_dir: Path = CONTENT_DIR,
             timings: dict[str, float] | None = None, charts_later: bool = False) -> WriteReport:
    """load -> validate -> aggregate -> render -> write; raises DataError on invalid data.

    Each step remembers what it did in this process (see `_Cache`), so that after
    an edit the live preview re-reads only the changed files and re-renders only
    the pages whose inputs changed. The result is always what a fresh process
    would write. `timings`, when given, receives the seconds each step took.

    With `charts_later`, charts that are many enough to pay for a worker process
    are drawn by one while the caller goes on (MkDocs, which needs them only when
    it copies static files): `charts_in_progress` names their files and
    `finish_charts` waits for them and writes them.
    """
    finish_charts()
    with _collector_paused():
        return _generate(data_dir, docs_dir, content_dir, timings, charts_later)


def charts_in_progress(docs_dir: Path) -> tuple[str, ...]:
    """The chart files a worker is still drawing for this docs folder."""
    if _CACHE.drawing is None or _CACHE.drawing[1].resolve() != docs_dir.resolve():
        return ()
    return _CACHE.drawing[0].paths


def finish_charts() -> None:
    """Wait for the charts being drawn (if any) and write those that changed."""
    if _CACHE.drawing is None:
        return
    drawing, docs_dir = _CACHE.drawing
    _CACHE.drawing = None
    folder = str(docs_dir.resolve())
    state = _write_changed(drawing.finish(), docs_dir, _CACHE.written.get(folder, {}))[0]
    _CACHE.written.setdefault(folder, {}).update(state)


@contextmanager
def _collector_paused():
    """Python's cycle collector would walk the whole dataset again and again while
    millions of small objects are made (it tripled the time of aggregation). The
    records, views and caches are reference-counted trees that make (next to) no
    garbage cycles, so the collector is paused during a run, and what survives it
    is frozen (`gc.freeze`) so that the collector does not walk it afterwards
    either: it is still freed as soon as nothing refers to it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _generate(data_dir: Path, docs_dir: Path, content_dir: Path, timings: dict[str, float] | None,
              charts_later: bool) -> WriteReport:
    from generator.aggregate import aggregate
    from generator.site.pages import render_site, render_site_drawing_charts_later

    clock = _Clock(timings)
    dataset = check_data(data_dir, clock)
    check_copied_folders(content_dir)
    portal = aggregate(dataset)
    clock.lap("aggregate")
    if charts_later:
        files, drawing = render_site_drawing_charts_later(portal, content_dir, _CACHE.render)
    else:
        files, drawing = render_site(portal, content_dir, cache=_CACHE.render), None
    clock.lap("render")
    check_docs_folder(docs_dir)
    report = write_tree(files, docs_dir, coming=drawing.paths if drawing else ())
    if drawing is not None:
        _CACHE.drawing = (drawing, docs_dir)
    clock.lap("write")
    return report


def check_data(data_dir: Path, clock: _Clock | None = None) -> m.Dataset:
    """load -> validate: the dataset, or DataError with every problem. Remembered, like the rest."""
    if clock is None:  # called on its own, not as the start of `generate`
        with _collector_paused():
            return check_data(data_dir, _Clock(None))
    from generator.problems import has_errors
    from generator.validate import check_dataset

    dataset, problems = load_data(data_dir)
    clock.lap("load")
    problems = _CACHE.checked(dataset, problems, check_dataset)
    clock.lap("validate")
    if has_errors(problems):
        raise DataError(problems)
    return dataset


def check_copied_folders(content_dir: Path | None = None) -> None:
    """The folders the build copies into the site hold no symbolic links (DataError otherwise):
    a link could publish any file of the machine that builds."""
    from generator.loader import link_problems

    folders = (content_dir or CONTENT_DIR, OVERRIDES_DIR)
    problems = [p for folder in folders if folder.exists() or folder.is_symlink()
                for p in link_problems(folder)]
    if problems:
        raise DataError(problems)


def check_docs_folder(docs_dir: Path) -> None:
    """The folder the pages are written into is no symbolic link, nor is a folder above it in the
    project (a committed `build/docs` or `build` linking elsewhere): writing there removes every
    file the generator did not make, and MkDocs would publish the rest (DataError otherwise)."""
    from generator.loader import link_message

    path = Path(os.path.abspath(docs_dir))
    inside = path == ROOT or ROOT in path.parents
    for here in [path, *path.parents]:
        if inside and (here == ROOT or ROOT not in here.parents):
            break
        if here.is_symlink():
            raise DataError([error(Pos(display_path(here), 1, 1), link_message())])
        if not inside:
            break


class _Clock:
    def __init__(self, timings: dict[str, float] | None):
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now


# ---------------------------------------------------------------- loading, remembered per file


@dataclass(frozen=True)
class _FileResult:
    """What the loader made of one file: kept while the file's bytes stay the same."""

    raw: bytes | None
    problems: tuple[Problem, ...]  # refusals and schema problems
    records: tuple  # the records built from the document (none if it was refused)


class _Cache:
    """Everything `generate` remembers between runs in one process (the live preview)."""

    def __init__(self) -> None:
        self.files: dict[tuple[str, str, str], _FileResult] = {}
        self.frame: tuple | None = None  # (data folder, working folder, files found), frame dataset, its problems
        self._render: RenderCache | None = None
        self._checked: tuple[m.Dataset, list[Problem], list[Problem]] | None = None
        self.written: dict[str, dict[str, tuple]] = {}  # folder -> file -> bytes, size, mtime, inode, when recorded
        self.listings: dict[str, dict[str, tuple[int, int, list[tuple[str, bool]]]]] = {}  # folder -> subfolder -> mtime, when listed, entries
        self.drawing: tuple[ChartsInProgress, Path] | None = None  # charts a worker draws for a docs folder

    @property
    def render(self):
        if self._render is None:
            from generator.site.pages import RenderCache

            self._render = RenderCache()
        return self._render

    def checked(self, dataset: m.Dataset, problems: list[Problem], check: Callable) -> list[Problem]:
        """validate_folder's problems: the loader's plus the dataset checks, sorted and without repeats."""
        last = self._checked
        if last is not None and last[0] == dataset and last[1] == problems:
            return list(last[2])
        from generator.validate import combine

        result = combine(problems, check(dataset))
        self._checked = (dataset, problems, result)
        return list(result)


_CACHE = _Cache()


def load_data(root: Path) -> tuple[m.Dataset, list[Problem]]:
    """`loader.load_dataset(root)`, remembering each file's records by its bytes.

    The frame (which files there are, strays, missing registers) comes from the
    loader itself; each file is read with `read_fast` and checked against its
    schema only when its bytes changed, and unchanged files keep their record
    objects, which lets the renderer recognise unchanged pages cheaply.
    """
    from dataclasses import replace

    from generator import loader

    files = loader.find_data_files(root)
    listing = (str(root.resolve()), os.getcwd(), files)
    if _CACHE.frame is not None and _CACHE.frame[0] == listing:
        frame, problems = _CACHE.frame[1], list(_CACHE.frame[2])
    else:  # which files there are, strays and missing registers: as the loader says, without reading any file
        frame, problems = loader.load_dataset(root, read=lambda path, kind: (None, []))
        _CACHE.frame = (listing, frame, tuple(problems))
    kinds = ("framework", "municipalities", "sources", "reference", "evaluation")
    seen: dict[tuple[str, str, str], _FileResult] = {}
    records: dict[str, list] = {kind: [] for kind in kinds}
    groups = ((files.frameworks, "framework"), ([files.municipalities], "municipalities"), ([files.sources], "sources"),
              (files.references, "reference"), (files.evaluations, "evaluation"))
    for paths, kind in groups:
        for path in paths:
            if path is None:
                continue
            key = (str(path), listing[1], kind)  # with the working folder, the path a Pos shows
            try:
                raw: bytes | None = path.read_bytes()
            except OSError:
                raw = None  # read_document reports why
            result = _CACHE.files.get(key)
            if result is None or raw is None or result.raw != raw:
                document, refused = read_fast(path, kind, raw)
                found = list(refused)
                made: tuple = ()
                if document is not None:
                    schema_problems, made = loader.check_and_build(document)
                    found += schema_problems
                result = _FileResult(raw, tuple(found), made)
            if raw is not None:
                seen[key] = result
            problems.extend(result.problems)
            records[kind].extend(result.records)
    _CACHE.files = seen
    dataset = replace(
        frame,
        frameworks=tuple(records["framework"]),
        municipalities=tuple(records["municipalities"]),
        sources=tuple(records["sources"]),
        references=tuple(records["reference"]),
        evaluations=tuple(records["evaluation"]),
    )
    return dataset, problems


# ---------------------------------------------------------------- writing


def write_tree(files: dict[str, bytes], folder: Path, coming: Iterable[str] = ()) -> WriteReport:
    """Write the files whose bytes changed and remove the files no longer generated
    (other than those `coming`: charts still being drawn, see `finish_charts`).

    A file this process wrote or compared before is not read again if its new
    bytes equal the old and its size, modification time and inode are as they
    were (and that time was settled when it was recorded); every other file is
    compared with what is on disk.
    """
    folder.mkdir(parents=True, exist_ok=True)
    if str(folder.resolve()) not in _CACHE.written:
        _remove_links(folder)
    known = _CACHE.written.get(str(folder.resolve()), {})
    state, written, unchanged = _write_changed(files, folder, known)
    removed = _remove_others(folder, files.keys() | set(coming) if coming else files)
    _CACHE.written[str(folder.resolve())] = state
    return WriteReport(tuple(written), tuple(removed), unchanged)


def _write_changed(files: dict[str, bytes], folder: Path, known: dict[str, tuple]) -> tuple[dict[str, tuple], list[str], int]:
    """Write the files whose bytes differ from what is there; returns what is known of each, the
    files written and the number unchanged."""
    state: dict[str, tuple] = {}
    written, unchanged = [], 0
    made_dirs: set[str] = set()
    root = os.fspath(folder)
    for relative, content in sorted(files.items()):
        target = f"{root}/{relative}"
        before = known.get(relative)
        try:
            if before is not None and (before[0] is content or before[0] == content):
                stat = os.stat(target)
                if (stat.st_size, stat.st_mtime_ns, stat.st_ino) == before[1:4] and stat.st_mtime_ns < before[4] - _SETTLED_NS:
                    unchanged += 1
                    state[relative] = before if before[0] is content else (content, *before[1:])
                    continue
            recorded = time.time_ns()
            with open(target, "rb") as handle:
                same = handle.read() == content
                stat = os.fstat(handle.fileno())
            if same:
                unchanged += 1
                state[relative] = (content, stat.st_size, stat.st_mtime_ns, stat.st_ino, recorded)
                continue
        except OSError:
            parent = os.path.dirname(target)
            if parent not in made_dirs:
                os.makedirs(parent, exist_ok=True)
                made_dirs.add(parent)
        temporary = os.path.join(os.path.dirname(target), f".{os.path.basename(target)}.tmp")
        with open(temporary, "wb") as handle:
            handle.write(content)
        os.replace(temporary, target)
        stat = os.stat(target)
        state[relative] = (content, stat.st_size, stat.st_mtime_ns, stat.st_ino, time.time_ns())
        written.append(relative)
    return state, written, unchanged


def _remove_links(folder: Path) -> None:
    """The generator makes no symbolic links: any link in the docs folder (say, committed into
    build/docs) is removed before anything is written, so no write or removal goes through it."""
    from generator.loader import symbolic_links

    for link in symbolic_links(folder):
        if link != folder:
            link.unlink()


_SETTLED_NS = 1_000_000_000  # a file or folder changed this long before we looked cannot change unseen within one clock tick


def _remove_others(folder: Path, files: Collection[str]) -> list[str]:
    """Delete files not generated, then folders left empty; names starting with a dot are left alone.

    A folder whose modification time is what it was at the last look, and was
    already then well in the past (a change within the same clock tick would
    not move it), has the same entries, so only changed folders are listed again.
    """
    root = str(folder.resolve())
    listings = _CACHE.listings.get(root, {})
    seen_listings: dict[str, tuple[int, int, list[tuple[str, bool]]]] = {}
    strays: list[tuple[str, ...]] = []  # files to remove
    folders: list[tuple[str, ...]] = []
    children: dict[tuple[str, ...], int] = {}

    def walk(path: str, parts: tuple[str, ...]) -> None:
        mtime = os.stat(path).st_mtime_ns
        known = listings.get(path)
        if known is not None and known[0] == mtime and mtime < known[1] - _SETTLED_NS:
            entries = known[2]
            seen_listings[path] = known
        else:
            listed_at = time.time_ns()
            with os.scandir(path) as listing:
                entries = [(entry.name, entry.is_dir(follow_symlinks=False)) for entry in listing]
            seen_listings[path] = (mtime, listed_at, entries)
        children[parts] = len(entries)
        for name, is_dir in entries:
            here = parts + (name,)
            if is_dir:
                folders.append(here)
                walk(os.path.join(path, name), here)
            elif not name.startswith(".") and "/".join(here) not in files:
                strays.append(here)

    walk(str(folder), ())
    removed: list[str] = []
    if strays or any(count == 0 for parts, count in children.items() if parts):
        for parts in sorted(strays + folders, reverse=True):  # files before the folders holding them
            if parts[-1].startswith("."):
                continue
            path = os.path.join(folder, *parts)
            if parts in children:  # a folder
                if children[parts] == 0:
                    os.rmdir(path)
                    children[parts[:-1]] -= 1
                    seen_listings.pop(path, None)
            else:
                os.unlink(path)
                removed.append("/".join(parts))
                children[parts[:-1]] -= 1
        for parts in {p[:-1] for p in strays} | {p[:-1] for p in folders if p not in children or children[p] == 0}:
            seen_listings.pop(os.path.join(folder, *parts) if parts else str(folder), None)  # listed again next time
    _CACHE.listings[root] = seen_listings
    return removed


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
    with _environment({DATA_ENV: str(data_dir.resolve()), "SOURCE_DATE_EPOCH": source_date_epoch()}):
        return _build_site(data_dir, site_dir, run_mkdocs, docs_dir)


@contextmanager
def _environment(values: dict[str, str]):
    """Set variables for the MkDocs hook and restore them after, so nothing leaks to the caller."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def site_dir_problem(site_dir: Path) -> str | None:
    """Why `build` must not replace `site_dir`, or None: it replaces only a site it built itself."""
    if site_dir.is_symlink():
        return msg("build.site_link", site_dir=site_dir)
    if not site_dir.exists():
        return None
    if not site_dir.is_dir():
        return msg("build.site_file", site_dir=site_dir)
    if (site_dir / SITE_MARKER).is_file() or not any(site_dir.iterdir()):
        return None
    return msg("build.site_foreign", site_dir=site_dir, marker=SITE_MARKER)


def _build_site(data_dir: Path, site_dir: Path, run_mkdocs: bool, docs_dir: Path) -> int:
    if run_mkdocs:
        refusal = site_dir_problem(site_dir)
        if refusal:
            print(msg("build.stopped_because", reason=refusal), file=sys.stderr)
            return 2
    try:
        if run_mkdocs:  # checked here, so that errors stop the build before MkDocs starts; its hook generates
            check_data(data_dir)
            check_copied_folders()
            check_docs_folder(docs_dir)
            docs_dir.mkdir(parents=True, exist_ok=True)  # MkDocs wants it before the hook runs
        else:
            report = generate(data_dir, docs_dir)
    except DataError as exc:
        _print_problems(exc.problems)
        print(msg("build.stopped"), file=sys.stderr)
        return 1
    if not run_mkdocs:
        print(msg("build.generated", written=len(report.written), removed=len(report.removed), unchanged=report.unchanged), file=sys.stderr)
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
        (staging / SITE_MARKER).write_text(SITE_MARKER_TEXT, encoding="utf-8")
    except (MkDocsException, SystemExit) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        print(msg("build.failed", detail=exc), file=sys.stderr)
        return 1
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    refusal = site_dir_problem(site_dir)  # again: the folder may have changed while MkDocs worked
    if refusal:
        shutil.rmtree(staging, ignore_errors=True)
        print(msg("build.stopped_because", reason=refusal), file=sys.stderr)
        return 2
    if site_dir.exists():
        shutil.rmtree(site_dir)
    os.replace(staging, site_dir)
    print(msg("build.built", site_dir=site_dir), file=sys.stderr)
    return 0


def serve_site(data_dir: Path, dev_addr: str) -> int:
    """`kommunkompassen serve`: the live preview. After an edit, the generator rewrites the pages
    whose content changed and MkDocs builds only those (its "dirty" build; the hook keeps the
    navigation, search index and tags as a full build would have them). The terminal shows the
    address, one line per build and the data's problems as `file:line:col: level: message`."""
    from mkdocs.commands.serve import serve

    _quiet_mkdocs_logging()
    os.environ[DATA_ENV] = str(data_dir.resolve())
    os.environ["SOURCE_DATE_EPOCH"] = source_date_epoch()
    _CACHE.render.track = True  # learn what each page reads, so that an edit re-renders only the pages it changes
    print(msg("serve.address", address=dev_addr),
          file=sys.stderr, flush=True)
    serve(str(CONFIG_FILE), dev_addr=dev_addr, livereload=True, build_type="dirty", watch=[str(data_dir.resolve())])
    return 0


class _PreviewFormat(logging.Formatter):
    """Our own lines (a build's summary, the data's problems) as they are; MkDocs' warnings with their level."""

    def format(self, record: logging.LogRecord) -> str:
        if record.name.startswith(("kommunkompassen", "mkdocs.hooks.kommunkompassen")):
            return record.getMessage()
        if record.getMessage().startswith("An error happened during the rebuild"):
            return msg("serve.kept")
        return f"{record.levelname}: {record.getMessage()}"


def _quiet_mkdocs_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_PreviewFormat())
    logging.getLogger().addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.WARNING)  # its routine INFO lines buried the address
    logging.getLogger("kommunkompassen").setLevel(logging.INFO)


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem.plain(), file=sys.stderr)
