"""`diff`: what a change to the data means, as Markdown for the reviewer of a pull request.

`summarize_revisions` reads the data folder at two git revisions (or one revision
and the working tree), loads and validates both with the ordinary pipeline
(loader -> validate -> aggregate -> render) and describes the difference the way an
evaluator thinks about it: which evaluations were added, removed or changed; for a
changed one, which area and question scores moved and by how much, the old and new
totals and which texts changed; which good practices came or went; what the
validator says about the new data; and which pages of the site appear, disappear or
change, with their addresses in the preview.

Git is only read (`ls-tree`, `cat-file`), never changed. The summary is for the
evaluators who review the data, so it is in Swedish (English with --lang en); every sentence
is in the `summary` section of the message catalogue (TEXT below reads it).
"""

from __future__ import annotations

import difflib
import os
import posixpath
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from generator import model as m
from generator.errors import UsageError
from generator.layout import evaluation_key
from generator.messages import msg, section
from generator.problems import Level, Problem, display_path, has_errors
from generator.site import urls
from generator.text import code_span as _code
from generator.text import escape_markdown as _md
from generator.text import format_number, whole


class _Sentences(Mapping):
    """Every sentence of the summary, from the `summary` section of the message catalogue in
    the chosen language (generator/locale/messages.*.yaml). Placeholders are filled with str.format."""

    def __getitem__(self, key: str) -> Any:
        return section("summary")[key]

    def __iter__(self) -> Iterator[str]:
        return iter(section("summary"))

    def __len__(self) -> int:
        return len(section("summary"))


TEXT = _Sentences()

_EVALUATION_FIELDS = (
    "framework",
    "detail",
    "month",
    "report_date",
    "ordinal",
    "previous_years",
    "evaluators",
    "interviewees",
    "source",
    "reported_total",
)
_AREA_FIELDS = ("printed_name", "reported_percent")
_QUESTION_FIELDS = ("printed_text", "reported_max", "reported_percent")
_PRACTICE_FIELDS = ("name", "gold_star", "description", "links")
# The summary becomes a pull-request comment, which GitHub cuts at 65,536 characters.
MAX_SUMMARY_CHARS = 60_000


class RevisionError(UsageError):
    """A revision or the data folder could not be read from git."""


# ---------------------------------------------------------------- the data at one revision


@dataclass
class Side:
    """The data folder at one revision: files, validated dataset, portal and pages."""

    label: str
    files: dict[str, bytes]
    dataset: m.Dataset
    problems: list[Problem]
    portal: Any = None  # generator.aggregate.Portal, or None when it could not be computed
    links: dict[str, bytes] = field(default_factory=dict)  # symbolic links in the data folder: path -> target
    pages: dict[str, bytes] | None = None
    views: dict = field(default_factory=dict)


def summarize_revisions(base: str, head: str | None, data: Path, preview_url: str) -> tuple[str, bool]:
    """Markdown describing what changes in `data` from `base` to `head` (None: the working tree).

    Returns the text and whether the data at `head` is free of validation errors.
    Raises RevisionError (a UsageError) when a revision or the data folder cannot be read.
    """
    try:
        top, prefix = _locate(data)
        base_sha = _resolve(top, base)
        head_sha = _resolve(top, head) if head is not None else None
        shown = display_path(data)
        base_side = _side(base, *_tree_files(top, base_sha, prefix), shown)
        if head is None or head_sha is None:
            head_side = _side(TEXT["working_tree"], *_folder_files(data), shown, folder=data)
        else:
            head_side = _side(head, *_tree_files(top, head_sha, prefix), shown)
        others = _other_changes(top, base_sha, head_sha, prefix)
    except RevisionError as exc:
        raise UsageError(str(exc)) from None
    head_text = (
        TEXT["working_tree"]
        if head is None or head_sha is None
        else TEXT["head_revision"].format(head=_code(head), head_sha=head_sha[:7])
    )
    intro = TEXT["compared"].format(base=_code(base), base_sha=base_sha[:7], head=head_text)
    return summarize(base_side, head_side, preview_url, intro, shown, others), not has_errors(head_side.problems)


# ---------------------------------------------------------------- git


