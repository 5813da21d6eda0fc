"""Issue 15: every message in Swedish from one catalogue, English on request, every problem
in one run, placed where the fix goes, and saying how to fix it."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from generator.cli import main
from generator.messages import catalogue
from tests.conftest import line_of
from tests.test_validate import replace, run, validate

GENERATOR = Path(__file__).resolve().parents[1] / "generator"


# ---------------------------------------------------------------- the catalogue


def _fields(text: object) -> set[str]:
    if isinstance(text, tuple):  # a noun with its participles
        return {f"{index}:{name}" for index, part in enumerate(text) for name in _fields(part)}
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_messages_with_the_same_placeholders():
    swedish, english = catalogue("sv"), catalogue("en")
    assert swedish.keys() == english.keys()
    for key in swedish:
        assert _fields(swedish[key]) == _fields(english[key]), key


def test_every_message_the_code_asks_for_is_in_the_catalogue():
    used = set()
    for path in GENERATOR.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'\bmsg\("([a-z_.]+)"', text))
        used |= {f"summary.{key}" for key in re.findall(r'\bTEXT\["([a-z_]+)"\]', text)}
    for path in (GENERATOR / "templates").glob("*.j2"):
        used |= set(re.findall(r'\bt\("([a-z_.]+)"', path.read_text(encoding="utf-8")))
    assert len(used) > 150
    known = catalogue("sv").keys()
    assert sorted(key for key in used if key not in known and not any(k.startswith(key + ".") for k in known)) == []


def test_no_command_prints_english_by_default(capsys, data_copy):
    path = data_copy / "karlskrona" / "2022.yaml"
    replace(path, "{id: '1.1', points: 11}", "{id: '1.1', points: 25}")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    assert lines and all(" error: " in printed or " warning: " in printed for printed in lines)
    text = "\n".join(lines)
    for english in (" the ", " is ", " has ", " not ", " printed ", " must "):
        assert english not in text.split(": ", 1)[-1], english


# ---------------------------------------------------------------- every problem in one run


def test_a_type_error_does_not_hide_an_unknown_question(capsys, data_copy):
    path = data_copy / "karlskrona" / "2022.yaml"
    replace(path, "interviewees: 40", "interviewees: fyrtio")
    replace(path, "id: '1.5'", "id: '1.9'")
    code, lines = validate(capsys, data_copy, path)
    assert code == 1
    type_line, question_line = line_of(path, "interviewees: fyrtio"), line_of(path, "id: '1.9'")
    first_question = line_of(path, "{id: '1.1'")
    column = path.read_text(encoding="utf-8").splitlines()[question_line - 1].index("'1.9'") + 1
    assert lines == [
        f"{path}:{type_line}:15: error: `interviewees` ska vara ett heltal, inte 'fyrtio'",
        f"{path}:{first_question}:7: error: område 1 saknar poäng för fråga 1.5; en fullständig utvärdering har poäng för varje fråga",
        f"{path}:{question_line}:{column}: error: fråga 1.9 finns inte i revision 2020 (område 1 har 1.1–1.5); menade du `1.5`?",
    ]


def test_english_gives_the_same_messages_in_english(capsys, data_copy, monkeypatch):
    path = data_copy / "karlskrona" / "2022.yaml"
    replace(path, "interviewees: 40", "interviewees: fyrtio")
    replace(path, "id: '1.5'", "id: '1.9'")
    _, swedish = validate(capsys, data_copy, path)
    code, english = run(capsys, "--lang", "en", "validate", "--data", str(data_copy), "--format", "plain", str(path))
    assert code == 1
    assert [printed.split(": error: ")[0] for printed in english] == [
        printed.split(": error: ")[0] for printed in swedish
    ]
    assert english[0].endswith("error: `interviewees` must be a whole number, not 'fyrtio'")
    assert english[2].endswith("error: question 1.9 is not in revision 2020 (area 1 has 1.1–1.5); did you mean `1.5`?")
    monkeypatch.setenv("KOMMUNKOMPASSEN_LANG", "en")  # for CI: the environment variable does the same
    assert validate(capsys, data_copy, path)[1] == english
    assert main(["validate", "--data", str(data_copy), str(path)]) == 1
    assert capsys.readouterr().err.strip() == "3 error(s), 0 warning(s)"
    monkeypatch.delenv("KOMMUNKOMPASSEN_LANG")
    assert main(["validate", "--data", str(data_copy), str(path)]) == 1
    assert capsys.readouterr().err.strip() == "3 fel (error), 0 varningar (warning)"


def test_problems_come_in_order_of_file_and_line(capsys, data_copy):
    first, second = data_copy / "karlskoga" / "2022.yaml", data_copy / "karlskrona" / "2022.yaml"
    replace(second, "interviewees: 40", "interviewees: -1")
    replace(second, "{id: '1.1', points: 11}", "{id: '1.1', points: 25}")
    replace(first, "framework: '2020'", "framework: '2030'")
    _code, lines = validate(capsys, data_copy)
    places = [(printed.split(":")[0], int(printed.split(":")[1])) for printed in lines]
    assert places == sorted(places)
    assert any(printed.startswith(f"{first}:") for printed in lines) and any(
        printed.startswith(f"{second}:") for printed in lines
    )


# ---------------------------------------------------------------- places


def test_a_missing_key_is_reported_where_it_goes(capsys, data_copy):
    path = data_copy / "karlskrona" / "2022.yaml"
    replace(path, "detail: full\n", "")
    code, lines = validate(capsys, data_copy, path)
    assert code == 1
    assert (
        f"{path}:{line_of(path, 'ordinal: 4')}:1: error: filen saknar nyckeln `detail`; lägg till den här, före `ordinal`"
        in lines
    )


def test_a_missing_key_at_the_end_of_a_mapping_is_reported_at_its_last_line(capsys, data_copy):
    path = data_copy / "eksjo" / "2008.yaml"
    text = path.read_text(encoding="utf-8")
    areas = text.index("areas:")
    path.write_text(text[:areas], encoding="utf-8")  # the file ends before its areas
    _code, lines = validate(capsys, data_copy, path)
    last = len(path.read_text(encoding="utf-8").splitlines())
    assert f"{path}:{last}:1: error: filen saknar nyckeln `areas`; lägg till den efter den här raden" in lines


def test_a_missing_key_inside_a_list_item_points_at_that_item(capsys, data_copy):
    path = data_copy / "karlskrona" / "2022.yaml"
    replace(path, "      - {id: '1.2', points: 8}", "      - {points: 8}")
    _code, lines = validate(capsys, data_copy, path)
    line = line_of(path, "      - {points: 8}")
    assert (
        f"{path}:{line}:10: error: `areas[1].questions[2]` saknar nyckeln `id`; lägg till den här, före `points`"
        in lines
    )


# ---------------------------------------------------------------- how to fix it


@pytest.mark.parametrize(
    "old, new, line_text, column, message",
    [
        (
            "year: 2008",
            "year:2008",
            "year:2008",
            5,
            "YAML-syntaxfel: mellanslag saknas efter kolon i `year:2008`; skriv `year: 2008`",
        ),
        (
            "detail: areas",
            "\tdetail: areas",
            "\tdetail: areas",
            1,
            "YAML-syntaxfel: raden börjar med en tabb; YAML tillåter bara mellanslag som indrag – ersätt tabben med mellanslag (två per nivå)",
        ),
        (
            "  report: skl-2009-fagersta",
            "  report: 'skl-2009-fagersta",
            "report: 'skl",
            11,
            "YAML-syntaxfel: citattecknet som börjar här avslutas aldrig; avsluta texten med samma citattecken (' eller \")",
        ),
        (
            "source:",
            " source:",
            " source:",
            2,
            "YAML-syntaxfel: indraget stämmer inte; nycklar på samma nivå ska börja i samma kolumn som raden ovanför (räkna mellanslagen, använd inte tabb)",
        ),
        (
            "location: Tabell 2, Fagerstas",
            "location: Tabell 2: Fagerstas",
            "location: Tabell 2: Fagerstas",
            21,
            "YAML-syntaxfel: ett värde innehåller ': '; sätt värdet inom citattecken, t.ex. 'Tabell 2: poäng'",
        ),
    ],
)
def test_yaml_syntax_errors_are_explained(capsys, data_copy, old, new, line_text, column, message):
    path = data_copy / "eksjo" / "2008.yaml"
    replace(path, old, new)
    code, lines = validate(capsys, data_copy, path)
    assert code == 1
    assert lines == [f"{path}:{line_of(path, line_text)}:{column}: error: {message}"]


def test_a_decimal_comma_gets_the_decimal_point(capsys, data_copy):
    path = data_copy / "eksjo" / "2008.yaml"
    replace(path, "reported_total: 429", "reported_total: 429,5")
    _code, lines = validate(capsys, data_copy, path)
    assert (
        f"{path}:{line_of(path, 'reported_total')}:17: error: `reported_total` ska vara ett tal, inte '429,5'; skriv 429.5 (decimalpunkt, inte komma)"
        in lines
    )


def test_a_decimal_comma_inside_braces_is_not_read_silently_as_two_values(capsys, data_copy):
    path = data_copy / "karlskrona" / "2022.yaml"
    replace(path, "{id: '5.1', points: 15}", "{id: '5.1', points: 7,5}")
    code, lines = validate(capsys, data_copy, path)
    line = line_of(path, "points: 7,5")
    column = path.read_text(encoding="utf-8").splitlines()[line - 1].index("7,5") + 1
    assert code == 1
    assert (
        f"{path}:{line}:{column}: error: `points: 7,5` läses som 7 följt av en tom nyckel `5` "
        "(kommat skiljer värden åt inom { }); skriv 7.5 med decimalpunkt"
    ) in lines


@pytest.mark.parametrize(
    "old, new, needle, message",
    [
        (
            "report: skr-2022-karlskrona",
            "report: skr-2022-karlskron",
            "report: skr-2022-karlskron",
            "okänd rapport `skr-2022-karlskron`; menade du `skr-2022-karlskrona`?",
        ),
        (
            "framework: '2020'",
            "framework: '2021'",
            "framework: '2021'",
            "`framework` är '2021'; tillåtet är '2002', '2010', '2020'; menade du `2020`?",
        ),
        (
            "municipality: karlskrona",
            "municipality: karlskona",
            "municipality: karlskona",
            "kommunen `karlskona` finns inte i registret; menade du `karlskrona`?",
        ),
    ],
)
def test_misspelt_ids_get_the_nearest_valid_one(capsys, data_copy, old, new, needle, message):
    path = data_copy / "karlskrona" / "2022.yaml"
    replace(path, old, new)
    code, lines = validate(capsys, data_copy, path)
    assert code == 1
    assert any(
        printed.startswith(f"{path}:{line_of(path, needle)}:") and printed.endswith(f"error: {message}")
        for printed in lines
    ), "\n".join(lines)


# ---------------------------------------------------------------- new


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["karlskogaa", "2026"],
            "kommunkompassen new: kommunen `karlskogaa` finns inte i {data}/_municipalities.yaml; menade du `karlskoga`?",
        ),
        (
            ["karlskoga", "1800"],
            "kommunkompassen new: året 1800 ligger utanför Kommunkompassens år, 2002–{next}; menade du 2002?",
        ),
        (
            ["karlskoga", "2206"],
            "kommunkompassen new: året 2206 ligger utanför Kommunkompassens år, 2002–{next}; menade du 2026?",
        ),
        (
            ["karlskoga", "2026", "--framework", "2002"],
            "kommunkompassen new: året 2026 passar inte revision 2002, som användes 2002–2010; använd --framework 2020 (eller utelämna --framework)",
        ),
        (
            ["karlskoga", "2026", "--framework", "2021"],
            "kommunkompassen new: okänd revision `2021`; kända: 2002, 2010, 2020; menade du `2020`?",
        ),
    ],
)
def test_new_refuses_with_a_suggestion(capsys, data_copy, args, message):
    import datetime

    assert main(["new", *args, "--data", str(data_copy)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == message.format(data=data_copy, next=datetime.date.today().year + 1)
    assert not (data_copy / "karlskogaa").exists() and not (data_copy / "karlskoga" / "1800.yaml").exists()


def test_new_writes_every_question_with_its_text_and_maximum(capsys, data_copy):
    assert main(["new", "karlskoga", "2026", "--data", str(data_copy)]) == 0  # the revision in use in 2026
    path = data_copy / "karlskoga" / "2026.yaml"
    assert capsys.readouterr().out.strip() == f"skrev {path}; fyll i den och kör sedan: kommunkompassen validate {path}"
    text = path.read_text(encoding="utf-8")
    assert "framework: '2020'" in text
    assert "  # Område 1: Samspel mellan förtroendevalda och medborgare (max 100 poäng)\n  - area: 1\n" in text
    assert (
        "      # 1.1 Strategi för demokratiutveckling och information (max 20 poäng)\n"
        "      - id: '1.1'\n        points:  # 0–20\n"
    ) in text
    assert main(["fmt", "--check", str(path), "--data", str(data_copy)]) == 0  # the template is already formatted


def test_new_writes_an_english_template_on_request(capsys, data_copy):
    assert main(["--lang", "en", "new", "karlskoga", "2026", "--data", str(data_copy)]) == 0
    text = (data_copy / "karlskoga" / "2026.yaml").read_text(encoding="utf-8")
    assert "  # Area 1: Samspel mellan förtroendevalda och medborgare (max 100 points)\n" in text
    assert "# Fill in every `points:` (the maximum is in the comment)" in text


# ---------------------------------------------------------------- fmt


def test_fmt_check_shows_a_unified_diff_and_fmt_says_what_it_changed(capsys, data_copy):
    path = data_copy / "eksjo" / "2008.yaml"
    original = path.read_text(encoding="utf-8")
    replace(path, "municipality: eksjo\nyear: 2008\n", "year: 2008\nmunicipality: eksjo\n")
    assert main(["fmt", "--check", str(path), "--data", str(data_copy)]) == 1
    captured = capsys.readouterr()
    shown = captured.out.splitlines()
    assert shown[:3] == [f"skulle formatera om {path}:", f"--- {path}", f"+++ {path} (formaterad)"]
    assert shown[5:9] == [
        " # Area totals only, as another report cites them in a comparison table.",
        "+municipality: eksjo",
        " year: 2008",
        "-municipality: eksjo",
    ]
    assert "1 fil(er) är inte formaterade; kör kommunkompassen fmt (utan --check) för att rätta dem" in captured.err
    assert main(["fmt", str(path), "--data", str(data_copy)]) == 0
    assert capsys.readouterr().out.strip() == (
        f"formaterade om {path}: 2 rad(er) flyttade till kanonisk nyckelordning; värdena är oförändrade"
    )
    assert path.read_text(encoding="utf-8") == original


# ---------------------------------------------------------------- sources


def test_source_add_writes_a_report_that_validates(capsys, data_copy):
    code = main(
        [
            "source",
            "add",
            "skr-2026-karlskoga",
            "--title",
            "Kommunkompassen. Analys av Karlskoga kommun",
            "--publisher",
            "SKR",
            "--year",
            "2026",
            "--url",
            "https://skr.se/rapport.pdf",
            "--data",
            str(data_copy),
        ]
    )
    assert code == 0
    register = data_copy / "_sources.yaml"
    assert capsys.readouterr().out.strip() == (
        f"lade till rapporten skr-2026-karlskoga i {register}; hänvisa till den med `report: skr-2026-karlskoga` under `source:`"
    )
    assert register.read_text(encoding="utf-8").endswith(
        "  - id: skr-2026-karlskoga\n    title: 'Kommunkompassen. Analys av Karlskoga kommun'\n"
        "    publisher: SKR\n    year: 2026\n    url: 'https://skr.se/rapport.pdf'\n"
    )
    assert validate(capsys, data_copy)[0] == 0
    assert main(["fmt", "--check", str(register), "--data", str(data_copy)]) == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["skr-2022-karlskoga", "--publisher", "SKR"],
            "rapporten `skr-2022-karlskoga` finns redan i {data}/_sources.yaml; ingenting ändrades",
        ),
        (
            ["skr-2026-karlskoga", "--publisher", "skr"],
            "okänd utgivare `skr`; tillåtna: SKL, SKR, KS; menade du `SKR`?",
        ),
        (
            ["SKR 2026", "--publisher", "SKR"],
            "id `SKR 2026` har inte rätt form; använd små bokstäver a-z, siffror och bindestreck, t.ex. skr-2026-karlskoga",
        ),
    ],
)
def test_source_add_refuses_with_a_reason(capsys, data_copy, args, message):
    register = data_copy / "_sources.yaml"
    before = register.read_bytes()
    assert main(["source", "add", args[0], "--title", "T", "--year", "2026", *args[1:], "--data", str(data_copy)]) == 2
    assert capsys.readouterr().err.strip() == "kommunkompassen source: " + message.format(data=data_copy)
    assert register.read_bytes() == before


# ---------------------------------------------------------------- the command line itself


def test_help_and_usage_errors_are_swedish(capsys):
    assert main(["new", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("användning: kommunkompassen new")
    assert (
        "skriv en mall för en ny utvärdering" in out and "flaggor:" in out and "visa den här hjälpen och avsluta" in out
    )
    assert main(["new", "karlskoga"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == "kommunkompassen new: fel: dessa argument saknas: år"
    assert main(["--lang", "en", "new", "karlskoga"]) == 2
    assert (
        capsys.readouterr().err.splitlines()[-1]
        == "kommunkompassen new: error: the following arguments are required: year"
    )


def test_a_quote_left_open_is_found_where_it_opens_even_when_a_later_quote_closes_it(capsys, data_copy):
    path = data_copy / "karlskrona" / "2022.yaml"
    replace(path, "report_date: '2022-08-16'", "report_date: '2022-08-16")  # framework: '2020' closes it two lines on
    _code, lines = validate(capsys, data_copy, path)
    assert lines == [
        f"{path}:{line_of(path, 'report_date:')}:14: error: YAML-syntaxfel: citattecknet som börjar här "
        "avslutas aldrig; avsluta texten med samma citattecken (' eller \")"
    ]
