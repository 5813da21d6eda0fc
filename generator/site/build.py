"""Build: generate the docs folder from the data, then let MkDocs build the site.

Generation writes only files whose bytes changed and removes files no longer
generated, so a live preview reloads quickly and untouched files keep their
modification time. Invalid data stops the build before anything is written.
"""

from __future__ import annotations

import gc
import logging
import os
import posixpath
import shutil
import tempfile
import time
from collections.abc import Callable, Collection, Iterable
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from generator.errors import BuildError, DataError, UsageError
from generator.loader import read_document
from generator.messages import msg
from generator.problems import Pos, Problem, display_path, error
from generator.site.cache import BuildCache, FileResult
from generator.site.datafiles import git_output

if TYPE_CHECKING:
    from generator import aggregate as ag
    from generator import model as m
    from generator.site.portal import Portal

T = TypeVar("T")

# Written into every site `build` makes: only a folder holding it (or an empty one) is ever replaced.
SITE_MARKER = ".kommunkompassen-site"
SITE_MARKER_TEXT = "Built by `kommunkompassen build`; the next build replaces this whole folder.\n"


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int


def generate(
    data_dir: Path,
    docs_dir: Path,
    content_dir: Path | None = None,
    timings: dict[str, float] | None = None,
    charts_later: bool = False,
    overrides_dir: Path | None = None,
    root: Path | None = None,
    cache: BuildCache | None = None,
    templates_dir: Path | None = None,
    locale_dir: Path | None = None,
    data_later: bool = False,
    pages_in_memory: bool = False,
) -> WriteReport:
    """load -> validate -> aggregate -> render -> write; raises DataError on invalid data.

    `content_dir` holds the portal's own pages (a file there replaces the package's default of
    the same name), `templates_dir` its own page templates (one there replaces the package's of
    the same name), `locale_dir` its own page texts (`sv.yaml`, whose keys replace the package's
    texts of the same keys; DataError for a key the package lacks), `overrides_dir` its Material
    overrides (all four checked for links) and `root` its folder (no folder from it down to
    `docs_dir` may be a link).

    With a `cache` kept by the caller from the last run (see `site.cache`), an
    edit in the live preview re-reads only the changed files and re-renders only
    the pages whose context changed; the result is always what a run without one
    writes. `timings`, when given, receives the seconds each step took.

    With `charts_later`, charts that are many enough to pay for a worker process
    are drawn by one while the caller goes on (MkDocs, which needs them only when
    it copies static files): `charts_in_progress` names their files and
    `finish_charts` waits for them and writes them.

    With `data_later` (the live preview), the data files (data/ and each evaluation's own) are
    left as the last build wrote them, to be brought up to date by `finish_data_files` once the
    edited pages are shown.

    With `pages_in_memory` (a one-off build by MkDocs), the Markdown pages are not written into the
    docs folder but kept for MkDocs to read from memory (`take_pages_in_memory`); any left there by
    an earlier run are removed. Writing thousands of new files cost a second at 100 x 3, and MkDocs
    only read them back.
    """
    cache = BuildCache(next_build=False) if cache is None else cache  # no next build to keep pages for
    finish_charts(cache)
    finish_data_files(cache)
    with _collector_paused():
        return _generate(
            data_dir,
            docs_dir,
            content_dir,
            timings,
            charts_later,
            overrides_dir,
            root,
            cache,
            templates_dir,
            locale_dir,
            data_later,
            pages_in_memory,
        )


@dataclass(frozen=True)
class EditedFirst:
    """A live-preview generation in two steps (`generate_edited_first`)."""

    report: WriteReport | None  # the edited municipalities' pages, written; None if none could go first
    rest: Callable[[], WriteReport]  # renders and writes everything, as `generate` with `data_later` does


