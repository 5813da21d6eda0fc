"""A Markdown extension that sets the generator's HTML blocks aside without parsing them.

The generated pages are mostly raw HTML (tables, lists, figures) between Markdown
headings. Python-Markdown finds where a raw HTML block ends by running Python's
`html.parser` over the whole page, and MkDocs runs it once more to collect ids;
on a page of 700 tags that is most of the build. The generator's templates write
each block as one element that starts a line after a blank line and ends with
its own end tag before the next blank line, so its end is found by counting that
one tag name. Such a block goes to the HTML stash exactly as Python-Markdown
would put it there; anything else (a block that is not one whole element, holds
a comment, script, `markdown` attribute or text that html.parser treats apart)
is left for Python-Markdown. `tests/test_htmlblocks.py` converts every generated page
both ways and compares the HTML.

Added to `markdown_extensions` by the kommunkompassen plugin. MkDocs no longer sees the ids
inside these blocks; the plugin's `on_page_content` (generator/site/plugin.py) adds them to the page.
"""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

_FIRST_TAG = re.compile(r"<([a-z][a-z0-9]*)[\s>]")
# A start tag that excludes its element from search; a heading.
_EXCLUDED_BLOCK = re.compile(r"<[a-z][a-z0-9]*\s[^>]*\bdata-search-exclude[\s>=]")
_HEADING = re.compile(r"<h[1-6][\s>]")
# What html.parser reads in its own way (comments, CDATA, raw-text elements), or md_in_html would.
_PARSED_APART = re.compile(r"<!|<\?|<(?:script|style|pre|textarea|code)\b|\smarkdown\b|[\x02\x03]", re.IGNORECASE)


def element_end(lines: list[str], start: int) -> int | None:
    """The index after the line that closes the element whose start tag begins line `start`;
    None unless that element ends a line and holds nothing html.parser reads apart."""
    first = _FIRST_TAG.match(lines[start])
    if first is None:
        return None
    tags = re.compile(rf"<(/?){first.group(1)}[\s>]")
    depth = 0
    for index in range(start, len(lines)):
        line = lines[index]
        if _PARSED_APART.search(line):
            return None
        for match in tags.finditer(line):
            depth += -1 if match.group(1) else 1
            if depth == 0:  # closed: at the end of this line, or it is not one element per line
                return index + 1 if match.end() == len(line) else None
    return None


def search_view(html: str) -> str:
    """The page's HTML without the elements (other than headings) that carry data-search-exclude.

    Material's search skips such an element and all it holds, so it indexes this
    view exactly as the whole page, without reading through every table.
    `tests/test_htmlblocks.py` compares the two for every generated page.
    """
    lines = html.split("\n")
    kept: list[str] = []
    index = 0
    while index < len(lines):
        end = element_end(lines, index) if _EXCLUDED_BLOCK.match(lines[index]) else None
        if end is not None and any(_HEADING.search(line) for line in lines[index:end]):
            end = None  # Material starts a section at an excluded heading, and at any heading inside
        if end is None:
            kept.append(lines[index])
            index += 1
        else:
            index = end
    return "\n".join(kept)


class HtmlBlockPassthrough(Preprocessor):
    """Stash every blank-line-separated block that is exactly one block-level element."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        block: list[str] = []
        for line in lines + [""]:
            if line.strip():
                block.append(line)
                continue
            if block:
                out.extend(self._passed(block))
                block = []
            out.append(line)
        out.pop()  # the blank line added above
        return out

    def _passed(self, block: list[str]) -> list[str]:
        elements = self._elements(block)
        if elements is None:
            return block
        # One stash for the whole block gives the HTML that one per element would.
        return ["", self.md.htmlStash.store("\n".join(elements) + "\n"), ""]

    def _elements(self, block: list[str]) -> list[str] | None:
        """The block as whole block-level elements, each starting a line; None if it is not that."""
        elements: list[str] = []
        start = 0
        while start < len(block):
            first = _FIRST_TAG.match(block[start])
            end = element_end(block, start) if first and self.md.is_block_level(first.group(1)) else None
            if end is None:
                return None
            elements.append("\n".join(block[start:end]))
            start = end
        return elements


class HtmlBlocksExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After whitespace normalisation (30), before MkDocs' id collector (21) and html_block (20).
        md.preprocessors.register(HtmlBlockPassthrough(md), "kk_html_blocks", 25)


def makeExtension(**kwargs) -> HtmlBlocksExtension:
    return HtmlBlocksExtension(**kwargs)
