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
from functools import cache

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

_FIRST_TAG = re.compile(r"<([a-z][a-z0-9]*)[\s>]")
_FIRST_TAG_OF_LINE = re.compile(r"<([a-z][a-z0-9]*)(?:[^\S\n]|>)")  # in a text of several lines
# A start tag at the start of a line that excludes its element from search (the tag stays on
# that line); a heading.
_EXCLUDED_LINE = re.compile(r"^<([a-z][a-z0-9]*)[^\S\n][^>\n]*\bdata-search-exclude(?:[^\S\n]|[>=])", re.MULTILINE)
_HEADING_IN_TEXT = re.compile(r"<h[1-6](?:[^\S\n]|>)")
_HEADINGS = frozenset(f"h{level}" for level in range(1, 7))
_ATTRIBUTE = re.compile(r"""\s([^\s=/>"']+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?""")
# A start tag as html.parser finds its end (quoted values may hold ">").
_START_TAG = re.compile(r"""<[a-zA-Z][^\s/>]*(?:[^>"']|"[^"]*"|'[^']*')*>""")
# For `_balanced`: tags that open no element (Material's search parser never keeps a void element
# open, and it closes one written `<x/>` at once), and an element with only text inside.
_VOID_OR_SELF_CLOSING = re.compile(
    r"<(?:(?:area|base|br|col|embed|hr|img|input|link|meta|param|source|track|wbr)(?:\s[^<>]*)?"
    r"|[a-zA-Z][^\s/<>]*(?:\s[^<>]*)?/)>"
)
_INNERMOST_ELEMENT = re.compile(r"<([a-zA-Z][^\s/<>]*)(?:\s[^<>]*)?>[^<]*</\1\s*>")
# What html.parser reads in its own way (comments, CDATA, raw-text elements), or md_in_html would.
_PARSED_APART = re.compile(r"<!|<\?|<(?:script|style|pre|textarea|code)\b|\smarkdown\b|[\x02\x03]", re.IGNORECASE)
# The same as three searches, each several times faster than the one above over a whole block:
# a pattern that starts with "<" is looked for by that character alone.
_PARSED_APART_TAG = re.compile(r"<(?:!|\?|(?:script|style|pre|textarea|code)\b)", re.IGNORECASE)
_MARKDOWN_ATTRIBUTE = re.compile(r"\smarkdown\b", re.IGNORECASE)


def _parsed_apart(text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether `_PARSED_APART` matches in text[start:end]."""
    end = len(text) if end is None else end
    return bool(
        _PARSED_APART_TAG.search(text, start, end)
        or "\x02" in text[start:end]
        or "\x03" in text[start:end]
        or _MARKDOWN_ATTRIBUTE.search(text, start, end)
    )


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
    """The page's HTML without what Material's search skips: the elements (other than headings)
    that carry data-search-exclude, and what follows a heading that carries it, up to the next heading.

    Material's search skips such an element and all it holds, and it starts a section at each
    heading with an id, leaving out every section whose heading is excluded; so it indexes this
    view exactly as the whole page, without reading through every table and every section that
    only the page shows (five in six of the tags it read at 100 x 3).
    `tests/test_htmlblocks.py` compares the two for every generated page.

    Line by line, an element is left out when its start tag begins a line, it ends a line as
    `element_end` requires and no heading is inside it; found here in the page's text at once.
    After an excluded heading, the text up to the next heading is left out when every element
    it opens it also closes and it closes no other (`_balanced`): the parser's open elements,
    and so its sections, are then as if it had read it.
    """
    kept: list[str] = []
    copied = 0  # the page's text before this is settled
    for match in _EXCLUDED_LINE.finditer(html):
        start = match.start()
        if start < copied:
            continue  # inside an element or section already left out
        start_tag = _START_TAG.match(html, start)
        attributes = _attribute_names(start_tag.group(0)) if start_tag is not None else set()
        if "data-search-exclude" not in attributes:
            continue  # the words were in an attribute's value
        end = _element_end_in(html, start, match.group(1))
        if end is None or _parsed_apart(html, start, end):
            continue
        if _HEADING_IN_TEXT.search(html, start, end):  # Material starts a section at an excluded heading
            after = _excluded_section_end(html, match.group(1), attributes, end)
            if after is not None:
                kept.append(html[copied : end + 1])  # the heading stays: it starts its (excluded) section
                copied = after
            continue
        kept.append(html[copied:start])
        copied = end + 1  # and the line break after it
    if not kept:
        return html
    if copied <= len(html):
        kept.append(html[copied:])
        return "".join(kept)
    # The page ended with a left-out element: no line break after the last kept line.
    return "".join(kept).removesuffix("\n")


def _excluded_section_end(html: str, name: str, attributes: set[str], end: int) -> int | None:
    """Where the text that an excluded heading's section holds ends (the next heading's start tag),
    if all of it can be left out of the search view; `end` is where the heading's end tag ends."""
    if name not in _HEADINGS or "id" not in attributes:
        return None  # a heading without an id starts no section: what follows it is in the section before
    if end == len(html):
        return None
    following = _HEADING_IN_TEXT.search(html, end)
    after = following.start() if following is not None else len(html)
    if after <= end + 1 or not _balanced(html, end + 1, after):  # a comment or a script holds a '<'
        return None
    return after


def _attribute_names(start_tag: str) -> set[str]:
    return {name.lower() for name in _ATTRIBUTE.findall(start_tag)}


def _balanced(html: str, start: int, end: int) -> bool:
    """Whether html[start:end] is whole elements and text: each element closed, inside-out, before
    the one around it, and no "<" that is not a tag. Material's parser then opens and closes each
    element in it and none outside it. Anything else (an end tag in other case, a void element's
    end tag) counts as not balanced: the text is then read as it is."""
    text = _VOID_OR_SELF_CLOSING.sub("", html[start:end])
    while True:
        text, removed = _INNERMOST_ELEMENT.subn("", text)
        if not removed:
            return "<" not in text


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
        """The block as whole block-level elements, each starting a line; None if it is not that.

        What `element_end` finds line by line, found in the block's text at once (a table is one
        block of hundreds of lines): no line may hold what html.parser reads apart, and each
        element's last tag ends a line. Whitespace after a tag name is never the line break here,
        as a line's own end is no whitespace to `element_end`."""
        text = "\n".join(block)
        if _parsed_apart(text):
            return None
        elements: list[str] = []
        start = 0
        while start < len(text):
            first = _FIRST_TAG_OF_LINE.match(text, start)
            if first is None or not self.md.is_block_level(first.group(1)):
                return None
            end = _element_end_in(text, start, first.group(1))
            if end is None:
                return None
            elements.append(text[start:end])
            start = end + 1
        return elements


def _element_end_in(text: str, start: int, name: str) -> int | None:
    """The end of the element named `name` whose start tag is at `start`, if its end tag ends a line."""
    depth = 0
    for match in _tags_named(name).finditer(text, start):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            end = match.end()
            return end if end == len(text) or text[end] == "\n" else None
    return None


@cache  # a pure function of a tag name, asked for every HTML block
def _tags_named(name: str) -> re.Pattern:
    return re.compile(rf"<(/?){name}(?:[^\S\n]|>)")


class HtmlBlocksExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After whitespace normalisation (30), before MkDocs' id collector (21) and html_block (20).
        md.preprocessors.register(HtmlBlockPassthrough(md), "kk_html_blocks", 25)


def makeExtension(**kwargs) -> HtmlBlocksExtension:
    return HtmlBlocksExtension(**kwargs)
