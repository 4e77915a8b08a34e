"""convert.render's print layout (what the PDF writer feeds WeasyPrint), checked on the XHTML itself."""

import datetime as dt

from lxml import etree

from convert.model import Article
from convert.render import BookLinks, render_body

TZ = dt.timezone(dt.timedelta(hours=8))
BODY = ('<p id="top">第一行\n第二行 and\nEnglish<sup id="fnref:1" role="doc-noteref"><a href="#fn:1" class="footnote" '
        'rel="footnote">1</a></sup>，<a href="#top">回到开头</a>，<a href="https://example.org/2.html#x">第二篇</a>'
        '<a rel="attachment nofollow" href="https://example.org/f.zip">附件</a></p>'
        '<pre>代码\n换行</pre><table><tr><td colspan="65534">宽</td></tr></table>'
        '<div class="footnotes" role="doc-endnotes"><ol><li id="fn:1" role="doc-endnote"><p>注释内容。'
        '<a href="#fnref:1" class="reversefootnote" role="doc-backlink">↩</a></p></li></ol></div>')


def render(body=BODY):
    article = Article(id="https://example.org/1.html", title="一", date=dt.datetime(2022, 5, 1, tzinfo=TZ), body=body)
    links = BookLinks(chapters={"https://example.org/1.html": "a0001", "https://example.org/2.html": "a0002"},
                      ids={"a0001": frozenset({"top"}), "a0002": frozenset({"x"})}, single_document=True)
    text, _ = render_body(article, "a0001", links, "zh-CN", print_layout=True)
    return etree.fromstring(text)


X = ""  # render_body leaves the namespace declaration to the template


def test_notes_move_to_their_call_without_the_back_link():
    root = render()
    note = root.find(f".//{X}span[@class='footnote']")
    assert "".join(note.itertext()) == "注释内容。"
    assert note.getparent().tag == X + "p"
    assert root.find(f".//{X}aside") is None and root.find(f".//{X}div[@class='footnotes']") is None


def test_ids_are_prefixed_and_links_follow():
    root = render()
    assert root.find(f".//{X}p").get("id") == "a0001-top"
    hrefs = [a.get("href") for a in root.iter(X + "a")]
    assert "#a0001-top" in hrefs and "#a0002-x" in hrefs


def test_line_breaks_between_chinese_characters_are_dropped_elsewhere_kept():
    root = render()
    p = "".join(root.find(f".//{X}p").itertext())
    assert "第一行第二行 and\nEnglish" in p
    assert "".join(root.find(f".//{X}pre").itertext()) == "代码\n换行"


def test_attachment_relation_and_huge_colspan_are_defused():
    root = render()
    link = [a for a in root.iter(X + "a") if a.text == "附件"][0]
    assert link.get("rel") == "nofollow"
    assert root.find(f".//{X}td").get("colspan") == "1000"
