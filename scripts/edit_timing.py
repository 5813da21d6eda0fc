#!/usr/bin/env python3
"""Time the live preview's edits alone: the "One edit" rows of BENCHMARKS.md without the rest.

    python scripts/edit_timing.py [--municipalities 290] [--repeat 5] [--corpus DIR] [--profile FILE]

A synthetic corpus (`generator.tools.synth.write_corpus`, seed 1; kept in --corpus if
given, so later runs skip writing it) is generated once with a cache, as
`kommunkompassen serve` starts, and once more unchanged (which reads back the
files just written, as the benchmark's start does). Then, --repeat times, one
question's points are changed in one evaluation file and the generator runs,
the file is restored and the generator runs, one sentence is changed and the
generator runs, the file is restored and the generator runs. Printed: each run
(to stderr), then the median seconds of each kind of edit, by stage, and the
number of files written. With --profile, the first points edit runs under
cProfile and its statistics go to FILE.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # this repository's generator; the portal is the working folder's

Run = tuple[float, dict[str, float], int]  # seconds, seconds by stage, files written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipalities", type=int, default=290)
    parser.add_argument("--evaluations-per", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--corpus", type=Path, help="data folder to use (written first if it does not exist)")
    parser.add_argument("--profile", type=Path, help="write cProfile statistics of the first points edit here")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from generator.tools.synth import write_corpus

    work = Path(tempfile.mkdtemp(prefix="kk-edit-"))
    try:
        data = args.corpus or work / "data"
        if not data.exists():
            write_corpus(data, args.municipalities, args.evaluations_per, 1)
        runs = _edits(data, work / "docs", args.repeat, args.profile)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for label, measured in runs.items():
        seconds = statistics.median(m[0] for m in measured)
        by_stage = " ".join(f"{n} {statistics.median(m[1][n] for m in measured):.3f}" for n in measured[0][1])
        print(
            f"{label:14} {seconds:.3f} s  ({by_stage}); {measured[0][2]} files written; "
            f"all: {', '.join(f'{m[0]:.2f}' for m in measured)}"
        )
    return 0


def _edits(data: Path, docs: Path, repeat: int, profile: Path | None) -> dict[str, list[Run]]:
    from benchmark import preview_edits  # scripts/ is on the path when this script runs

    from generator.site.build import generate
    from generator.site.cache import BuildCache
    from generator.site.portal import find_portal

    content_dir = find_portal().content_dir

    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    cache = BuildCache()
    started = time.perf_counter()
    generate(data, docs, content_dir, cache=cache)
    print(f"first generation: {time.perf_counter() - started:.2f} s", file=sys.stderr)
    # The benchmark's live preview starts in a docs folder written minutes before, so every file is
    # read back once then and trusted later; a folder written just now is read back at the next run.
    time.sleep(1.1)
    generate(data, docs, content_dir, cache=cache)

    target, text, edits = preview_edits(data)
    runs: dict[str, list[Run]] = {}
    try:
        for round_ in range(repeat):
            for name, new in edits.items():
                for label, content in ((name, new), (f"{name} undone", text)):
                    time.sleep(1.1)  # an editor saves well after the last build; see build._SETTLED_NS
                    target.write_text(content, encoding="utf-8")
                    stages: dict[str, float] = {}
                    profiler = None
                    if profile and round_ == 0 and label == "points":
                        import cProfile

                        profiler = cProfile.Profile()
                        profiler.enable()
                    started = time.perf_counter()
                    report = generate(data, docs, content_dir, timings=stages, cache=cache)
                    elapsed = time.perf_counter() - started
                    if profiler is not None:
                        profiler.disable()
                        profiler.dump_stats(str(profile))
                    runs.setdefault(label, []).append((elapsed, stages, len(report.written)))
                    print(
                        f"  {label:14} {elapsed:.3f} s  ({' '.join(f'{n} {v:.3f}' for n, v in stages.items())})",
                        file=sys.stderr,
                    )
    finally:
        target.write_text(text, encoding="utf-8")
    return runs


if __name__ == "__main__":
    raise SystemExit(main())
