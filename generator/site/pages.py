"""Render: Markdown pages, SVG charts and data files from the aggregated portal.

`render_site` returns every file of the generated docs folder as bytes keyed by
its path, so that writing (only what changed) is separate from deciding what to
write. Page markup lives in Jinja templates; Swedish text in locale/sv.yaml.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import inspect
import io
import math
import operator
import os
import posixpath
import re
import statistics
import threading
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable, Iterable
from typing import cast

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context

from generator import aggregate as ag
from generator.site import charts
from generator.site import datafiles
from generator.locales import load_locale
from generator.model import GOLD_STAR_LISTING

TEMPLATE_DIR = Path(__file__).parent / "templates"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGE = "sv"

# Characters that Markdown or HTML would interpret: written as numeric entities so
# that text from the data always shows literally and never becomes markup. Control
# characters too: Python-Markdown marks its stash with \x02 and \x03, and a terminal
# escape should reach the reader as the character it is, not act.
_ENTITIES = {c: f"&#{ord(c)};" for c in "\\`*_{}[]()<>#+!|~^=&\"'$:"}
_ENTITIES.update({chr(c): f"&#{c};" for c in (*range(0x20), 0x7F) if not chr(c).isspace()})
_ESCAPES = str.maketrans(_ENTITIES)
# What Markdown reads as a list item or a rule where a value starts a line ("- a", "1. a", "---").
_LINE_START = re.compile(r"^(?:-(?=[ -]|$)|\d+\.(?= |$))")


def escape_text(value: object) -> str:
    """Text from the data for a generated page, in Markdown or in an HTML text or attribute value:
    shown literally, never markup; runs of whitespace become one space."""
    return " ".join(str(value).split()).translate(_ESCAPES)


def escape_line_start(value: object) -> str:
    """`escape_text` for a value that begins a line of Markdown, where "- a", "1. a" or "---"
    would start a list or draw a rule: the character that would is written as an entity too."""
    text = escape_text(value)
    start = _LINE_START.match(text)
    if start:
        end = start.end()
        text = f"{text[:end - 1]}&#{ord(text[end - 1])};{text[end:]}"
    return text


def one_line(value: object) -> str:
    """Text from the data on one line, for a comment in a YAML file that `new` writes: a line break
    in a name would end the comment and start a key of its own."""
    return " ".join(str(value).split())


def format_number(value: float | None, decimals: int | None = None) -> str:
    if value is None:
        return "–"
    if decimals is not None:
        value = round(value, decimals)
    if value == 0:
        value = 0  # never "−0"
    if decimals is None and float(value).is_integer() and abs(value) >= 10_000:
        return f"{int(value):,}".replace(",", "\u00a0").replace("-", "−")  # Swedish: 30 150
    text = f"{value:.{decimals}f}" if decimals is not None else f"{value:g}"
    if text.startswith("-") and not text.strip("-0."):
        text = text[1:]  # -0, and a small negative rounded to zero, show as 0
    return text.replace(".", ",").replace("-", "−")


@functools.cache
def locale(language: str = LANGUAGE) -> dict:
    return load_locale(LOCALE_DIR / f"{language}.yaml")


def fill(template: str, **values: object) -> str:
    return template.format(**{k: v for k, v in values.items()})


@pass_context
def link(context, target: str) -> str:
    """A relative link from the page being rendered to another page or file of the docs folder."""
    return posixpath.relpath(target, posixpath.dirname(context["page_path"]))


@pass_context
def href(context, target: str) -> str:
    """A relative URL for raw HTML: pages are served as folders (use_directory_urls)."""
    here = posixpath.dirname(context["page_path"])
    if target.endswith("index.md"):
        target = posixpath.dirname(target)
        relative = posixpath.relpath(target or ".", here)
        return "./" if relative == "." else relative + "/"
    return posixpath.relpath(target, here)


@functools.cache
def template_environment() -> Environment:
    return _environment(Environment)


@functools.cache
def _tracking_environment() -> Environment:
    """The same environment, recording what each render reads (see `_Recorder`); the output is the same."""
    environment = _environment(_TrackingEnvironment, finalize=_finalize)
    for name, function in list(environment.filters.items()):
        if name not in _FOLLOWED_FILTERS:
            environment.filters[name] = _watched(function)
    return environment


def _environment(kind: type, **options) -> Environment:
    environment = kind(
        loader=FileSystemLoader(TEMPLATE_DIR),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # Markdown, not HTML: data text goes through the `esc` filter
        **options,
    )
    environment.filters.update(num=format_number, esc=escape_text, esc_line=escape_line_start, one_line=one_line, fill=fill,
                               counted=counted)
    environment.globals.update(link=link, href=href)
    return environment


@dataclass(frozen=True)
class Page:
    path: str  # in the docs folder, e.g. kommuner/karlskoga/index.md
    template: str
    context: dict
    charts: tuple[charts.Chart, ...] = ()


def render_site(portal: ag.Portal, content_dir: Path | None = None,
                cache: RenderCache | None = None) -> dict[str, bytes]:
    """All generated files, keyed by their path in the docs folder.

    Pages and charts are made in worker processes, one per core, when there are
    many. With a `cache` (kept by the caller between builds in one process, see
    `RenderCache`), only what changed is made again; the bytes are always those a
    fresh render gives.
    """
    files = _render_cached(portal, locale(), cache if cache is not None else RenderCache())[0]
    files.update(_content_files(content_dir))
    return files


def render_site_drawing_charts_later(portal: ag.Portal, content_dir: Path | None,
                                     cache: RenderCache) -> tuple[dict[str, bytes], ChartsInProgress | None]:
    """`render_site` with a cache, except that the charts to draw, when there are many, are left to a
    worker process that goes on drawing after this returns: the files without those charts, and them."""
    files, drawing = _render_cached(portal, locale(), cache, charts_later=True)
    files.update(_content_files(content_dir))
    return files, drawing


def _content_files(content_dir: Path | None) -> dict[str, bytes]:
    """The hand-written pages and their files, copied as they are."""
    if not content_dir or not content_dir.is_dir():
        return {}
    return {path.relative_to(content_dir).as_posix(): path.read_bytes()
            for path in sorted(content_dir.rglob("*")) if path.is_file() and not path.is_symlink()}


def _page_files(pages: list[Page], markdown: list, charts_needed: dict) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for page, content in zip(pages, markdown, strict=True):
        files[page.path] = content
    for page in pages:
        for chart in page.charts:
            made = charts_needed[chart]
            if made is not None:  # None: still being drawn
                files.update(zip(_chart_paths(page, chart), made, strict=True))
    return files


def _chart_paths(page: Page, chart: charts.Chart) -> tuple[str, str]:
    """Where a page's chart is written: its SVG and its CSV, beside the page."""
    folder = posixpath.dirname(page.path)
    return posixpath.join(folder, f"{chart.name}.svg"), posixpath.join(folder, f"{chart.name}.csv")


