"""convert.feedgen_layer: each feedgen 1.0.0 bug shown in plain feedgen, then fixed by the layer.

The "plain feedgen" half of each test pins the bug: when a feedgen upgrade fixes
or changes it, that half fails and the fix can be reconsidered.
"""

import datetime as dt

import pytest
from feedgen.feed import FeedGenerator
from lxml import etree

from convert.feedgen_layer import ATOM_NS, HISTORY_NS, Entry, Generator, xml_safe

TZ = dt.timezone(dt.timedelta(hours=8))
DAY = dt.datetime(2021, 12, 8, 10, 19, 17, tzinfo=TZ)
A = f"{{{ATOM_NS}}}"


def _feed(cls, n=1, **entry_fields):
    fg = cls()
    fg.id("https://e.org/feed.xml")
    fg.title("t")
    fg.description("d")
    fg.link(href="https://e.org/", rel="alternate")
    fg.link(href="https://e.org/feed.xml", rel="self")
    fg.updated(DAY)
    for i in range(n):
        entry = fg.add_entry()
        entry.id(f"https://e.org/{i}")
        entry.title(entry_fields.get("title", f"t{i}"))
        entry.link(href=f"https://e.org/{i}.html", rel="alternate", type="text/html", title="T")
        entry.published(DAY + dt.timedelta(minutes=i))
        entry.updated(DAY + dt.timedelta(minutes=i))
        entry.content(entry_fields.get("content", "<p>x</p>"), type=entry_fields.get("type", "html"))
    return fg


def _atom(fg):
    return etree.fromstring(fg.atom_str())


def _rss(fg):
    return etree.fromstring(fg.rss_str())


def test_atom_entry_links_keep_rel_type_and_title():
    plain = _atom(_feed(FeedGenerator)).find(f"{A}entry/{A}link")
    assert plain.get("rel") is None and plain.get("type") is None  # the bug
    fixed = _atom(_feed(Generator)).find(f"{A}entry/{A}link")
    assert (fixed.get("rel"), fixed.get("type"), fixed.get("title")) == ("alternate", "text/html", "T")


def test_cdata_content_is_atom_html_and_survives_a_cdata_end_marker():
    plain = _atom(_feed(FeedGenerator, type="CDATA")).find(f"{A}entry/{A}content")
    assert plain.get("type") == "CDATA"  # the bug: no such Atom content type
    fixed = _atom(_feed(Generator, type="CDATA", content="<p>a ]]> b</p>")).find(f"{A}entry/{A}content")
    assert fixed.get("type") == "html" and fixed.text == "<p>a ]]> b</p>"
    item = _rss(_feed(Generator, type="CDATA", content="a ]]> b")).find("channel/item")
    assert item.findtext("description") == "a ]]> b"
    assert b"<![CDATA[<p>x</p>]]>" in _feed(Generator, type="CDATA").rss_str()  # CDATA kept where it can be


def test_description_does_not_overwrite_atom_content():
    for cls, kept in ((FeedGenerator, False), (Generator, True)):
        fg = _feed(cls)
        fg.entry()[0].description("the summary")
        entry = _atom(fg).find(f"{A}entry")
        assert (entry.findtext(f"{A}content") == "<p>x</p>") is kept
        assert _rss(fg).findtext("channel/item/description") == "the summary"


def test_rss_channel_link_is_the_first_alternate_not_the_last_link():
    assert _rss(_feed(FeedGenerator)).findtext("channel/link") == "https://e.org/feed.xml"  # the bug
    assert _rss(_feed(Generator)).findtext("channel/link") == "https://e.org/"


def test_rss_keeps_hub_and_archive_links_as_atom_links():
    links = []
    for cls in (FeedGenerator, Generator):
        fg = _feed(cls)
        fg.link(href="https://hub.example/", rel="hub")
        fg.link(href="https://e.org/archive/1.xml", rel="prev-archive")
        links.append([(ln.get("rel"), ln.get("href")) for ln in _rss(fg).iter(f"{A}link")])
    assert links[0] == [("self", "https://e.org/feed.xml")]  # the bug
    assert links[1] == [("self", "https://e.org/feed.xml"), ("hub", "https://hub.example/"),
                        ("prev-archive", "https://e.org/archive/1.xml")]


