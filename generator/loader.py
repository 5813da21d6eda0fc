"""Load: YAML files to the typed model, keeping the source position of every value.

This is the only module that parses evaluator input (generator.locales reads
the package's own text files). It refuses hostile or broken input
(syntax errors, duplicate keys, anchors and aliases, custom tags, bytes that are
not UTF-8, empty files, absurd nesting or size) with a Problem instead of an
exception, checks each document against its JSON Schema and builds frozen
records from the documents that pass. It reads a data folder on disk or held in
memory (`SourceTree`: `FolderTree`, `MemoryTree`); where each file lies is `layout`'s.
"""

from __future__ import annotations

import io
import math
import os
import posixpath
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path, PurePosixPath
from typing import Any, Protocol, cast

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import Node, ScalarNode

from generator import layout, schema
from generator import model as m
from generator.messages import msg, whole
from generator.problems import Pos, Problem, display_path, error, warning

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 24
Path_ = tuple  # a JSON path: keys and list indexes from the document root


@dataclass(frozen=True)
class Document:
    """A parsed YAML file: plain data plus where each value and key starts."""

    path: str
    kind: str
    data: Any
    value_pos: dict  # (line, column) of each value by its path; a Pos is made only when asked for
    key_pos: dict  # the same of each key

    def pos(self, path: Path_ = ()) -> Pos:
        place = self.value_pos.get(tuple(path))
        return Pos(self.path, 1, 1) if place is None else Pos(self.path, *place)

    def key(self, path: Path_) -> Pos:
        place = self.key_pos.get(tuple(path))
        return self.pos(path) if place is None else Pos(self.path, *place)

    @cached_property
    def clean(self) -> Any:
        """The data without the keys left empty (`schema.without_blanks`), made once: the schema
        check and the record builders all read it, and none of them changes it."""
        return schema.without_blanks(self.data)


class _Refusal(Exception):
    def __init__(self, pos: Pos, message: str):
        super().__init__(message)
        self.problem = error(pos, message)


# ---------------------------------------------------------------- reading
#
# One converter (`_to_plain`) turns composed YAML nodes into plain data with the position of
# every value and key. Nodes come from one of two composers: libyaml (through PyYAML, which
# MkDocs brings; about ten times faster) for ordinary text, ruamel for everything else; each
# says what its nodes are by its own tag function (`_libyaml_tag`, `_written_tag`). The fast
# composer's result is used only when the converter accepts it; a refusal, or anything libyaml
# did not like, is composed again by ruamel, so that every message and position is ruamel's
# (tests/test_incremental.py compares the two on every file).


def read_document(
    path: Path, kind: str, text: str | None = None, raw: bytes | None = None
) -> tuple[Document | None, list[Problem]]:
    """Parse one YAML file safely. Returns the document or the reasons it was refused.
    `text` or `raw` (its bytes) are used instead of what the file holds when given."""
    shown = display_path(path)
    if text is not None:
        return parse_document(text, shown, kind)
    if raw is None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            return None, [error(Pos(shown), msg("loader.unreadable", reason=exc.strerror))]
    return parse_document(raw, shown, kind)


def parse_document(
    source: bytes | str, shown: str, kind: str, fast: bool = True
) -> tuple[Document | None, list[Problem]]:
    """A document from the bytes (or text) of a file that messages call `shown`.
    `fast=False` composes with ruamel alone (to prove both composers agree)."""
    try:
        text = source if isinstance(source, str) else _decode(source, shown)
        data, value_pos, key_pos = _parse(text, shown, fast)
    except _Refusal as refusal:
        return None, [refusal.problem]
    if not isinstance(data, dict):
        return None, [error(Pos(shown, 1, 1), msg("loader.not_mapping"))]
    return Document(shown, kind, data, value_pos, key_pos), []


def plain_data(text: str) -> Any:
    """The data a YAML text holds, without comments or styles (to prove a rewrite lost nothing,
    or to read a file of ours); ValueError when the loader would refuse it."""
    try:
        data, _, _ = _parse(text, "", fast=True)
    except _Refusal as refusal:
        raise ValueError(refusal.problem.message) from None
    return data


def read_plain(path: Path) -> Any:
    """The data of a YAML file of ours (not evaluator input), through the same converter."""
    document, problems = read_document(path, "plain")
    if document is None:
        raise ValueError("; ".join(problem.plain() for problem in problems))
    return document.data


def _parse(text: str, shown: str, fast: bool) -> tuple[Any, dict, dict]:
    """Plain data with the positions of its values and keys; raises _Refusal."""
    found = _convert_fast(text, shown) if fast and _ordinary(text) else None
    return found or _to_plain(_compose(text, shown), shown, _written_tag)


