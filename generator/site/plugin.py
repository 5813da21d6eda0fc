"""The MkDocs plugin `kommunkompassen`: generate the docs folder from the portal's data before
every build, and make MkDocs' own work on the generated pages cheaper without changing a byte
of the site.

In mkdocs.yml (registered by the entry point in pyproject.toml):

    plugins:
      - search
      - kommunkompassen:
          data: evaluations   # the data folder (default), relative to mkdocs.yml
          content: content    # the portal's own pages (default): a file here replaces the package's
          templates: templates  # the portal's own page templates (default), before the package's
          locale: locale      # the portal's own page texts (default): sv.yaml's keys replace the package's

So `mkdocs build`, `mkdocs serve` and the `kommunkompassen` command all run the same generator.
The plugin adds what every portal needs itself: the Markdown extension `generator.site.htmlblocks`,
the package's Material overrides (after the theme's own `custom_dir`) and the folders a live
preview watches. During `serve`, a change to a YAML file triggers a rebuild and the plugin
rewrites only the pages whose content changed.

In build order: `on_pre_build` generates (unless `kommunkompassen build` already did, see
`generate_before_build`), leaving the charts to a worker that draws them while MkDocs reads the
pages; `on_files` adds the charts still to come and, in a one-off build, the pages, which are
handed over in memory rather than through the docs folder (`on_page_read_source` lets each go
once MkDocs has read it); `on_nav` has the pages of the navigation
rebuilt in a partial build; `on_page_content` tells MkDocs the ids that
`generator.site.htmlblocks` kept from it; `on_page_context` lets Material's search read the page
without what it skips and marks where the page is (tab, breadcrumbs); `on_env` waits for the
charts and links the static files into the site; `on_post_build` writes the search index as UTF-8.

A partial build (MkDocs' "dirty" build: only the pages whose Markdown the generator rewrote)
leaves the search index holding only the rebuilt pages: `on_post_build` puts back the other
pages' entries from the previous build, so that the served site equals a full build
(tests/test_serve.py). The live preview (generator.site.preview) makes such a build only when it
must; after most saves it renders the rewritten pages itself with what this plugin kept of the
last build (`_Build`: MkDocs' files, navigation and template environment). MkDocs keeps one
instance of the plugin for all the rebuilds of a `serve` (it has `on_startup`); `_Build` is made
anew at the start of every build.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import BinaryIO, TypeVar

from jinja2 import BytecodeCache, Environment
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import Abort
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation

from generator.messages import language, msg
from generator.site.build import (
    DataError,
    EditedFirst,
    WriteReport,
    charts_in_progress,
    finish_charts,
    generate,
    generate_edited_first,
    take_pages_in_memory,
)
from generator.site.cache import BuildCache, give_back_freed_memory
from generator.site.htmlblocks import search_view
from generator.site.pages import LOCALE_DIR, TEMPLATE_DIR, page_texts
from generator.site.portal import OVERRIDES_DIR, Portal

log = logging.getLogger("mkdocs.plugins.kommunkompassen")
preview_log = logging.getLogger("kommunkompassen.preview")  # outside MkDocs' loggers: shown while MkDocs' are quiet
MARKDOWN_EXTENSION = "generator.site.htmlblocks"
_VALUED_SEARCH_ATTRIBUTE = re.compile(r'\sdata-search-\w+="[^"]')
_IDS = re.compile(r'<[a-z][a-z0-9]*\s[^>]*?\bid="([^"]+)"')
T = TypeVar("T")
_GIVE_BACK_EVERY = 200  # pages read from memory, between handing their freed memory back (see on_page_read_source)
_LAST = -50  # after the other plugins' handlers of the same event, where the hooks file's ran

# Files of the site that list every page: where each lists its entries, and the page an entry belongs to.
_PAGE_LISTS: dict[str, tuple[str, Callable[[dict], str]]] = {
    "search/search_index.json": ("docs", lambda entry: entry["location"].split("#", 1)[0]),
}


class PluginConfig(base.Config):
    # `data:` in mkdocs.yml; `data_` here because a Config is a UserDict, whose `data` holds its values
    data_ = c.Type(str, default="evaluations")
    content = c.Type(str, default="content")
    templates = c.Type(str, default="templates")  # the portal's own page templates, before the package's
    locale = c.Type(str, default="locale")  # the portal's own page texts: sv.yaml's keys replace the package's


@dataclass
class _Build:
    """What this build has seen, for a partial build's page lists and the preview's one line."""

    started: float = field(default_factory=time.perf_counter)
    previous_lists: dict[str, bytes] = field(default_factory=dict)  # the page lists of the build before
    page_urls: list[str] = field(default_factory=list)  # every page, in MkDocs' order
    built: list[str] = field(default_factory=list)  # the pages built this time
    nav_rebuilt: set[str] = field(default_factory=set)  # built only for their titles (see on_nav)
    first_seconds: float | None = None  # when a quick rebuild had shown the edited pages (the rest followed)
    titles: dict[str, str | None] = field(default_factory=dict)  # front-matter titles read, by source path
    in_memory: set[str] = field(default_factory=set)  # the pages MkDocs reads from memory, by source path
    read: int = 0  # how many of them it has read
    files: Files | None = None  # MkDocs' files, navigation and template environment, for the live preview
    nav: Navigation | None = None  # to build single pages again (generator.site.preview)
    env: Environment | None = None


class _NoDirtyWarning(logging.Filter):
    """MkDocs warns at every partial build that its navigation may be stale: this plugin keeps
    it whole (see on_nav), and in strict mode the warning would stop the build."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage()


