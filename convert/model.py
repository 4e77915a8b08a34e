"""The article model: what every reader produces and every writer consumes.

Frozen, typed dataclasses and their documented JSON form; no I/O and no knowledge
of any output format. ``Collection`` is a site's metadata plus its articles in
reading order; ``Article`` is one post. Bodies are canonical HTML fragments
(sanitized, well-formed, valid XHTML once serialized as XML); ``summary`` is
plain text, as feeds and tables of contents want it.

The JSON form (``convert --to json``, read back by ``--from json``)::

    {"version": 1,
     "site": {"title": ..., "url": ..., "baseurl": ..., "author": ..., "lang": ...,
              "timezone": ..., "description": ..., "extra": {...}},
     "articles": [{"id": ..., "slug": ..., "title": ..., "date": "2021-12-08T10:46:18+08:00",
                   "updated": ..., "authors": [...], "categories": [...], "tags": [...],
                   "lang": "zh-CN", "summary": ..., "body": "<p>...</p>",
                   "permalink": ..., "jekyll_id": ..., "source": "path/to/post.md",
                   "draft": false, "assets": [{"url": ..., "path": ..., "remote": ...}],
                   "extra": {...}}]}
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass, field, fields, replace
from typing import Any, Mapping

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Asset:
    """A file the body refers to (an image, mostly).

    ``url`` is the reference as it stands in the body. ``path`` is the local file,
    relative to the source root, when the reference resolved to one inside the
    source tree; ``remote`` references are recorded, never fetched by the reader.
    """

    url: str
    path: str | None = None
    remote: bool = False
    media_type: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """One post, read and normalised."""

    id: str
    title: str
    date: dt.datetime
    body: str
    slug: str = ""
    updated: dt.datetime | None = None
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    lang: str = ""
    summary: str = ""
    permalink: str = ""
    jekyll_id: str = ""
    source: str = ""
    draft: bool = False
    assets: tuple[Asset, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("date", "updated"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"Article.{name} must be timezone-aware, got {value!r}")

    @property
    def modified(self) -> dt.datetime:
        """The last change: ``updated`` when given, else ``date``."""
        return self.updated or self.date

    def __reduce__(self):
        # Positional fields pickle several times faster than the default slot-state dict,
        # and the reader sends every article back from its worker processes.
        return (Article, _article_values(self))


_ARTICLE_FIELDS = tuple(f.name for f in fields(Article))
_article_values = operator.attrgetter(*_ARTICLE_FIELDS)  # the fields' values, as a tuple, in one call


@dataclass(frozen=True, slots=True)
class Site:
    """What the collection as a whole is: the site's metadata."""

    title: str = ""
    url: str = ""
    baseurl: str = ""
    author: str = ""
    lang: str = ""
    timezone: str = ""
    description: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def absolute_root(self) -> str:
        """``url`` + ``baseurl``, without a trailing slash ('' when there is no url)."""
        return (self.url.rstrip("/") + "/" + self.baseurl.strip("/")).rstrip("/") if self.url else ""


@dataclass(frozen=True, slots=True)
class Collection:
    """A site and its articles, in reading order."""

    site: Site
    articles: tuple[Article, ...] = ()

    def with_articles(self, articles) -> "Collection":
        return replace(self, articles=tuple(articles))

    @property
    def lang(self) -> str:
        """The collection's language: the site's, else the most common article language."""
        if self.site.lang:
            return self.site.lang
        counts: dict[str, int] = {}
        for article in self.articles:
            if article.lang:
                counts[article.lang] = counts.get(article.lang, 0) + 1
        return max(sorted(counts), key=counts.__getitem__) if counts else ""


# --- JSON form ---------------------------------------------------------------

_ARTICLE_TUPLES = ("authors", "categories", "tags")
_ARTICLE_DATES = ("date", "updated")


def collection_to_json(collection: Collection) -> dict[str, Any]:
    """The documented JSON form of a collection (plain dicts, lists and strings)."""
    return {
        "version": SCHEMA_VERSION,
        "site": {f.name: _jsonable(getattr(collection.site, f.name)) for f in fields(Site)},
        "articles": [article_to_json(a) for a in collection.articles],
    }


def article_to_json(article: Article) -> dict[str, Any]:
    # Field by field rather than generically: this runs once per article of an archive.
    a = article
    return {
        "id": a.id, "title": a.title, "date": a.date.isoformat(), "body": a.body, "slug": a.slug,
        "updated": a.updated.isoformat() if a.updated is not None else None,
        "authors": list(a.authors), "categories": list(a.categories), "tags": list(a.tags),
        "lang": a.lang, "summary": a.summary, "permalink": a.permalink, "jekyll_id": a.jekyll_id,
        "source": a.source, "draft": a.draft,
        "assets": [{"url": x.url, "path": x.path, "remote": x.remote, "media_type": x.media_type} for x in a.assets],
        "extra": _jsonable(a.extra) if a.extra else {},
    }


def collection_from_json(data: Any) -> Collection:
    """Rebuild a collection from its JSON form; raises ``ValueError`` naming what is wrong."""
    if not isinstance(data, dict) or "articles" not in data:
        raise ValueError("not a convert JSON document: expected an object with 'site' and 'articles'")
    version = data.get("version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise ValueError(f"unsupported JSON schema version {version!r} (this convert reads {SCHEMA_VERSION})")
    site_data = data.get("site") or {}
    site = Site(**{f.name: site_data[f.name] for f in fields(Site) if f.name in site_data})
    articles = []
    for index, item in enumerate(data["articles"]):
        try:
            articles.append(article_from_json(item))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"articles[{index}]: {exc}") from None
    return Collection(site=site, articles=tuple(articles))


def article_from_json(item: Mapping[str, Any]) -> Article:
    known = {f.name for f in fields(Article)}
    unknown = sorted(set(item) - known)
    if unknown:
        raise ValueError(f"unknown article keys {unknown}; put custom data under 'extra'")
    for required in ("id", "title", "date", "body"):
        if required not in item:
            raise ValueError(f"missing required key {required!r}")
    kwargs: dict[str, Any] = dict(item)
    for name in _ARTICLE_DATES:
        if kwargs.get(name) is not None:
            kwargs[name] = parse_iso_datetime(kwargs[name])
    for name in _ARTICLE_TUPLES:
        kwargs[name] = tuple(kwargs.get(name) or ())
    kwargs["assets"] = tuple(Asset(**a) for a in kwargs.get("assets") or ())
    kwargs["extra"] = dict(kwargs.get("extra") or {})
    return Article(**kwargs)


def parse_iso_datetime(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"date {value!r} has no UTC offset")
    return parsed


def _jsonable(value: Any) -> Any:
    """Dates as ISO 8601 with offset; tuples as lists; mappings and lists recursively."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
