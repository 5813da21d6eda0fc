"""The JSON Schemas of the data files, applied to loaded documents.

Schema errors are turned into messages an evaluator can act on, placed at the
offending key or value, with a suggestion for misspelt keys.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import fastjsonschema

if TYPE_CHECKING:  # imported when a file fails the fast check: jsonschema takes 0.15 s to import
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

from generator.messages import did_you_mean, msg, whole
from generator.problems import Pos, Problem, error


class Document(Protocol):
    """A parsed file as the schema checks it (generator.loader.Document): its data and where each
    value and key starts. A protocol, so that this module need not import the loader, which imports it."""

    @property
    def path(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def data(self) -> Any: ...

    @property
    def value_pos(self) -> dict: ...
    @property
    def key_pos(self) -> dict: ...

    @property
    def clean(self) -> Any: ...  # the data without the keys left empty (`without_blanks`)

    def pos(self, path: tuple = ()) -> Pos: ...
    def key(self, path: tuple) -> Pos: ...


SCHEMA_DIR = Path(__file__).parent / "schemas"
KINDS = ("evaluation", "framework", "municipalities", "sources", "reference")


@cache
def load_schema(kind: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))


@cache
def _validator(kind: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(kind))


def without_blanks(data: object) -> object:
    """Drop keys left empty (`key:` with no value): an empty key counts as absent,
    so an unfilled template lists what is missing instead of failing on types."""
    if isinstance(data, dict):
        return {key: without_blanks(value) for key, value in data.items() if value is not None}
    if isinstance(data, list):
        return [without_blanks(item) for item in data]
    return data


@cache
def _fast_validator(kind: str):
    """The schema compiled to Python by fastjsonschema, which knows drafts up to 7: the schemas
    use only keywords that mean the same there (tests/test_schema.py holds them to that and
    checks that both validators agree on mutated real files)."""
    schema = {key: value for key, value in load_schema(kind).items() if key not in ("$schema", "$id")}
    # Without filling in defaults: the data checked is the one the records are built from.
    return fastjsonschema.compile({"$schema": "http://json-schema.org/draft-07/schema#", **schema}, use_default=False)


def is_valid_fast(kind: str, data: object) -> bool:
    """True when the document certainly meets its schema; False sends it to the full check."""
    try:
        _fast_validator(kind)(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def check(document: Document) -> list[Problem]:
    return check_and_locate(document)[0]


def check_and_locate(document: Document) -> tuple[list[Problem], list[tuple]]:
    """The schema's problems with a document, and the paths of the values it refused
    (type, form, range), which the loader leaves out so the other checks can still run."""
    data = document.clean
    problems: list[Problem] = []
    refused: list[tuple] = []
    # Most files pass the fast check: only a file with problems needs jsonschema's messages.
    errors = (
        []
        if is_valid_fast(document.kind, data)
        else sorted(_validator(document.kind).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    )
    for err in errors:
        problems.extend(_describe(document, err))
        if err.validator not in ("required", "additionalProperties"):
            refused.append(tuple(err.absolute_path))
    for path, key, number in _split_decimals(document.data):
        problems.append(
            error(
                document.pos(path),
                msg("schema.decimal_comma_split", key=path[-1], whole=number, digits=key, fixed=f"{number}.{key}"),
            )
        )
        refused.append(path)
    return sorted(set(problems)), refused


def _split_decimals(data: object, path: tuple = ()) -> list[tuple[tuple, str, int]]:
    """`{id: '5.1', points: 7,5}`: inside braces a decimal comma splits the number into
    `points: 7` and an empty key `5`. Found as a key of digits with no value right after a whole number."""
    found: list[tuple[tuple, str, int]] = []
    if isinstance(data, dict):
        previous: object = None
        previous_key: object = None
        for key, value in data.items():
            if (
                value is None
                and isinstance(key, str)
                and key.isdigit()
                and isinstance(previous, int)
                and not isinstance(previous, bool)
            ):
                found.append((path + (previous_key,), key, previous))
            previous, previous_key = value, key
            found += _split_decimals(value, path + (key,))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            found += _split_decimals(item, path + (index,))
    return found


_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")


def _describe(document: Document, err: ValidationError) -> list[Problem]:
    path = tuple(err.absolute_path)
    where = _name(path)
    validator = err.validator
    at = document.pos(path)
    # jsonschema types these "or Unset", for an error made by hand; a validator's errors always carry them.
    instance: Any = err.instance
    bound: Any = err.validator_value
    subschema: Any = err.schema
    if validator == "additionalProperties":
        allowed = list(subschema.get("properties", {}))
        extra = [key for key in instance if key not in allowed]
        return [error(document.key(path + (key,)), _unknown_key(key, allowed)) for key in extra]
    if validator == "required":
        missing = [key for key in bound if key not in instance]
        order = list(subschema.get("properties", {}))
        return [_missing_key(document, path, key, order) for key in missing]
    if validator == "type":
        expected = bound if isinstance(bound, list) else [bound]
        wanted = msg("schema.or").join(msg(f"schema.type.{t}") for t in expected)
        hint = ""
        if (
            ("number" in expected or "integer" in expected)
            and isinstance(instance, str)
            and _DECIMAL_COMMA.match(instance)
        ):
            hint = msg("schema.hint_decimal_comma", fixed=instance.strip().replace(",", "."))
        elif "string" in expected and isinstance(instance, (int, float)) and not isinstance(instance, bool):
            hint = msg("schema.hint_quote", value=instance)
        return [error(at, msg("schema.wrong_type", where=where, wanted=wanted, value=_show(instance)) + hint)]
    if validator == "enum":
        options = ", ".join(repr(v) if isinstance(v, str) else str(v) for v in bound)
        hint = did_you_mean(instance, [str(v) for v in bound])
        return [
            error(
                at,
                msg("schema.enum", where=where, value=_show(instance), options=options) + (f"; {hint}" if hint else ""),
            )
        ]
    if validator in ("minimum", "exclusiveMinimum"):
        return [error(at, msg("schema.minimum", where=where, value=_show(instance), bound=bound))]
    if validator in ("maximum", "exclusiveMaximum"):
        return [error(at, msg("schema.maximum", where=where, value=_show(instance), bound=bound))]
    if validator == "pattern":
        return [
            error(
                at, msg("schema.pattern", where=where, value=_show(instance), form=_pattern_hint(path, document.kind))
            )
        ]
    if validator == "minLength":
        return [error(at, msg("schema.empty_text", where=where))]
    if validator == "maxLength":
        return [error(at, msg("schema.max_length", where=where, count=whole(len(instance)), bound=whole(bound)))]
    if validator == "minItems":
        return [error(at, msg("schema.min_items", where=where, count=len(instance), bound=bound))]
    if validator == "maxItems":
        return [error(at, msg("schema.max_items", where=where, count=len(instance), bound=bound))]
    return [error(at, msg("schema.other", where=where, detail=err.message))]


def _missing_key(document: Document, path: tuple, key: str, order: list[str]) -> Problem:
    """A missing key is reported where it is to be written: before the first key that
    follows it in canonical order, else after the mapping's last line."""
    present = [k for k in _raw(document.data, path) or {}]
    where = _name(path) or msg("schema.the_file")
    if key in present:  # written but left empty
        return error(document.key(path + (key,)), msg("schema.blank_required", where=where, key=key))
    later = [k for k in order[order.index(key) + 1 :] if k in present] if key in order else []
    if later:
        following = document.key(path + (later[0],))
        return error(following, msg("schema.missing_key_before", where=where, key=key, next=later[0]))
    line = max(
        [
            place[0]
            for k, place in list(document.value_pos.items()) + list(document.key_pos.items())
            if k[: len(path)] == path
        ]
        or [document.pos(path).line]
    )
    column = document.key(path + (present[0],)).column if present else document.pos(path).column
    return error(Pos(document.path, line, column), msg("schema.missing_key_end", where=where, key=key))


