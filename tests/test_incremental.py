"""Incremental generation: after an edit only the files whose bytes changed are written,
the others keep their modification time, and the result is what a fresh run writes."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from generator import loader
from generator.site.build import generate as _generate
from generator.site.build import load_data
from generator.site.cache import BuildCache
from generator.tools.synth import write_corpus
from tests.conftest import tree

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "evaluations"
CONTENT = ROOT / "content"
PAST = 1_000_000_000 * 10**9  # 2001-09-09, in nanoseconds: older than anything a build writes


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _age(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(PAST, PAST))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def fresh_cache() -> BuildCache:
    """What the live preview remembers between its builds: nothing yet."""
    return BuildCache()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "evaluations"
    shutil.copytree(DATA, target)
    return target


def test_one_changed_question_rewrites_only_the_files_that_changed(
    data_copy: Path, tmp_path: Path, fresh_cache
) -> None:
    def generate(*arguments):
        return _generate(*arguments, cache=fresh_cache)

    docs = tmp_path / "docs"
    first = generate(data_copy, docs, CONTENT)
    assert len(first.written) > 100 and first.removed == ()
    _age(docs)
    before = _snapshot(docs)

    assert generate(data_copy, docs, CONTENT).written == ()  # nothing changed, nothing written

    _edit(data_copy / "karlskrona" / "2022.yaml", "{id: '1.1', points: 11}", "{id: '1.1', points: 10}")
    report = generate(data_copy, docs, CONTENT)
    after = _snapshot(docs)

    changed = sorted(path for path in after if path not in before or after[path][0] != before[path][0])
    assert sorted(report.written) == changed
    assert report.removed == ()
    assert 0 < len(changed) < 20, changed
    assert "kommuner/karlskrona/2022/index.md" in changed
    assert "data/question_scores.csv" in changed
    kept = [path for path in after if path not in changed]
    assert len(kept) + len(changed) == len(after)
    assert all(after[path][1] == PAST for path in kept)  # untouched files keep their modification time
    assert all(after[path][1] != PAST for path in changed)
    assert report.unchanged == len(kept)


def test_the_incremental_result_is_what_a_fresh_run_writes(data_copy: Path, tmp_path: Path, fresh_cache) -> None:
    warm, cold = tmp_path / "warm", tmp_path / "cold"
    _generate(data_copy, warm, CONTENT, cache=fresh_cache)
    edits = [
        (data_copy / "karlskrona" / "2022.yaml", "{id: '1.1', points: 11}", "{id: '1.1', points: 10}"),
        (
            data_copy / "karlskrona" / "2022.yaml",
            "reported_points: 66",
            "reported_points: 65",
        ),  # moves the revision's means
        (data_copy / "karlskoga" / "2022.yaml", "Kommunen", "Kommunen "),  # text only (folded whitespace: no change)
        (data_copy / "fagersta" / "2009.yaml", "name: ", "name: Ny "),  # a good practice's name
        (data_copy / "_municipalities.yaml", "name: Ale,", "name: Ale kommun,"),  # a register
    ]
    for path, old, new in edits:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        _generate(data_copy, warm, CONTENT, cache=fresh_cache)
        shutil.rmtree(cold, ignore_errors=True)
        _generate(data_copy, cold, CONTENT)  # a fresh run: nothing remembered
        assert tree(warm) == tree(cold), (path, old)


def test_the_live_preview_of_a_synthetic_corpus_is_what_a_fresh_run_writes(tmp_path: Path, fresh_cache) -> None:
    """Edits as in the benchmark: a question's points (an area's printed total then differs from its questions),
    a sentence, a practice's name; each undone again."""
    data = tmp_path / "synth"
    write_corpus(data, 8, 3, seed=5)
    warm, cold = tmp_path / "warm", tmp_path / "cold"
    _generate(data, warm, CONTENT, cache=fresh_cache)
    target = sorted(data.glob("*/*.yaml"))[10]
    original = target.read_text(encoding="utf-8")
    match = re.search(r"\{id: '(\d+\.\d+)', points: ([\d.]+)\}", original)
    assert match
    points = float(match.group(2))
    edits = [
        original[: match.start(2)] + f"{points - 1 if points >= 1 else points + 1:g}" + original[match.end(2) :],
        original.replace("Utvärderarna", "Granskarna", 1),
        original.replace("        name: ", "        name: Nya ", 1),
    ]
    for text in [edit for new in edits for edit in (new, original)]:
        assert text.count("\n") == original.count("\n")
        target.write_text(text, encoding="utf-8")
        _generate(data, warm, CONTENT, cache=fresh_cache)
        shutil.rmtree(cold, ignore_errors=True)
        _generate(data, cold, CONTENT)
        assert tree(warm) == tree(cold)


