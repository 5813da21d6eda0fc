"""The `kommunkompassen` command: init, validate, new, fmt, source, build, serve, diff, synth.

Every command works on the portal in the working folder (its mkdocs.yml), or on the one whose
config `-f/--config-file` names: the data folder is the one its plugin names unless `--data` says.

Exit codes: 0 success, 1 problems in the data or a failed build, 2 wrong usage; the library raises
the errors of generator/errors.py, which this module turns into codes. Every message is
Swedish unless `--lang en` or KOMMUNKOMPASSEN_LANG=en asks for English
(generator/messages.py and generator/locale/messages.*.yaml).
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from generator.errors import DataError, KommunkompassenError, UsageError
from generator.messages import LANG_ENV, LANGUAGES, msg
from generator.problems import Level, Problem, has_errors, printable

DEFAULT_DATA = Path("evaluations")  # without a portal's mkdocs.yml in the working folder
EXIT_DATA, EXIT_USAGE = 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    before = os.environ.get(LANG_ENV)
    _choose_language(argv)
    try:
        return _main(argv)
    finally:  # a caller in the same process (a test) keeps its own language
        if before is None:
            os.environ.pop(LANG_ENV, None)
        else:
            os.environ[LANG_ENV] = before


def _main(argv: list[str]) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed its help or its complaint
        return int(exc.code or 0)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.run(args)
    except UsageError as exc:
        print(_said(exc, args.command), file=sys.stderr)
        return EXIT_USAGE
    except DataError as exc:  # each problem at its file:line:col, then what they stopped
        for problem in exc.problems:
            print(problem.plain(), file=sys.stderr)
        print(_said(exc, args.command), file=sys.stderr)
        return EXIT_DATA
    except KommunkompassenError as exc:  # a failed build, anything else the tool could not do, said in words
        print(_said(exc, args.command), file=sys.stderr)
        return EXIT_DATA
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # the last resort: a clear message and exit 1, never a traceback
        print(
            f"kommunkompassen {args.command}: "
            + msg("cli.internal_error", kind=type(exc).__name__, detail=printable(str(exc))[:300]),
            file=sys.stderr,
        )
        return EXIT_DATA


def _said(exc: KommunkompassenError, command: str) -> str:
    """An error's line on stderr: after the command's name, unless the message is the whole line."""
    text = printable(str(exc))
    return text if exc.whole_line else f"kommunkompassen {command}: {text}"


def _year(text: str) -> int:
    """A year as four ASCII digits (int() would also take Arabic-Indic digits and surrounding spaces)."""
    if len(text) != 4 or not all("0" <= c <= "9" for c in text):
        raise argparse.ArgumentTypeError(msg("cli.not_a_year", text=repr(text)))
    return int(text)


def _choose_language(argv: list[str]) -> None:
    """`--lang xx` anywhere on the line sets KOMMUNKOMPASSEN_LANG for this process and its
    workers, before any message (argparse's help included) is made."""
    for index, word in enumerate(argv):
        chosen = None
        if word == "--lang" and index + 1 < len(argv):
            chosen = argv[index + 1]
        elif word.startswith("--lang="):
            chosen = word.split("=", 1)[1]
        if chosen in LANGUAGES:
            os.environ[LANG_ENV] = chosen


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, msg("cli.usage_prefix") if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse with its own words in the chosen language."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = msg("cli.positionals")
        self._optionals.title = msg("cli.options")
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=msg("cli.help.help"))
        self.add_argument(
            "--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=msg("cli.help.lang", env=LANG_ENV)
        )

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: {msg('cli.argparse_error')}: {_argparse_message(message)}\n")


_ARGPARSE = (
    (re.compile(r"^the following arguments are required: (.*)$"), "cli.argparse.required"),
    (re.compile(r"^argument (\S+): invalid int value: (.*)$"), "cli.argparse.invalid_int"),
    (re.compile(r"^argument (\S+): invalid choice: (.*?) \(choose from (.*)\)$"), "cli.argparse.invalid_choice"),
    (re.compile(r"^argument (\S+): expected one argument$"), "cli.argparse.expected_one"),
    (re.compile(r"^unrecognized arguments: (.*)$"), "cli.argparse.unrecognized"),
    (re.compile(r"^argument (\S+): (.*)$"), "cli.argparse.argument"),  # a message of our own, after the name
)


def _argparse_message(message: str) -> str:
    for pattern, key in _ARGPARSE:
        found = pattern.match(message)
        if found:
            return msg(key, **{f"a{i}": g for i, g in enumerate(found.groups(), start=1)})
    return message


