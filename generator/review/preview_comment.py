"""Write the pull-request comment of preview.yml from the change summary in the artifact.

The summary was written by the pull request's own code (`kommunkompassen diff` in
pull-request.yml), so this privileged step treats it as hostile text and posts only
what it escaped itself (standard library only; nothing from the pull request is run):

- at most MAX_INPUT_BYTES are read and at most MAX_SUMMARY_CHARS characters kept, cut at
  a line end, with a note saying so (a comment holds at most 65,536 characters);
- control characters (but the line end) and the bidirectional-text controls are dropped;
- every `<` becomes `&lt;`, except the four tags the summary uses to fold lists
  (`<details>`, `</details>`, `<summary>`, `</summary>`), so no HTML and no comment
  (not even this workflow's marker) can come from the summary;
- `@` (mentions, e-mail addresses), `#12`, `owner/repo#12` and `GH-12` (references)
  are broken with an invisible zero-width space, so nobody is notified and nothing is linked;
- `://` and `www.` are broken the same way, so no address becomes a link, and so are `](` and
  `]:`, so no Markdown link, image or link definition is left (`[a](//host)`), except a
  Markdown link `[text](address)` whose address lies inside this pull request's preview;
- `&` before `#` or a letter becomes `&amp;`, so no entity (`&#x40;`) turns into a mention.

Usage: python3 -m generator.review.preview_comment SUMMARY_FILE > comment.md
with PREVIEW_URL (the address this job published to, or empty) and RUN_URL in the environment.
"""

from __future__ import annotations

import os
import re
import sys

MARKER = "<!-- kommunkompassen-preview -->"
MAX_INPUT_BYTES = 1_000_000
MAX_SUMMARY_CHARS = 60_000
ZWSP = "\u200b"
# The comment's own words: this module runs with the standard library only (preview.yml installs the
# tool without its dependencies), so it cannot read the YAML message catalogue.
COMMENT_WORDS = {
    "preview": "**Förhandsversion:** {url}",
    "no_preview": "**Ingen förhandsversion** den här gången: se [körningen]({url}).",
    "cut": "… (förkortad till {n} tecken; hela sammanfattningen finns i körningens sammanfattning)",
}
_ALLOWED_TAGS = ("<details>", "</details>", "<summary>", "</summary>")
_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINK = re.compile(r"\]\(([^()\s<>]*)\)")


def neutralise(text: str, preview_url: str) -> str:
    """The summary as inert Markdown: see the module's description."""
    text = _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    kept: list[str] = []

    def keep(match: re.Match) -> str:
        kept.append(match.group(0))
        return f"\x00{len(kept) - 1}\x00"

    if preview_url:
        allowed = re.compile(r"\]\(" + re.escape(preview_url) + r"[A-Za-z0-9._~/%-]*\)")
        text = allowed.sub(keep, text)
    # An entity (`&#x40;`, `&commat;`, `&num;`) is a character again in the rendered comment, where
    # GitHub looks for mentions and references: its `&` is written as `&amp;` (unless escaped `\&`).
    text = re.sub(r"(\\*)&(?=[#A-Za-z])", lambda m: m.group(0) if len(m.group(1)) % 2 else m.group(1) + "&amp;", text)
    text = _escape_html(text)
    # No Markdown link or image (`[a](//host)`, `[a](/owner/repo)`) and no link definition (`[a]: //host`).
    text = text.replace("](", "]" + ZWSP + "(").replace("]:", "]" + ZWSP + ":")
    text = text.replace("@", "@" + ZWSP)
    text = re.sub(r"#(?=[0-9])", "#" + ZWSP, text)
    text = re.sub(r"(?i)\b(gh)-(?=[0-9])", lambda m: m.group(1) + "-" + ZWSP, text)
    text = text.replace("://", ":" + ZWSP + "//")
    text = re.sub(r"(?i)\bwww\.", lambda m: m.group(0)[:3] + ZWSP + ".", text)
    return re.sub("\x00([0-9]+)\x00", lambda m: kept[int(m.group(1))], text)


def _escape_html(text: str) -> str:
    out = []
    index = 0
    while True:
        found = text.find("<", index)
        if found < 0:
            out.append(text[index:])
            return "".join(out)
        out.append(text[index:found])
        tag = next((t for t in _ALLOWED_TAGS if text.startswith(t, found)), None)
        out.append(tag or "&lt;")
        index = found + (len(tag) if tag else 1)


def cap(text: str, limit: int = MAX_SUMMARY_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit)
    return (
        text[: cut if cut > 0 else limit]
        + "\n\n"
        + COMMENT_WORDS["cut"].format(n=f"{limit:,}".replace(",", " "))
        + "\n"
    )


def comment(summary: bytes, preview_url: str, run_url: str) -> str:
    preview_url = preview_url if re.fullmatch(r"https://[A-Za-z0-9.-]+/", preview_url or "") else ""
    run_url = run_url if re.fullmatch(r"https://[A-Za-z0-9./_-]+", run_url or "") else ""
    text = cap(neutralise(summary[:MAX_INPUT_BYTES].decode("utf-8", "replace"), preview_url))
    head = (
        COMMENT_WORDS["preview"].format(url=preview_url)
        if preview_url
        else COMMENT_WORDS["no_preview"].format(url=run_url)
    )
    return f"{MARKER}\n{head}\n\n{text}"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: preview_comment.py SUMMARY_FILE", file=sys.stderr)
        return 2
    try:  # a link in the artifact (to a file of the runner) is not followed: O_NOFOLLOW
        descriptor = os.open(argv[0], os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(descriptor, "rb") as handle:
            summary = handle.read(MAX_INPUT_BYTES)
    except OSError:
        summary = b""
    sys.stdout.write(comment(summary, os.environ.get("PREVIEW_URL", ""), os.environ.get("RUN_URL", "")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
