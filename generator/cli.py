"""The `kommunkompassen` command: validate, new, fmt, build, serve, diff, synth.

Exit codes: 0 success, 1 problems in the data, 2 wrong usage.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Optional, Sequence

from .problems import Level, Problem, has_errors, printable

DEFAULT_DATA = Path("evaluations")
EXIT_DATA, EXIT_USAGE = 1, 2


class UsageError(Exception):
    """Wrong arguments: reported on stderr, exit code 2."""


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.run(args)
    except UsageError as exc:
        print(f"kommunkompassen {args.command}: {printable(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # the last resort: a clear message and exit 1, never a traceback
        print(f"kommunkompassen {args.command}: internal error ({type(exc).__name__}: {printable(str(exc))[:300]}); "
              f"nothing more was done. Run `kommunkompassen validate` and report this with the command and the data "
              f"that caused it", file=sys.stderr)
        return EXIT_DATA


def _year(text: str) -> int:
    """A year as four ASCII digits (int() would also take Arabic-Indic digits and surrounding spaces)."""
    if len(text) != 4 or not all("0" <= c <= "9" for c in text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a year; write four digits, e.g. 2026")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kommunkompassen", description="Kommunkompassen Open Results: data tools and site builder.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    validate = commands.add_parser("validate", help="check evaluation data; exit 0 only without errors")
    validate.add_argument("paths", nargs="*", type=Path, help="files or folders to report on (default: all data)")
    validate.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the data folder (default: evaluations)")
    validate.add_argument("--format", choices=("plain", "github"), default=None,
                          help="plain 'file:line:col: level: message' or GitHub Actions annotations (default: github inside GitHub Actions)")
    validate.set_defaults(run=_validate)

    new = commands.add_parser("new", help="write a template for a new evaluation")
    new.add_argument("municipality", help="municipality slug from the register, e.g. karlskoga")
    new.add_argument("year", type=_year)
    new.add_argument("--framework", required=True, help="framework revision, e.g. 2020")
    new.add_argument("--data", type=Path, default=DEFAULT_DATA)
    new.set_defaults(run=_new)

    fmt = commands.add_parser("fmt", help="rewrite data files in canonical key order and indentation")
    fmt.add_argument("paths", nargs="*", type=Path, help="files or folders (default: all data)")
    fmt.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is not formatted")
    fmt.add_argument("--data", type=Path, default=DEFAULT_DATA)
    fmt.set_defaults(run=_fmt)

    build = commands.add_parser("build", help="generate the pages and build the site into site/")
    build.add_argument("--data", type=Path, default=DEFAULT_DATA)
    build.add_argument("--site-dir", type=Path, default=Path("site"))
    build.add_argument("--generate-only", action="store_true", help="write docs but do not run MkDocs")
    build.set_defaults(run=_build)

    serve = commands.add_parser("serve", help="live preview: regenerate and reload on every change")
    serve.add_argument("--data", type=Path, default=DEFAULT_DATA)
    serve.add_argument("--dev-addr", default="127.0.0.1:8000")
    serve.set_defaults(run=_serve)

    diff = commands.add_parser("diff", help="Markdown summary of what changed between two git revisions")
    diff.add_argument("base")
    diff.add_argument("head", nargs="?", default=None, help="default: the working tree")
    diff.add_argument("--data", type=Path, default=DEFAULT_DATA)
    diff.add_argument("--preview-url", default=os.environ.get("PREVIEW_URL", ""), help="base address of the preview site")
    diff.set_defaults(run=_diff)

    synth = commands.add_parser("synth", help="write a synthetic data set of a given size")
    synth.add_argument("directory", type=Path)
    synth.add_argument("--municipalities", type=int, default=30)
    synth.add_argument("--evaluations-per", type=int, default=3)
    synth.add_argument("--seed", type=int, default=1)
    synth.set_defaults(run=_synth)
    return parser


def _print_problems(problems: list[Problem], output_format: Optional[str]) -> None:
    chosen = output_format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "plain")
    for problem in problems:
        print(problem.github() if chosen == "github" else problem.plain())
    errors = sum(1 for p in problems if p.level is Level.ERROR)
    warnings = len(problems) - errors
    print(f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)


def _require_folder(data: Path) -> None:
    if not data.is_dir():
        raise UsageError(f"the data folder {data} does not exist; run from the repository root or pass --data")


def _validate(args) -> int:
    from .problems import display_path
    from .validate import validate_folder

    _require_folder(args.data)
    data = args.data.resolve()
    for path in args.paths:
        if not path.exists():
            raise UsageError(f"{path} does not exist")
        if path.resolve() != data and data not in path.resolve().parents:
            raise UsageError(f"{path} is outside the data folder {args.data}; validate checks the files of one data "
                             f"folder in full: pass that folder with --data")
    _, problems = validate_folder(args.data)
    if args.paths:
        chosen = [display_path(p) for p in args.paths]
        problems = [p for p in problems if any(p.pos.path == c or p.pos.path.startswith(c.rstrip("/") + "/") for c in chosen)]
    _print_problems(problems, args.format)
    return EXIT_DATA if has_errors(problems) else 0


def _new(args) -> int:
    from .scaffold import ScaffoldError, write_template
    from .validate import this_year

    _require_folder(args.data)
    try:
        path = write_template(args.data, args.municipality, args.year, args.framework, this_year())
    except ScaffoldError as exc:
        raise UsageError(str(exc)) from None
    print(f"wrote {path}; fill it in, then run: kommunkompassen validate {path}")
    return 0


def _fmt(args) -> int:
    from .formatter import format_paths

    _require_folder(args.data)
    targets = args.paths or [args.data]
    changed, problems = format_paths(targets, check=args.check)
    for problem in problems:
        print(problem.plain())
    for path in changed:
        print(f"{'would reformat' if args.check else 'reformatted'} {printable(path)}")
    if problems:
        return EXIT_DATA
    return EXIT_DATA if (args.check and changed) else 0


def _build(args) -> int:
    from .build import build_site

    _require_folder(args.data)
    return build_site(args.data, args.site_dir, run_mkdocs=not args.generate_only)


def _serve(args) -> int:
    from .build import serve_site

    _require_folder(args.data)
    return serve_site(args.data, args.dev_addr)


def _diff(args) -> int:
    from .changes import summarize_revisions

    text, ok = summarize_revisions(args.base, args.head, args.data, args.preview_url)
    print(text)
    return 0 if ok else EXIT_DATA


def _synth(args) -> int:
    from .synth import write_corpus

    if args.municipalities < 1 or args.evaluations_per < 1:
        raise UsageError("--municipalities and --evaluations-per must be at least 1")
    count = write_corpus(args.directory, args.municipalities, args.evaluations_per, args.seed)
    print(f"wrote {count} evaluations to {args.directory}")
    return 0
