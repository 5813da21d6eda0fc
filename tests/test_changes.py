"""`kommunkompassen diff`: the change summary for reviewers, on scratch git repositories.

Each test copies the real data into a new git repository in a temporary folder,
commits a base, changes something, and reads the Markdown that a reviewer would see.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.aggregate import aggregate
from generator.cli import main
from generator.loader import reformat
from generator.review.changes import page_url, summarize_revisions
from generator.site.pages import format_number
from generator.validate import validate_folder

ROOT = Path(__file__).resolve().parents[1]
PREVIEW = "https://pr-17.kommunkompassen.pages.dev/"
KARLSKOGA = Path("evaluations/karlskoga/2022.yaml")


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Utvärderare",
        "GIT_AUTHOR_EMAIL": "utvarderare@example.org",
        "GIT_COMMITTER_NAME": "Utvärderare",
        "GIT_COMMITTER_EMAIL": "utvarderare@example.org",
        "GIT_AUTHOR_DATE": "2024-01-01T12:00:00Z",
        "GIT_COMMITTER_DATE": "2024-01-01T12:00:00Z",
    }
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def mutate(path: Path, change: Callable[[dict], None]) -> None:
    """Change the data of a YAML file in place; layout and comments stay as they are."""
    path.write_text(reformat(path.read_text(encoding="utf-8"), change), encoding="utf-8")


def area(tree: dict, number: int) -> dict:
    return next(a for a in tree["areas"] if a["area"] == number)


def question(tree: dict, question_id: str) -> dict:
    return next(q for a in tree["areas"] for q in a.get("questions", []) if str(q["id"]) == question_id)


def line_of(path: Path, *needles: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if all(needle in line for needle in needles):
            return number
    raise AssertionError(f"{needles!r} is not in {path}")


def section(text: str, heading: str) -> str:
    """The lines under one heading, up to the next heading of the same or a higher level."""
    level = heading.split(" ")[0]
    lines = text.splitlines()
    start = lines.index(heading) + 1
    end = next(
        (i for i in range(start, len(lines)) if lines[i].startswith("#") and len(lines[i].split(" ")[0]) <= len(level)),
        len(lines),
    )
    return "\n".join(lines[start:end]).strip("\n")


def loaded(data: Path):
    dataset, _problems = validate_folder(data)
    return dataset, {view.key: view for view in aggregate(dataset).evaluations}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    """A git repository holding a copy of the real data; the working directory during the test.

    In the base commit, area 1 of Karlskoga 2022 has no printed total, so the area's
    points are the sum of its questions and move with them.
    """
    repository = tmp_path / "repo"
    shutil.copytree(ROOT / "evaluations", repository / "evaluations")
    git(repository, "init", "-q")
    mutate(repository / KARLSKOGA, lambda tree: area(tree, 1).pop("reported_points", None))
    commit(repository, "base")
    monkeypatch.chdir(repository)
    return repository


def test_one_question_and_one_strength(repo: Path, capsys) -> None:
    _dataset, views = loaded(repo / "evaluations")
    before = views["karlskoga/2022"]
    area_name = before.area(1).definition.name
    points = question_of(before, "1.2")
    strength = before.area(1).result.strengths[-1]

    def change(tree: dict) -> None:
        question(tree, "1.2")["points"] = points + 2
        strengths = area(tree, 1)["strengths"]
        strengths[len(strengths) - 1] = "Politikerenkät med frågor om hot och hat"

    mutate(repo / KARLSKOGA, change)
    commit(repo, "Karlskoga 2022: fråga 1.2 och en styrka")

    text, ok = summarize_revisions("HEAD~1", "HEAD", Path("evaluations"), PREVIEW)

    assert ok
    assert "Utvärderingar – ändrade: 1, nya: 0, borttagna: 0." in text
    assert "**Validering:** inga fel." in text
    assert "Nya varningar" not in text and "### Valideringsproblem" not in text
    assert section(text, "### Ändrade filer") == "- ändrad: `evaluations/karlskoga/2022.yaml`"
    n = format_number
    assert section(text, "### Ändrade utvärderingar") == "\n".join(
        [
            "#### Karlskoga 2022",
            "",
            f"Fil: `evaluations/karlskoga/2022.yaml` · [sidan]({PREVIEW}kommuner/karlskoga/2022/)",
            "",
            "| Poäng | Före | Efter | Förändring |",
            "|---|---:|---:|---:|",
            f"| Område 1 {area_name} | {n(before.area(1).points)} | {n(before.area(1).points + 2)} | +2 |",
            f"| Fråga 1.2 | {n(points)} | {n(points + 2)} | +2 |",
            f"| **Totalt** | {n(before.total)} | {n(before.total + 2)} | +2 |",
            "",
            "Texter och uppgifter:",
            "",
            f"- Område 1, styrka ändrad: »{strength}« → »Politikerenkät med frågor om hot och hat«",
        ]
    )
    for absent in (
        "### Nya utvärderingar",
        "### Borttagna utvärderingar",
        "### Goda exempel",
        "### Sidor som tillkommer",
        "### Sidor som försvinner",
    ):
        assert absent not in text
    changed_pages = section(text, "### Sidor med ändrat innehåll")
    assert f"- [kommuner/karlskoga/2022/]({PREVIEW}kommuner/karlskoga/2022/)" in changed_pages
    assert f"- [omraden/2020/1/]({PREVIEW}omraden/2020/1/)" in changed_pages

    # The same change, uncommitted, against the working tree, through the command line.
    git(repo, "reset", "-q", "--soft", "HEAD~1")
    assert main(["diff", "HEAD", "--preview-url", PREVIEW]) == 0
    printed = capsys.readouterr().out
    assert "med arbetskopian." in printed
    assert section(printed, "### Ändrade utvärderingar") == section(text, "### Ändrade utvärderingar")


def question_of(view, question_id: str) -> float:
    return next(q.points for row in view.areas for q in row.questions if q.definition.id == question_id)


def test_printed_area_total_stays_and_the_question_sum_is_named(repo: Path) -> None:
    # Area 2 keeps its printed total: a question change moves only the sum of the questions.
    _, views = loaded(repo / "evaluations")
    before = views["karlskoga/2022"]
    printed = before.area(2).printed
    first = before.area(2).questions[0]
    mutate(repo / KARLSKOGA, lambda tree: question(tree, first.definition.id).update(points=first.points - 1))

    text, ok = summarize_revisions("HEAD", None, Path("evaluations"), "")

    assert ok
    n = format_number
    table = section(text, "#### Karlskoga 2022")
    assert f"| Fråga {first.definition.id} | {n(first.points)} | {n(first.points - 1)} | −1 |" in table
    assert (
        f"| Område 2 {before.area(2).definition.name}, frågornas summa (tryckt: {n(printed)}) "
        f"| {n(before.area(2).question_sum)} | {n(before.area(2).question_sum - 1)} | −1 |"
    ) in table
    assert f"| **Totalt** | {n(before.total)} | {n(before.total)} | ±0 |" in table
    if before.area(2).question_sum == printed:  # the sum now differs from the printed total: a new warning
        assert "**Nya varningar:** 1." in text
        line = line_of(repo / KARLSKOGA, f"reported_points: {n(printed)}")
        assert (
            f"- `evaluations/karlskoga/2022.yaml:{line}:22` varning: område 2 trycks som {n(printed)} "
            f"men frågorna blir tillsammans {n(printed - 1)}; båda behålls och webbplatsen visar skillnaden"
        ) in text
    assert "[sidan]" not in text  # no preview address given: no links


def test_added_evaluation_lists_its_new_pages(repo: Path) -> None:
    ale = repo / "evaluations" / "ale" / "2005.yaml"
    ale.parent.mkdir()
    ale.write_text(
        (repo / "evaluations/botkyrka/2005.yaml")
        .read_text(encoding="utf-8")
        .replace("municipality: botkyrka", "municipality: ale"),
        encoding="utf-8",
    )
    commit(repo, "Ale 2005")
    points = format_number(loaded(repo / "evaluations")[1]["ale/2005"].total)

    text, ok = summarize_revisions("HEAD~1", "HEAD", Path("evaluations"), PREVIEW)

    assert ok
    assert "Utvärderingar – ändrade: 0, nya: 1, borttagna: 0." in text
    assert section(text, "### Ändrade filer") == "- ny: `evaluations/ale/2005.yaml`"
    assert section(text, "### Nya utvärderingar") == (
        f"- **Ale 2005** (Kommunkompassen 2002, endast områdespoäng): {points} poäng · `evaluations/ale/2005.yaml`"
        f" · [sidan]({PREVIEW}kommuner/ale/2005/)"
    )
    assert section(text, "### Sidor som tillkommer") == f"- [kommuner/ale/2005/]({PREVIEW}kommuner/ale/2005/)"
    assert "### Ändrade utvärderingar" not in text and "### Sidor som försvinner" not in text
    assert f"- [kommuner/ale/]({PREVIEW}kommuner/ale/)" in section(text, "### Sidor med ändrat innehåll")

    # The other way round the evaluation and its page disappear.
    text, ok = summarize_revisions("HEAD", "HEAD~1", Path("evaluations"), PREVIEW)
    assert ok
    assert section(text, "### Borttagna utvärderingar") == (
        f"- **Ale 2005** (Kommunkompassen 2002, endast områdespoäng): {points} poäng · `evaluations/ale/2005.yaml`"
    )
    assert section(text, "### Sidor som försvinner") == "- `kommuner/ale/2005/`"


def test_practices_added_removed_and_changed(repo: Path) -> None:
    _, views = loaded(repo / "evaluations")
    practices = views["karlskoga/2022"].area(1).result.good_practices
    renamed, dropped = practices[0], practices[1]

    def change(tree: dict) -> None:
        listed = area(tree, 1)["good_practices"]
        listed[0]["name"] = renamed.name + " i fullmäktige"
        del listed[1]
        listed.append(
            {
                "slug": "karlskoga-politikerskola",
                "name": "Politikerskola",
                "description": "Nya förtroendevalda går en utbildning om kommunens styrning.",
            }
        )

    mutate(repo / KARLSKOGA, change)
    summary, ok = summarize_revisions("HEAD", None, Path("evaluations"), PREVIEW)

    assert ok
    assert sorted(section(summary, "### Goda exempel").splitlines()) == sorted(
        [
            f"- Ändrat: **{renamed.name} i fullmäktige** (Karlskoga 2022, område 1): namn · [sidan]({PREVIEW}goda-exempel/{renamed.slug}/)",
            f"- Tillagt: **Politikerskola** (Karlskoga 2022, område 1) · [sidan]({PREVIEW}goda-exempel/karlskoga-politikerskola/)",
            f"- Borttaget: **{dropped.name}** (Karlskoga 2022, område 1)",
        ]
    )
    assert (
        section(summary, "### Sidor som tillkommer")
        == f"- [goda-exempel/karlskoga-politikerskola/]({PREVIEW}goda-exempel/karlskoga-politikerskola/)"
    )
    assert section(summary, "### Sidor som försvinner") == f"- `goda-exempel/{dropped.slug}/`"


def test_broken_files_give_problems_and_annotations_with_their_lines(repo: Path, capsys) -> None:
    dataset, views = loaded(repo / "evaluations")
    maximum = format_number(dataset.framework("2020").area(1).question("1.2").max_points)
    points = question_of(views["karlskoga/2022"], "1.2")
    mutate(repo / KARLSKOGA, lambda tree: question(tree, "1.2").update(points=99))
    points_line = line_of(repo / KARLSKOGA, "'1.2'", "99")  # question scores are written one a line
    points_column = (repo / KARLSKOGA).read_text(encoding="utf-8").splitlines()[points_line - 1].index("99") + 1
    kalix = repo / "evaluations/kalix/2012.yaml"
    text = kalix.read_text(encoding="utf-8")
    assert text.count("\nyear: 2012\n") == 1
    kalix.write_text(text.replace("\nyear: 2012\n", "\nyear: 2012\nyear: 2013\n"), encoding="utf-8")
    duplicate_line = line_of(kalix, "year: 2013")
    first_line = line_of(kalix, "year: 2012")
    commit(repo, "två fel")

    text, ok = summarize_revisions("HEAD~1", "HEAD", Path("evaluations"), PREVIEW)

    assert not ok
    assert (
        "**Validering:** 2 fel – rätta felen innan ändringen tas in; webbplatsen byggs inte förrän de är rättade."
        in text
    )
    assert "Förhandsversion" not in text
    problems = section(text, "### Valideringsproblem").splitlines()
    assert problems[:2] == [
        f"- `evaluations/kalix/2012.yaml:{duplicate_line}:1` fel: nyckeln \\`year\\` finns två gånger (första gången på rad {first_line}); behåll en",
        f"- `evaluations/karlskoga/2022.yaml:{points_line}:{points_column}` fel: fråga 1.2 har 99 poäng; det ska vara mellan 0 och {maximum}",
    ]
    # The file that could not be read is not reported as removed, nor are its good practices.
    assert (
        section(text, "### Utvärderingar som inte kunde läsas")
        == "- `evaluations/kalix/2012.yaml`: se valideringsproblemen nedan."
    )
    assert "### Borttagna utvärderingar" not in text and "### Goda exempel" not in text
    assert section(text, "### Sidor") == "Sidorna jämförs när valideringsfelen är rättade."
    assert f"| Fråga 1.2 | {format_number(points)} | 99 | +{format_number(99 - points)} |" in text

    assert main(["validate", "--format", "github"]) == 1
    annotations = capsys.readouterr().out.splitlines()
    assert (
        f"::error file=evaluations/kalix/2012.yaml,line={duplicate_line},col=1::nyckeln `year` finns två gånger (första gången på rad {first_line}); behåll en"
        in annotations
    )
    assert (
        f"::error file=evaluations/karlskoga/2022.yaml,line={points_line},col={points_column}::fråga 1.2 har 99 poäng; det ska vara mellan 0 och {maximum}"
        in annotations
    )
    assert main(["diff", "HEAD~1", "HEAD"]) == 1
    capsys.readouterr()


def test_no_change_and_wrong_revisions(repo: Path, capsys) -> None:
    text, ok = summarize_revisions("HEAD", "HEAD", Path("evaluations"), PREVIEW)
    assert ok
    assert "Inga ändringar i datamappen `evaluations`." in text
    assert "###" not in text
    assert main(["diff", "no-such-revision"]) == 2
    assert "okänd version `no-such-revision`" in capsys.readouterr().err
    assert main(["diff", "--", "-x"]) == 2


def test_data_folder_missing_at_base(repo: Path) -> None:
    """The first commit that adds data: everything is new; the base simply has errors."""
    git(repo, "checkout", "-q", "--orphan", "empty")
    git(repo, "rm", "-q", "-r", "--cached", ".")
    (repo / "README").write_text("tom\n", encoding="utf-8")
    git(repo, "add", "README")
    git(repo, "commit", "-q", "-m", "empty")
    text, ok = summarize_revisions("empty", None, Path("evaluations"), "")
    assert ok
    count = len(validate_folder(repo / "evaluations")[0].evaluations)
    assert f"Utvärderingar – ändrade: 0, nya: {count}, borttagna: 0." in text
    assert "kommuner/karlskoga/2022/" in section(text, "### Sidor som tillkommer")


def test_page_urls() -> None:
    assert page_url("index.md") == ""
    assert page_url("kommuner/ale/2005/index.md") == "kommuner/ale/2005/"
    assert page_url("om.md") == "om/"


def test_the_summary_is_english_on_request(repo: Path, capsys, monkeypatch) -> None:
    """The same sentences from the catalogue's English section, validation problems included."""
    mutate(repo / KARLSKOGA, lambda tree: question(tree, "1.2").update(points=99))
    commit(repo, "Karlskoga 2022: fråga 1.2")
    assert main(["--lang", "en", "diff", "HEAD~1", "HEAD"]) == 1
    english = capsys.readouterr().out
    assert english.startswith("## Changes to the evaluation data\n")
    assert "Evaluations – changed: 1, new: 0, removed: 0." in english
    assert "**Validation:** 1 error(s) – fix them before the change is merged" in english
    assert "error: question 1.2 has 99 points; it must be between 0 and " in english
    assert main(["diff", "HEAD~1", "HEAD"]) == 1
    swedish = capsys.readouterr().out
    assert swedish.startswith("## Ändringar i utvärderingsdata\n") and "fel: fråga 1.2 har 99 poäng" in swedish