def generate_edited_first(
    data_dir: Path,
    docs_dir: Path,
    cache: BuildCache,
    content_dir: Path | None = None,
    overrides_dir: Path | None = None,
    root: Path | None = None,
    templates_dir: Path | None = None,
    locale_dir: Path | None = None,
) -> EditedFirst:
    """`generate` for the live preview, the edited pages first: after a save of evaluation files alone
    (see `BuildCache.edited`), the pages of their municipalities (its page and its evaluations') are
    rendered and written at once, from the whole portal aggregated anew; `rest` then renders and writes
    every file, as `generate` with `data_later` does (those pages are known by then and not made again).
    At national size that rest takes seconds: the pages whose means or ranks moved, the listings. A
    save of anything else, or one that adds, removes or renames a page, has no pages first. Raises
    DataError on invalid data, before anything is written."""
    from generator.site.pages import render_edited_first

    finish_charts(cache)
    finish_data_files(cache)
    clock = _Clock(None)
    with _collector_paused():
        portal = _checked_portal(
            data_dir, docs_dir, root, cache, clock, content_dir, overrides_dir, templates_dir, locale_dir
        )
        first = render_edited_first(portal, cache, templates_dir, locale_dir)
        report = None if first is None else _write_first(first, docs_dir, cache)

    def rest() -> WriteReport:
        with _collector_paused():
            return _render_and_write(
                portal, docs_dir, content_dir, clock, True, cache, templates_dir, locale_dir, data_later=True
            )

    return EditedFirst(report, rest)


def _write_first(files: dict[str, bytes], docs_dir: Path, cache: BuildCache) -> WriteReport:
    """The pages made first, written where they differ from what is there (nothing is removed)."""
    folder = str(docs_dir.resolve())
    state, written, unchanged = _write_changed(files, docs_dir, cache.written.get(folder, {}))
    cache.written.setdefault(folder, {}).update(state)
    return WriteReport(tuple(written), (), unchanged)


def take_pages_in_memory(docs_dir: Path, cache: BuildCache) -> dict[str, bytes]:
    """The Markdown pages that the last generation for this docs folder kept in memory rather than
    write (`generate` with `pages_in_memory`), by their path in it; handed over once."""
    pages = _held_for(cache.pages_in_memory, docs_dir)
    if pages is None:
        return {}
    cache.pages_in_memory = None
    return pages


def charts_in_progress(docs_dir: Path, cache: BuildCache) -> tuple[str, ...]:
    """The chart files a worker is still drawing for this docs folder."""
    drawing = _held_for(cache.drawing, docs_dir)
    return () if drawing is None else drawing.paths


def _held_for(held: tuple[T, Path] | None, docs_dir: Path) -> T | None:
    """What the cache holds for a docs folder (`held`: the thing and its folder) if it is for this one."""
    return held[0] if held is not None and held[1].resolve() == docs_dir.resolve() else None


def finish_charts(cache: BuildCache) -> None:
    """Wait for the charts being drawn (if any) and write those that changed."""
    if cache.drawing is None:
        return
    drawing, docs_dir = cache.drawing
    cache.drawing = None
    folder = str(docs_dir.resolve())
    state = _write_changed(drawing.finish(), docs_dir, cache.written.get(folder, {}))[0]
    cache.written.setdefault(folder, {}).update(state)


def finish_data_files(cache: BuildCache) -> WriteReport:
    """Make and write the data files a build with `data_later` left as they were (if any):
    those whose bytes changed are written, those no longer made are removed."""
    if cache.data_later is None or cache.data_docs is None:
        return WriteReport((), (), 0)
    from generator.site.pages import render_data_files

    docs_dir, before = cache.data_docs, cache.data_paths or frozenset()
    with _collector_paused():
        files = render_data_files(cache) or {}
    folder = str(docs_dir.resolve())
    known = cache.written.setdefault(folder, {})
    state, written, unchanged = _write_changed(files, docs_dir, known)
    known.update(state)
    removed = sorted(before - files.keys())
    for relative in removed:
        known.pop(relative, None)
        with suppress(FileNotFoundError):
            os.unlink(docs_dir / relative)
    return WriteReport(tuple(written), tuple(removed), unchanged)


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


