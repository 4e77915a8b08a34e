"""What the feed writers share: which feeds there are, what each holds, and where it lives.

The Atom, RSS and JSON Feed writers render the same plan, so their entries,
archives and URLs agree. A plan has the main feed (the newest ``limit``
entries), a feed per category and per tag, and RFC 5005 archive documents
holding every older entry: pages of ``limit`` entries counted from the oldest,
so a full archive page never changes again (only the newest, partial one grows),
and a subscriber can walk ``prev-archive`` links back to the first post.

Nothing here knows a feed format; ids, links and dates come from the model,
so they stay what jekyll-feed made them (``Article.id`` is Jekyll's
``post.id | absolute_url``).
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from dataclasses import dataclass, replace
from typing import Callable, Sequence
from urllib.parse import quote, urljoin

from .errors import WriterError
from .model import Article, Collection, Site
from .options import WriteOptions
from .output import safe_filename

DEFAULT_LIMIT = 20


@dataclass(frozen=True, slots=True)
class FeedLayout:
    """Where one format's feeds go, relative to the output folder (no extension)."""

    main: str  # "feed" -> feed.xml, where jekyll-feed puts it
    by_category: str  # "feed/by_category"
    by_tag: str  # "feed/by_tag"
    archive: str  # "feed/archive"
    extension: str  # ".xml"
    main_path: str | None = None  # the main feed's own file name, from jekyll-feed's `feed: path:`
    category_paths: tuple[tuple[str, str], ...] = ()  # (category, file) from `feed: categories:`


@dataclass(frozen=True, slots=True)
class FeedDocument:
    """One feed file: its entries, newest first, and its place among the others."""

    kind: str  # "main", "category", "tag" or "archive"
    title: str
    path: str  # relative output path, with extension
    url: str  # absolute URL where it will be served (its rel=self)
    home: str  # the site page it belongs to (rel=alternate)
    entries: tuple[Article, ...]
    updated: dt.datetime  # newest entry change: never the wall clock
    term: str = ""  # the category or tag
    prev_archive: str | None = None  # RFC 5005: the next older archive page
    current: str | None = None  # RFC 5005: archives point at the main feed
    archive_index: int = 0  # 1 = the oldest page


def feed_plan(collection: Collection, layout: FeedLayout, limit: int = DEFAULT_LIMIT,
              per_term: bool = True, archives: bool = True) -> list[FeedDocument]:
    """Every feed document of one format for ``collection``: main, archives, categories, tags.

    ``archives=False``: no archive documents; entries older than the main feed's
    are in no feed but their terms' (as jekyll-feed and Hugo publish).
    """
    site = collection.site
    if not site.url:
        raise WriterError("feeds need the site's absolute url (set url in _config.yml, or --metadata "
                          "url=https://example.org): feed readers cannot resolve relative links")
    if limit < 1:
        raise WriterError(f"the feed limit must be at least 1, got {limit}")
    root = site.absolute_root + "/"
    title = site.title or "Feed"
    newest_first = sorted(collection.articles, key=lambda a: (a.date, a.id), reverse=True)
    documents: list[FeedDocument] = []

    main_path = layout.main_path or layout.main + layout.extension
    main_url = url_for(root, main_path)
    main_entries = tuple(newest_first[:limit])
    older = list(reversed(newest_first[limit:]))  # oldest first, for stable pages
    pages = [older[i : i + limit] for i in range(0, len(older), limit)] if archives else []
    archive_urls = [url_for(root, f"{layout.archive}/{n}{layout.extension}") for n in range(1, len(pages) + 1)]
    documents.append(FeedDocument("main", title, main_path, main_url, root, main_entries,
                                  _updated(main_entries, collection), prev_archive=archive_urls[-1] if pages else None))
    for index, page in enumerate(pages, 1):
        entries = tuple(reversed(page))
        documents.append(FeedDocument(
            # No page count in the title: a full page must never change when more pages come.
            "archive", f"{title} ({index})", f"{layout.archive}/{index}{layout.extension}",
            archive_urls[index - 1], root, entries, _updated(entries, collection),
            prev_archive=archive_urls[index - 2] if index > 1 else None, current=main_url, archive_index=index))
    if per_term:
        for kind, folder, terms in (("category", layout.by_category, _terms(newest_first, "categories")),
                                    ("tag", layout.by_tag, _terms(newest_first, "tags"))):
            own_paths = dict(layout.category_paths) if kind == "category" else {}
            for term, articles in terms.items():
                path = own_paths.get(term) or f"{folder}/{safe_filename(term, layout.extension, fallback=kind)}"
                entries = tuple(articles[:limit])
                documents.append(FeedDocument(kind, f"{title}: {term}", path, url_for(root, path), root, entries,
                                              _updated(entries, collection), term=term))
    return documents


