"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1), with the standard json module.

Renders the shared feed plan (``convert.feeds.feed_plan``): ``feed.json`` with the
newest ``--limit`` entries, archive pages under ``feed/archive/``, a feed per
category and per tag, and ``feed-json.opml`` listing them. Item ids are
``Article.id``, the same string the Atom writer (and jekyll-feed before it)
uses, so a reader that switches formats or a site that switches generators
shows no old post as new.

JSON Feed pages from newer to older: ``next_url`` of the main feed is the
newest archive page, and each archive page's ``next_url`` the next older one
(the plan's ``prev_archive``, in RFC 5005 terms).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ..feeds import (FeedDocument, FeedLayout, absolute_content, entries_chooser, feed_language, feed_title,
                     lead_image, opml, writer_plan)
from ..model import Article, Collection
from .base import Document, Writer

VERSION = "https://jsonfeed.org/version/1.1"
LAYOUT = FeedLayout(main="feed", by_category="feed", by_tag="feed/by_tag", archive="feed/archive", extension=".json")
OPML_NAME = "feed-json.opml"


class JsonFeedWriter(Writer):
    name = "jsonfeed"
    aliases = ("json-feed",)
    extension = ".json"
    media_type = "application/feed+json"
    takes_limit = True
    several_files = True
    description = "JSON Feed 1.1: feed.json, archive pages, a feed per category and tag, and an OPML list"

    def chooser(self):
        return entries_chooser(LAYOUT, self.name, self.options)

    def render(self, collection: Collection) -> str:
        return self.documents(collection)[0].content  # type: ignore[return-value]

    def documents(self, collection: Collection) -> list[Document]:
        self.options, plan = writer_plan(collection, LAYOUT, self.name, self.options)  # + the site's jekyll-feed settings
        root = collection.site.absolute_root
        # Items are shared between the main feed, archives and term feeds: encode each once.
        encoded: dict[int, str] = {}
        out = []
        for document in plan:
            items = []
            for article in document.entries:
                line = encoded.get(id(article))
                if line is None:
                    line = encoded[id(article)] = json.dumps(self._item(article, root), ensure_ascii=False)
                items.append(line)
            out.append(Document(document.path, _assemble(self._head(document, collection), items)))
        out.append(Document(OPML_NAME, opml(plan, collection.site.title or "Feed", "rss")))
        return out

    def _head(self, document: FeedDocument, collection: Collection) -> dict[str, Any]:
        site = collection.site
        head: dict[str, Any] = {"version": VERSION, "title": document.title, "home_page_url": document.home,
                                "feed_url": document.url}
        if site.description:
            head["description"] = site.description
        if document.prev_archive:
            head["next_url"] = document.prev_archive
        if site.author:
            head["authors"] = [{"name": site.author}]
        lang = feed_language(site, document.entries)
        if lang:
            head["language"] = lang
        if self.options.hub:
            head["hubs"] = [{"type": "WebSub", "url": self.options.hub}]
        return head

    def _item(self, article: Article, root: str) -> dict[str, Any]:
        item: dict[str, Any] = {"id": article.id}
        if article.permalink:
            item["url"] = article.permalink
        if article.title:
            item["title"] = feed_title(article.title)  # as the Atom and RSS entries show it
        # The spec requires content_html or content_text: an excerpt-only feed carries the
        # summary as content_text.
        if self.options.excerpt_only:
            item["content_text"] = article.summary
        else:
            item["content_html"] = absolute_content(article.body, article.permalink or root + "/")
        if article.summary:
            item["summary"] = article.summary
        image = lead_image(article, root)
        # Front matter may name anything as the image; a feed reader should only get a web URL.
        if image and image.startswith(("https://", "http://")):
            item["image"] = image
        item["date_published"] = _rfc3339(article.date)
        item["date_modified"] = _rfc3339(article.modified)
        if article.authors:
            item["authors"] = [{"name": name} for name in article.authors]
        tags = list(dict.fromkeys(t for t in (*article.categories, *article.tags) if t.strip()))
        if tags:
            item["tags"] = tags
        if article.lang:
            item["language"] = article.lang
        return item


def _rfc3339(moment: dt.datetime) -> str:
    """RFC 3339 with the post's own offset (isoformat of an aware datetime is one)."""
    return moment.isoformat()


def _assemble(head: dict[str, Any], items: list[str]) -> str:
    # The small head is indented for people; one item per line keeps diffs readable and
    # lets the C encoder write the bodies (an indented dump runs the pure-Python one).
    text = json.dumps(head, ensure_ascii=False, indent=2)
    if not items:
        return text[:-2] + ',\n  "items": []\n}\n'
    lines = ",\n".join("    " + item for item in items)
    return f'{text[:-2]},\n  "items": [\n{lines}\n  ]\n}}\n'
