"""Reader edge cases, one small case file each (tests/cases/reader/)."""

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings, strategies as st

from convert.reader.collection import ReadOptions, read

CASES = Path(__file__).resolve().parents[1] / "cases" / "reader"
SHANGHAI = {"timezone": "Asia/Shanghai"}


def _read(name, **options):
    overrides = options.pop("site", {})
    return read([CASES / name], ReadOptions(jobs=1, site_overrides=overrides, **options))


def _one(name, **options):
    report = _read(name, **options)
    assert not report.failures, report.failures
    (article,) = report.collection.articles
    return article, report


@pytest.mark.parametrize("name, title, body", [
    ("2021-12-08-bom-crlf.md", "带 BOM 与 CRLF", "<p>正文。</p>\n"),
    ("2021-12-08-lone-cr.md", "lone CR", "<p>body line</p>\n"),
    ("2021-12-08-utf16.md", "UTF-16 标题", "<p>正文</p>\n"),
    ("2021-12-08-ideographic-indent.md", "全角缩进", "<p>\u3000\u3000第一段有全角缩进。</p>\n"),
])
def test_encodings_line_endings_and_indent(name, title, body):
    article, report = _one(name)
    assert (article.title, article.body) == (title, body)
    assert article.date == dt.datetime(2021, 12, 8, 10, 46, 18, tzinfo=dt.timezone(dt.timedelta(hours=8))) or name.endswith("indent.md")
    assert not report.diagnostics


def test_gb18030_needs_the_option():
    report = _read("2021-12-08-gb18030.md")
    (error,) = report.failures
    assert error.line == 2 and "--input-encoding gb18030" in error.message
    article, _ = _one("2021-12-08-gb18030.md", input_encoding="gb18030")
    assert article.title == "国标编码"


def test_non_mapping_front_matter_is_an_error_with_its_line():
    (error,) = _read("2021-12-08-non-mapping.md").failures
    assert str(error).endswith("2021-12-08-non-mapping.md:2: front matter is a list, not a mapping of keys to values "
                               "(expected lines like 'title: ...')")


def test_broken_date_falls_back_to_the_file_name_with_a_warning_naming_the_line():
    article, report = _one("2021-12-08-broken-date.md", site=SHANGHAI)
    assert article.date.isoformat() == "2021-12-08T00:00:00+08:00"
    (warning,) = report.diagnostics
    assert warning.line == 3 and warning.path.endswith("2021-12-08-broken-date.md")


def test_no_date_at_all_is_an_error_for_that_file():
    (error,) = _read("no-date-anywhere.md").failures
    assert error.path.endswith("no-date-anywhere.md") and error.line == 3


@pytest.mark.parametrize("name, option, reason", [
    ("2021-12-08-unpublished.md", "unpublished", "published: false"),
    ("2021-12-08-draft.md", "drafts", "draft"),
    ("2999-01-01-future.md", "future", "future"),
])
def test_skipped_unless_asked(name, option, reason):
    report = _read(name)
    assert not report.collection.articles and reason in report.skipped[0][1]
    article, _ = _one(name, **{option: True})
    assert article.title


def test_categories_tags_and_title_from_the_slug():
    article, report = _one("2021-12-08-hello-world-post.md")
    assert article.categories == ("news", "world", "财经 要闻")
    assert article.tags == ("东财", "滚动")
    assert article.title == "Hello World Post"
    assert "no title; using the file name" in report.diagnostics[0].message


def test_numeric_slug_takes_the_first_sentence_as_title():
    article, report = _one("2021-12-08-202112082206672930.md")
    assert article.title == "离岸人民币兑美元升至6.3512，为2018年以来最高水平"
    assert "first sentence" in report.diagnostics[0].message


def test_excerpt_separator_gives_the_summary():
    article, _ = _one("2021-12-08-excerpt.md")
    assert article.summary == "First part still first."
    assert "Second part" in article.body


def test_liquid_is_data_not_a_template():
    article, report = _one("2021-12-08-liquid.md", site={"title": "金融消息"})
    assert "Site: 金融消息." in article.body
    assert '<pre><code class="language-python">print("&lt;b&gt;")' in article.body
    assert "{{ kept }}" in article.body
    assert any("include" in d.message for d in report.diagnostics)


