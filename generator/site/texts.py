"""A portal's own page texts: its `locale/sv.yaml` replaces the package's texts of the same keys.

The portal's file holds only the keys it changes (a Norwegian organisation renames the site and
the publishers, say); every other text stays the package's. A key the package does not have
would never be shown, and a value of another kind (a text where the package has keys with
values, a list of another length) or a text that fills in a placeholder the package's does
not would break the pages: each is refused at its file:line:col (DataError), never a traceback.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

from generator.errors import DataError
from generator.loader import Document, read_document
from generator.messages import did_you_mean, msg
from generator.problems import Problem, error

_KINDS = ((bool, "boolean"), (str, "string"), (dict, "mapping"), (list, "list"))


def with_portal_texts(package: dict, portal_file: Path) -> dict:
    """The package's texts with those of `portal_file` in their place (DataError if any is refused)."""
    document, problems = read_document(portal_file, "locale")
    if document is None:
        raise DataError(problems)
    problems = _replacement_problems(document, package, document.data, ())
    if problems:
        raise DataError(problems)
    return _merged(package, document.data)


def _merged(package: dict, own: dict) -> dict:
    return {
        key: _merged(value, own[key]) if isinstance(value, dict) and key in own else own.get(key, value)
        for key, value in package.items()
    }


def _replacement_problems(document: Document, package: Any, own: Any, path: tuple) -> list[Problem]:
    """Why `own` (at `path` in the portal's file) cannot replace `package`, the package's value there."""
    wanted, found = _kind(package), _kind(own)
    if wanted != found:
        return [
            error(
                document.pos(path),
                msg(
                    "texts.wrong_kind",
                    key=_name(path),
                    found=msg(f"texts.kind.{found}"),
                    wanted=msg(f"texts.kind.{wanted}"),
                ),
            )
        ]
    if isinstance(own, dict):
        problems = []
        for key, value in own.items():
            if key in package:
                problems += _replacement_problems(document, package[key], value, (*path, key))
            else:
                hint = did_you_mean(key, package, msg("texts.keys_here", keys=", ".join(map(str, package))))
                problems.append(
                    error(document.key((*path, key)), msg("texts.unknown_key", key=_name((*path, key)), hint=hint))
                )
        return problems
    if isinstance(own, list):
        if len(own) != len(package):
            return [
                error(
                    document.pos(path), msg("texts.wrong_length", key=_name(path), count=len(own), wanted=len(package))
                )
            ]
        return [
            problem
            for index, (mine, theirs) in enumerate(zip(own, package, strict=True))
            for problem in _replacement_problems(document, theirs, mine, (*path, index))
        ]
    if isinstance(own, str):
        return _placeholder_problems(document, package, own, path)
    return []


def _placeholder_problems(document: Document, package: str, own: str, path: tuple) -> list[Problem]:
    """A text is filled in with the values its package text names ({count}, {revision}): the
    portal's may leave any out, but may not name another."""
    allowed = _placeholders(package) or set()
    try:
        named = _placeholders(own, strict=True) or set()
    except ValueError:
        return [error(document.pos(path), msg("texts.lone_brace", key=_name(path)))]
    unknown = sorted(named - allowed)
    if not unknown:
        return []
    names = ", ".join(f"{{{name}}}" for name in sorted(allowed))
    which = msg("texts.placeholders_here", names=names) if allowed else msg("texts.no_placeholders")
    return [
        error(
            document.pos(path),
            msg("texts.unknown_placeholder", key=_name(path), name=f"{{{unknown[0]}}}", allowed=which),
        )
    ]


def _placeholders(text: str, strict: bool = False) -> set[str] | None:
    """The names a text's {placeholders} use; None for a text that is no format string (unless `strict`)."""
    try:
        return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError:
        if strict:
            raise
        return None


def _kind(value: Any) -> str:
    return next((name for kind, name in _KINDS if isinstance(value, kind)), "other")


def _name(path: tuple) -> str:
    """A key as the messages show it: `unit.evaluation[2]`."""
    parts: list[str] = []
    for step in path:
        parts.append(f"[{step + 1}]" if isinstance(step, int) else (f".{step}" if parts else str(step)))
    return "".join(parts)
