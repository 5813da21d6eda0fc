"""The build's shortcuts past html.parser give exactly what MkDocs and Material give without them.

`generator.site.htmlblocks` stashes the generated pages' HTML blocks without parsing
them, and Material's search reads `search_view` of a page instead of the page.
Both are checked on every page generated from the real data and from a
synthetic corpus, and on hand-made blocks that must be left to Python-Markdown.
"""

from __future__ import annotations

import logging

import markdown
import pytest
from material.plugins.search.plugin import Parser
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.utils import meta

from generator.site import htmlblocks
from generator.site.build import generate
from generator.site.portal import DEFAULT_CONTENT_DIR
from generator.tools.synth import write_corpus
from tests.conftest import DATA, ROOT

CONFIG = load_config(str(ROOT / "mkdocs.yml"), docs_dir=str(DEFAULT_CONTENT_DIR))  # only its Markdown settings are read
EXTENSIONS = [name for name in CONFIG["markdown_extensions"] if name != "generator.site.htmlblocks"]


def convert(source: str, passthrough: bool) -> str:
    extensions = EXTENSIONS + ["generator.site.htmlblocks"] if passthrough else EXTENSIONS
    return markdown.Markdown(extensions=extensions, extension_configs=CONFIG["mdx_configs"]).convert(source)


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, str]:
    """Every page generated from the real data and from a small synthetic corpus, and the
    hand-written pages: path -> Markdown without its front matter."""
    out = tmp_path_factory.mktemp("blocks")
    write_corpus(out / "synth", 12, 3, 7)
    found: dict[str, str] = {}
    for name, data in (("real", DATA), ("synth", out / "synth")):
        generate(data, out / f"docs-{name}", ROOT / "content")
        for path in sorted((out / f"docs-{name}").rglob("*.md")):
            found[f"{name}/{path.relative_to(out / f'docs-{name}')}"] = meta.get_data(path.read_text(encoding="utf-8"))[
                0
            ]
    return found


def test_every_page_converts_as_without_the_extension(pages):
    stashed = 0
    for path, source in pages.items():
        md = markdown.Markdown(
            extensions=EXTENSIONS + ["generator.site.htmlblocks"], extension_configs=CONFIG["mdx_configs"]
        )
        assert md.convert(source) == convert(source, passthrough=False), path
        stashed += md.htmlStash.html_counter
    assert stashed > 5 * len(pages)  # the shortcut is taken, not just harmless


@pytest.mark.parametrize(
    "block",
    [
        '<div class="a">\n<p>one</p>\n</div>',  # passed through
        "<p>one</p>\n<ul>\n<li>two</li>\n</ul>",  # passed through: two elements
        "<p>one</p><p>two</p>",  # two elements on one line
        "<div>\n<div>inner</div>",  # not closed in the block
        "<div>\n\n*text*\n\n</div>",  # Markdown between blank lines
        "<div markdown>\n*text*\n</div>",  # md_in_html
        "<div><!-- a <p> in a comment --></div>",  # html.parser reads comments apart
        "<div><script>if (a < b) {}</script></div>",  # and scripts
        "<div>one</div> tail",  # text after the end tag
        "<span>inline</span>",  # not a block-level element
        "<table>\n<tr><td>1</td></tr>\n</table>\nlast line",  # a paragraph line after the element
    ],
)
def test_hand_made_blocks_convert_as_without_the_extension(block):
    source = f"# Title\n\n{block}\n\nAfter *it*.\n"
    assert convert(source, passthrough=True) == convert(source, passthrough=False)


def test_blocks_that_are_not_whole_elements_are_left_to_python_markdown():
    lines = ["<p>one</p><p>two</p>"]
    assert htmlblocks.element_end(lines, 0) is None
    assert htmlblocks.element_end(["<div>", "<div>x</div>", "</div>"], 0) == 3
    assert htmlblocks.element_end(["<div>", "<!-- x -->", "</div>"], 0) is None


def _sections(html: str) -> list[tuple]:
    parser = Parser()
    parser.feed(html)
    parser.close()
    return [(s.id, "".join(s.title).strip(), "".join(s.text).strip()) for s in parser.data if not s.is_excluded()]


def test_search_reads_the_search_view_as_the_whole_page(pages):
    shortened = 0
    for path, source in pages.items():
        html = convert(source, passthrough=True)
        view = htmlblocks.search_view(html)
        assert _sections(view) == _sections(html), path
        shortened += len(view) < len(html) / 2
    assert shortened > len(pages) / 10  # the tables and charts are left out of what search reads


