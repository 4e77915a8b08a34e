"""Permalinks, post ids, absolute_url, categories, tags, titles and excerpts against
real Jekyll 4.3.1 results (the committed golden; see test_jekyll_dates for the live check)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from convert.errors import InputError
from convert.reader import jekyll as j
from tests.support import jekyll_oracle as oracle

GOLDEN = oracle.load_golden()
SUITES = {s.name: s for s in oracle.all_suites()}
NAMES = ["permalinks", "style-pretty", "style-ordinal", "style-weekdate", "style-none",
         "style-custom", "no-url", "liquid"]
FIELDS = ["url", "id", "abs_id", "abs_url", "categories", "tags", "title", "slug"]


def _cases():
    return [pytest.param(SUITES[n], p, id=f"{n}:{p.path}") for n in NAMES for p in SUITES[n].posts]


@pytest.mark.parametrize("suite,post", _cases())
def test_post_matches_jekyll(suite, post):
    want = GOLDEN[suite.name]["posts"][post.path]
    got = oracle.predict(suite, post)
    # Jekyll keeps non-string values (2021) in the list; we make them strings.
    want = {**want, "categories": [str(c) for c in want["categories"]], "tags": [str(t) for t in want["tags"]]}
    assert {k: got[k] for k in FIELDS} == {k: want[k] for k in FIELDS}


def test_oracle_covers_the_quirks():
    """Guard: the golden really contains the cases the docstrings promise."""
    posts = GOLDEN["permalinks"]["posts"]
    assert posts["_posts/2021-12-08-chinese-category.md"]["url"].startswith("/%E6%96%B0%E5%8D%8E%E8%B4%A2%E7%BB%8F/")
    assert posts["_posts/2021-12-08-hello world.md"]["id"] == "/2021/12/08/hello world"
    assert posts["_posts/2021-12-08-100%-sure.md"]["abs_id"].endswith("/100%25-sure")
    assert "%20" in posts["_posts/2021-12-08-ideographic-space.md"]["abs_id"]  # NFKC
    assert posts["_posts/2021-12-08-double--dash.md"]["title"] == "Double  Dash"


SH = zoneinfo.ZoneInfo("Asia/Shanghai")
D = dt.datetime(2021, 12, 8, 10, 46, 18, tzinfo=SH)


def test_default_style_is_date():
    assert j.permalink(None, date=D, categories=("emnews",), slug="202112082206672930") == \
        "/emnews/2021/12/08/202112082206672930.html"


def test_unknown_placeholder_is_an_input_error():
    with pytest.raises(InputError, match="nope"):
        j.permalink("/:nope/:title", date=D, slug="x")


def test_literal_pattern_text_is_not_escaped():
    assert j.permalink("/a b/:title/", date=D, slug="c d") == "/a b/c-d/"


@pytest.mark.parametrize("value,expected", [
    ("plain/path-1.0", "plain/path-1.0"),
    ("新华财经", "%E6%96%B0%E5%8D%8E%E8%B4%A2%E7%BB%8F"),
    ("a b", "a%20b"),
    ("100%", "100%25"),
    ("c#-x#y", "c%23-x%23y"),
    ("what?x y", "what?x%20y"),
    ("[x]", "%5Bx%5D"),
])
def test_escape_path(value, expected):
    assert j.escape_path(value) == expected


@pytest.mark.parametrize("site,base,path,expected", [
    ("https://finews.withounder.com", None, "/emnews/2021/12/08/1", "https://finews.withounder.com/emnews/2021/12/08/1"),
    ("HTTPS://Example.ORG:443", "/blog/", "/a b/%41/中文", "https://example.org/blog/a%20b/A/%E4%B8%AD%E6%96%87"),
    ("", "/blog", "x", "/blog/x"),
    (None, None, "/a/./b/../c", "/a/c"),
    ("https://e.org", "", "https://other.org/x y", "https://other.org/x y"),
    ("https://e.org", "", "/q?a b&c=%2B#f g", "https://e.org/q?a%20b&c=%2B#f%20g"),
    ("https://e.org", "", "/ｆｕｌｌ", "https://e.org/full"),
])
def test_absolute_url(site, base, path, expected):
    assert j.absolute_url(site, base, path) == expected


@pytest.mark.parametrize("url,slug,expected", [
    ("/emnews/2021/12/08/202112082206672930.html", "202112082206672930", "/emnews/2021/12/08/202112082206672930"),
    ("/custom/x/", "x", "/custom/x"),
    ("/x.html", "x", "/x"),
    ("/", "x", "/x"),
])
def test_post_id(url, slug, expected):
    assert j.post_id(url, slug) == expected


@pytest.mark.parametrize("slug,expected", [
    ("hello-world", "Hello World"), ("iPhone-x-REVIEW", "Iphone X Review"), ("trailing-", "Trailing"),
    ("-leading", " Leading"), ("double--dash", "Double  Dash"), ("ßtraße", "Sstraße"), ("", ""),
])
def test_titleize(slug, expected):
    assert j.titleize(slug) == expected


@pytest.mark.parametrize("body,expected", [
    ("美联储缩债将令市场“波涛汹涌”。其他内容", "美联储缩债将令市场“波涛汹涌”"),
    ("利率1.25 以下！后文", "利率1.25 以下"),
    ("A very long sentence " * 5, ("A very long sentence " * 5)[:39].rstrip() + "…"),
    ("  \n ", ""),
])
def test_derive_title(body, expected):
    got = j.derive_title(body)
    assert got == expected and len(got) <= 40


def test_categories_and_tags_rules():
    assert j.categories_from({"categories": "新闻　要闻 x"}, ()) == ("新闻　要闻", "x")
    assert j.categories_from({"category": "a b", "categories": ["c"]}, ("f",)) == ("f", "c", "a b")
    assert j.categories_from({}, ("a", "a")) == ("a",)  # Ruby `|` dedups both sides
    assert j.tags_from({"tags": "x y x"}) == ("x", "y", "x")
    assert j.tags_from({"tag": "one", "tags": ["x"]}) == ("one",)
    assert j.tags_from({"tags": 5}) == ()
    assert j.folder_categories("news/World/_posts/a.md") == ("news", "World")
    assert j.folder_categories("_posts/sub/a.md") == ()


@pytest.mark.parametrize("text,mode,cased,expected", [
    ("The _config.yml file", None, False, "the-config-yml-file"),
    ("The _config.yml file", "pretty", False, "the-_config.yml-file"),
    ("The _config.yml file", "pretty", True, "The-_config.yml-file"),
    ("The _config.yml file", "ascii", False, "the-config-yml-file"),
    ("The _config.yml file", "raw", False, "the-_config.yml-file"),
    ("新闻 标题", None, False, "新闻-标题"),
    ("Ünïcode", "latin", False, "unicode"),
    ("X y", "none", False, "x y"),
])
def test_slugify(text, mode, cased, expected):
    assert j.slugify(text, mode=mode, cased=cased) == expected


# --- excerpts (the .html posts of the liquid suite: no converter between us and Jekyll) ---

@pytest.mark.parametrize("name", ["excerpt-default", "excerpt-more", "excerpt-none"])
def test_excerpt_matches_jekyll(name):
    path = f"_posts/2021-12-08-{name}.html"
    post = next(p for p in SUITES["liquid"].posts if p.path == path)
    front, body = oracle.front_matter(post.text())
    got = j.split_excerpt(body, front.get("excerpt_separator", "\n\n"))
    assert got == GOLDEN["liquid"]["posts"][path]["excerpt"]


def test_excerpt_closes_open_block_and_disables():
    assert j.split_excerpt("{% raw %}a\n\nb{% endraw %}") == "{% raw %}a\n{% endraw %}"
    assert j.split_excerpt("a\n\nb", "") is None