def _git(args: list[str], cwd: Path, stdin: bytes | None = None) -> bytes:
    try:
        result = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)
    except OSError as exc:
        raise RevisionError(msg("diff.no_git", reason=exc.strerror)) from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        command = next(a for a in args if not a.startswith("-"))
        raise RevisionError(
            msg("diff.git_failed", command=command, detail=message[-1] if message else result.returncode)
        )
    return result.stdout


def _locate(data: Path) -> tuple[Path, str]:
    """The repository's top folder and the data folder's path inside it."""
    start = data if data.is_dir() else Path.cwd()
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"], start).decode().strip())
    except RevisionError:
        raise RevisionError(msg("diff.not_in_repository", data=data)) from None
    relative = os.path.relpath(os.path.realpath(data), os.path.realpath(top))
    if relative == ".." or relative.startswith(".." + os.sep) or os.path.isabs(relative):
        raise RevisionError(msg("diff.outside_repository", data=data, top=top))
    return top, PurePosixPath(*Path(relative).parts).as_posix() if relative != "." else "."


def _resolve(top: Path, revision: str) -> str:
    if not revision or revision.startswith("-"):
        raise RevisionError(msg("diff.not_a_revision", revision=revision))
    try:
        return (
            _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"], top)
            .decode()
            .strip()
        )
    except RevisionError:
        raise RevisionError(msg("diff.unknown_revision", revision=revision)) from None


# What `_tree_files` puts before a submodule's commit among the links: no link's target holds a NUL.
SUBMODULE = b"\0submodule "


def _tree_files(top: Path, sha: str, prefix: str) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Every regular file under `prefix` at commit `sha`, keyed by its path inside the data folder,
    and every symbolic link there (mode 120000) with its target, which is never followed."""
    paths = [] if prefix == "." else [prefix]
    listing = _git(["--literal-pathspecs", "ls-tree", "-r", "-z", "--full-tree", sha, "--", *paths], top)
    entries: list[tuple[str, str]] = []
    links: list[tuple[str, str]] = []
    submodules: dict[str, bytes] = {}
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, kind, object_id = meta.decode().split()
        name = path.decode("utf-8", "surrogateescape")
        inner = name if prefix == "." else name[len(prefix) + 1 :]
        parts = PurePosixPath(inner).parts
        if not parts or any(p in ("", ".", "..") for p in parts):
            continue
        if mode == "160000":  # a submodule: listed and refused like a link, never fetched
            submodules[inner] = SUBMODULE + object_id.encode()
            continue
        if kind != "blob" or mode not in ("100644", "100755", "120000"):
            continue
        (links if mode == "120000" else entries).append((inner, object_id))
    wanted = entries + links
    if not wanted:
        return {}, submodules
    output = _git(["cat-file", "--batch"], top, stdin="".join(f"{oid}\n" for _, oid in wanted).encode())
    files: dict[str, bytes] = {}
    offset = 0
    for inner, _ in wanted:
        end = output.index(b"\n", offset)
        header = output[offset:end].decode().split()
        size = int(header[2])
        files[inner] = output[end + 1 : end + 1 + size]
        offset = end + 1 + size + 1
    link_names = {inner for inner, _ in links}
    return (
        {k: v for k, v in files.items() if k not in link_names},
        {**{k: v for k, v in files.items() if k in link_names}, **submodules},
    )


def _folder_files(root: Path) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The working tree's files of the data folder, and its symbolic links with their targets (never followed)."""
    from generator.loader import symbolic_links

    if not root.is_dir() or root.is_symlink():
        return {}, {}
    found = symbolic_links(root)
    links = {path.relative_to(root).as_posix(): os.fsencode(os.readlink(path)) for path in found}
    inside_link = set(found)
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path not in inside_link
        and not any(parent in inside_link for parent in path.parents)
        and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(root).parts)
    }, links


def _other_changes(top: Path, base_sha: str, head_sha: str | None, prefix: str) -> list[str]:
    """Every path changed outside the data folder (for the working tree: with the files git does not track yet)."""
    revisions = [base_sha] + ([head_sha] if head_sha else [])
    changed = _git(["--literal-pathspecs", "diff", "--name-only", "--no-renames", "-z", *revisions, "--"], top).split(
        b"\0"
    )
    if head_sha is None:
        changed += _git(["ls-files", "--others", "--exclude-standard", "-z"], top).split(b"\0")
    inside = "" if prefix == "." else prefix + "/"
    paths = {name.decode("utf-8", "surrogateescape") for name in changed if name}
    return sorted(p for p in paths if inside and not p.startswith(inside))


