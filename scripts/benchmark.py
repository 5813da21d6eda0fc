#!/usr/bin/env python3
"""Benchmark: the generator and the site build at several corpus sizes, against a plain MkDocs baseline.

    python scripts/benchmark.py [--sizes 100,290,1000] [--evaluations-per 3] [--seed 1] [--rounds 3,3,1] [--no-write]

For each size, in a fresh process: `kommunkompassen synth` writes a corpus of
that many municipalities into a temporary folder; `kommunkompassen build` builds
it in another fresh process (the full build: the data checked, then MkDocs,
whose plugin generates, hands MkDocs the pages in memory and leaves the charts
to a worker while MkDocs reads the pages); the generator runs once with each
stage timed (load, validate, aggregate, render, write; every chart drawn before
anything is written), then MkDocs builds the site in the same process (its
plugin generates again, warm). In another fresh process MkDocs
Material builds the baseline: the same pages at the same paths as plain
Markdown with the same visible text, no charts, tables or data files, with the
same mkdocs.yml (theme, plugins, extensions; only the plugin is left out). With
--rounds N (by default 3 below 500 municipalities, 1 from there), N full builds
and N baselines run in turn, the order reversed each round (this machine's speed
drifts within minutes); the medians are reported, with each round's ratio of the
two. Then,
as in the live preview (`kommunkompassen serve`), the generator starts once with
a cache of its own, one question's points are changed in one evaluation file and the
generator runs again; then one sentence of text is changed.

Reported: seconds per stage, the full build against the baseline, output size
in total and per page, the largest HTML page, the search index raw and gzipped
(level 6, as web servers send it), the peak memory (resident set of the full
build's process and of its largest worker, and of the measuring process), and
for the edits the time and the files written.
The results table in BENCHMARKS.md is replaced (between its markers) unless
--no-write is given; the raw numbers are printed as JSON.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # this repository: its generator and BENCHMARKS.md
BENCHMARKS = ROOT / "BENCHMARKS.md"
# The portal measured (its mkdocs.yml and content/) is the one in the working folder, as for the tool itself.
PORTAL_CONFIG = Path("mkdocs.yml").resolve()
START, END = "<!-- benchmark:start -->", "<!-- benchmark:end -->"
PAGE_LIMIT = 300 * 1024
INDEX_LIMIT = 1.5 * 1024 * 1024
RATIO_LIMIT = 1.3
SERVE_LIMIT = 2.0  # seconds from saving a file to the served page showing the change
SERVE_RUNS = 5  # saves of each edit; the median is reported, every run in the JSON


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,290,1000", help="numbers of municipalities, comma-separated")
    parser.add_argument("--evaluations-per", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--rounds",
        default=None,
        help="full builds and baselines, in turn, per size (the ratio reported is the median round's);"
        " one number for every size, or one per size, comma-separated (default: 3 below 500"
        " municipalities, 1 from there: a round at 1000 x 3 takes ten minutes)",
    )
    parser.add_argument("--no-write", action="store_true", help="print the results; leave BENCHMARKS.md as it is")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders (printed)")
    parser.add_argument("--_one", help=argparse.SUPPRESS)  # internal: measure one size in this process
    parser.add_argument("--_baseline", help=argparse.SUPPRESS)  # internal: build a baseline folder in this process
    parser.add_argument(
        "--_build", nargs=2, help=argparse.SUPPRESS
    )  # internal: `kommunkompassen build` DATA SITE, timed
    args = parser.parse_args()
    if args._baseline:
        print(json.dumps(_build_baseline(Path(args._baseline))))
        return 0
    if args._build:
        print(json.dumps(_full_build(Path(args._build[0]), Path(args._build[1]))))
        return 0
    if args._one:
        print(json.dumps(_measure(int(args._one), args.evaluations_per, args.seed, args.keep, int(args.rounds or 1))))
        return 0

    results = []
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.rounds is None:
        rounds = [3 if size < 500 else 1 for size in sizes]
    else:
        rounds = [max(1, int(r)) for r in args.rounds.split(",") if r.strip()]
    if len(rounds) not in (1, len(sizes)):
        parser.error("--rounds: one number, or one per size")
    for size, size_rounds in zip(sizes, rounds * len(sizes) if len(rounds) == 1 else rounds, strict=True):
        print(f"== {size} municipalities × {args.evaluations_per} evaluations", file=sys.stderr, flush=True)
        started = time.perf_counter()
        result = _run_json(
            [
                sys.executable,
                __file__,
                "--_one",
                str(size),
                "--evaluations-per",
                str(args.evaluations_per),
                "--seed",
                str(args.seed),
                "--rounds",
                str(size_rounds),
            ]
            + (["--keep"] if args.keep else [])
        )
        result["wall"] = round(time.perf_counter() - started, 1)
        results.append(result)
        print(json.dumps(result, indent=1), flush=True)
    if not args.no_write:
        _write_table(results)
        print(f"updated {BENCHMARKS.relative_to(ROOT)}", file=sys.stderr)
    return 0


def _run_json(command: list[str]) -> dict:
    """The JSON that `command` (this script in another process) prints on its last line."""
    return json.loads(_run(command).strip().splitlines()[-1])


def _run(command: list[str]) -> str:
    done = subprocess.run(command, cwd=PORTAL_CONFIG.parent, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"failed: {' '.join(command)}")
    return done.stdout


# ---------------------------------------------------------------- one size, in its own process


def _measure(size: int, per: int, seed: int, keep: bool, rounds: int = 1) -> dict:
    sys.path.insert(0, str(ROOT))
    from generator.model import GOLD_STAR_LISTING
    from generator.site import build
    from generator.site.build import generate
    from generator.site.cache import BuildCache
    from generator.site.portal import find_portal
    from generator.tools.synth import write_corpus

    portal = find_portal(PORTAL_CONFIG)
    work = Path(tempfile.mkdtemp(prefix=f"kk-bench-{size}-"))
    data, docs, site = work / "data", work / "docs", work / "site"
    result: dict = {"municipalities": size, "evaluations_per": per}

    started = time.perf_counter()
    result["evaluations"] = write_corpus(data, size, per, seed)
    result["synth"] = round(time.perf_counter() - started, 2)

    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")  # the same dates in both builds (the sitemap's)
    # The full build: `kommunkompassen build`, cold, in a fresh process.
    full_runs = [_full_build_process(data, work / "full")]  # its site is compared below

    # The generator, cold, each stage timed; then MkDocs in the same process (whose plugin generates again).
    stages: dict[str, float] = {}
    started = time.perf_counter()
    report = generate(data, docs, portal.content_dir, timings=stages)
    result["generator"] = round(time.perf_counter() - started, 2)
    result["stages"] = {k: round(v, 2) for k, v in stages.items()}
    result["files"] = len(report.written)
    result["pages"] = sum(1 for path in report.written if path.endswith(".md"))
    result["practices"] = sum(
        1
        for path in report.written
        if re.fullmatch(r"goda-exempel/[a-z0-9-]*[a-z-][a-z0-9-]*/index\.md", path)
        and path != f"goda-exempel/{GOLD_STAR_LISTING}/index.md"
    )
    # The baseline's pages, from the pages just written (MkDocs' build below hands it the pages in memory
    # and removes them from the docs folder).
    plain = work / "plain"
    result["text"] = _plain_pages(docs, plain)
    started = time.perf_counter()
    build._mkdocs_build(portal, data, site.resolve(), docs.resolve())  # raises if the site did not build
    result["mkdocs"] = round(time.perf_counter() - started, 2)
    result["site"] = _site_sizes(site)
    differing = _differing(_tree_digests(site), _tree_digests(work / "full" / "site"))
    if differing:
        raise SystemExit(
            "`kommunkompassen build` and the generator followed by MkDocs built different sites: "
            + ", ".join(differing[:10])
            + (f" and {len(differing) - 10} more" if len(differing) > 10 else "")
        )
    shutil.rmtree(work / "full", ignore_errors=True)

    # The baseline: the same pages as plain Markdown with the same text, built in a fresh process.
    baseline_runs = [_baseline_process(plain)]
    # More rounds, in turn: this machine's speed drifts by a fifth within minutes, and a fixed
    # order would favour whichever runs in the faster minute.
    for round_number in range(1, rounds):
        for step in ("full", "baseline") if round_number % 2 == 0 else ("baseline", "full"):
            if step == "full":
                full_runs.append(_full_build_process(data, work / f"full-{round_number}", remove=True))
            else:
                baseline_runs.append(_baseline_process(plain))
    result.update(_side_by_side(full_runs, baseline_runs))

    # The live preview: a first generation with a cache of its own, then one evaluation file edited twice.
    cache = BuildCache()
    started = time.perf_counter()
    generate(data, docs, portal.content_dir, cache=cache)
    result["preview_start"] = round(time.perf_counter() - started, 2)
    target, text, edits = preview_edits(data)
    result["edits"] = {}
    for name, new in edits.items():
        before = _snapshot(docs)
        time.sleep(1.1)  # an editor saves well after the last build; see build._SETTLED_NS
        target.write_text(new, encoding="utf-8")
        stages = {}
        started = time.perf_counter()
        report = generate(data, docs, portal.content_dir, timings=stages, cache=cache)
        elapsed = time.perf_counter() - started
        after = _snapshot(docs)
        differ = sorted(p for p in after if before.get(p) != after[p])
        kept = all(before[p][1] == after[p][1] for p in after if p in before and p not in differ)
        result["edits"][name] = {
            "seconds": round(elapsed, 2),
            "stages": {k: round(v, 3) for k, v in stages.items()},
            "written": len(report.written),
            "only_changed": sorted(report.written) == differ and kept,
        }
        target.write_text(text, encoding="utf-8")
        time.sleep(1.1)
        generate(data, docs, portal.content_dir, cache=cache)

    result["serve"] = _serve_edits(data)

    # Not RUSAGE_CHILDREN here: it would mix this process's workers with the full build and the baseline.
    result["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    if keep:
        result["folder"] = str(work)
    else:
        shutil.rmtree(work, ignore_errors=True)
    return result


def _serve_edits(data: Path) -> dict:
    """The live preview as an evaluator meets it: `kommunkompassen serve` in its own process, each
    edit saved to the file, then the edited page asked for over HTTP until it shows the change.
    Seconds from the save to the first response that holds the edit, and to the server's line for
    that rebuild, which it writes once everything else is done too (the other pages, the data files,
    the search index). The next save comes only then: one that came sooner would wait for it."""
    import queue
    import socket
    import threading
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    target, text, edits = preview_edits(data)
    url = f"http://127.0.0.1:{port}/kommuner/{target.parent.name}/{target.stem}/"

    def page() -> bytes:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return re.sub(rb"livereload\(\d+, \d+\)", b"", response.read())  # differs in every response
        except OSError:
            return b""

    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--data", str(data), "--dev-addr", f"127.0.0.1:{port}"],
        cwd=PORTAL_CONFIG.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue = queue.Queue()

    def read_lines() -> None:
        for line in server.stderr or ():
            lines.put((time.perf_counter(), line))

    def all_done(saved: float) -> float | None:
        """Seconds from `saved` to the rebuild's line ("Byggt om på …", or "Byggt på …" for a whole build)."""
        while True:
            try:
                when, line = lines.get(timeout=max(0.1, saved + 240 - time.perf_counter()))
            except queue.Empty:
                return None
            if when >= saved and line.startswith(("Byggt om på ", "Byggt på ")):
                return round(when - saved, 2)

    threading.Thread(target=read_lines, daemon=True).start()
    result: dict = {}
    try:
        started = time.perf_counter()
        while not page() and time.perf_counter() - started < 900:
            time.sleep(0.2)
        result["first_build"] = round(time.perf_counter() - started, 1)
        all_done(started)  # the first build's line
        for name, new in edits.items():
            runs, done = [], []
            for _ in range(SERVE_RUNS):
                time.sleep(1)  # an editor's pause
                before = page()
                target.write_text(new, encoding="utf-8")
                saved = time.perf_counter()
                while page() == before and time.perf_counter() - saved < 120:
                    time.sleep(0.05)
                runs.append(round(time.perf_counter() - saved, 2))
                done.append(all_done(saved))
                target.write_text(text, encoding="utf-8")
                restored = time.perf_counter()
                while page() != before and time.perf_counter() - saved < 240:  # the page as it was, again
                    time.sleep(0.05)
                all_done(restored)
            result[name] = sorted(runs)[len(runs) // 2]  # the median
            result[f"{name}_runs"] = runs
            finished = sorted(seconds for seconds in done if seconds is not None)
            result[f"{name}_done"] = finished[len(finished) // 2] if len(finished) == len(done) else None
    finally:
        server.terminate()
        server.wait(timeout=60)
        target.write_text(text, encoding="utf-8")
    return result


def _full_build_process(data: Path, folder: Path, remove: bool = False) -> dict:
    """`kommunkompassen build` of `data` into `folder`, cold, in a fresh process: its seconds and peak memory."""
    measured = _run_json([sys.executable, __file__, "--_build", str(data), str(folder)])
    if remove:
        shutil.rmtree(folder, ignore_errors=True)
    return measured


def _baseline_process(plain: Path) -> dict:
    """MkDocs on the plain pages, in a fresh process."""
    return _run_json([sys.executable, __file__, "--_baseline", str(plain)])


def _side_by_side(full_runs: list[dict], baseline_runs: list[dict]) -> dict:
    """The rounds of full builds and baselines summed up: medians, each round's ratio, the highest peaks."""
    ratios = [round(full["seconds"] / base["mkdocs"], 2) for full, base in zip(full_runs, baseline_runs, strict=True)]
    baseline = dict(baseline_runs[0])
    baseline["mkdocs"] = round(statistics.median(base["mkdocs"] for base in baseline_runs), 2)
    baseline["mkdocs_runs"] = [base["mkdocs"] for base in baseline_runs]
    baseline["peak_mb"] = max(base["peak_mb"] for base in baseline_runs)
    return {
        "build": round(statistics.median(full["seconds"] for full in full_runs), 2),
        "build_runs": [full["seconds"] for full in full_runs],
        "build_peak_mb": max(full["peak_mb"] for full in full_runs),
        "build_worker_peak_mb": max(full["worker_peak_mb"] for full in full_runs),
        "baseline": baseline,
        "ratio": round(statistics.median(ratios), 2),
        "ratio_runs": ratios,
    }


def _full_build(data: Path, folder: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from generator.site.build import build_site

    started = time.perf_counter()
    build_site(data, folder / "site", docs_dir=folder / "docs")  # raises if the build fails
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "peak_mb": _own_peak_mb(),
        "worker_peak_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
    }


def _own_peak_mb() -> int:
    """This process's peak resident memory. Not ru_maxrss: Linux keeps it across exec, so a process
    the measuring one started reported the measuring process's peak when that was higher (the
    baseline's 378 MB at 100 x 3 was the measuring process's; its own was 127 MB)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _tree_digests(folder: Path) -> dict[str, str]:
    """Each file's SHA-256, by its path in `folder`."""
    import hashlib

    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _differing(one: dict[str, str], other: dict[str, str]) -> list[str]:
    """The paths whose files differ between two `_tree_digests`, or are in one only."""
    return sorted(path for path in one.keys() | other.keys() if one.get(path) != other.get(path))


def preview_edits(data: Path) -> tuple[Path, str, dict[str, str]]:
    """The live-preview edits: the evaluation file in the middle, its text, and that text with
    one question's points changed ("points") or one sentence changed ("text")."""
    evaluations = sorted(data.glob("*/*.yaml"))
    target = evaluations[len(evaluations) // 2]
    text = target.read_text(encoding="utf-8")
    match = re.search(r"\{id: '(\d+\.\d+)', points: ([\d.]+)\}", text)
    assert match, f"no question score in {target}"
    points = float(match.group(2))
    changed = f"{points - 1 if points >= 1 else points + 1:g}"
    edits = {
        "points": text[: match.start(2)] + changed + text[match.end(2) :],
        "text": text.replace("Utvärderarna", "Granskarna", 1),
    }
    return target, text, edits


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            stat = os.stat(path)
            out[os.path.relpath(path, folder)] = (hash(Path(path).read_bytes()), stat.st_mtime_ns)
    return out


def _site_sizes(site: Path) -> dict:
    total, html_total, pages, largest, over = 0, 0, 0, (0, ""), 0
    for root, _, names in os.walk(site):
        for name in names:
            path = os.path.join(root, name)
            size = os.path.getsize(path)
            total += size
            if name.endswith(".html") and name != "404.html":
                pages += 1
                html_total += size
                largest = max(largest, (size, os.path.relpath(path, site)))
                over += size > PAGE_LIMIT
    index = (site / "search" / "search_index.json").read_bytes()
    return {
        "bytes": total,
        "html_pages": pages,
        "html_bytes": html_total,
        "per_page": round(total / max(pages, 1)),
        "html_per_page": round(html_total / max(pages, 1)),
        "largest": largest[0],
        "largest_page": largest[1],
        "pages_over_300kb": over,
        "index": len(index),
        "index_gz": len(gzip.compress(index, compresslevel=6)),
    }


# ---------------------------------------------------------------- the baseline


_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_ATTRS = re.compile(r"\{\s*[:#.][^}]*\}")
_MARKS = re.compile(r"^\s*(?:[-*+]|\d+\.|!!!\s+\w+(?:\s+\"[^\"]*\")?|\|)\s*")


def _plain_pages(docs: Path, plain: Path) -> dict:
    """Every generated page as plain Markdown: its headings and its visible text, nothing else."""
    pages, generated, written = 0, 0, 0
    for root, _, names in os.walk(docs):
        for name in names:
            source = Path(root) / name
            relative = source.relative_to(docs)
            if name.endswith(".md"):
                text = source.read_text(encoding="utf-8")
                out = _plain(text)
                target = plain / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(out, encoding="utf-8")
                pages += 1
                generated += len(_visible(text))
                written += len(_visible(out))
            elif relative.parts[0] == "assets":  # the theme's own CSS and script, as the site has them
                target = plain / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
    return {"pages": pages, "visible_chars": generated, "baseline_chars": written}


def _visible(markdown: str) -> str:
    if markdown.startswith("---\n"):
        markdown = markdown.split("\n---\n", 1)[-1]
    text = html.unescape(_TAG.sub(" ", _LINK.sub(r"\1", _ATTRS.sub("", markdown))))
    return " ".join(re.sub(r"[#*|`>]|^-{3,}|:?-{3,}:?", " ", text).split())


def _plain(markdown: str) -> str:
    if markdown.startswith("---\n"):
        markdown = markdown.split("\n---\n", 1)[-1]
    blocks: list[str] = []
    paragraph: list[str] = []
    for line in markdown.splitlines():
        if line.startswith("#"):
            if paragraph:
                blocks.append(" ".join(paragraph))
                paragraph = []
            heading = html.unescape(_ATTRS.sub("", _LINK.sub(r"\1", line))).strip()
            blocks.append(re.sub(r"[*_`<>\[\]]", "", heading))
            continue
        text = html.unescape(_TAG.sub(" ", _LINK.sub(r"\1", _ATTRS.sub("", line))))
        text = _MARKS.sub("", text).replace("|", " ")
        text = re.sub(r":?-{3,}:?", " ", text)
        text = " ".join(re.sub(r"[*_`<>\[\]#\\]", " ", text).split())
        if text:
            paragraph.append(text)
        elif paragraph:
            blocks.append(" ".join(paragraph))
            paragraph = []
    if paragraph:
        blocks.append(" ".join(paragraph))
    return "\n\n".join(blocks) + "\n"


def _markdown_extensions() -> list:
    """The portal's Markdown extensions with the one the plugin adds, as the site is built with them."""
    from mkdocs.config import load_config

    from generator.site.plugin import MARKDOWN_EXTENSION

    config = load_config(str(PORTAL_CONFIG))
    return [MARKDOWN_EXTENSION, *({name: config.mdx_configs.get(name, {})} for name in config.markdown_extensions)]


def _build_baseline(plain: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    import logging

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    site = plain.parent / "plain-site"
    started = time.perf_counter()
    from generator.site.portal import PLUGIN, plugins_with_data

    plugins = {name: options for name, options in plugins_with_data(PORTAL_CONFIG, plain).items() if name != PLUGIN}
    config = load_config(
        str(PORTAL_CONFIG),
        docs_dir=str(plain),
        site_dir=str(site),
        plugins=plugins,
        markdown_extensions=_markdown_extensions(),
        strict=False,
    )
    build(config)
    seconds = time.perf_counter() - started
    sizes = _site_sizes(site)
    shutil.rmtree(site, ignore_errors=True)
    peak = _own_peak_mb()
    return {"mkdocs": round(seconds, 2), "site": sizes, "peak_mb": round(peak)}


# ---------------------------------------------------------------- BENCHMARKS.md


def _mb(n: float) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def _kb(n: float) -> str:
    return f"{n / 1024:.0f} KB"


def _table(results: list[dict]) -> str:
    import material
    import mkdocs

    cpu = os.cpu_count()
    head = [
        f"Measured {time.strftime('%Y-%m-%d')} on {cpu} cores, Python {platform.python_version()}, "
        f"MkDocs {mkdocs.__version__}, Material {getattr(material, '__version__', '?')}, seed 1. "
        "Seconds are wall-clock; 'full build' is `kommunkompassen build` in a fresh process: the data checked, then MkDocs, whose plugin generates, hands MkDocs the pages in memory and leaves the charts to a worker process while MkDocs reads the pages.",
        "",
    ]
    sizes = [f"{r['municipalities']} × {r['evaluations_per']}" for r in results]
    rows = [
        ("evaluations / pages / files", [f"{r['evaluations']} / {r['pages']} / {r['files']}" for r in results]),
        ("good practices (one page each)", [str(r["practices"]) for r in results]),
        ("load", [f"{r['stages']['load']} s" for r in results]),
        ("validate", [f"{r['stages']['validate']} s" for r in results]),
        ("aggregate", [f"{r['stages']['aggregate']} s" for r in results]),
        ("render (pages, charts, data files)", [f"{r['stages']['render']} s" for r in results]),
        ("write", [f"{r['stages']['write']} s" for r in results]),
        ("**generator** (every chart drawn first)", [f"**{r['generator']} s**" for r in results]),
        ("MkDocs after the generator, same process (plugin warm)", [f"{r['mkdocs']} s" for r in results]),
        (
            f"**full build** (`kommunkompassen build`; median of {_rounds(results)}, fastest–slowest)",
            [f"**{r['build']} s** ({_range(r['build_runs'], ' s')})" for r in results],
        ),
        (
            "baseline: MkDocs, plain Markdown (the same)",
            [f"{r['baseline']['mkdocs']} s ({_range(r['baseline']['mkdocs_runs'], ' s')})" for r in results],
        ),
        (
            "**full build / baseline** (median of the rounds' ratios, lowest–highest; target ≤ 1.3)",
            [_mark(r["ratio"] <= RATIO_LIMIT, f"{r['ratio']}× ({_range(r['ratio_runs'], '×')})") for r in results],
        ),
        (
            "visible text, site / baseline",
            [
                f"{r['text']['visible_chars'] / 1e6:.1f} / {r['text']['baseline_chars'] / 1e6:.1f} M chars"
                for r in results
            ],
        ),
        ("output total", [_mb(r["site"]["bytes"]) for r in results]),
        (
            "output per page (all files / HTML only)",
            [f"{_kb(r['site']['per_page'])} / {_kb(r['site']['html_per_page'])}" for r in results],
        ),
        (
            "baseline per page (all / HTML)",
            [
                f"{_kb(r['baseline']['site']['per_page'])} / {_kb(r['baseline']['site']['html_per_page'])}"
                for r in results
            ],
        ),
        (
            "largest HTML page (target ≤ 300 KB)",
            [
                _mark(r["site"]["largest"] <= PAGE_LIMIT, f"{_kb(r['site']['largest'])} `{r['site']['largest_page']}`")
                for r in results
            ],
        ),
        ("HTML pages over 300 KB", [str(r["site"]["pages_over_300kb"]) for r in results]),
        ("search index raw", [_mb(r["site"]["index"]) for r in results]),
        (
            "**search index gzipped** (target ≤ 1.5 MB)",
            [_mark(r["site"]["index_gz"] <= INDEX_LIMIT, _mb(r["site"]["index_gz"])) for r in results],
        ),
        ("baseline search index gzipped", [_mb(r["baseline"]["site"]["index_gz"]) for r in results]),
        (
            "peak memory of the full build (process / largest worker; the highest of its rounds)",
            [f"{r['build_peak_mb']} MB / {r['build_worker_peak_mb']} MB" for r in results],
        ),
        (
            "peak memory of the measuring process (generator, MkDocs, live preview)",
            [f"{r['peak_mb']} MB" for r in results],
        ),
        ("baseline peak memory (the highest of its rounds)", [f"{r['baseline']['peak_mb']} MB" for r in results]),
        ("live preview: first generation", [f"{r['preview_start']} s" for r in results]),
        (
            "`kommunkompassen serve`: first build until the page answers",
            [f"{r['serve']['first_build']} s" for r in results],
        ),
    ]
    for name in ("points", "text"):
        label = {"points": "one question's points changed", "text": "one sentence changed"}[name]
        rows.append(
            (
                f"**serve: save to visible, {label}** (median of {SERVE_RUNS} saves, fastest–slowest; target ≤ 2 s)",
                [
                    _mark(
                        r["serve"][name] <= SERVE_LIMIT,
                        f"{r['serve'][name]} s ({min(r['serve'][name + '_runs'])}–{max(r['serve'][name + '_runs'])})",
                    )
                    for r in results
                ],
            )
        )
    rows.append(
        (
            "serve: save to all done (the other changed pages, data files, search index; median, points / sentence)",
            [f"{r['serve'].get('points_done')} s / {r['serve'].get('text_done')} s" for r in results],
        )
    )
    for name in ("points", "text"):
        label = {"points": "one question's points changed", "text": "one sentence changed"}[name]
        rows.append(
            (
                f"generator alone with its cache, {label}: every file the save changes (no target: `serve`"
                " shows the edited page first, rows above)",
                [
                    f"{r['edits'][name]['seconds']} s, {r['edits'][name]['written']} files written"
                    + ("" if r["edits"][name]["only_changed"] else " ❌ (not only the changed ones!)")
                    for r in results
                ],
            )
        )
        rows.append(
            (
                "… of which validate / render (with data files) / write",
                [
                    f"{r['edits'][name]['stages'].get('validate', 0)} / {r['edits'][name]['stages'].get('render', 0)} / "
                    f"{r['edits'][name]['stages'].get('write', 0)} s"
                    for r in results
                ],
            )
        )
    lines = head + ["| | " + " | ".join(sizes) + " |", "|---|" + "---:|" * len(sizes)]
    lines += [f"| {name} | " + " | ".join(values) + " |" for name, values in rows]
    return "\n".join(lines)


def _rounds(results: list[dict]) -> str:
    counts = sorted({len(r["build_runs"]) for r in results})
    return " or ".join(str(n) for n in counts) + (" round" if counts == [1] else " rounds")


def _range(values: list[float], unit: str) -> str:
    return f"{min(values)}–{max(values)}{unit}"


def _mark(ok: bool, text: str) -> str:
    return f"{text} ✅" if ok else f"{text} ❌"


def _write_table(results: list[dict]) -> None:
    table = _table(results)
    text = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START not in text or END not in text:
        text += f"\n{START}\n{END}\n"
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    raw = (
        "<details><summary>Raw numbers (JSON)</summary>\n\n```json\n"
        + json.dumps(results, indent=1)
        + "\n```\n\n</details>"
    )
    BENCHMARKS.write_text(f"{before}{START}\n{table}\n\n{raw}\n{END}{after}", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
