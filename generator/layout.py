"""The data folder's layout: which file holds what, in one place.

    _frameworks/<id>.yaml          one framework revision each
    _municipalities.yaml           the register of municipalities
    _sources.yaml                  the register of reports
    _references/<id>.yaml          one reference series each (national medians and the like)
    <municipality>/<year>.yaml     one evaluation each

The loader, `fmt`, `new`, `source add`, `synth` and `diff` all find files through
these names and `kind_of`, so a change of layout is a change here.
"""

from __future__ import annotations

from pathlib import PurePosixPath

FRAMEWORKS_DIR = "_frameworks"
REFERENCES_DIR = "_references"
MUNICIPALITIES_FILE = "_municipalities.yaml"
SOURCES_FILE = "_sources.yaml"

# What a file holds, in the order the loader reads the kinds (a framework before what uses it).
KINDS = ("framework", "municipalities", "sources", "reference", "evaluation")
REGISTERS = {"municipalities": MUNICIPALITIES_FILE, "sources": SOURCES_FILE}


def kind_of(parts: tuple[str, ...]) -> str | None:
    """What the file at `parts` (its path inside the data folder, split) holds, by where it lies;
    None for a file that belongs nowhere (a stray). Hidden files are the caller's to skip."""
    if not parts:
        return None
    suffix = _suffix(parts[-1])
    if parts == (MUNICIPALITIES_FILE,):
        return "municipalities"
    if parts == (SOURCES_FILE,):
        return "sources"
    if len(parts) != 2:
        return None
    if parts[0] == FRAMEWORKS_DIR:
        return "framework" if suffix == ".yaml" else None
    if parts[0] == REFERENCES_DIR:
        return "reference" if suffix == ".yaml" else None
    if not parts[0].startswith("_") and suffix in (".yaml", ".yml"):
        return "evaluation"
    return None


def _suffix(name: str) -> str:
    """`PurePosixPath(name).suffix` for a file name (no slash), without making a path."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def kind_by_place(parts: tuple[str, ...]) -> str | None:
    """What a file at `parts` would hold, whatever its suffix (for `fmt`, which is given files by name)."""
    if parts in ((MUNICIPALITIES_FILE,), (SOURCES_FILE,)) or len(parts) != 2:
        return kind_of(parts)
    if parts[0] == FRAMEWORKS_DIR:
        return "framework"
    if parts[0] == REFERENCES_DIR:
        return "reference"
    return None if parts[0].startswith("_") else "evaluation"


def evaluation_file(municipality: str, year: int) -> str:
    """Where the evaluation of `municipality` in `year` lies, inside the data folder."""
    return f"{municipality}/{year}.yaml"


def evaluation_key(relative: str) -> str | None:
    """`municipality/year` for the path of an evaluation file inside the data folder, else None."""
    parts = PurePosixPath(relative).parts
    if kind_of(parts) != "evaluation":
        return None
    return f"{parts[0]}/{PurePosixPath(parts[1]).stem}"