def test_hostile_html_is_cleaned_and_links_resolved():
    article, report = _one("2021-12-08-hostile.html", site={"url": "https://finews.withounder.com"})
    assert "<script" not in article.body and "javascript:" not in article.body and "secret" not in article.body
    assert "\x07" not in article.body and "\x0b" not in article.body
    assert 'href="https://finews.withounder.com/2021/12/08/emnews/"' not in article.body  # resolved against the permalink
    assert 'href="https://finews.withounder.com/2021/12/emnews/"' in article.body
    assert 'href="https://finews.withounder.com/"' in article.body
    assert any("character" in d.message for d in report.diagnostics)


def test_language_from_the_script():
    assert _one("2021-12-08-japanese.md")[0].lang == "ja"
    assert _one("2021-12-08-202112082206672930.md")[0].lang == "zh"


def _lang_by_letters(text):
    """detect_lang's rule spelled out: the script of most letters (any kana: Japanese)."""
    letters = re.sub(r"[\W\d_]+", "", text[:400])
    for pattern, lang in (("[\u3040-\u30ff]", "ja"), ("[\uac00-\ud7af]", "ko"), ("[\u4e00-\u9fff\u3400-\u4dbf]", "zh"),
                          ("[\u0600-\u06ff]", "ar"), ("[\u0400-\u04ff]", "ru")):
        count = len(re.findall(pattern, letters))
        if letters and ((lang == "ja" and count >= 5) or count * 2 > len(letters)):
            return lang
    return ""


@given(st.lists(st.sampled_from(list("中文字ひらがなカタカナ・ー한국어абвابت abc12_，。「」\u3099\u30fb\u4dbf\u9fff\u3007")),
                max_size=60).map("".join))
def test_language_is_the_script_of_most_letters(text):
    from convert.reader.post import detect_lang

    assert detect_lang(text) == _lang_by_letters(text)
    assert detect_lang(text * 20) == _lang_by_letters(text * 20)  # past the 400 characters looked at


def test_summary_text_is_the_text_the_cleaned_excerpt_shows():
    from convert.reader.clean import clean_body
    from convert.reader.post import _normalize_space, _text, summary_text

    cases = [
        "<p>离岸人民币兑美元升至<strong>6.3512</strong>，为2018年以来最高水平。</p>\n<p><a href='x'>link</a></p>",
        "<p>a &amp; b &lt;c&gt;\x07</p>",
        "<p style='display:none'>secret</p><p>shown</p>",
        "<!-- c --><p>x<script>alert(1)</script></p>",
        "<ul><li><input type='checkbox' checked> done</li></ul>",
        "<p>Cafe\u0301</p>",
    ]
    for fragment in cases:
        assert summary_text(fragment) == _normalize_space(_text(clean_body(fragment).html)), fragment
    assert "secret" not in summary_text(cases[2]) and "alert" not in summary_text(cases[3])


_prose = st.lists(st.sampled_from(list("离岸人民币兑美元升至，。“”（）abc XYZ 12.3\n-*_[]<>&`'\"#>:=+!|~\\{}$\u3000")
                                  + ["...", "--", "    ", "\n\n", "1. ", "# "]), max_size=40).map("".join)


@given(_prose)
@example("离岸人民币\n兑美元 abc\ndef。\n\n第二段")
def test_plain_paragraph_text_is_what_rendering_would_show(source):
    from convert.reader.markdown import render_markdown
    from convert.reader.post import plain_paragraph_text, summary_text

    plain = plain_paragraph_text(source)
    if plain is not None:
        assert plain == summary_text(render_markdown(source))


# The single regexes that _needs_cleaning and _normalize_space replace, for speed: the oracles.
_NEEDS_CLEANING_REGEX = re.compile(
    r"<!--|<(?:script|style|iframe|object|embed|video|audio|form|input|button|select|textarea|svg|math|"
    r"template|noscript|head|title|meta|link)\b|hidden|display", re.IGNORECASE)
