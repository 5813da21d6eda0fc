"""The synthetic corpus: reproducible from its seed, valid, realistic, spread over the revisions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.cli import main
from generator.loader import plain_data
from generator.problems import Level
from generator.tools.synth import write_corpus
from generator.validate import validate_folder

ROOT = Path(__file__).resolve().parents[1]


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("synth") / "data"
    assert write_corpus(folder, 5, 3, seed=7) == 15
    return folder


def test_same_seed_gives_the_same_bytes(corpus: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    write_corpus(again, 5, 3, seed=7)
    assert _tree(again) == _tree(corpus)


def test_another_seed_gives_another_corpus(corpus: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    write_corpus(other, 5, 3, seed=8)
    mine, theirs = _tree(corpus), _tree(other)
    assert mine != theirs
    assert mine["_frameworks/2020.yaml"] == theirs["_frameworks/2020.yaml"]  # the catalogue is the real one


def test_the_corpus_validates_without_errors_or_warnings(corpus: Path) -> None:
    dataset, problems = validate_folder(corpus)
    assert [p.plain() for p in problems if p.level is Level.ERROR] == []
    assert [p.plain() for p in problems] == []
    assert len(dataset.municipalities) == 5
    assert len(dataset.evaluations) == 15


def test_the_catalogue_is_copied_byte_for_byte(corpus: Path) -> None:
    for path in sorted((ROOT / "evaluations" / "_frameworks").glob("*.yaml")):
        assert (corpus / "_frameworks" / path.name).read_bytes() == path.read_bytes()


def test_each_municipality_is_evaluated_once_in_each_revision_in_its_years(corpus: Path) -> None:
    dataset, _ = validate_folder(corpus)
    frameworks = {f.id: f for f in dataset.frameworks}
    codes = [mu.code for mu in dataset.municipalities]
    assert len(set(codes)) == len(codes) and all(re.fullmatch(r"\d{4}", c) for c in codes)
    assert len({mu.slug for mu in dataset.municipalities}) == 5
    for municipality in dataset.municipalities:
        own = sorted((e for e in dataset.evaluations if e.municipality == municipality.slug), key=lambda e: e.year)
        assert [e.framework for e in own] == ["2002", "2010", "2020"]
        assert [e.ordinal for e in own] == [1, 2, 3]
        for evaluation in own:
            framework = frameworks[evaluation.framework]
            assert framework.first_year <= evaluation.year <= (framework.last_year or 2100)


def test_every_question_is_scored_within_its_maximum_and_areas_add_up(corpus: Path) -> None:
    dataset, _ = validate_folder(corpus)
    frameworks = {f.id: f for f in dataset.frameworks}
    for evaluation in dataset.evaluations:
        framework = frameworks[evaluation.framework]
        assert evaluation.detail == "full"
        assert evaluation.reported_total == sum(a.reported_points for a in evaluation.areas)
        for result in evaluation.areas:
            definition = framework.area(result.area)
            assert [q.id for q in result.questions] == [q.id for q in definition.questions]
            for score in result.questions:
                assert 0 <= score.points <= definition.question(score.id).max_points
            assert result.reported_points == sum(q.points for q in result.questions)


def test_texts_have_the_length_of_real_reports(corpus: Path) -> None:
    dataset, _ = validate_folder(corpus)
    summaries = [len(e.summary) for e in dataset.evaluations]
    descriptions = [len(a.description) for e in dataset.evaluations for a in e.areas]
    assert 550 <= sum(summaries) / len(summaries) <= 950
    assert 400 <= sum(descriptions) / len(descriptions) <= 700
    assert all(
        3 <= len(a.strengths) <= 10 and 2 <= len(a.improvements) <= 8 for e in dataset.evaluations for a in e.areas
    )
    sizes = [(corpus / e.municipality / f"{e.year}.yaml").stat().st_size for e in dataset.evaluations]
    assert 12_000 <= sum(sizes) / len(sizes) <= 30_000  # the real full evaluations are 15-24 KB


def test_good_practices_have_unique_slugs_and_some_gold_stars(tmp_path: Path) -> None:
    folder = tmp_path / "bigger"
    write_corpus(folder, 20, 3, seed=3)
    dataset, problems = validate_folder(folder)
    assert not [p for p in problems if p.level is Level.ERROR]
    practices = [p for e in dataset.evaluations for a in e.areas for p in a.good_practices]
    slugs = [p.slug for p in practices]
    assert len(practices) >= 60 and len(set(slugs)) == len(slugs)
    assert 0 < sum(p.gold_star for p in practices) < len(practices) / 4


def test_fewer_evaluations_than_revisions(tmp_path: Path) -> None:
    folder = tmp_path / "one"
    assert write_corpus(folder, 4, 1, seed=1) == 4
    _, problems = validate_folder(folder)
    assert not [p for p in problems if p.level is Level.ERROR]


def test_the_registers_are_valid_yaml_with_comments(corpus: Path) -> None:
    register = plain_data((corpus / "_municipalities.yaml").read_text(encoding="utf-8"))
    assert len(register["municipalities"]) == 5
    sources = plain_data((corpus / "_sources.yaml").read_text(encoding="utf-8"))
    assert len(sources["sources"]) == 15


def test_the_cli_writes_and_refuses_a_folder_it_did_not_write(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "cli"
    assert main(["synth", str(folder), "--municipalities", "2", "--evaluations-per", "2", "--seed", "5"]) == 0
    assert "skrev 4 utvärderingar" in capsys.readouterr().out
    first = _tree(folder)
    assert main(["synth", str(folder), "--municipalities", "2", "--evaluations-per", "2", "--seed", "5"]) == 0
    assert _tree(folder) == first  # a folder synth wrote is replaced
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    assert main(["synth", str(foreign), "--municipalities", "2"]) == 2
    assert (foreign / "notes.txt").read_text() == "mine"
    assert main(["validate", "--data", str(folder)]) == 0
