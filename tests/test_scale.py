"""Pages that stay small at any size (issue 16): a revision's comparison table longer than
COMPARISON_ROWS rows is split into a page per county, on the real data with the limit lowered."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.site import urls
from tests.conftest import DATA, ROOT

_ROW = re.compile(r'<tr><th scope="row"><a href="([^"]+)">')


def _rows(page: Path) -> list[str]:
    """The evaluations a comparison page's table lists, as the addresses they link to (from the site's root)."""
    folder = page.parent
    return [(folder / href).resolve().as_posix() for href in _ROW.findall(page.read_text(encoding="utf-8"))]


@pytest.fixture(scope="module")
def split_site(tmp_path_factory) -> Path:
    """The real data built with at most two rows per comparison table, in a process of its own
    (a build remembers pages for the next one in its process). MkDocs runs in strict mode, so
    every link of the split pages resolves."""
    out = tmp_path_factory.mktemp("split")
    script = (
        "import sys; from pathlib import Path; from generator.site import pages; pages.COMPARISON_ROWS = 2; "
        "from generator.site.build import build_site; "
        "build_site(Path(sys.argv[1]), Path(sys.argv[2]) / 'site', docs_dir=Path(sys.argv[2]) / 'docs')"
    )
    subprocess.run([sys.executable, "-c", script, str(DATA), str(out)], cwd=ROOT, check=True, capture_output=True)
    return out / "site"


def test_a_long_comparison_becomes_a_page_per_county_holding_the_same_rows(site: Path, split_site: Path) -> None:
    split = 0
    for whole in sorted(site.glob("jamforelse/*/index.html")):
        rows = _rows(whole)
        revision = whole.parent.name
        listing = split_site / "jamforelse" / revision / "index.html"
        if len(rows) <= 2:
            assert _rows(listing) == [r.replace(str(site), str(split_site)) for r in rows]
            continue
        split += 1
        text = listing.read_text(encoding="utf-8")
        assert not _rows(listing), "the listing holds no table of its own"
        county_pages = sorted(listing.parent.glob("*/index.html"))
        assert len(county_pages) >= 2
        found: list[str] = []
        for county_page in county_pages:
            county_rows = _rows(county_page)
            assert county_rows and len(set(county_rows)) == len(county_rows)
            assert f'href="{county_page.parent.name}/"' in text  # listed, with its number of evaluations
            assert (
                f">{len(county_rows)}</td>"
                in text.split(f'href="{county_page.parent.name}/"', 1)[1].split("</tr>", 1)[0]
            )
            found += county_rows
        assert sorted(found) == sorted(r.replace(str(site), str(split_site)) for r in rows)  # each row once
    assert split, "the real data has a revision with more than two evaluations"


def test_a_county_page_says_whose_rows_it_shows_and_links_back(split_site: Path) -> None:
    county_page = sorted(split_site.glob("jamforelse/*/*/index.html"))[0]
    text = county_page.read_text(encoding="utf-8")
    title = html.unescape(re.search(r"<h1[^>]*>(.*?)<", text).group(1))
    assert title.startswith("Jämför kommuner: ") and " – " in title and title.endswith(" län")
    assert "Alla län</a>" in text


@pytest.mark.parametrize(
    "names",
    [
        ["Skåne län", "Skane län"],
        ["Å län", "A län", "a-län"],
        ["../../etc", "", " ", "💥", "Västra Götalands län"],
        ["x" * 300],
    ],
)
def test_county_folders_are_unique_plain_and_never_empty(names: list[str]) -> None:
    folders = urls.folder_names(names)
    assert set(folders) == set(names)
    assert len(set(folders.values())) == len(set(names))
    for folder in folders.values():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*(-\d+)?", folder) and len(folder) <= 64