def test_the_summary_is_inert(repo: Path) -> None:
    """Mentions, references, addresses, HTML and Markdown from the data come out as literal text."""
    _, views = loaded(repo / "evaluations")
    practice = views["karlskoga/2022"].area(1).result.good_practices[0]
    hostile = "@octocat fixes #12, o/r#13 and GH-14: see https://evil.example or www.evil.example <img src=x onerror=alert(1)> [x](https://evil.example) **b** $x$ \x1b[31mred"

    mutate(repo / KARLSKOGA, lambda tree: area(tree, 1)["good_practices"][0].__setitem__("name", hostile))
    summary, ok = summarize_revisions("HEAD", None, Path("evaluations"), PREVIEW)

    z = "\u200b"
    assert ok
    assert section(summary, "### Goda exempel") == (
        f"- Ändrat: **@{z}octocat fixes #{z}12, o/r#{z}13 and GH-{z}14: see https:{z}//evil.example or www{z}.evil.example"
        f" \\<img src=x onerror=alert(1)\\> \\[x\\](https:{z}//evil.example) \\*\\*b\\*\\* \\$x\\$ \\[31mred**"
        f" (Karlskoga 2022, område 1): namn · [sidan]({PREVIEW}goda-exempel/{practice.slug}/)"
    )
    assert "\x1b" not in summary