def _generate(
    data_dir: Path,
    docs_dir: Path,
    content_dir: Path | None,
    timings: dict[str, float] | None,
    charts_later: bool,
    overrides_dir: Path | None,
    root: Path | None,
    cache: BuildCache,
    templates_dir: Path | None,
    locale_dir: Path | None,
    data_later: bool = False,
    pages_in_memory: bool = False,
) -> WriteReport:
    clock = _Clock(timings)
    portal = _checked_portal(
        data_dir, docs_dir, root, cache, clock, content_dir, overrides_dir, templates_dir, locale_dir
    )
    return _render_and_write(
        portal,
        docs_dir,
        content_dir,
        clock,
        charts_later,
        cache,
        templates_dir,
        locale_dir,
        data_later,
        pages_in_memory,
    )


def _checked_portal(
    data_dir: Path, docs_dir: Path, root: Path | None, cache: BuildCache, clock: _Clock, *portal_folders: Path | None
) -> ag.Portal:
    """load -> validate -> aggregate, with the folders the build writes and copies checked (DataError otherwise)."""
    from generator.aggregate import aggregate

    dataset = check_data(data_dir, cache, clock)
    check_copied_folders(*portal_folders)
    portal = aggregate(dataset, cache.revision_part)
    clock.lap("aggregate")
    check_docs_folder(docs_dir, root)
    return portal


def _render_and_write(
    portal: ag.Portal,
    docs_dir: Path,
    content_dir: Path | None,
    clock: _Clock,
    charts_later: bool,
    cache: BuildCache,
    templates_dir: Path | None,
    locale_dir: Path | None,
    data_later: bool,
    pages_in_memory: bool = False,
) -> WriteReport:
    """render -> write: every file of the docs folder (the pages kept in memory instead, with `pages_in_memory`)."""
    from generator.site.pages import render_site, render_site_drawing_charts_later

    writer = TreeWriter(docs_dir, cache)
    write_now = None if cache.next_build else writer.write  # kept for no next build: written as made
    if charts_later or data_later:
        files, drawing = render_site_drawing_charts_later(
            portal, content_dir, cache, templates_dir, data_later=data_later, locale_dir=locale_dir, write_now=write_now
        )
    else:
        files = render_site(
            portal, content_dir, cache=cache, templates_dir=templates_dir, locale_dir=locale_dir, write_now=write_now
        )
        drawing = None
    clock.lap("render")
    coming = drawing.paths if drawing else ()
    cache.data_docs = docs_dir if cache.data_later is not None else None
    if cache.data_later is not None:  # left as they are until finish_data_files
        coming = (*coming, *(cache.data_paths or ()))
    if pages_in_memory:
        pages = {path: files.pop(path) for path in [path for path in files if path.endswith(".md")]}
        cache.pages_in_memory = (pages, docs_dir)
    writer.write(files)
    report = writer.finish(coming)
    if drawing is not None:
        cache.drawing = (drawing, docs_dir)
    clock.lap("write")
    return report


def check_data(data_dir: Path, cache: BuildCache | None = None, clock: _Clock | None = None) -> m.Dataset:
    """load -> validate: the dataset, or DataError with every problem. Remembered in `cache`, like the rest."""
    cache = BuildCache(next_build=False) if cache is None else cache
    if clock is None:  # called on its own, not as the start of `generate`
        with _collector_paused():
            return check_data(data_dir, cache, _Clock(None))
    from generator.problems import has_errors
    from generator.validate import check_dataset

    dataset, problems = load_data(data_dir, cache)
    clock.lap("load")
    problems = cache.validation(dataset, problems, check_dataset)
    clock.lap("validate")
    if has_errors(problems):
        raise DataError(problems)
    return dataset


def check_copied_folders(*portal_folders: Path | None) -> None:
    """The portal's folders the build copies or renders into the site (its pages, overrides,
    templates and texts) hold no symbolic links (DataError otherwise): a link could publish any file of the
    machine that builds."""
    from generator.loader import link_problems

    folders = [folder for folder in portal_folders if folder is not None]
    problems = [p for folder in folders if folder.exists() or folder.is_symlink() for p in link_problems(folder)]
    if problems:
        raise DataError(problems)


def make_docs_folder(docs_dir: Path, root: Path | None = None) -> None:
    """The docs folder, made if it is not there yet: MkDocs refuses a config whose docs folder is
    missing, before the plugin could generate it. Checked first (`check_docs_folder`, before
    resolving: a link on the way is what it looks for)."""
    check_docs_folder(docs_dir, root)
    docs_dir.mkdir(parents=True, exist_ok=True)


