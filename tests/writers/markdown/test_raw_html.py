"""HTML that is not the canonical body: raw tokens written as they came, HTML blocks where
CommonMark reads them as such, and Markdown everywhere else."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from convert.writers.markdown import html_to_markdown
from convert.writers.markdown_html import html_blocks_only, parse_fragment

from .support import commonmark, spec_normalize


def _same_after_commonmark(html: str) -> str:
    markdown = html_to_markdown(html)
    assert spec_normalize(commonmark(markdown)) == spec_normalize(html), markdown
    return markdown


def test_canonical_bodies_take_the_xml_parser_and_others_the_tokenizer():
    assert parse_fragment('<p>a<br />b <img src="x" alt="" /></p>\n<hr />').source is None
    for raw in ("<p>a <!-- c --></p>", "<p><a/></p>", "<p>&ouml;</p>", "<script>a < b</script>", "<P>x</P>",
                '<p><a href="x\ny">z</a></p>'):
        assert parse_fragment(raw).source == raw, raw


def test_raw_tokens_are_written_as_they_came():
    assert _same_after_commonmark("<p>a <!-- c --> b</p>\n") == "a <!-- c --> b\n"
    assert _same_after_commonmark("<p>foo <a/><b2\ndata=\"foo\" ></p>\n") == "foo <a/><b2\ndata=\"foo\" >\n"
    assert _same_after_commonmark("<p>**<a href=\"**\"></p>\n") == "\\*\\*<a href=\"**\">\n"
    assert _same_after_commonmark("<p>x <?php echo $a; ?> <![CDATA[>&<]]></p>\n") == "x <?php echo $a; ?> <![CDATA[>&<]]>\n"


def test_text_outside_paragraphs_stays_an_html_block():
    assert _same_after_commonmark("</div>\n*foo*\n") == "</div>\n*foo*\n"
    assert _same_after_commonmark('<div></div>\n``` c\nint x = 33;\n```\n<p><em>a</em></p>\n') \
        == '<div></div>\n``` c\nint x = 33;\n```\n\n*a*\n'
    # A comment between two lists keeps them apart, and a paragraph after a script stays one.
    assert _same_after_commonmark("<ul>\n<li>a</li>\n</ul>\n<!-- -->\n<ul>\n<li>b</li>\n</ul>\n") == "- a\n\n<!-- -->\n\n- b\n"
    assert _same_after_commonmark("<script>\nx\n\ny\n</script>\n<p>okay</p>\n") == "<script>\nx\n\ny\n</script>\n\nokay\n"


def test_a_tight_item_with_an_html_block_before_more_content_is_html():
    # "- <div>x</div>" then "  - y" would put the nested list inside the HTML block, and a
    # blank line between them would make the list loose: the list stays HTML.
    html = "<ul>\n<li>\n<div>x</div>\n<ul>\n<li>y</li>\n</ul>\n</li>\n<li>z</li>\n</ul>\n"
    assert _same_after_commonmark(html) == html
    assert _same_after_commonmark("<ul>\n<li>a</li>\n<li>\n<div>x</div>\n</li>\n</ul>\n") == "- a\n- <div>x</div>\n"


def test_what_commonmark_would_read_as_an_html_block():
    assert html_blocks_only("<div>\n*a*", may_run_to_end=False)
    assert not html_blocks_only("<div>\n\n*a*", may_run_to_end=False)  # the blank line ends it
    assert html_blocks_only("<!-- a\n\nb -->", may_run_to_end=False)
    assert not html_blocks_only("<script>\nnever closed", may_run_to_end=False)
    assert html_blocks_only("<script>\nnever closed", may_run_to_end=True)
    assert not html_blocks_only("<em>a</em>", may_run_to_end=True)  # kind 7 needs the tag alone on its line
    assert not html_blocks_only("    <div>", may_run_to_end=True)  # indented code


def test_markdown_where_it_reads_back_the_same():
    # An image without alt (Markdown's always has one), in a paragraph of its own: the paragraph as HTML.
    assert _same_after_commonmark('<p><img src="x.png" /></p>\n') == '<p><img src="x.png" /></p>\n'
    assert _same_after_commonmark('<p>a <img src="x.png" /></p>\n') == 'a <img src="x.png" />\n'
    # A literal "!" before a link; a blank line inside a paragraph's text.
    assert _same_after_commonmark('<p>!<a href="/u">foo</a></p>\n') == "\\![foo](/u)\n"
    assert _same_after_commonmark("<p>foo\n\nbar</p>\n") == "foo\nbar\n"
    # <i> and <b> are not <em> and <strong>.
    assert _same_after_commonmark("<p><i>a</i> <b>b</b> <em>c</em></p>\n") == "<i>a</i> <b>b</b> *c*\n"
    # A line break where Markdown has none: in a heading, a table cell.
    assert _same_after_commonmark("<h2>a<br />b</h2>\n") == "## a<br />b\n"
    # HTML that would start an HTML block in the middle of a paragraph joins the line before it.
    assert _same_after_commonmark("<p>a<br />\n<!-- c --> b</p>\n") == "a<br /><!-- c --> b\n"


# Markdown made of CommonMark syntax and raw HTML tokens. Left out: raw ``</p>``, ``<pre>``,
# ``<script>``, ``<style>``, whose rendering no HTML tokenizer can read back unambiguously (a
# raw ``</p>`` inside a paragraph looks like the paragraph's own end), and ``<br>`` (the
# spec's normalization keeps the spaces after a ``<br>``, which no Markdown line starts with).
_PIECES = st.sampled_from([
    "<div>", "</div>", '<a href="x">', "</a>", "<!-- c -->", "<!-->", "<?p ?>", "<![CDATA[x]]>", "<!X y>",
    "<span/>", "<b>", "</b>", "<em>", "</em>", '<img src="i">', "&ouml;", "&amp;",
    "*", "**", "_", "`", "```", "\\", "|", "---", "[x](y)", "foo", "中文", "“重要”", " ", "    ",
    "\n", "\n\n", "- ", "> ", "# ", "1. ",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=12).map(lambda p: "".join(p) + "\n"))
def test_markdown_with_raw_html_round_trips(markdown):
    _same_after_commonmark(commonmark(markdown))


_SOUP = st.lists(st.one_of(st.text(max_size=4), st.sampled_from(
    ["<", ">", "</", "/>", "<p>", "</p>", "<div", '="', "'", "<!--", "-->", "<?", "<![CDATA[", "]]>", "<script>",
     "</script>", "&", "&amp;", "&#1;", "\x00", "\x01", "\r", "\ud800", "<a/>", "<br>", "<Td>", "</x>"])),
    max_size=20).map("".join)


@settings(max_examples=300, deadline=None)
@given(_SOUP)
def test_any_string_converts_without_error(html):
    # Tag soup, control characters, lone surrogates: Markdown out, never an exception.
    assert isinstance(html_to_markdown(html), str)
