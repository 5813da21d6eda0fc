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
           "warning", "totalsumman trycks som 415 men områdena blir tillsammans 413; båda behålls och webbplatsen visar skillnaden")


def test_question_not_in_revision(capsys, data_copy):
    path = data_copy / "karlskrona" / "2022.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("id: '3.5'", "id: '3.6'", 1)
    path.write_text(text, encoding="utf-8")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    line = line_of(path, "id: '3.6'")
    column = path.read_text(encoding="utf-8").splitlines()[line - 1].index("'3.6'") + 1
    assert f"{path}:{line}:{column}: error: fråga 3.6 finns inte i revision 2020 (område 3 har 3.1–3.5); menade du `3.5`?" in lines
    expect(lines, path, line_of(path, "- area: 3") + 0, "error", "area 3 has no score for question 3.5") if False else None
    assert any("område 3 saknar poäng för fråga 3.5; en fullständig utvärdering har poäng för varje fråga" in l for l in lines)


def test_points_above_maximum(capsys, data_copy):
    path = data_copy / "karlskrona" / "2022.yaml"
    replace(path, "{id: '1.1', points: 11}", "{id: '1.1', points: 25}")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    expect(lines, path, line_of(path, "points: 25"), "error", "fråga 1.1 har 25 poäng; det ska vara mellan 0 och 20")


def test_negative_points_are_refused_by_the_schema(capsys, data_copy):
    path = data_copy / "karlskrona" / "2022.yaml"
    replace(path, "{id: '1.1', points: 11}", "{id: '1.1', points: -1}")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    expect(lines, path, line_of(path, "points: -1"), "error", "`areas[1].questions[1].points` är -1; det ska vara minst 0")


def test_unknown_key_gets_a_suggestion(capsys, data_copy):
    path = data_copy / "karlskrona" / "2022.yaml"
    replace(path, "    improvements:", "    improvments:")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    line = line_of(path, "improvments:")
    assert f"{path}:{line}:5: error: okänd nyckel `improvments`; menade du `improvements`?" in lines


def test_municipality_must_be_in_register(capsys, data_copy):
    old = data_copy / "karlskoga" / "2003.yaml"
    replace(old, "municipality: karlskoga", "municipality: karlskogaa")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    expect(lines, old, line_of(old, "municipality: karlskogaa"), "error", "kommunen `karlskogaa` finns inte i registret; menade du `karlskoga`?")


def test_file_name_must_match_municipality_and_year(capsys, data_copy):
    path = data_copy / "karlskoga" / "2003.yaml"
    path.rename(data_copy / "karlskoga" / "2004.yaml")
    moved = data_copy / "karlskoga" / "2004.yaml"
    code, lines = validate(capsys, data_copy)
    assert code == 1
    expect(lines, moved, line_of(moved, "municipality:"), "error", "filen är karlskoga/2004.yaml men innehåller karlskoga 2003; flytta den till karlskoga/2003.yaml")


def test_year_must_fit_the_revision(capsys, data_copy):
    path = data_copy / "eksjo" / "2008.yaml"
    replace(path, "framework: '2002'", "framework: '2020'")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    expect(lines, path, line_of(path, "year: 2008"), "error", "året 2008 passar inte revision 2020, som användes 2019–")


def test_full_evaluation_must_score_every_question(capsys, data_copy):
    path = data_copy / "karlskrona" / "2022.yaml"
    replace(path, "      - {id: '1.5', points: 25}\n", "")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    assert any(l.startswith(f"{path}:") and "område 1 saknar poäng för fråga 1.5" in l for l in lines)


def test_good_practice_slugs_are_unique(capsys, data_copy):
    path = data_copy / "karlskrona" / "2022.yaml"
    replace(path, "slug: landsbygds-och-skargardsmiljonen", "slug: eftersnack")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    expect(lines, path, line_of(path, "slug: eftersnack"), "error", "kortnamn för gott exempel `eftersnack` förekommer två gånger")


@pytest.mark.parametrize("slug", ["guldstjarnor", "2020"])
def test_good_practice_slugs_must_not_take_the_address_of_a_portal_page(capsys, data_copy, slug):
    path = data_copy / "karlskoga" / "2022.yaml"
    written = f"slug: '{slug}'"  # quoted, so that 2020 stays text
    replace(path, "slug: eftersnack", written)
    code, lines = validate(capsys, data_copy)
    assert code == 1
    expect(lines, path, line_of(path, written), "error",
           f"kortnamnet `{slug}` för ett gott exempel är adressen till en annan sida (/goda-exempel/{slug}/); välj ett annat")


def test_area_maxima_must_sum_to_the_revision_total(capsys, data_copy):
    path = data_copy / "_frameworks" / "2010.yaml"
    replace(path, "max_points: 800", "max_points: 100")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    expect(lines, path, line_of(path, "max_points: 100"), "error", "områdenas maxpoäng i revision 2010 blir tillsammans 800, inte dess max_points 100")


def test_question_maxima_must_sum_to_the_area_maximum(capsys, data_copy):
    path = data_copy / "_frameworks" / "2020.yaml"
    replace(path, "{id: '1.1', max_points: 20,", "{id: '1.1', max_points: 25,")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    line = line_of(path, "name: Samspel mellan förtroendevalda och medborgare") + 1
    expect(lines, path, line, "error", "frågornas maxpoäng i område 1 blir tillsammans 105, inte områdets max_points 100")


def test_points_may_be_halves(capsys, data_copy):
    path = data_copy / "karlskoga" / "2007.yaml"
    assert "13.5" in path.read_text(encoding="utf-8")
    code, _ = validate(capsys, data_copy, path)
    assert code == 0