# ---------------------------------------------------------------- loading one side


def _side(label: str, files: dict[str, bytes], links: dict[str, bytes], shown: str, folder: Path | None = None) -> Side:
    """Load one side: the `files` read from git, held in memory (links and submodules are refused
    unread, as the loader refuses links in a folder), or the data `folder` itself."""
    from generator.aggregate import aggregate
    from generator.loader import FolderTree, MemoryTree, SourceTree, link_message
    from generator.validate import validate_tree

    tree: SourceTree
    if folder is not None:
        tree = FolderTree(folder)
    else:
        refused = {
            link: msg("diff.submodule") if target.startswith(SUBMODULE) else link_message()
            for link, target in links.items()
        }
        tree = MemoryTree(shown, files, refused)
    dataset, problems = validate_tree(tree)
    try:
        portal = aggregate(_usable(dataset))
    except Exception:
        if not has_errors(problems):
            raise  # valid data that does not aggregate is a bug, not something to summarize
        portal = None  # data with errors may not aggregate; the summary says so
    side = Side(label, files, dataset, problems, portal, links=links)
    if portal is not None:
        side.views = {view.key: view for view in portal.evaluations}
    return side


def _usable(dataset: m.Dataset) -> m.Dataset:
    """The part of a dataset that aggregation can handle even when it has errors."""
    frameworks = {f.id for f in dataset.frameworks}
    municipalities = {mu.slug for mu in dataset.municipalities}
    seen: set[str] = set()
    kept = []
    for evaluation in dataset.evaluations:
        if (
            evaluation.framework in frameworks
            and evaluation.municipality in municipalities
            and evaluation.key not in seen
        ):
            seen.add(evaluation.key)
            kept.append(evaluation)
    return replace(dataset, evaluations=tuple(kept))


def _pages(side: Side) -> dict[str, bytes] | None:
    if side.pages is None and side.portal is not None:
        from generator.site.pages import render_site

        try:
            rendered = render_site(side.portal)
        except Exception:
            if not has_errors(side.problems):
                raise
            return None
        side.pages = {path: content for path, content in rendered.items() if path.endswith(".md")}
    return side.pages


# ---------------------------------------------------------------- the summary