def _decode(raw: bytes, shown: str) -> str:
    if len(raw) > MAX_FILE_BYTES:
        raise _Refusal(Pos(shown, 1, 1), msg("loader.too_large", size=whole(len(raw)), limit=whole(MAX_FILE_BYTES)))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _Refusal(Pos(shown, line, column), msg("loader.not_utf8")) from None


def _compose(text: str, shown: str) -> Node:
    if not text.strip() or all(line.strip().startswith("#") or not line.strip() for line in text.splitlines()):
        raise _Refusal(Pos(shown, 1, 1), msg("loader.empty"))
    yaml = YAML(typ="rt", pure=True)
    try:
        with warnings.catch_warnings():  # ruamel's own warnings (reused anchors) become our refusals
            warnings.simplefilter("ignore")
            docs = list(yaml.compose_all(io.StringIO(text)))
    except MarkedYAMLError as exc:
        line, column, message = explain_syntax_error(text, exc)
        raise _Refusal(Pos(shown, line, column), message) from None
    except RecursionError:
        raise _Refusal(Pos(shown, 1, 1), msg("loader.too_deep", depth=MAX_DEPTH)) from None
    except (YAMLError, ValueError) as exc:
        raise _Refusal(Pos(shown, 1, 1), msg("loader.yaml_error", detail=exc)) from None
    finally:
        _release(yaml)
    docs = [d for d in docs if d is not None]
    if not docs:
        raise _Refusal(Pos(shown, 1, 1), msg("loader.empty"))
    if len(docs) > 1:
        extra = docs[1].start_mark
        raise _Refusal(Pos(shown, extra.line + 1, extra.column + 1), msg("loader.several_documents"))
    return docs[0]


def _release(yaml: YAML) -> None:
    """Let go of ruamel's reader, scanner, parser, composer, constructor and resolver, which refer
    back to their YAML object: a cycle with the text in it (100 KB a file) that only the cycle
    collector would free, and builds pause it (build._collector_paused)."""
    for part in ("_reader", "_scanner", "_parser", "_composer", "_constructor", "_resolver"):
        vars(yaml).pop(part, None)


# Characters that start an anchor, alias, tag or merge key, or that the two composers might place differently.
_UNUSUAL = ("&", "*", "!", "<<", "\t", "\r", "\ufeff", "\x85", "\u2028", "\u2029")


def _ordinary(text: str) -> bool:
    """Whether libyaml may compose `text`: nothing the loader refuses or the composers place differently."""
    return (
        bool(text.strip())
        and not text.startswith("%")
        and "\n%" not in text
        and not any(mark in text for mark in _UNUSUAL)
    )


def _convert_fast(text: str, shown: str) -> tuple[Any, dict, dict] | None:
    """`_to_plain` of libyaml's nodes, or None when ruamel must compose the text instead.
    Only for `_ordinary` text: libyaml's nodes do not show anchors, aliases or written tags."""
    try:
        composer = _libyaml_composer()(text)
        try:
            document = composer.get_single_node()  # more than one document: an error, and ruamel's turn
        finally:
            composer.dispose()
        if document is None:
            return None
        found = _to_plain(document, shown, _libyaml_tag)
    except Exception:  # a refusal, or anything libyaml did not like: ruamel says what and where
        return None
    return found if isinstance(found[0], dict) else None


@cache
def _libyaml_composer() -> type:
    """PyYAML's libyaml composer without PyYAML's resolver: `_libyaml_tag` gives each scalar
    the tag ruamel would, so PyYAML's YAML 1.1 guess (a dozen regular expressions per scalar,
    in Python) was made for nothing. `_ordinary` text has no written tag, so a collection's tag
    is the default one; nor `<<`, so no key is a merge key."""
    import yaml  # PyYAML's libyaml binding, which MkDocs brings

    tags = {
        yaml.ScalarNode: _STR,
        yaml.SequenceNode: "tag:yaml.org,2002:seq",
        yaml.MappingNode: "tag:yaml.org,2002:map",
    }

    class Composer(yaml.CSafeLoader):
        def resolve(self, kind: type, value: Any, implicit: Any) -> str:
            return tags[kind]

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            pass

        def ascend_resolver(self) -> None:
            pass

    return Composer


# ---------------------------------------------------------------- the converter


# A key written without the space YAML needs after its colon: `year:2008`.
_KEY_WITHOUT_SPACE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w-]*):(\S.*)$")


