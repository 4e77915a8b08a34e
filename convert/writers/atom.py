"""Atom 1.0 feeds (RFC 4287), where and as jekyll-feed makes them, so subscribers switch unnoticed.

The main feed is ``feed.xml`` (jekyll-feed's place), category feeds
``feed/<category>.xml`` (jekyll-feed's too), tag feeds ``feed/by_tag/``, and RFC
5005 archive pages ``feed/archive/N.xml`` hold every older post. Entry ids are
``Article.id`` byte for byte (Jekyll's ``post.id | absolute_url``, what
jekyll-feed writes), so no reader sees an old post as new after the switch.
Dates keep the post's offset; the feed's ``updated`` is its newest entry's.
Built on feedgen through ``convert.feedgen_layer``, which fixes feedgen's bugs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from ..feeds import (FeedDocument, FeedLayout, absolute_content, entries_chooser, feed_language, feed_title,
                     lead_image, uri, writer_plan)
from ..model import Article, Collection
from .base import Document, Writer

if TYPE_CHECKING:
    from ..feedgen_layer import Generator

LAYOUT = FeedLayout(main="feed", by_category="feed", by_tag="feed/by_tag", archive="feed/archive", extension=".xml")
OPML_NAME = "feed.opml"
STYLESHEET = "feed.xsl"


class AtomWriter(Writer):
    name = "atom"
    aliases = ("atom1",)
    extension = ".xml"
    media_type = "application/atom+xml"
    binary = True
    takes_limit = True
    several_files = True
    description = "Atom feeds as jekyll-feed makes them (feed.xml), with category, tag and archive feeds"

    def chooser(self):
        return entries_chooser(LAYOUT, self.name, self.options, jekyll_paths=True)

    def prepare(self) -> None:
        import_module("convert.feedgen_layer")  # feedgen and lxml: 25 ms, spent while the reader reads

    def documents(self, collection: Collection) -> list[Document]:
        from ..feedgen_layer import feed_files

        # The site's jekyll-feed settings and paths: the files land where its subscribers find them.
        self.options, plan = writer_plan(collection, LAYOUT, self.name, self.options, jekyll_paths=True)
        root = collection.site.absolute_root + "/"
        return feed_files(plan, lambda feed: self._render(collection, feed, root), "atom",
                          site_title=collection.site.title, root=root, opml_name=OPML_NAME, stylesheet_name=STYLESHEET,
                          stylesheet_text=(lambda: self.resources.stylesheet(STYLESHEET))
                          if self.options.feed_stylesheet else None)

    def _render(self, collection: Collection, feed: FeedDocument, root: str) -> Generator:
        """One feed document as a feedgen feed: the format's own view of the plan, in one place."""
        from ..feedgen_layer import Generator

        site = collection.site
        fg = Generator()
        fg.load_extension("media", atom=True, rss=False)
        fg.id(feed.url)  # as jekyll-feed: page.url | absolute_url
        fg.title(self.options.title or feed.title)
        fg.updated(feed.updated)
        fg.link(href=feed.home, rel="alternate", type="text/html")
        fg.link(href=feed.url, rel="self", type=self.media_type)
        if self.options.hub:
            fg.link(href=self.options.hub, rel="hub")
        if feed.current:
            fg.link(href=feed.current, rel="current", type=self.media_type)
        if feed.prev_archive:
            fg.link(href=feed.prev_archive, rel="prev-archive", type=self.media_type)
        fg.history.archive(feed.kind == "archive")
        lang = feed_language(site, feed.entries)
        if lang:
            fg.language(lang)
        if site.description:
            fg.subtitle(site.description)
        if site.author:
            fg.author(name=site.author)
        fg.generator("convert")
        for article in feed.entries:
            self._entry(fg, article, root)
        return fg

    def _entry(self, fg: Generator, article: Article, root: str) -> None:
        entry = fg.add_entry()
        entry.id(article.id)
        title = feed_title(article.title)
        entry.title(title)
        entry.link(href=uri(article.permalink or article.id), rel="alternate", type="text/html", title=title)
        entry.published(article.date)
        entry.updated(article.modified)
        for author in article.authors:
            entry.author(name=author)
        for field, folder in (("categories", "categories/"), ("tags", "tags/")):
            for term in dict.fromkeys(getattr(article, field)):
                if term.strip():
                    entry.category(term=term, scheme=root + folder)
        if article.summary:
            entry.summary(article.summary)
        if not self.options.excerpt_only:
            entry.content(absolute_content(article.body, article.permalink), type="html")
            entry.content_base(uri(article.permalink))
        image = lead_image(article, root)
        if image:
            entry.media.thumbnail(url=uri(image), group=None)