def summarize(base: Side, head: Side, preview_url: str, intro: str, shown: str, others: Iterable[str] = ()) -> str:
    preview = _preview_base(preview_url)
    out: list[str] = [TEXT["title"], "", intro]
    if preview and not has_errors(head.problems):
        out.append(TEXT["preview"].format(url=preview))
    out.append("")

    base_evaluations = {e.key: e for e in base.dataset.evaluations}
    head_evaluations = {e.key: e for e in head.dataset.evaluations}
    head_files = set(head.files)
    added = [k for k in sorted(head_evaluations) if k not in base_evaluations]
    unreadable = sorted(
        path
        for path in head_files
        if _evaluation_key(path)
        and _evaluation_key(path) not in head_evaluations
        and any(p.pos.path == posixpath.join(shown, path) and p.level is Level.ERROR for p in head.problems)
    )
    unreadable_keys = {_evaluation_key(p) for p in unreadable}
    removed = [k for k in sorted(base_evaluations) if k not in head_evaluations and k not in unreadable_keys]
    changed = [
        k
        for k in sorted(base_evaluations)
        if k in head_evaluations
        and _evaluation_fingerprint(base_evaluations[k]) != _evaluation_fingerprint(head_evaluations[k])
    ]
    file_changes = _file_changes(base.files, head.files) + [
        (
            path,
            ("submodule_" if SUBMODULE in base.links.get(path, b"") + head.links.get(path, b"") else "link_") + status,
        )
        for path, status in _file_changes(base.links, head.links)
    ]
    file_changes.sort()
    others = list(others)

    errors = [p for p in head.problems if p.level is Level.ERROR]
    base_warnings = {(p.pos.path, p.message) for p in base.problems if p.level is Level.WARNING}
    new_warnings = [
        p for p in head.problems if p.level is Level.WARNING and (p.pos.path, p.message) not in base_warnings
    ]
    old_warnings = sum(1 for p in head.problems if p.level is Level.WARNING) - len(new_warnings)

    if not file_changes:
        out += [TEXT["no_changes"].format(data=shown), ""]
    else:
        out.append(TEXT["counts"].format(changed=len(changed), added=len(added), removed=len(removed)))
        out.append("")
    out.append(TEXT["validation_errors"].format(errors=len(errors)) if errors else TEXT["validation_ok"])
    if new_warnings:
        out.append(TEXT["new_warnings"].format(n=len(new_warnings)))
    out.append("")

    if file_changes:
        out += [TEXT["files"], ""]
        out += [TEXT[f"file_{status}"].format(path=_code(posixpath.join(shown, path))) for path, status in file_changes]
        out.append("")
    if others:
        out += [
            TEXT["other_files"],
            "",
            TEXT["other_files_note"],
            "",
            *[TEXT["other_file"].format(path=_code(p)) for p in others],
            "",
        ]
    if added:
        out += [TEXT["added"], ""]
        out += [_evaluation_item(head, head_evaluations[k], preview) for k in added]
        out.append("")
    if removed:
        out += [TEXT["removed"], ""]
        out += [_evaluation_item(base, base_evaluations[k], None) for k in removed]
        out.append("")
    if unreadable:
        out += [TEXT["unreadable"], ""]
        out += [TEXT["unreadable_item"].format(path=_code(posixpath.join(shown, p))) for p in unreadable]
        out.append("")
    if changed:
        out += [TEXT["changed"], ""]
        for key in changed:
            out += _evaluation_changes(base, head, base_evaluations[key], head_evaluations[key], preview)
    practice_lines = _practice_changes(base, head, preview, unreadable_keys)
    if practice_lines:
        out += [TEXT["practices"], ""] + practice_lines + [""]
    if errors or new_warnings:
        out += [TEXT["problems"], ""]
        out += [_problem_line(p) for p in errors + new_warnings]
        if old_warnings:
            out += ["", TEXT["old_warnings"].format(n=old_warnings)]
        out.append("")
    if file_changes:
        out += _page_changes(base, head, preview)
    while out and out[-1] == "":
        out.pop()
    return _cap("\n".join(out) + "\n")


def _cap(text: str) -> str:
    """At most MAX_SUMMARY_CHARS characters, cut at a line end, with a note saying so."""
    if len(text) <= MAX_SUMMARY_CHARS:
        return text
    cut = text.rfind("\n", 0, MAX_SUMMARY_CHARS - 200)
    return text[:cut] + "\n\n" + TEXT["cut"].format(n=whole(MAX_SUMMARY_CHARS, " ")) + "\n"


def _file_changes(base: dict[str, bytes], head: dict[str, bytes]) -> list[tuple[str, str]]:
    changes = []
    for path in sorted(set(base) | set(head)):
        if path not in base:
            changes.append((path, "added"))
        elif path not in head:
            changes.append((path, "removed"))
        elif base[path] != head[path]:
            changes.append((path, "changed"))
    return changes


def _evaluation_key(path: str) -> str | None:
    return evaluation_key(path)


def _evaluation_fingerprint(evaluation: m.Evaluation) -> Any:
    """Everything an evaluation says, without where in its file it says it."""
    return _strip_positions(evaluation)