def explain_syntax_error(text: str, exc: MarkedYAMLError) -> tuple[int, int, str]:
    """Where a YAML syntax error is to be fixed and what usually causes it, in plain words."""
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    lines = text.splitlines()
    if "'\\t'" in problem or "\t" in problem:
        return line, column, msg("syntax.tab")
    if "quoted scalar" in context and exc.context_mark is not None:
        start = exc.context_mark
        return start.line + 1, start.column + 1, msg("syntax.unclosed_quote")
    if "flow sequence" in context or "flow mapping" in context:
        start = exc.context_mark or mark
        closing = "]" if "sequence" in context else "}"
        return start.line + 1, start.column + 1, msg("syntax.unclosed_bracket", closing=closing)
    opened = _unclosed_quote(lines[: max(line - 1, 0)])
    if opened is not None:  # a quote left open runs on to a later line and the parser stumbles there
        return opened[0], opened[1], msg("syntax.unclosed_quote")
    if "mapping values are not allowed" in problem or "could not find expected ':'" in problem:
        for number in range(min(line, len(lines)), 0, -1):  # the cause is on the line or above it
            found = _KEY_WITHOUT_SPACE.match(lines[number - 1])
            if found and not found.group(3).startswith(("//", ":")):
                value = found.group(3).split(" #", 1)[0].strip()  # without a comment after it
                return (
                    number,
                    len(found.group(1)) + len(found.group(2)) + 1,
                    msg(
                        "syntax.missing_space", written=f"{found.group(2)}:{value}", fixed=f"{found.group(2)}: {value}"
                    ),
                )
            if number < line and lines[number - 1].strip() and not lines[number - 1].lstrip().startswith("#"):
                break
        current = lines[line - 1] if 0 < line <= len(lines) else ""
        if current[: column - 1].count(": ") >= 1 and "mapping values" in problem:
            return line, column, msg("syntax.colon_in_value")
        indent = len(current) - len(current.lstrip(" "))
        return line, indent + 1, msg("syntax.indentation")
    if "expected <block end>" in problem or "block collection" in context or "block mapping" in context:
        return line, column, msg("syntax.indentation")
    return line, column, msg("syntax.other", detail=problem or context or "?")


# A value that starts with a quote: `key: 'text`, `- "text`, `- {id: '1.1`.
_QUOTED_START = re.compile(r"""^\s*(?:-\s+)?(?:[\w-]+:\s+)?(['"])""")


def _unclosed_quote(lines: list[str]) -> tuple[int, int] | None:
    """Line and column of the first quoted value that is not closed on its own line, if any."""
    for number, text in enumerate(lines, start=1):
        found = _QUOTED_START.match(text)
        if not found:
            continue
        quote, rest = found.group(1), text[found.end() :]
        rest = rest.replace("''", "") if quote == "'" else re.sub(r"\\.", "", rest)
        if quote not in rest:
            return number, found.end()
    return None


_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


_STR = "tag:yaml.org,2002:str"


def _written_tag(node: Node) -> str:
    """The tag ruamel gave a node: its YAML 1.2 resolver's, or the one written in the file."""
    return str(node.tag)


def _node_place(node: Node) -> tuple[int, int]:
    """Where a node starts: line and column, counting from 1 (a Pos only for a problem: 100,000 a corpus)."""
    mark = node.start_mark
    return mark.line + 1, mark.column + 1


def _to_plain(root: Any, shown: str, tag_of: Callable[[Any], str]) -> tuple[Any, dict, dict]:
    """The loader's one converter: plain data, the position of every value and of every key,
    from the nodes of either composer (`tag_of` says what each node is)."""
    found = _Found(shown, tag_of, {}, {})
    return _convert(root, (), 0, found), found.value_pos, found.key_pos


@dataclass(frozen=True)
class _Found:
    """What `_convert` is given and fills in. Not a closure that calls itself: that would be a
    reference cycle holding both dictionaries, which only the cycle collector frees, and builds
    pause it (build._collector_paused): every file read kept them for good (28 MB at 100 x 3)."""

    shown: str
    tag_of: Callable[[Any], str]
    value_pos: dict
    key_pos: dict