class _CompiledTemplates(BytecodeCache):
    """The theme's templates compiled once per process, not in every build: MkDocs makes a new
    Jinja environment for each build, and compiling Material's templates took a second of every
    live-preview rebuild. A template whose source changed is compiled again (Jinja checks the
    source's checksum)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


class KommunkompassenPlugin(BasePlugin[PluginConfig]):
    def __init__(self) -> None:
        self.portal: Portal | None = None
        self.build = _Build()
        self._generated_for: Path | None = None  # the docs folder `generate_before_build` filled
        self.cache = BuildCache(next_build=False)  # what generation remembers for the next build in this process
        self.compiled_templates = _CompiledTemplates()
        self.pages_in_memory = False  # whether this build gets the pages in memory (see on_startup)

    def on_startup(self, *, command, dirty: bool) -> None:
        """MkDocs keeps a plugin that has this event for all the rebuilds of a `serve`. Pages are
        remembered by their context only for the live preview: a one-off build has no next build.
        `mkdocs build` gets the pages in memory, unless it is dirty: a dirty build compares the docs
        folder's pages with the site's, by their modification times. Only the build started so: MkDocs
        may keep this instance for another build in the process, which may be dirty and not say so."""
        self.cache.next_build = command == "serve"
        self.pages_in_memory = command == "build" and not dirty

    def on_config(self, config):
        self.portal = self.portal_of(config)
        builder_log = logging.getLogger("mkdocs.commands.build")
        if not any(isinstance(f, _NoDirtyWarning) for f in builder_log.filters):
            builder_log.addFilter(_NoDirtyWarning())
        if MARKDOWN_EXTENSION not in config.markdown_extensions:
            config.markdown_extensions.insert(
                0, MARKDOWN_EXTENSION
            )  # the generated pages' HTML blocks pass through unparsed
        dirs = config.theme.dirs
        if str(OVERRIDES_DIR) not in dirs:
            dirs.insert(1 if config.theme.custom_dir else 0, str(OVERRIDES_DIR))  # the portal's overrides win
        for folder in (
            self.portal.data_dir,
            self.portal.content_dir,
            self.portal.templates_dir,
            self.portal.locale_dir,
            TEMPLATE_DIR,
            LOCALE_DIR,
        ):
            if folder is not None and folder.is_dir() and str(folder) not in config.watch:
                config.watch.append(str(folder))
        return config

    def portal_of(self, config) -> Portal:
        """The portal this config builds: its folders, absolute."""
        root = Path(config.config_file_path).resolve().parent
        custom_dir = config.theme.custom_dir
        return Portal(
            config_file=Path(config.config_file_path).resolve(),
            data_dir=root / self.config.data_,
            content_dir=root / self.config.content,
            templates_dir=root / self.config.templates,
            locale_dir=root / self.config.locale,
            overrides_dir=Path(custom_dir) if custom_dir else None,
            docs_dir=Path(config.docs_dir),
            site_dir=Path(config.site_dir),
        )

    def generate_before_build(self, config) -> None:
        """Generate the docs folder now, before MkDocs starts (DataError on invalid data): what
        `kommunkompassen build` does, so that errors stop it before MkDocs begins; the build's
        on_pre_build then uses these files rather than load and validate the data again."""
        portal = self.portal_of(config)
        self._generate(portal, self.pages_in_memory)
        self._generated_for = portal.docs_dir
        if not self.cache.next_build:
            self.cache.forget()  # nothing to reuse: MkDocs reads the pages in the memory generation used

    def _generate(self, portal: Portal, pages_in_memory: bool) -> WriteReport:
        """The portal's docs folder generated, the charts left to a worker while MkDocs reads the pages;
        with `pages_in_memory`, the pages go to MkDocs in memory (`on_files`), not through the docs folder."""
        return generate(
            portal.data_dir,
            portal.docs_dir,
            portal.content_dir,
            charts_later=True,
            overrides_dir=portal.overrides_dir,
            root=portal.root,
            cache=self.cache,
            templates_dir=portal.templates_dir,
            locale_dir=portal.locale_dir,
            pages_in_memory=pages_in_memory,
        )

    def generate_pages_first(self, config) -> EditedFirst:
        """The live preview's quick rebuild (generator.site.preview): a new build without MkDocs'
        own start, whose generation writes the edited pages first and leaves the rest to `rest`,
        and the data files for later; logs and raises Abort on invalid data."""
        page_urls = self.build.page_urls
        self.build = _Build(
            previous_lists=_page_lists(config),
            page_urls=page_urls,
            files=self.build.files,
            nav=self.build.nav,
            env=self.build.env,
        )
        portal = self.portal_of(config)
        generation = self._or_abort(
            lambda: generate_edited_first(
                portal.data_dir,
                portal.docs_dir,
                self.cache,
                portal.content_dir,
                overrides_dir=portal.overrides_dir,
                root=portal.root,
                templates_dir=portal.templates_dir,
                locale_dir=portal.locale_dir,
            )
        )
        rest = generation.rest
        return replace(generation, rest=lambda: self._or_abort(rest))

    def _or_abort(self, step: Callable[[], T]) -> T:
        """`step()`, its DataError logged and raised as the Abort that MkDocs' server reports in one line."""
        try:
            return step()
        except DataError as exc:
            raise self._aborted(exc) from None

    def _aborted(self, exc: DataError) -> Abort:
        """The data's errors logged, each as `file:line:col: error: ...`; the Abort to raise (MkDocs keeps the last site)."""
        for problem in exc.problems:
            if problem.level.value == "error":
                log.error(problem.plain())
        return Abort(msg("build.not_regenerated", detail=exc))

    def forget_generated(self) -> None:
        self._generated_for = None
        self.cache.pages_in_memory = None  # a build that stopped before reading them

    def on_pre_build(self, config) -> None:
        self.build = _Build(previous_lists=_page_lists(config))  # read before a full build cleans the site folder
        portal = self.portal or self.portal_of(config)
        if self._generated_for == portal.docs_dir:
            self._generated_for = None
            return
        self._generated_for = None
        try:
            report = self._generate(portal, self.pages_in_memory)
        except DataError as exc:
            raise self._aborted(exc) from None
        if report.written or report.removed:
            log.info(msg("build.hook_written", written=len(report.written), removed=len(report.removed)))

    def on_files(self, files, *, config):
        """The charts still being drawn are static files of the site like those already there; the
        pages kept in memory are pages of the docs folder, in the order MkDocs lists its files."""
        for path in charts_in_progress(Path(config.docs_dir), self.cache):
            if files.get_file_from_path(path) is None:
                files.append(File(path, config.docs_dir, config.site_dir, config.use_directory_urls))
        pages = take_pages_in_memory(Path(config.docs_dir), self.cache)
        if not pages:
            return files
        self.build.in_memory = set(pages)
        generated = [File.generated(config, path, content=content) for path, content in pages.items()]
        found = [file for file in files if file.src_dir == config.docs_dir and file.src_uri not in pages]
        others = [file for file in files if file.src_dir != config.docs_dir]  # the theme's, after the docs folder's
        return Files([*sorted([*found, *generated], key=lambda file: _listed_at(file.src_uri)), *others])

    def on_page_read_source(self, *, page, config) -> str | None:
        """A page handed over in memory is let go once MkDocs has read it, as its Markdown and HTML are
        later (on_page_content, on_post_page); its title is kept for the breadcrumbs (`_title`)."""
        file = page.file
        if file.src_uri not in self.build.in_memory:
            return None
        source = file.content_string
        file.content_bytes = b""
        self.build.titles[file.src_uri] = _front_matter_title(_head_of_text(source))
        self.build.read += 1
        if self.build.read % _GIVE_BACK_EVERY == 0:  # the pages' bytes are scattered among what lives on
            give_back_freed_memory()
        return source

    @event_priority(_LAST)
    def on_nav(self, nav, *, config, files):
        """A partial build renders only the pages whose Markdown changed, and another page's title
        is known only once it is rendered: the navigation's pages, whose titles every page shows,
        are rebuilt each time (their output is removed, so MkDocs sees them as changed)."""
        self.build.page_urls = [_page_url(file) for file in files.documentation_pages()]
        self.build.files, self.build.nav = files, nav
        for page in nav.pages:
            if not page.file.is_modified():
                os.remove(page.file.abs_dest_path)
                self.build.nav_rebuilt.add(page.url)
        nav.kk_files = files  # the pages by their source path, for `_where` (page events are not handed the files)
        nav.kk_tabs = [
            (prefix, item)
            for item in nav.items  # each tab and the address its pages lie under
            for prefix in [min((p.url for p in _pages_under(item)), key=len, default=None)]
            if prefix
        ]
        nav.kk_words = self.site_words(config)
        return nav

    def site_words(self, config) -> dict:
        """The texts of the site's frame that this plugin fills in (the breadcrumbs' label)."""
        return page_texts((self.portal or self.portal_of(config)).locale_dir)["site"]

    @event_priority(_LAST)
    def on_page_content(self, html: str, *, page, config, files) -> str:
        """generator.site.htmlblocks hides the ids in the HTML blocks it passes through from MkDocs,
        which checks links to anchors against them."""
        if page.present_anchor_ids is not None:
            page.present_anchor_ids.update(_IDS.findall(html))
        page.markdown = ""  # made into `html`, see on_post_page (not None: MkDocs then says the page has no title)
        return html

    @event_priority(100)
    def _index_search_view(self, context, *, page, config, nav):
        """Before Material's search indexes the page: hand it the page without what it would skip."""
        if not _VALUED_SEARCH_ATTRIBUTE.search(page.content):  # those Material removes after indexing
            page._kk_whole_content, page.content = page.content, search_view(page.content)
        return context

    @event_priority(-100)
    def _restore_whole_page(self, context, *, page, config, nav):
        whole = getattr(page, "_kk_whole_content", None)
        if whole is not None:
            page.content = whole
            del page._kk_whole_content
        self.build.built.append(page.url)
        return context

    @event_priority(_LAST)
    def _where(self, context, *, page, config, nav):
        """Where the reader is, for pages that `nav` does not list (most of them are generated):
        the top-level tab whose pages the page's address lies under is marked active for this page,
        and `kk_path` holds the breadcrumbs (title, url) of the folders above it that have a page."""
        if not page.active or not page.ancestors:  # MkDocs marks only the pages in `nav`
            tabs = [(len(prefix), item) for prefix, item in nav.kk_tabs if page.url.startswith(prefix)]
            if tabs and not page.is_homepage:
                item = max(tabs, key=lambda pair: pair[0])[1]
                if not item.active:
                    item.active = True
                    page._kk_tab = item
        crumbs = []
        parts = page.url.strip("/").split("/") if page.url.strip("/") else []
        for depth in range(len(parts)):
            folder = "/".join(parts[:depth])
            found = nav.kk_files.src_uris.get(f"{folder}/index.md" if folder else "index.md")  # a POSIX path already
            title = self._title(found, nav) if found is not None and found.page is not None else None
            if title:
                crumbs.append((title, found.page.url))
        context["kk_path"] = crumbs
        context["kk_path_label"] = nav.kk_words["path"]
        return context

    on_page_context = CombinedEvent(_index_search_view, _where, _restore_whole_page)

    def _title(self, file, nav) -> str | None:
        """A page's title without rendering it: a partial build renders only some pages, and a page
        knows its title only once rendered. The navigation's pages are rendered in every build
        (on_nav); any other page's title is read from its front matter, once per build (a
        municipality's page is the breadcrumb of each of its evaluations)."""
        if any(file.page is page for page in nav.pages):  # not `in`: Page.__eq__ compares titles, 140,000 times
            return file.page.title
        if file.src_uri not in self.build.titles:
            self.build.titles[file.src_uri] = _front_matter_title(_head_of(file))
        return self.build.titles[file.src_uri]

    @event_priority(_LAST)
    def on_post_page(self, output: str, *, page, config) -> str:
        """The tab marked active for a page outside `nav` is for that page only. Once the page is
        made, its HTML is let go, as its Markdown was once converted (on_page_content): MkDocs
        keeps both of every page to the end of the build (30 million characters at 100 x 3),
        though nothing reads them after (search indexed the page in on_page_context; links and
        anchors are checked from what rendering recorded)."""
        tab = getattr(page, "_kk_tab", None)
        if tab is not None:
            tab.active = False
            del page._kk_tab
        page.content = None
        return output

    @event_priority(_LAST)
    def on_env(self, env, *, config, files):
        """Hard-link the docs folder's static files (every chart's SVG and CSV, the data files) into
        the site, where MkDocs would copy them: thousands of small copies took seconds. The
        generator replaces a changed file with a new one, so the site never changes with it.
        MkDocs skips a file that is already there as the same file; any file that cannot be
        linked (another file system, a name already taken) MkDocs copies as usual."""
        env.bytecode_cache = self.compiled_templates
        self.build.env = env
        finish_charts(self.cache)  # MkDocs copies the static files next
        docs = os.path.join(os.path.normpath(config.docs_dir), "")
        for file in files:
            source = file.abs_src_path
            if source and source.startswith(docs) and not file.is_documentation_page() and file.inclusion.is_included():
                try:
                    os.makedirs(os.path.dirname(file.abs_dest_path), exist_ok=True)
                    os.link(source, file.abs_dest_path)
                except OSError:
                    pass
        return env

    def on_serve(self, server, *, config, builder):
        """The docs folder is the generator's output, not something an evaluator edits: MkDocs' watch
        of it made every build that wrote pages start another one, and polled its thousands of files
        twice a second. The data and content, which it is made from, stay watched (on_config)."""
        with contextlib.suppress(KeyError):  # `kommunkompassen serve` does not watch it to begin with
            server.unwatch(config.docs_dir)
        return server

    def on_build_error(self, *, error) -> None:
        finish_charts(self.cache)  # leave the docs folder whole
        self.cache.pages_in_memory = None
        self.pages_in_memory = False  # only for the build on_startup started
        self._generated_for = None

    @event_priority(-100)
    def on_post_build(self, *, config) -> None:
        """Material writes the search index with every å, ä and ö as a six-character
        escape (\\u00e5); the same JSON in UTF-8 is a tenth smaller (8 % gzipped).
        After a partial build, the index gets back the entries of the pages not built."""
        self.pages_in_memory = False  # only for the build on_startup started
        site = Path(config.site_dir)
        index = site / "search" / "search_index.json"
        if index.is_file():
            if self.partial:
                self.write_search_index(site, json.loads(index.read_bytes()))
            else:  # the text's escapes undone, not parsed: 30 MB of objects at 290 x 3, at the build's peak
                _write_atomically(index, partial(write_json_in_utf8, index.read_bytes()))
        preview_log.info(self.rebuilt_line())

    @property
    def partial(self) -> bool:
        """Whether this build built only some of the pages."""
        return len(self.build.built) < len(self.build.page_urls)

    def write_search_index(self, site: Path, data: dict) -> None:
        """The search index as UTF-8; after a partial build, with the other pages' entries of the last one."""
        if self.partial:
            data = self._completed("search/search_index.json", data)
        _write_atomically(
            site / "search" / "search_index.json", json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        )

    def _completed(self, name: str, data: dict) -> dict:
        """A page list written by a partial build, with the entries of the pages not built taken
        from the previous build's, in the order a full build gives."""
        previous: bytes | None = self.build.previous_lists.get(name)
        if previous is None:
            return data
        key, page_of = _PAGE_LISTS[name]
        built = set(self.build.built)
        entries: dict[str, list] = {}
        for entry in json.loads(previous).get(key, []):
            if page_of(entry) not in built:
                entries.setdefault(page_of(entry), []).append(entry)
        for entry in data.get(key, []):
            if page_of(entry) in built:  # Material's search may carry the last index's entries over too
                entries.setdefault(page_of(entry), []).append(entry)
        return {**data, key: [entry for url in self.build.page_urls for entry in entries.get(url, ())]}

    def first_pages_shown(self) -> None:
        """The pages built so far are those a quick rebuild showed first (generator.site.preview)."""
        self.build.first_seconds = time.perf_counter() - self.build.started

    def rebuilt_line(self) -> str:
        """The live preview's one line per build: how long it took and what it rebuilt (with pages
        shown first: how long those took, and when everything else was done too: the other pages,
        the data files and the search index)."""
        total = time.perf_counter() - self.build.started
        if not self.partial:
            return msg("serve.built", seconds=_seconds(total), count=len(self.build.built))
        changed = [url or "/" for url in self.build.built if url not in self.build.nav_rebuilt]
        more = msg("serve.more", count=len(changed) - 3) if len(changed) > 3 else ""
        first = self.build.first_seconds
        rest = msg("serve.rest", seconds=_seconds(total)) if first is not None else ""
        return msg(
            "serve.rebuilt",
            seconds=_seconds(total if first is None else first),
            pages=", ".join(changed[:3]) or msg("serve.no_pages"),
            more=more + rest,
        )


