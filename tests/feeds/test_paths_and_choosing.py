"""Feeds without archives, at paths of the user's choosing, read from front matter first.

Without archives a feed writer uses only each feed's newest entries, so the
reader renders those bodies only (``Writer.chooser``). The oracle for that is a
full read: the files must be byte-identical to what the writer makes from it.
"""

import datetime as dt
import json
from pathlib import Path

import feedparser
import pytest

from convert.cli import main
from convert.errors import WriterError
from convert.feeds import check_feed_path, feed_plan, moved_layout
from convert.model import Collection
from convert.options import WriteOptions
from convert.pipeline import Job, Selection, run
from convert.reader.clean import clean_body
from convert.reader.collection import ReadOptions, read
from convert.registry import Registry
from convert.writers.rss import LAYOUT as RSS_LAYOUT
from tests.feeds.test_plan import LAYOUT, SITE, _articles

FINEWS = Path("/work/shared/corpus/finews")
CONFIG = Path("/work/shared/corpus/finews-site/_config.yml")


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_without_archives_the_plan_has_no_archive_pages_and_no_prev_archive_link():
    plan = feed_plan(Collection(SITE, _articles(45)), LAYOUT, limit=20, archives=False)
    assert [d.kind for d in plan].count("archive") == 0
    assert plan[0].prev_archive is None and len(plan[0].entries) == 20
    # term feeds are unchanged: each still has its newest 20
    with_archives = {d.path: d.entries for d in feed_plan(Collection(SITE, _articles(45)), LAYOUT, limit=20)}
    assert all(with_archives[d.path] == d.entries for d in plan)


def test_a_moved_main_feed_takes_its_term_and_archive_feeds_into_a_folder_of_its_name():
    layout = moved_layout(RSS_LAYOUT, "news/rss.xml")
    plan = feed_plan(Collection(SITE, _articles(45)), layout, limit=20)
    paths = {d.kind: d.path for d in plan}
    assert paths["main"] == "news/rss.xml"
    assert paths["archive"].startswith("news/rss/archive/") and paths["tag"].startswith("news/rss/by_tag/")
    assert paths["category"].startswith("news/rss/")
    assert plan[0].url == "https://finews.withounder.com/news/rss.xml"
    assert moved_layout(RSS_LAYOUT, "news/all").main_path == "news/all.xml"  # the format's extension added
    assert moved_layout(RSS_LAYOUT, None) is RSS_LAYOUT


@pytest.mark.parametrize("path", ["/etc/rss.xml", "../rss.xml", "a/../../b.xml", "a//b.xml", "", "a/./b", "a\x00"])
def test_a_feed_path_must_stay_inside_the_output_folder(path):
    with pytest.raises(WriterError, match="relative path inside the output folder"):
        check_feed_path(path)


def test_feed_path_on_the_command_line_for_rss_and_json_feed(tmp_path):
    out = tmp_path / "out"
    code = main(["-q", "--to", "rss,jsonfeed,atom", "--config", str(CONFIG), "--feed-path", "rss2=news/rss.xml",
                 "--feed-path", "jsonfeed=api/feed.json", "--no-feed-archives", "-o", str(out), str(FINEWS)])
    assert code == 1  # the one finews post without a date in its name fails, as in every run
    files = _files(out)
    assert "news/rss.xml" in files and "api/feed.json" in files and "feed.xml" in files
    assert not any("/archive/" in name for name in files)
    assert any(name.startswith("news/rss/by_tag/") for name in files)
    parsed = feedparser.parse(files["news/rss.xml"])
    assert parsed.bozo == 0 and len(parsed.entries) == 20
    assert any(link.get("rel") == "self" and link["href"].endswith("/news/rss.xml") for link in parsed.feed.links)
    import json
    feed = json.loads(files["api/feed.json"])
    assert feed["feed_url"].endswith("/api/feed.json") and len(feed["items"]) == 20
    # the OPML lists the moved feeds where they are
    assert b"/news/rss.xml" in files["rss.opml"] and b"/news/rss/by_tag/" in files["rss.opml"]


@pytest.mark.parametrize("argument, message", [
    ("epub=book.xml", "not a feed format"), ("rss=../up.xml", "relative path"), ("rss", "FORMAT=PATH"),
    ("nosuch=x.xml", "nosuch"),
])
def test_bad_feed_paths_are_usage_errors(tmp_path, capsys, argument, message):
    assert main(["--to", "rss", "--feed-path", argument, "-o", str(tmp_path), str(FINEWS)]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["atom", "rss", "jsonfeed"])