_markup = st.lists(st.sampled_from(
    ["<!--", "<", ">", "-", "!", "hidden", "display", "HiDdEn", "DISPLAY", "h\u0131dden", "h\u0130dden", "di\u017fplay",
     "d\u0130splay", "\u0130", "\u0131", "\u017f", "\u212a", "<script", "<Style", "<\u017fvg", "<l\u0130nk", "<iframe",
     "<scripts", "h", "i", "d", "e", "n", "s", "p", "l", "a", "y", "I", "S", " ", "\n", "\t", "\u00a0", "\u3000",
     "\u2028", "\x1c", "\x85", "\u200b", "离", "a b"]), max_size=30).map("".join)


@given(_markup)
@example("h\u0130dden")
@example("<p>d\u0131splay</p>")
def test_needs_cleaning_finds_what_the_one_regex_finds(fragment):
    from convert.reader.post import _needs_cleaning

    assert _needs_cleaning(fragment) == bool(_NEEDS_CLEANING_REGEX.search(fragment))


@given(_markup | st.text())
def test_normalize_space_is_the_regex_collapse(text):
    from convert.reader.post import _normalize_space

    assert _normalize_space(text) == re.sub(r"\s+", " ", text).strip()


def test_normalize_space_takes_the_whitespace_re_takes():
    from convert.reader.post import _normalize_space

    for code in range(0x110000):
        char = chr(code)
        assert _normalize_space(f"a{char}b") == re.sub(r"\s+", " ", f"a{char}b").strip()


_MARKDOWN_SIGNIFICANT = re.compile(  # the one alternation plain_paragraph_text's tests replace
    r"""[\\`*_\[\]<>&{}|~"'$\x00\t]|\.\.\.|--|^[ ]*(?:[-+=#>:]|\d{1,9}[.)])|^ {4}""", re.MULTILINE)


@given(st.lists(st.sampled_from(list("离岸 abc12.-\n\t*#>:=+)") + ["...", "--", "    ", "1. ", "１.", "٣)", "\n  - "]),
                max_size=30).map("".join))
def test_plain_paragraphs_are_refused_exactly_as_before(source):
    from convert.reader.post import plain_paragraph_text

    assert (plain_paragraph_text(source) is None) == bool(_MARKDOWN_SIGNIFICANT.search(source))


def test_long_summaries_are_cut_at_a_sentence_end():
    from convert.reader.post import SUMMARY_LIMIT, shorten

    chinese = "今年以来，赤峰市邮政分公司全面推进工作。" * 60
    short = shorten(chinese)
    assert len(short) <= SUMMARY_LIMIT and short.endswith("。…") and chinese.startswith(short[:-1])
    latin = "word " * 300
    cut = shorten(latin.strip())
    assert cut.endswith("word…") and len(cut) <= SUMMARY_LIMIT
    assert shorten("短文。") == "短文。"


def test_the_seed_summary_is_its_opening_cut_short():
    root = Path(__file__).resolve().parents[2]
    report = read([root / "samples"], ReadOptions(jobs=1))
    seed = next(a for a in report.collection.articles if a.source.endswith("5971357beab9ad41.md"))
    assert seed.summary.startswith("□郑文红李志男 今年以来，内蒙古自治区赤峰市邮政分公司党委")
    assert seed.summary.endswith("…") and len(seed.summary) <= 600


def test_an_excerpt_cut_before_rendering_still_says_so():
    from convert.reader.post import shorten

    assert shorten("开头的几句话。", truncated=True) == "开头的几句话。…"
    assert shorten("", truncated=True) == ""


def test_a_header_jekyll_never_read_keeps_the_url_jekyll_published(tmp_path):
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text("url: https://e.org\ntimezone: Asia/Shanghai\n")
    (site / "_posts" / "2021-12-08-late.md").write_text(
        "\n---\ntitle: 真标题\ncategories: emnews\ndate: 2021-12-09 10:00:00 +0800\n---\n正文\n", encoding="utf-8")
    report = read([site], ReadOptions(jobs=1))
    (article,) = report.collection.articles
    assert (article.title, article.categories) == ("真标题", ("emnews",))  # what the author meant
    assert article.date.isoformat() == "2021-12-09T10:00:00+08:00"
    assert article.permalink == "https://e.org/2021/12/08/late.html"  # where Jekyll put it
    assert article.id == "https://e.org/2021/12/08/late"
    assert any("keeping the URL and id Jekyll published" in d.message and d.line == 3 for d in report.diagnostics)


