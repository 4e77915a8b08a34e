"""RSS 2.0 feeds with full content, for readers that want RSS (``rss.xml``).

The same plan as the Atom feeds (``convert.feeds``): main feed ``rss.xml``,
category feeds ``rss/<category>.xml``, tag feeds ``rss/by_tag/``, RFC 5005
archive pages ``rss/archive/N.xml``. Each item has ``description`` (the
summary) before ``content:encoded`` (the full body), a ``guid`` equal to the
Atom entry id (``Article.id``), links as URIs, ``dc:creator`` for authors
(RSS ``author`` wants an e-mail address) and RFC 822 dates with the post's
offset. Self, hub and archive links are ``atom:link`` elements.
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

LAYOUT = FeedLayout(main="rss", by_category="rss", by_tag="rss/by_tag", archive="rss/archive", extension=".xml")
OPML_NAME = "rss.opml"
STYLESHEET = "feed.xsl"


class RssWriter(Writer):
    name = "rss"
    aliases = ("rss2",)
    extension = ".xml"
    media_type = "application/rss+xml"
    binary = True
    takes_limit = True
    several_files = True
    description = "RSS 2.0 feeds with full content (rss.xml), with category, tag and archive feeds"

    def chooser(self):
        return entries_chooser(LAYOUT, self.name, self.options)

    def prepare(self) -> None:
        import_module("convert.feedgen_layer")  # feedgen and lxml: 25 ms, spent while the reader reads

    def documents(self, collection: Collection) -> list[Document]:
        from ..feedgen_layer import feed_files

        self.options, plan = writer_plan(collection, LAYOUT, self.name, self.options)  # + the site's jekyll-feed settings
        root = collection.site.absolute_root + "/"
        return feed_files(plan, lambda feed: self._render(collection, feed, root), "rss",
                          site_title=collection.site.title, root=root, opml_name=OPML_NAME, stylesheet_name=STYLESHEET,
                          stylesheet_text=(lambda: self.resources.stylesheet(STYLESHEET))
                          if self.options.feed_stylesheet else None)

    def _render(self, collection: Collection, feed: FeedDocument, root: str) -> Generator:
        """One feed document as a feedgen feed: the format's own view of the plan, in one place."""
        from ..feedgen_layer import Generator, ModifiedEntryExtension, ModifiedExtension

        site = collection.site
        fg = Generator()
        fg.load_extension("dc", atom=False, rss=True)
        fg.load_extension("media", atom=False, rss=True)
        fg.register_extension("dcterms", ModifiedExtension, ModifiedEntryExtension, atom=False, rss=True)
        title = self.options.title or feed.title
        fg.title(title)
        fg.description(site.description or title)
        fg.updated(feed.updated)  # lastBuildDate
        fg.link(href=uri(feed.home), rel="alternate")  # the channel <link>
        fg.link(href=feed.url, rel="self", type=self.media_type)
        if self.options.hub:
            fg.link(href=uri(self.options.hub), rel="hub")
        if feed.current:
            fg.link(href=feed.current, rel="current", type=self.media_type)
        if feed.prev_archive:
            fg.link(href=feed.prev_archive, rel="prev-archive", type=self.media_type)
        fg.history.archive(feed.kind == "archive")
        lang = feed_language(site, feed.entries)
        if lang:
            fg.language(lang)
        fg.generator("convert")
        for article in feed.entries:
            self._item(fg, article, root)
        return fg

    def _item(self, fg: Generator, article: Article, root: str) -> None:
        item = fg.add_entry()
        link = uri(article.permalink or article.id)
        item.title(feed_title(article.title))
        item.link(href=link, rel="alternate")
        item.guid(article.id, permalink=article.id == link)
        item.published(article.date)  # pubDate
        item.updated(article.modified)
        item.dcterms.date = article.modified
        for author in article.authors:
            item.dc.dc_creator(author)
        for field, folder in (("categories", "categories/"), ("tags", "tags/")):
            for term in dict.fromkeys(getattr(article, field)):
                if term.strip():
                    item.category(term=term, scheme=root + folder)
        # description is the summary, then content:encoded the body; without a summary,
        # feedgen makes the body the description (classic RSS full content).
        if article.summary:
            item.description(article.summary)
        if not self.options.excerpt_only:
            item.content(absolute_content(article.body, article.permalink), type="CDATA")
        image = lead_image(article, root)
        if image:
            item.media.thumbnail(url=uri(image), group=None)
