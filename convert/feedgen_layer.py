"""A small layer over feedgen 1.0.0 that fixes its bugs where they start.

feedgen builds an lxml tree in ``FeedGenerator._create_atom()``/``_create_rss()``
and ``FeedEntry.atom_entry()``/``rss_entry()``; the classes here subclass those
and correct the tree (or the state feeding it), never the serialized string.
Each fix has its own test in ``tests/writers/test_feedgen_layer.py``, which
also shows the bug in plain feedgen, so a feedgen upgrade that fixes (or
changes) one is noticed.

The bugs, and what this layer does about them:

1. Atom entry links lose ``rel``/``type``/``title``/``hreflang``/``length``:
   ``atom_entry`` rebinds its loop variable to the new element and then reads
   the attributes from it. -> ``Entry.atom_entry`` sets them from the link data.
2. ``content(type='CDATA')`` writes ``type="CDATA"``, which is no Atom content
   type. -> Atom gets ``type="html"`` (CDATA is only a way of escaping the same
   text); RSS keeps its CDATA section.
3. ``entry.description()`` overwrites the Atom content. -> once content is set,
   ``description`` only sets the RSS description.
4. The RSS channel ``<link>`` is the LAST link added (often rel=self). -> it is
   the first ``rel=alternate`` link (a link without rel is an alternate one).
5. RSS drops every link but the first rel=self: no hub, no RFC 5005 archive
   links. -> every non-alternate link is written as ``atom:link``, in order.
6. ``updated`` (and with it RSS ``lastBuildDate``) defaults to the clock, and
   so does every entry's ``updated``. -> a feed without an explicit
   ``updated`` takes its newest entry's; an entry without one takes its
   ``published``; with neither, rendering raises ``ValueError``.
7. Entries are prepended: added in order, they come out reversed.
   -> ``add_entry`` appends by default.
8. A control character in any text is accepted when set and raises when the
   tree is built, killing the whole feed. -> every string is stripped of the
   characters XML 1.0 forbids just before the tree is built.

Also: RSS dates are written with :func:`email.utils.format_datetime` (feedgen's
``formatRFC2822`` switches the process-wide locale and writes years below 1000
with fewer than four digits), an RSS ``atom:link`` namespace is declared once
on the root, and RSS items can carry ``dcterms:modified`` (``ModifiedExtension``).
"""

from __future__ import annotations

import datetime as dt
import re
from email.utils import format_datetime
from typing import Any, Callable

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from .feeds import FeedDocument, opml
from .writers.base import Document

ATOM_NS = "http://www.w3.org/2005/Atom"
HISTORY_NS = "http://purl.org/syndication/history/1.0"  # RFC 5005
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_LINK_ATTRIBUTES = ("rel", "type", "hreflang", "title", "length")

# Characters XML 1.0 forbids: C0 controls but tab/LF/CR, surrogates, U+FFFE/U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry."""
    return _NOT_XML.sub("", text) if _NOT_XML.search(text) else text


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def _clean_state(obj: object) -> None:
    """Strip forbidden characters from every string feedgen (or an extension) holds for ``obj``."""
    state = vars(obj)
    for name, value in state.items():
        if name.endswith("__extensions"):
            for extension in value.values():
                _clean_state(extension["inst"])
        else:
            state[name] = _clean(value)


class HistoryExtension(BaseExtension):
    """RFC 5005 ``<fh:archive/>``: marks a feed document as a stable archive page."""

    def __init__(self):
        self._archive = False

    def extend_ns(self):
        return {"fh": HISTORY_NS}

    def archive(self, archive: bool | None = None) -> bool:
        if archive is not None:
            self._archive = archive
        return self._archive

    def extend_atom(self, feed):
        if self._archive:
            etree.SubElement(feed, f"{{{HISTORY_NS}}}archive")
        return feed

    def extend_rss(self, rss):
        if self._archive:
            etree.SubElement(rss[0], f"{{{HISTORY_NS}}}archive")
        return rss


DCTERMS_NS = "http://purl.org/dc/terms/"


class ModifiedExtension(BaseExtension):
    """``dcterms:modified`` on RSS items: RSS 2.0 has no per-item updated date; readers take this one."""

    def extend_ns(self):
        return {"dcterms": DCTERMS_NS}


class ModifiedEntryExtension(BaseEntryExtension):
    def __init__(self):
        self.date = None

    def extend_rss(self, item):
        if self.date is not None:
            etree.SubElement(item, f"{{{DCTERMS_NS}}}modified").text = self.date.isoformat()
        return item


