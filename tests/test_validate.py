"""Every validation rule, each with a failing example from real data and its exact message and line."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import DATA, line_of


def run(capsys, *args: str) -> tuple[int, list[str]]:
    code = main(list(args))
    out = capsys.readouterr().out
    return code, [line for line in out.splitlines() if line]


def validate(capsys, data: Path, *paths: Path) -> tuple[int, list[str]]:
    return run(capsys, "validate", "--data", str(data), "--format", "plain", *map(str, paths))


def replace(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def expect(lines: list[str], path: Path, line: int, level: str, message: str) -> None:
    wanted = f"{path}:{line}:"
    matching = [printed for printed in lines if printed.startswith(wanted) and f" {level}: {message}" in printed]
    assert matching, f"no {level} {message!r} at {wanted}\n" + "\n".join(lines)


@pytest.fixture(autouse=True)
def plain_output(monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def test_repository_data_is_valid(capsys):
    code, lines = validate(capsys, DATA)
    assert code == 0, "\n".join(lines)
    assert not [printed for printed in lines if ": error: " in printed]


def test_printed_total_that_differs_is_a_warning_not_an_error(capsys):
    code, lines = validate(capsys, DATA, DATA / "kalix" / "2012.yaml")
    assert code == 0
    path = DATA / "kalix" / "2012.yaml"
    expect(
        [printed.replace(str(DATA), str(DATA)) for printed in lines],
        Path(os.path.relpath(path)),
        line_of(path, "reported_total: 415"),
        "warning",
        "totalsumman trycks som 415 men områdena blir tillsammans 413; båda behålls och webbplatsen visar skillnaden",
    )


# ---------------------------------------------------------------- the rules, one table


@dataclass(frozen=True)
class Replace:
    """Replace the first `old` in a file of the data folder by `new`."""

    file: str
    old: str
    new: str

    def apply(self, data: Path) -> None:
        replace(data / self.file, self.old, self.new)


@dataclass(frozen=True)
class Write:
    """Give a file of the data folder this content (text, or bytes that need not be UTF-8)."""

    file: str
    content: str | bytes

    def apply(self, data: Path) -> None:
        if isinstance(self.content, bytes):
            (data / self.file).write_bytes(self.content)
        else:
            (data / self.file).write_text(self.content, encoding="utf-8")


@dataclass(frozen=True)
class Rename:
    file: str
    to: str

    def apply(self, data: Path) -> None:
        (data / self.file).rename(data / self.to)


@dataclass(frozen=True)
class Rule:
    """One rule: an edit of the real data, and the problem `validate` must then report.

    `line` is a line number, or the text the line holds after the edit (with `below` lines added);
    None accepts any line of `file`. `column` is a number, or the text on that line where the
    problem points; None accepts any column. `whole` asks the printed line to be exactly
    file:line:col: level: message, else it must hold ` level: message`."""

    id: str
    edits: tuple[Replace | Write | Rename, ...]
    file: str
    line: int | str | None
    level: str
    message: str
    column: int | str | None = None
    below: int = 0
    whole: bool = False
    only_file: bool = False  # validate just `file`, as a pre-commit hook does, instead of the whole folder

    def location(self, data: Path) -> str:
        """The start every matching printed line has: file:line: or file:line:col: (or file: alone)."""
        path = data / self.file
        if self.line is None:
            return f"{path}:"
        number = self.line if isinstance(self.line, int) else line_of(path, self.line) + self.below
        if self.column is None:
            return f"{path}:{number}:"
        if isinstance(self.column, str):
            column = path.read_text(encoding="utf-8").splitlines()[number - 1].index(self.column) + 1
        else:
            column = self.column
        return f"{path}:{number}:{column}:"

    def matches(self, printed: str, location: str) -> bool:
        if self.whole:
            return printed == f"{location} {self.level}: {self.message}"
        return printed.startswith(location) and f" {self.level}: {self.message}" in printed


KARLSKRONA, KARLSKOGA, EKSJO = "karlskrona/2022.yaml", "karlskoga/2022.yaml", "eksjo/2008.yaml"
ALIAS_BOMB = (
    "\n".join(
        ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
        + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    )
    + "\n"
)


def _yaml(case: str, content: str | bytes, line: int | None, message: str, **more) -> Rule:
    """A file that is broken or hostile as YAML, refused by the loader before any rule reads it."""
    return Rule(f"yaml-{case}", (Write(EKSJO, content),), EKSJO, line, "error", message, only_file=True, **more)


RULES = (
    Rule(
        "question-not-in-revision",
        (Replace(KARLSKRONA, "id: '3.5'", "id: '3.6'"),),
        KARLSKRONA,
        "id: '3.6'",
        "error",
        "fråga 3.6 finns inte i revision 2020 (område 3 har 3.1–3.5); menade du `3.5`?",
        column="'3.6'",
        whole=True,
    ),
    Rule(
        "question-not-in-revision-leaves-one-unscored",
        (Replace(KARLSKRONA, "id: '3.5'", "id: '3.6'"),),
        KARLSKRONA,
        None,
        "error",
        "område 3 saknar poäng för fråga 3.5; en fullständig utvärdering har poäng för varje fråga",
    ),
    Rule(
        "points-above-maximum",
        (Replace(KARLSKRONA, "{id: '1.1', points: 11}", "{id: '1.1', points: 25}"),),
        KARLSKRONA,
        "points: 25",
        "error",
        "fråga 1.1 har 25 poäng; det ska vara mellan 0 och 20",
    ),
    Rule(
        "negative-points-refused-by-the-schema",
        (Replace(KARLSKRONA, "{id: '1.1', points: 11}", "{id: '1.1', points: -1}"),),
        KARLSKRONA,
        "points: -1",
        "error",
        "`areas[1].questions[1].points` är -1; det ska vara minst 0",
    ),
    Rule(
        "unknown-key-gets-a-suggestion",
        (Replace(KARLSKRONA, "    improvements:", "    improvments:"),),
        KARLSKRONA,
        "improvments:",
        "error",
        "okänd nyckel `improvments`; menade du `improvements`?",
        column=5,
        whole=True,
    ),
    Rule(
        "municipality-must-be-in-register",
        (Replace("karlskoga/2003.yaml", "municipality: karlskoga", "municipality: karlskogaa"),),
        "karlskoga/2003.yaml",
        "municipality: karlskogaa",
        "error",
        "kommunen `karlskogaa` finns inte i registret; menade du `karlskoga`?",
    ),
    Rule(
        "file-name-must-match-municipality-and-year",
        (Rename("karlskoga/2003.yaml", "karlskoga/2004.yaml"),),
        "karlskoga/2004.yaml",
        "municipality:",
        "error",
        "filen är karlskoga/2004.yaml men innehåller karlskoga 2003; flytta den till karlskoga/2003.yaml",
    ),
    Rule(
        "year-must-fit-the-revision",
        (Replace(EKSJO, "framework: '2002'", "framework: '2020'"),),
        EKSJO,
        "year: 2008",
        "error",
        "året 2008 passar inte revision 2020, som användes 2019–",
    ),
    Rule(
        "full-evaluation-must-score-every-question",
        (Replace(KARLSKRONA, "      - {id: '1.5', points: 25}\n", ""),),
        KARLSKRONA,
        None,
        "error",
        "område 1 saknar poäng för fråga 1.5",
    ),
    Rule(
        "good-practice-slugs-are-unique",
        (Replace(KARLSKRONA, "slug: landsbygds-och-skargardsmiljonen", "slug: eftersnack"),),
        KARLSKRONA,
        "slug: eftersnack",
        "error",
        "kortnamn för gott exempel `eftersnack` förekommer två gånger",
    ),
    *(
        Rule(
            f"good-practice-slug-takes-the-address-of-{slug}",
            (Replace(KARLSKOGA, "slug: eftersnack", f"slug: '{slug}'"),),  # quoted, so that 2020 stays text
            KARLSKOGA,
            f"slug: '{slug}'",
            "error",
            f"kortnamnet `{slug}` för ett gott exempel är adressen till en annan sida (/goda-exempel/{slug}/); välj ett annat",
        )
        for slug in ("guldstjarnor", "2020")
    ),
    Rule(
        "area-maxima-must-sum-to-the-revision-total",
        (Replace("_frameworks/2010.yaml", "max_points: 800", "max_points: 100"),),
        "_frameworks/2010.yaml",
        "max_points: 100",
        "error",
        "områdenas maxpoäng i revision 2010 blir tillsammans 800, inte dess max_points 100",
    ),
    Rule(
        "question-maxima-must-sum-to-the-area-maximum",
        (Replace("_frameworks/2020.yaml", "{id: '1.1', max_points: 20,", "{id: '1.1', max_points: 25,"),),
        "_frameworks/2020.yaml",
        "name: Samspel mellan förtroendevalda och medborgare",
        "error",
        "frågornas maxpoäng i område 1 blir tillsammans 105, inte områdets max_points 100",
        below=1,
    ),
    _yaml(
        "unclosed-bracket",
        "municipality: eksjo\nyear: [2008\n",
        2,
        "YAML-syntaxfel: hakparentesen som börjar här stängs aldrig; avsluta listan med ] på samma rad",
    ),
    _yaml(
        "duplicate-key",
        "municipality: eksjo\nmunicipality: eksjo\n",
        2,
        "nyckeln `municipality` finns två gånger (första gången på rad 1); behåll en",
    ),
    _yaml("anchor", "a: &x [1]\nb: *x\n", 1, "ankare och alias (&x / *x) är inte tillåtna; skriv ut värdet"),
    _yaml(
        "python-tag",
        "municipality: !!python/object:os.system eksjo\n",
        1,
        "taggen tag:yaml.org,2002:python/object:os.system är inte tillåten; ta bort den",
    ),
    _yaml("custom-tag", "municipality: !custom eksjo\n", 1, "taggen !custom är inte tillåten; ta bort den"),
    _yaml("empty", "", 1, "filen är tom; den ska innehålla nycklar med värden"),
    _yaml("only-a-comment", "# only a comment\n", 1, "filen är tom; den ska innehålla nycklar med värden"),
    _yaml(
        "a-list",
        "- a\n- b\n",
        1,
        "filen ska innehålla nycklar med värden på översta nivån (som `municipality: karlskoga`), inte en lista eller en text",
    ),
    _yaml("too-deep", "x: " + "[" * 60 + "]" * 60 + "\n", 1, "data är nästlade för djupt (högst 24 nivåer)"),
    _yaml("nan", "a: .nan\n", 1, "`.nan` är inte ett ändligt tal"),
    _yaml(
        "two-documents",
        "a: 1\n---\nb: 2\n",
        3,
        "filen innehåller flera YAML-dokument (skilda med ---); ha bara ett per fil",
    ),
    _yaml("merge-key", "<<: {a: 1}\n", 1, "sammanslagningsnycklar (<<) är inte tillåtna; skriv ut nycklarna"),
    _yaml("alias-bomb", ALIAS_BOMB, None, "ankare och alias"),
    _yaml(
        "not-utf8",
        b"municipality: eksjo\nyear: 2008\nname: Eksj\xf6\n",
        3,
        "filen är inte giltig UTF-8; spara den med teckenkodningen UTF-8",
        column=11,
        whole=True,
    ),
    _yaml(
        "oversized",
        "a: '" + "x" * 1_100_000 + "'\n",
        1,
        "filen är 1\u00a0100\u00a0006 byte; högst 1\u00a0000\u00a0000 godtas",
    ),
)


@pytest.mark.parametrize("rule", RULES, ids=[rule.id for rule in RULES])
def test_rule(capsys, data_copy, rule):
    for edit in rule.edits:
        edit.apply(data_copy)
    code, lines = validate(capsys, data_copy, *([data_copy / rule.file] if rule.only_file else []))
    assert code == 1
    location = rule.location(data_copy)
    assert any(rule.matches(printed, location) for printed in lines), (
        f"no {rule.level} {rule.message!r} at {location}\n" + "\n".join(lines)
    )


def test_no_rule_is_met_by_the_unedited_data(capsys, data_copy):
    """Each row can fail: before its edit, the real data has none of the problems the table expects."""
    code, lines = validate(capsys, data_copy)
    assert code == 0
    assert len({rule.id for rule in RULES}) == len(RULES)
    met = [rule.id for rule in RULES if any(f" {rule.level}: {rule.message}" in printed for printed in lines)]
    assert met == []


def test_points_may_be_halves(capsys, data_copy):
    path = data_copy / "karlskoga" / "2007.yaml"
    assert "13.5" in path.read_text(encoding="utf-8")
    code, _ = validate(capsys, data_copy, path)
    assert code == 0


def test_all_problems_of_a_run_are_reported(capsys, data_copy):
    first = data_copy / "karlskrona" / "2022.yaml"
    second = data_copy / "karlskoga" / "2003.yaml"
    replace(first, "{id: '1.1', points: 11}", "{id: '1.1', points: 25}")
    replace(second, "    improvements:", "    improvements:") if False else replace(
        second, "ordinal: 1", "ordinal: 1\nbogus: 2"
    )
    code, lines = validate(capsys, data_copy)
    assert code == 1
    assert any(printed.startswith(f"{first}:") and "fråga 1.1 har 25 poäng" in printed for printed in lines)
    assert any(printed.startswith(f"{second}:") and "okänd nyckel `bogus`" in printed for printed in lines)


def test_github_format_annotates_the_line(capsys, data_copy):
    path = data_copy / "karlskrona" / "2022.yaml"
    replace(path, "{id: '1.1', points: 11}", "{id: '1.1', points: 25}")
    code, lines = run(capsys, "validate", "--data", str(data_copy), "--format", "github")
    assert code == 1
    line = line_of(path, "points: 25")
    shown = str(path).replace(":", "%3A").replace(",", "%2C")
    assert any(
        printed.startswith(f"::error file={shown},line={line},col=") and "fråga 1.1 har 25 poäng" in printed
        for printed in lines
    )


def test_github_format_is_chosen_inside_github_actions(capsys, data_copy, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    path = data_copy / "karlskrona" / "2022.yaml"
    replace(path, "{id: '1.1', points: 11}", "{id: '1.1', points: 25}")
    code, lines = run(capsys, "validate", "--data", str(data_copy))
    assert code == 1 and any(printed.startswith("::error file=") for printed in lines)


def test_usage_errors_exit_2(capsys, data_copy):
    assert main(["validate", "--data", str(data_copy / "missing")]) == 2
    assert main(["validate", "--data", str(data_copy), str(data_copy / "nope.yaml")]) == 2
    assert main(["validate", "--format", "xml"]) == 2
    assert "fel: argumentet --format kan inte vara 'xml'; välj bland 'plain', 'github'" in capsys.readouterr().err
    assert main([]) == 2


# ---------------------------------------------------------------- new


@pytest.mark.parametrize(
    "revision, year, questions, runs",
    [
        ("2002", 2005, 37, "1.1–1.3, 2.1–2.6, 3.1–3.4, 4.1–4.5, 5.1–5.4, 6.1–6.6, 7.1–7.5, 8.1–8.4"),
        ("2010", 2012, 45, None),
        ("2020", 2026, 36, "1.1–1.5, 2.1–2.4, 3.1–3.5, 4.1–4.5, 5.1–5.5, 6.1–6.4, 7.1–7.4, 8.1–8.4"),
    ],
)
def test_new_template_lists_what_remains_to_fill_in(capsys, data_copy, revision, year, questions, runs):
    code, _ = run(capsys, "new", "karlskoga", str(year), "--framework", revision, "--data", str(data_copy))
    assert code == 0
    path = data_copy / "karlskoga" / f"{year}.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../generator/schemas/evaluation.schema.json")
    assert text.count("        points:  # 0–") == questions
    assert "# Fyll i varje `points:` (maxpoängen står i kommentaren)" in text
    assert "the maximum" not in text and "Fill in" not in text
    code, lines = validate(capsys, data_copy, path)
    assert code == 1
    first = line_of(path, "id: '1.1'") + 1
    grouped = [printed for printed in lines if f"error: {questions} frågor saknar poäng: 1.1–" in printed]
    assert len(grouped) == 1 and grouped[0].startswith(f"{path}:{first}:9: ")
    if runs:
        assert grouped[0].endswith(f"{questions} frågor saknar poäng: {runs}")
    assert (
        f"{path}:{line_of(path, 'summary:')}:1: error: utvärderingen saknar sammanfattning (summary); skriv en med egna ord"
        in lines
    )
    assert any(
        printed.startswith(f"{path}:{line_of(path, '  report:')}:3: error: källan saknar rapport;") for printed in lines
    )
    assert (
        f"{path}:{line_of(path, '    description:')}:5: error: 8 områden saknar beskrivning (description): 1–8" in lines
    )
    assert len(lines) <= 10, "\n".join(lines)  # grouped, not a line per question


def test_new_never_overwrites(capsys, data_copy):
    path = data_copy / "karlskoga" / "2007.yaml"
    before = path.read_bytes()
    code = main(["new", "karlskoga", "2007", "--framework", "2002", "--data", str(data_copy)])
    assert code == 2
    assert path.read_bytes() == before
    assert "finns redan" in capsys.readouterr().err


def test_new_rejects_unknown_municipality_and_revision(capsys, data_copy):
    assert main(["new", "atlantis", "2026", "--framework", "2020", "--data", str(data_copy)]) == 2
    assert main(["new", "karlskoga", "2026", "--framework", "1999", "--data", str(data_copy)]) == 2
    assert not (data_copy / "atlantis").exists()


# ---------------------------------------------------------------- fmt


def test_repository_data_is_formatted(capsys):
    assert main(["fmt", "--check", "--data", str(DATA)]) == 0


def test_fmt_orders_keys_and_keeps_comments_and_text(capsys, data_copy):
    path = data_copy / "eksjo" / "2008.yaml"
    shuffled = (
        "# yaml-language-server: $schema=../../generator/schemas/evaluation.schema.json\n"
        "areas:  # the eight area totals\n"
        + "".join(
            f"  - {{reported_points: {p}, area: {i}}}\n" for i, p in enumerate([59, 37, 60, 71, 48, 43, 43, 68], 1)
        )
        + 'reported_total: 429\nsource:\n  location: Tabell 2 – "quoted" text  # kept\n  report: skl-2009-fagersta\n'
        "detail: areas\nframework: '2002'\nyear: 2008\nmunicipality: eksjo\n"
    )
    path.write_text(shuffled, encoding="utf-8")
    assert main(["fmt", "--check", str(path), "--data", str(data_copy)]) == 1
    assert path.read_text(encoding="utf-8") == shuffled  # --check changes nothing
    assert main(["fmt", str(path), "--data", str(data_copy)]) == 0
    text = path.read_text(encoding="utf-8")
    keys = [line.split(":")[0] for line in text.splitlines() if line and line[0].isalpha()]
    assert keys == ["municipality", "year", "framework", "detail", "source", "reported_total", "areas"]
    assert "# the eight area totals" in text and "# kept" in text
    assert 'Tabell 2 – "quoted" text' in text
    assert "{area: 1, reported_points: 59}" in text
    assert main(["fmt", "--check", str(path), "--data", str(data_copy)]) == 0
    code, _ = validate(capsys, data_copy, path)
    assert code == 0


def test_fmt_refuses_broken_files_without_touching_them(capsys, data_copy):
    path = data_copy / "eksjo" / "2008.yaml"
    path.write_text("a: [1\n", encoding="utf-8")
    assert main(["fmt", "--data", str(data_copy)]) == 1
    assert path.read_text(encoding="utf-8") == "a: [1\n"
