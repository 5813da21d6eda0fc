"""Problems found in the data, and how they are printed for people and for CI."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from generator.text import printable  # Problem prints with it; the CLI imports it from here


class Level(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Pos:
    """A place in a source file; line and column count from 1."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return printable(self.path)
        return f"{printable(self.path)}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class Problem:
    pos: Pos
    level: Level
    message: str

    def plain(self) -> str:
        return f"{self.pos}: {self.level.value}: {printable(self.message)}"

    def github(self) -> str:
        # GitHub Actions workflow command; commas and newlines must be escaped.
        message = printable(self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))
        file = printable(self.pos.path.replace("%", "%25")).replace(",", "%2C").replace(":", "%3A")
        place = f"file={file}"
        if self.pos.line:
            place += f",line={self.pos.line},col={self.pos.column}"
        return f"::{self.level.value} {place}::{message}"


def error(pos: Pos, message: str) -> Problem:
    return Problem(pos, Level.ERROR, message)


def warning(pos: Pos, message: str) -> Problem:
    return Problem(pos, Level.WARNING, message)


def has_errors(problems: list[Problem]) -> bool:
    return any(problem.level is Level.ERROR for problem in problems)


def display_path(path: Path) -> str:
    """Paths relative to the working directory read best in an editor's console."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