def test_search_view_keeps_a_heading_inside_an_excluded_element():
    html = '<div data-search-exclude>\n<h2 id="a">A</h2>\n</div>\n<p>text</p>'
    assert htmlblocks.search_view(html) == html
    assert htmlblocks.search_view("<div data-search-exclude>\n<p>x</p>\n</div>\n<p>t</p>") == "<p>t</p>"


def test_links_to_ids_inside_passed_blocks_are_checked_by_mkdocs(tmp_path, caplog):
    """MkDocs checks links to anchors against the ids it saw; the plugin adds those of the passed blocks."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text('# A\n\n<figure id="inside">\n<p>x</p>\n</figure>\n', encoding="utf-8")
    (docs / "b.md").write_text("# B\n\n[there](index.md#inside) and [nowhere](index.md#missing)\n", encoding="utf-8")

    def warnings(hook_source: str) -> list[str]:
        hook = tmp_path / f"hook{len(hook_source)}.py"  # a new file: MkDocs may keep a module it loaded
        hook.write_text(hook_source, encoding="utf-8")
        caplog.clear()
        extensions = [
            "generator.site.htmlblocks",
            *({name: CONFIG["mdx_configs"].get(name, {})} for name in EXTENSIONS),
        ]
        config = load_config(
            str(ROOT / "mkdocs.yml"),
            docs_dir=str(docs),
            site_dir=str(tmp_path / "site"),
            plugins=[],
            markdown_extensions=extensions,
            hooks=[str(hook)],
            nav=["index.md", "b.md"],
            strict=False,
        )
        with caplog.at_level(logging.WARNING, logger="mkdocs"):
            mkdocs_build(config)
        return [r.getMessage() for r in caplog.records if "anchor" in r.getMessage()]

    without = warnings("")
    assert any("'#inside'" in w for w in without)  # the extension hides the id from MkDocs
    found = warnings(
        "from generator.site.plugin import KommunkompassenPlugin\n"
        "on_page_content = KommunkompassenPlugin().on_page_content\n"
    )
    assert not any("'#inside'" in w for w in found) and any("'#missing'" in w for w in found)


@pytest.mark.parametrize(
    ("html", "view"),
    [
        (  # what an excluded heading's section holds is left out, up to the next heading
            '<h2 data-search-exclude id="a">A</h2>\n<ul>\n<li>x</li>\n</ul>\n<p>y</p>\n<h2 id="b">B</h2>\n<p>z</p>',
            '<h2 data-search-exclude id="a">A</h2>\n<h2 id="b">B</h2>\n<p>z</p>',
        ),
        (  # to the end of the page
            '<p>t</p>\n<h3 data-search-exclude id="a">A</h3>\n<p>x<br>y</p>\n<svg><path d="M0 0"/></svg>',
            '<p>t</p>\n<h3 data-search-exclude id="a">A</h3>\n',
        ),
        (  # a heading without an id starts no section: its text is the section before's
            '<h2 id="a">A</h2>\n<h2 data-search-exclude>B</h2>\n<p>x</p>',
            None,
        ),
        (  # the end tag closes an element opened before the heading: the text after it is not the heading's
            '<h2 id="a">A</h2>\n<div>\n<h2 data-search-exclude id="b">B</h2>\n<p>x</p>\n</div>\n<p>y</p>',
            None,
        ),
        (  # an element left open goes on past the next heading
            '<h2 data-search-exclude id="a">A</h2>\n<div>\n<p>x</p>\n<h2 id="b">B</h2>\n</div>\n<p>y</p>',
            None,
        ),
        (  # the words in an attribute's value exclude nothing
            '<h2 id="a" title="x data-search-exclude y">A</h2>\n<p>x</p>\n<h2 id="b">B</h2>',
            None,
        ),
        (  # a ">" in a quoted value, and a "<" that is no tag: the text is left as it is
            '<h2 data-search-exclude id="a">A</h2>\n<p title="1 > 0">x</p>\n<p>a < b</p>\n<h2 id="b">B</h2>',
            None,
        ),
        (  # a comment: html.parser reads it apart
            '<h2 data-search-exclude id="a">A</h2>\n<p><!-- <div> --></p>\n<h2 id="b">B</h2>',
            None,
        ),
        (  # and a script
            '<h2 data-search-exclude id="a">A</h2>\n<script>x = "</p>"</script>\n<h2 id="b">B</h2>',
            None,
        ),
        (  # a void element's end tag
            '<h2 data-search-exclude id="a">A</h2>\n<p>x</p></br>\n<h2 id="b">B</h2>',
            None,
        ),
    ],
)
def test_search_view_leaves_out_an_excluded_headings_section_only_when_search_would(html, view):
    assert _sections(htmlblocks.search_view(html)) == _sections(html)
    assert htmlblocks.search_view(html) == (html if view is None else view)