def test_an_edited_summary_changes_only_the_context_of_the_page_that_shows_it(
    data_copy: Path, tmp_path: Path, fresh_cache
) -> None:
    """A page is keyed by the fingerprint of its context: other pages name the evaluation by reference
    (name, year), so a sentence of its summary is in the context of its own page and of no other."""
    docs = tmp_path / "docs"
    _generate(data_copy, docs, CONTENT, cache=fresh_cache)
    before = {path: key for path, (key, _) in fresh_cache.pages.items()}
    _edit(data_copy / "karlskoga" / "2022.yaml", "Utvärderarna ser en\n  kommun", "Granskarna ser en\n  kommun")
    report = _generate(data_copy, docs, CONTENT, cache=fresh_cache)
    after = {path: key for path, (key, _) in fresh_cache.pages.items()}
    assert len(after) == len(before) > 100
    assert sorted(path for path in after if after[path] != before[path]) == ["kommuner/karlskoga/2022/index.md"]
    assert sorted(report.written) == [
        "data/kommunkompassen.json",
        "kommuner/karlskoga/2022/index.md",
        "kommuner/karlskoga/2022/utvardering.json",
    ]
    assert "Granskarna ser en kommun" in (docs / "kommuner" / "karlskoga" / "2022" / "index.md").read_text(
        encoding="utf-8"
    )


def test_after_an_edit_only_pages_holding_new_records_are_fingerprinted(
    data_copy: Path, tmp_path: Path, fresh_cache
) -> None:
    """Every save makes small records anew (each `EvaluationRef` a page names, each `PracticeView`); one
    holding the same as last time's counts as the same, so the pages of the other municipalities and
    every good practice keep their keys without a walk through their contexts (at 290 x 3, three of
    four pages walked after a save were such)."""
    docs = tmp_path / "docs"
    _generate(data_copy, docs, CONTENT, cache=fresh_cache)
    walked: list[str] = []
    fingerprints = fresh_cache.fingerprints

    class Counting:
        def start(self) -> None:
            fingerprints.start()

        def __call__(self, value: object) -> int:
            if type(value) is tuple:  # a page: (path, template, context)
                walked.append(value[0])
            return fingerprints(value)

    fresh_cache.fingerprints = Counting()  # type: ignore[assignment]  # a stand-in that counts the pages it walks
    _edit(data_copy / "karlskoga" / "2022.yaml", "Utvärderarna ser en\n  kommun", "Granskarna ser en\n  kommun")
    _generate(data_copy, docs, CONTENT, cache=fresh_cache)
    assert "kommuner/karlskoga/2022/index.md" in walked
    assert [p for p in walked if p.startswith("kommuner/") and p.count("/") > 1 and "/karlskoga/" not in p] == []
    assert [p for p in walked if p.startswith("goda-exempel/") and p != "goda-exempel/index.md"] == []
    assert len(walked) < 25 < len(fresh_cache.pages)


def test_a_page_context_holds_only_plain_values_and_frozen_records() -> None:
    """What a fingerprint could not see changing (a mutable object) is refused, not hashed by identity."""
    from generator.site.cache import Fingerprints

    class Mutable:
        pass

    fingerprint = Fingerprints()
    assert fingerprint({"a": (1, 2.0, None)}) == fingerprint({"a": (1, 2.0, None)})
    assert fingerprint((0.0,)) != fingerprint((-0.0,))
    with pytest.raises(TypeError):
        fingerprint({"a": Mutable()})


