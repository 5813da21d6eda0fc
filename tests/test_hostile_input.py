"""Hostile input (issue 11, parts 4-6 and 8): links out of the tree, patterns, validate-then-build
agreement and the command line's guards, each with its exact message."""

from __future__ import annotations

import copy
import math
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from generator.cli import main
from generator.loader import link_message, read_document
from generator.problems import has_errors
from generator.site import build as b
from generator.site.pages import format_number
from generator.validate import MAX_PRACTICES_PER_EVALUATION, this_year, validate_folder
from tests.conftest import DATA, ROOT, line_of

KARLSKOGA = "karlskoga/2022.yaml"


@pytest.fixture(autouse=True)
def plain_output(monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def validate(capsys, data: Path) -> tuple[int, list[str]]:
    code, out, _ = run(capsys, "validate", "--data", str(data), "--format", "plain")
    return code, out.splitlines()


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ---------------------------------------------------------------- part 4: symbolic links


def test_links_in_the_data_folder_are_refused_never_followed(capsys, data_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "2021.yaml").write_text((data_copy / KARLSKOGA).read_text(encoding="utf-8"), encoding="utf-8")
    (data_copy / "karlskoga" / "2019.yaml").symlink_to(outside / "2021.yaml")
    (data_copy / "elsewhere").symlink_to(outside, target_is_directory=True)
    (data_copy / "_sources.yaml").rename(outside / "_sources.yaml")
    (data_copy / "_sources.yaml").symlink_to(outside / "_sources.yaml")

    code, lines = validate(capsys, data_copy)

    assert code == 1
    for link in ("_sources.yaml", "elsewhere", "karlskoga/2019.yaml"):
        assert f"{data_copy / link}:1:1: error: {link_message()}" in lines
    assert link_message() == (
        "det här är en symbolisk länk; länkar följs aldrig och publiceras inte, så bygget stoppar "
        "här: ersätt den med filen eller mappen själv (i git: checka in filen, inte en länk)"
    )
    assert not [line for line in lines if "registret _sources.yaml saknas" in line]
    assert not [line for line in lines if "2021" in line or str(outside) in line], "nothing behind a link is read"


def test_a_linked_data_folder_is_refused(capsys, data_copy: Path, tmp_path: Path) -> None:
    link = tmp_path / "linked"
    link.symlink_to(data_copy, target_is_directory=True)
    code, lines = validate(capsys, link)
    assert code == 1 and f"{link}:1:1: error: {link_message()}" in lines


def _portal(folder: Path, custom_dir: bool = False) -> Path:
    """A portal in `folder` with this repository's mkdocs.yml (and `custom_dir: overrides`): its config file."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    if custom_dir:
        (folder / "overrides").mkdir()
        text = text.replace("theme:\n  name: material\n", "theme:\n  name: material\n  custom_dir: overrides\n", 1)
    (folder / "mkdocs.yml").write_text(text, encoding="utf-8")
    return folder / "mkdocs.yml"


def test_links_in_the_copied_folders_stop_the_build(capsys, data_copy: Path, tmp_path: Path) -> None:
    config = _portal(tmp_path / "portal", custom_dir=True)
    content = tmp_path / "portal" / "content"
    (content / "assets").mkdir(parents=True)
    (content / "assets" / "passwd.txt").symlink_to("/etc/passwd")
    site = tmp_path / "site"

    code, _, err = run(capsys, "build", "-f", str(config), "--data", str(data_copy), "--site-dir", str(site))

    assert code == 1 and not site.exists()
    assert f"{content / 'assets' / 'passwd.txt'}:1:1: error: {link_message()}" in err.splitlines()
    (content / "assets" / "passwd.txt").unlink()
    overrides = tmp_path / "portal" / "overrides"
    (overrides / "partials").mkdir(parents=True)
    (overrides / "partials" / "key.html").symlink_to(tmp_path / "secret")
    code, _, err = run(capsys, "build", "-f", str(config), "--data", str(data_copy), "--generate-only")
    assert code == 1
    assert f"{overrides / 'partials' / 'key.html'}:1:1: error: {link_message()}" in err.splitlines()


def test_content_files_behind_links_are_never_copied(tmp_path: Path) -> None:
    from generator.site.pages import _content_files

    content = tmp_path / "content"
    content.mkdir()
    (content / "page.md").write_text("# Sida\n", encoding="utf-8")
    (content / "passwd.md").symlink_to("/etc/passwd")
    (content / "etc").symlink_to("/etc", target_is_directory=True)
    assert list(_content_files(content)) == ["page.md"]


def test_links_in_the_docs_folder_are_removed_not_followed(data_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("mine", encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "kommuner").symlink_to(outside, target_is_directory=True)
    (docs / "index.md").symlink_to(outside / "keep.txt")
    b.generate(data_copy, docs)
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]
    assert (outside / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert not (docs / "kommuner").is_symlink() and (docs / "kommuner" / "index.md").is_file()
    assert not (docs / "index.md").is_symlink()


def test_a_linked_docs_folder_stops_the_build(capsys, data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    """A pull request that commits `build/docs` (or `build`) as a link to a folder elsewhere: the
    build wrote the pages there and removed every file it had not made."""
    outside = tmp_path / "outside"
    (outside / "docs").mkdir(parents=True)
    for folder in (outside, outside / "docs"):
        (folder / "keep.txt").write_text("mine", encoding="utf-8")
    project = tmp_path / "project"
    config = _portal(project)
    (project / "build").symlink_to(outside, target_is_directory=True)
    with pytest.raises(b.DataError) as refused:
        b.generate(data_copy, project / "build" / "docs", root=project)
    assert [(p.pos.path, p.message) for p in refused.value.problems] == [(str(project / "build"), link_message())]
    (project / "build").unlink()
    (project / "build").mkdir()
    (project / "build" / "docs").symlink_to(outside, target_is_directory=True)
    with pytest.raises(b.DataError) as stopped:
        b.build_site(data_copy, tmp_path / "site", config_file=config)
    assert [p.plain() for p in stopped.value.problems] == [f"{project / 'build' / 'docs'}:1:1: error: {link_message()}"]
    assert capsys.readouterr().err == ""
    assert sorted(p.name for p in outside.iterdir()) == ["docs", "keep.txt"]
    assert [p.name for p in (outside / "docs").iterdir()] == ["keep.txt"]
    assert not (tmp_path / "site").exists()


# ---------------------------------------------------------------- part 6: patterns


@pytest.mark.parametrize(
    "path, old, new, message",
    [
        (
            KARLSKOGA,
            "municipality: karlskoga\n",
            'municipality: "karlskoga\\n"\n',
            "`municipality` är 'karlskoga\\x0a', som inte har rätt form (en kommuns kortnamn: små bokstäver a-z, siffror och bindestreck)",
        ),
        (
            KARLSKOGA,
            "municipality: karlskoga\n",
            "municipality: karlskoga٢\n",
            "`municipality` är 'karlskoga٢', som inte har rätt form (en kommuns kortnamn: små bokstäver a-z, siffror och bindestreck)",
        ),
        (
            KARLSKOGA,
            "{id: '1.1', points: 15}",
            '{id: "1.1\\n", points: 15}',
            "`areas[1].questions[1].id` är '1.1\\x0a', som inte har rätt form (t.ex. '3.2')",
        ),
        (
            KARLSKOGA,
            "{id: '1.1', points: 15}",
            "{id: '1.\u0661', points: 15}",
            "`areas[1].questions[1].id` är '1.\u0661', som inte har rätt form (t.ex. '3.2')",
        ),
        (
            "_municipalities.yaml",
            "code: '1440'",
            "code: '١٤٤٠'",
            "`municipalities[1].code` är '١٤٤٠', som inte har rätt form (fyra siffror, t.ex. '1883')",
        ),
        (
            "_municipalities.yaml",
            "code: '1440'",
            'code: "1440\\n"',
            "`municipalities[1].code` är '1440\\x0a', som inte har rätt form (fyra siffror, t.ex. '1883')",
        ),
        (
            "_frameworks/2020.yaml",
            "id: '2020'",
            "id: '٢٠٢٠'",
            "`id` är '٢٠٢٠', som inte har rätt form (fyra siffror, t.ex. '2020')",
        ),
    ],
)
def test_patterns_take_whole_ascii_values_only(
    capsys, data_copy: Path, path: str, old: str, new: str, message: str
) -> None:
    replace(data_copy / path, old, new)
    code, lines = validate(capsys, data_copy)
    assert code == 1
    line = line_of(data_copy / path, new.split("\n")[0].strip()[:12])
    assert any(
        printed.startswith(f"{data_copy / path}:{line}:") and printed.endswith(f": error: {message}")
        for printed in lines
    ), "\n".join(lines)


def test_new_takes_a_year_of_four_ascii_digits(capsys, data_copy: Path) -> None:
    for year in ("٢٠٢٢", "2022\n", " 2022"):
        assert main(["new", "karlskoga", year, "--framework", "2020", "--data", str(data_copy)]) == 2
        assert f"argumentet år: {year!r} är inget år; skriv fyra siffror, t.ex. 2026" in capsys.readouterr().err


# ---------------------------------------------------------------- part 5: validate clean means build succeeds


def test_a_comparison_with_a_municipality_not_in_the_register_is_an_error(capsys, data_copy: Path) -> None:
    path = data_copy / "fagersta" / "2009.yaml"
    replace(path, "  - municipality: eksjo\n", "  - municipality: eksjoe\n")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    assert (
        f"{path}:{line_of(path, 'municipality: eksjoe')}:5: error: kommunen `eksjoe` finns inte i registret; menade du `eksjo`?"
        in lines
    )


_YAML = YAML(typ="safe", pure=True)
_TEXTS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "=1+1",
            "-0",
            "@user #12",
            "\x1b[31m",
            "a" * 600,
            "",
            " ",
            "\n",
            "karlskoga",
            "2020",
            "1.1",
            "index",
            "..",
            "/",
            "%",
            "{x}",
            "{{ x }}",
            "٢٠٢٢",
        ]
    ),
)
_NUMBERS = st.one_of(
    st.integers(-10, 10**20),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.sampled_from([0, -0.0, 0.5, 800, 2022, 2100, 1e300]),
)


def _paths(node, prefix=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield prefix + (key,), value
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield prefix + (index,), value
            yield from _paths(value, prefix + (index,))


@st.composite
def mutated_files(draw):
    """A real file of each kind with a few values replaced by other values of any kind, removed or repeated."""
    files = {}
    for name in (
        "_municipalities.yaml",
        "_sources.yaml",
        "_frameworks/2020.yaml",
        "_references/national-median-2009.yaml",
        KARLSKOGA,
        "fagersta/2009.yaml",
        "kalix/2012.yaml",
    ):
        files[name] = _YAML.load((DATA / name).read_text(encoding="utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        name = draw(st.sampled_from(sorted(files)))
        tree = files[name]
        paths = list(_paths(tree))
        if not paths:  # an earlier mutation removed the file's only key
            continue
        path, value = draw(st.sampled_from(paths))
        parent = tree
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["text", "number", "remove", "repeat", "swap"]))
        if action == "text":
            parent[path[-1]] = draw(_TEXTS)
        elif action == "number":
            parent[path[-1]] = draw(_NUMBERS)
        elif action == "remove":
            del parent[path[-1]]
        elif action == "repeat" and isinstance(parent, list):
            parent.append(copy.deepcopy(value))
        elif action == "swap":  # a value from elsewhere in the same file: an id, a slug, a year in another place
            parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(paths))[1])
    return files


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(files=mutated_files())
def test_what_validates_builds(tmp_path_factory, files) -> None:
    """Property: mutations of real files that `validate` accepts generate every page without an exception."""
    folder = tmp_path_factory.mktemp("mutated")
    data = folder / "evaluations"
    shutil.copytree(DATA, data)
    for name, tree in files.items():
        with open(data / name, "w", encoding="utf-8") as handle:
            _YAML.dump(tree, handle)
    _, problems = validate_folder(data)
    if has_errors(problems):
        return
    b.generate(data, folder / "docs")  # raises on any failure; DataError would mean validate and build disagree


# ---------------------------------------------------------------- part 8: the command line


def test_build_replaces_only_a_site_it_built(capsys, data_copy: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.txt").write_text("years of work", encoding="utf-8")
    code, _, err = run(capsys, "build", "--data", str(data_copy), "--site-dir", str(home))
    assert code == 2
    assert err.strip() == (
        f"bygget stoppades: {home} är ingen webbplats som kommunkompassen byggt (filen .kommunkompassen-site "
        f"saknas), så den ersätts inte; ange en tom eller ny mapp med --site-dir, eller ta bort mappen själv"
    )
    assert (home / "thesis.txt").read_text(encoding="utf-8") == "years of work"

    code, _, err = run(capsys, "build", "--data", str(data_copy), "--site-dir", str(home / "thesis.txt"))
    assert (
        code == 2
        and err.strip()
        == f"bygget stoppades: {home / 'thesis.txt'} är en fil, inte en webbplatsmapp; ange en annan --site-dir"
    )
    link = tmp_path / "link"
    link.symlink_to(home, target_is_directory=True)
    code, _, err = run(capsys, "build", "--data", str(data_copy), "--site-dir", str(link))
    assert (
        code == 2 and err.strip() == f"bygget stoppades: webbplatsmappen {link} är en symbolisk länk; ange mappen själv"
    )

    assert b.site_dir_problem(tmp_path / "new") is None
    (tmp_path / "empty").mkdir()
    assert b.site_dir_problem(tmp_path / "empty") is None


def test_a_built_site_carries_the_marker(site: Path) -> None:
    assert (site / b.SITE_MARKER).read_text(encoding="utf-8") == b.SITE_MARKER_TEXT
    assert b.site_dir_problem(site) is None


def test_new_refuses_years_before_kommunkompassen_or_after_next_year(capsys, data_copy: Path) -> None:
    code, _, err = run(capsys, "new", "karlskoga", "2001", "--framework", "2002", "--data", str(data_copy))
    assert code == 2
    assert (
        err.strip()
        == f"kommunkompassen new: året 2001 ligger utanför Kommunkompassens år, 2002–{this_year() + 1}; menade du 2010?"
    )
    later = this_year() + 2
    code, _, err = run(capsys, "new", "karlskoga", str(later), "--framework", "2020", "--data", str(data_copy))
    assert code == 2
    assert err.strip().startswith(
        f"kommunkompassen new: året {later} ligger utanför Kommunkompassens år, 2002–{this_year() + 1}; menade du "
    )
    assert not (data_copy / "karlskoga" / f"{later}.yaml").exists()


def test_validate_refuses_a_file_outside_the_data_folder(capsys, data_copy: Path, tmp_path: Path) -> None:
    stray = tmp_path / "2022.yaml"
    stray.write_text("municipality: [broken\n", encoding="utf-8")
    code, out, err = run(capsys, "validate", "--data", str(data_copy), str(stray))
    assert code == 2 and out == ""
    assert err.strip() == (
        f"kommunkompassen validate: {stray} ligger utanför datamappen {data_copy}; validate kontrollerar "
        f"alla filer i en datamapp: ange den mappen med --data"
    )


def test_an_evaluation_year_in_the_future_is_an_error(capsys, data_copy: Path) -> None:
    future = this_year() + 1
    path = data_copy / "karlskoga" / f"{future}.yaml"
    (data_copy / KARLSKOGA).rename(path)
    replace(path, "year: 2022\n", f"year: {future}\n")
    code, lines = validate(capsys, data_copy)
    assert code == 1
    assert (
        f"{path}:{line_of(path, f'year: {future}')}:7: error: året {future} ligger i framtiden; en utvärdering registreras efter att den genomförts"
        in lines
    )


@pytest.mark.parametrize(
    "file, old, new",
    [
        ("_sources.yaml", "    year: 2009\n", "    year: {future}\n"),
        ("_municipalities.yaml", "year: 2009, note: ca 12 300", "year: {future}, note: ca 12 300"),
        ("_references/national-median-2009.yaml", "year: 2009\n", "year: {future}\n"),
        ("karlskoga/2007.yaml", "  - 2003\n", "  - {future}\n"),
        ("karlskoga/2007.yaml", "report_date: '2007-12'", "report_date: '{future}-12'"),
    ],
)
def test_every_other_year_in_the_future_is_an_error(capsys, data_copy: Path, file: str, old: str, new: str) -> None:
    """A report, a fact, a reference series, an earlier year or a report date in the future passed validate."""
    future = this_year() + 1
    path = data_copy / file
    replace(path, old, new.format(future=future))
    code, lines = validate(capsys, data_copy)
    assert code == 1
    mistakes = [
        line
        for line in lines
        if f"error: året {future} ligger i framtiden; registrera bara det som har publicerats" in line
    ]
    assert len(mistakes) == 1 and mistakes[0].startswith(f"{path}:"), lines


def test_source_add_refuses_next_year_which_validate_refuses(capsys, data_copy: Path) -> None:
    future = this_year() + 1
    code, _, err = run(
        capsys,
        "source",
        "add",
        "rapport-x",
        "--title",
        "T",
        "--publisher",
        "SKR",
        "--year",
        str(future),
        "--data",
        str(data_copy),
    )
    assert code == 2 and f"utgivningsåret {future} är inte rimligt; det kan vara högst {future - 1}" in err, err
    assert "rapport-x" not in (data_copy / "_sources.yaml").read_text(encoding="utf-8")


def test_control_characters_are_shown_escaped(capsys, data_copy: Path) -> None:
    path = data_copy / KARLSKOGA
    replace(path, "municipality: karlskoga\n", 'municipality: karlskoga\n"na\\e[2Jme\\u202e": x\n')
    code, out, _ = run(capsys, "validate", "--data", str(data_copy), "--format", "plain")
    assert code == 1 and "\x1b" not in out and "\u202e" not in out
    line = line_of(path, '"na\\e[2Jme')
    assert (
        f"{path}:{line}:1: error: okänd nyckel `na\\x1b[2Jme\\u202e`; tillåtna nycklar här: municipality, year," in out
    )
    code, out, _ = run(capsys, "validate", "--data", str(data_copy), "--format", "github")
    assert "\x1b" not in out and any(
        line.startswith("::error file=") and "`na\\x1b[2Jme\\u202e`" in line for line in out.splitlines()
    )


@pytest.mark.parametrize(
    "file, old, new",
    [
        ("_municipalities.yaml", "name: Karlskoga", 'name: "Karl\\ud800skoga"'),
        ("_sources.yaml", "title: Kommunkompassen. Analys av Karlskoga kommun", 'title: "Analys\\udfff"'),
        ("karlskoga/2007.yaml", "interviewees: 30", '"\\udc00x": 30'),
    ],
)
def test_a_lone_surrogate_is_refused_where_it_is_written(
    capsys, data_copy: Path, file: str, old: str, new: str
) -> None:
    """An escape such as \\ud800 in a double-quoted YAML string is half a UTF-16 pair: no page or file can
    hold it, so the build stopped with an internal error after validate said 0 errors (a name in the register)."""
    path = data_copy / file
    replace(path, old, new)
    code, out, _ = run(capsys, "validate", "--data", str(data_copy), "--format", "plain")
    assert code == 1 and f"{path}:{line_of(path, new)}:" in out
    assert "är halva ett UTF-16-par, inte ett tecken; skriv tecknet självt" in out
    out.encode("utf-8")  # no surrogate reaches the terminal


def test_minus_zero_is_zero(data_copy: Path) -> None:
    path = data_copy / "fagersta" / "2009.yaml"
    replace(path, "    reported_total: 429\n", "    reported_total: -0.0\n")
    document, problems = read_document(path, "evaluation")
    assert not problems
    value = document.data["compared_with"][0]["reported_total"]
    assert value == 0 and math.copysign(1, value) == 1
    assert format_number(-0.0) == "0" and format_number(-0.04, 1) == "0,0" and format_number(-0.5) == "−0,5"


def test_one_file_cannot_blow_the_site_up(capsys, data_copy: Path) -> None:
    path = data_copy / KARLSKOGA
    practices = "".join(
        f"      - {{slug: p-{i}, name: Exempel {i}, description: Beskrivning.}}\n"
        for i in range(MAX_PRACTICES_PER_EVALUATION + 1)
    )
    replace(path, "    good_practices:\n", "    good_practices:\n" + practices)
    code, lines = validate(capsys, data_copy)
    assert code == 1
    assert MAX_PRACTICES_PER_EVALUATION == 100
    assert any(
        printed.startswith(f"{path}:{line_of(path, 'slug: p-100,')}:9: error: utvärderingen har")
        and printed.endswith("goda exempel; högst 100 godtas per utvärdering, så behåll dem som rapporten nämner")
        for printed in lines
    ), "\n".join(lines)
    replace(path, "summary: >-\n", "summary: >-\n  " + "lång " * 1000 + "\n")
    code, lines = validate(capsys, data_copy)
    assert any(
        printed.startswith(f"{path}:{line_of(path, 'summary: ')}:10: error: `summary` är ")
        and printed.endswith(" tecken lång; högst 5\u00a0000 godtas, så korta den")
        for printed in lines
    ), "\n".join(lines)


def test_the_real_data_fits_the_caps_comfortably() -> None:
    dataset, _ = validate_folder(DATA)
    most = max(sum(len(a.good_practices) for a in e.areas) for e in dataset.evaluations)
    assert most * 3 < MAX_PRACTICES_PER_EVALUATION
    longest = max(
        len(t) for e in dataset.evaluations for t in [e.summary or ""] + [a.description or "" for a in e.areas]
    )
    assert longest * 3 < 5000


def test_no_command_prints_a_traceback(capsys, data_copy: Path, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(b, "build_site", broken)
    code, _out, err = run(capsys, "build", "--data", str(data_copy))
    assert code == 1 and "Traceback" not in err
    assert err.strip() == (
        "kommunkompassen build: internt fel (ZeroDivisionError: division by zero); ingenting mer gjordes. "
        "Kör `kommunkompassen validate` och rapportera felet med kommandot och de data som orsakade det"
    )


def test_fmt_and_new_never_write_through_a_link(capsys, data_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "2022.yaml"
    target.write_text(
        (data_copy / KARLSKOGA).read_text(encoding="utf-8").replace("year: 2022\n", "year:    2022\n"), encoding="utf-8"
    )
    link = data_copy / "karlskoga" / "2019.yaml"
    link.symlink_to(target)
    before = target.read_bytes()
    for args in (["fmt", "--data", str(data_copy)], ["fmt", "--data", str(data_copy), str(link)]):
        code, out, _ = run(capsys, *args)
        assert code == 1 and f"{link}:1:1: error: {link_message()}" in out.splitlines()
    assert target.read_bytes() == before and link.is_symlink()

    (data_copy / "botkyrka").rename(outside / "botkyrka")
    (data_copy / "botkyrka").symlink_to(outside / "botkyrka", target_is_directory=True)
    code, _, err = run(capsys, "new", "botkyrka", "2020", "--framework", "2020", "--data", str(data_copy))
    assert code == 2
    assert err.strip() == (
        f"kommunkompassen new: {data_copy / 'botkyrka'} är eller innehåller en symbolisk länk; länkar "
        f"följs aldrig: ersätt den med mappen själv"
    )
    assert not (outside / "botkyrka" / "2020.yaml").exists()


def test_file_names_with_terminal_escapes_are_shown_escaped(capsys, data_copy: Path) -> None:
    name = data_copy / "karlskoga" / "\x1b[2J2022.yaml"
    code, _, err = run(capsys, "validate", "--data", str(data_copy), str(name))
    assert code == 2 and "\x1b" not in err
    assert err.strip() == f"kommunkompassen validate: {data_copy}/karlskoga/\\x1b[2J2022.yaml finns inte"
