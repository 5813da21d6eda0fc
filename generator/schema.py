"""The JSON Schemas of the data files, applied to loaded documents.

Schema errors are turned into messages an evaluator can act on, placed at the
offending key or value, with a suggestion for misspelt keys.
"""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import fastjsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from .problems import Problem, error

if TYPE_CHECKING:
    from .loader import Document

SCHEMA_DIR = Path(__file__).parent / "schemas"
KINDS = ("evaluation", "framework", "municipalities", "sources", "reference")

_TYPE_NAMES = {
    "string": "text", "number": "a number", "integer": "a whole number", "boolean": "true or false",
    "array": "a list", "object": "a mapping of keys to values", "null": "nothing (null)",
}


@lru_cache(maxsize=None)
def load_schema(kind: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(kind))


def without_blanks(data: object) -> object:
    """Drop keys left empty (`key:` with no value): an empty key counts as absent,
    so an unfilled template lists what is missing instead of failing on types."""
    if isinstance(data, dict):
        return {key: without_blanks(value) for key, value in data.items() if value is not None}
    if isinstance(data, list):
        return [without_blanks(item) for item in data]
    return data


@lru_cache(maxsize=None)
def _fast_validator(kind: str):
    """The schema compiled to Python by fastjsonschema, which knows drafts up to 7: the schemas
    use only keywords that mean the same there (tests/test_schema.py holds them to that and
    checks that both validators agree on mutated real files)."""
    schema = {key: value for key, value in load_schema(kind).items() if key not in ("$schema", "$id")}
    return fastjsonschema.compile({"$schema": "http://json-schema.org/draft-07/schema#", **schema})


def is_valid_fast(kind: str, data: object) -> bool:
    """True when the document certainly meets its schema; False sends it to the full check."""
    try:
        _fast_validator(kind)(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def check(document: "Document") -> list[Problem]:
    data = without_blanks(document.data)
    if is_valid_fast(document.kind, data):  # most files: only a file with problems needs the messages
        return []
    errors = sorted(_validator(document.kind).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    problems: list[Problem] = []
    for err in errors:
        problems.extend(_describe(document, err))
    return sorted(set(problems))


def _describe(document: "Document", err: ValidationError) -> list[Problem]:
    path = tuple(err.absolute_path)
    where = _name(path)
    validator = err.validator
    if validator == "additionalProperties":
        allowed = list(err.schema.get("properties", {}))
        extra = [key for key in err.instance if key not in allowed]
        return [error(document.key(path + (key,)), _unknown_key(key, allowed)) for key in extra]
    if validator == "required":
        missing = [key for key in err.validator_value if key not in err.instance]
        return [error(document.pos(path), f"{where or 'the file'} is missing the required key `{key}`") for key in missing]
    if validator == "type":
        expected = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        wanted = " or ".join(_TYPE_NAMES.get(t, t) for t in expected)
        hint = ""
        if "string" in expected and isinstance(err.instance, (int, float)) and not isinstance(err.instance, bool):
            hint = f" (put it in quotes: '{err.instance}')"
        return [error(document.pos(path), f"{where} must be {wanted}, not {_show(err.instance)}{hint}")]
    if validator == "enum":
        options = ", ".join(repr(v) if isinstance(v, str) else str(v) for v in err.validator_value)
        return [error(document.pos(path), f"{where} is {_show(err.instance)}; expected one of {options}")]
    if validator in ("minimum", "exclusiveMinimum"):
        return [error(document.pos(path), f"{where} is {_show(err.instance)}; it must be at least {err.validator_value}")]
    if validator in ("maximum", "exclusiveMaximum"):
        return [error(document.pos(path), f"{where} is {_show(err.instance)}; it must be at most {err.validator_value}")]
    if validator == "pattern":
        return [error(document.pos(path), f"{where} is {_show(err.instance)}, which is not of the expected form ({_pattern_hint(path, document.kind)})")]
    if validator == "minLength":
        return [error(document.pos(path), f"{where} is empty; write the text or remove the key")]
    if validator == "maxLength":
        return [error(document.pos(path), f"{where} is {len(err.instance):,} characters long; at most {err.validator_value:,} are accepted, so shorten it")]
    if validator in ("minItems", "maxItems"):
        bound = "at least" if validator == "minItems" else "at most"
        return [error(document.pos(path), f"{where} has {len(err.instance)} items; expected {bound} {err.validator_value}")]
    return [error(document.pos(path), f"{where}: {err.message}")]


def _unknown_key(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f"did you mean `{close[0]}`?" if close else f"expected one of: {', '.join(allowed)}"
    return f"unknown key `{key}`; {hint}"


def _name(path: tuple) -> str:
    if not path:
        return ""
    parts = []
    for step in path:
        parts.append(f"[{step + 1}]" if isinstance(step, int) else (f".{step}" if parts else str(step)))
    return "`" + "".join(parts) + "`"


def _show(value: object) -> str:
    if isinstance(value, str):
        return f"'{value}'" if len(value) < 60 else f"'{value[:57]}...'"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    if value is None:
        return "empty"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _pattern_hint(path: tuple, kind: str = "") -> str:
    last = next((step for step in reversed(path) if isinstance(step, str)), "")
    if path == ("id",) or (kind == "sources" and last == "id"):
        return {"framework": "four digits, e.g. '2020'"}.get(kind, "lowercase letters a-z, digits and hyphens, e.g. 'national-median-2009'")
    return {
        "slug": "lowercase letters a-z, digits and hyphens, e.g. 'landsbygdsmiljonen'",
        "municipality": "a municipality slug, lowercase a-z, digits and hyphens",
        "id": "e.g. '3.2'",
        "question": "e.g. '3.2'",
        "code": "four digits, e.g. '1883'",
        "url": "an address starting with https://",
        "report_date": "'YYYY-MM-DD' or 'YYYY-MM'",
        "framework": "four digits, e.g. '2020'",
    }.get(last, "see the schema")
