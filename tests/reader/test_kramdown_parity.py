"""render_markdown against real Jekyll 4.3 kramdown on every real post we have.

Each body (front matter cut off, Liquid tags removed from both inputs) is
rendered by both; both outputs go through the same normalizer and must agree
on block structure and text.  The normalizer erases only what is presentation,
not content:

* whitespace runs collapse to one space; whitespace next to block tags goes;
  a space between two CJK characters goes, also across inline tags (our east-asian line breaks drop the
  newline kramdown keeps; browsers show neither as a gap in CJK text anyway);
* comments go, attributes are sorted;
* Rouge's ``div.highlighter-rouge > div.highlight > pre.highlight > code`` with
  token spans becomes ``pre > code.language-x`` holding the plain text;
  ``language-plaintext`` (Rouge's name for "no language") is dropped, and so
  is the ``language-plaintext highlighter-rouge`` class kramdown puts on inline code.

Heading ids are kept: we generate kramdown's ids, so they are compared too.

At least 99% of posts must be equal; each remaining difference is listed by
post name with its reason in kramdown_differences.txt.  A difference not listed
fails, and so does a listed post that now renders equal (stale entry).
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from convert.reader.markdown import render_markdown
from tests.support import kramdown

CORPUS = Path("/work/shared/corpus")
DIFFERENCES = Path(__file__).with_name("kramdown_differences.txt")

_FRONT = re.compile(r"\A\s*(---|\+\+\+)\n.*?\n\1[ \t]*\n", re.S)
_LIQUID = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)

_BLOCK_TAGS = (
    "address article aside blockquote body center dd details div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary "
    "table tbody td tfoot th thead tr ul"
).split()
_AROUND_BLOCK = re.compile(r"\s*(</?(?:%s)\b[^>]*>)\s*" % "|".join(_BLOCK_TAGS))
_CJK = r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
_CJK_SPACE = re.compile(rf"(?<={_CJK})((?:<[^>]*>)*) ((?:<[^>]*>)*)(?={_CJK})")


def _posts() -> list[tuple[str, str]]:
    files = sorted((CORPUS / "finews").glob("*.md")) + sorted((CORPUS / "diverse").iterdir())
    files += sorted(Path("/work/shared/seeds").glob("*.txt"))
    posts = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        match = _FRONT.match(text)
        body = text[match.end() :] if match else text
        posts.append((f"{path.parent.name}/{path.name}", _LIQUID.sub("", body)))
    return posts


def _unrouge(root: etree._Element) -> None:
    for div in root.xpath('//div[contains(concat(" ", @class, " "), " highlighter-rouge ")]'):
        code = div.find(".//code")
        lang = next(
            (c for c in (div.get("class") or "").split() if c.startswith("language-")), None
        )
        pre = etree.Element("pre")
        new = etree.SubElement(pre, "code")
        if lang:
            new.set("class", lang)
        new.text = code.text_content() if code is not None else div.text_content()
        pre.tail = div.tail
        div.getparent().replace(div, pre)
    for code in root.iter("code"):
        # kramdown marks inline code spans "language-plaintext highlighter-rouge".
        if code.get("class") in ("language-plaintext", "language-plaintext highlighter-rouge"):
            del code.attrib["class"]


def _serialize(el: etree._Element, out: list[str]) -> None:
    if el.tag is etree.Comment or el.tag is etree.ProcessingInstruction:
        if el.tail:
            out.append(el.tail)
        return
    # A boolean attribute reads the same as defer, defer="" or defer="defer".
    attrs = "".join(
        f' {k}="{"" if v == k else " ".join(v.split())}"' for k, v in sorted(el.attrib.items())
    )
    out.append(f"<{el.tag}{attrs}>")
    if el.text:
        out.append(el.text)
    for child in el:
        _serialize(child, out)
    out.append(f"</{el.tag}>")
    if el.tail:
        out.append(el.tail)


def normalize(html: str) -> str:
    """Canonical text of an HTML fragment: structure, attributes and text only."""
    if not html.strip():
        return ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    _unrouge(root)
    out: list[str] = []
    _serialize(root, out)
    text = " ".join("".join(out).split())
    text = _AROUND_BLOCK.sub(r"\1", text)
    return _CJK_SPACE.sub(r"\1\2", text)


def _known_differences() -> dict[str, str]:
    known = {}
    for line in DIFFERENCES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition("\t")
            known[name.strip()] = reason.strip()
    return known


@pytest.fixture(scope="module")
def parity() -> dict[str, tuple[str, str]]:
    reason = kramdown.unavailable_reason()
    if reason:
        pytest.skip(reason)
    posts = _posts()
    theirs = kramdown.render([body for _, body in posts])
    return {
        name: (normalize(render_markdown(body)), normalize(html))
        for (name, body), html in zip(posts, theirs)
    }


def test_corpus_is_there() -> None:
    assert len(_posts()) >= 130


PARITY_FLOOR = 0.99


def test_at_least_99_percent_of_posts_render_as_kramdown(parity) -> None:
    equal = sum(ours == theirs for ours, theirs in parity.values())
    assert equal / len(parity) >= PARITY_FLOOR, f"{equal}/{len(parity)} posts equal"
    finews = [ours == theirs for name, (ours, theirs) in parity.items() if name.startswith("finews/")]
    assert all(finews), "every finews post must render as kramdown renders it"


def test_every_difference_is_known(parity) -> None:
    known = _known_differences()
    new = {
        name: (ours, theirs)
        for name, (ours, theirs) in parity.items()
        if ours != theirs and name not in known
    }
    report = "\n\n".join(f"{n}\n ours:   {o[:600]}\n theirs: {t[:600]}" for n, (o, t) in new.items())
    assert not new, f"new differences from kramdown:\n{report}"


def test_no_stale_known_differences(parity) -> None:
    stale = [n for n in _known_differences() if n not in parity or parity[n][0] == parity[n][1]]
    assert not stale, f"listed in {DIFFERENCES.name} but equal now (or gone): {stale}"


def test_normalizer_keeps_what_matters() -> None:
    # The normalizer must not hide real differences: text, tags and attributes count.
    assert normalize("<p>a <em>b</em></p>") != normalize("<p>a b</p>")
    assert normalize("<p>ab</p>") != normalize("<p>a b</p>")
    assert normalize('<h1 id="x">t</h1>') != normalize('<h1 id="y">t</h1>')
    assert normalize("<p>中文\n中文</p>") == normalize("<p>中文中文</p>")
    rouge = (
        '<div class="language-python highlighter-rouge"><div class="highlight">'
        '<pre class="highlight"><code><span class="n">x</span>\n</code></pre></div></div>'
    )
    assert normalize(rouge) == normalize('<pre><code class="language-python">x\n</code></pre>')