def _render_cached(portal: ag.Portal, t: dict, cache: RenderCache,
                   charts_later: bool = False) -> tuple[dict[str, bytes], ChartsInProgress | None]:
    keyer = _Keys(cache, portal, t)
    release = datafiles.release()  # the commit and its date: an input like the records, never the clock
    signature = (portal.dataset, keyer.base, release)
    if cache.last is not None and cache.last[0] == signature:  # same records, templates and texts: same files
        return dict(cache.last[1]), None
    pages = [_with_kept_charts(page, cache.charts) for page in _pages(portal, t, release)]
    markdown: list[bytes | None] = [None] * len(pages)
    keys: list[tuple | None] = [None] * len(pages)
    for index, page in enumerate(pages):
        old = cache.pages.get(page.path)
        if old is not None:
            keys[index] = keyer.key(page)
            if keys[index] is not None and keys[index] == old[0]:
                markdown[index] = old[1]
    charts_needed = {chart: cache.charts[chart][1:] if chart in cache.charts else None for page in pages for chart in page.charts}
    reads, data, drawing = _make(pages, markdown, charts_needed, portal, t, track=cache.track,
                                 meanwhile=lambda: datafiles.data_files(portal, t, cache.data),
                                 charts_later=charts_later)
    files = _page_files(pages, markdown, charts_needed)
    grown = keyer.learn(reads)
    for index, page in enumerate(pages):
        if index in reads or page.template in grown:
            keys[index] = keyer.key(page)
    files.update(data)
    made = cast(list[bytes], markdown)  # _make has filled in every page
    cache.pages = {page.path: (key, content) for page, key, content in zip(pages, keys, made, strict=True)
                   if key is not None}
    cache.charts = {chart: (chart, *made) for chart, made in charts_needed.items() if made is not None}
    keyer.keep()
    if drawing is None:
        cache.last = (signature, dict(files))
        return files, None
    cache.last = None  # the charts being drawn join cache.charts when they are finished
    return files, ChartsInProgress(drawing, pages, cache)


def _with_kept_charts(page: Page, kept: dict[charts.Chart, tuple]) -> Page:
    """The page with each chart equal to one of the last build's replaced by that object.

    Charts are made anew for every build; with last build's objects, what a
    template reads of them is remembered by identity (see `_Keys`) instead of
    being read again for every page.
    """
    same = {id(chart): kept[chart][0] for chart in page.charts if chart in kept}
    if not same:
        return page

    def swap(value: object) -> object:
        if type(value) is list:
            return [same.get(id(item), item) for item in value]
        return same.get(id(value), value)

    context = {name: swap(value) for name, value in page.context.items()}
    return Page(page.path, page.template, context, tuple(swap(chart) for chart in page.charts))  # type: ignore[misc]  # swap() gives back a chart for a chart; typed object, as it takes any value


class RenderCache:
    """What `render_site` remembers from one build for the next, in one process.

    If the records, templates and texts are the same as last time, the files are
    the same. Otherwise a chart is drawn again only if its spec changed, an
    evaluation's data is encoded again only if its inputs changed (see
    `datafiles.data_files`), and a page is rendered again unless it was rendered
    while tracking (`track`) and everything its template read then reads the
    same now (see `_Keys`).
    """

    def __init__(self, track: bool = False) -> None:
        self.track = track  # learn what each render reads (costs a third more rendering; pays off in the live preview)
        self.last: tuple[tuple, dict[str, bytes]] | None = None  # the files of the last build, by its inputs
        self.pages: dict[str, tuple[tuple, bytes]] = {}  # page path -> (key, Markdown)
        self.charts: dict[charts.Chart, tuple[charts.Chart, bytes, bytes]] = {}  # chart -> (the object drawn, SVG, CSV)
        self.data: dict[str, datafiles.EvaluationData] = {}  # each evaluation's part of the data files, by its key
        self.version: int | None = None  # fingerprint of the template sources the rest was learnt with
        self.reads: dict[str, dict[str, frozenset[str]]] = {}  # template -> path class -> attributes read
        self.calls: dict[str, dict[str, frozenset[tuple]]] = {}  # template -> path class -> (method, arguments) called
        self.opaque: set[str] = set()  # templates that read in ways not recorded: keyed by a full fingerprint
        self.memo: dict[str, dict] = {}  # template -> (object id, path class) -> (object, projection), from the last build
        self.known: dict[int, tuple[object, int]] = {}  # full fingerprints from the last build, by object id


