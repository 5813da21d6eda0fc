"""The live preview (`kommunkompassen serve`): the site served from a temporary folder, rebuilt
after every save, the edited page shown as soon as it is rebuilt.

MkDocs' own `serve` makes every rebuild a build of the whole site: it lists and checks every
file of the docs folder and the theme, makes a new navigation and template environment, and
goes through every page to find the changed ones (seconds at national size). Here the first
build is MkDocs' own (a "dirty" one, see generator.site.plugin) and it is kept: its files,
navigation and template environment. After a save, the generator rewrites the pages whose
content changed, and MkDocs renders just those pages again with what it kept (the quick
rebuild). After a save of evaluation files alone, the pages of their municipalities go first
(build.generate_edited_first): the browser reloads as soon as those are rendered, and the other
pages whose content changed (those showing the revision's means and ranks, the listings), the data
files and the search index are brought up to date right after, in the background, while the
evaluator reads. A save while that is still going on waits for it. The rebuild's one line says
when the edited pages were shown and when everything was done.

The quick rebuild is taken only when what it keeps is still true: no page or file was added
or removed, mkdocs.yml is as it was, and no rebuilt page changed a title that other pages show
(the navigation and breadcrumbs; the generator's own listings of pages are pages it rewrites).
Otherwise the rebuild is a build by MkDocs as before, which keeps anew what it made. A portal
that adds Material's tags plugin has every such build made whole, and a page whose title or tags
changed too: that plugin's listings of a partial build hold only the pages it read. Either way
the served site then equals what a full build makes of the same data (tests/test_serve.py).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from generator.errors import UsageError
from generator.messages import msg
from generator.site.build import (
    finish_charts,
    finish_data_files,
    make_docs_folder,
    portal_plugin,
    release_environment,
)
from generator.site.plugin import tags_plugin

if TYPE_CHECKING:
    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

    from generator.site.plugin import KommunkompassenPlugin

log = logging.getLogger("kommunkompassen.preview")
POLLING_SECONDS = 0.2  # how often the watched folders are looked at (MkDocs' default is 0.5 s)


@dataclass(frozen=True)
class _Kept:
    """What MkDocs' last build of the whole site made, for quick rebuilds."""

    config: MkDocsConfig
    config_bytes: bytes  # mkdocs.yml as it was read
    files: Files
    nav: Navigation
    env: Environment
    site_words: dict  # the texts of the frame that the plugin fills in, as the pages show them
    doc_files: Sequence[File]  # the pages MkDocs' page events are handed (a list of 21,000 made for each rebuild)