def test_removed_and_added_evaluations(data_copy: Path, tmp_path: Path, fresh_cache) -> None:
    def generate(*arguments):
        return _generate(*arguments, cache=fresh_cache)

    docs = tmp_path / "docs"
    generate(data_copy, docs, CONTENT)
    moved = tmp_path / "vasteras-2009.yaml"
    shutil.move(data_copy / "vasteras" / "2009.yaml", moved)
    (data_copy / "vasteras").rmdir()
    fagersta = (data_copy / "fagersta" / "2009.yaml").read_text(encoding="utf-8")
    # Fagersta's report compares with Västerås 2009: that record going away is only a warning.
    report = generate(data_copy, docs, CONTENT)
    assert any(path.startswith("kommuner/vasteras/2009/") for path in report.removed)
    assert not (docs / "kommuner" / "vasteras" / "2009").exists()
    (data_copy / "vasteras").mkdir()
    shutil.move(moved, data_copy / "vasteras" / "2009.yaml")
    report = generate(data_copy, docs, CONTENT)
    assert "kommuner/vasteras/2009/index.md" in report.written
    assert (data_copy / "fagersta" / "2009.yaml").read_text(encoding="utf-8") == fagersta


def test_a_stray_file_in_the_docs_folder_is_removed(data_copy: Path, tmp_path: Path, fresh_cache) -> None:
    def generate(*arguments):
        return _generate(*arguments, cache=fresh_cache)

    docs = tmp_path / "docs"
    generate(data_copy, docs, CONTENT)
    (docs / "kommuner" / "old.md").write_text("stale")
    (docs / "gone" / "deep").mkdir(parents=True)
    (docs / "gone" / "deep" / "page.md").write_text("stale")
    (docs / ".keep").write_text("hidden files stay")
    report = generate(data_copy, docs, CONTENT)
    assert sorted(report.removed) == ["gone/deep/page.md", "kommuner/old.md"]
    assert not (docs / "gone").exists() and (docs / ".keep").exists()


def test_a_generated_file_changed_on_disk_is_written_again(data_copy: Path, tmp_path: Path, fresh_cache) -> None:
    def generate(*arguments):
        return _generate(*arguments, cache=fresh_cache)

    docs = tmp_path / "docs"
    generate(data_copy, docs, CONTENT)
    page = docs / "kommuner" / "karlskrona" / "index.md"
    original = page.read_bytes()
    page.write_bytes(original.replace(b"Karlskrona", b"Karlskr0na"))
    report = generate(data_copy, docs, CONTENT)
    assert report.written == ("kommuner/karlskrona/index.md",)
    assert page.read_bytes() == original


# ---------------------------------------------------------------- the cached loader is the loader


def _corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "synth"
    write_corpus(folder, 6, 3, seed=11)
    return folder


def _both_ways(path: Path, kind: str) -> tuple:
    """A file read as the loader reads it (libyaml first) and with ruamel alone."""
    raw, shown = path.read_bytes(), str(path)
    return loader.parse_document(raw, shown, kind), loader.parse_document(raw, shown, kind, fast=False)


def test_fast_reading_gives_the_loaders_documents(tmp_path: Path) -> None:
    folders = [DATA, _corpus(tmp_path)]
    for folder in folders:
        files = loader.find_data_files(folder)
        listed = [(p, "evaluation") for p in files.evaluations] + [(p, "framework") for p in files.frameworks]
        listed += [(p, "reference") for p in files.references]
        listed += [(files.municipalities, "municipalities"), (files.sources, "sources")]
        for path, kind in listed:
            fast, careful = _both_ways(path, kind)
            assert fast == careful, path
            # the ordinary files of a data folder are what the fast composer is for
            assert loader._convert_fast(path.read_text(encoding="utf-8"), str(path)) is not None, path


