"""The schema check's fast path (fastjsonschema, drafts up to 7) says "valid" only where the
reference validator (jsonschema, draft 2020-12) does: a file it passes gets no schema problem
that the full check would have found. (Where the fast path is stricter, the full check decides.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from generator.loader import read_document
from generator.schema import KINDS, SCHEMA_DIR, is_valid_fast, load_schema, without_blanks
from tests.conftest import DATA

# Keywords that mean the same in draft 7 and in draft 2020-12: a schema that uses another one
# (prefixItems, $defs with $ref, dependentRequired, unevaluated*, ...) needs the fast path looked at again.
SAME_IN_BOTH_DRAFTS = {
    "$schema",
    "$id",
    "title",
    "description",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "pattern",
    "enum",
    "minItems",
    "maxItems",
    "uniqueItems",
    "const",
    "format",
    "default",
}

SAMPLES = {
    "evaluation": [DATA / "karlskrona" / "2022.yaml", DATA / "kalix" / "2012.yaml", DATA / "karlskoga" / "2003.yaml"],
    "framework": sorted((DATA / "_frameworks").glob("*.yaml")),
    "municipalities": [DATA / "_municipalities.yaml"],
    "sources": [DATA / "_sources.yaml"],
    "reference": sorted((DATA / "_references").glob("*.yaml")),
}


def _keywords(schema: object) -> set[str]:
    if isinstance(schema, dict):
        found = set()
        for key, value in schema.items():
            if key == "properties":
                found.add(key)
                for child in value.values():
                    found |= _keywords(child)
            else:
                found.add(key)
                found |= _keywords(value)
        return found
    if isinstance(schema, list):
        return set().union(*(_keywords(item) for item in schema)) if schema else set()
    return set()


@pytest.mark.parametrize("kind", KINDS)
def test_schemas_use_only_keywords_the_fast_path_reads_alike(kind):
    assert (SCHEMA_DIR / f"{kind}.schema.json").is_file()
    assert _keywords(load_schema(kind)) - SAME_IN_BOTH_DRAFTS == set()


def _real(kind: str) -> list[object]:
    documents = []
    for path in SAMPLES[kind]:
        document, problems = read_document(path, kind)
        assert document is not None, problems
        documents.append(without_blanks(document.data))
    return documents


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 3000),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["", " ", "x", "2022", "2022\n", "٢٠٢٢", "karlskoga", "Karlskoga", "1.1", "a-b", "-", "0.5"]),
    st.text(max_size=8),
    st.lists(st.integers(0, 5), max_size=2),
    st.dictionaries(st.sampled_from(["id", "x"]), st.integers(0, 2), max_size=2),
)


def _paths(value: object, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, prefix + (index,))
    return found


def _mutated(document: object, path: tuple, operation: str, value: object) -> object:
    copy = json.loads(json.dumps(document))
    if not path:
        return value if operation == "replace" else copy
    parent = copy
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if operation == "replace":
        parent[last] = value
    elif operation == "delete":
        del parent[last]
    elif isinstance(parent, dict):
        parent[f"{last}_extra"] = value
    else:
        parent.append(value)
    return copy


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fast_path_and_reference_validator_agree_on_mutated_real_files(data):
    kind = data.draw(st.sampled_from(KINDS))
    document = data.draw(st.sampled_from(_real(kind)))
    mutated = document
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(mutated)))
        mutated = _mutated(mutated, path, data.draw(st.sampled_from(["replace", "delete", "add"])), data.draw(VALUES))
    reference_valid = not any(Draft202012Validator(load_schema(kind)).iter_errors(mutated))
    if is_valid_fast(kind, mutated):  # a "no" only costs time: the full check then decides
        assert reference_valid


@pytest.mark.parametrize("kind", KINDS)
def test_real_files_pass_the_fast_path(kind):
    for document in _real(kind):
        assert is_valid_fast(kind, document)


def test_odd_values_never_pass_the_fast_path_alone():
    document = _real("evaluation")[0]
    for key, bad in (
        ("year", f"{document['year']}\n"),
        ("year", "٢٠٢٢"),
        ("year", 20.5),
        ("municipality", "karlskoga\n"),
        ("municipality", "karlskoga٢"),
        ("framework", 2020.0),
    ):
        mutated = {**document, key: bad}
        reference_valid = not any(Draft202012Validator(load_schema("evaluation")).iter_errors(mutated))
        assert reference_valid or not is_valid_fast("evaluation", mutated), (key, bad)


def test_files_under_test_exist():
    assert all(path.is_file() for paths in SAMPLES.values() for path in paths)
    assert Path(SCHEMA_DIR).is_dir()