def test_feeds_read_from_front_matter_first_are_the_feeds_of_a_full_read(tmp_path, fmt):
    job = Job(sources=[FINEWS], formats=[fmt], output=tmp_path, read_options=ReadOptions(config=CONFIG),
              write_options=WriteOptions(feed_archives=False), selection=Selection(limit=3))
    report = run(job)
    full = read([FINEWS], ReadOptions(config=CONFIG))
    writer = Registry().get(fmt)(WriteOptions(feed_archives=False, limit=3))
    expected = {d.name: d.content if isinstance(d.content, bytes) else d.content.encode()
                for d in writer.documents(full.collection)}
    assert _files(tmp_path) == expected
    # only the chosen posts were read in full: the newest 3 of each feed, not all 91
    assert len(writer.chooser()(full.collection)) < 20 < len(full.collection.articles)
    # the failure and the warnings of posts not chosen are still reported
    assert [str(f) for f in report.failures] == [str(f) for f in full.failures]
    assert {str(d) for d in report.diagnostics} >= {str(d) for d in full.diagnostics
                                                    if "front matter" in d.message}


def test_a_selection_reads_only_the_selected_bodies_and_gives_the_same_articles(tmp_path, monkeypatch):
    import convert.reader.post as post

    cleaned = []
    monkeypatch.setattr(post, "clean_body", lambda html, **kw: cleaned.append(1) or clean_body(html, **kw))
    selection = Selection(categories=("emnews",), since=dt.date(2021, 12, 8), limit=5)
    report = run(Job(sources=[FINEWS], formats=["json"], output=tmp_path / "x.json",
                     read_options=ReadOptions(config=CONFIG, jobs=1), selection=selection))
    assert len(cleaned) == report.converted == 5  # five bodies rendered, not 91
    full = read([FINEWS], ReadOptions(config=CONFIG))
    expected = Registry().get("json")().render(full.collection.with_articles(selection.apply(full.collection.articles)))
    assert (tmp_path / "x.json").read_text(encoding="utf-8") == expected


def test_post_url_in_a_chosen_post_resolves_to_a_post_that_was_not_chosen(tmp_path):
    posts = tmp_path / "site" / "_posts"
    posts.mkdir(parents=True)
    (tmp_path / "site" / "_config.yml").write_text("url: https://example.org\ntitle: T\n", encoding="utf-8")
    (posts / "2022-01-01-old.md").write_text("---\ntitle: Old\n---\nold\n", encoding="utf-8")
    (posts / "2022-02-01-new.md").write_text(
        "---\ntitle: New\n---\nsee [the old one]({% post_url 2022-01-01-old %})\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["-q", "--to", "jsonfeed", "--limit", "1", "--no-feed-archives", "--no-term-feeds", "-o", str(out),
                 str(tmp_path / "site")]) == 0
    import json
    items = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    assert [i["title"] for i in items] == ["New"]
    assert 'href="https://example.org/2022/01/01/old.html"' in items[0]["content_html"]


@pytest.mark.parametrize("fmt", ["atom", "rss", "jsonfeed"])
def test_a_feeds_language_is_its_entries_so_choosing_does_not_change_it(tmp_path, fmt):
    # No site language; three older English posts outnumber the two newest Chinese ones,
    # which alone make the feeds (limit 2). Choosing reads in full only the feeds' entries,
    # so it never learns the other posts' languages (a body may decide one): a feed's
    # language is the most common among its own entries, in both ways of reading.
    source = tmp_path / "posts"
    source.mkdir()
    for day in (1, 2, 3):
        (source / f"2022-05-0{day}-en.md").write_text(
            f"---\ntitle: Old {day}\ncategories: news\nlang: en\n---\nThe quick brown fox jumps over the lazy dog, "
            "again and again, in plain English sentences.\n", encoding="utf-8")
    for day in (4, 5):
        (source / f"2022-05-0{day}-zh.md").write_text(
            f"---\ntitle: 新{day}\ncategories: news\n---\n这是一篇用中文写的新闻稿，讲述了市场的最新变化和各方的看法。\n",
            encoding="utf-8")
    options = ReadOptions(site_overrides={"url": "https://example.org", "title": "Mixed"})
    out = tmp_path / "out"
    run(Job(sources=[source], formats=[fmt], output=out, read_options=options,
            write_options=WriteOptions(feed_archives=False), selection=Selection(limit=2)))
    full = read([source], options)
    assert full.collection.lang == "en"  # the archive as a whole
    writer = Registry().get(fmt)(WriteOptions(feed_archives=False, limit=2))
    expected = {d.name: d.content if isinstance(d.content, bytes) else d.content.encode()
                for d in writer.documents(full.collection)}
    assert _files(out) == expected
    main = next(name for name in expected if "/" not in name and not name.endswith((".opml", ".xsl")))
    if fmt == "jsonfeed":
        assert json.loads(expected[main])["language"] == "zh"
    else:
        assert feedparser.parse(expected[main]).feed.language == "zh"
