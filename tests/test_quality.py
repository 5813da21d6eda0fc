"""The habits of a maintained project, checked by the test command: ruff and mypy pass, the
package has no import cycles, and the commands the README and CONTRIBUTING show exist."""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "generator"
BIN = Path(sys.executable).parent  # the virtual environment's bin folder, where the test extras put ruff and mypy
LINTED = ("generator", "tests", "scripts")


def _run(tool: str, *args: str) -> subprocess.CompletedProcess:
    executable = BIN / tool
    if not executable.exists():
        pytest.fail(f"{tool} is not installed in {BIN}: install the test extras (pip install -e '.[test]')")
    return subprocess.run([str(executable), *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_check_passes():
    result = _run("ruff", "check", "--no-cache", *LINTED)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_leaves_the_code_as_it_is():
    result = _run("ruff", "format", "--check", "--no-cache", *LINTED)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_passes():
    result = _run("mypy", "--no-incremental")  # packages and options from [tool.mypy] in pyproject.toml
    assert result.returncode == 0, result.stdout + result.stderr


_IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[^\]]*\])?(?P<after>.*)$")


def unexplained_ignores(text: str, name: str) -> list[str]:
    """Each `type: ignore` that names no error code or gives no reason in a comment after it."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _IGNORE.search(line)
        if match and (not match.group("codes") or not re.match(r"\s*#\s*\S", match.group("after"))):
            found.append(f"{name}:{number}: {line.strip()}")
    return found


def test_every_type_ignore_names_its_error_and_says_why():
    found = [
        problem
        for folder in LINTED
        for path in sorted((ROOT / folder).rglob("*.py"))
        for problem in unexplained_ignores(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert found == []
    ignore = "type" + ": ignore"  # spelt in two, so that this file does not hold the comments it tests
    sample = f"x = f()  # {ignore}\ny = g()  # {ignore}[misc]\nz = h()  # {ignore}[misc]  # h is untyped\n"
    assert unexplained_ignores(sample, "a.py") == [f"a.py:1: x = f()  # {ignore}", f"a.py:2: y = g()  # {ignore}[misc]"]


# ---------------------------------------------------------------- import cycles


def _module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.AST, module: str, is_package: bool, modules: set[str]) -> set[str]:
    """The package's modules one import statement names ("from generator import model" names
    generator.model; "from generator.site.pages import x" names generator.site.pages)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in modules}
    if not isinstance(node, ast.ImportFrom):
        return set()
    if node.level:  # relative: from the module's own package, one level up per extra dot
        anchor = module.split(".") if is_package else module.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join(anchor + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    found = set()
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        if submodule in modules:
            found.add(submodule)
        elif base in modules:
            found.add(base)
    return found


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Which of the package's modules each module imports: at module level, inside functions and
    under `if TYPE_CHECKING:` alike (ast.walk sees every import statement in the file)."""
    files = {_module_name(path, package): path for path in sorted(package.rglob("*.py"))}
    modules = set(files)
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        imported: set[str] = set()
        for node in ast.walk(tree):
            imported |= _imported(node, module, is_package, modules)
        graph[module] = imported - {module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph.get(module, ())):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(found)


def test_the_package_has_no_import_cycles():
    graph = import_graph()
    assert {"generator.cli", "generator.loader", "generator.site.pages"} <= set(graph)
    assert "generator.messages" in graph["generator.loader"]  # the graph sees imports at all
    found = cycles(graph)
    described = ["; ".join(f"{m} imports {', '.join(sorted(graph[m] & set(group)))}" for m in group) for group in found]
    assert not found, "import cycles:\n" + "\n".join(described)


def test_the_cycle_finder_sees_function_level_and_type_checking_imports(tmp_path: Path):
    package = tmp_path / "generator"
    (package / "site").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "site" / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from generator.site import b\n")
    (package / "site" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..c import C\n"
    )
    (package / "c.py").write_text("import generator.a\n")
    graph = import_graph(package)
    assert graph["generator.a"] == {"generator.site.b"}
    assert graph["generator.site.b"] == {"generator.c"}
    assert cycles(graph) == [["generator.a", "generator.c", "generator.site.b"]]


# ---------------------------------------------------------------- the library's errors


def test_every_public_exception_of_the_package_is_one_of_its_own_errors():
    """The library raises errors from generator.errors (which cli.py alone turns into exit codes);
    an exception class of its own that another module could catch derives from them. A private
    one (`_Refusal`) never leaves its module."""
    from generator.errors import KommunkompassenError

    foreign = []
    for module_name in sorted(import_graph()):
        if module_name == "generator.__main__":  # running it is running the command
            continue
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            if (
                isinstance(value, type)
                and issubclass(value, BaseException)
                and value.__module__ == module_name
                and not name.startswith("_")
                and not issubclass(value, KommunkompassenError)
            ):
                foreign.append(f"{module_name}.{name}")
    assert foreign == []


def test_the_cli_turns_the_library_errors_into_exit_codes(capsys, monkeypatch, tmp_path):
    from generator import validate
    from generator.errors import DataError, KommunkompassenError, UsageError
    from generator.problems import Pos, error

    problem = error(Pos("evaluations/eksjo/2008.yaml", 3, 7), "ett fel")
    raised: list[Exception] = [UsageError("fel användning"), DataError([problem]), KommunkompassenError("gick inte")]

    def failing(*args, **kwargs):
        raise raised.pop(0)

    monkeypatch.setattr(validate, "validate_folder", failing)
    assert [main(["validate", "--data", str(tmp_path)]) for _ in range(3)] == [2, 1, 1]
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "kommunkompassen validate: fel användning",
        "evaluations/eksjo/2008.yaml:3:7: error: ett fel",
        "kommunkompassen validate: 1 fel i data",
        "kommunkompassen validate: gick inte",
    ]


# ---------------------------------------------------------------- the documented commands

DOCUMENTS = ("README.md", "CONTRIBUTING.md")
# `kommunkompassen SUB ...` up to where a command ends on a line: a comment, a code span's end,
# a shell operator or a parenthesis. `kommunkompassen new:` (a message it prints) is no command.
_COMMAND = re.compile(r"\bkommunkompassen\s+([a-z][a-z-]*)(?=[\s`]|$)([^#`;|&()]*)")
_OPTION = re.compile(r"(?<![\w-])(--?[a-zA-Z][\w-]*)")


def documented_commands(text: str) -> list[tuple[str, list[str]]]:
    """Each command a document shows: its subcommand (with `source`'s action) and its options."""
    commands = []
    for line in text.splitlines():
        for found in _COMMAND.finditer(line):
            subcommand, rest = found.group(1), found.group(2)
            if subcommand == "source":
                action = rest.split()[0] if rest.split() else ""
                subcommand = f"source {action}".strip()
            commands.append((subcommand, _OPTION.findall(rest)))
    return commands


def _help(capsys, *words: str) -> str:
    assert main([*words, "--help"]) == 0
    return capsys.readouterr().out


def unknown_in_help(commands: list[tuple[str, list[str]]], capsys) -> list[str]:
    """What the documents show that `--help` does not know: a subcommand, or an option of one."""
    top = _help(capsys)
    missing = []
    for subcommand, options in commands:
        first = subcommand.split()[0]
        if not re.search(rf"(?m)^\s+{re.escape(first)}\b", top):
            missing.append(f"kommunkompassen {subcommand}: no such command in `kommunkompassen --help`")
            continue
        own = _help(capsys, *subcommand.split())
        missing += [
            f"kommunkompassen {subcommand} {option}: not in `kommunkompassen {subcommand} --help`"
            for option in options
            if not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", own)
        ]
    return missing


def test_every_command_the_documents_show_exists_in_the_help(capsys):
    commands = [
        command for name in DOCUMENTS for command in documented_commands((ROOT / name).read_text(encoding="utf-8"))
    ]
    shown = {subcommand for subcommand, _ in commands}
    assert {"validate", "new", "fmt", "source add", "build", "serve", "diff", "synth"} <= shown
    assert ("fmt", ["--check"]) in commands
    assert unknown_in_help(commands, capsys) == []


def test_an_option_or_command_the_help_lacks_is_reported(capsys):
    commands = documented_commands(
        "`kommunkompassen fmt --check --tidy` and `kommunkompassen publish` and "
        "kommunkompassen source add X --title T --colour red"
    )
    assert commands == [("fmt", ["--check", "--tidy"]), ("publish", []), ("source add", ["--title", "--colour"])]
    assert unknown_in_help(commands, capsys) == [
        "kommunkompassen fmt --tidy: not in `kommunkompassen fmt --help`",
        "kommunkompassen publish: no such command in `kommunkompassen --help`",
        "kommunkompassen source add --colour: not in `kommunkompassen source add --help`",
    ]
