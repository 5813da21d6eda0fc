"""The evaluators' walk-through is tested: every command that the "För utvärderare" page and
CONTRIBUTING.md show is run, in order, in a temporary git repository holding a copy of the
data, and what it prints must be what the page shows.

How a page is read:
- a ```console block holds commands (`$ ...`) each followed by exactly the lines it prints
  (standard output and standard error together); a line `…` stands for any number of lines,
  a `…` within a line for any text (a commit's id);
- a ```sh block holds commands that are run and must succeed, their output not shown; those
  that need the network, an installation or a terminal (OFFLINE below) are not run;
- `<!-- test: ... -->` comments (invisible on the page) do what the text around them asks the
  evaluator to do in an editor: `fill PATH` fills in every blank of a template as an evaluator
  would, `replace PATH "OLD" "NEW"` changes one passage.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA, ROOT

PAGES = [ROOT / "generator" / "site" / "content" / "for-utvarderare" / "index.md", ROOT / "CONTRIBUTING.md"]
# Commands a page shows that cannot run here: installing, the network, a server that runs until stopped.
OFFLINE = ("pip", "python3", "pre-commit", "cd", "git clone", "git pull", "git push", "kommunkompassen serve")
_TEST = re.compile(r"<!--\s*test:\s*(.*?)\s*-->")


def steps(page: Path) -> list[tuple[str, object]]:
    """('console', [(command, expected lines)]), ('sh', [commands]) and ('edit', words), in page order."""
    found: list[tuple[str, object]] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        edit = _TEST.search(line)
        if edit:
            found.append(("edit", shlex.split(edit.group(1))))
        if line.startswith("```console") or line.startswith("```sh"):
            kind = "console" if line.startswith("```console") else "sh"
            body = []
            index += 1
            while not lines[index].startswith("```"):
                body.append(lines[index])
                index += 1
            if kind == "sh":
                commands = [c for c in (shlex.split(written, comments=True) for written in body) if c]
                found.append(("sh", commands))
            else:
                runs: list[tuple[list[str], list[str]]] = []
                for text in body:
                    if text.startswith("$ "):
                        runs.append((shlex.split(text[2:]), []))
                    else:
                        runs[-1][1].append(text)
                found.append(("console", runs))
        index += 1
    return found


def _offline(command: list[str]) -> bool:
    text = " ".join(command)
    return any(text == word or text.startswith(word + " ") for word in OFFLINE)


def _run(command: list[str], repo: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("KOMMUNKOMPASSEN_LANG", "GITHUB_ACTIONS", "PREVIEW_URL")}
    env.update(
        PYTHONUNBUFFERED="1",
        COLUMNS="100",
        GIT_AUTHOR_NAME="Anna Andersson",
        GIT_AUTHOR_EMAIL="anna@example.org",
        GIT_COMMITTER_NAME="Anna Andersson",
        GIT_COMMITTER_EMAIL="anna@example.org",
    )
    if command[0] == "kommunkompassen":
        command = [sys.executable, "-m", "generator", *command[1:]]
    return subprocess.run(
        command, cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False
    )


def _matches(expected: list[str], actual: list[str]) -> bool:
    """`expected` equals `actual`, each `…` line standing for any number of lines."""
    if not expected:
        return not actual
    if expected[0] == "…":
        return any(_matches(expected[1:], actual[start:]) for start in range(len(actual) + 1))
    return bool(actual) and _line_matches(expected[0], actual[0]) and _matches(expected[1:], actual[1:])


def _line_matches(expected: str, actual: str) -> bool:
    """Equal, or equal but for the parts a `…` stands for (a commit's id, say)."""
    pattern = ".*".join(re.escape(part) for part in expected.split("…"))
    return re.fullmatch(pattern, actual) is not None


def fill(path: Path) -> None:
    """Every blank of a template filled in, as an evaluator would from a report."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        points = re.match(r"^(\s+points:)  # 0–(\d+(?:\.\d+)?)$", line)
        if points:
            maximum = float(points.group(2))
            line = f"{points.group(1)} {maximum * 0.6:g}  # 0–{points.group(2)}"
        for key, value in (
            ("month", "3"),
            ("ordinal", "3"),
            ("interviewees", "35"),
            ("  report", "skr-2026-karlskoga"),
            ("summary", "Karlskoga har en tydlig styrning men behöver utveckla dialogen med medborgarna."),
            ("    description", "Utvärderarna såg ett strukturerat arbete med tydliga mål."),
        ):
            if re.match(rf"^{key}:  # ", line):
                line = line.replace(f"{key}:  # ", f"{key}: {value}  # ", 1)
        line = line.replace("evaluators: []  # ", "evaluators: [Anna Andersson, Bo Berg]  # ")
        line = line.replace("    strengths: []  # ", "    strengths: [Tydliga mål som följs upp]  # ")
        line = line.replace("    improvements: []  # ", "    improvements: [Mer dialog med medborgarna]  # ")
        out.append(line)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository like the project's, holding a copy of the data on its branch main."""
    root = tmp_path / "kommunkompassen"
    shutil.copytree(DATA, root / "evaluations")
    for command in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "data"]):
        assert _run(command, root).returncode == 0
    return root


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_command_of_the_walkthrough_prints_what_the_page_shows(page, repo):
    shown = steps(page)
    kommunkompassen = [c for kind, body in shown if kind == "console" for c, _ in body if c[0] == "kommunkompassen"]
    assert {c[1] for c in kommunkompassen} >= {"new", "source", "validate", "fmt", "diff"}, (
        "the walk-through is complete"
    )
    for kind, body in shown:
        if kind == "edit":
            action, target, *rest = body  # type: ignore[misc]  # an edit's body is a tuple of words; steps() types every body alike
            path = repo / target
            if action == "fill":
                fill(path)
            else:
                old, new = (part.replace("\\n", "\n") for part in rest)  # \n in the comment is a line break
                text = path.read_text(encoding="utf-8")
                assert old in text, f"{page.name}: {old!r} not in {target}"
                path.write_text(text.replace(old, new, 1), encoding="utf-8")
        elif kind == "sh":
            for command in body:  # type: ignore[union-attr]  # a sh step's body is a list of commands; steps() types every body alike
                if not _offline(command):
                    result = _run(command, repo)
                    assert result.returncode == 0, f"{page.name}: {shlex.join(command)}\n{result.stdout}"
        else:
            for command, expected in body:  # type: ignore[union-attr]  # a console step's body is (command, output) pairs; steps() types every body alike
                result = _run(command, repo)
                actual = result.stdout.splitlines()
                assert _matches(expected, actual), (
                    f"{page.name}: `{shlex.join(command)}` printed\n"
                    + "\n".join(actual)
                    + "\n\nbut the page shows\n"
                    + "\n".join(expected)
                )