# ---------------------------------------------------------------- which pages changed


class _Keys:
    """The key of a page: everything its template read when the page was last rendered, read again now.

    A render reads the page's context and `portal` through attribute lookups
    (recorded by `_Recorder` under a path class such as
    "view.learn_from[].leaders[].evaluation"), method calls with their arguments,
    and whole values (text, numbers, dictionaries, the locale). Rendering is a
    function of the values read, so if reading the same attributes of the new
    context gives equal values, the page comes out the same. The attributes are
    learnt per template, as the union over all its pages, which only adds reads.
    Unchanged objects are often the same objects as in the last build (the
    loader and aggregation keep them), so their projections are looked up by id.
    """

    def __init__(self, cache: RenderCache, portal: ag.Portal, t: dict):
        environment = template_environment()
        sources = tuple((name, environment.loader.get_source(environment, name)[0])  # type: ignore[union-attr]  # template_environment() always sets a loader
                        for name in sorted(environment.list_templates()))
        version = hash(sources)
        if cache.version != version:  # templates changed: learn again
            cache.version, cache.reads, cache.calls, cache.opaque, cache.memo, cache.known = version, {}, {}, set(), {}, {}
            cache.pages = {}
        self.cache, self.portal = cache, portal
        self.full = _Fingerprints(cache.known)
        self.base = (version, self.full(t))
        self.memos: dict[str, dict] = {}
        self.projectors: dict[str, Callable[[object, str], int]] = {}
        self.calls: dict[tuple, object] = {}  # (receiver id, method, arguments) -> result, for this build

    def key(self, page: Page) -> tuple | None:
        template = page.template
        roots = dict(page.context, portal=self.portal)
        try:
            if template in self.cache.opaque or template not in self.cache.reads:
                if template not in self.cache.opaque:
                    return None  # never rendered: nothing learnt yet
                parts = tuple((name, self.full(value)) for name, value in sorted(roots.items()))
            else:
                project = self.projectors.get(template) or self._projector(template)
                parts = tuple((name, project(value, name)) for name, value in sorted(roots.items()))
        except Exception:  # a value that cannot be fingerprinted, or a lookup that fails now: render again
            return None
        return (template, page.path, self.base, parts)

    def learn(self, recorded: dict[int, tuple]) -> set[str]:
        """Add what the renders read; returns the templates whose learnt reads grew."""
        grown: dict[str, set[str]] = {}  # template -> the path classes that read more now
        for template, page_reads, page_calls, complete in recorded.values():
            if not complete:
                if template not in self.cache.opaque:
                    self.cache.opaque.add(template)
                    grown[template] = set()
                continue
            reads = self.cache.reads.setdefault(template, {})
            calls = self.cache.calls.setdefault(template, {})
            for cls, attribute in page_reads:
                if attribute not in reads.get(cls, ()):
                    reads[cls] = reads.get(cls, frozenset()) | {attribute}
                    grown.setdefault(template, set()).add(cls)
            for cls, method, arguments in page_calls:
                if (method, arguments) not in calls.get(cls, ()):
                    calls[cls] = calls.get(cls, frozenset()) | {(method, arguments)}
                    grown.setdefault(template, set()).add(cls)
        for template, classes in grown.items():
            self.projectors.pop(template, None)
            for memos in (self.memos, self.cache.memo):
                if template in memos:
                    memos[template] = {} if template in self.cache.opaque else _still_valid(memos[template], classes)
        return set(grown)

    def keep(self) -> None:
        self.cache.memo = {template: memo for template, memo in self.memos.items()}
        self.cache.known = self.full.lasting()

    def _projector(self, template: str) -> Callable[[object, str], int]:
        memo = self.memos.get(template)
        if memo is None:
            memo = self.memos[template] = {}
        old = self.cache.memo.get(template, {})
        # Per path class, what to read and the path class of what is read: (attribute, class), (method, arguments, class).
        reads = {cls: tuple((attribute, f"{cls}.{attribute}") for attribute in sorted(attributes))
                 for cls, attributes in self.cache.reads.get(template, {}).items()}
        calls = {cls: tuple((method, made, f"{cls}.{method}()") for method, made in sorted(made_calls, key=repr))
                 for cls, made_calls in self.cache.calls.get(template, {}).items()}
        full = self.full
        item_classes: dict[str, str] = {}
        results = self.calls

        def project(value: object, cls: str) -> int:
            kind = type(value)
            plain = _plain_hash(value, kind)
            if plain is not None:
                return plain
            key = (id(value), cls)
            hit = memo.get(key)
            if hit is None:
                hit = old.get(key)
                if hit is not None and hit[0] is value:
                    memo[key] = hit
            if hit is not None and hit[0] is value:
                return hit[1]
            if kind is tuple or kind is list:
                items = item_classes.get(cls) or item_classes.setdefault(cls, cls + "[]")
                members = cast(Iterable[object], value)  # its kind was checked: a tuple or a list
                result = hash((kind, tuple([hash(item) if type(item) is str else project(item, items)
                                            for item in members])))
            elif kind is dict or not _is_record(value):
                result = full(value)
            else:
                parts: list = [hash(kind)]
                for attribute, below in reads.get(cls, ()):
                    part = getattr(value, attribute)
                    parts.append(hash(part) if type(part) is str else project(part, below))
                for method, made, below in calls.get(cls, ()):
                    call = (id(value), method, made)  # the value is alive in memo below, so its id is its own
                    if call in results:
                        got = results[call]
                    else:
                        got = results[call] = getattr(value, method)(*made[0], **dict(made[1]))
                    parts.append(project(got, below))
                result = hash(tuple(parts))
            memo[key] = (value, result)
            return result

        self.projectors[template] = project
        return project