def _convert(node: Any, path: tuple, depth: int, found: _Found) -> Any:
    shown, value_pos, key_pos = found.shown, found.value_pos, found.key_pos
    place = _node_place(node)
    if depth > MAX_DEPTH:
        raise _Refusal(Pos(shown, *place), msg("loader.too_deep", depth=MAX_DEPTH))
    if getattr(node, "anchor", None):
        raise _Refusal(Pos(shown, *place), msg("loader.anchor", anchor=node.anchor))
    tag = found.tag_of(node)
    if tag not in _PLAIN_TAGS:
        raise _Refusal(Pos(shown, *place), msg("loader.tag", tag=tag))
    value_pos[path] = place
    if node.id == "mapping":
        result: dict = {}
        for key_node, value_node in node.value:
            key_here = _node_place(key_node)
            if str(key_node.tag) == "tag:yaml.org,2002:merge":
                raise _Refusal(Pos(shown, *key_here), msg("loader.merge_key"))
            if key_node.id != "scalar":
                raise _Refusal(Pos(shown, *key_here), msg("loader.complex_key"))
            key = _no_surrogate(str(key_node.value), shown, key_here)
            if key in result:
                first = key_pos[path + (key,)]
                raise _Refusal(Pos(shown, *key_here), msg("loader.duplicate_key", key=key, line=first[0]))
            key_pos[path + (key,)] = key_here
            result[key] = _convert(value_node, path + (key,), depth + 1, found)
            if result[key] is None and value_node.value in ("", None):
                value_pos[path + (key,)] = key_here  # an empty value has no place of its own
        return result
    if node.id == "sequence":
        return [_convert(item, path + (index,), depth + 1, found) for index, item in enumerate(node.value)]
    return _scalar(cast(ScalarNode, node), tag, shown, place)  # the composer makes no fourth kind of node


def _libyaml_tag(node: Any) -> str:
    """The tag ruamel would give a node of libyaml's (which resolves plain scalars by YAML 1.1): a
    quoted or block scalar is text, a plain one what ruamel's YAML 1.2 resolver says; a collection
    keeps its default tag (`_ordinary` text writes none)."""
    if node.id != "scalar":
        return node.tag
    return _STR if node.style else _plain_tag(node.value)


def _scalar(node: ScalarNode, tag: str, shown: str, place: tuple[int, int]) -> Any:
    text = node.value
    kind = tag.rsplit(":", 1)[-1]
    if kind == "null":
        return None
    if kind == "bool":
        return text.lower() in ("true", "yes", "on")
    if kind == "int":
        cleaned = text.replace("_", "")
        try:
            return int(cleaned, 0) if re.match(r"^[-+]?0[xob]", cleaned, re.I) else int(cleaned, 10)
        except ValueError:
            return text
    if kind == "float":
        lowered = text.lower().replace("_", "")
        if lowered.lstrip("+-") in (".inf", ".nan"):
            raise _Refusal(Pos(shown, *place), msg("loader.not_finite", text=text))
        number = float(lowered)
        if not math.isfinite(number):
            raise _Refusal(Pos(shown, *place), msg("loader.not_finite", text=text))
        return number + 0.0  # -0.0 becomes 0.0: a value of -0 is 0 everywhere it is shown
    if node.style == ">":
        text = text.replace("\a", "")  # ruamel marks the fold points of folded text with BEL
    return _no_surrogate(text, shown, place)  # str and timestamp: dates stay the text that was written


# A lone surrogate comes only from an escape in a double-quoted string ("\ud800"): it is no
# character, so no page, file or message could be written with it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogate(text: str, shown: str, place: tuple[int, int]) -> str:
    found = _SURROGATE.search(text)
    if found:
        raise _Refusal(Pos(shown, *place), msg("loader.surrogate", code=f"{ord(found.group(0)):04x}"))
    return text


@lru_cache(maxsize=65536)
def _plain_tag(value: str) -> str:
    """The tag YAML 1.2 gives a plain scalar: a pure function of its text, and the same texts
    (ids, points, "true") come back thousands of times in a large data folder."""
    return str(_resolver().resolve(ScalarNode, value, (True, False)))


@cache
def _resolver():
    from ruamel.yaml.resolver import VersionedResolver

    return VersionedResolver(version=(1, 2))  # what YAML(typ="rt") applies to a document without %YAML


# ---------------------------------------------------------------- the data folder, on disk or in memory


class SourceTree(Protocol):
    """A data folder's files, wherever they are: a folder on disk, or git blobs in memory."""

    shown: str  # how messages name the data folder itself

    def listing(self) -> tuple[list[str], dict[str, str]]:
        """The paths inside the data folder (POSIX, sorted as a folder is walked) of the files to consider,
        and every entry refused unread (a symbolic link, a submodule) with the reason; "" is the folder itself."""

    def read(self, relative: str) -> bytes:
        """The bytes of one listed file (OSError when it cannot be read)."""

    def shown_path(self, relative: str) -> str:
        """How messages name one file ("" names the folder)."""


