"""The RSS writer against its oracles: the RSS Advisory Board rules, feedparser, guids equal to Atom ids."""

from pathlib import Path

import pytest
from lxml import etree

from convert.options import WriteOptions
from convert.reader.collection import ReadOptions, read
from convert.registry import Registry
from convert.writers.rss import LAYOUT, RssWriter
from tests.support.feed_checks import (ATOM, check_all, check_golden, check_hostile_feed, check_rfc5005,
                                       check_stylesheet, hostile_site)

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = Path(__file__).parent / "samples.golden.txt"
CORPUS = Path("/work/shared/corpus/finews")
CONFIG = Path("/work/shared/corpus/finews-site/_config.yml")


def _check_all(collection, options=WriteOptions()):
    return check_all(RssWriter, "rss", LAYOUT, collection, options)


def test_samples_golden_valid_and_read_back():
    collection = read([ROOT / "samples"]).collection
    documents = _check_all(collection, WriteOptions(limit=2))
    check_golden(documents, GOLDEN)
    again = RssWriter(WriteOptions(limit=2)).documents(read([ROOT / "samples"]).collection)
    assert [d.content for d in again] == [d.content for d in documents]  # byte-identical builds


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the finews corpus is not here")
def test_finews_every_feed_valid_and_read_back():
    collection = read([CORPUS], ReadOptions(config=CONFIG)).collection
    documents = _check_all(collection)
    main = etree.fromstring(documents[0].content).find("channel")
    assert documents[0].name == "rss.xml"
    assert main.find(f"{ATOM}link[@rel='self']").get("href") == "https://finews.withounder.com/rss.xml"
    assert main.findtext("link") == "https://finews.withounder.com/" and main.findtext("language") == "zh-CN"
    items = main.findall("item")
    assert len(items) == 20 and len(collection.articles) == 92
    assert items[0].findtext("pubDate").endswith(" +0800")
    # the guid is the Atom entry id (jekyll-feed's), not a new identity
    assert items[0].findtext("guid") == collection.articles[-1].id
    assert items[0].find("guid").get("isPermaLink") == "false"
    assert "rss/emnews.xml" in [d.name for d in documents]
    archived = sum(len(etree.fromstring(d.content).findall("channel/item")) for d in documents
                   if d.name.startswith("rss/archive/"))
    assert archived + 20 == 92


def test_rfc5005_archives_hub_and_one_self_link():
    collection = read([ROOT / "samples"]).collection
    documents = RssWriter(WriteOptions(limit=1, hub="https://hub.example/")).documents(collection)
    trees = {d.name: etree.fromstring(d.content).find("channel") for d in documents if d.name.endswith(".xml")}
    check_rfc5005(trees, "rss.xml", "rss/archive", "https://example.org/archive/", "https://hub.example/")


def test_excerpt_only_stylesheet_and_template_override(tmp_path):
    collection = read([ROOT / "samples"]).collection
    _check_all(collection, WriteOptions(excerpt_only=True, term_feeds=False))
    check_stylesheet(RssWriter, collection, ["rss.xml", "rss.opml", "feed.xsl"], tmp_path)


def test_registered_with_its_alias():
    registry = Registry(include_entry_points=False)
    assert registry.get("rss") is RssWriter and registry.get("rss2") is RssWriter


def test_hostile_post_gives_a_valid_feed_with_the_entry_cleaned(tmp_path):
    collection = read([hostile_site(tmp_path)]).collection
    documents = _check_all(collection)  # validator rules (no script, handler, javascript:) + feedparser
    check_hostile_feed(documents[0].content)
