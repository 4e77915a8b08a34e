"""The Atom writer against its oracles: validator rules, feedparser, jekyll-feed's places and ids."""

from pathlib import Path

import pytest
from lxml import etree

from convert.options import WriteOptions
from convert.reader.collection import ReadOptions, read
from convert.registry import Registry
from convert.resources import Resources
from convert.writers.atom import LAYOUT, AtomWriter
from tests.support.feed_checks import ATOM, check_all, check_golden, check_rfc5005

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = Path(__file__).parent / "samples.golden.txt"
CORPUS = Path("/work/shared/corpus/finews")
CONFIG = Path("/work/shared/corpus/finews-site/_config.yml")


def _check_all(collection, options=WriteOptions()):
    return check_all(AtomWriter, "atom", LAYOUT, collection, options)


def test_samples_golden_valid_and_read_back():
    collection = read([ROOT / "samples"]).collection
    documents = _check_all(collection, WriteOptions(limit=2))
    check_golden(documents, GOLDEN)
    again = AtomWriter(WriteOptions(limit=2)).documents(read([ROOT / "samples"]).collection)
    assert [d.content for d in again] == [d.content for d in documents]  # byte-identical builds


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the finews corpus is not here")
def test_finews_every_feed_valid_and_read_back():
    collection = read([CORPUS], ReadOptions(config=CONFIG)).collection
    documents = _check_all(collection)
    main = etree.fromstring(documents[0].content)
    assert documents[0].name == "feed.xml"  # where jekyll-feed puts it
    assert main.findtext(f"{ATOM}id") == "https://finews.withounder.com/feed.xml"
    entries = main.findall(f"{ATOM}entry")
    assert len(entries) == 20 and len(collection.articles) == 92
    assert entries[0].findtext(f"{ATOM}published").endswith("+08:00")
    # jekyll-feed's category feed place; every post is in exactly one archive page or the main feed
    assert "feed/emnews.xml" in [d.name for d in documents]
    archived = sum(len(etree.fromstring(d.content).findall(f"{ATOM}entry")) for d in documents
                   if d.name.startswith("feed/archive/"))
    assert archived + 20 == 92


def test_rfc5005_archives_hub_and_one_self_link():
    collection = read([ROOT / "samples"]).collection
    documents = AtomWriter(WriteOptions(limit=1, hub="https://hub.example/")).documents(collection)
    trees = {d.name: etree.fromstring(d.content) for d in documents if d.name.endswith(".xml")}
    check_rfc5005(trees, "feed.xml", "feed/archive", "https://example.org/archive/", "https://hub.example/")


def test_excerpt_only_stylesheet_and_template_override(tmp_path):
    collection = read([ROOT / "samples"]).collection
    _check_all(collection, WriteOptions(excerpt_only=True, term_feeds=False))
    documents = AtomWriter(WriteOptions(feed_stylesheet=True, term_feeds=False)).documents(collection)
    assert [d.name for d in documents] == ["feed.xml", "feed.opml", "feed.xsl"]
    assert b'<?xml-stylesheet type="text/xsl" href="https://example.org/archive/feed.xsl"?>' in documents[0].content
    page = str(etree.XSLT(etree.fromstring(documents[2].content.encode()))(etree.fromstring(documents[0].content)))
    assert 'lang="zh-CN"' in page and page.count("<article>") == 4 and "“党建+”模式打造工作新亮点" in page
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "feed.xsl").write_text("<mine/>", encoding="utf-8")
    mine = AtomWriter(WriteOptions(feed_stylesheet=True, term_feeds=False), Resources([tmp_path])).documents(collection)
    assert mine[-1].content == "<mine/>"


def test_registered_with_its_alias():
    registry = Registry(include_entry_points=False)
    assert registry.get("atom") is AtomWriter and registry.get("atom1") is AtomWriter


def test_hostile_post_gives_a_valid_feed_with_the_entry_cleaned(tmp_path):
    from tests.support.feed_checks import hostile_site

    collection = read([hostile_site(tmp_path)]).collection
    documents = _check_all(collection)  # validator rules (no script, handler, javascript:) + feedparser
    main = documents[0].content
    assert len(main) > 5_000_000 and b"alert" not in main and b"\x01" not in main
    import feedparser

    hostile = feedparser.parse(main, resolve_relative_uris=False, sanitize_html=False).entries[-1]
    assert hostile.title == "bad ]]> title" and hostile.content[0].value.startswith("<p>a ]]&gt; b  c</p>")