def _strip_positions(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return tuple(
            (f.name, _strip_positions(getattr(value, f.name))) for f in fields(value) if f.name not in ("pos", "spans")
        )
    if isinstance(value, (list, tuple)):
        return tuple(_strip_positions(v) for v in value)
    return value


# ---------------------------------------------------------------- one evaluation


def _name(side: Side, evaluation: m.Evaluation) -> str:
    municipality = side.dataset.municipality(evaluation.municipality)
    return municipality.name if municipality else evaluation.municipality


def _area_name(side: Side, evaluation: m.Evaluation, number: int) -> str:
    framework = side.dataset.framework(evaluation.framework)
    area = framework.area(number) if framework else None
    return _md(area.name) if area else ""


def _area_points(side: Side, evaluation: m.Evaluation, number: int) -> tuple[float | None, float | None]:
    """(points shown for the area, sum of its questions)."""
    view = side.views.get(evaluation.key)
    row = view.area(number) if view else None
    if row is not None:
        return row.points, row.question_sum
    result = evaluation.area(number)
    if result is None:
        return None, None
    return result.points, result.question_sum


def _total(side: Side, evaluation: m.Evaluation) -> float | None:
    view = side.views.get(evaluation.key)
    if view is not None:
        return view.area_sum  # what the area points add up to, so that a changed area shows in the total
    numbers = sorted({a.area for a in evaluation.areas})
    parts = [_area_points(side, evaluation, n)[0] for n in numbers]
    return float(sum(parts)) if parts and None not in parts else None  # type: ignore[arg-type]  # `None not in` rules None out, but mypy cannot narrow a list's items by it


def _revision_name(side: Side, evaluation: m.Evaluation) -> str:
    """The revision's one name, as the pages give it (Kommunkompassen 2002), else its id."""
    framework = side.dataset.framework(evaluation.framework)
    return framework.name if framework else f"revision {evaluation.framework}"


def _evaluation_item(side: Side, evaluation: m.Evaluation, preview: str | None) -> str:
    url = urls.served(urls.evaluation(evaluation.municipality, evaluation.year))
    link = TEXT["page_link"].format(url=preview + url) if preview else ""
    return TEXT["evaluation_item"].format(
        name=_md(_name(side, evaluation)),
        year=evaluation.year,
        revision=_md(_revision_name(side, evaluation)),
        detail=TEXT["detail_full"] if evaluation.is_full else TEXT["detail_areas"],
        total=_number(_total(side, evaluation)),
        path=_code(evaluation.pos.path),
        link=link,
    )


def _evaluation_changes(base: Side, head: Side, old: m.Evaluation, new: m.Evaluation, preview: str | None) -> list[str]:
    url = urls.served(urls.evaluation(new.municipality, new.year))
    link = TEXT["page_link"].format(url=preview + url) if preview else ""
    out = [
        TEXT["evaluation_heading"].format(name=_md(_name(head, new)), year=new.year),
        "",
        TEXT["evaluation_file"].format(path=_code(new.pos.path), link=link),
        "",
    ]

    rows = []
    numbers = sorted({a.area for a in old.areas} | {a.area for a in new.areas})
    for number in numbers:
        old_points, old_sum = _area_points(base, old, number)
        new_points, new_sum = _area_points(head, new, number)
        name = _area_name(head, new, number) or _area_name(base, old, number)
        if old_points != new_points:
            rows.append(_row(TEXT["row_area"].format(number=number, name=name), old_points, new_points))
        elif old_sum != new_sum:
            rows.append(
                _row(
                    TEXT["row_area_sum"].format(number=number, name=name, printed=_number(new_points)), old_sum, new_sum
                )
            )
        old_area, new_area = old.area(number), new.area(number)
        old_questions = {q.id: q for q in (old_area.questions if old_area else ())}
        new_questions = {q.id: q for q in (new_area.questions if new_area else ())}
        for question_id in _ordered(old_questions, new_questions):
            before = old_questions[question_id].points if question_id in old_questions else None
            after = new_questions[question_id].points if question_id in new_questions else None
            if before != after:
                rows.append(_row(TEXT["row_question"].format(id=_md(question_id)), before, after))
    old_total, new_total = _total(base, old), _total(head, new)
    if rows or old_total != new_total:
        out += [TEXT["table_header"], TEXT["table_rule"], *rows, _row(TEXT["row_total"], old_total, new_total), ""]
    else:
        out += [TEXT["scores_unchanged"].format(total=_number(new_total)), ""]

    names = {mu.slug: mu.name for side in (base, head) for mu in side.dataset.municipalities}
    texts = _text_changes(old, new, names)
    if texts:
        out += [TEXT["texts"], "", *texts, ""]
    return out


def _ordered(old: dict, new: dict) -> list:
    keys = list(old)
    keys += [k for k in new if k not in old]
    return keys


def _row(label: str, old: float | None, new: float | None) -> str:
    return TEXT["row"].format(label=label, old=_number(old), new=_number(new), delta=_delta(old, new))


def _text_changes(old: m.Evaluation, new: m.Evaluation, names: dict[str, str]) -> list[str]:
    out = []
    if (old.summary or "") != (new.summary or ""):
        out.append(TEXT["summary_changed"])
        out.append(TEXT["before_after"].format(old=_md(old.summary or "–"), new=_md(new.summary or "–")))
    for name in _EVALUATION_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if _comparable(before) != _comparable(after):
            out.append(TEXT["field_changed"].format(label=_field(name), old=_value(before), new=_value(after)))

    def comparison(c: m.Comparison) -> str:
        printed = f" ({_number(c.reported_total)})" if c.reported_total is not None else ""
        return _md(f"{names.get(c.municipality, c.municipality)} {c.year}") + printed

    for name, describe in (("compared_with", comparison), ("discrepancies", _discrepancy)):
        before = [describe(x) for x in getattr(old, name)]
        after = [describe(x) for x in getattr(new, name)]
        for text in before:
            if text not in after:
                out.append(TEXT["item_removed"].format(label=_field(name).capitalize(), text=text))
        for text in after:
            if text not in before:
                out.append(TEXT["item_added"].format(label=_field(name).capitalize(), text=text))
    numbers = sorted({a.area for a in old.areas} | {a.area for a in new.areas})
    for number in numbers:
        before_area, after_area = old.area(number), new.area(number)
        if before_area is None or after_area is None:
            continue
        if (before_area.description or "") != (after_area.description or ""):
            out.append(TEXT["description_changed"].format(number=number))
            out.append(
                TEXT["before_after"].format(
                    old=_md(before_area.description or "–"), new=_md(after_area.description or "–")
                )
            )
        for name in _AREA_FIELDS:
            before, after = getattr(before_area, name), getattr(after_area, name)
            if before != after:
                out.append(
                    TEXT["area_field_changed"].format(
                        number=number, label=_field(name), old=_value(before), new=_value(after)
                    )
                )
        out += _list_changes(number, TEXT["strength"], before_area.strengths, after_area.strengths)
        out += _list_changes(number, TEXT["improvement"], before_area.improvements, after_area.improvements)
        out += _list_changes(
            number,
            TEXT["cited_example"],
            [f"{names.get(c.municipality, c.municipality)}: {c.topic}" for c in before_area.cited_examples],
            [f"{names.get(c.municipality, c.municipality)}: {c.topic}" for c in after_area.cited_examples],
        )
        before_questions = {q.id: q for q in before_area.questions}
        for question in after_area.questions:
            previous = before_questions.get(question.id)
            if previous is None:
                continue
            for name in _QUESTION_FIELDS:
                before, after = getattr(previous, name), getattr(question, name)
                if before != after:
                    out.append(
                        TEXT["question_field_changed"].format(
                            id=_md(question.id), label=_field(name), old=_value(before), new=_value(after)
                        )
                    )
    return out


def _list_changes(
    number: int, kind: tuple[str, str, str, str], before: Iterable[str], after: Iterable[str]
) -> list[str]:
    before, after = list(before), list(after)
    what, added, removed_, changed = kind
    words = {"what": what, "added": added, "removed": removed_, "changed": changed}
    out = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        removed, inserted = before[i1:i2], after[j1:j2]
        paired = min(len(removed), len(inserted)) if tag == "replace" else 0
        for old_text, new_text in zip(removed[:paired], inserted[:paired], strict=True):
            out.append(TEXT["list_changed"].format(number=number, old=_md(old_text), new=_md(new_text), **words))
        for text in removed[paired:]:
            out.append(TEXT["list_removed"].format(number=number, text=_md(text), **words))
        for text in inserted[paired:]:
            out.append(TEXT["list_added"].format(number=number, text=_md(text), **words))
    return out


def _discrepancy(d: m.Discrepancy) -> str:
    return f"»{_md(d.text)}«"


def _comparable(value: Any) -> Any:
    if isinstance(value, m.SourceRef):
        return (value.report, value.location)
    return value


def _field(name: str) -> str:
    return TEXT["fields"].get(name, name)


def _value(value: Any) -> str:
    if value is None or value == ():
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, m.SourceRef):
        return f"»{_md(', '.join(x for x in (value.report, value.location) if x))}«"
    if isinstance(value, (list, tuple)):
        return ", ".join(_md(str(v)) for v in value)
    return f"»{_md(str(value))}«"