def writer_plan(collection: Collection, layout: FeedLayout, format_name: str, options: WriteOptions,
                jekyll_paths: bool = False) -> tuple[WriteOptions, list[FeedDocument]]:
    """What one feed writer renders: its options completed from the site's jekyll-feed
    settings, and the plan laid out where the site (``jekyll_paths``) and ``--feed-path`` put it."""
    options = effective_options(options, collection.site)
    if jekyll_paths:
        layout = jekyll_feed_layout(layout, collection.site)
    layout = moved_layout(layout, dict(options.feed_paths).get(format_name))
    return options, feed_plan(collection, layout, limit=options.limit, per_term=options.term_feeds,
                              archives=options.feed_archives)


def entries_chooser(layout: FeedLayout, format_name: str, options: WriteOptions,
                    jekyll_paths: bool = False) -> Callable[[Collection], list[Article]] | None:
    """For ``Writer.chooser``: without archives a feed writer uses only the newest entries of
    each feed, so the reader needs to render only their bodies. None (every article) with archives."""
    if not options.feed_archives:
        def chosen(headers: Collection) -> list[Article]:
            _, plan = writer_plan(headers, layout, format_name, options, jekyll_paths)
            return list({id(a): a for document in plan for a in document.entries}.values())
        return chosen
    return None


def moved_layout(layout: FeedLayout, main_path: str | None) -> FeedLayout:
    """``layout`` with the main feed at ``main_path`` (``news/rss.xml``) and the category, tag and
    archive feeds in the folder of that name (``news/rss/``, ``news/rss/by_tag/``...);
    paths a site gave its categories stay. ``main_path`` None: ``layout`` unchanged."""
    if main_path is None:
        return layout
    path = check_feed_path(main_path)
    stem, extension = posixpath.splitext(path)
    if not extension:
        path, extension = path + layout.extension, layout.extension
    return replace(layout, main=stem, main_path=path, by_category=stem, by_tag=f"{stem}/by_tag",
                   archive=f"{stem}/archive")


def check_feed_path(path: str) -> str:
    """``path`` as a relative output path, or WriterError: no absolute path, ``..`` or empty part."""
    parts = path.replace("\\", "/").split("/")
    if path.startswith(("/", "\\")) or any(part in ("", ".", "..") for part in parts) or \
            _XML_FORBIDDEN.search(path):
        raise WriterError(f"feed path {path!r}: expected a relative path inside the output folder, "
                          "such as news/rss.xml")
    return path


def jekyll_feed_config(site: Site) -> dict:
    """The site's jekyll-feed settings (``feed:`` in ``_config.yml``), or {}."""
    config = site.extra.get("feed")
    return config if isinstance(config, dict) else {}


def configured_limit(limit: int | None, site: Site) -> int:
    """--limit, else jekyll-feed's ``feed: posts_limit``, else 20."""
    configured = jekyll_feed_config(site).get("posts_limit")
    return limit or (configured if isinstance(configured, int) and configured > 0 else DEFAULT_LIMIT)


