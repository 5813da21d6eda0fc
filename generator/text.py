"""Numbers and text from the data, written for where they are shown: one place for each.

Numbers: `format_number` for what a reader sees on a page or in a review summary
(Swedish: decimal comma, "−" for minus, a no-break space between thousands, "–" for
none), `decimal_comma` for short labels and synthetic data, `plain_number` for
command messages, `whole` for counts in a message, `coordinate` for SVG geometry.

Escaping: `printable` for a terminal or a CI log, `escape_text` and
`escape_line_start` for Markdown and HTML pages, `escape_xml` for SVG,
`escape_markdown` and `code_span` for the review summary (a GitHub comment),
`one_line` for a YAML comment. (CSV cells are made formula-safe by
`site/datafiles.spreadsheet_safe`, beside the CSV writer.)

Nothing here reads the data or the language: callers pass what differs.
"""

from __future__ import annotations

import re

# ---------------------------------------------------------------- numbers


def format_number(value: float | None, decimals: int | None = None) -> str:
    """A number as a page shows it: 12,5 · −0,5 · 30 150 (a no-break space) · – for none."""
    if value is None:
        return "–"
    if decimals is not None:
        value = round(value, decimals)
    if value == 0:
        value = 0  # never "−0"
    if decimals is None and float(value).is_integer() and abs(value) >= 10_000:
        return f"{int(value):,}".replace(",", "\u00a0").replace("-", "−")  # Swedish: 30 150
    text = f"{value:.{decimals}f}" if decimals is not None else f"{value:g}"
    if text.startswith("-") and not text.strip("-0."):
        text = text[1:]  # -0, and a small negative rounded to zero, show as 0
    return text.replace(".", ",").replace("-", "−")


def decimal_comma(value: float) -> str:
    """A short number with a decimal comma and nothing else changed (12,5; 3): chart labels, synthetic text."""
    return f"{value:g}".replace(".", ",")


def plain_number(value: float) -> str:
    """A short number as Python writes it (12.5; 3): for command messages, which quote the file's numbers."""
    return f"{value:g}"


def whole(number: int, separator: str = "\u00a0") -> str:
    """A whole number with its thousands grouped: 1 000 000 (a no-break space by default), 1,000,000."""
    return f"{number:,}".replace(",", separator)


def coordinate(number: float) -> str:
    """A coordinate or length in an SVG drawing: at most one decimal, no trailing zeros."""
    return f"{number:.1f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------- terminals and CI logs

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text for a terminal or a CI log: control characters (terminal escapes, line breaks,
    bidirectional-text controls) shown as escapes such as \\x1b, never sent as they are."""

    def escape(match: re.Match) -> str:
        code = ord(match.group(0))
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _CONTROL.sub(escape, text)


# ---------------------------------------------------------------- pages (Markdown and HTML)

# Characters that Markdown or HTML would interpret: written as numeric entities so
# that text from the data always shows literally and never becomes markup. Control
# characters too: Python-Markdown marks its stash with \x02 and \x03, and a terminal
# escape should reach the reader as the character it is, not act.
_ENTITIES = {c: f"&#{ord(c)};" for c in "\\`*_{}[]()<>#+!|~^=&\"'$:"}
_ENTITIES.update({chr(c): f"&#{c};" for c in (*range(0x20), 0x7F) if not chr(c).isspace()})
# One pass of a character class in C: `str.translate` with a table looks up every character in Python.
_ESCAPED = re.compile("[" + re.escape("".join(_ENTITIES)) + "]")
# What Markdown reads as a list item or a rule where a value starts a line ("- a", "1. a", "---").
_LINE_START = re.compile(r"^(?:-(?=[ -]|$)|\d+\.(?= |$))")


def escape_text(value: object) -> str:
    """Text from the data for a generated page, in Markdown or in an HTML text or attribute value:
    shown literally, never markup; runs of whitespace become one space."""
    return _ESCAPED.sub(_entity, " ".join(str(value).split()))


def _entity(match: re.Match) -> str:
    return _ENTITIES[match.group()]


def escape_line_start(value: object) -> str:
    """`escape_text` for a value that begins a line of Markdown, where "- a", "1. a" or "---"
    would start a list or draw a rule: the character that would is written as an entity too."""
    text = escape_text(value)
    start = _LINE_START.match(text)
    if start:
        end = start.end()
        text = f"{text[: end - 1]}&#{ord(text[end - 1])};{text[end:]}"
    return text


def one_line(value: object) -> str:
    """Text from the data on one line, for a comment in a YAML file that `new` writes: a line break
    in a name would end the comment and start a key of its own."""
    return " ".join(str(value).split())


# ---------------------------------------------------------------- SVG

# Characters XML 1.0 cannot hold, not even as a character reference.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def escape_xml(text: object) -> str:
    """Text from the data as SVG text: markup characters escaped, characters XML cannot hold as U+FFFD."""
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return xml_characters(escaped)


def xml_characters(text: str) -> str:
    """`text` with every character XML cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


# ---------------------------------------------------------------- the review summary (GitHub Markdown)

_MD_SPECIAL = set("\\`*_[]<>|~&$")
_ZWSP = "\u200b"  # an invisible break: `@` + it mentions nobody, `#` + it references nothing


def escape_markdown(text: object) -> str:
    """Data text as literal, inert Markdown: whitespace and control characters collapsed, markup
    characters escaped, and mentions (`@user`), references (`#12`, `owner/repo#12`, `GH-12`) and
    addresses (`https://…`, `www.…`) broken with an invisible space so GitHub links none of them."""
    collapsed = " ".join(_visible(str(text)).split())
    escaped = "".join("\\" + c if c in _MD_SPECIAL else c for c in collapsed)
    escaped = escaped.replace("@", "@" + _ZWSP).replace("://", ":" + _ZWSP + "//")
    escaped = re.sub(r"#(?=[0-9])", "#" + _ZWSP, escaped)
    escaped = re.sub(r"(?i)\b(gh)-(?=[0-9])", lambda m: m.group(1) + "-" + _ZWSP, escaped)
    return re.sub(r"(?i)\bwww\.", lambda m: m.group(0)[:3] + _ZWSP + ".", escaped)


def code_span(text: object) -> str:
    """Text for a code span: backticks cannot be escaped there, so they are replaced."""
    return " ".join(_visible(str(text)).replace("`", "'").split())


def _visible(text: str) -> str:
    """Control characters (terminal escapes) and bidirectional-text controls become spaces."""
    return re.sub("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]", " ", text)