def test_a_submodule_in_the_data_folder_is_listed_and_refused(repo: Path) -> None:
    """A gitlink (mode 160000) under evaluations/ was skipped: the summary said "no changes" for it."""
    git(repo, "update-index", "--add", "--cacheinfo", "160000," + "1" * 40 + ",evaluations/kalix/2013.yaml")
    git(repo, "commit", "-q", "-m", "a submodule")
    text, ok = summarize_revisions("HEAD~1", "HEAD", Path("evaluations"), PREVIEW)
    assert not ok and "Inga ändringar" not in text
    assert section(text, "### Ändrade filer") == "- ny git-undermodul (byggs inte): `evaluations/kalix/2013.yaml`"
    assert (
        "- `evaluations/kalix/2013.yaml:1:1` fel: det här är en git-undermodul (en incheckning i ett annat "
        "repositorium); data hämtas aldrig någon annanstans ifrån: checka in filerna själva"
    ) in section(text, "### Valideringsproblem")


def test_the_summary_is_capped() -> None:
    from generator.review.changes import MAX_SUMMARY_CHARS, _cap

    assert MAX_SUMMARY_CHARS == 60_000
    text = "".join(f"- rad {i}\n" for i in range(20_000))
    capped = _cap(text)
    assert len(capped) <= MAX_SUMMARY_CHARS
    assert capped.endswith(
        "\n- rad 5536\n\n… (förkortad till 60 000 tecken; hela sammanfattningen finns i körningens sammanfattning)\n"
    )
    assert _cap("kort\n") == "kort\n"


