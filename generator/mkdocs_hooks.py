"""MkDocs hook: regenerate the docs folder from the data before every build,
and make MkDocs' own work on the generated pages cheaper without changing a byte of the site.

Named in mkdocs.yml, so `mkdocs build`, `mkdocs serve` and the console script
all run the same generator. During `serve`, a change to a YAML file triggers a
rebuild and this hook rewrites only the pages whose content changed.

In build order: `on_pre_build` generates, leaving the charts to a worker that
draws them while MkDocs reads the pages; `on_files` adds the charts still to
come; `on_page_content` tells MkDocs the ids that `generator.htmlblocks` kept
from it; `on_page_context` lets Material's search read the page without what
it skips and marks where the page is (tab, breadcrumbs); `on_env` waits for the charts and links the static files into the
site; `on_post_build` writes the search index as UTF-8.
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path

from mkdocs.exceptions import Abort
from mkdocs.plugins import CombinedEvent, event_priority
from mkdocs.structure.files import File

from generator.build import DATA_ENV, ROOT, DataError, charts_in_progress, finish_charts, generate
from generator.htmlblocks import search_view
from generator.render import locale

log = logging.getLogger("mkdocs.hooks.kommunkompassen")
_VALUED_SEARCH_ATTRIBUTE = re.compile(r'\sdata-search-\w+="[^"]')
_IDS = re.compile(r'<[a-z][a-z0-9]*\s[^>]*?\bid="([^"]+)"')


def on_pre_build(config, **kwargs) -> None:
    data_dir = Path(os.environ.get(DATA_ENV) or ROOT / "evaluations")
    try:
        report = generate(data_dir, Path(config["docs_dir"]), charts_later=True)
    except DataError as exc:
        for problem in exc.problems:
            if problem.level.value == "error":
                log.error(problem.plain())
        raise Abort(f"{exc}; the pages were not regenerated") from None
    if report.written or report.removed:
        log.info("kommunkompassen: %d page file(s) written, %d removed", len(report.written), len(report.removed))


def on_files(files, config, **kwargs):
    """The charts still being drawn are static files of the site like those already there."""
    for path in charts_in_progress(Path(config["docs_dir"])):
        if files.get_file_from_path(path) is None:
            files.append(File(path, config["docs_dir"], config["site_dir"], config["use_directory_urls"]))
    return files


def on_page_content(html: str, page, **kwargs) -> str:
    """generator.htmlblocks hides the ids in the HTML blocks it passes through from MkDocs,
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
    return context


def on_nav(nav, config, files, **kwargs):
    """The pages by their source path, for `_where` (page events are not handed the files)."""
    nav.kk_files = files
    nav.kk_words = locale()["site"]
    return nav


def _where(context, *, page, nav, **kwargs):
    """Where the reader is, for pages that `nav` does not list (most of them are generated):
    the top-level tab whose pages the page's address lies under is marked active for this page,
    and `kk_path` holds the breadcrumbs (title, url) of the folders above it that have a page."""
    if not page.active or not page.ancestors:  # MkDocs marks only the pages in `nav`
        tabs = []
        for item in nav.items:
            urls = [p.url for p in _pages_under(item)]
            prefix = min(urls, key=len) if urls else None
            if prefix and page.url.startswith(prefix):
                tabs.append((len(prefix), item))
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
        if found is not None and found.page is not None and found.page.title:
            crumbs.append((found.page.title, found.page.url))
    context["kk_path"] = crumbs
    context["kk_path_label"] = nav.kk_words["path"]
    return context


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
    escape (\\u00e5); the same JSON in UTF-8 is a tenth smaller (8 % gzipped)."""
    index = Path(config["site_dir"]) / "search" / "search_index.json"
    if index.is_file():
        data = json.loads(index.read_bytes())
        index.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
