"""The options writers share, as one typed object passed everywhere (no dict soup)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class WriteOptions:
    """How to write. Writers read the fields that concern them and ignore the rest."""

    title: str | None = None  # overrides the collection title
    # Remote resources (images): never fetched unless fetch_remote; then only from allowed_hosts
    # (empty: any public host), each within fetch_timeout seconds and fetch_max_bytes.
    fetch_remote: bool = False
    allowed_hosts: tuple[str, ...] = ()
    fetch_timeout: float = 10.0
    fetch_max_bytes: int = 20 * 1024 * 1024
    # Feeds
    limit: int | None = None  # entries in the main feed (default 20); older ones go to archive documents
    excerpt_only: bool = False  # summaries without full content
    hub: str | None = None  # WebSub hub URL, announced with rel="hub"
    feed_stylesheet: bool = False  # link the built-in XSL stylesheet, so a browser shows the feed as a page
    term_feeds: bool = True  # a feed per category and per tag
    feed_archives: bool = True  # RFC 5005 archive documents holding every entry older than the main feed's
    # (format, path) pairs: where a format's main feed goes, e.g. ("rss", "news/rss.xml"); its
    # category, tag and archive feeds go in the folder of that name ("news/rss/").
    feed_paths: tuple[tuple[str, str], ...] = ()
    # Markdown
    markdown_flavor: str = "gfm"  # gfm, commonmark (no GFM extensions), jekyll (kramdown, Liquid-safe), hugo (TOML)
    markdown_links: str = "inline"  # or reference: [text][1], definitions at the end of each article
    cjk_friendly: bool = False  # emphasis for parsers with the CommonMark CJK-friendly amendments: **“重要”**消息
    # EPUB
    group_by: str | None = None  # category, tag, month or none; None: month when the articles span several months
    sort: str = "date"  # date or title: the order of chapters within a section
    series: str | None = None  # calibre series / EPUB 3 collection the book belongs to
    series_index: float | None = None  # the book's number in that series
    writing_mode: str = "horizontal-tb"  # or vertical-rl: top-to-bottom, right-to-left for zh/ja
    cover: Path | None = None  # a JPEG or PNG; None: a cover is drawn from the title, dates and source
    # PDF
    paper: str = "A5"  # A4, A5, B5 or Letter
    gutter: str = "10mm"  # added to the inner margin, for binding
    start_on: str = "page"  # page: each article on a new page; right: on a right-hand (odd) page
    pdf_variant: str | None = None  # pdf/a-3b, pdf/a-2b or pdf/ua-1
    keep_going: bool = True  # an article that cannot be rendered is left out (and reported); False: fail
    render_timeout: float = 120.0  # seconds one article may take to lay out before it is given up
