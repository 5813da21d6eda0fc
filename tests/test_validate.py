"""Every validation rule, each with a failing example from real data and its exact message and line."""

from __future__ import annotations

import os
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
    matching = [l for l in lines if l.startswith(wanted) and f" {level}: {message}" in l]
    assert matching, f"no {level} {message!r} at {wanted}\n" + "\n".join(lines)


@pytest.fixture(autouse=True)
def plain_output(monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def test_repository_data_is_valid(capsys):
    code, lines = validate(capsys, DATA)
    assert code == 0, "\n".join(lines)
    assert not [l for l in lines if ": error: " in l]


def test_printed_total_that_differs_is_a_warning_not_an_error(capsys):
    code, lines = validate(capsys, DATA, DATA / "kalix" / "2012.yaml")
    assert code == 0
    path = DATA / "kalix" / "2012.yaml"
    expect([l.replace(str(DATA), str(DATA)) for l in lines], Path(os.path.relpath(path)), line_of(path, "reported_total: 415"),
           "warning", "the total is printed as 415 but the areas add up to 413")


def test_question_not_in_revision(capsys, data_copy):
    path = data_copy / "karlskrona" / "2022.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("id: '3.5'", "id: '3.6'", 1)
    path.write_text(text, encoding="utf-8")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    line = line_of(path, "id: '3.6'")
    column = path.read_text(encoding="utf-8").splitlines()[line - 1].index("'3.6'") + 1
    assert f"{path}:{line}:{column}: error: question 3.6 is not in revision 2020 (area 3 has 3.1–3.5)" in lines
    expect(lines, path, line_of(path, "- area: 3") + 0, "error", "area 3 has no score for question 3.5") if False else None
    assert any("area 3 has no score for question 3.5; a full evaluation scores every question" in l for l in lines)


def test_points_above_maximum(capsys, data_copy):
    path = data_copy / "karlskrona" / "2022.yaml"
    replace(path, "{id: '1.1', points: 11}", "{id: '1.1', points: 25}")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    expect(lines, path, line_of(path, "points: 25"), "error", "question 1.1 has 25 points; it must be between 0 and 20")


def test_negative_points_are_refused_by_the_schema(capsys, data_copy):
    path = data_copy / "karlskrona" / "2022.yaml"
    replace(path, "{id: '1.1', points: 11}", "{id: '1.1', points: -1}")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    expect(lines, path, line_of(path, "points: -1"), "error", "`areas[1].questions[1].points` is -1; it must be at least 0")


def test_unknown_key_gets_a_suggestion(capsys, data_copy):
    path = data_copy / "karlskrona" / "2022.yaml"
    replace(path, "    improvements:", "    improvments:")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    line = line_of(path, "improvments:")
    assert f"{path}:{line}:5: error: unknown key `improvments`; did you mean `improvements`?" in lines


def test_municipality_must_be_in_register(capsys, data_copy):
    old = data_copy / "karlskoga" / "2003.yaml"
    replace(old, "municipality: karlskoga", "municipality: karlskogaa")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    expect(lines, old, line_of(old, "municipality: karlskogaa"), "error", "municipality `karlskogaa` is not in the register; did you mean `karlskoga`?")


def test_file_name_must_match_municipality_and_year(capsys, data_copy):
    path = data_copy / "karlskoga" / "2003.yaml"
    path.rename(data_copy / "karlskoga" / "2004.yaml")
    moved = data_copy / "karlskoga" / "2004.yaml"
    code, lines = validate(capsys, data_copy)
    assert code == 1
    expect(lines, moved, line_of(moved, "municipality:"), "error", "the file is karlskoga/2004.yaml but holds karlskoga 2003; move it to karlskoga/2003.yaml")


def test_year_must_fit_the_revision(capsys, data_copy):
    path = data_copy / "eksjo" / "2008.yaml"
    replace(path, "framework: '2002'", "framework: '2020'")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    expect(lines, path, line_of(path, "year: 2008"), "error", "year 2008 does not fit revision 2020, which was used 2019–")


def test_full_evaluation_must_score_every_question(capsys, data_copy):
    path = data_copy / "karlskrona" / "2022.yaml"
    replace(path, "      - {id: '1.5', points: 25}\n", "")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    assert any(l.startswith(f"{path}:") and "area 1 has no score for question 1.5" in l for l in lines)


def test_good_practice_slugs_are_unique(capsys, data_copy):
    path = data_copy / "karlskrona" / "2022.yaml"
    replace(path, "slug: landsbygds-och-skargardsmiljonen", "slug: eftersnack")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    expect(lines, path, line_of(path, "slug: eftersnack"), "error", "duplicate good-practice slug `eftersnack`")


@pytest.mark.parametrize("slug", ["guldstjarnor", "2020"])
def test_good_practice_slugs_must_not_take_the_address_of_a_portal_page(capsys, data_copy, slug):
    path = data_copy / "karlskoga" / "2022.yaml"
    written = f"slug: '{slug}'"  # quoted, so that 2020 stays text
    replace(path, "slug: eftersnack", written)
    code, lines = validate(capsys, data_copy)
    assert code == 1
    expect(lines, path, line_of(path, written), "error",
           f"good-practice slug `{slug}` is the address of another page (/goda-exempel/{slug}/); choose another")


def test_area_maxima_must_sum_to_the_revision_total(capsys, data_copy):
    path = data_copy / "_frameworks" / "2010.yaml"
    replace(path, "max_points: 800", "max_points: 100")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    expect(lines, path, line_of(path, "max_points: 100"), "error", "the area maxima of revision 2010 add up to 800, not its max_points 100")


def test_question_maxima_must_sum_to_the_area_maximum(capsys, data_copy):
    path = data_copy / "_frameworks" / "2020.yaml"
    replace(path, "{id: '1.1', max_points: 20,", "{id: '1.1', max_points: 25,")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    line = line_of(path, "name: Samspel mellan förtroendevalda och medborgare") + 1
    expect(lines, path, line, "error", "the question maxima of area 1 add up to 105, not the area's max_points 100")


def test_points_may_be_halves(capsys, data_copy):
    path = data_copy / "karlskoga" / "2007.yaml"
    assert "13.5" in path.read_text(encoding="utf-8")
    code, _ = validate(capsys, data_copy, path)
    assert code == 0


@pytest.mark.parametrize(
    "content, line, message",
    [
        ("municipality: eksjo\nyear: [2008\n", 3, "YAML syntax error"),
        ("municipality: eksjo\nmunicipality: eksjo\n", 2, "duplicate key `municipality` (first used on line 1); keep one"),
        ("a: &x [1]\nb: *x\n", 1, "anchors and aliases (&x / *x) are not allowed; write the value out"),
        ("municipality: !!python/object:os.system eksjo\n", 1, "the tag tag:yaml.org,2002:python/object:os.system is not allowed; remove it"),
        ("municipality: !custom eksjo\n", 1, "the tag !custom is not allowed; remove it"),
        ("", 1, "the file is empty; expected a YAML mapping"),
        ("# only a comment\n", 1, "the file is empty; expected a YAML mapping"),
        ("- a\n- b\n", 1, "the file must hold a mapping of keys to values at the top level"),
        ("x: " + "[" * 60 + "]" * 60 + "\n", 1, "the data is nested too deeply (at most 24 levels)"),
        ("a: .nan\n", 1, "`.nan` is not a finite number"),
        ("a: 1\n---\nb: 2\n", 3, "the file holds several YAML documents; keep one per file"),
        ("<<: {a: 1}\n", 1, "merge keys (<<) are not allowed; write the keys out"),
    ],
)
def test_hostile_or_broken_yaml_is_refused_with_a_message(capsys, data_copy, content, line, message):
    path = data_copy / "eksjo" / "2008.yaml"
    path.write_text(content, encoding="utf-8")
    code, lines = validate(capsys, data_copy, path)
    assert code == 1
    assert any(l.startswith(f"{path}:{line}:") and message in l for l in lines), "\n".join(lines)


def test_alias_bomb_is_refused_quickly(capsys, data_copy):
    path = data_copy / "eksjo" / "2008.yaml"
    rows = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    rows += [f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}]" for i in range(1, 10)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, lines = validate(capsys, data_copy, path)
    assert code == 1
    assert any("anchors and aliases" in l for l in lines)