def _parser() -> argparse.ArgumentParser:
    h = lambda key, **params: msg(f"cli.help.{key}", **params)  # noqa: E731
    parser = _Parser(prog="kommunkompassen", description=h("description"))
    commands = parser.add_subparsers(
        dest="command", metavar=msg("cli.command_metavar"), title=msg("cli.commands"), parser_class=_Parser
    )

    def data_option(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--data", type=Path, default=None, metavar=msg("cli.folder_metavar").upper(), help=h("data")
        )
        command.add_argument(
            "-f", "--config-file", type=Path, default=None, metavar=msg("cli.file_metavar"), help=h("config_file")
        )

    init = commands.add_parser("init", help=h("init"), description=h("init"))
    init.add_argument("directory", type=Path, metavar=msg("cli.folder_metavar"), help=h("init_directory"))
    init.set_defaults(run=_init)

    validate = commands.add_parser("validate", help=h("validate"), description=h("validate"))
    validate.add_argument("paths", nargs="*", type=Path, metavar=msg("cli.path_metavar"), help=h("validate_paths"))
    data_option(validate)
    validate.add_argument("--format", choices=("plain", "github"), default=None, help=h("format"))
    validate.set_defaults(run=_validate)

    new = commands.add_parser("new", help=h("new"), description=h("new"))
    new.add_argument("municipality", metavar=msg("cli.municipality_metavar"), help=h("new_municipality"))
    new.add_argument("year", type=_year, metavar=msg("cli.year_metavar"), help=h("new_year"))
    new.add_argument("--framework", default=None, metavar=msg("cli.revision_metavar"), help=h("new_framework"))
    data_option(new)
    new.set_defaults(run=_new)

    fmt = commands.add_parser("fmt", help=h("fmt"), description=h("fmt"))
    fmt.add_argument("paths", nargs="*", type=Path, metavar=msg("cli.path_metavar"), help=h("fmt_paths"))
    fmt.add_argument("--check", action="store_true", help=h("fmt_check"))
    data_option(fmt)
    fmt.set_defaults(run=_fmt)

    source = commands.add_parser("source", help=h("source"), description=h("source"))
    source_commands = source.add_subparsers(
        dest="action", metavar=msg("cli.action_metavar"), title=msg("cli.commands"), parser_class=_Parser, required=True
    )
    add = source_commands.add_parser("add", help=h("source_add"), description=h("source_add"))
    add.add_argument("id", metavar=msg("cli.id_metavar"), help=h("source_id"))
    add.add_argument("--title", required=True, metavar=msg("cli.title_metavar"), help=h("source_title"))
    add.add_argument("--publisher", required=True, metavar=msg("cli.publisher_metavar"), help=h("source_publisher"))
    add.add_argument("--year", type=int, required=True, metavar=msg("cli.year_metavar").upper(), help=h("source_year"))
    add.add_argument("--url", default=None, metavar=msg("cli.url_metavar"), help=h("source_url"))
    data_option(add)
    add.set_defaults(run=_source_add)

    build = commands.add_parser("build", help=h("build"), description=h("build"))
    data_option(build)
    build.add_argument(
        "--site-dir", type=Path, default=None, metavar=msg("cli.folder_metavar").upper(), help=h("site_dir")
    )
    build.add_argument("--generate-only", action="store_true", help=h("generate_only"))
    build.set_defaults(run=_build)

    serve = commands.add_parser("serve", help=h("serve"), description=h("serve"))
    data_option(serve)
    serve.add_argument("--dev-addr", default="127.0.0.1:8000", metavar=msg("cli.address_metavar"), help=h("dev_addr"))
    serve.set_defaults(run=_serve)

    diff = commands.add_parser("diff", help=h("diff"), description=h("diff"))
    diff.add_argument("base", metavar=msg("cli.base_metavar"), help=h("diff_base"))
    diff.add_argument("head", nargs="?", default=None, metavar=msg("cli.head_metavar"), help=h("diff_head"))
    data_option(diff)
    diff.add_argument(
        "--preview-url",
        default=os.environ.get("PREVIEW_URL", ""),
        metavar=msg("cli.url_metavar"),
        help=h("preview_url"),
    )
    diff.set_defaults(run=_diff)

    synth = commands.add_parser("synth", help=h("synth"), description=h("synth"))
    synth.add_argument("directory", type=Path, metavar=msg("cli.folder_metavar"), help=h("synth_directory"))
    count = msg("cli.count_metavar")
    synth.add_argument("--municipalities", type=int, default=30, metavar=count, help=h("synth_municipalities"))
    synth.add_argument("--evaluations-per", type=int, default=3, metavar=count, help=h("synth_per"))
    synth.add_argument("--seed", type=int, default=1, metavar=count, help=h("synth_seed"))
    synth.set_defaults(run=_synth)
    return parser


def _print_problems(problems: list[Problem], output_format: str | None) -> None:
    chosen = output_format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "plain")
    for problem in problems:
        print(problem.github() if chosen == "github" else problem.plain())
    errors = sum(1 for p in problems if p.level is Level.ERROR)
    warnings = len(problems) - errors
    print(msg("cli.counts", errors=errors, warnings=warnings), file=sys.stderr)


def _require_folder(data: Path) -> None:
    if not data.is_dir():
        raise UsageError(msg("cli.no_data_folder", data=data))


def _portal(args):
    """The portal the command works on (UsageError when there is none)."""
    from generator.site.portal import PortalError, find_portal

    try:
        return find_portal(args.config_file)
    except PortalError as exc:
        raise UsageError(str(exc)) from None


