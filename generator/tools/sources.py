"""`source add`: a report added to the register evaluations/_sources.yaml.

The entry is appended as text, so the file's comments and layout stay as they
are; the new file is checked against the schema before it replaces the old.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from generator import schema
from generator.errors import UsageError
from generator.layout import SOURCES_FILE
from generator.loader import load_dataset, read_document
from generator.messages import did_you_mean, msg
from generator.tools.formatter import write_atomically
from generator.tools.scaffold import year_range

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class SourceError(UsageError):
    """`source add` cannot add the report asked for."""


def add_source(
    data: Path,
    report_id: str,
    title: str,
    publisher: str,
    year: int,
    url: str | None = None,
    today: datetime.date | None = None,
) -> Path:
    """Append one report to the register; returns the register's path."""
    path = data / SOURCES_FILE
    dataset, _ = load_dataset(data)
    if not _ID.match(report_id):
        raise SourceError(msg("source.bad_id", id=report_id, example=f"{publisher.lower()}-{year}-karlskoga"))
    if dataset.source(report_id) is not None:
        raise SourceError(msg("source.exists", id=report_id, path=path))
    publishers = [
        str(p)
        for p in schema.load_schema("sources")["properties"]["sources"]["items"]["properties"]["publisher"]["enum"]
    ]
    if publisher not in publishers:
        same = [p for p in publishers if p.lower() == publisher.strip().lower()]
        hint = msg("common.did_you_mean", value=same[0]) if same else did_you_mean(publisher, publishers, "")
        raise SourceError(
            msg("source.bad_publisher", publisher=publisher, known=", ".join(publishers))
            + (f"; {hint}" if hint else "")
        )
    first, last = year_range(dataset, today)
    last -= 1  # a report is already published: not next year (validate refuses a year in the future)
    if not first - 10 <= year <= last:  # reports may predate the first revision
        raise SourceError(msg("source.bad_year", year=year, last=last))
    if not title.strip():
        raise SourceError(msg("source.no_title"))
    if url is not None and not url.startswith(("https://", "http://")):
        raise SourceError(msg("source.bad_url", url=url))
    text = path.read_text(encoding="utf-8-sig") if path.exists() else "sources:\n"
    if not text.endswith("\n"):
        text += "\n"
    entry = [
        f"  - id: {report_id}",
        f"    title: {_quoted(title.strip())}",
        f"    publisher: {publisher}",
        f"    year: {year}",
    ]
    if url:
        entry.append(f"    url: {_quoted(url)}")
    new_text = text + "\n".join(entry) + "\n"
    document, refused = read_document(path, "sources", new_text)
    problems = refused if document is None else schema.check(document)
    if problems:
        raise SourceError(problems[0].message)
    write_atomically(path, new_text)
    return path


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