def _seconds(seconds: float) -> str:
    text = f"{seconds:.1f}"
    return text.replace(".", ",") if language() == "sv" else text


def tags_plugin(config):
    """Material's tags plugin in this config, if it has it."""
    return config.plugins.get("material/tags") or config.plugins.get("tags")


def _page_lists(config) -> dict[str, bytes]:
    """The site's files that list every page, as the last build wrote them."""
    lists = {}
    for name in _PAGE_LISTS:
        with contextlib.suppress(OSError):
            lists[name] = (Path(config.site_dir) / name).read_bytes()
    return lists


# In JSON that Python's `json.dumps` wrote with `ensure_ascii`: each escape, from left to right (so
# that `\\u00e5`, an escaped backslash before "u00e5", is not taken for one), a surrogate pair first.
_JSON_ESCAPE = re.compile(rb"\\(?:u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})|u([0-9a-f]{4})|.)")


def write_json_in_utf8(escaped: bytes, out: BinaryIO) -> None:
    """JSON written by `json.dumps` with `ensure_ascii` (Material's search index), written to `out` as
    `json.dumps` with `ensure_ascii=False` writes the same data, byte for byte: every character from
    DEL up (a pair of surrogates is one character) as itself in UTF-8; the escapes of control
    characters, quotes and backslashes, and any lone surrogate, as they were. Not one `re.sub`: its
    list of a million pieces took as much memory as parsing the index."""
    view, done = memoryview(escaped), 0
    for match in _JSON_ESCAPE.finditer(escaped):
        high, low, single = match.groups()
        if high is not None:
            code = 0x10000 + ((int(high, 16) - 0xD800) << 10) + (int(low, 16) - 0xDC00)
        elif single is not None:
            code = int(single, 16)
            if code < 0x7F or 0xD800 <= code <= 0xDFFF:
                continue
        else:
            continue
        out.write(view[done : match.start()])
        out.write(chr(code).encode("utf-8"))
        done = match.end()
    out.write(view[done:])


