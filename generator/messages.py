"""What the commands say to a person, in the evaluator's language.

One catalogue per language, `generator/locale/messages.<lang>.yaml`, keyed by
message id with `{placeholders}`; Swedish by default. `--lang en` or the
environment variable KOMMUNKOMPASSEN_LANG=en chooses English (the CLI sets the
variable for `--lang`, so that worker processes speak the same language).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from generator import text
from generator.locales import load_locale

LANG_ENV = "KOMMUNKOMPASSEN_LANG"
LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"
LOCALE_DIR = Path(__file__).parent / "locale"


def language() -> str:
    chosen = os.environ.get(LANG_ENV, "").strip().lower()
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


@cache
def sections(lang: str) -> dict:
    """The catalogue of one language as it is written: sections of messages."""
    return load_locale(LOCALE_DIR / f"messages.{lang}.yaml")


@cache
def catalogue(lang: str) -> dict[str, object]:
    """Every message of one language, nested sections flattened to dotted ids
    (a list, such as a noun with its participles, stays a tuple)."""
    flat: dict[str, object] = {}

    def walk(prefix: str, node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(f"{prefix}.{key}" if prefix else str(key), value)
        elif isinstance(node, list):
            flat[prefix] = tuple(str(item) for item in node)
        else:
            flat[prefix] = str(node)

    walk("", sections(lang))
    return flat


def section(name: str) -> dict:
    """One section of the chosen language's catalogue, nested as written (the change summary's sentences)."""
    return sections(language())[name]


def msg(message_id: str, /, **params: object) -> str:
    """The message `message_id` in the chosen language, its placeholders filled in."""
    return str(catalogue(language())[message_id]).format(**params)


def whole(number: int) -> str:
    """A whole number with its thousands grouped as the language writes them: 1 000 000, 1,000,000."""
    return text.whole(number, "\u00a0" if language() == "sv" else ",")


def suggest(value: object, known: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The known value nearest to a misspelt one, or None."""
    close = difflib.get_close_matches(str(value), [str(k) for k in known], n=1, cutoff=cutoff)
    return close[0] if close else None


def did_you_mean(value: object, known: Iterable[str], otherwise: str = "") -> str:
    """'did you mean X?' when a known value is near, else `otherwise`."""
    known = list(known)
    close = suggest(value, known)
    if close is not None:
        return msg("common.did_you_mean", value=close)
    return otherwise