# ---------------------------------------------------------------- good practices


def _practice_changes(base: Side, head: Side, preview: str | None, unreadable: set) -> list[str]:
    """Practices added, removed or changed; those of a file that could not be read are left out."""

    def index(side: Side) -> dict[str, tuple[m.GoodPractice, m.Evaluation, int]]:
        found: dict[str, tuple[m.GoodPractice, m.Evaluation, int]] = {}
        for evaluation in side.dataset.evaluations:
            if evaluation.key in unreadable:
                continue
            for area in evaluation.areas:
                for practice in area.good_practices:
                    found.setdefault(practice.slug, (practice, evaluation, area.area))
        return found

    before, after = index(base), index(head)
    out = []
    for slug in sorted(set(before) | set(after), key=lambda s: ((after.get(s) or before[s])[0].name.lower(), s)):
        link = TEXT["page_link"].format(url=preview + urls.served(urls.practice(slug))) if preview else ""
        if slug not in before:
            practice, evaluation, area = after[slug]
            out.append(
                TEXT["practice_added"].format(
                    name=_md(practice.name),
                    municipality=_md(_name(head, evaluation)),
                    year=evaluation.year,
                    area=area,
                    link=link,
                )
            )
        elif slug not in after:
            practice, evaluation, area = before[slug]
            out.append(
                TEXT["practice_removed"].format(
                    name=_md(practice.name), municipality=_md(_name(base, evaluation)), year=evaluation.year, area=area
                )
            )
        else:
            (old, old_evaluation, old_area), (new, new_evaluation, new_area) = before[slug], after[slug]
            fields = [TEXT["practice_fields"][f] for f in _PRACTICE_FIELDS if getattr(old, f) != getattr(new, f)]
            if old_evaluation.key != new_evaluation.key:
                fields.append(TEXT["practice_fields"]["evaluation"])
            elif old_area != new_area:
                fields.append(TEXT["practice_fields"]["area"])
            if fields:
                out.append(
                    TEXT["practice_changed"].format(
                        name=_md(new.name),
                        municipality=_md(_name(head, new_evaluation)),
                        year=new_evaluation.year,
                        area=new_area,
                        fields=", ".join(fields),
                        link=link,
                    )
                )
    return out