class FolderTree:
    """A data folder on disk. Symbolic links are refused and never followed."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.shown = display_path(self.root)

    def listing(self) -> tuple[list[str], dict[str, str]]:
        if self.root.is_symlink():
            return [], {"": link_message()}
        found, links = [], []
        registers = set(layout.REGISTERS.values())
        root = os.fspath(self.root)
        pending = [""]  # folders to list, relative to the root; a linked folder is named, never entered
        while pending:
            base = pending.pop()
            try:
                entries = list(os.scandir(f"{root}/{base}" if base else root))
            except OSError:  # as os.walk, which this replaced: a folder that cannot be listed is left out
                continue
            for entry in entries:  # an entry knows whether it is a link or a folder without another system call
                relative = f"{base}/{entry.name}" if base else entry.name
                try:
                    is_link, is_folder = entry.is_symlink(), entry.is_dir(follow_symlinks=False)
                except OSError:  # as os.path.islink and os.walk: neither, when it cannot be told
                    is_link = is_folder = False
                if is_link:
                    links.append(relative)
                    continue
                if is_folder:
                    pending.append(relative)
                if not entry.name.startswith(".") and (not is_folder or relative in registers):
                    found.append(relative)  # a folder named as a register is listed: reading it says what is wrong
        return sorted(found, key=_path_order), {link: link_message() for link in sorted(links, key=_path_order)}

    def read(self, relative: str) -> bytes:
        return self.path(relative).read_bytes()

    def shown_path(self, relative: str) -> str:
        return display_path(self.path(relative)) if relative else self.shown

    def path(self, relative: str) -> Path:
        return self.root / relative if relative else self.root


class MemoryTree:
    """A data folder held in memory (say, read from git): file contents by their path inside it.
    `refused` names the entries not to read, with the reason (symbolic links, submodules)."""

    def __init__(self, shown: str, files: Mapping[str, bytes], refused: Mapping[str, str] | None = None):
        self.shown = shown
        self.files = dict(files)
        self.refused = dict(refused or {})

    def listing(self) -> tuple[list[str], dict[str, str]]:
        listed = [relative for relative in self.files if not PurePosixPath(relative).name.startswith(".")]
        return sorted(listed, key=lambda relative: PurePosixPath(relative).parts), dict(self.refused)

    def read(self, relative: str) -> bytes:
        return self.files[relative]

    def shown_path(self, relative: str) -> str:
        return posixpath.join(self.shown, relative) if relative else self.shown


def _path_order(relative: str) -> list[str]:
    """A relative path's place among others, as sorted Paths have it (part by part)."""
    return relative.split("/")


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path != root else ""


@dataclass(frozen=True)
class DataFiles:
    frameworks: tuple[Path, ...]
    municipalities: Path | None
    sources: Path | None
    references: tuple[Path, ...]
    evaluations: tuple[Path, ...]
    strays: tuple[Path, ...]
    links: tuple[Path, ...] = ()  # symbolic links: refused, never followed


@dataclass(frozen=True)
class _Sorted:
    """A tree's files by what they hold (paths inside the data folder), as `layout` says."""

    by_kind: dict[str, tuple[str, ...]]
    strays: tuple[str, ...]
    refused: dict[str, str]

    def readable(self) -> list[tuple[str, str]]:
        """(path, kind) of every file to read, in the order the loader reads them."""
        return [(relative, kind) for kind in layout.KINDS for relative in self.by_kind[kind]]


def _sort_files(tree: SourceTree) -> _Sorted:
    listed, refused = tree.listing()
    by_kind: dict[str, list[str]] = {kind: [] for kind in layout.KINDS}
    strays = []
    for relative in listed:
        kind = layout.kind_of(_parts(relative))
        if kind is None:
            strays.append(relative)
        else:
            by_kind[kind].append(relative)
    return _Sorted({kind: tuple(found) for kind, found in by_kind.items()}, tuple(strays), refused)


def _parts(relative: str) -> tuple[str, ...]:
    """A relative POSIX path's parts, as PurePosixPath gives them (made only where it would differ)."""
    parts = tuple(relative.split("/"))
    return PurePosixPath(relative).parts if "" in parts or "." in parts else parts


def link_message() -> str:
    return msg("loader.link")


def symbolic_links(root: Path) -> list[Path]:
    """Every symbolic link at or under `root` (the links themselves, never followed), in a stable order."""
    if root.is_symlink():
        return [root]
    found: list[Path] = []
    for folder, folders, files in os.walk(root, followlinks=False):
        for name in folders + files:
            path = Path(folder) / name
            if path.is_symlink():
                found.append(path)
    return sorted(found)


def link_problems(root: Path) -> list[Problem]:
    """A positioned error for every symbolic link at or under `root`."""
    return [error(Pos(display_path(path), 1, 1), link_message()) for path in symbolic_links(root)]