class Preview:
    """The builder of a live preview: `build()` after every save, the quick way when it can."""

    def __init__(self, get_config: Callable[[], MkDocsConfig], serve_url: str) -> None:
        self._get_config = get_config
        self._serve_url = serve_url
        self._kept: _Kept | None = None
        self._later: threading.Thread | None = None  # the rest of the last quick rebuild: other pages, data, search
        self._clean = False  # the next build by MkDocs builds every page (a title in the navigation changed)
        self.quick_builds = 0  # how many rebuilds were quick (for the tests)
        self._start_later = _started  # how the rest of a quick rebuild is started (a test holds it back)
        self.idle = threading.Event()  # set while no build runs (the watched folders are looked at only then)
        self.idle.set()

    def build(self, config: MkDocsConfig | None = None) -> None:
        """Rebuild the site: the quick way if it can, otherwise by MkDocs as a whole."""
        self.wait()
        self.idle.clear()
        try:
            if config is None and self._kept is not None and self._quick(self._kept):
                self.quick_builds += 1
                return
            self._whole(config)
        finally:
            if self._later is None:  # else the rest of the quick rebuild says when it is done
                self.idle.set()

    def wait(self) -> None:
        """Wait until the last quick rebuild has brought the data files and search index up to date."""
        if self._later is not None:
            self._later.join()
            self._later = None

    def _whole(self, config: MkDocsConfig | None) -> None:
        from mkdocs.commands.build import build

        self._kept = None
        config = config or self._get_config()
        config.site_url = self._serve_url
        config_bytes = Path(config.config_file_path).read_bytes()
        clean, self._clean = self._clean or tags_plugin(config) is not None, False
        build(config, serve_url=self._serve_url, dirty=not clean)
        plugin = portal_plugin(config)
        made = plugin.build
        if made.files is not None and made.nav is not None and made.env is not None:
            from mkdocs.structure.files import InclusionLevel

            doc_files = made.files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
            self._kept = _Kept(
                config, config_bytes, made.files, made.nav, made.env, plugin.site_words(config), doc_files
            )

    def _quick(self, kept: _Kept) -> bool:
        """Rebuild the pages the generator rewrote, with what MkDocs kept, the edited pages first (the
        rest, the data files and the search index follow in the background); False (having changed
        nothing MkDocs would not see) when a build of the whole site is needed instead."""
        config = kept.config
        if Path(config.config_file_path).read_bytes() != kept.config_bytes:
            return False
        plugin = portal_plugin(config)
        generation = plugin.generate_pages_first(config)  # logs the data's errors and raises Abort
        if plugin.site_words(config) != kept.site_words:  # every page shows them
            finish_charts(plugin.cache)
            self._clean = True
            return False
        if generation.report is None:  # nothing to show first: all of it now
            report = generation.rest()
            finish_charts(plugin.cache)
            search = _reset_search(config)
            if not self._build_written(kept, plugin, report):
                return False
            later: Callable[[], bool] = lambda: True  # noqa: E731  # the pages are all built
        else:
            search = _reset_search(config)
            if not self._build_written(kept, plugin, generation.report):
                return False
            plugin.first_pages_shown()
            later = lambda: self._build_written(kept, plugin, generation.rest(), finish=True)  # noqa: E731  # run by the thread below
        self._later = self._start_later(
            threading.Thread(target=self._bring_up_to_date, args=(kept, plugin, search, later), daemon=True)
        )
        return True

    def _build_written(self, kept: _Kept, plugin: KommunkompassenPlugin, report, finish: bool = False) -> bool:
        """MkDocs renders the pages the generator wrote (`report`); False, having rendered none, when
        MkDocs must build the whole site instead (files added or removed, a title other pages show)."""
        config = kept.config
        if finish:
            finish_charts(plugin.cache)
        changed = [kept.files.get_file_from_path(path) for path in report.written]
        if report.removed or any(file is None for file in changed):
            _remove_outputs(kept, report.removed)  # MkDocs' partial build leaves them
            return False  # MkDocs must list the files again
        pages = [file.page for file in changed if file is not None and file.page is not None]
        shown = {page.file.src_uri: _shown_elsewhere(page) for page in pages}
        for page in pages:
            _populate(page, config, kept.files)
        renamed = [page for page in pages if _shown_elsewhere(page) != shown[page.file.src_uri]]
        if any(page in kept.nav.pages for page in renamed):  # every page shows the navigation
            self._clean = True
            return False
        under = [other for page in renamed for other in _pages_under(page, kept.files)]
        if under:  # their breadcrumbs show the new title: MkDocs' build sees these pages as changed, and those
            _remove_outputs(kept, tuple(other.file.src_uri for other in under))
            return False
        if renamed and tags_plugin(config) is not None:  # its listings show the pages' titles and tags
            self._clean = True
            return False
        for file in changed:
            if file is not None and file.page is None:
                _link_static(file)
        _build_pages(pages, kept, plugin)
        return True

    def _bring_up_to_date(self, kept: _Kept, plugin: KommunkompassenPlugin, search, later: Callable[[], bool]) -> None:
        """After a quick rebuild: the pages not shown first (`later`), then the data files written and
        linked into the site, the search index completed with the rebuilt pages' entries. When the
        pages need a whole build after all, MkDocs makes one here, of every page. A failure is said in
        one line; the next save builds the whole site."""
        try:
            if not later():
                self._clean = True  # a partial build would keep the pages shown first and their old search entries
                self._whole(None)
                return
            self._update_data_and_search(kept, plugin, search)
            log.info(plugin.rebuilt_line())
        except Exception as exc:  # a thread's exception would otherwise be a traceback on the terminal
            log.error(msg("serve.later_failed", detail=exc))
            self._kept = None
            self._clean = True
        finally:
            self.idle.set()

    def _update_data_and_search(self, kept: _Kept, plugin: KommunkompassenPlugin, search) -> None:
        report = finish_data_files(plugin.cache)
        _remove_outputs(kept, report.removed)
        for path in report.written:
            file = kept.files.get_file_from_path(path)
            if file is not None:
                _link_static(file)
        if search is not None:  # the rebuilt pages' entries as Material writes them, completed with the others'
            rebuilt = json.loads(search.search_index.generate_search_index(None))
            plugin.write_search_index(Path(kept.config.site_dir), rebuilt)