def check_docs_folder(docs_dir: Path, root: Path | None = None) -> None:
    """The folder the pages are written into is no symbolic link, nor is a folder above it in the
    portal `root` (a committed `build/docs` or `build` linking elsewhere): writing there removes every
    file the generator did not make, and MkDocs would publish the rest (DataError otherwise)."""
    from generator.loader import link_message

    path = Path(os.path.abspath(docs_dir))
    portal_root = Path(os.path.abspath(root or Path.cwd()))
    inside = path == portal_root or portal_root in path.parents
    for here in [path, *path.parents]:
        if inside and (here == portal_root or portal_root not in here.parents):
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


def load_data(root: Path, cache: BuildCache | None = None) -> tuple[m.Dataset, list[Problem]]:
    """`loader.load_dataset(root)`, remembering each file's records by its bytes.

    The frame (which files there are, strays, missing registers) comes from the
    loader itself; each file is read with `read_document` and checked against its
    schema only when its bytes changed, and unchanged files keep their record
    objects, which lets the renderer recognise unchanged pages cheaply.
    """
    from dataclasses import replace

    from generator import loader

    cache = BuildCache() if cache is None else cache
    files = loader.find_data_files(root)
    listing = (str(root.resolve()), os.getcwd(), files)
    same_files = cache.frame is not None and cache.frame[0] == listing
    edited: set[str] | None = set() if same_files and cache.files else None  # see BuildCache.edited
    if cache.frame is not None and same_files:
        frame, problems = cache.frame[1], list(cache.frame[2])
    else:  # which files there are, strays and missing registers: as the loader says, without reading any file
        frame, problems = loader.load_dataset(root, read=lambda path, kind: (None, []))
        cache.frame = (listing, frame, tuple(problems))
    kinds = ("framework", "municipalities", "sources", "reference", "evaluation")
    seen: dict[tuple[str, str, str], FileResult] = {}
    records: dict[str, list] = {kind: [] for kind in kinds}
    groups = (
        (files.frameworks, "framework"),
        ([files.municipalities], "municipalities"),
        ([files.sources], "sources"),
        (files.references, "reference"),
        (files.evaluations, "evaluation"),
    )
    for paths, kind in groups:
        for path in paths:
            if path is None:
                continue
            key = (str(path), listing[1], kind)  # with the working folder, the path a Pos shows
            try:
                raw: bytes | None = path.read_bytes()
            except OSError:
                raw = None  # read_document reports why
            result = cache.files.get(key)
            if result is None or raw is None or result.raw != raw:
                document, refused = read_document(path, kind, raw=raw)
                found = list(refused)
                made: tuple = ()
                if document is not None:
                    schema_problems, made = loader.check_and_build(document)
                    found += schema_problems
                result = FileResult(raw, tuple(found), made)
                if edited is not None and kind == "evaluation":
                    edited.update(record.municipality for record in made)
                elif edited is not None:
                    edited = None  # a register or revision: every page may show it
            if raw is not None:
                seen[key] = result
            problems.extend(result.problems)
            records[kind].extend(result.records)
    if cache.next_build:  # each file's bytes and records, to compare the next build's with
        cache.files = seen
    cache.edited = frozenset(edited) if edited is not None else None
    if edited is None:  # the pages there are may change with it, even if this build stops at an error
        cache.shape = None
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


def write_tree(
    files: dict[str, bytes], folder: Path, cache: BuildCache | None = None, coming: Iterable[str] = ()
) -> WriteReport:
    """Write the files whose bytes changed and remove the files no longer generated
    (other than those `coming`: charts still being drawn, see `finish_charts`).

    A file this process wrote or compared before is not read again if its new
    bytes equal the old and its size, modification time and inode are as they
    were (and that time was settled when it was recorded); every other file is
    compared with what is on disk.
    """
    writer = TreeWriter(folder, cache)
    writer.write(files)
    return writer.finish(coming)


