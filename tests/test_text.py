"""generator/text.py: each way a number or a text is written, as the pages, charts, messages,
review summaries and synthetic data wrote it before the copies became one module."""

from __future__ import annotations

import pytest

from generator import text, validate
from generator.messages import LANG_ENV, whole
from generator.review import changes
from generator.site import charts, pages
from generator.tools import synth


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [
        (None, None, "–"),
        (0, None, "0"),
        (-0.0, None, "0"),
        (12.5, None, "12,5"),
        (-0.5, None, "−0,5"),
        (-0.04, 1, "0,0"),
        (2.25, 1, "2,2"),  # round() of the float: half to even
        (30150, None, "30\u00a0150"),
        (-30150.0, None, "−30\u00a0150"),
        (9999, None, "9999"),
        (12345.5, None, "12345,5"),
        (1234567, 1, "1234567,0"),
    ],
)
def test_format_number(value, decimals, shown) -> None:
    assert text.format_number(value, decimals) == shown
    assert pages.format_number is text.format_number  # the templates' `num` filter and the summary's numbers
    assert changes._number is text.format_number


@pytest.mark.parametrize(
    ("value", "comma", "plain"),
    [
        (12.5, "12,5", "12.5"),
        (3.0, "3", "3"),
        (-0.5, "-0,5", "-0.5"),
        (1234567.0, "1,23457e+06", "1.23457e+06"),
    ],
)
def test_short_numbers(value, comma, plain) -> None:
    assert text.decimal_comma(value) == comma == synth._num(value)
    assert charts._format(value) == comma and charts._format(None) == ""
    assert text.plain_number(value) == plain == validate._num(value)


@pytest.mark.parametrize(("number", "shown"), [(7.0, "7"), (7.25, "7.2"), (7.26, "7.3"), (0.04, "0"), (120.5, "120.5")])
def test_coordinates(number, shown) -> None:
    assert text.coordinate(number) == shown


def test_whole_numbers_follow_the_language(monkeypatch) -> None:
    assert text.whole(1_000_000) == "1\u00a0000\u00a0000"
    assert text.whole(60_000, " ") == "60 000"
    monkeypatch.setenv(LANG_ENV, "sv")
    assert whole(1_000_000) == "1\u00a0000\u00a0000"
    monkeypatch.setenv(LANG_ENV, "en")
    assert whole(1_000_000) == "1,000,000"


def test_escaping() -> None:
    assert text.escape_text("a  <b>\n*c*") == "a &#60;b&#62; &#42;c&#42;"
    assert text.escape_line_start("- a") == "&#45; a" and text.escape_line_start("1. a") == "1&#46; a"
    assert text.escape_xml('<a href="x">&\x01') == "&lt;a href=&quot;x&quot;&gt;&amp;\ufffd"
    assert text.escape_markdown("@me #12 https://x *y*") == "@\u200bme #\u200b12 https:\u200b//x \\*y\\*"
    assert text.code_span("a`b\x1bc") == "a'b c"
    assert text.one_line("a\nb") == "a b"
    assert text.printable("a\x1b[31mb\u202e") == "a\\x1b[31mb\\u202e"