def _still_valid(memo: dict, grown: set[str]) -> dict:
    """The projections that reading more at the `grown` path classes leaves as they were.

    A projection at a path class depends on the reads and calls learnt for that
    class and for the classes below it; so only the projections at a grown class
    and at the classes above it are stale (view.areas[] grown: view, view.areas,
    view.areas[]).
    """
    stale = {name[:end] for name in grown for end in [i for i, c in enumerate(name) if c in ".["] + [len(name)]}
    return {key: hit for key, hit in memo.items() if key[1] not in stale}


_RECORD_TYPES: dict[type, bool] = {}


def _is_record(value: object) -> bool:
    """A dataclass instance: the records and views whose attribute reads are followed."""
    kind = type(value)
    known = _RECORD_TYPES.get(kind)
    if known is None:
        known = _RECORD_TYPES[kind] = dataclasses.is_dataclass(value) and not isinstance(value, type)
    return known


_ATOMS = (str, int, float, bool, type(None))


class _Recorder:
    """Records what one render reads from its context, by path class (see `_Keys`)."""

    def __init__(self, template: str, roots: dict[str, object]):
        self.template = template
        self.classes: dict[int, set[str]] = {}
        self.keep: list[object] = []  # keeps the registered objects, and so their ids, alive
        self.reads: set[tuple[str, str]] = set()
        self.calls: set[tuple[str, str, tuple]] = set()
        self.complete = True
        for name, value in roots.items():
            self.register(value, name)

    def register(self, value: object, cls: str) -> None:
        kind = type(value)
        if kind in _ATOMS or kind is dict:
            return
        if kind is tuple or kind is list:
            items = cls + "[]"
            for item in value:  # type: ignore[attr-defined]  # value's kind was checked: a tuple or a list
                if type(item) not in _ATOMS:
                    self.register(item, items)
            return
        if _is_record(value):
            classes = self.classes.get(id(value))
            if classes is None:
                self.classes[id(value)] = {cls}
                self.keep.append(value)
            else:
                classes.add(cls)

    def read(self, owner: object, attribute: object, value: object) -> object:
        if not _is_record(owner):
            return value
        classes = self.classes.get(id(owner))
        if classes is None or type(attribute) is not str:
            self.complete = False  # reached by a way not followed: this template is keyed by full fingerprints
            return value
        if inspect.ismethod(value) and value.__self__ is owner:
            return self._method(owner, attribute, value, tuple(classes))
        for cls in tuple(classes):
            self.reads.add((cls, attribute))
            self.register(value, cls + "." + attribute)
        return value

    def _method(self, owner: object, name: str, method: Callable, classes: tuple) -> Callable:
        def call(*arguments, **keywords):
            result = method(*arguments, **keywords)
            if all(type(a) in _ATOMS for a in arguments) and all(type(v) in _ATOMS for v in keywords.values()):
                made = (arguments, tuple(sorted(keywords.items())))
                for cls in classes:
                    self.calls.add((cls, name, made))
                    self.register(result, cls + "." + name + "()")
            else:
                self.complete = False
            return result

        return call

    def opaque(self, value: object) -> None:
        """A value turned into text or handed to a filter as a whole: if it holds records, their reads are hidden."""
        kind = type(value)
        if kind is tuple or kind is list:
            if any(_is_record(item) for item in value):  # type: ignore[attr-defined]  # value's kind was checked: a tuple or a list
                self.complete = False
        elif _is_record(value):
            self.complete = False


_RECORDING: list[_Recorder | None] = [None]  # the render being recorded (renders run one at a time)


class _TrackingEnvironment(Environment):
    """Jinja's environment, telling the current `_Recorder` every attribute and item read."""

    def getattr(self, obj, attribute):
        value = super().getattr(obj, attribute)
        recorder = _RECORDING[0]
        return value if recorder is None else recorder.read(obj, attribute, value)

    def getitem(self, obj, argument):
        value = super().getitem(obj, argument)
        recorder = _RECORDING[0]
        return value if recorder is None else recorder.read(obj, argument, value)


