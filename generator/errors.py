"""The errors the library raises; only `generator.cli` turns them into exit codes.

Each carries its message, already in the chosen language (from the message catalogue),
so that whoever catches one can show it as it is.
"""

from __future__ import annotations

from generator.messages import msg
from generator.problems import Level, Problem


class KommunkompassenError(Exception):
    """Anything the tool refuses or cannot do, said in words a person can act on."""


class UsageError(KommunkompassenError):
    """The command cannot run as asked: a wrong argument, a missing folder, an unknown revision.
    The CLI reports it on stderr with exit code 2."""


class DataError(KommunkompassenError):
    """The data has errors, each a problem with its file:line:col (warnings may come with them).
    Whoever catches it shows the problems; the CLI exits with code 1."""

    def __init__(self, problems: list[Problem]):
        super().__init__(msg("build.errors_in_data", count=sum(p.level is Level.ERROR for p in problems)))
        self.problems = problems
