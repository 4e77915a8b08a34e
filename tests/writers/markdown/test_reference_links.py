"""--markdown-links reference: [text][1] with the definitions at the end of each article."""

from __future__ import annotations

import json
import re

import pytest
from lxml import html as lxml_html

from convert import read
from convert.cli import main
from convert.errors import WriterError
from convert.options import WriteOptions
from convert.reader.collection import ReadOptions
from convert.writers.markdown import MarkdownWriter, html_to_markdown

from .support import FINEWS, FINEWS_CONFIG, ROOT, SPEC, commonmark, round_trip, spec_normalize

SAMPLES = ROOT / "samples"

_BODY = (
    '<p><a href="/a" title="t">甲</a>、<a href="/b">乙</a>、<a href="/a" title="t">甲again</a>、'
    '<a href="/a">甲 without title</a><img src="/i.png" alt="图" /><img src="/b" alt="" /></p>\n'
    '<p>脚注<sup id="fnref:1" role="doc-noteref"><a href="#fn:1" class="footnote" rel="footnote">1</a></sup></p>\n'
    '<div class="footnotes" role="doc-endnotes">\n<ol>\n<li id="fn:1" role="doc-endnote">'
    '<p>见<a href="/c">丙</a> <a href="#fnref:1" class="reversefootnote" role="doc-backlink">&#8617;</a></p>\n'
    "</li>\n</ol>\n</div>\n"
)


def test_labels_are_numbers_in_order_of_first_use_one_per_url_and_title():
    text = html_to_markdown(_BODY, links="reference")
    assert text.startswith("[甲][1]、[乙][2]、[甲again][1]、[甲 without title][3]![图][4]![][2]\n")
    # The definitions come last, after the footnotes (whose link is numbered too), one a line.
    assert text.endswith('[^1]: 见[丙][5]\n\n[1]: /a "t"\n[2]: /b\n[3]: /a\n[4]: /i.png\n[5]: /c\n')
    assert html_to_markdown(_BODY, links="reference") == text  # same input, same bytes


def test_reference_links_render_as_the_inline_ones():
    body = _BODY.split("\n", 1)[0]  # the links; plain CommonMark has no footnotes
    inline, reference = html_to_markdown(body), html_to_markdown(body, links="reference")
    assert "](" in inline and "](" not in reference
    assert spec_normalize(commonmark(reference)) == spec_normalize(commonmark(inline)) == spec_normalize(body)


@pytest.mark.skipif(not SPEC.is_file(), reason="shared CommonMark spec examples not present")
def test_every_spec_example_round_trips_with_reference_links():
    differ = []
    for example in json.loads(SPEC.read_text(encoding="utf-8")):
        html = commonmark(example["markdown"])
        if spec_normalize(commonmark(html_to_markdown(html, links="reference"))) != spec_normalize(html):
            differ.append(example["example"])
    assert differ == []


def test_samples_round_trip(tmp_path):
    texts = round_trip(SAMPLES, SAMPLES / "_config.yml", tmp_path, markdown_links="reference")
    assert any(re.search(r"^\[1\]: ", text, re.M) for text in texts.values())


@pytest.mark.skipif(not FINEWS.is_dir(), reason="shared finews corpus not present")
def test_finews_round_trip(tmp_path):
    texts = round_trip(FINEWS, FINEWS_CONFIG, tmp_path, markdown_links="reference")
    assert sum(len(re.findall(r"^\[\d+\]: ", text, re.M)) for text in texts.values()) > 0


def test_one_document_numbers_across_articles_and_defines_each_label_once(tmp_path):
    collection = read([str(SAMPLES)], ReadOptions(config=SAMPLES / "_config.yml")).collection
    one = collection.with_articles(list(collection.articles) * 2)  # the same links twice over
    text = MarkdownWriter(WriteOptions(markdown_links="reference")).render(one)
    labels = re.findall(r"^\[(\d+)\]: ", text, re.M)
    assert labels == [str(n) for n in range(1, len(labels) + 1)] and labels
    # Every label is defined before the next article starts: at the end of the article that used it first.
    sections = text.split("\n* * *\n")
    for section in sections:
        used = set(re.findall(r"\]\[(\d+)\]", section))
        defined_earlier = {n for s in sections[:sections.index(section)] for n in re.findall(r"^\[(\d+)\]: ", s, re.M)}
        assert used <= defined_earlier | set(re.findall(r"^\[(\d+)\]: ", section, re.M))
    # And the document renders with the same links as the inline one.
    inline = MarkdownWriter().render(one)

    def links(markdown: str) -> list[tuple[str, str]]:
        tree = lxml_html.fromstring(commonmark(markdown.split("---\n", 2)[2]))
        return [(a.get("href"), a.text_content()) for a in tree.iter("a")]

    assert links(text) == links(inline) and links(text)


def test_cli_option_and_unknown_style(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["-q", "--to", "markdown", "--each", "--markdown-links", "reference", "-o", str(out),
                 "--config", str(SAMPLES / "_config.yml"), str(SAMPLES)]) == 0
    texts = [f.read_text(encoding="utf-8") for f in sorted(out.glob("*.md"))]
    assert any(re.search(r"^\[1\]: ", t, re.M) for t in texts) and not any("](http" in t for t in texts)
    assert main(["--to", "markdown", "--markdown-links", "footnote", str(SAMPLES)]) == 2
    assert "--markdown-links" in capsys.readouterr().err
    collection = read([str(SAMPLES)], ReadOptions(config=SAMPLES / "_config.yml")).collection
    with pytest.raises(WriterError, match="link style"):
        MarkdownWriter(WriteOptions(markdown_links="footnote")).render(collection)
