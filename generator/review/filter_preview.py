"""Keep only a static site in a downloaded preview artifact: run by preview.yml before it publishes.

The artifact was built by a pull request's own code, so its contents are hostile: this
script (standard library only; the privileged job installs nothing from the pull request)
removes, in place, everything the generator does not make:

- symbolic links and anything that is not a regular file or folder (never followed);
- the hosting platform's control files: any name starting with `_` (Cloudflare Pages'
  `_worker.js`, `_routes.json`, `_headers`, `_redirects`) or `.`, and a top-level `functions/`;
- names other than ASCII letters, digits, `.`, `_` and `-`;
- files whose type is not one of the site's own (ALLOWED_SUFFIXES).

Usage: python3 -m generator.review.filter_preview SITE_DIR
Prints one line per removed path (as a GitHub Actions warning) and a count. Exit 0 when
what is left is a site (it has index.html), 1 when it is not (nothing should be published),
2 on wrong usage.
"""

from __future__ import annotations

import os
import re
import stat
import sys

# The file types a built site holds: pages, styles, scripts and their source maps, charts,
# data files and the workbook, the sitemap (and its gzip copy), licence text, the favicon and web fonts.
# tests/test_workflows.py checks that a real build holds nothing else.
ALLOWED_SUFFIXES = (
    ".html",
    ".css",
    ".js",
    ".map",
    ".svg",
    ".csv",
    ".json",
    ".xlsx",
    ".xml",
    ".xml.gz",
    ".txt",
    ".png",
    ".ico",
    ".woff",
    ".woff2",
)
TOP_LEVEL_FORBIDDEN = ("functions",)
SITE_MARKER = ".kommunkompassen-site"
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def reason_to_remove(relative: str, mode: int) -> str | None:
    """Why the entry at `relative` (a path inside the site, with `/`) must go, or None to keep it."""
    name = relative.rsplit("/", 1)[-1]
    if stat.S_ISLNK(mode):
        return "symbolic link"
    if name.startswith(("_", ".")):
        return "hosting control file or hidden file"
    if "/" not in relative and name in TOP_LEVEL_FORBIDDEN:
        return "hosting control folder"
    if not _SAFE_NAME.fullmatch(name):
        return "name outside the site's own characters"
    if stat.S_ISDIR(mode):
        return None
    if not stat.S_ISREG(mode):
        return "not a regular file"
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        return "file type the site does not have"
    return None


def filter_site(root: str) -> list[tuple[str, str]]:
    """Remove what is not the site's own under `root`; returns (path, reason) of each removal."""
    removed: list[tuple[str, str]] = []

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
        for entry in entries:
            relative = prefix + entry.name
            mode = entry.stat(follow_symlinks=False).st_mode
            reason = reason_to_remove(relative, mode)
            if relative == SITE_MARKER and stat.S_ISREG(mode):
                os.unlink(entry.path)  # the generator's own marker (see generator/site/build.py): not for the host
            elif reason is not None:
                removed.append((relative + ("/" if stat.S_ISDIR(mode) else ""), reason))
                _remove(entry.path, mode)
            elif stat.S_ISDIR(mode):
                walk(entry.path, relative + "/")

    walk(root, "")
    return removed


def _remove(path: str, mode: int) -> None:
    if stat.S_ISDIR(mode):
        for entry in os.scandir(path):
            _remove(entry.path, entry.stat(follow_symlinks=False).st_mode)
        os.rmdir(path)
    else:
        os.unlink(path)  # a link itself, never what it points to


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: filter_preview.py SITE_DIR", file=sys.stderr)
        return 2
    root = argv[0]
    if os.path.islink(root) or not os.path.isdir(root):
        print(f"::error::{root} is not a folder; nothing is published", file=sys.stderr)
        return 1
    removed = filter_site(root)
    for path, reason in removed:
        shown = path.encode("unicode_escape").decode("ascii").replace("%", "%25")  # no newline can start a command
        print(f"::warning::removed from the preview ({reason}): {shown}")
    print(f"{len(removed)} path(s) removed from the preview")
    if not os.path.isfile(os.path.join(root, "index.html")):
        print("::error::the artifact holds no index.html; nothing is published", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