def find_data_files(root: Path) -> DataFiles:
    """Sort the files of a data folder by what they hold, in a stable order."""
    tree = FolderTree(root)
    found = _sort_files(tree)

    def paths(kind: str) -> tuple[Path, ...]:
        return tuple(tree.path(relative) for relative in found.by_kind[kind])

    municipalities, sources = paths("municipalities"), paths("sources")
    return DataFiles(
        paths("framework"),
        municipalities[0] if municipalities else None,
        sources[0] if sources else None,
        paths("reference"),
        paths("evaluation"),
        tuple(tree.path(relative) for relative in found.strays),
        tuple(tree.path(relative) for relative in found.refused),
    )


Reader = Callable[[SourceTree, str, str], tuple]


def read_from_tree(tree: SourceTree, relative: str, kind: str) -> tuple[Document | None, list[Problem]]:
    """The document of one file of a tree, or why it was refused."""
    try:
        raw = tree.read(relative)
    except OSError as exc:
        return None, [error(Pos(tree.shown_path(relative)), msg("loader.unreadable", reason=exc.strerror))]
    return parse_document(raw, tree.shown_path(relative), kind)


def load_dataset(root: Path, read: Callable[[Path, str], tuple] | None = None) -> tuple[m.Dataset, list[Problem]]:
    """Read every file of a data folder into a Dataset; problems say what was refused.
    `read(path, kind)`, when given, reads each file instead of the loader."""
    tree = FolderTree(root)
    if read is None:
        return load_tree(tree)
    return load_tree(tree, lambda _tree, relative, kind: read(tree.path(relative), kind))


def load_tree(tree: SourceTree, read: Reader = read_from_tree) -> tuple[m.Dataset, list[Problem]]:
    """Read every file of a data folder, on disk or in memory, into a Dataset; problems say what was refused."""
    files = _sort_files(tree)
    problems: list[Problem] = [
        error(Pos(tree.shown_path(link), 1, 1), reason) for link, reason in files.refused.items()
    ]
    for stray in files.strays:
        problems.append(warning(Pos(tree.shown_path(stray)), msg("loader.stray_file")))
    if not files.by_kind["framework"]:
        problems.append(error(Pos(tree.shown), msg("loader.no_frameworks", folder=layout.FRAMEWORKS_DIR)))
    for kind, name in layout.REGISTERS.items():
        if not files.by_kind[kind] and name not in files.refused:
            problems.append(error(Pos(tree.shown_path(name)), msg("loader.register_missing", name=name)))

    records: dict[str, list] = {kind: [] for kind in layout.KINDS}
    for relative, kind in files.readable():
        document, refused = read(tree, relative, kind)
        problems.extend(refused)
        if document is not None:
            found, built = check_and_build(document)
            problems.extend(found)
            records[kind].extend(built)
    shown = [
        tree.shown_path(relative)
        for kind in ("municipalities", "sources", "framework", "reference", "evaluation")
        for relative in files.by_kind[kind]
    ]
    dataset = m.Dataset(
        frameworks=tuple(records["framework"]),
        municipalities=tuple(records["municipalities"]),
        sources=tuple(records["sources"]),
        evaluations=tuple(records["evaluation"]),
        references=tuple(records["reference"]),
        files=tuple(shown),
    )
    return dataset, problems


# ---------------------------------------------------------------- building records


def _without(document: Document, refused: list[tuple]) -> Document:
    """The document with the values at `refused` paths emptied (a mapping's key counts as absent)."""
    import copy

    data = copy.deepcopy(document.data)
    for path in sorted(refused, key=len, reverse=True):
        if not path:
            continue
        try:
            parent = _get(data, path[:-1])
            parent[path[-1]] = None
        except (KeyError, IndexError, TypeError):
            continue
    return Document(document.path, document.kind, data, document.value_pos, document.key_pos)


def check_and_build(document: Document) -> tuple[list[Problem], tuple]:
    """A document's schema problems and its records. The values the schema refused are left
    out, so that the checks of the rest of the file still run: one round shows every problem.
    A record that cannot be built without what was refused is left out (its problems are reported)."""
    problems, refused = schema.check_and_locate(document)
    if refused:
        document = _without(document, refused)
    try:
        return problems, _BUILDERS[document.kind](document)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return problems, ()


def _spans(document: Document, path: tuple, _data: dict) -> dict:
    raw = _get(document.data, path)  # the raw mapping still has the keys left empty
    return {key: document.pos(path + (key,)) for key in raw}


def _source_ref(document: Document, path: tuple) -> m.SourceRef:
    try:
        data = _get(_clean(document), path)
    except (KeyError, IndexError, TypeError):  # missing: reported by the schema
        data = {}
    return m.SourceRef(data.get("report"), data.get("location"), document.pos(path))


def _kept(items: Any, *required: str) -> list[tuple[int, dict]]:
    """(index, item) of the list's items that have the keys their record needs: an item without
    them was refused by the schema and is reported there, the others are still checked."""
    if not isinstance(items, list):
        return []
    return [
        (index, item)
        for index, item in enumerate(items)
        if isinstance(item, dict) and all(key in item for key in required)
    ]


