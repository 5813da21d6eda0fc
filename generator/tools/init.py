"""`init`: a new portal that validates and builds at once.

It writes the files of `portal_template/` (shipped in the package; a name starting with `dot-`
is written with a dot: `dot-github` becomes `.github`) and a `requirements.txt` naming the tool
as it is installed here, into a folder that does not exist or is empty. It never overwrites
anything. The template's `mkdocs.yml`, workflows and pre-commit configuration are this
repository's own, which is itself a portal (tests/test_package.py checks that they match).
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

from generator.errors import UsageError
from generator.messages import msg

TEMPLATE = Path(__file__).resolve().parent / "portal_template"
DISTRIBUTION = "kommunkompassen-open-results"
_DOT = "dot-"


class InitError(UsageError):
    """The folder cannot take a new portal (reported as a usage error)."""


def portal_files() -> dict[str, bytes]:
    """The new portal's files by their path in it."""
    files = {}
    for path in sorted(TEMPLATE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            parts = [
                part.replace(_DOT, ".", 1) if part.startswith(_DOT) else part
                for part in path.relative_to(TEMPLATE).parts
            ]
            files["/".join(parts)] = path.read_bytes()
    files["requirements.txt"] = requirements().encode("utf-8")
    return files


def requirements() -> str:
    """requirements.txt: the tool as installed here, from a git address and commit if it came
    from one, else by its name and version."""
    try:
        distribution = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return f"# The tool that builds this portal.\n{DISTRIBUTION}\n"
    requirement = f"{DISTRIBUTION}=={distribution.version}"
    origin = json.loads(distribution.read_text("direct_url.json") or "{}")
    vcs = origin.get("vcs_info")
    if vcs and vcs.get("vcs") == "git" and vcs.get("commit_id") and not origin["url"].startswith("file:"):
        requirement = f"{DISTRIBUTION} @ git+{origin['url']}@{vcs['commit_id']}"
    return (
        "# The tool that builds this portal, as `kommunkompassen init` found it installed.\n"
        "# Name the version your portal should use (a release, or a git address and commit).\n"
        f"{requirement}\n"
    )


def write_portal(directory: Path) -> int:
    """Write a new portal into `directory` (created if missing, else it must be empty); the number of files."""
    if directory.is_symlink() or (directory.exists() and not directory.is_dir()):
        raise InitError(msg("init.not_a_folder", directory=directory))
    if directory.exists() and any(directory.iterdir()):
        raise InitError(msg("init.not_empty", directory=directory))
    files = portal_files()
    directory.mkdir(parents=True, exist_ok=True)
    for relative, content in files.items():
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as handle:  # never over a file that appeared meanwhile
            handle.write(content)
    return len(files)
