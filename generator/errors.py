"""The errors the library raises; only `generator.cli` turns them into exit codes.

Each carries its message, already in the chosen language (from the message catalogue),
so that whoever catches one can show it as it is. The CLI shows it after the command's
name (`kommunkompassen build: ...`), unless the message names what stopped itself
(`bygget stoppades: ...`): such an error is made with `whole_line=True`.
"""

from __future__ import annotations

from generator.messages import msg
from generator.problems import Level, Problem


class KommunkompassenError(Exception):
    """Anything the tool refuses or cannot do, said in words a person can act on."""

    def __init__(self, message: str, *, whole_line: bool = False):
        super().__init__(message)
        self.whole_line = whole_line  # the message is the whole line to show, without the command's name


class UsageError(KommunkompassenError):
    """The command cannot run as asked: a wrong argument, a missing folder, an unknown revision.
    The CLI reports it on stderr with exit code 2."""


class DataError(KommunkompassenError):
    """The data has errors, each a problem with its file:line:col (warnings may come with them).
    Whoever catches it shows the problems; the CLI exits with code 1. The message says how many
    errors there are unless another is given."""

    def __init__(self, problems: list[Problem], message: str | None = None, *, whole_line: bool = False):
        count = sum(p.level is Level.ERROR for p in problems)
        super().__init__(message or msg("build.errors_in_data", count=count), whole_line=whole_line)
        self.problems = problems


class BuildError(KommunkompassenError):
    """MkDocs could not build the site from the generated pages (a strict-mode warning, say: a
    broken link in a portal's page). The CLI reports it on stderr with exit code 1."""
