"""Every address of the site: where each page and file is in the docs folder.

Page builders, data files and templates (as the global `urls`) take their paths
from here; nothing else formats a path of the site. A page's address is its
Markdown file (MkDocs serves `x/index.md` as `x/`); `link` and `href` in the
templates make them relative to the page that links.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Iterable

from generator.model import GOLD_STAR_LISTING

HOME = "index.md"
MUNICIPALITIES = "kommuner/index.md"
AREAS = "omraden/index.md"
AREA_MAPPING = "omraden/jamforbarhet/index.md"
COMPARISONS = "jamforelse/index.md"
PRACTICES = "goda-exempel/index.md"
GOLD_STARS = f"goda-exempel/{GOLD_STAR_LISTING}/index.md"
METHOD = "metod/index.md"
EVALUATORS = "for-utvarderare/index.md"
DATA_DIR = "data"
DATA = f"{DATA_DIR}/index.md"
# An evaluation's own data, beside its page.
EVALUATION_CSV = "poang.csv"
EVALUATION_JSON = "utvardering.json"


def municipality(slug: str) -> str:
    return f"kommuner/{slug}/index.md"


def evaluation(slug: str, year: int) -> str:
    return f"kommuner/{slug}/{year}/index.md"


def area(framework_id: str, number: int) -> str:
    return f"omraden/{framework_id}/{number}/index.md"


def area_practices(framework_id: str, number: int) -> str:
    """The listing of one area's good practices."""
    return f"goda-exempel/{framework_id}/{number}/index.md"


def practice(slug: str) -> str:
    return f"goda-exempel/{slug}/index.md"


def comparison(framework_id: str) -> str:
    return f"jamforelse/{framework_id}/index.md"


def comparison_part(framework_id: str, folder: str) -> str:
    """One county's share of a revision's comparison, when the whole is too long for one page."""
    return f"jamforelse/{framework_id}/{folder}/index.md"


# Letters an ASCII folder name writes as their base letter; the rest lose their accents (NFKD).
_BASE_LETTERS = str.maketrans({"å": "a", "ä": "a", "ö": "o", "ø": "o", "æ": "ae", "ß": "ss"})


def folder_names(names: Iterable[str]) -> dict[str, str]:
    """A folder of the site for each name from the data (a county's): lowercase ASCII letters,
    digits and hyphens, at most 60 characters, never empty, and one folder per name even where two
    names write alike ("Å län", "A län"), numbered in the names' sorted order."""
    folders: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(set(names)):
        plain = unicodedata.normalize("NFKD", name.lower().translate(_BASE_LETTERS))
        base = re.sub(r"[^a-z0-9]+", "-", plain.encode("ascii", "ignore").decode()).strip("-")[:60].strip("-") or "lan"
        folder, number = base, 2
        while folder in taken:
            folder, number = f"{base}-{number}", number + 1
        taken.add(folder)
        folders[name] = folder
    return folders


def catalogue(framework_id: str) -> str:
    """The questions of one revision of the framework."""
    return f"metod/{framework_id}/index.md"


def data_file(name: str) -> str:
    """A file of the data folder: `evaluations.csv`, `schemas/evaluation.schema.json`."""
    return f"{DATA_DIR}/{name}"


def beside(page: str, name: str) -> str:
    """A file in the folder of a page: its chart's SVG or CSV, an evaluation's own data."""
    return posixpath.join(posixpath.dirname(page), name)


def chart_svg(name: str) -> str:
    """A chart's drawing, beside the page that shows it."""
    return f"{name}.svg"


def chart_csv(name: str) -> str:
    """A chart's numbers, beside the page that shows it."""
    return f"{name}.csv"


def served(page: str) -> str:
    """The address a page is served at, relative to the site's root: `kommuner/ale/index.md` -> `kommuner/ale/`."""
    return page.removesuffix("index.md")