def test_json_input_is_held_to_the_canonical_body(tmp_path):
    import json as jsonlib

    data = {"version": 1, "site": {"title": "t", "url": "https://e.org"}, "articles": [{
        "id": "https://e.org/a", "title": "edited by hand", "date": "2022-05-27T14:42:33+08:00",
        "permalink": "https://e.org/a.html",
        "body": '<p onclick="x()">ok<script>alert(1)</script> <a href="javascript:alert(2)">j</a></p>',
        "assets": [{"url": "https://e.org/i.png", "path": "../../etc/passwd"},
                   {"url": "https://e.org/j.png", "path": "img/j.png"}]}]}
    source = tmp_path / "edited.json"
    source.write_text(jsonlib.dumps(data), encoding="utf-8")
    report = read([source], ReadOptions(from_format="json"))
    (article,) = report.collection.articles
    assert "script" not in article.body and "onclick" not in article.body and "javascript:" not in article.body
    assert [a.path for a in article.assets] == [None, "img/j.png"]
    assert any("not in canonical form" in d.message and d.path == str(source) for d in report.diagnostics)
    # what convert writes itself reads back unchanged and without a word
    from convert.writers.json import JsonWriter

    again = tmp_path / "again.json"
    again.write_text(JsonWriter().render(report.collection), encoding="utf-8")
    second = read([again], ReadOptions(from_format="json"))
    assert second.collection.articles == report.collection.articles and not second.diagnostics


def test_a_path_permalink_gets_the_post_path_in_the_site(tmp_path):
    site = tmp_path / "site"
    (site / "_posts" / "sub").mkdir(parents=True)
    (site / "_config.yml").write_text("permalink: /:path/\n")
    (site / "_posts" / "sub" / "2021-12-08-x.md").write_text("---\ntitle: t\n---\nbody\n", encoding="utf-8")
    (site / "_posts" / "2021-12-08-y.md").write_text("---\ntitle: t\npermalink: /p/:path:output_ext\n---\nbody\n",
                                                      encoding="utf-8")
    articles = read([site], ReadOptions(jobs=1)).collection.articles
    assert sorted(a.permalink for a in articles) == ["/p/2021-12-08-y.html", "/sub/2021-12-08-x/"]


_sentences = st.lists(st.sampled_from(["今年以来", "赤峰市", "。", "！", "？", "”", "」", ".", "6.35", "!", "…", " ", "word",
                                       "\n", "a.b", "’", "）", "x"]), max_size=400).map("".join)


@given(_sentences)
@example("今年。" + "字" * 200)  # the last end far from the end of the text
@example("今年。”" + "字" * 99)
def test_the_last_sentence_end_is_the_one_a_scan_from_the_start_finds(text):
    from convert.reader.post import _SENTENCE_END, _last_sentence_end

    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    assert _last_sentence_end(text) == (ends[-1] if ends else 0)


_fragments = st.lists(st.sampled_from(
    ["<p>", "</p>", '<p class="x">', "<br />", "<a href=\"x\">", "</a>", "&amp;", "&lt;", "&nbsp;", "&notit;", "&#x301;",
     "今年以来，赤峰市邮政分公司全面推进工作。", "word ", "e", "\u0301", "\u0338", ">", " ", "\n", "\x07", "”", "..."]),
    max_size=300).map("".join)


@settings(max_examples=300)
@given(_fragments, st.booleans())
@example("<p>" + "今年以来，赤峰市邮政分公司全面推进工作。" * 60 + "</p>", True)
@example("<p>" + "赤峰&amp;e\u0301 " * 150 + "</p>\n<p>" + "x" * 700 + "</p>", False)
@example("<p>" + "字" * 1000 + ">\u0338" + "字" * 10 + "</p>", False)
def test_a_summary_from_the_start_of_a_fragment_is_the_one_from_all_of_it(fragment, truncated):
    from convert.reader.post import shorten, shortened_summary_text, summary_text

    assert shortened_summary_text(fragment, truncated) == shorten(summary_text(fragment), truncated=truncated)
