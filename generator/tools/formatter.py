"""`fmt`: canonical key order and indentation, comments and text values kept exactly."""

from __future__ import annotations

import functools
import os
import tempfile
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import layout, schema
from generator.loader import find_data_files, kind_of, link_message, plain_data, read_document, reformat
from generator.messages import msg
from generator.problems import Pos, Problem, display_path, error


@dataclass(frozen=True)
class Change:
    """A file `fmt` rewrites (or, with --check, would rewrite): its text before and after."""

    path: str
    before: str
    after: str


def format_paths(targets: Iterable[Path], check: bool) -> tuple[list[Change], list[Problem]]:
    changed: list[Change] = []
    problems: list[Problem] = []
    for path, root in _files(targets):
        if path.is_symlink() or any(parent.is_symlink() for parent in _between(root, path)):
            problems.append(error(Pos(display_path(path), 1, 1), link_message()))
            continue
        kind = kind_of(path, root)
        if kind is None:
            continue
        document, refused = read_document(path, kind)
        if document is None:
            problems.extend(refused)
            continue
        original = path.read_text(encoding="utf-8-sig")
        formatted = reformat(original, functools.partial(_order, subschema=schema.load_schema(kind)))
        if formatted == original:
            continue
        if not _same_data(formatted, original):  # never rewrite data, only its layout
            problems.append(error(Pos(display_path(path), 1, 1), msg("fmt.would_change_data")))
            continue
        changed.append(Change(display_path(path), original, formatted))
        if not check:
            write_atomically(path, formatted)
    return changed, problems


def _files(targets: Iterable[Path]) -> Iterable[tuple[Path, Path]]:
    for target in targets:
        if target.is_dir() and not target.is_symlink():
            files = find_data_files(target)
            listed = [files.municipalities, files.sources, *files.frameworks, *files.references, *files.evaluations]
            yield from ((p, target) for p in listed if p is not None)
            yield from ((p, target) for p in files.links)
        else:
            yield target, _data_root(target)


def _same_data(formatted: str, original: str) -> bool:
    try:
        return plain_data(formatted) == plain_data(original)
    except ValueError:  # the rewrite holds something the loader refuses
        return False


def _between(root: Path, path: Path) -> list[Path]:
    """The folders from the data folder down to the file's own (those a link could redirect)."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return []
    return [root.joinpath(*parts[:n]) for n in range(len(parts))]


def _data_root(path: Path) -> Path:
    for parent in path.resolve().parents:
        if (parent / layout.FRAMEWORKS_DIR).is_dir():
            return parent
    return path.resolve().parent


def _order(node: Any, subschema: dict) -> None:
    """Put the keys of every mapping in the order its schema lists them."""
    if isinstance(node, OrderedDict) and "properties" in subschema:  # the loader's round-trip mappings are ordered
        properties = subschema["properties"]
        for key in [k for k in properties if k in node] + [k for k in node if k not in properties]:
            node.move_to_end(key)
        for key, value in node.items():
            _order(value, properties.get(key, {}))
    elif isinstance(node, list) and "items" in subschema:
        for item in node:
            _order(item, subschema["items"])


def write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