TRICKY = {
    "anchors": "a: &x 1\nb: *x\n",
    "tag": "a: !!str 1\n",
    "merge": "a: {x: 1}\nb:\n  <<: {y: 2}\n",
    "duplicate": "a: 1\na: 2\n",
    "tabs": "a:\t1\n",
    "yaml 1.1 words": "a: yes\nb: no\nc: on\nd: off\ne: y\n",
    "numbers": "a: 010\nb: 0o10\nc: 0x1F\nd: 1_000\ne: 1.5e3\nf: .inf\ng: -0\nh: 2.50\n",
    "timestamps": "a: 2022-08-16\nb: 2022-08-16T10:00:00Z\n",
    "empty values": "a:\nb: ~\nc: null\nd: ''\ne: []\nf: {}\n",
    "folded": "a: >-\n  one two\n  three\n\n  four\nb: |\n  kept\n  lines\n",
    "quotes": "a: 'it''s'\nb: \"tab\\there \\u00e5\"\nc: 'Å: ä'\n",
    "unicode": "namn: Örebro – ”citat” … 😀\n",
    "not a mapping": "- a\n- b\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "syntax error": "a: [1, 2\n",
    "only comments": "# nothing\n",
    "empty": "",
    "bom": "\ufeffa: 1\n",
    "crlf": "a: 1\r\nb: 2\r\n",
    "not utf-8": b"a: \xe5\n",
    "deep": "a:" + "".join(f"\n{'  ' * i}b{i}:" for i in range(1, 30)) + " 1\n",
    "flow keys": "{a: 1, b: [1, 2, {c: d}]}\n",
    "complex key": "? [a, b]\n: 1\n",
    "directive": "%YAML 1.1\n---\na: yes\n",
}


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_fast_reading_agrees_on_odd_files(name: str, tmp_path: Path) -> None:
    path = tmp_path / "2022.yaml"
    content = TRICKY[name]
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    fast, careful = _both_ways(path, "evaluation")
    assert fast == careful
    assert loader.read_document(path, "evaluation") == fast


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_plain_data_is_what_the_loader_reads(name: str) -> None:
    """`plain_data` (fmt's proof that a rewrite kept the data, synth's phrase banks) goes through the
    same converter: the loader's data where it accepts a text, a ValueError where it refuses one."""
    content = TRICKY[name]
    if isinstance(content, bytes):
        return  # plain_data is given text
    document, _ = loader.parse_document(content, "x.yaml", "evaluation")
    if name == "not a mapping":  # plain data need not be a mapping, a document must
        assert loader.plain_data(content) == ["a", "b"]
    elif document is None:
        with pytest.raises(ValueError):
            loader.plain_data(content)
    else:
        assert loader.plain_data(content) == document.data


def test_cached_loading_gives_the_loaders_dataset_and_problems(tmp_path: Path, fresh_cache) -> None:
    folder = _corpus(tmp_path)
    shutil.copytree(DATA / "_references", folder / "_references")

    def same() -> None:
        dataset, problems = load_data(folder, fresh_cache)
        expected, expected_problems = loader.load_dataset(folder)
        assert dataset == expected
        assert sorted(problems) == sorted(expected_problems)

    same()
    same()  # from the cache
    evaluation = sorted(folder.glob("*/*.yaml"))[3]
    text = evaluation.read_text(encoding="utf-8")
    evaluation.write_text(text.replace("detail: full", "detail: fully"), encoding="utf-8")  # a schema error
    same()
    evaluation.write_text("a: [broken\n", encoding="utf-8")  # refused
    same()
    (folder / "notes.txt").write_text("a stray file")
    same()
    evaluation.write_text(text, encoding="utf-8")
    (folder / "notes.txt").unlink()
    same()


# ---------------------------------------------------------------- data files, per evaluation


def test_data_files_encode_only_the_evaluations_whose_inputs_changed(data_copy: Path, fresh_cache) -> None:
    from generator.aggregate import aggregate
    from generator.site import datafiles
    from generator.site.pages import locale

    kept: dict = {}
    dataset, _ = load_data(data_copy, fresh_cache)
    first = datafiles.data_files(aggregate(dataset), locale(), kept)
    before = dict(kept)
    _edit(
        data_copy / "karlskoga" / "2022.yaml", "Utvärderarna ser en\n  kommun", "Granskarna ser en\n  kommun"
    )  # text only: no rank moves
    dataset, _ = load_data(data_copy, fresh_cache)
    portal = aggregate(dataset)
    second = datafiles.data_files(portal, locale(), kept)
    assert second == datafiles.data_files(portal, locale())  # what a fresh process makes
    remade = sorted(key for key, part in kept.items() if part is not before.get(key))
    assert remade == ["karlskoga/2022"]
    assert sorted(path for path in second if second[path] != first[path]) == [
        "data/kommunkompassen.json",
        "kommuner/karlskoga/2022/utvardering.json",
    ]


def test_the_site_wide_json_is_everything_compactly(data_copy: Path) -> None:
    import json

    from generator.aggregate import aggregate
    from generator.site import datafiles
    from generator.site.pages import locale

    portal = aggregate(loader.load_dataset(data_copy)[0])
    encoded = datafiles.data_files(portal, locale())["data/kommunkompassen.json"]
    assert (
        encoded == (json.dumps(datafiles.everything(portal), ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    )


def test_remembered_checks_give_the_problems_of_a_fresh_validation(tmp_path: Path, fresh_cache) -> None:
    """Each evaluation's own checks are remembered by the identity of its record; what it names elsewhere is checked anew."""
    from generator.validate import check_dataset, validate_folder

    folder = _corpus(tmp_path)
    evaluation = sorted(folder.glob("*/*.yaml"))[3]
    register = folder / "_municipalities.yaml"
    text, names = evaluation.read_text(encoding="utf-8"), register.read_text(encoding="utf-8")
    slug = evaluation.parent.name
    edits = [
        (evaluation, re.sub(r"points: (\d+)", r"points: 9\1", text, count=1)),  # above the maximum
        (evaluation, text.replace("summary:", "summary_:", 1)),  # a schema error: the file gives no record
        (evaluation, text),
        (register, names.replace(f"slug: {slug}\n", f"slug: {slug}-x\n")),  # its municipality is gone from the register
        (register, names),
    ]
    found = []
    for path, new in edits:
        path.write_text(new, encoding="utf-8")
        dataset, problems = load_data(folder, fresh_cache)
        found.append(fresh_cache.validation(dataset, problems, check_dataset))
        assert found[-1] == validate_folder(folder)[1], path
    assert found[0] and found[1] and not found[2] and not found[4]
    assert any(f"`{slug}` finns inte i registret" in problem.message for problem in found[3])


_BUILD_COUNTING_CHARTS_LATER = """
import json, sys
from pathlib import Path
from generator.site import pages as render
from generator.site.build import build_site
finished = []
real_finish = render.ChartsInProgress.finish
render.ChartsInProgress.finish = lambda self: finished.append(list(self.paths)) or real_finish(self)
site = build_site(Path(sys.argv[1]), Path(sys.argv[2]) / "site", docs_dir=Path(sys.argv[2]) / "docs")
print(json.dumps({"site": str(site), "finished": finished}))
"""


def test_charts_drawn_while_mkdocs_builds_give_the_site_drawn_first(tmp_path: Path, monkeypatch) -> None:
    """`kommunkompassen build` leaves the charts to a worker that draws them while MkDocs reads
    the pages, and the data files too (the worker makes and writes them first); the docs folder
    and the site are what making them first gives. The build runs in a process of its own: the
    test session's threads (a served site) rule out forking here."""
    import json
    import subprocess
    import sys

    from generator.site import pages as render
    from generator.site.build import _mkdocs_build
    from generator.site.portal import find_portal

    data = tmp_path / "data"
    write_corpus(data, 12, 3, 11)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    done = subprocess.run(
        [sys.executable, "-c", _BUILD_COUNTING_CHARTS_LATER, str(data), str(tmp_path / "later")],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["site"] == str((tmp_path / "later" / "site").resolve())
    (coming,) = result["finished"]
    assert sum(path.endswith(".svg") for path in coming) >= render.PARALLEL_FROM
    evaluations = sorted(f"{p.parent.name}/{p.stem}" for p in data.glob("[!_]*/*.yaml"))
    assert len(evaluations) == 36
    assert {f"kommuner/{folder}/poang.csv" for folder in evaluations} <= set(coming)
    assert {"data/kommunkompassen.json", "data/kommunkompassen.xlsx", "data/evaluations.csv"} <= set(coming)

    _generate(data, tmp_path / "first" / "docs")  # every chart drawn before anything is written
    portal = find_portal(ROOT / "mkdocs.yml")
    assert (
        _mkdocs_build(portal, data, (tmp_path / "first" / "site").resolve(), (tmp_path / "first" / "docs").resolve())
        == (tmp_path / "first" / "site").resolve()
    )
    assert tree(tmp_path / "later" / "docs") == tree(tmp_path / "first" / "docs")
    assert tree(tmp_path / "later" / "site") == tree(tmp_path / "first" / "site")


@pytest.mark.parametrize("command", ["build", "serve"])
def test_a_build_with_no_next_one_lets_go_of_what_it_generated(command: str, tmp_path: Path) -> None:
    """`kommunkompassen build` has no next build to reuse anything for: once the docs folder is
    written it keeps neither the dataset, the views, the pages nor the data files' parts (MkDocs
    then reads the pages in that memory), only the charts still being drawn. The live preview
    (`serve`) keeps all of it for its next build."""
    from generator.site.build import finish_charts, load_portal_config, portal_plugin, take_pages_in_memory
    from generator.site.portal import find_portal

    portal = find_portal(ROOT / "mkdocs.yml")
    (tmp_path / "docs").mkdir()
    config = load_portal_config(portal, DATA, site_dir=str(tmp_path / "site"), docs_dir=str(tmp_path / "docs"))
    plugin = portal_plugin(config)
    plugin.on_startup(command=command, dirty=False)
    plugin.generate_before_build(config)
    cache = plugin.cache
    remembered = [cache.files, cache.revisions, cache.data, cache.sheets, cache.sheet_rows, cache.page_inputs]
    if command == "build":
        assert not any(remembered) and cache.checked is None and cache.frame is None
    else:
        assert all(remembered) and cache.checked is not None
    finish_charts(cache)
    page = "kommuner/karlskoga/2022/index.md"
    if command == "build":  # handed to MkDocs in memory, not written
        assert page in take_pages_in_memory(tmp_path / "docs", cache) and not (tmp_path / "docs" / page).exists()
    else:
        assert (tmp_path / "docs" / page).is_file() and take_pages_in_memory(tmp_path / "docs", cache) == {}
    assert list((tmp_path / "docs").rglob("*.svg"))  # the charts, drawn in this process or by a worker


def test_data_files_keep_their_parts_only_for_a_next_build(tmp_path: Path) -> None:
    """Each evaluation's part of the data files and the workbook's sheets and rows are kept for the
    next build only: a build with none would hold them (40 MB at 100 x 3) until the end."""
    one_off, preview = BuildCache(next_build=False), BuildCache(next_build=True)
    _generate(DATA, tmp_path / "one-off", cache=one_off)
    _generate(DATA, tmp_path / "preview", cache=preview)
    assert not one_off.data and not one_off.sheets and not one_off.sheet_rows
    assert preview.data and preview.sheets and preview.sheet_rows
    assert tree(tmp_path / "one-off") == tree(tmp_path / "preview")
    (one_off_written,) = one_off.written.values()  # what is known of each file written
    (preview_written,) = preview.written.values()
    assert one_off_written.keys() == preview_written.keys()
    assert all(known[0] is None for known in one_off_written.values())  # not its bytes: nothing compares with them
    assert all(isinstance(known[0], bytes) for known in preview_written.values())


@pytest.mark.parametrize("next_build", [False, True])
def test_a_one_off_build_writes_the_data_files_before_the_pages_come_back(
    next_build: bool, tmp_path: Path, monkeypatch
) -> None:
    """A build with no next one writes each data file as soon as it is made, so that it does not hold
    them (22 MB at 290 x 3 for the evaluations' own files alone) while the pages are rendered; the
    live preview hands them over with the pages."""
    from generator.site import pages

    docs = tmp_path / "docs"
    on_disk_when_pages_came = []
    assemble = pages._page_files

    def page_files(*args, **kwargs):
        on_disk_when_pages_came.append(
            sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*") if p.is_file()) if docs.is_dir() else []
        )
        return assemble(*args, **kwargs)

    monkeypatch.setattr(pages, "_page_files", page_files)
    _generate(DATA, docs, cache=BuildCache(next_build=next_build))
    data_files = ["data/kommunkompassen.json", "data/kommunkompassen.xlsx", "kommuner/karlskoga/2022/poang.csv"]
    (seen,) = on_disk_when_pages_came
    if next_build:
        assert seen == []
    else:
        assert set(data_files) <= set(seen)
        assert "kommuner/karlskoga/2022/index.md" not in seen
    assert all((docs / path).is_file() for path in [*data_files, "kommuner/karlskoga/2022/index.md"])


def test_the_workbook_is_made_a_row_at_a_time(data_copy: Path) -> None:
    """Without sheets kept for a next build, each sheet goes into the archive a row at a time: making
    a workbook of 40,000 question rows holds little more than the workbook itself (a whole sheet,
    its rows and their XML took 45 MB at 100 x 3). The bytes are those of a sheet made whole."""
    import tracemalloc

    from generator.aggregate import aggregate
    from generator.site import datafiles, workbook
    from generator.site.pages import locale

    files = datafiles.data_files(aggregate(loader.load_dataset(data_copy)[0]), locale())
    header, *rows = files["data/question_scores.csv"].splitlines(keepends=True)
    many = header + b"".join(rows * (40_000 // len(rows) + 1))
    tables = {datafiles.QUESTIONS: many}
    whole = workbook.workbook(tables, locale(), {}, {})  # kept for a next build: each sheet made whole
    tracemalloc.start()
    try:
        streamed = workbook.workbook(tables, locale())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert streamed == whole
    assert len(workbook.read_sheets(streamed)["question_scores"]) == many.count(b"\n")
    assert peak < len(many) + 2 * len(streamed)  # the CSV it is given, the archive, and a few rows


def test_reading_a_file_leaves_nothing_for_the_paused_collector() -> None:
    """Builds pause Python's cycle collector (build._collector_paused), so whatever reading a file left
    in a reference cycle would stay in memory for good, again with every save in the live preview:
    it kept every file's positions (28 MB at 100 x 3) and, by ruamel's way, the file's text. By
    libyaml's way reading leaves no cycle; by ruamel's, under 10 KB and not the text (23 KB here)."""
    import gc
    import tracemalloc

    fast, slow = DATA / "karlskoga" / "2003.yaml", DATA / "karlskoga" / "2022.yaml"
    assert loader._ordinary(fast.read_text(encoding="utf-8"))
    assert not loader._ordinary(slow.read_text(encoding="utf-8"))  # an anchor-like character: ruamel reads it
    loader.read_document(slow, "evaluation")  # whatever ruamel sets up once
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        loader.read_document(fast, "evaluation")
        assert gc.collect() == 0
        for _ in range(20):
            loader.read_document(slow, "evaluation")
        held = tracemalloc.get_traced_memory()[0]
        gc.collect()
        left_in_cycles = held - tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        gc.enable()
    assert left_in_cycles < 20 * 10_000


def test_mkdocs_lets_go_of_each_page_once_it_is_written(tmp_path: Path, monkeypatch) -> None:
    """MkDocs keeps every page's Markdown and HTML to the end of the build (30 million characters
    at 100 x 3); the plugin lets go of the Markdown once converted and of the HTML once the page is
    written. The titles, which MkDocs works out from them, stay what they were: in the navigation
    and the breadcrumbs of the pages built after."""
    import html

    import mkdocs.commands.build as mkdocs_build

    from generator.site.build import build_site

    built = []
    build_page = mkdocs_build._build_page

    def record(page, *args, **kwargs):
        title_before = page.title
        build_page(page, *args, **kwargs)
        built.append((page, title_before))

    monkeypatch.setattr(mkdocs_build, "_build_page", record)
    site = build_site(DATA, tmp_path / "site", docs_dir=tmp_path / "docs", config_file=ROOT / "mkdocs.yml")
    assert len(built) > 100
    for page, title_before in built:
        assert page.markdown == "" and page.content is None
        assert page.title == title_before and page.title
    karlskoga = (site / "kommuner" / "karlskoga" / "2022" / "index.html").read_text(encoding="utf-8")
    assert "<title>Karlskoga 2022 - " in karlskoga
    nav_titles = [html.unescape(t) for t in re.findall(r'<span class="md-ellipsis">\s*(.*?)\s*</span>', karlskoga)]
    (home,) = [page for page, _ in built if page.is_homepage]
    assert built.index((home, home.title)) < [page.file.src_uri for page, _ in built].index(
        "kommuner/karlskoga/2022/index.md"
    )
    assert home.title in nav_titles  # built, and let go of, before this page


def test_the_data_files_paths_are_known_before_they_are_made(tmp_path: Path) -> None:
    """A worker makes the data files while MkDocs reads the pages: MkDocs is told their paths first."""
    from generator.aggregate import aggregate
    from generator.site import datafiles
    from generator.site.build import check_data
    from generator.site.pages import locale

    corpus = tmp_path / "corpus"
    write_corpus(corpus, 12, 3, 11)
    for folder in (DATA, corpus):
        portal = aggregate(check_data(folder))
        assert datafiles.data_file_paths(portal) == datafiles.data_files(portal, locale()).keys()


def test_a_folder_a_file_is_still_coming_to_is_not_removed(tmp_path: Path) -> None:
    """The worker making the data files may have made a folder and not yet the file in it when the
    build removes what it no longer generates: that folder stays, other empty folders go."""
    from generator.site.build import write_tree

    docs = tmp_path / "docs"
    (docs / "data" / "schemas").mkdir(parents=True)
    (docs / "old" / "empty").mkdir(parents=True)
    write_tree({"index.md": b"x"}, docs, coming=["data/schemas/evaluation.schema.json"])
    assert (docs / "data" / "schemas").is_dir()
    assert not (docs / "old").exists()
