"""The nav document and the NCX, written as text by the writer: byte for byte what ebooklib writes for the book.

ebooklib's ``_get_nav`` and ``_get_ncx`` are the oracle: for each book here (sections or none,
one article, a right-to-left language, titles full of characters XML escapes) the writer's
own nav and NCX must equal theirs for the same ``EpubBook``. EPUBCheck checks them in the
other EPUB tests.
"""

from __future__ import annotations

import datetime as dt

import pytest
from ebooklib import epub

import convert.writers.epub as epub_writer
from convert.model import Article, Collection, Site
from convert.options import WriteOptions
from convert.writers.epub import EpubWriter

# What lxml escapes in text and in attributes, and what it leaves alone.
AWKWARD = ['A & B <c> "d" \'e\'', "tab\there", "line\nbreak", "cr\rhere", "]]> &amp; &#10;", "中文（标题）", "   "]


def _articles(lang: str) -> list[Article]:
    return [Article(id=f"x{n}", title=title, date=dt.datetime(2022, 1 + n % 3, 1 + n, tzinfo=dt.timezone.utc),
                    body=f"<p>{n}</p>", lang=lang, categories=(AWKWARD[-n],) if n % 2 else ())
            for n, title in enumerate(AWKWARD, 1)]


def _navigation(monkeypatch, collection: Collection, options: WriteOptions) -> tuple[bytes, bytes, bytes, bytes]:
    """(our NCX, ebooklib's NCX, our nav, ebooklib's nav) for the book of ``collection``."""
    made = {}
    original = epub_writer._PackageWriter.make_navigation

    def make_navigation(packager, ncx, nav):
        original(packager, ncx, nav)
        made.update(ours_ncx=packager.navigation[epub.EpubNcx].entry, theirs_ncx=epub.EpubWriter._get_ncx(packager),
                    ours_nav=packager.navigation[epub.EpubNav].entry, theirs_nav=epub.EpubWriter._get_nav(packager, nav),
                    ncx=epub_writer._ncx_document(packager.book), nav=epub_writer._nav_document(packager.book, nav))

    monkeypatch.setattr(epub_writer._PackageWriter, "make_navigation", make_navigation)
    EpubWriter(options).render(collection)
    # What was packaged is what the functions make (the entries hold it deflated).
    assert made["ours_ncx"].size == len(made["ncx"]) and made["ours_nav"].size == len(made["nav"])
    return made["ncx"], made["theirs_ncx"], made["nav"], made["theirs_nav"]


@pytest.mark.parametrize("group_by", ["month", "category", "none"])
@pytest.mark.parametrize("lang", ["zh-CN", "ar", "en"])
def test_nav_and_ncx_are_what_ebooklib_writes(monkeypatch, group_by, lang):
    site = Site(title="Site & <Co>", url="https://example.org")
    ours_ncx, theirs_ncx, ours_nav, theirs_nav = _navigation(
        monkeypatch, Collection(site, tuple(_articles(lang))), WriteOptions(group_by=group_by))
    assert ours_ncx == theirs_ncx
    assert ours_nav == theirs_nav
    assert b"<navPoint" in ours_ncx and b"&lt;c&gt;" in ours_nav


def test_a_book_of_one_article_has_a_flat_nav_as_ebooklib_writes_it(monkeypatch):
    collection = Collection(Site(), tuple(_articles("ja")[:1]))
    ours_ncx, theirs_ncx, ours_nav, theirs_nav = _navigation(monkeypatch, collection, WriteOptions())
    assert (ours_ncx, ours_nav) == (theirs_ncx, theirs_nav)
    assert ours_nav.count(b"<li>") == 1 and b"contents.xhtml" not in ours_nav
