"""Property-based: whatever bytes an evaluator commits, the loader answers with messages, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import main
from generator.loader import read_document
from generator.problems import Level
from generator.schema import check
from tests.conftest import DATA

REAL = (DATA / "karlskrona" / "2022.yaml").read_text(encoding="utf-8")
YAML_PIECES = [
    ":",
    "-",
    " ",
    "\n",
    "  ",
    "[",
    "]",
    "{",
    "}",
    "&a",
    "*a",
    "!t",
    "!!str",
    "'",
    '"',
    "#",
    "|",
    ">",
    "? ",
    ",",
    "\t",
    "null",
    "1.5",
    "…",
]


@st.composite
def mangled_yaml(draw) -> str:
    text = REAL
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "duplicate"]))
        if kind == "insert":
            text = text[:position] + draw(st.sampled_from(YAML_PIECES)) + text[position:]
        elif kind == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 40)) :]
        else:
            text = text[:position] + text[position : position + 200] + text[position:]
    return text


def _answers_with_messages(text: str) -> None:
    path = Path("evaluations/karlskrona/2022.yaml")
    document, problems = read_document(path, "evaluation", text=text)
    if document is None:
        assert problems and all(p.level is Level.ERROR and p.pos.line >= 1 for p in problems)
    else:
        for problem in check(document):
            assert problem.message and problem.pos.path


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mangled_yaml())
def test_mangled_yaml_gives_messages_not_exceptions(text):
    _answers_with_messages(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(YAML_PIECES + list("abcxyz019åäö")), max_size=120))
def test_random_yaml_like_text_gives_messages_not_exceptions(pieces):
    _answers_with_messages("".join(pieces))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_unicode_gives_messages_not_exceptions(text):
    _answers_with_messages(text)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(text=mangled_yaml(), raw=st.binary(max_size=64))
def test_validate_command_exits_1_with_messages(tmp_path_factory, capsys, text, raw):
    data = tmp_path_factory.mktemp("fuzz") / "evaluations"
    shutil.copytree(DATA, data)
    target = data / "karlskrona" / "2022.yaml"
    target.write_bytes(text.encode("utf-8") + raw)
    code = main(["validate", "--data", str(data), "--format", "plain", str(target)])
    out = capsys.readouterr().out
    if code == 1:
        assert f"{target}:" in out
    else:
        assert code == 0 and ": error:" not in out