class TreeWriter:
    """`write_tree` in parts: files written as they are made (a one-off build need not hold the
    data files while its pages are made), then, at `finish`, every file not written through it
    removed and what is known of each remembered in the cache."""

    def __init__(self, folder: Path, cache: BuildCache | None = None):
        self.folder, self.cache = folder, BuildCache() if cache is None else cache
        folder.mkdir(parents=True, exist_ok=True)
        self.key = str(folder.resolve())
        if self.key not in self.cache.written:
            _remove_links(folder)
        self.known = self.cache.written.get(self.key, {})
        self.state: dict[str, tuple] = {}
        self.written: list[str] = []
        self.unchanged = 0

    def write(self, files: dict[str, bytes]) -> None:
        state, written, unchanged = _write_changed(files, self.folder, self.known)
        if not self.cache.next_build:  # no next build compares its files with these bytes: not held
            state = {path: (None, *rest) for path, (_, *rest) in state.items()}
        self.state.update(state)
        self.written += written
        self.unchanged += unchanged

    def finish(self, coming: Iterable[str] = ()) -> WriteReport:
        coming = tuple(coming)
        removed = _remove_others(self.folder, self.state.keys() | set(coming), self.cache)
        self.state.update((path, self.known[path]) for path in coming if path in self.known)  # still as they were
        self.cache.written[self.key] = self.state
        return WriteReport(tuple(sorted(self.written)), tuple(removed), self.unchanged)


def _write_changed(
    files: dict[str, bytes], folder: Path, known: dict[str, tuple]
) -> tuple[dict[str, tuple], list[str], int]:
    """Write the files whose bytes differ from what is there; returns what is known of each, the
    files written and the number unchanged."""
    state: dict[str, tuple] = {}
    written, unchanged = [], 0
    made_dirs: set[str] = set()
    created: set[str] = set()  # folders this call made: nothing in them to compare with
    root = os.fspath(folder)
    for relative, content in sorted(files.items()):
        target = f"{root}/{relative}"
        parent = os.path.dirname(target)
        missing = parent in created
        if not missing and created and _made_above(parent, created, root):  # a new folder in a folder made now
            _make_folders(parent, created)
            missing = True
        if not missing:
            try:
                kept = _unchanged(target, content, known.get(relative))
                if kept is not None:
                    unchanged += 1
                    state[relative] = kept
                    continue
            except FileNotFoundError:
                _make_folders(parent, created)
                missing = True
            except OSError:
                if parent not in made_dirs:
                    os.makedirs(parent, exist_ok=True)
                    made_dirs.add(parent)
        if missing and _write_new(target, content, relative, state):
            written.append(relative)
            continue
        temporary = os.path.join(os.path.dirname(target), f".{os.path.basename(target)}.tmp")
        with open(temporary, "wb") as handle:
            handle.write(content)
        os.replace(temporary, target)
        stat = os.stat(target)
        state[relative] = (content, stat.st_size, stat.st_mtime_ns, stat.st_ino, time.time_ns())
        written.append(relative)
    return state, written, unchanged


def _unchanged(target: str, content: bytes, before: tuple | None) -> tuple | None:
    """What is known of the file at `target` if it holds `content` already, else None (OSError if it
    cannot be read). Not read again if its size, modification time and inode are as `before`
    recorded them, and that time was settled when recorded."""
    if before is not None and (before[0] is content or before[0] == content):
        stat = os.stat(target)
        if (stat.st_size, stat.st_mtime_ns, stat.st_ino) == before[1:4] and stat.st_mtime_ns < before[4] - _SETTLED_NS:
            return before if before[0] is content else (content, *before[1:])
    recorded = time.time_ns()
    with open(target, "rb") as handle:
        same = handle.read() == content
        stat = os.fstat(handle.fileno())
    return (content, stat.st_size, stat.st_mtime_ns, stat.st_ino, recorded) if same else None


def _made_above(folder: str, created: set[str], root: str) -> bool:
    """Whether a folder above `folder`, inside `root`, was made by this write (so `folder` is not there)."""
    while len(folder) > len(root):
        folder = os.path.dirname(folder)
        if folder in created:
            return True
    return False