@pytest.mark.parametrize(
    "content, line, message",
    [
        ("municipality: eksjo\nyear: [2008\n", 2, "YAML-syntaxfel: hakparentesen som börjar här stängs aldrig; avsluta listan med ] på samma rad"),
        ("municipality: eksjo\nmunicipality: eksjo\n", 2, "nyckeln `municipality` finns två gånger (första gången på rad 1); behåll en"),
        ("a: &x [1]\nb: *x\n", 1, "ankare och alias (&x / *x) är inte tillåtna; skriv ut värdet"),
        ("municipality: !!python/object:os.system eksjo\n", 1, "taggen tag:yaml.org,2002:python/object:os.system är inte tillåten; ta bort den"),
        ("municipality: !custom eksjo\n", 1, "taggen !custom är inte tillåten; ta bort den"),
        ("", 1, "filen är tom; den ska innehålla nycklar med värden"),
        ("# only a comment\n", 1, "filen är tom; den ska innehålla nycklar med värden"),
        ("- a\n- b\n", 1, "filen ska innehålla nycklar med värden på översta nivån (som `municipality: karlskoga`), inte en lista eller en text"),
        ("x: " + "[" * 60 + "]" * 60 + "\n", 1, "data är nästlade för djupt (högst 24 nivåer)"),
        ("a: .nan\n", 1, "`.nan` är inte ett ändligt tal"),
        ("a: 1\n---\nb: 2\n", 3, "filen innehåller flera YAML-dokument (skilda med ---); ha bara ett per fil"),
        ("<<: {a: 1}\n", 1, "sammanslagningsnycklar (<<) är inte tillåtna; skriv ut nycklarna"),
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
    assert any("ankare och alias" in l for l in lines)


def test_non_utf8_bytes_are_located(capsys, data_copy):
    path = data_copy / "eksjo" / "2008.yaml"
    path.write_bytes(b"municipality: eksjo\nyear: 2008\nname: Eksj\xf6\n")
    code, lines = validate(capsys, data_copy, path)
    assert code == 1
    assert f"{path}:3:11: error: filen är inte giltig UTF-8; spara den med teckenkodningen UTF-8" in lines


def test_oversized_file_is_refused(capsys, data_copy):
    path = data_copy / "eksjo" / "2008.yaml"
    path.write_text("a: '" + "x" * 1_100_000 + "'\n", encoding="utf-8")
    code, lines = validate(capsys, data_copy, path)
    assert code == 1
    assert any("högst 1\u00a0000\u00a0000 godtas" in l for l in lines)


def test_all_problems_of_a_run_are_reported(capsys, data_copy):
    first = data_copy / "karlskrona" / "2022.yaml"
    second = data_copy / "karlskoga" / "2003.yaml"
    replace(first, "{id: '1.1', points: 11}", "{id: '1.1', points: 25}")
    replace(second, "    improvements:", "    improvements:") if False else replace(second, "ordinal: 1", "ordinal: 1\nbogus: 2")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    assert any(l.startswith(f"{first}:") and "fråga 1.1 har 25 poäng" in l for l in lines)
    assert any(l.startswith(f"{second}:") and "okänd nyckel `bogus`" in l for l in lines)


def test_github_format_annotates_the_line(capsys, data_copy):
    path = data_copy / "karlskrona" / "2022.yaml"
    replace(path, "{id: '1.1', points: 11}", "{id: '1.1', points: 25}")
    code, lines = run(capsys, "validate", "--data", str(data_copy), "--format", "github")
    assert code == 1
    line = line_of(path, "points: 25")
    shown = str(path).replace(":", "%3A").replace(",", "%2C")
    assert any(l.startswith(f"::error file={shown},line={line},col=") and "fråga 1.1 har 25 poäng" in l for l in lines)


def test_github_format_is_chosen_inside_github_actions(capsys, data_copy, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    path = data_copy / "karlskrona" / "2022.yaml"
    replace(path, "{id: '1.1', points: 11}", "{id: '1.1', points: 25}")
    code, lines = run(capsys, "validate", "--data", str(data_copy))
    assert code == 1 and any(l.startswith("::error file=") for l in lines)


def test_usage_errors_exit_2(capsys, data_copy):
    assert main(["validate", "--data", str(data_copy / "missing")]) == 2
    assert main(["validate", "--data", str(data_copy), str(data_copy / "nope.yaml")]) == 2
    assert main(["validate", "--format", "xml"]) == 2
    assert "fel: argumentet --format kan inte vara 'xml'; välj bland 'plain', 'github'" in capsys.readouterr().err
    assert main([]) == 2


# ---------------------------------------------------------------- new


@pytest.mark.parametrize("revision, year, questions, runs", [
    ("2002", 2005, 37, "1.1–1.3, 2.1–2.6, 3.1–3.4, 4.1–4.5, 5.1–5.4, 6.1–6.6, 7.1–7.5, 8.1–8.4"),
    ("2010", 2012, 45, None),
    ("2020", 2026, 36, "1.1–1.5, 2.1–2.4, 3.1–3.5, 4.1–4.5, 5.1–5.5, 6.1–6.4, 7.1–7.4, 8.1–8.4"),
])
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
    grouped = [l for l in lines if f"error: {questions} frågor saknar poäng: 1.1–" in l]
    assert len(grouped) == 1 and grouped[0].startswith(f"{path}:{first}:9: ")
    if runs:
        assert grouped[0].endswith(f"{questions} frågor saknar poäng: {runs}")
    assert f"{path}:{line_of(path, 'summary:')}:1: error: utvärderingen saknar sammanfattning (summary); skriv en med egna ord" in lines
    assert any(l.startswith(f"{path}:{line_of(path, '  report:')}:3: error: källan saknar rapport;") for l in lines)
    assert f"{path}:{line_of(path, '    description:')}:5: error: 8 områden saknar beskrivning (description): 1–8" in lines
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