def _raw(data: Any, path: tuple) -> Any:
    for step in path:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _unknown_key(key: str, allowed: list[str]) -> str:
    return msg(
        "schema.unknown_key",
        key=key,
        hint=did_you_mean(key, allowed, msg("schema.expected_keys", keys=", ".join(allowed))),
    )


def _name(path: tuple) -> str:
    if not path:
        return ""
    parts: list[str] = []
    for step in path:
        parts.append(f"[{step + 1}]" if isinstance(step, int) else (f".{step}" if parts else str(step)))
    return "`" + "".join(parts) + "`"


def _show(value: object) -> str:
    if isinstance(value, str):
        return f"'{value}'" if len(value) < 60 else f"'{value[:57]}...'"
    if isinstance(value, (dict, list)):
        return msg("schema.show_mapping") if isinstance(value, dict) else msg("schema.show_list")
    if value is None:
        return msg("schema.show_empty")
    return str(value).lower() if isinstance(value, bool) else str(value)


_PATTERN_HINTS = ("slug", "municipality", "id", "question", "code", "url", "report_date", "framework")


def _pattern_hint(path: tuple, kind: str = "") -> str:
    last = next((step for step in reversed(path) if isinstance(step, str)), "")
    if path == ("id",) or (kind == "sources" and last == "id"):  # a file's own id, a report's id
        return msg("schema.form.framework") if kind == "framework" else msg("schema.form.record_id")
    return msg(f"schema.form.{last}") if last in _PATTERN_HINTS else msg("schema.form.other")