def test_updated_never_comes_from_the_clock():
    assert FeedGenerator().updated().year >= 2024  # the bug: the feed's updated defaults to now
    plain_entry = FeedGenerator().add_entry()
    assert plain_entry.updated().year >= 2024  # an entry's updated defaults to now

    fg = _feed(Generator, n=2)
    assert _rss(fg).findtext("channel/lastBuildDate") == "Wed, 08 Dec 2021 10:19:17 +0800"
    assert _atom(fg).findtext(f"{A}updated") == "2021-12-08T10:19:17+08:00"
    # no explicit updated: the newest entry's (its own falling back to published)
    fg = Generator()
    fg.id("x"), fg.title("t"), fg.description("d"), fg.link(href="https://e.org/")
    for minutes in (5, 1):
        entry = fg.add_entry()
        entry.id(f"e{minutes}"), entry.title("t"), entry.content("c")
        entry.published(DAY + dt.timedelta(minutes=minutes))
    tree = _atom(fg)
    assert tree.findtext(f"{A}updated") == "2021-12-08T10:24:17+08:00"
    assert [e.findtext(f"{A}updated") for e in tree.iter(f"{A}entry")] == [
        "2021-12-08T10:24:17+08:00", "2021-12-08T10:20:17+08:00"]
    bare = Generator()
    bare.id("x"), bare.title("t")
    with pytest.raises(ValueError, match="current time"):
        bare.atom_str()
    undated = Entry()
    undated.id("u"), undated.title("t"), undated.content("c")
    with pytest.raises(ValueError, match="current time"):
        undated.atom_entry()


def test_entries_come_out_in_the_order_added():
    assert [i.findtext("guid") for i in _rss(_feed(FeedGenerator, n=3)).iter("item")] == [
        "https://e.org/2", "https://e.org/1", "https://e.org/0"]  # the bug
    assert [e.findtext(f"{A}id") for e in _atom(_feed(Generator, n=3)).iter(f"{A}entry")] == [
        "https://e.org/0", "https://e.org/1", "https://e.org/2"]


def test_control_characters_are_dropped_not_fatal():
    with pytest.raises(ValueError, match="XML compatible"):
        _feed(FeedGenerator, title="a\x01b").atom_str()  # the bug: accepted when set, fatal now
    fg = _feed(Generator, title="a\x01b\x1f", content="<p>c\x0bd\ufffe</p>")
    fg.title("feed\x00")
    assert _atom(fg).findtext(f"{A}entry/{A}title") == "ab"
    assert _rss(fg).findtext("channel/title") == "feed"
    assert _rss(fg).findtext("channel/item/description") == "<p>cd</p>"
    assert xml_safe("ok\t\n\r中文\U0001f600") == "ok\t\n\r中文\U0001f600"


def test_archive_marker_xml_base_and_stylesheet():
    fg = _feed(Generator)
    fg.history.archive(True)
    fg.entry()[0].content_base("https://e.org/0.html")
    data = fg.serialize("atom", stylesheet="https://e.org/feed.xsl")
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n"
                           b'<?xml-stylesheet type="text/xsl" href="https://e.org/feed.xsl"?>\n')
    tree = etree.fromstring(data)
    assert tree.find(f"{{{HISTORY_NS}}}archive") is not None
    assert tree.find(f"{A}entry/{A}content").get("{http://www.w3.org/XML/1998/namespace}base") == "https://e.org/0.html"
    assert etree.fromstring(fg.serialize("rss")).find(f"channel/{{{HISTORY_NS}}}archive") is not None
    assert etree.fromstring(_feed(Generator).serialize("atom")).find(f"{{{HISTORY_NS}}}archive") is None


def test_rss_dates_have_four_digit_years_whatever_the_locale():
    fg = _feed(Generator)
    fg.entry()[0].published(DAY.replace(year=999))
    assert _rss(fg).findtext("channel/item/pubDate") == "Sun, 08 Dec 0999 10:19:17 +0800"