def test_symbolic_links_and_files_outside_the_data_are_listed(repo: Path, tmp_path: Path, capsys) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("municipality: karlskoga\n", encoding="utf-8")
    (repo / "evaluations" / "karlskoga" / "2023.yaml").symlink_to(secret)
    (repo / ".github").mkdir()
    (repo / ".github" / "hook.yml").write_text("on: push\n", encoding="utf-8")
    (repo / "generator.py").write_text("print('hej')\n", encoding="utf-8")
    commit(repo, "a link and code")

    for head in ("HEAD", None):  # the commit, then the working tree (the same files)
        text, ok = summarize_revisions("HEAD~1", head, Path("evaluations"), PREVIEW)
        assert not ok
        assert "Inga ändringar" not in text
        assert (
            section(text, "### Ändrade filer") == "- ny symbolisk länk (byggs inte): `evaluations/karlskoga/2023.yaml`"
        )
        assert section(text, "### Ändrade filer utanför datamappen") == "\n".join(
            [
                "Granska dem särskilt: de ändrar kod, mallar, arbetsflöden eller sidor, inte data.",
                "",
                "- `.github/hook.yml`",
                "- `generator.py`",
            ]
        )
        assert (
            "- `evaluations/karlskoga/2023.yaml:1:1` fel: det här är en symbolisk länk; länkar följs aldrig och "
            "publiceras inte, så bygget stoppar här: ersätt den med filen eller mappen själv (i git: checka in "
            "filen, inte en länk)"
        ) in section(text, "### Valideringsproblem")
        assert "municipality: karlskoga" not in text

    assert main(["diff", "HEAD~1", "HEAD"]) == 1
    assert "ny symbolisk länk" in capsys.readouterr().out