def watching(paths: list[str], idle: threading.Event, polling_seconds: float = POLLING_SECONDS):
    """The observer of the watched folders and files (`paths`): the kernel's notices of changed files
    where it gives them for every path (inotify on Linux), else `watching_when_idle`. A notice comes
    as the file is saved, where a look came up to 0.2 s later and took 50 ms at national size;
    nothing is looked at in between. Only changes count: the generator reads every data file at
    each build, and an opened or read file is no reason to build again."""
    try:
        from watchdog.observers.inotify import InotifyObserver
    except ImportError:  # not Linux
        return watching_when_idle(idle, polling_seconds)
    from watchdog.events import (
        FileCreatedEvent,
        FileDeletedEvent,
        FileModifiedEvent,
        FileMovedEvent,
        FileSystemEventHandler,
    )

    changes = [FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent]

    class OneFile(FileSystemEventHandler):
        """A folder's notices about one file of it, passed on."""

        def __init__(self, handler: FileSystemEventHandler, path: str) -> None:
            self.handler, self.path = handler, path

        def dispatch(self, event) -> None:
            if self.path in (os.fsdecode(event.src_path), os.fsdecode(event.dest_path or "")):
                self.handler.dispatch(event)

    class ChangesObserver(InotifyObserver):
        def schedule(self, event_handler, path, recursive=False, **options):
            path = os.path.abspath(path)
            if os.path.isfile(path):  # its folder's notices: an editor may save it by renaming a new file over it
                event_handler, path, recursive = OneFile(event_handler, path), os.path.dirname(path), False
            return super().schedule(event_handler, path, recursive=recursive, **{**options, "event_filter": changes})

    trial = ChangesObserver()
    try:  # each path watched once: refused where inotify is missing or its limit of watches reached
        for path in paths:
            trial.schedule(FileSystemEventHandler(), path, recursive=True)
        trial.start()
        notified = True
    except OSError:
        notified = False
    finally:
        trial.stop()  # and the emitters it started, if it stopped half-way
        if trial.is_alive():
            trial.join()
    return ChangesObserver(timeout=polling_seconds) if notified else watching_when_idle(idle, polling_seconds)


def watching_when_idle(idle: threading.Event, polling_seconds: float = POLLING_SECONDS):
    """MkDocs' polling observer of the watched folders, looking only while `idle` is set: each look at
    a national corpus (4,000 files) took 50 ms of every 200, and during a rebuild those held the
    interpreter a fifth of the time (1.0 s instead of 0.86 s to the edited pages at 1000 x 3). A
    file saved during a rebuild is seen when it ends: the next look compares with the one before."""
    from watchdog.observers.api import BaseObserver
    from watchdog.observers.polling import PollingEmitter

    class Emitter(PollingEmitter):
        def queue_events(self, timeout, *args, **kwargs):
            while not idle.wait(timeout):
                if self.stopped_event.is_set():
                    return
            super().queue_events(timeout, *args, **kwargs)

    return BaseObserver(Emitter, timeout=polling_seconds)


def _started(thread: threading.Thread) -> threading.Thread:
    thread.start()
    return thread


def _remove_outputs(kept: _Kept, removed: tuple[str, ...]) -> None:
    """What the site made of the docs folder's files that are gone, and the folders that leaves empty."""
    site = os.path.normpath(kept.config.site_dir)
    for path in removed:
        file = kept.files.get_file_from_path(path)
        if file is None:
            continue
        with contextlib.suppress(FileNotFoundError):
            os.remove(file.abs_dest_path)
        folder = os.path.dirname(file.abs_dest_path)
        while folder.startswith(site + os.sep) and not os.listdir(folder):
            os.rmdir(folder)
            folder = os.path.dirname(folder)


def _shown_elsewhere(page: Page) -> tuple:
    """What other pages show of this one: its title (in the navigation and the breadcrumbs of the
    pages under it) and its tags (in the listings of Material's tags plugin, if a portal adds it)."""
    return (page.title, tuple(page.meta.get("tags") or ()))


def _pages_under(page: Page, files: Files) -> list[Page]:
    """The other pages under this page's address (their breadcrumbs show its title)."""
    return [
        other.page
        for other in files.documentation_pages()
        if other.page is not None and other.page is not page and other.url.startswith(page.file.url)
    ]


def _populate(page: Page, config: MkDocsConfig, files: Files) -> None:
    from mkdocs.commands.build import _populate_page

    _populate_page(page, config, files)


def _build_pages(pages: list[Page], kept: _Kept, plugin: KommunkompassenPlugin) -> None:
    from mkdocs.commands.build import _build_page

    for page in pages:
        _build_page(page, kept.config, kept.doc_files, kept.nav, kept.env)
    for page in pages:
        page.validate_anchor_links(files=kept.files, log_level=kept.config.validation.links.anchors)


