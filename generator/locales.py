"""Read the package's own text files: the command messages and the page texts of one language.

These files are ours, not evaluator input, so they need none of the loader's refusals and
positions. The evaluator's files go through `generator.loader`, which itself speaks through
`generator.messages`; this module imports nothing from the package, so that `messages` can
read its catalogue without importing the loader (an import cycle).
"""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML


def load_locale(path: Path) -> dict:
    """The texts of one language (a file of ours, not evaluator input)."""
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