def _data(args, require: bool = True) -> Path:
    """The data folder: `--data`, else the portal's, else evaluations/ (a data folder without a portal)."""
    from generator.site.portal import CONFIG_FILE

    data = args.data
    if data is None:
        data = DEFAULT_DATA if args.config_file is None and not CONFIG_FILE.is_file() else _portal(args).data_dir
    if require:
        _require_folder(data)
    return data


def _init(args) -> int:
    from generator.tools.init import InitError, write_portal

    try:
        count = write_portal(args.directory)
    except InitError as exc:
        raise UsageError(str(exc)) from None
    print(msg("init.written", directory=args.directory, count=count))
    return 0


def _validate(args) -> int:
    from generator.problems import display_path
    from generator.validate import validate_folder

    folder = _data(args)
    data = folder.resolve()
    for path in args.paths:
        if not path.exists():
            raise UsageError(msg("cli.path_missing", path=path))
        if path.resolve() != data and data not in path.resolve().parents:
            raise UsageError(msg("cli.outside_data", path=path, data=folder))
    _, problems = validate_folder(folder)
    if args.paths:
        chosen = [display_path(p) for p in args.paths]
        problems = [
            p for p in problems if any(p.pos.path == c or p.pos.path.startswith(c.rstrip("/") + "/") for c in chosen)
        ]
    _print_problems(problems, args.format)
    return EXIT_DATA if has_errors(problems) else 0


def _new(args) -> int:
    from generator.tools.scaffold import write_template

    data = _data(args)
    path = write_template(data, args.municipality, args.year, args.framework)
    print(msg("cli.new_written", path=path))
    return 0


def _fmt(args) -> int:
    from generator.tools.formatter import format_paths

    data = _data(args)
    targets = args.paths or [data]
    changes, problems = format_paths(targets, check=args.check)
    for problem in problems:
        print(problem.plain())
    for change in changes:
        if args.check:
            diff = difflib.unified_diff(
                change.before.splitlines(keepends=True),
                change.after.splitlines(keepends=True),
                fromfile=printable(change.path),
                tofile=printable(change.path) + msg("cli.fmt_formatted_suffix"),
            )
            print(msg("cli.fmt_would", path=printable(change.path)))
            sys.stdout.writelines(printable(line.rstrip("\n")) + "\n" for line in diff)
        else:
            print(msg("cli.fmt_did", path=printable(change.path), what=_what_changed(change.before, change.after)))
    if args.check and changes:
        print(msg("cli.fmt_check_hint", count=len(changes)), file=sys.stderr)
    if problems:
        return EXIT_DATA
    return EXIT_DATA if (args.check and changes) else 0


def _what_changed(before: str, after: str) -> str:
    """In words: how many lines moved or were re-indented (the data itself never changes)."""
    old, new = before.splitlines(), after.splitlines()
    reindented = moved = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        removed = [line.strip() for line in old[i1:i2]]
        added = [line.strip() for line in new[j1:j2]]
        if tag == "replace" and removed == added:
            reindented += len(added)
        else:
            moved += max(i2 - i1, j2 - j1)
    parts = []
    if moved:
        parts.append(msg("cli.fmt_moved", count=moved))
    if reindented:
        parts.append(msg("cli.fmt_reindented", count=reindented))
    return msg("cli.fmt_and").join(parts) or msg("cli.fmt_layout")


def _source_add(args) -> int:
    from generator.tools.sources import add_source

    data = _data(args)
    path = add_source(data, args.id, args.title, args.publisher, args.year, args.url)
    print(msg("cli.source_added", id=args.id, path=path))
    return 0


def _build(args) -> int:
    from generator.site.build import WriteReport, build_site

    portal = _portal(args)
    if args.data is not None:
        _require_folder(args.data)
    made = build_site(args.data, args.site_dir, run_mkdocs=not args.generate_only, config_file=portal.config_file)
    if isinstance(made, WriteReport):
        print(
            msg("build.generated", written=len(made.written), removed=len(made.removed), unchanged=made.unchanged),
            file=sys.stderr,
        )
    else:
        print(msg("build.built", site_dir=made), file=sys.stderr)
    return 0


def _serve(args) -> int:
    from generator.site.preview import serve_site

    portal = _portal(args)
    if args.data is not None:
        _require_folder(args.data)
    return serve_site(args.data, args.dev_addr, config_file=portal.config_file)


def _diff(args) -> int:
    from generator.review.changes import summarize_revisions

    text, ok = summarize_revisions(args.base, args.head, _data(args, require=False), args.preview_url)
    print(text)
    return 0 if ok else EXIT_DATA


def _synth(args) -> int:
    from generator.tools.synth import write_corpus

    if args.municipalities < 1 or args.evaluations_per < 1:
        raise UsageError(msg("synth.at_least_one"))
    count = write_corpus(args.directory, args.municipalities, args.evaluations_per, args.seed)
    print(msg("synth.written", count=count, directory=args.directory))
    return 0
