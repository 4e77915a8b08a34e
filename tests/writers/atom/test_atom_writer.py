"""The Atom writer against its oracles: validator rules, feedparser, jekyll-feed's places and ids."""

from pathlib import Path

import pytest
from lxml import etree

from convert.options import WriteOptions
from convert.reader.collection import ReadOptions, read
from convert.registry import Registry
from convert.writers.atom import LAYOUT, AtomWriter
from tests.support.feed_checks import (ATOM, check_all, check_golden, check_hostile_feed, check_rfc5005,
                                       check_stylesheet, hostile_site)

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
    check_stylesheet(AtomWriter, collection, ["feed.xml", "feed.opml", "feed.xsl"], tmp_path)


def test_registered_with_its_alias():
    registry = Registry(include_entry_points=False)
    assert registry.get("atom") is AtomWriter and registry.get("atom1") is AtomWriter


def test_hostile_post_gives_a_valid_feed_with_the_entry_cleaned(tmp_path):
    collection = read([hostile_site(tmp_path)]).collection
    documents = _check_all(collection)  # validator rules (no script, handler, javascript:) + feedparser
    check_hostile_feed(documents[0].content)
