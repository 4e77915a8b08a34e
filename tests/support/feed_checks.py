"""Feed oracles for the Atom and RSS writers: the W3C Feed Validator's and the RSS Advisory
Board's rules written as our own checks, and feedparser reading every entry back.

``validate(data, kind)`` raises AssertionError naming the first broken rule;
``read_back(data, entries, excerpt_only)`` checks that feedparser (bozo 0, no URI
resolution, no sanitizing) gives back every entry field equal to the model's;
``check_all`` runs both on every feed a writer makes; ``check_golden`` compares the
writer's files with a golden file (``CONVERT_REGENERATE=1`` rewrites it).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import feedparser
from lxml import etree

from convert.feeds import absolute_content, feed_plan, feed_title, uri
from convert.model import Article
from convert.options import WriteOptions

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
RFC822 = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                    r"\d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
ABSOLUTE_URI = re.compile(r"^(https?|mailto|ftp|tel):[\x21-\x7e]+$")
HTML_TAG = re.compile(r"<[a-zA-Z/!]")
CONTENT_URLS = re.compile(r' (?:href|src)="([^"]*)"')
DANGEROUS = re.compile(r"<(script|iframe|object|embed|style)\b|\son[a-z]+\s*=|javascript:", re.I)
STYLE = re.compile(r'\sstyle="([^"]*)"')


def _check_content(html: str, where: str) -> None:
    assert not DANGEROUS.search(html), f"{where}: dangerous markup {DANGEROUS.search(html).group(0)!r}"
    for style in STYLE.findall(html):
        assert re.fullmatch(r"text-align:(left|right|center)", style), f"{where}: style attribute {style!r}"
    for url in CONTENT_URLS.findall(html):
        url = url.replace("&amp;", "&")
        assert ABSOLUTE_URI.match(url), f"{where}: relative or non-URI link in content {url!r}"


def validate(data: bytes, kind: str) -> etree._Element:
    root = etree.fromstring(data)
    if kind == "atom":
        assert root.tag == f"{ATOM}feed"
        selfs = root.findall(f"{ATOM}link[@rel='self']")
        assert len(selfs) == 1, f"{len(selfs)} rel=self links"
        assert root.findtext(f"{ATOM}id") == selfs[0].get("href"), "feed id is not its own URL"
        assert LANGUAGE.match(root.get("{http://www.w3.org/XML/1998/namespace}lang", "en"))
        assert RFC3339.match(root.findtext(f"{ATOM}updated"))
        for link in root.iter(f"{ATOM}link"):
            assert ABSOLUTE_URI.match(link.get("href")), link.get("href")
        ids = [e.findtext(f"{ATOM}id") for e in root.iter(f"{ATOM}entry")]
        assert all(ids) and len(set(ids)) == len(ids), "entry ids missing or repeated"
        for entry in root.iter(f"{ATOM}entry"):
            where = entry.findtext(f"{ATOM}id")
            assert not HTML_TAG.search(entry.findtext(f"{ATOM}title")), f"{where}: HTML in title"
            for name in ("updated", "published"):
                assert RFC3339.match(entry.findtext(f"{ATOM}{name}")), f"{where}: {name}"
            alternates = entry.findall(f"{ATOM}link[@rel='alternate']")
            assert len(alternates) == 1 and alternates[0].get("type") == "text/html"
            content = entry.find(f"{ATOM}content")
            if content is not None:
                assert content.get("type") in ("text", "html", "xhtml"), content.get("type")
                assert ABSOLUTE_URI.match(content.get("{http://www.w3.org/XML/1998/namespace}base"))
                _check_content(content.text or "", where)
    else:
        assert root.tag == "rss" and root.get("version") == "2.0"
        channel = root.find("channel")
        for name in ("title", "link", "description"):
            assert channel.findtext(name), f"channel {name} missing"
        selfs = channel.findall(f"{ATOM}link[@rel='self']")
        assert len(selfs) == 1, f"{len(selfs)} rel=self links"
        for link in channel.iter(f"{ATOM}link"):
            assert ABSOLUTE_URI.match(link.get("href")), link.get("href")
        assert LANGUAGE.match(channel.findtext("language", "en"))
        assert RFC822.match(channel.findtext("lastBuildDate"))
        guids = [i.findtext("guid") for i in channel.iter("item")]
        assert all(guids) and len(set(guids)) == len(guids), "guids missing or repeated"
        for item in channel.iter("item"):
            where = item.findtext("guid")
            assert not HTML_TAG.search(item.findtext("title")), f"{where}: HTML in title"
            assert ABSOLUTE_URI.match(item.findtext("link")), f"{where}: link not an absolute URI"
            assert RFC822.match(item.findtext("pubDate")), f"{where}: pubDate"
            names = [child.tag for child in item]
            if CONTENT in names and "description" in names:
                assert names.index("description") < names.index(CONTENT), f"{where}: description after content"
            for name in ("description", CONTENT):
                _check_content(item.findtext(name) or "", where)
    return root


def _utc(parsed) -> dt.datetime:
    return dt.datetime(*parsed[:6], tzinfo=dt.timezone.utc)


def read_back(data: bytes, entries: tuple[Article, ...], excerpt_only: bool = False) -> None:
    parsed = feedparser.parse(data, resolve_relative_uris=False, sanitize_html=False)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert len(parsed.entries) == len(entries)
    for got, article in zip(parsed.entries, entries):
        where = article.id
        assert got.id == article.id, where
        assert got.link == uri(article.permalink), where
        assert got.title == feed_title(article.title), where
        assert _utc(got.published_parsed) == article.date.replace(microsecond=0), where
        assert _utc(got.updated_parsed) == article.modified.replace(microsecond=0), where
        assert [a.get("name") for a in got.get("authors", [])] == list(article.authors), where
        terms = [t for t in dict.fromkeys(article.categories) if t.strip()] + [
            t for t in dict.fromkeys(article.tags) if t.strip()]
        assert [t.term for t in got.get("tags", [])] == terms, where
        if article.summary:
            assert got.summary == article.summary.strip(), where
        if excerpt_only:
            assert "content" not in got, where
        else:
            # feedparser strips the text's surrounding whitespace
            assert got.content[0].value == absolute_content(article.body, article.permalink).strip(), where


def hostile_site(folder) -> Path:
    """A Jekyll site with one hostile post (``]]>``, control characters, ``<script>``, ``onerror=``,
    a ``javascript:`` link, a 5 MB body) and one ordinary post; returns its root."""
    root = Path(folder)
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text("title: 敌意\nurl: https://e.org\nlang: zh-CN\ntimezone: Asia/Shanghai\n",
                                      encoding="utf-8")
    big = "<p>" + "新闻正文。" * 350_000 + "</p>\n"  # 5.25 MB of UTF-8
    (root / "_posts" / "2021-12-08-hostile.html").write_text(
        "---\ntitle: \"bad ]]> <b>title</b>\"\ncategories: emnews\n---\n"
        "<p>a ]]> b \x02\x1f c</p><script>alert(1)</script><img src=\"x.png\" onerror=\"alert(2)\">"
        "<a href=\"javascript:alert(3)\">j</a>\n" + big, encoding="utf-8")
    (root / "_posts" / "2021-12-09-ok.md").write_text("---\ntitle: ok\n---\nfine\n", encoding="utf-8")
    return root


def check_rfc5005(trees: dict, main: str, archive_folder: str, base: str, hub: str) -> None:
    """RFC 5005 archives and WebSub, on the parsed feeds (the Atom ``feed`` or the RSS ``channel``
    element, by file name): the main feed points to the newest of three archive pages, each page
    carries ``fh:archive``, ``rel=current`` and a ``prev-archive`` chain down to page 1, and every
    feed has exactly one ``rel=self`` and the hub."""
    from convert.feedgen_layer import HISTORY_NS

    rels = {name: [(ln.get("rel"), ln.get("href")) for ln in tree.findall(f"{ATOM}link")]
            for name, tree in trees.items()}
    assert ("prev-archive", base + f"{archive_folder}/3.xml") in rels[main]
    assert trees[main].find(f"{{{HISTORY_NS}}}archive") is None
    for n in (1, 2, 3):
        page = f"{archive_folder}/{n}.xml"
        assert trees[page].find(f"{{{HISTORY_NS}}}archive") is not None
        assert ("current", base + main) in rels[page]
        assert (("prev-archive", base + f"{archive_folder}/{n - 1}.xml") in rels[page]) is (n > 1)
    for name, links in rels.items():
        assert [r for r, _ in links].count("self") == 1, name
        assert ("hub", hub) in links, name


def check_all(writer_class, kind: str, layout, collection, options: WriteOptions = WriteOptions()) -> list:
    """Every feed ``writer_class`` makes for ``collection``: the planned files, each valid and read back."""
    documents = writer_class(options).documents(collection)
    plan = feed_plan(collection, layout, limit=options.limit or 20, per_term=options.term_feeds)
    feeds = {d.name: d.content for d in documents if d.name.endswith(".xml")}
    assert list(feeds) == [p.path for p in plan]
    for feed in plan:
        validate(feeds[feed.path], kind)
        read_back(feeds[feed.path], feed.entries, options.excerpt_only)
    return documents


def check_golden(documents, golden: Path) -> None:
    """The documents, one after the other with their names, equal ``golden``."""
    text = "".join(f"=== {d.name}\n{d.content.decode() if isinstance(d.content, bytes) else d.content}"
                   for d in documents)
    if os.environ.get("CONVERT_REGENERATE"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def check_stylesheet(writer_class, collection, names: list[str], tmp_path: Path) -> None:
    """``feed_stylesheet``: the feed links the built-in XSL, written beside it, which turns the feed
    into a zh-CN page of every article; a user's ``styles/feed.xsl`` replaces it."""
    from convert.resources import Resources

    documents = writer_class(WriteOptions(feed_stylesheet=True, term_feeds=False)).documents(collection)
    assert [d.name for d in documents] == names
    assert b'<?xml-stylesheet type="text/xsl" href="https://example.org/archive/feed.xsl"?>' in documents[0].content
    page = str(etree.XSLT(etree.fromstring(documents[2].content.encode()))(etree.fromstring(documents[0].content)))
    assert 'lang="zh-CN"' in page and page.count("<article>") == 4 and "“党建+”模式打造工作新亮点" in page
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "feed.xsl").write_text("<mine/>", encoding="utf-8")
    mine = writer_class(WriteOptions(feed_stylesheet=True, term_feeds=False), Resources([tmp_path])).documents(collection)
    assert mine[-1].content == "<mine/>"


def check_hostile_feed(main: bytes) -> None:
    """The main feed of :func:`hostile_site`: huge, without script or control characters, the bad
    entry's title and content read back as written, ``]]>`` included."""
    assert len(main) > 5_000_000 and b"alert" not in main and b"\x01" not in main
    hostile = feedparser.parse(main, resolve_relative_uris=False, sanitize_html=False).entries[-1]
    assert hostile.title == "bad ]]> title" and hostile.content[0].value.startswith("<p>a ]]&gt; b  c</p>")