def _clean(document: Document) -> Any:
    return document.clean


def _get(data: Any, path: tuple) -> Any:
    for step in path:
        data = data[step]
    return data


def _framework(document: Document) -> m.Framework:
    data = _clean(document)
    areas = []
    for a_index, area in enumerate(data["areas"]):
        a_path = ("areas", a_index)
        questions = tuple(
            m.QuestionDef(str(q["id"]), q["text"], q["max_points"], document.pos(a_path + ("questions", q_index)))
            for q_index, q in enumerate(area["questions"])
        )
        relations = tuple(
            m.AreaRelation(str(r["framework"]), r["area"], r["relation"], document.pos(a_path + ("relations", r_index)))
            for r_index, r in enumerate(area.get("relations", []))
        )
        areas.append(
            m.AreaDef(
                area["number"],
                area["name"],
                area["max_points"],
                questions,
                relations,
                document.pos(a_path),
                _spans(document, a_path, area),
            )
        )
    return m.Framework(
        str(data["id"]),
        data["name"],
        data["label"],
        data["first_year"],
        data.get("last_year"),
        data["max_points"],
        tuple(areas),
        document.pos(),
        _spans(document, (), data),
    )


def _municipalities(document: Document) -> list[m.Municipality]:
    return _each(document, "municipalities", _municipality)


def _municipality(document: Document, path: tuple, item: dict) -> m.Municipality:
    facts = tuple(
        m.Fact(
            fact["kind"],
            fact["value"],
            fact.get("year"),
            fact.get("label"),
            fact.get("note"),
            _source_ref(document, path + ("facts", f_index, "source")) if "source" in fact else None,
            document.pos(path + ("facts", f_index)),
        )
        for f_index, fact in enumerate(item.get("facts", []))
    )
    return m.Municipality(
        item["slug"],
        str(item["code"]),
        item["name"],
        item["county"],
        item.get("country", "SE"),
        facts,
        document.pos(path),
    )


def _sources(document: Document) -> list[m.Source]:
    return _each(
        document,
        "sources",
        lambda d, path, item: m.Source(
            item["id"], item["title"], item["publisher"], item["year"], item.get("file"), d.pos(path), item.get("url")
        ),
    )


def _each(document: Document, key: str, build: Callable[[Document, tuple, dict], Any]) -> list:
    """One record per entry of a register; an entry the schema refused is left out."""
    records = []
    for index, item in enumerate(_clean(document).get(key) or []):
        try:
            records.append(build(document, (key, index), item))
        except (KeyError, IndexError, TypeError, ValueError, AttributeError):
            continue
    return records


def _reference(document: Document) -> m.ReferenceSeries:
    data = _clean(document)
    points = tuple(
        m.ReferencePoint(item["area"], item["points"], document.pos(("areas", index)))
        for index, item in enumerate(data["areas"])
    )
    return m.ReferenceSeries(
        data["id"],
        data["name"],
        data["statistic"],
        str(data["framework"]),
        data["year"],
        _source_ref(document, ("source",)),
        data.get("reported_total"),
        points,
        tuple(data.get("notes", [])),
        document.pos(),
        _spans(document, (), data),
    )


def _evaluation(document: Document) -> m.Evaluation:
    data = _clean(document)
    areas = tuple(_area_result(document, ("areas", index), area) for index, area in _kept(data.get("areas"), "area"))
    comparisons = tuple(
        m.Comparison(
            c["municipality"],
            c["year"],
            c.get("reported_total"),
            c.get("location"),
            document.pos(("compared_with", index)),
        )
        for index, c in _kept(data.get("compared_with", []), "municipality", "year")
    )
    discrepancies = tuple(
        m.Discrepancy(d["text"], d.get("area"), d.get("question"), document.pos(("discrepancies", index)))
        for index, d in _kept(data.get("discrepancies", []), "text")
    )
    # A file the schema refused still gets the rest of its checks: a missing municipality or
    # year is read from where the file lies, a missing level of detail from what it holds.
    where = Path(document.path)
    municipality = data.get("municipality", where.parent.name)
    year = data["year"] if "year" in data else int(where.stem)
    detail = data.get("detail") or ("full" if any(a.questions for a in areas) else "areas")
    return m.Evaluation(
        municipality=municipality,
        year=year,
        framework=str(data["framework"]),
        detail=detail,
        month=data.get("month"),
        report_date=data.get("report_date"),
        ordinal=data.get("ordinal"),
        previous_years=tuple(data.get("previous_years", [])),
        evaluators=tuple(data.get("evaluators", [])),
        interviewees=data.get("interviewees"),
        source=_source_ref(document, ("source",)),
        summary=data.get("summary"),
        reported_total=data.get("reported_total"),
        areas=areas,
        compared_with=comparisons,
        discrepancies=discrepancies,
        pos=document.pos(),
        spans=_spans(document, (), data),
    )