def _reset_search(config: MkDocsConfig):
    """Material's search plugin with an empty index, to collect the rebuilt pages' entries."""
    search = config.plugins.get("material/search") or config.plugins.get("search")
    index_class = getattr(getattr(search, "search_index", None), "__class__", None)
    if search is None or index_class is None:
        return None
    search.search_index = index_class(**search.config)
    return search


def _link_static(file: File) -> None:
    """A static file the generator replaced, into the site: as MkDocs' build does (see the plugin's on_env)."""
    source, destination = file.abs_src_path, file.abs_dest_path
    if source is None:  # a file MkDocs was handed as content, not one of the docs folder
        return
    os.makedirs(os.path.dirname(destination), exist_ok=True)
    temporary = os.path.join(os.path.dirname(destination), f".{os.path.basename(destination)}.tmp")
    try:
        os.link(source, temporary)
    except OSError:
        shutil.copyfile(source, temporary)
    os.replace(temporary, destination)


def serve(config_file: Path, dev_addr: str, options: dict) -> None:
    """Serve the portal of `config_file` at `dev_addr` until interrupted (MkDocs' `serve`, with
    this module's rebuilds). `options` are the config options MkDocs' serve would be given."""
    from mkdocs.config import load_config
    from mkdocs.livereload import LiveReloadServer, _serve_url

    site_dir = tempfile.mkdtemp(prefix="kommunkompassen-preview-")

    def get_config() -> MkDocsConfig:
        return load_config(config_file=str(config_file), site_dir=site_dir, dev_addr=dev_addr, **options)

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=True)
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path
    serve_url = _serve_url(host, port, mount_path)
    preview = Preview(get_config, serve_url)
    server = LiveReloadServer(
        builder=preview.build,
        host=host,
        port=port,
        root=site_dir,
        mount_path=mount_path,
        polling_interval=POLLING_SECONDS,
    )

    def error_page(code: int) -> bytes | None:
        path = Path(site_dir) / f"{code}.html"
        return path.read_bytes() if code in (404, 500) and path.is_file() else None

    server.error_handler = error_page
    try:
        preview.build(config)  # whose plugins add the folders to watch to `config.watch`
        server.observer = watching([str(config_file), *config.watch], preview.idle)  # before it watches any
        server.watch(str(config_file))
        server = config.plugins.on_serve(server, config=config, builder=preview.build)
        for folder in config.watch:
            server.watch(folder)
        try:
            server.serve()
        except KeyboardInterrupt:
            pass
        finally:
            server.shutdown()
            preview.wait()
    finally:
        config.plugins.on_shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)


def serve_site(data_dir: Path | None, dev_addr: str, config_file: Path | None = None) -> int:
    """`kommunkompassen serve`: the live preview (this module). After an edit, the
    generator rewrites the pages whose content changed and MkDocs renders only those again. The
    terminal shows the address, one line per build and the data's problems as
    `file:line:col: level: message`. Raises PortalError when there is no portal, UsageError when
    its config does not use the plugin, DataError when its docs folder lies behind a link."""
    from generator.site.portal import find_portal, plugins_with_data

    portal = find_portal(config_file)  # PortalError when there is none
    if not portal.uses_plugin:
        raise UsageError(msg("portal.no_plugin"), whole_line=True)
    make_docs_folder(portal.docs_dir, portal.root)  # as `build` makes it: DataError for a link on the way
    options: dict[str, Any] = {}
    if data_dir is not None and data_dir.resolve() != portal.data_dir.resolve():
        options["plugins"] = plugins_with_data(portal.config_file, data_dir)
    _quiet_mkdocs_logging()
    os.environ.update(release_environment(portal.root))
    print(msg("serve.address", address=dev_addr), file=sys.stderr, flush=True)
    serve(portal.config_file, dev_addr, options)
    return 0


_REBUILD_FAILED = re.compile(r"(\[[\d:]+\] )?An error happened during the rebuild")  # with the server's time, if any


class _PreviewFormat(logging.Formatter):
    """Our own lines (a build's summary, the data's problems) as they are; MkDocs' warnings with their level."""

    def format(self, record: logging.LogRecord) -> str:
        if record.name.startswith(("kommunkompassen", "mkdocs.plugins.kommunkompassen")):
            return record.getMessage()
        if _REBUILD_FAILED.match(record.getMessage()):  # MkDocs' server, after the data's errors
            return msg("serve.kept")
        return f"{record.levelname}: {record.getMessage()}"


def _quiet_mkdocs_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_PreviewFormat())
    logging.getLogger().addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.WARNING)  # its routine INFO lines buried the address
    logging.getLogger("kommunkompassen").setLevel(logging.INFO)