def _make_folders(folder: str, created: set[str]) -> None:
    """Make `folder` and the folders above it that are missing; `created` receives each one made."""
    missing = []
    while not os.path.isdir(folder):
        missing.append(folder)
        folder = os.path.dirname(folder)
    for here in reversed(missing):
        os.makedirs(here, exist_ok=True)
        created.add(here)


def _write_new(target: str, content: bytes, relative: str, state: dict[str, tuple]) -> bool:
    """Write a file that is not there yet, in place: no link to it can exist, so it needs no
    temporary file renamed over it (on this machine's disk, half of writing 3,900 new files went
    into opening and renaming). False if it is there after all."""
    try:
        with open(target, "xb") as handle:
            handle.write(content)
            handle.flush()
            stat = os.fstat(handle.fileno())
    except FileExistsError:
        return False
    state[relative] = (content, stat.st_size, stat.st_mtime_ns, stat.st_ino, time.time_ns())
    return True


def _remove_links(folder: Path) -> None:
    """The generator makes no symbolic links: any link in the docs folder (say, committed into
    build/docs) is removed before anything is written, so no write or removal goes through it."""
    from generator.loader import symbolic_links

    for link in symbolic_links(folder):
        if link != folder:
            link.unlink()


_SETTLED_NS = (
    1_000_000_000  # a file or folder changed this long before we looked cannot change unseen within one clock tick
)


def _remove_others(folder: Path, files: Collection[str], cache: BuildCache) -> list[str]:
    """Delete files not generated, then folders left empty; names starting with a dot are left alone.

    A folder whose modification time is what it was at the last look, and was
    already then well in the past (a change within the same clock tick would
    not move it), has the same entries, so only changed folders are listed again.
    """
    root = str(folder.resolve())
    listings = cache.listings.get(root, {})
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
        holding = {posixpath.dirname(path) for path in files}  # a worker may be writing into one now
        for parts in sorted(strays + folders, reverse=True):  # files before the folders holding them
            if parts[-1].startswith("."):
                continue
            path = os.path.join(folder, *parts)
            if parts in children:  # a folder
                if children[parts] == 0 and "/".join(parts) not in holding:
                    os.rmdir(path)
                    children[parts[:-1]] -= 1
                    seen_listings.pop(path, None)
            else:
                os.unlink(path)
                removed.append("/".join(parts))
                children[parts[:-1]] -= 1
        for parts in {p[:-1] for p in strays} | {p[:-1] for p in folders if p not in children or children[p] == 0}:
            seen_listings.pop(os.path.join(folder, *parts) if parts else str(folder), None)  # listed again next time
    cache.listings[root] = seen_listings
    return removed


def release_environment(root: Path) -> dict[str, str]:
    """SOURCE_DATE_EPOCH and SOURCE_COMMIT from the portal's last commit, unless already set: the
    site's dates and version come from the commit, so two builds of one commit are identical."""
    values = {
        "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH") or git_output(root, "log", "-1", "--format=%ct") or "0"
    }
    commit = os.environ.get("SOURCE_COMMIT") or git_output(root, "rev-parse", "--short=10", "HEAD")
    if commit:
        values["SOURCE_COMMIT"] = commit
    return values


def build_site(
    data_dir: Path | None,
    site_dir: Path | None,
    run_mkdocs: bool = True,
    docs_dir: Path | None = None,
    config_file: Path | None = None,
) -> Path | WriteReport:
    """`kommunkompassen build` of the portal whose config is `config_file` (default: mkdocs.yml in
    the working folder); its own data, docs and site folders unless others are given.

    Returns the site folder built (absolute), or with `run_mkdocs` false what was written to the
    docs folder. Raises PortalError when there is no portal, UsageError when the site folder is
    not one it may replace, DataError on invalid data (nothing written) and BuildError when
    MkDocs fails (the last site left as it was); it prints nothing itself."""
    from generator.site.portal import find_portal

    portal = find_portal(config_file)
    with _environment(release_environment(portal.root)):
        return _build_site(
            portal, data_dir or portal.data_dir, site_dir or portal.site_dir, run_mkdocs, docs_dir or portal.docs_dir
        )


@contextmanager
def _environment(values: dict[str, str]):
    """Set variables for the build and restore them after, so nothing leaks to the caller."""
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