def _area_result(document: Document, path: tuple, area: dict) -> m.AreaResult:
    questions = tuple(
        m.QuestionScore(
            str(q["id"]),
            q.get("points"),
            q.get("printed_text"),
            q.get("reported_max"),
            q.get("reported_percent"),
            document.pos(path + ("questions", index)),
            _spans(document, path + ("questions", index), q),
        )
        for index, q in _kept(area.get("questions", []), "id")
    )
    practices = tuple(
        m.GoodPractice(
            p["slug"],
            p["name"],
            bool(p.get("gold_star", False)),
            p["description"],
            tuple(m.Link(link["title"], link["url"]) for link in p.get("links", [])),
            document.pos(path + ("good_practices", index)),
            _spans(document, path + ("good_practices", index), p),
        )
        for index, p in _kept(area.get("good_practices", []), "slug", "name", "description")
    )
    cited = tuple(
        m.CitedExample(
            c["municipality"],
            c["topic"],
            document.pos(path + ("cited_examples", index)),
            _spans(document, path + ("cited_examples", index), c),
        )
        for index, c in _kept(area.get("cited_examples", []), "municipality", "topic")
    )
    return m.AreaResult(
        area=area["area"],
        printed_name=area.get("printed_name"),
        reported_points=area.get("reported_points"),
        reported_percent=area.get("reported_percent"),
        description=area.get("description"),
        questions=questions,
        strengths=tuple(area.get("strengths", [])),
        improvements=tuple(area.get("improvements", [])),
        good_practices=practices,
        cited_examples=cited,
        pos=document.pos(path),
        spans=_spans(document, path, area),
    )


_BUILDERS: dict[str, Callable[[Document], tuple]] = {
    "framework": lambda d: (_framework(d),),
    "municipalities": lambda d: tuple(_municipalities(d)),
    "sources": lambda d: tuple(_sources(d)),
    "reference": lambda d: (_reference(d),),
    "evaluation": lambda d: (_evaluation(d),),
}


# ---------------------------------------------------------------- round trip (for `fmt`)


def kind_of(path: Path, root: Path) -> str | None:
    """Which schema a file of the data folder follows, by where it lies."""
    try:
        relative = path.resolve().relative_to(root.resolve()).parts
    except ValueError:
        return None
    return layout.kind_by_place(relative)


def _round_trip_yaml() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never re-wrap text: layout changes, values stay
    return yaml


def reformat(text: str, order: Callable[[Any], None]) -> str:
    """Parse with comments kept, let `order` rearrange keys in place, dump again."""
    yaml = _round_trip_yaml()
    tree = yaml.load(text)
    order(tree)
    out = io.StringIO()
    yaml.dump(tree, out)
    return out.getvalue()


def load_locale(path: Path) -> dict:
    """The citizen-facing texts of one language (a file of ours, not evaluator input)."""
    return read_plain(path)


def load_site_config(path: Path) -> Any:
    """A portal's mkdocs.yml as plain values, for the folders it names (MkDocs reads it again to
    build). MkDocs' own tags are read as MkDocs reads them where a folder could depend on them:
    `!ENV NAME` or `!ENV [NAME, ..., default]` is the first variable set, else the default;
    any other tag (`!relative`, Python names in Markdown settings) gives None."""
    from ruamel.yaml.constructor import SafeConstructor
    from ruamel.yaml.nodes import SequenceNode

    class SiteConfigConstructor(SafeConstructor):  # a subclass: the data files' loader refuses every tag
        pass

    def environment(constructor, node: Node) -> Any:
        names = (
            constructor.construct_sequence(node)
            if isinstance(node, SequenceNode)
            else [constructor.construct_scalar(node)]
        )
        for name in names[:-1] if len(names) > 1 else names:
            if os.environ.get(str(name)) is not None:
                return os.environ[str(name)]
        return names[-1] if len(names) > 1 else None

    SiteConfigConstructor.add_constructor("!ENV", environment)
    SiteConfigConstructor.add_multi_constructor("!", lambda constructor, suffix, node: None)
    SiteConfigConstructor.add_multi_constructor("tag:yaml.org,2002:python/", lambda constructor, suffix, node: None)
    yaml = YAML(typ="safe", pure=True)
    yaml.Constructor = SiteConfigConstructor
    try:
        return yaml.load(path.read_text(encoding="utf-8"))
    finally:
        _release(yaml)