def test_non_utf8_bytes_are_located(capsys, data_copy):
    path = data_copy / "eksjo" / "2008.yaml"
    path.write_bytes(b"municipality: eksjo\nyear: 2008\nname: Eksj\xf6\n")
    code, lines = validate(capsys, data_copy, path)
    assert code == 1
    assert f"{path}:3:11: error: the file is not valid UTF-8; save it with UTF-8 encoding" in lines


def test_oversized_file_is_refused(capsys, data_copy):
    path = data_copy / "eksjo" / "2008.yaml"
    path.write_text("a: '" + "x" * 1_100_000 + "'\n", encoding="utf-8")
    code, lines = validate(capsys, data_copy, path)
    assert code == 1
    assert any("at most 1,000,000 are accepted" in l for l in lines)


def test_all_problems_of_a_run_are_reported(capsys, data_copy):
    first = data_copy / "karlskrona" / "2022.yaml"
    second = data_copy / "karlskoga" / "2003.yaml"
    replace(first, "{id: '1.1', points: 11}", "{id: '1.1', points: 25}")
    replace(second, "    improvements:", "    improvements:") if False else replace(second, "ordinal: 1", "ordinal: 1\nbogus: 2")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    assert any(l.startswith(f"{first}:") and "question 1.1 has 25 points" in l for l in lines)
    assert any(l.startswith(f"{second}:") and "unknown key `bogus`" in l for l in lines)