def _build_site(portal: Portal, data_dir: Path, site_dir: Path, run_mkdocs: bool, docs_dir: Path) -> Path | WriteReport:
    if run_mkdocs:
        _check_site_dir(site_dir)
        return _mkdocs_build(portal, data_dir, site_dir.resolve(), docs_dir)
    try:
        return generate(
            data_dir,
            docs_dir,
            portal.content_dir,
            overrides_dir=portal.overrides_dir,
            root=portal.root,
            templates_dir=portal.templates_dir,
            locale_dir=portal.locale_dir,
        )
    except DataError as exc:
        raise _stopped(exc) from None


def _check_site_dir(site_dir: Path) -> None:
    """UsageError if `build` must not replace `site_dir` (see `site_dir_problem`)."""
    refusal = site_dir_problem(site_dir)
    if refusal:
        raise UsageError(msg("build.stopped_because", reason=refusal), whole_line=True)


def _stopped(exc: DataError) -> DataError:
    """The data's errors as the build reports them: the problems, then that nothing was written."""
    return DataError(exc.problems, msg("build.stopped"), whole_line=True)


def load_portal_config(portal: Portal, data_dir: Path | None = None, **options):
    """MkDocs' config of the portal (`options` as `mkdocs.config.load_config` takes them), with
    the plugin's data folder set to `data_dir` when given."""
    from mkdocs.config import load_config

    from generator.site.portal import plugins_with_data

    if data_dir is not None and data_dir.resolve() != portal.data_dir.resolve():
        options["plugins"] = plugins_with_data(portal.config_file, data_dir)
    return load_config(str(portal.config_file), **options)


def portal_plugin(config):
    """The config's `kommunkompassen` plugin (DataError saying so if the config names none)."""
    from generator.site.portal import PLUGIN

    plugin = config.plugins.get(PLUGIN)
    if plugin is None:
        raise DataError([error(Pos(display_path(Path(config.config_file_path)), 1, 1), msg("portal.no_plugin"))])
    return plugin


class _MkDocsWarnings(logging.Handler):
    """MkDocs' warnings and errors during a build: in strict mode any of them fails the build, and
    the failure says why only with them (MkDocs prints them itself only from its own command)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())

    @contextmanager
    def kept(self):
        logger = logging.getLogger("mkdocs")
        logger.addHandler(self)
        try:
            yield self
        finally:
            logger.removeHandler(self)


def _mkdocs_build(portal: Portal, data_dir: Path, site_dir: Path, docs_dir: Path) -> Path:
    """Generate (errors stop here, before MkDocs starts), then build into a fresh folder beside
    the target and swap it in only when complete. The data is loaded and validated once: the
    plugin's on_pre_build uses what `generate_before_build` wrote."""
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.", dir=site_dir.parent))
    plugin = None
    try:
        try:
            make_docs_folder(docs_dir, portal.root)
            docs_dir = docs_dir.resolve()
            config = load_portal_config(portal, data_dir, site_dir=str(staging), docs_dir=str(docs_dir), strict=True)
            plugin = portal_plugin(config)
            plugin.on_startup(command="build", dirty=False)  # as `mkdocs build` starts it: MkDocs may keep
            plugin.generate_before_build(config)  # one instance per process, and a `serve` may have started it
        except DataError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise _stopped(exc) from None
        warnings = _MkDocsWarnings()
        try:
            with warnings.kept():
                build(config)
        finally:
            plugin.forget_generated()  # MkDocs keeps the plugin: a build that failed early must not leave it set
        (staging / SITE_MARKER).write_text(SITE_MARKER_TEXT, encoding="utf-8")
    except (MkDocsException, SystemExit) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        said = f" {msg('build.mkdocs_said', message=' | '.join(warnings.lines))}" if warnings.lines else ""
        raise BuildError(msg("build.failed", detail=f"{exc}{said}"), whole_line=True) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if plugin is not None:
            finish_charts(plugin.cache)
    try:
        _check_site_dir(site_dir)  # again: the folder may have changed while MkDocs worked
    except UsageError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if site_dir.exists():
        shutil.rmtree(site_dir)
    os.replace(staging, site_dir)
    return site_dir
