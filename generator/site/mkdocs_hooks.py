"""MkDocs hook: regenerate the docs folder from the data before every build,
and make MkDocs' own work on the generated pages cheaper without changing a byte of the site.

Named in mkdocs.yml, so `mkdocs build`, `mkdocs serve` and the console script
all run the same generator. During `serve`, a change to a YAML file triggers a
rebuild and this hook rewrites only the pages whose content changed.

In build order: `on_pre_build` generates, leaving the charts to a worker that
draws them while MkDocs reads the pages; `on_files` adds the charts still to
come; `on_nav` has the pages of the navigation rebuilt in a partial build;
`on_page_content` tells MkDocs the ids that `generator.site.htmlblocks` kept
from it; `on_page_context` lets Material's search read the page without what
it skips and marks where the page is (tab, breadcrumbs); `on_env` waits for the charts and links the static files into the
site; `on_post_build` writes the search index as UTF-8.

The live preview builds partially (MkDocs' "dirty" build: only the pages whose
Markdown the generator rewrote). The site files that list every page, the search
index and the tags file, then hold only the rebuilt pages: `on_post_build` puts
back the other pages' entries from the previous build, so that the served site
equals a full build (tests/test_serve.py). What the hook remembers
(`_THIS_BUILD`) is made anew at the start of every build.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable

from mkdocs.exceptions import Abort
from mkdocs.plugins import CombinedEvent, event_priority
from mkdocs.structure.files import File

from generator.site.build import DATA_ENV, ROOT, DataError, charts_in_progress, finish_charts, generate
from generator.site.htmlblocks import search_view
from generator.messages import language, msg
from generator.site.pages import locale

log = logging.getLogger("mkdocs.hooks.kommunkompassen")
preview_log = logging.getLogger("kommunkompassen.preview")  # outside MkDocs' loggers: shown while MkDocs' are quiet
_VALUED_SEARCH_ATTRIBUTE = re.compile(r'\sdata-search-\w+="[^"]')
_IDS = re.compile(r'<[a-z][a-z0-9]*\s[^>]*?\bid="([^"]+)"')


# Files of the site that list every page: where each lists its entries, and the page an entry belongs to.
_PAGE_LISTS: dict[str, tuple[str, Callable[[dict], str]]] = {
    "search/search_index.json": ("docs", lambda entry: entry["location"].split("#", 1)[0]),
    "tags.json": ("mappings", lambda entry: entry["item"]["url"]),
}


@dataclass
class _Build:
    """What this build has seen, for a partial build's page lists and the preview's one line."""

    started: float = field(default_factory=time.perf_counter)
    previous_lists: dict[str, bytes] = field(default_factory=dict)  # the page lists of the build before
    page_urls: list[str] = field(default_factory=list)  # every page, in MkDocs' order
    built: list[str] = field(default_factory=list)  # the pages built this time
    nav_rebuilt: set[str] = field(default_factory=set)  # built only for their titles (see on_nav)
    titles: dict[str, str | None] = field(default_factory=dict)  # front-matter titles read, by source path


_THIS_BUILD = _Build()


class _NoDirtyWarning(logging.Filter):
    """MkDocs warns at every partial build that its navigation may be stale: this hook keeps
    it whole (see on_nav), and in strict mode the warning would stop the build."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage()


def on_config(config, **kwargs):
    builder_log = logging.getLogger("mkdocs.commands.build")
    if not any(type(f).__name__ == "_NoDirtyWarning" for f in builder_log.filters):  # this module may be loaded again
        builder_log.addFilter(_NoDirtyWarning())
    return config