def configured_excerpt_only(excerpt_only: bool, site: Site) -> bool:
    return excerpt_only or jekyll_feed_config(site).get("excerpt_only") is True


def effective_options(options: WriteOptions, site: Site) -> WriteOptions:
    """``options`` with what the command line left open filled in from the site's jekyll-feed
    settings: the feed size (``posts_limit``, else 20) and ``excerpt_only``."""
    return replace(options, limit=configured_limit(options.limit, site),
                   excerpt_only=configured_excerpt_only(options.excerpt_only, site))


def jekyll_feed_layout(layout: FeedLayout, site: Site) -> FeedLayout:
    """``layout`` with the paths a jekyll-feed site configured: ``feed: path:`` for the main
    feed, ``categories: {name: {path: ...}}`` per category, ``tags: {path: ...}`` for tag feeds,
    so the files land where the site's subscribers already find them."""
    config = jekyll_feed_config(site)
    changes: dict = {}
    if isinstance(config.get("path"), str) and config["path"].strip("/"):
        changes["main_path"] = config["path"].strip("/")
    categories = config.get("categories")
    if isinstance(categories, dict):
        changes["category_paths"] = tuple(sorted(
            (str(name), str(value["path"]).strip("/")) for name, value in categories.items()
            if isinstance(value, dict) and isinstance(value.get("path"), str) and value["path"].strip("/")))
    tags = config.get("tags")
    if isinstance(tags, dict) and isinstance(tags.get("path"), str) and tags["path"].strip("/"):
        changes["by_tag"] = tags["path"].strip("/")
    return replace(layout, **changes) if changes else layout


def url_for(root: str, path: str) -> str:
    """The absolute URL of an output path; non-ASCII and spaces percent-encoded (URIs, not IRIs)."""
    return root + quote(path, safe="/-._~")


# URI characters kept as they are: reserved ones, unreserved ones and existing %-escapes.
_URI_SAFE = "%/:=&?~#+!$,;'@()*[]-._"


def uri(iri: str) -> str:
    """``iri`` as a URI: non-ASCII and spaces percent-encoded (UTF-8), escapes already there kept.
    RSS readers and validators want URIs; Atom allows IRIs but takes URIs as well."""
    return iri if iri.isascii() and " " not in iri else quote(iri, safe=_URI_SAFE)


_SMART = (("---", "\u2014"), ("--", "\u2013"), ("...", "\u2026"), ("<<", "\u00ab"), (">>", "\u00bb"))
_OPENS_AFTER = "([{\u00ab\u2014\u2013-"
_TWO_DIGIT_YEAR = re.compile(r"\d\ds?\b")
_HIDDEN_HTML = re.compile(r"<script.*?</script>|<!--.*?-->|<style.*?</style>", re.S | re.I)
_TAG = re.compile(r"<.*?>", re.S)


def feed_title(title: str) -> str:
    """The title as jekyll-feed shows it, as plain text: ``smartify | strip_html | normalize_whitespace``.

    Jekyll's ``smartify`` (kramdown's SmartyPants) makes dashes, ellipses,
    guillemets and curly quotes; a quote opens after the start, a space or an
    opening bracket and closes anywhere else (after CJK text too, as kramdown
    does); ``'80s`` takes an apostrophe.
    """
    for plain, smart in _SMART:
        title = title.replace(plain, smart)
    if '"' in title or "'" in title:
        out = []
        for i, char in enumerate(title):
            if char not in "\"'":
                out.append(char)
                continue
            before, after = title[i - 1] if i else "", title[i + 1 : i + 2]
            opening = (not before or before.isspace() or before in _OPENS_AFTER) and bool(after.strip())
            if char == "'" and opening and _TWO_DIGIT_YEAR.match(title, i + 1):
                opening = False
            out.append(("\u201c" if opening else "\u201d") if char == '"' else ("\u2018" if opening else "\u2019"))
        title = "".join(out)
    title = _TAG.sub("", _HIDDEN_HTML.sub("", title))
    return " ".join(title.split())