def test_git_blobs_are_loaded_in_memory_as_the_folder_is(repo: Path, monkeypatch) -> None:
    """Both revisions are read from `git cat-file` into memory: nothing is written to a scratch
    folder, and the data read from git is what the same files give when loaded from a folder."""
    import tempfile

    from generator.loader import FolderTree, MemoryTree
    from generator.review import changes
    from generator.validate import validate_tree

    mutate(repo / KARLSKOGA, lambda tree: question(tree, "1.2").update(points=99))  # an error: above the maximum
    commit(repo, "an error")
    for name in ("mkdtemp", "mkstemp", "TemporaryDirectory", "NamedTemporaryFile"):
        monkeypatch.setattr(tempfile, name, lambda *a, **k: pytest.fail("diff wrote a temporary file"))
    text, ok = summarize_revisions("HEAD~1", "HEAD", Path("evaluations"), PREVIEW)
    assert not ok and "Fråga 1.2" in text

    files, links = changes._tree_files(repo, git(repo, "rev-parse", "HEAD").strip(), "evaluations")
    assert not links and len(files) == len(list((repo / "evaluations").rglob("*.yaml")))
    from_git = validate_tree(MemoryTree("evaluations", files))
    from_folder = validate_tree(FolderTree(Path("evaluations")))
    assert from_git == from_folder
    assert any(p.pos.path == "evaluations/karlskoga/2022.yaml" for p in from_git[1])