def on_pre_build(config, **kwargs) -> None:
    global _THIS_BUILD
    _THIS_BUILD = _Build()
    for name in _PAGE_LISTS:  # read before a full build cleans the site folder
        with contextlib.suppress(OSError):
            _THIS_BUILD.previous_lists[name] = (Path(config["site_dir"]) / name).read_bytes()
    data_dir = Path(os.environ.get(DATA_ENV) or ROOT / "evaluations")
    try:
        report = generate(data_dir, Path(config["docs_dir"]), charts_later=True)
    except DataError as exc:
        for problem in exc.problems:
            if problem.level.value == "error":
                log.error(problem.plain())
        raise Abort(msg("build.not_regenerated", detail=exc)) from None
    if report.written or report.removed:
        log.info(msg("build.hook_written", written=len(report.written), removed=len(report.removed)))


def on_files(files, config, **kwargs):
    """The charts still being drawn are static files of the site like those already there."""
    for path in charts_in_progress(Path(config["docs_dir"])):
        if files.get_file_from_path(path) is None:
            files.append(File(path, config["docs_dir"], config["site_dir"], config["use_directory_urls"]))
    return files


def on_nav(nav, config, files, **kwargs):
    """A partial build renders only the pages whose Markdown changed, and another page's title
    is known only once it is rendered: the navigation's pages, whose titles every page shows,
    are rebuilt each time (their output is removed, so MkDocs sees them as changed)."""
    _THIS_BUILD.page_urls = [_page_url(file) for file in files.documentation_pages()]
    for page in nav.pages:
        if not page.file.is_modified():
            os.remove(page.file.abs_dest_path)
            _THIS_BUILD.nav_rebuilt.add(page.url)
    nav.kk_files = files  # the pages by their source path, for `_where` (page events are not handed the files)
    nav.kk_tabs = [(prefix, item) for item in nav.items  # each tab and the address its pages lie under
                   for prefix in [min((p.url for p in _pages_under(item)), key=len, default=None)] if prefix]
    nav.kk_words = locale()["site"]
    return nav


def _page_url(file) -> str:
    """The address a page gives itself (and its search entries): the home page's is empty."""
    return "" if file.url == "./" else file.url


def on_page_content(html: str, page, **kwargs) -> str:
    """generator.site.htmlblocks hides the ids in the HTML blocks it passes through from MkDocs,
    which checks links to anchors against them."""
    if page.present_anchor_ids is not None:
        page.present_anchor_ids.update(_IDS.findall(html))
    return html


@event_priority(100)
def _index_search_view(context, *, page, **kwargs):
    """Before Material's search indexes the page: hand it the page without what it would skip."""
    if not _VALUED_SEARCH_ATTRIBUTE.search(page.content):  # those Material removes after indexing
        page._kk_whole_content, page.content = page.content, search_view(page.content)
    return context


@event_priority(-100)
def _restore_whole_page(context, *, page, **kwargs):
    whole = getattr(page, "_kk_whole_content", None)
    if whole is not None:
        page.content = whole
        del page._kk_whole_content
    _THIS_BUILD.built.append(page.url)
    return context


def _where(context, *, page, nav, **kwargs):
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
        found = nav.kk_files.get_file_from_path(f"{folder}/index.md" if folder else "index.md")
        title = _title(found, nav) if found is not None and found.page is not None else None  # remembered per build
        if title:
            crumbs.append((title, found.page.url))
    context["kk_path"] = crumbs
    context["kk_path_label"] = nav.kk_words["path"]
    return context


def _title(file, nav) -> str | None:
    """A page's title without rendering it: a partial build renders only some pages, and a page
    knows its title only once rendered. The navigation's pages are rendered in every build
    (on_nav); any other page's title is read from its front matter, once per build (a
    municipality's page is the breadcrumb of each of its evaluations)."""
    if file.page in nav.pages:
        return file.page.title
    if file.src_uri not in _THIS_BUILD.titles:
        _THIS_BUILD.titles[file.src_uri] = _front_matter_title(file)
    return _THIS_BUILD.titles[file.src_uri]


def _front_matter_title(file) -> str | None:
    try:
        with open(file.abs_src_path, encoding="utf-8") as source:
            head = [source.readline() for _ in range(3)]
    except OSError:
        return None
    if head[0].strip() == "---" and head[1].startswith("title: "):
        value = head[1][len("title: "):].strip()
        return json.loads(value) if value.startswith('"') else value
    return None