# Filters that reach into records only through the environment (so their reads are recorded) or not at all.
# Any other filter handed a record (or a list of them) makes the render opaque; so does writing a record out.
# Not recorded either, and so not to be done in a template: comparing records with == (reads every field).
_FOLLOWED_FILTERS = frozenset({"selectattr", "rejectattr", "map", "list", "length", "count", "reverse", "first", "last",
                               "sort", "batch", "slice", "groupby", "sum", "min", "max", "default", "d"})


def _watched(function: Callable) -> Callable:
    """A filter that notes records handed to it whole (their reads would not be recorded)."""
    @functools.wraps(function)
    def watched(*arguments, **keywords):
        recorder = _RECORDING[0]
        if recorder is not None:
            for value in arguments:
                recorder.opaque(value)
            for value in keywords.values():
                recorder.opaque(value)
        return function(*arguments, **keywords)

    return watched


def _finalize(value: object) -> object:
    recorder = _RECORDING[0]
    if recorder is not None:
        recorder.opaque(value)
    return value


# ---------------------------------------------------------------- making pages and charts, on all cores


PARALLEL_FROM = 96  # pages plus charts to make before worker processes pay off
_JOBS: tuple | None = None  # what forked workers read: (pages, charts, portal, t, track)


def _make(pages: list[Page], markdown: list[bytes | None], charts_needed: dict, portal: ag.Portal, t: dict,
          track: bool = False, meanwhile: Callable[[], dict] = dict,
          charts_later: bool = False) -> tuple[dict[int, tuple], dict, tuple | None]:
    """Render the missing pages and draw the missing charts, in place; returns what each render
    read, what `meanwhile` returns (it runs here while the workers draw) and, with
    `charts_later`, the charts a worker is still drawing: (charts, their pool, its result)."""
    global _JOBS
    chart_list = [chart for chart, made in charts_needed.items() if made is None]
    page_jobs = [("page", index) for index, content in enumerate(markdown) if content is None]
    chart_jobs = [("chart", index) for index in range(len(chart_list))]
    reads: dict[int, tuple] = {}
    drawing: tuple | None = None
    _JOBS = (pages, chart_list, portal, t, track)
    try:
        workers = _workers(len(page_jobs) + len(chart_jobs))
        if workers > 1:
            import multiprocessing

            _load_templates(track)
            context = multiprocessing.get_context("fork")
            later = charts_later and len(chart_jobs) >= PARALLEL_FROM
            todo = page_jobs if later else chart_jobs + page_jobs  # charts first: they take longest
            with context.Pool(workers) as pool:
                pending = pool.map_async(_job, todo, chunksize=max(1, min(32, len(todo) // (workers * 8))))
                made_meanwhile = meanwhile()
                results = pending.get()
            if later:  # forked only now: a pool runs threads, and forking beside them is not safe
                chart_pool = context.Pool(workers - 1, initializer=os.nice, initargs=(10,))  # the caller goes first
                drawing = (chart_list, chart_pool, chart_pool.map_async(_job, chart_jobs, chunksize=32))
        else:
            todo = chart_jobs + page_jobs
            results = [_job(job) for job in todo]
            made_meanwhile = meanwhile()
    finally:
        _JOBS = None
    for (kind, index), result in zip(todo, results, strict=True):
        if kind == "page":
            markdown[index], recorded = result
            if recorded is not None:
                reads[index] = recorded
        else:
            charts_needed[chart_list[index]] = result
    return reads, made_meanwhile, drawing


class ChartsInProgress:
    """Charts a worker process draws while the build goes on (`render_site_drawing_charts_later`)."""

    def __init__(self, drawing: tuple, pages: list[Page], cache: RenderCache):
        self._charts, self._pool, self._result = drawing
        wanted = set(self._charts)
        self._paths: dict[charts.Chart, list[tuple[str, str]]] = {}
        for page in pages:
            for chart in page.charts:
                if chart in wanted:
                    self._paths.setdefault(chart, []).append(_chart_paths(page, chart))
        self._cache = cache

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(path for pairs in self._paths.values() for pair in pairs for path in pair)

    def finish(self) -> dict[str, bytes]:
        """Wait for the worker; the chart files it drew, which the cache now remembers too."""
        try:
            made = self._result.get()
        finally:
            self._pool.terminate()
            self._pool.join()
        files: dict[str, bytes] = {}
        for chart, svg_and_table in zip(self._charts, made, strict=True):
            self._cache.charts[chart] = (chart, *svg_and_table)
            for pair in self._paths[chart]:
                files.update(zip(pair, svg_and_table, strict=True))
        return files


def _load_templates(track: bool) -> None:
    """Compile every template here, before forking: the workers inherit them, and so do later builds in this process."""
    environment = _tracking_environment() if track else template_environment()
    for name in environment.list_templates():
        environment.get_template(name)


def _workers(jobs: int) -> int:
    import multiprocessing

    cores = os.cpu_count() or 1
    if jobs < PARALLEL_FROM or cores < 2 or threading.active_count() > 1:
        return 1  # forking a process that runs other threads (the live preview's server) is not safe
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(cores, 8)


def _job(job: tuple[str, int]):
    assert _JOBS is not None
    pages, chart_list, portal, t, track = _JOBS
    kind, index = job
    if kind == "page":
        page = pages[index]
        if not track:
            template = template_environment().get_template(page.template)
            return template.render(page_path=page.path, t=t, portal=portal, **page.context).encode("utf-8"), None
        template = _tracking_environment().get_template(page.template)
        recorder = _Recorder(page.template, dict(page.context, portal=portal))
        _RECORDING[0] = recorder
        try:
            text = template.render(page_path=page.path, t=t, portal=portal, **page.context)
        finally:
            _RECORDING[0] = None
        return text.encode("utf-8"), (page.template, frozenset(recorder.reads), frozenset(recorder.calls), recorder.complete)
    chart = chart_list[index]
    return chart.svg.encode("utf-8"), table_csv(chart.table)


# ---------------------------------------------------------------- full fingerprints


def _plain_hash(value: object, kind: type) -> int | None:
    """The hash of a string, number, boolean or None (0.0 and -0.0 apart); None for anything else."""
    if kind is str:
        return hash(value)
    if kind is int or kind is bool or value is None:
        return hash((kind, value))
    if kind is float:
        return hash((float, value, math.copysign(1.0, value) if value == 0 else 0.0))
    return None


class _Unfingerprintable(Exception):
    pass


class _Fingerprints:
    """A structural hash of values, each object hashed once: equal values give equal fingerprints.

    Objects that did not change between builds are often the very same objects
    (the loader keeps the records of unchanged files), so the last build's
    fingerprints are looked up by identity (`lasting`).
    """

    def __init__(self, known: dict[int, tuple[object, int]]):
        memo: dict[int, tuple[object, int]] = {}  # id -> (object, fingerprint); the object keeps the id taken

        def fingerprint(value: object) -> int:
            kind = type(value)
            plain = _plain_hash(value, kind)
            if plain is not None:
                return plain
            key = id(value)
            hit = memo.get(key)
            if hit is not None:
                return hit[1]
            hit = known.get(key)
            if hit is not None and hit[0] is value:
                memo[key] = hit
                return hit[1]
            if kind is tuple or kind is list:
                parts = value
            elif kind is dict:
                parts = [x for item in value.items() for x in item]  # type: ignore[attr-defined]  # value's kind was checked: a dict
            else:
                getter = _GETTERS.get(kind)
                if getter is None:
                    getter = _getter(value)
                parts = getter(value)
            out = []
            for part in parts:  # type: ignore[attr-defined]  # parts is a tuple, list or a getter's tuple, typed only as object
                part_kind = type(part)
                if part_kind is str:
                    out.append(hash(part))
                elif part_kind is int or part_kind is bool or part is None:
                    out.append(hash((part_kind, part)))
                else:
                    hit = memo.get(id(part))
                    out.append(hit[1] if hit is not None else fingerprint(part))
            result = hash((kind, tuple(out)))
            memo[key] = (value, result)
            return result

        self.fingerprint = fingerprint
        self.memo = memo

    def __call__(self, value: object) -> int:
        return self.fingerprint(value)

    def lasting(self) -> dict[int, tuple[object, int]]:
        return self.memo


_GETTERS: dict[type, Callable[[object], tuple]] = {}


def _getter(value: object) -> Callable[[object], tuple]:
    """The field values of a dataclass instance, as a tuple."""
    kind = type(value)
    if not dataclasses.is_dataclass(value):
        raise _Unfingerprintable(kind.__name__)
    names = [f.name for f in dataclasses.fields(value)]
    getter = operator.attrgetter(*names) if len(names) > 1 else (lambda v, name=names[0]: (getattr(v, name),))
    _GETTERS[kind] = getter
    return getter


def table_csv(table: charts.Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([datafiles.spreadsheet_safe(value) for value in table.header])
    # Decimal point, and a whole number without ".0", as in the data files.
    writer.writerows([datafiles.spreadsheet_safe(int(v) if isinstance(v, float) and v.is_integer() else v) for v in row]
                     for row in table.rows)
    return buffer.getvalue().encode("utf-8")


# ---------------------------------------------------------------- pages


def _pages(portal: ag.Portal, t: dict, release: tuple[str | None, str | None] = (None, None)) -> Iterable[Page]:
    yield _home(portal, t)
    yield Page("kommuner/index.md", "municipalities.md.j2", {})
    for view in portal.municipalities:
        yield _municipality(view, t)
        for evaluation in view.evaluations:
            yield _evaluation(evaluation, portal, t)
    for view in portal.cited_only:
        yield Page(f"kommuner/{view.slug}/index.md", "municipality.md.j2", {"view": view})
    yield Page("omraden/index.md", "areas.md.j2", {"basis": {s.framework.id: basis_text(s.basis, t) for s in portal.frameworks}})
    yield Page("omraden/jamforbarhet/index.md", "area_mapping.md.j2", {})
    for stats in portal.frameworks:
        for area in stats.areas:
            yield _area(stats, area, t)
        yield Page(f"jamforelse/{stats.framework.id}/index.md", "comparison.md.j2", {"stats": stats})
        yield Page(f"metod/{stats.framework.id}/index.md", "catalogue.md.j2", {"stats": stats})
        for area in stats.areas:
            if area.practices:  # no listing page that would only say it is empty
                yield Page(f"goda-exempel/{stats.framework.id}/{area.definition.number}/index.md", "practice_filter.md.j2",
                           {"stats": stats, "area": area})
    yield Page("jamforelse/index.md", "comparison_index.md.j2", {})
    yield Page("goda-exempel/index.md", "practices.md.j2", {"gold_listing": GOLD_STAR_LISTING})
    if any(p.practice.gold_star for p in portal.practices):
        yield Page(f"goda-exempel/{GOLD_STAR_LISTING}/index.md", "gold_stars.md.j2", {})
    for practice in portal.practices:
        yield Page(f"goda-exempel/{practice.practice.slug}/index.md", "practice.md.j2", {"item": practice})
    version, date = release
    yield Page("data/index.md", "data.md.j2", {"files": datafiles.listing(t), "tables": datafiles.CSV_FILES,
                                               "version": version, "date": date})


def _home(portal: ag.Portal, t: dict) -> Page:
    # A box only for a revision with enough evaluations; the table counts every revision.
    groups = [(s.framework.name, [v.total for v in s.evaluations if v.total is not None])
              for s in portal.frameworks if s.basis.enough]
    summary = [(s.framework.name, s.basis.count, _round(s.total_mean), _round(s.total_median)) for s in portal.frameworks]
    chart_list = []
    if groups:
        described = "; ".join(fill(t["home"]["overview_group"], name=s.framework.name, basis=basis_text(s.basis, t))
                              for s in portal.frameworks if s.basis.enough)
        chart_list.append(charts.box(
            "oversikt", t["home"]["overview"],
            fill(t["home"]["overview_description"], groups=described) + " " + _box_finding(t, groups),
            groups, 800, (t["word"]["revision"], t["word"]["count"], t["word"]["mean"], t["word"]["median"]), summary,
            legend=t["chart"]["box_legend"]))
    latest = sorted(portal.evaluations, key=lambda v: (-v.year, v.municipality.name))[:6]
    return Page("index.md", "home.md.j2", {"latest": latest, "overview": chart_list[0] if chart_list else None,
                                           "summary": summary}, tuple(chart_list))


def _municipality(view: ag.MunicipalityView, t: dict) -> Page:
    name = view.municipality.name
    series = []
    for framework_id in sorted({e.framework.id for e in view.evaluations}):
        own = [e for e in view.evaluations if e.framework.id == framework_id and e.total is not None]
        if own:
            series.append((own[0].framework.name, [(e.year, e.total) for e in own]))
    chart_list = []
    if series:
        chart_list.append(charts.history(
            "historik", fill(t["municipality"]["history"]),
            fill(t["municipality"]["history_description"], name=name) + " " + _history_finding(t, series),
            series, 800, (t["word"]["year"], t["word"]["revision"], t["word"]["total"])))
    latest = view.latest
    if latest:
        chart_list.append(_area_bars(latest, t, "profil", fill(t["municipality"]["profile"], year=latest.year),
                                     fill(t["municipality"]["profile_description"], name=name, year=latest.year)))
    return Page(f"kommuner/{view.slug}/index.md", "municipality.md.j2", {"view": view, "charts": chart_list}, tuple(chart_list))


def _area_bars(view: ag.EvaluationView, t: dict, name: str, title: str, description: str) -> charts.Chart:
    labels = [f"{row.definition.number} {row.definition.name}" for row in view.areas]
    own = f"{view.municipality.name} {view.year}"
    values = [row.points for row in view.areas]
    if all(row.revision_mean is None for row in view.areas):  # too few evaluations of the revision for a mean
        return charts.bars(name, title, f"{description} {_bars_finding(t, labels, values)}", labels, values, 100, own,
                           (t["word"]["area"], own))
    mean = fill(t["evaluation"]["mean_label"], revision=view.framework.name)
    reference = (mean, [_round(row.revision_mean) for row in view.areas])
    return charts.bars(
        name, title, f"{description} {_bars_finding(t, labels, values, reference)}", labels, values, 100, own,
        (t["word"]["area"], own, mean),
        reference=reference,
    )


def basis_text(basis: ag.Basis, t: dict) -> str:
    """What a statistic is computed over, in words: "7 utvärderingar av 6 kommuner 2003–2009 (Karlskoga 2003 och 2007)"."""
    text = fill(t["stats"]["basis"], evaluations=counted(basis.count, "evaluation"),
                municipalities=counted(basis.municipalities, "municipality"),
                years=str(basis.first_year) if basis.first_year == basis.last_year else f"{basis.first_year}–{basis.last_year}")
    if basis.repeated:
        twice = ", ".join(f"{name} {' och '.join(str(y) for y in years)}" for name, years in basis.repeated)
        text += fill(t["stats"]["basis_repeated"], which=twice)
    return text


def counted(n: int, unit: str) -> str:
    """A count with its noun in the right number: "1 utvärdering", "2 utvärderingar"."""
    one, many = locale()["unit"][unit]
    return f"{format_number(n)} {one if n == 1 else many}"


def _evaluation(view: ag.EvaluationView, portal: ag.Portal, t: dict) -> Page:
    name, year = view.municipality.name, view.year
    stats = portal.framework(view.framework.id)
    series = [(f"{name} {year}", [row.points for row in view.areas])]
    others = []
    if stats.basis.enough:
        others.append(fill(t["evaluation"]["radar_mean"], revision=view.framework.name, basis=basis_text(stats.basis, t)))
        series.append((fill(t["evaluation"]["mean_label"], revision=view.framework.name), [_round(row.revision_mean) for row in view.areas]))
    for reference in stats.references:
        values = {p.area: p.points for p in reference.areas}
        series.append((reference.name, [values.get(row.definition.number) for row in view.areas]))
        others.append(fill(t["evaluation"]["radar_reference"], name=reference.name.lower(), year=reference.year))
    if view.previous:
        series.append((f"{name} {view.previous.year}", [row.points for row in view.previous.areas]))
        others.append(f"{name} {view.previous.year}")
    if others:
        description = fill(t["evaluation"]["radar_description"], name=name, year=year, others=", ".join(others))
    else:
        description = fill(t["evaluation"]["radar_alone"], name=name, year=year, count=counted(stats.basis.count, "evaluation"),
                           revision=view.framework.name)
    # One chart, one message: the areas against the revision's mean and the other references.
    # (The radar and the bar chart that said the same thing twice are gone; the table beside
    # the chart holds every number, and its area names lead to the areas further down.)
    labels = [f"{row.definition.number} {row.definition.name}" for row in view.areas]
    (main_label, main_values), references = series[0], series[1:]
    mean = series[1] if stats.basis.enough else None
    title = t["evaluation"]["radar"] if others else t["evaluation"]["radar_alone_title"]  # no "compared" without others
    profile = charts.bars(
        "profil", title, f"{description} {_bars_finding(t, labels, main_values, mean)}",
        labels, main_values, 100, main_label, (t["word"]["area"],) + tuple(label for label, _ in series),
        references=references)
    history = next((mu.evaluations for mu in portal.municipalities if mu.slug == view.slug), ())
    return Page(f"kommuner/{view.slug}/{year}/index.md", "evaluation.md.j2",
                {"view": view, "stats": stats, "profile": profile, "profile_title": title, "history": history,
                 "basis": basis_text(stats.basis, t), "learn_gap": ag.LEARN_GAP}, (profile,))


def _history_finding(t: dict, series: list) -> str:
    """Each revision's line in words: from its first total to its last, or its one total."""
    parts = []
    for label, points in series:
        (first_year, first), (last_year, last) = points[0], points[-1]
        if len(points) == 1:
            parts.append(fill(t["chart"]["finding_once"], revision=label, value=format_number(first), year=first_year))
        else:
            parts.append(fill(t["chart"]["finding_change"], revision=label, first=format_number(first), first_year=first_year,
                              last=format_number(last), last_year=last_year))
    return " ".join(parts)


def _box_finding(t: dict, groups: list) -> str:
    """Each group's median in words."""
    medians = [f"{label} {format_number(_round(statistics.median(values)))}" for label, values in groups if values]
    return fill(t["chart"]["finding_median"], medians="; ".join(medians)) if medians else ""


def _bars_finding(t: dict, labels: list, values: list, reference: tuple | None = None) -> str:
    """What a bar chart shows, in words (its text alternative states the finding, not only the topic)."""
    pairs = [(value, label) for label, value in zip(labels, values, strict=True) if value is not None]
    if not pairs:
        return ""
    top, bottom = max(pairs, key=lambda p: p[0]), min(pairs, key=lambda p: p[0])
    text = fill(t["chart"]["finding_range"], top=top[1], top_value=format_number(top[0]),
                bottom=bottom[1], bottom_value=format_number(bottom[0]))
    if reference:
        both = [(v, r) for v, r in zip(values, reference[1], strict=True) if v is not None and r is not None]
        if both:
            text += " " + fill(t["chart"]["finding_above"], above=sum(v > r for v, r in both), n=len(both),
                               reference=reference[0][:1].lower() + reference[0][1:])
    return text


def _area(stats: ag.FrameworkStats, area: ag.AreaStats, t: dict) -> Page:
    name, revision = area.definition.name, stats.framework.name
    chart_list = []
    if area.ranking:
        basis = basis_text(area.basis, t)
        labels = [f"{r.evaluation.municipality.name} {r.evaluation.year}" for r in area.ranking]
        chart_list.append(charts.bars(
            "rangordning", t["areas"]["ranking"],
            fill(t["areas"]["ranking_description"], name=name, revision=revision, max=format_number(area.definition.max_points), basis=basis)
            + " " + _bars_finding(t, labels, [r.points for r in area.ranking]),
            labels, [r.points for r in area.ranking], area.definition.max_points, name,
            (t["word"]["municipality"], t["word"]["points"])))
        summary = [(label, _round(value)) for label, value in zip(
            (t["word"]["min"], t["word"]["q1"], t["word"]["median"], t["word"]["q3"], t["word"]["max_value"]), area.quartiles or (), strict=False)]
        chart_list.append(charts.box(
            "spridning", t["areas"]["distribution"],
            fill(t["areas"]["distribution_description"], name=name, revision=revision, basis=basis)
            + " " + _box_finding(t, [(name, [r.points for r in area.ranking])]),
            [(name, [r.points for r in area.ranking])], area.definition.max_points,
            (t["word"]["value"], t["word"]["points"]), summary, legend=t["chart"]["box_legend"]))
    return Page(area.url + "index.md", "area.md.j2", {"stats": stats, "area": area, "charts": chart_list,
                                                    "basis": basis_text(area.basis, t)}, tuple(chart_list))


def _n(value: float | None) -> str:
    return format_number(_round(value))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