def _write_atomically(path: Path, text: str | Callable[[BinaryIO], None]) -> None:
    """The live preview's server may be reading the file: it sees the old one or the new one, whole.
    `text` is the file's text, or what writes its bytes to the file."""
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "wb") as file:
        if isinstance(text, str):
            file.write(text.encode("utf-8"))
        else:
            text(file)
    os.replace(temporary, path)


def _page_url(file) -> str:
    """The address a page gives itself (and its search entries): the home page's is empty."""
    return "" if file.url == "./" else file.url


def _head_of(file) -> list[str]:
    """The first two lines of a page's source file (fewer if it has fewer; none if it cannot be read)."""
    try:
        with open(file.abs_src_path, encoding="utf-8") as source:
            return [source.readline() for _ in range(2)]
    except OSError:
        return []


def _head_of_text(text: str) -> list[str]:
    """The first two lines of a page's source (fewer if it has fewer), without copying the rest of it
    (`split` would, for every page of the build)."""
    first = text.find("\n")
    if first < 0:
        return [text]
    second = text.find("\n", first + 1)
    return [text[:first], text[first + 1 :] if second < 0 else text[first + 1 : second]]


def _front_matter_title(head: list[str]) -> str | None:
    """The title that a page's front matter gives on its first line, from the page's first two lines."""
    if len(head) > 1 and head[0].strip() == "---" and head[1].startswith("title: "):
        value = head[1][len("title: ") :].strip()
        return json.loads(value) if value.startswith('"') else value
    return None


def _listed_at(src_uri: str) -> tuple:
    """Where MkDocs lists a file of the docs folder (`get_files` walks it): a folder's files, its
    index first, then its subfolders, each in order of name."""
    *folders, name = src_uri.split("/")
    return (*((1, folder) for folder in folders), (0, (os.path.splitext(name)[0] not in ("index", "README"), name)))


def _pages_under(item):
    if getattr(item, "children", None):
        for child in item.children:
            yield from _pages_under(child)
    elif getattr(item, "is_page", False):
        yield item
