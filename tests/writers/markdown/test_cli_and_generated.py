"""The command never writes Markdown over a source post; generated bodies round trip."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from convert.cli import main
from convert.reader.clean import clean_body
from convert.reader.markdown import render_markdown
from convert.writers.markdown import html_to_markdown

from .support import commonmark, normalize_body


def test_refuses_to_write_over_a_source_post(tmp_path, capsys):
    posts = tmp_path / "_posts"
    posts.mkdir()
    source = posts / "2022-05-27-hello.md"
    original = "---\ntitle: 你好\ndate: 2022-05-27 10:00:00 +08:00\n---\n\n正文。\n"
    source.write_text(original, encoding="utf-8")
    code = main(["--to", "markdown", "--each", "-o", str(posts), str(posts)])
    assert code == 1
    assert "refusing to write over input file" in capsys.readouterr().err
    assert source.read_text(encoding="utf-8") == original


_CJK = st.sampled_from(["\u3000\u3000缩进", "重要", "消息", "中文", "“引号”", "（括号）", "《书名》", "。", "，", "！", "a", "b c", "x_y", "1.", "#", "*", "`", "``", "[", "]", "\\", "<", "&amp;", "|", "-", "+", ">"])
_TEXT = st.lists(_CJK, min_size=1, max_size=6).map("".join)


def _inline(depth: int):
    if depth == 0:
        return _TEXT.map(lambda t: t.replace("<", "&lt;"))
    inner = _inline(depth - 1)
    return st.lists(st.one_of(
        inner,
        inner.map(lambda t: f"<strong>{t}</strong>"),
        inner.map(lambda t: f"<em>{t}</em>"),
        _TEXT.map(lambda t: "<code>" + t.replace("&", "&amp;").replace("<", "&lt;").strip(" ") + "</code>"),
    ), min_size=1, max_size=3).map("".join)


def _list(depth: int):
    item = _inline(1)
    if depth:
        item = st.one_of(item, st.tuples(_inline(1), _list(depth - 1)).map(lambda p: p[0] + "\n" + p[1]))
    tag = st.sampled_from(["ul", "ol"])
    return st.tuples(tag, st.lists(item, min_size=1, max_size=3)).map(
        lambda p: f"<{p[0]}>" + "".join(f"<li>{i}</li>" for i in p[1]) + f"</{p[0]}>")


_BODY = st.lists(st.one_of(
    _inline(2).map(lambda t: f"<p>{t}</p>"),
    _list(2),
    _TEXT.map(lambda t: '<pre><code class="language-py">' + t.replace("&", "&amp;").replace("<", "&lt;") + "\n```\n</code></pre>"),
), min_size=1, max_size=4).map("\n".join)


def _canonical(html: str) -> str:
    return clean_body(html, page_url="https://example.org/p.html", site_url="https://example.org").html


@settings(max_examples=300, deadline=None)
@given(_BODY)
def test_generated_bodies_round_trip(body):
    canonical = _canonical(body)
    markdown = html_to_markdown(canonical)
    # Through convert's reader (kramdown rules, CJK-friendly emphasis)...
    assert normalize_body(_canonical(render_markdown(markdown, auto_ids=False))) == normalize_body(canonical), markdown
    # ...and through plain CommonMark: emphasis next to CJK punctuation must survive there too.
    assert normalize_body(_canonical(commonmark(markdown))) == normalize_body(canonical), markdown
    assert html_to_markdown(_canonical(render_markdown(markdown, auto_ids=False))) == markdown