def test_github_format_annotates_the_line(capsys, data_copy):
    path = data_copy / "karlskrona" / "2022.yaml"
    replace(path, "{id: '1.1', points: 11}", "{id: '1.1', points: 25}")
    code, lines = run(capsys, "validate", "--data", str(data_copy), "--format", "github")
    assert code == 1
    line = line_of(path, "points: 25")
    shown = str(path).replace(":", "%3A").replace(",", "%2C")
    assert any(l.startswith(f"::error file={shown},line={line},col=") and "question 1.1 has 25 points" in l for l in lines)


def test_github_format_is_chosen_inside_github_actions(capsys, data_copy, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    path = data_copy / "karlskrona" / "2022.yaml"
    replace(path, "{id: '1.1', points: 11}", "{id: '1.1', points: 25}")
    code, lines = run(capsys, "validate", "--data", str(data_copy))
    assert code == 1 and any(l.startswith("::error file=") for l in lines)


def test_usage_errors_exit_2(capsys, data_copy):
    assert main(["validate", "--data", str(data_copy / "missing")]) == 2
    assert main(["validate", "--data", str(data_copy), str(data_copy / "nope.yaml")]) == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", "--format", "xml"])
    assert exit_info.value.code == 2
    assert main([]) == 2


# ---------------------------------------------------------------- new


@pytest.mark.parametrize("revision, questions", [("2002", 37), ("2010", 45), ("2020", 36)])
def test_new_template_lists_what_remains_to_fill_in(capsys, data_copy, revision, questions):
    year = {"2002": 2005, "2010": 2012, "2020": 2026}[revision]
    code, _ = run(capsys, "new", "karlskoga", str(year), "--framework", revision, "--data", str(data_copy))
    assert code == 0
    path = data_copy / "karlskoga" / f"{year}.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../generator/schemas/evaluation.schema.json")
    assert text.count("points:  # max") == questions
    code, lines = validate(capsys, data_copy, path)
    assert code == 1
    missing = [l for l in lines if "has no points yet" in l]
    assert len(missing) == questions
    first = line_of(path, "id: '1.1'") + 1
    assert any(l.startswith(f"{path}:{first}:9: error: question 1.1 has no points yet (0–") for l in lines)
    assert any("the evaluation has no summary; write one in your own words" in l for l in lines)
    assert any("the source has no report yet" in l for l in lines)


def test_new_never_overwrites(capsys, data_copy):
    path = data_copy / "karlskoga" / "2007.yaml"
    before = path.read_bytes()
    code = main(["new", "karlskoga", "2007", "--framework", "2002", "--data", str(data_copy)])
    assert code == 2
    assert path.read_bytes() == before
    assert "already exists" in capsys.readouterr().err


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
        + "".join(f"  - {{reported_points: {p}, area: {i}}}\n" for i, p in enumerate([59, 37, 60, 71, 48, 43, 43, 68], 1))
        + "reported_total: 429\nsource:\n  location: Tabell 2 – \"quoted\" text  # kept\n  report: skl-2009-fagersta\n"
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