# ---------------------------------------------------------------- validation and pages


def _problem_line(problem: Problem) -> str:
    return TEXT["problem"].format(
        pos=_code(str(problem.pos)), level=TEXT["level"][problem.level.value], message=_md(problem.message)
    )


def _page_changes(base: Side, head: Side, preview: str | None) -> list[str]:
    if has_errors(head.problems):
        return [TEXT["pages"], "", TEXT["pages_skipped"], ""]
    before, after = _pages(base), _pages(head)
    if before is None or after is None:
        return [
            TEXT["pages"],
            "",
            TEXT["pages_unknown"].format(revision=_code(base.label if before is None else head.label)),
            "",
        ]
    out = []
    added = sorted(page_url(p) for p in after if p not in before)
    removed = sorted(page_url(p) for p in before if p not in after)
    changed = sorted(page_url(p) for p in after if p in before and before[p] != after[p])
    if added:
        out += [TEXT["pages_added"], "", *[_page_line(u, preview) for u in added], ""]
    if removed:
        out += [TEXT["pages_removed"], "", *[TEXT["page_plain"].format(url=_code(u or "/")) for u in removed], ""]
    if changed:
        out += [
            TEXT["pages_changed"],
            "",
            TEXT["pages_changed_summary"].format(n=len(changed)),
            *[_page_line(u, preview) for u in changed],
            TEXT["pages_changed_end"],
            "",
        ]
    return out


def page_url(path: str) -> str:
    """The address of a page of the docs folder, relative to the site root (use_directory_urls)."""
    if path == "index.md":
        return ""
    if path.endswith("/index.md"):
        return path[: -len("index.md")]
    return path[: -len(".md")] + "/"


def _page_line(url: str, preview: str | None) -> str:
    if preview:
        return TEXT["page"].format(url=_md(url or "/"), address=preview + url)
    return TEXT["page_plain"].format(url=_code(url or "/"))


# ---------------------------------------------------------------- formatting


def _preview_base(url: str) -> str | None:
    url = (url or "").strip()
    if not url:
        return None
    if any(c in url for c in " <>()`\"'\n"):
        return None  # not an address we can put in a Markdown link safely
    return url if url.endswith("/") else url + "/"


_number = format_number


def _delta(old: float | None, new: float | None) -> str:
    if old is None or new is None:
        return "–"
    difference = new - old
    text = _number(round(difference, 6))
    return "+" + text if difference > 0 else ("±0" if difference == 0 else text)
