"""--markdown-flavor gfm|commonmark|jekyll|hugo: each round trips, and each keeps its promise.

Round trip as in test_roundtrip: read -> write (--each, in the flavour) -> read gives the
same model, and writing again gives the same bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from convert import read
from convert.cli import main
from convert.errors import WriterError
from convert.options import WriteOptions
from convert.reader.collection import ReadOptions
from convert.writers.markdown import FLAVORS, MarkdownWriter, html_to_markdown, toml_front_matter

from .support import FINEWS, FINEWS_CONFIG, ROOT, commonmark, normalize_body, read_folder, round_trip

SAMPLES = ROOT / "samples"
OTHER_FLAVORS = [f for f in FLAVORS if f != "gfm"]  # gfm, the default, is test_roundtrip's




@pytest.mark.parametrize("flavor", OTHER_FLAVORS)
def test_samplesround_trip(flavor, tmp_path):
    round_trip(SAMPLES, SAMPLES / "_config.yml", tmp_path, flavor)


@pytest.mark.skipif(not FINEWS.is_dir(), reason="shared finews corpus not present")
@pytest.mark.parametrize("flavor", OTHER_FLAVORS)
def test_finewsround_trip(flavor, tmp_path):
    round_trip(FINEWS, FINEWS_CONFIG, tmp_path, flavor)


def test_gfm_is_the_default_and_unchanged(tmp_path):
    collection = read([str(SAMPLES)], ReadOptions(config=SAMPLES / "_config.yml")).collection
    for article in collection.articles:
        one = collection.with_articles([article])
        assert MarkdownWriter().render(one) == MarkdownWriter(WriteOptions(markdown_flavor="gfm")).render(one)


def _features(flavor: str, tmp_path: Path) -> str:
    texts = round_trip(SAMPLES / "_posts" / "2022-05-28-markdown-features.md", SAMPLES / "_config.yml",
                        tmp_path, flavor)
    (text,) = texts.values()
    return text


TABLE_ROW = "| 季度 | 销量（万件） | 同比 |"  # the sample's table header as a pipe-table row


def test_commonmark_writes_gfm_extensions_as_html(tmp_path):
    gfm, plain = _features("gfm", tmp_path / "gfm"), _features("commonmark", tmp_path / "cm")
    # The sample has a table, a strikethrough and a footnote: GFM syntax in gfm...
    assert TABLE_ROW in gfm and "~~" in gfm and "[^1]" in gfm
    # ...and HTML in commonmark, which a plain CommonMark parser passes through as elements.
    assert TABLE_ROW not in plain and "| :---" not in plain and "~~" not in plain and "[^" not in plain
    html = commonmark(plain.split("---\n", 2)[2])
    assert "<table>" in html and "<s>删除的文字</s>" in html and 'class="footnotes"' in html
    assert "<th" in html and "<td" in html


_LIQUID_BODY = (
    "<p>{{ site.title }} and {% include note.html %} and a stray {% endraw %} here</p>\n"
    "<pre><code>{{ page.title }}\n</code></pre>\n"
    "<p><code>{% if x %}</code> {{{ y</p>"
)


def test_jekyll_wraps_liquid_in_raw():
    text = html_to_markdown(_LIQUID_BODY, "jekyll")
    assert "{% raw %}{{ site.title }}{% endraw %}" in text
    assert "{% raw %}{% include note.html %}{% endraw %}" in text
    assert "{% raw %}{{ page.title }}{% endraw %}" in text  # in the code block too
    # Every Liquid opener is inside raw: with the raw parts taken out, none is left.
    outside = "".join(part.split("{% endraw %}", 1)[-1] for part in text.split("{% raw %}"))
    assert "{{" not in outside and "{%" not in outside.replace("{%{% endraw %}", "")
    assert "\\{" not in text  # kramdown would keep the backslash of \%: no escapes instead


def test_jekyll_liquid_reads_back_literally(tmp_path):
    posts = tmp_path / "_posts"
    posts.mkdir()
    text = "---\ntitle: t\ndate: 2022-01-01 10:00:00 +08:00\n---\n\n" + html_to_markdown(_LIQUID_BODY, "jekyll")
    (posts / "2022-01-01-t.md").write_text(text, encoding="utf-8")
    (tmp_path / "_config.yml").write_text("title: Real Title\n", encoding="utf-8")
    (article,) = read_folder(tmp_path, tmp_path / "_config.yml").articles
    assert normalize_body(article.body) == normalize_body(_LIQUID_BODY)


@pytest.mark.skipif(shutil.which("jekyll") is None, reason="jekyll not installed")
def test_jekyll_build_does_not_evaluate_liquid(tmp_path):
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text("title: Real Title\n", encoding="utf-8")
    text = "---\ntitle: t\n---\n\n" + html_to_markdown(_LIQUID_BODY, "jekyll")
    (site / "_posts" / "2022-01-01-t.md").write_text(text, encoding="utf-8")
    done = subprocess.run(["jekyll", "build", "-q", "-s", str(site), "-d", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "out" / "2022" / "01" / "01" / "t.html").read_text(encoding="utf-8")
    assert "Real Title" not in html
    assert "{{ site.title }} and {% include note.html %} and a stray {% endraw %} here" in html
    assert "{{ page.title }}" in html and "{% if x %}" in html and "{{{ y" in html


def test_hugo_front_matter_is_toml_with_types(tmp_path):
    text = _features("hugo", tmp_path)
    assert text.startswith("+++\n")
    header = text.split("+++\n")[1]
    data = tomllib.loads(header)
    assert data["date"] == dt.datetime(2022, 5, 28, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert data["title"] == "Markdown 功能一览：表格、代码与脚注"
    assert data["tags"] == ["示例", "markdown"] and data["authors"] == ["李明"]
    assert TABLE_ROW in text and "[^1]" in text  # the body is gfm


def test_hugo_strings_are_escaped(tmp_path):
    posts = tmp_path / "_posts"
    posts.mkdir()
    (tmp_path / "_config.yml").write_text("title: s\n", encoding="utf-8")
    title = 'He said "no" \\ then\ttab \x01 and 中文'
    (posts / "2022-01-01-t.md").write_text(
        "---\ntitle: " + '"' + title.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
        .replace("\x01", "\\x01") + '"\ndate: 2022-01-01 10:00:00 -05:30\ncount: 3\ndraft_ok: true\n'
        "ratio: 2.5\nnested: {a: [1, b]}\n---\n\nbody\n", encoding="utf-8")
    original = read_folder(tmp_path, tmp_path / "_config.yml")
    assert original.articles[0].title == title
    text = MarkdownWriter(WriteOptions(markdown_flavor="hugo")).render(original)
    data = tomllib.loads(text.split("+++\n")[1])
    assert data["title"] == title
    date = original.articles[0].date
    assert data["date"] == date and data["date"].utcoffset() == date.utcoffset()
    assert data["count"] == 3 and data["draft_ok"] is True and data["ratio"] == 2.5
    assert data["nested"] == {"a": [1, "b"]}
    (tmp_path / "back").mkdir()
    (tmp_path / "back" / "2022-01-01-t.md").write_text(text, encoding="utf-8")
    again = read_folder(tmp_path / "back", tmp_path / "_config.yml").articles[0]
    assert again.title == title and again.date == original.articles[0].date
    assert {k: again.extra[k] for k in ("count", "draft_ok", "ratio", "nested")} == \
        {"count": 3, "draft_ok": True, "ratio": 2.5, "nested": {"a": [1, "b"]}}


def test_unknown_flavor_is_refused(tmp_path, capsys):
    assert main(["--to", "markdown", "--markdown-flavor", "kramdown", str(SAMPLES)]) == 2
    err = capsys.readouterr().err
    assert "--markdown-flavor" in err and "commonmark" in err
    collection = read([str(SAMPLES)], ReadOptions(config=SAMPLES / "_config.yml")).collection
    with pytest.raises(WriterError, match="flavour"):
        MarkdownWriter(WriteOptions(markdown_flavor="kramdown")).render(collection)


def test_cli_passes_the_flavor(tmp_path):
    out = tmp_path / "out"
    code = main(["-q", "--to", "markdown", "--each", "--markdown-flavor", "hugo", "-o", str(out),
                 "--config", str(SAMPLES / "_config.yml"), str(SAMPLES)])
    assert code == 0
    files = sorted(out.glob("*.md"))
    assert len(files) == 4 and all(f.read_text(encoding="utf-8").startswith("+++\n") for f in files)


_NULLS = ("---\ntitle: 空值\ndate: 2022-01-01 10:00:00 +08:00\nsubtitle:\nratings: [1, null, 3]\n"
          "meta: {source: null, n: 1}\nfine: yes\n---\n\n正文。\n")


def test_hugo_keeps_nulls_as_yaml_front_matter_with_a_warning(tmp_path):
    posts = tmp_path / "_posts"
    posts.mkdir()
    (tmp_path / "_config.yml").write_text("title: s\n", encoding="utf-8")
    (posts / "2022-01-01-nulls.md").write_text(_NULLS, encoding="utf-8")
    original = read_folder(tmp_path, tmp_path / "_config.yml")
    article = original.articles[0]
    assert article.extra["subtitle"] is None and article.extra["ratings"] == [1, None, 3]
    writer = MarkdownWriter(WriteOptions(markdown_flavor="hugo"))
    text = writer.render(original)
    # TOML has no null: YAML front matter (Hugo reads it too), and the run is told why.
    assert text.startswith("---\n") and "+++" not in text
    (warning,) = writer.diagnostics
    assert "TOML has no null" in warning.message and "meta, ratings, subtitle" in warning.message
    assert warning.path == str(article.source)
    (tmp_path / "back").mkdir()
    (tmp_path / "back" / "2022-01-01-nulls.md").write_text(text, encoding="utf-8")
    again = read_folder(tmp_path / "back", tmp_path / "_config.yml").articles[0]
    assert again.extra == article.extra and again.title == article.title and again.date == article.date
    # Without a null, the same article is TOML again, and nothing is reported.
    clean = original.with_articles([dataclasses.replace(article, extra={"fine": article.extra["fine"]})])
    writer = MarkdownWriter(WriteOptions(markdown_flavor="hugo"))
    assert writer.render(clean).startswith("+++\n") and writer.diagnostics == []
    with pytest.raises(WriterError, match="TOML has no null"):
        toml_front_matter([("subtitle", None)])


def test_hugo_null_warning_reaches_the_run(tmp_path, capsys):
    posts = tmp_path / "_posts"
    posts.mkdir()
    (posts / "2022-01-01-nulls.md").write_text(_NULLS, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["--to", "markdown", "--each", "--markdown-flavor", "hugo", "-o", str(out), str(posts)]) == 0
    assert "TOML has no null" in capsys.readouterr().err
    assert main(["--strict", "--to", "markdown", "--each", "--markdown-flavor", "hugo", "-o", str(out / "s"),
                 str(posts)]) == 1