def feed_language(site: Site, entries: Sequence[Article]) -> str:
    """A feed's language: the site's, else the most common one among its own entries. Not the
    whole archive's: a feed must read the same whether every post was rendered or only the
    feed's entries (see ``Writer.chooser``: a post's language may come from its body)."""
    return Collection(site, tuple(entries)).lang


def _terms(articles: list[Article], field: str) -> dict[str, list[Article]]:
    found: dict[str, list[Article]] = {}
    for article in articles:
        terms = getattr(article, field)
        if len(terms) > 1:
            terms = dict.fromkeys(terms)  # each term once, in order
        for term in terms:
            if term.strip():
                found.setdefault(term, []).append(article)
    return dict(sorted(found.items()))


def _updated(entries: tuple[Article, ...], collection: Collection) -> dt.datetime:
    pool = entries or collection.articles
    if not pool:
        return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    return max(a.modified for a in pool)


_URL_ATTRIBUTE = re.compile(r' (href|src)="([^"]*)"')
_SRCSET = re.compile(r' srcset="([^"]*)"')
_ABSOLUTE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def absolute_content(body: str, base: str) -> str:
    """The body with every href/src/srcset absolute against ``base`` (footnote links included).

    The reader already resolved relative links against the permalink; what is
    left relative is fragments (``#fn:1``) and links of sites without a url.
    """
    def attribute(match: re.Match[str]) -> str:
        value = match.group(2)
        if _ABSOLUTE.match(value):
            return match.group(0)
        return f' {match.group(1)}="{urljoin(base, value)}"'

    def srcset(match: re.Match[str]) -> str:
        candidates = []
        for candidate in match.group(1).split(","):
            parts = candidate.strip().split(None, 1)
            if parts and not _ABSOLUTE.match(parts[0]):
                parts[0] = urljoin(base, parts[0])
            candidates.append(" ".join(parts))
        return f' srcset="{", ".join(candidates)}"'

    body = _URL_ATTRIBUTE.sub(attribute, body)
    return _SRCSET.sub(srcset, body) if " srcset=" in body else body


def lead_image(article: Article, site_root: str) -> str | None:
    """The article's picture for feed readers, absolute: front-matter ``image`` (a path or
    ``{path: ...}``, as jekyll-feed reads it), else the body's first image."""
    image = article.extra.get("image")
    if isinstance(image, dict):
        image = image.get("path")
    if isinstance(image, str) and image.strip():
        image = image.strip()
        if _ABSOLUTE.match(image):
            return image
        return site_root.rstrip("/") + "/" + image.lstrip("/") if image.startswith("/") else urljoin(
            article.permalink, image)
    for asset in article.assets:
        return asset.url
    return None


def opml(documents: list[FeedDocument], title: str, feed_type: str) -> str:
    """An OPML 2.0 subscription list of ``documents`` (archives left out: readers page back to them).

    ``feed_type`` is OPML's ``type`` attribute: "atom", "rss" (JSON Feed readers accept "rss" too).
    """
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<opml version="2.0">',
             f"  <head><title>{_xml_text(title)}</title></head>", "  <body>"]
    for document in documents:
        if document.kind == "archive":
            continue
        name = _quoted_attribute(_XML_FORBIDDEN.sub("", document.title))  # a term may hold control characters
        lines.append(f"    <outline type={_quoted_attribute(feed_type)} text={name} title={name} "
                     f"xmlUrl={_quoted_attribute(document.url)} htmlUrl={_quoted_attribute(document.home)}/>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _quoted_attribute(value: str) -> str:
    """``xml.sax.saxutils.quoteattr``, whose module imports urllib.request (13 ms a run)."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = value.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace('"', "&quot;") + '"'


def _xml_text(text: str) -> str:
    return _XML_FORBIDDEN.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
