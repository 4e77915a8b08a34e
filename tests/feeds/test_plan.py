"""The feed plan: main feed, stable RFC 5005 archive pages, a feed per category and tag."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convert.errors import WriterError
from convert.feeds import FeedLayout, absolute_content, feed_plan, lead_image, url_for
from convert.model import Article, Asset, Collection, Site

LAYOUT = FeedLayout(main="feed", by_category="feed", by_tag="feed/by_tag", archive="feed/archive", extension=".xml")
SITE = Site(title="金融消息", url="https://finews.withounder.com")
TZ = dt.timezone(dt.timedelta(hours=8))


def _articles(n):
    return tuple(Article(id=f"https://finews.withounder.com/emnews/{i}", title=f"t{i}", body="<p>x</p>",
                         date=dt.datetime(2021, 12, 1, tzinfo=TZ) + dt.timedelta(hours=i),
                         categories=("emnews",) if i % 2 else ("新华 财经",), tags=("东财滚动新闻",),
                         permalink=f"https://finews.withounder.com/emnews/{i}.html") for i in range(n))


def test_main_feed_holds_the_newest_and_archives_hold_the_rest_in_stable_pages():
    plan = feed_plan(Collection(SITE, _articles(45)), LAYOUT, limit=20)
    main, first, second = plan[0], plan[1], plan[2]
    assert main.kind == "main" and main.path == "feed.xml" and main.url == "https://finews.withounder.com/feed.xml"
    assert [a.title for a in main.entries] == [f"t{i}" for i in range(44, 24, -1)]
    # pages count from the oldest: page 1 (t0..t19) is full and never changes again
    assert first.kind == "archive" and first.archive_index == 1 and first.path == "feed/archive/1.xml"
    assert [a.title for a in first.entries] == [f"t{i}" for i in range(19, -1, -1)]
    assert [a.title for a in second.entries] == [f"t{i}" for i in range(24, 19, -1)]
    # the prev-archive chain runs main -> 2 -> 1; archives point back at the main feed
    assert main.prev_archive == second.url and second.prev_archive == first.url and first.prev_archive is None
    assert first.current == second.current == main.url
    # adding posts leaves the full page byte-for-byte the same entries
    later = feed_plan(Collection(SITE, _articles(70)), LAYOUT, limit=20)
    assert later[1].entries == first.entries


def test_updated_is_the_newest_entry_never_the_clock():
    plan = feed_plan(Collection(SITE, _articles(3)), LAYOUT)
    assert plan[0].updated == dt.datetime(2021, 12, 1, 2, tzinfo=TZ)


def test_term_feeds_with_chinese_names_and_spaces_get_uri_paths():
    plan = feed_plan(Collection(SITE, _articles(4)), LAYOUT)
    terms = {(d.kind, d.term): d for d in plan if d.kind in ("category", "tag")}
    assert set(terms) == {("category", "emnews"), ("category", "新华 财经"), ("tag", "东财滚动新闻")}
    spaced = terms[("category", "新华 财经")]
    assert spaced.path == "feed/新华 财经.xml"
    assert spaced.url == "https://finews.withounder.com/feed/%E6%96%B0%E5%8D%8E%20%E8%B4%A2%E7%BB%8F.xml"
    assert [a.title for a in spaced.entries] == ["t2", "t0"]
    assert len(feed_plan(Collection(SITE, _articles(4)), LAYOUT, per_term=False)) == 1


def test_feeds_need_the_site_url():
    with pytest.raises(WriterError, match="absolute url"):
        feed_plan(Collection(Site(title="x"), _articles(1)), LAYOUT)


def test_absolute_content_and_lead_image():
    body = '<p><a href="#fn:1">1</a> <img src="a.png" srcset="a.png 1x, /b.png 2x" /> <a href="https://x.org/">x</a></p>'
    base = "https://e.org/blog/2021/post.html"
    assert absolute_content(body, base) == ('<p><a href="https://e.org/blog/2021/post.html#fn:1">1</a> '
                                            '<img src="https://e.org/blog/2021/a.png" srcset="https://e.org/blog/2021/a.png 1x, '
                                            'https://e.org/b.png 2x" /> <a href="https://x.org/">x</a></p>')
    article = _articles(1)[0]
    assert lead_image(article, "https://e.org/blog") is None
    with_image = Article(**{**{f: getattr(article, f) for f in ("id", "title", "date", "body", "permalink")},
                            "extra": {"image": "/img/a.png"}})
    assert lead_image(with_image, "https://e.org/blog") == "https://e.org/blog/img/a.png"
    with_asset = Article(**{**{f: getattr(article, f) for f in ("id", "title", "date", "body")},
                            "assets": (Asset("https://e.org/i.jpg"),)})
    assert lead_image(with_asset, "https://e.org") == "https://e.org/i.jpg"
    assert url_for("https://e.org/", "feed/中文.xml") == "https://e.org/feed/%E4%B8%AD%E6%96%87.xml"


def test_opml_lists_every_feed_but_archives():
    from lxml import etree

    from convert.feeds import opml

    plan = feed_plan(Collection(SITE, _articles(45)), LAYOUT, limit=20)
    tree = etree.fromstring(opml(plan, "金融消息 & co", "atom").encode("utf-8"))
    urls = [o.get("xmlUrl") for o in tree.iter("outline")]
    assert urls[0] == "https://finews.withounder.com/feed.xml"
    assert len(urls) == len(plan) - 2 and not any("/archive/" in u for u in urls)
    assert tree.findtext("head/title") == "金融消息 & co"


def test_a_jekyll_feed_site_keeps_its_feed_paths_limit_and_excerpts(tmp_path):
    from convert.pipeline import Job, run

    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text(
        "url: https://e.org\ntitle: T\nfeed:\n  path: /blog/atom.xml\n  posts_limit: 2\n  excerpt_only: true\n"
        "  categories:\n    新闻:\n      path: /news/feed.xml\n  tags:\n    path: alt/tags/\n", encoding="utf-8")
    for day in range(1, 4):
        (site / "_posts" / f"2022-05-0{day}-p{day}.md").write_text(
            f"---\ntitle: p{day}\ncategories: 新闻\ntags: x\n---\n第一段。\n\n第二段。\n", encoding="utf-8")
    out = tmp_path / "out"
    report = run(Job(sources=[site], formats=["atom"], output=out))
    assert report.exit_code == 0, report.failures
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.xml"))
    assert names == ["alt/tags/x.xml", "blog/atom.xml", "feed/archive/1.xml", "news/feed.xml"]
    main = (out / "blog" / "atom.xml").read_text(encoding="utf-8")
    assert main.count("<entry>") == 2 and "<content" not in main and "<summary>第一段。</summary>" in main
    assert 'href="https://e.org/blog/atom.xml" rel="self"' in main


@settings(max_examples=500)
@given(st.text(alphabet=st.sampled_from(list("ab&<>\"'\n\r\t中 "))))
def test_opml_attributes_are_quoted_as_saxutils_quotes_them(value):
    from xml.sax.saxutils import quoteattr

    from convert.feeds import _quoted_attribute

    assert _quoted_attribute(value) == quoteattr(value)