def _pages_under(item):
    if getattr(item, "children", None):
        for child in item.children:
            yield from _pages_under(child)
    elif getattr(item, "is_page", False):
        yield item


on_page_context = CombinedEvent(_index_search_view, _where, _restore_whole_page)


def on_post_page(output: str, page, **kwargs) -> str:
    """The tab marked active for a page outside `nav` is for that page only."""
    tab = getattr(page, "_kk_tab", None)
    if tab is not None:
        tab.active = False
        del page._kk_tab
    return output


def on_env(env, config, files, **kwargs):
    """Hard-link the docs folder's static files (every chart's SVG and CSV, the data files) into
    the site, where MkDocs would copy them: thousands of small copies took seconds. The
    generator replaces a changed file with a new one, so the site never changes with it.
    MkDocs skips a file that is already there as the same file; any file that cannot be
    linked (another file system, a name already taken) MkDocs copies as usual."""
    finish_charts()  # MkDocs copies the static files next
    docs = os.path.join(os.path.normpath(config["docs_dir"]), "")
    for file in files:
        source = file.abs_src_path
        if source and source.startswith(docs) and not file.is_documentation_page() and file.inclusion.is_included():
            try:
                os.makedirs(os.path.dirname(file.abs_dest_path), exist_ok=True)
                os.link(source, file.abs_dest_path)
            except OSError:
                pass
    return env


def on_build_error(error, **kwargs) -> None:
    finish_charts()  # leave the docs folder whole


def on_post_build(config, **kwargs) -> None:
    """Material writes the search index with every å, ä and ö as a six-character
    escape (\\u00e5); the same JSON in UTF-8 is a tenth smaller (8 % gzipped).
    After a partial build, the page lists get back the entries of the pages not built."""
    site = Path(config["site_dir"])
    partial = len(_THIS_BUILD.built) < len(_THIS_BUILD.page_urls)
    index = site / "search" / "search_index.json"
    if index.is_file():
        data = json.loads(index.read_bytes())
        if partial:
            data = _completed("search/search_index.json", data)
        index.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    tags = site / "tags.json"
    if partial and tags.is_file():
        tags.write_text(json.dumps(_completed("tags.json", json.loads(tags.read_bytes()))), encoding="utf-8")
    preview_log.info(_rebuilt_line(partial))


def _completed(name: str, data: dict) -> dict:
    """A page list written by a partial build, with the entries of the pages not built taken
    from the previous build's, in the order a full build gives."""
    previous: bytes | None = _THIS_BUILD.previous_lists.get(name)
    if previous is None:
        return data
    key, page_of = _PAGE_LISTS[name]
    built = set(_THIS_BUILD.built)
    entries: dict[str, list] = {}
    for entry in json.loads(previous).get(key, []):
        if page_of(entry) not in built:
            entries.setdefault(page_of(entry), []).append(entry)
    for entry in data.get(key, []):
        entries.setdefault(page_of(entry), []).append(entry)
    return {**data, key: [entry for url in _THIS_BUILD.page_urls for entry in entries.get(url, ())]}


def _rebuilt_line(partial: bool) -> str:
    """The live preview's one line per build: how long it took and what it rebuilt."""
    seconds = f"{time.perf_counter() - _THIS_BUILD.started:.1f}"
    seconds = seconds.replace(".", ",") if language() == "sv" else seconds
    if not partial:
        return msg("serve.built", seconds=seconds, count=len(_THIS_BUILD.built))
    changed = [url or "/" for url in _THIS_BUILD.built if url not in _THIS_BUILD.nav_rebuilt]
    more = msg("serve.more", count=len(changed) - 3) if len(changed) > 3 else ""
    return msg("serve.rebuilt", seconds=seconds, pages=", ".join(changed[:3]) or msg("serve.no_pages"), more=more)