class Entry(FeedEntry):
    """A feedgen entry with bugs 1, 2, 3, 6 (entry side) and 8 fixed; see the module docstring."""

    def __init__(self):
        super().__init__()
        self._updated_given = False
        self._content_base: str | None = None

    def updated(self, updated=None):
        if updated is not None:
            self._updated_given = True
        return super().updated(updated)

    def description(self, description=None, isSummary=False):
        kept = self._FeedEntry__atom_content
        result = super().description(description, isSummary)
        if description is not None and kept:  # RSS's description is not Atom's content
            self._FeedEntry__atom_content = kept
        return result

    def content_base(self, url: str | None = None) -> str | None:
        """``xml:base`` of the Atom content: what its relative references resolve against."""
        if url is not None:
            self._content_base = url
        return self._content_base

    def _prepare(self) -> None:
        _clean_state(self)
        if not self._updated_given:
            published = self.published()
            if published is None:
                raise ValueError(f"entry {self.id()!r}: neither updated nor published is set "
                                 "(feedgen would stamp the current time)")
            super().updated(published)
            self._updated_given = True

    def atom_entry(self, extensions=True):
        self._prepare()
        entry = super().atom_entry(extensions)
        for element, data in zip(entry.findall("link"), self.link() or []):
            for name in _LINK_ATTRIBUTES:
                if data.get(name):
                    element.set(name, str(data[name]))
        for name in ("content", "summary"):
            element = entry.find(name)
            if element is not None and element.get("type") == "CDATA":
                element.set("type", "html")
                element.text = str(element.text)  # lxml writes it escaped: the same text
        content = entry.find("content")
        if content is not None and self._content_base and content.get("src") is None:
            content.set(XML_BASE, self._content_base)
        return entry

    def rss_entry(self, extensions=True):
        self._prepare()
        item = super().rss_entry(extensions)
        date = item.find("pubDate")
        if date is not None:
            date.text = format_datetime(self.pubDate())
        return item


class Generator(FeedGenerator):
    """A feedgen feed with bugs 4, 5, 6 (feed side), 7 and 8 fixed; see the module docstring."""

    def __init__(self):
        super().__init__()
        self._updated: dt.datetime | None = None
        self.register_extension("history", HistoryExtension, None, atom=True, rss=True)  # feed-level only

    def updated(self, updated=None):
        if updated is not None:
            super().updated(updated)
            self._updated = self._FeedGenerator__atom_updated
        return self._FeedGenerator__atom_updated

    lastBuildDate = updated  # feedgen's lastBuildDate() calls updated(): the same date

    def add_entry(self, feedEntry=None, order="append"):
        return super().add_entry(Entry() if feedEntry is None else feedEntry, order)

    def link(self, link=None, replace=False, **kwargs):
        links = super().link(link, replace, **kwargs)
        if links:
            alternates = [ln for ln in links if ln.get("rel", "alternate") == "alternate"]
            self._FeedGenerator__rss_link = (alternates or links)[0]["href"]
        return links

    def _prepare(self) -> None:
        _clean_state(self)
        if self._updated is None:
            entries = self.entry()
            if not entries:
                raise ValueError("feed updated is not set and there is no entry to take it from "
                                 "(feedgen would stamp the current time)")
            for entry in entries:
                entry._prepare()
            self.updated(max(entry.updated() for entry in entries))

    def _create_atom(self, extensions=True):
        self._prepare()
        return super()._create_atom(extensions)

    def _create_rss(self, extensions=True):
        self._prepare()
        feed, doc = super()._create_rss(extensions)
        channel = feed[0]
        atom_link = f"{{{ATOM_NS}}}link"
        for old in channel.findall(atom_link):
            channel.remove(old)
        anchor = channel.find("description")
        for data in self.link() or []:
            if data.get("rel", "alternate") == "alternate":
                continue
            element = etree.Element(atom_link, href=data["href"])
            for name in _LINK_ATTRIBUTES:
                if data.get(name):
                    element.set(name, str(data[name]))
            anchor.addnext(element)
            anchor = element
        date = channel.find("lastBuildDate")
        if date is not None:
            date.text = format_datetime(self.lastBuildDate())
        return feed, doc

    def serialize(self, kind: str, stylesheet: str | None = None) -> bytes:
        """The ``"atom"`` or ``"rss"`` document as UTF-8 bytes, pretty-printed, with an optional
        ``<?xml-stylesheet?>`` so a browser renders it through XSL."""
        feed, doc = self._create_atom() if kind == "atom" else self._create_rss()
        if stylesheet:
            href = stylesheet.replace("&", "&amp;").replace('"', "&quot;")
            feed.addprevious(etree.ProcessingInstruction("xml-stylesheet", f'type="text/xsl" href="{href}"'))
        return etree.tostring(doc, pretty_print=True, encoding="UTF-8", xml_declaration=True)


def feed_files(plan: list[FeedDocument], build: Callable[[FeedDocument], "Generator"], feed_type: str, *,
               site_title: str, root: str, opml_name: str, stylesheet_name: str,
               stylesheet_text: Callable[[], str] | None) -> list[Document]:
    """The files of one feedgen format: every feed of the plan, its OPML list and, when asked
    for (``stylesheet_text``), the XSL stylesheet every feed then points browsers to."""
    stylesheet = root + stylesheet_name if stylesheet_text is not None else None
    out = [Document(feed.path, build(feed).serialize(feed_type, stylesheet)) for feed in plan]
    out.append(Document(opml_name, opml(plan, site_title or "Feed", feed_type)))
    if stylesheet_text is not None:
        out.append(Document(stylesheet_name, stylesheet_text()))
    return out
