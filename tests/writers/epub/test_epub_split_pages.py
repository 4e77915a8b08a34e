"""Section pages and the contents page larger than ``max_chapter_bytes`` are split into several spine documents.

A book of 133 articles in three months (90, 40 and 3: two section pages and the contents page
over a 12 KB limit, one section page under it) is checked: every spine document under the
limit, every entry listed once and in reading order across the parts of its page, ordered lists
counting on, every link leading to a file and an id of the book, the table of contents, the
contents page and the chapters' navigation bars pointing at the first part of a section page,
the Kindle lint clean and EPUBCheck silent. A page within the limit stays one document: the
pages of samples/ (grouped every way) are byte for byte those main made before pages could be
split (``samples-pages.golden.xhtml``; regenerate with CONVERT_UPDATE_GOLDEN=1 after a reviewed change).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from lxml import etree

from convert.model import Article, Collection, Site
from convert.options import WriteOptions
from convert.render import part_file_name
from convert.writers.epub import EpubWriter, kindle_lint
from tests.support.epub_checks import (NS, broken_links, chapters, epubcheck, epubcheck_problems, spine_of, text_of,
                                       unzip)

from .test_epub_writer import SAMPLES, _read

LIMIT = 12_000
GOLDEN = Path(__file__).with_name("samples-pages.golden.xhtml")
SUMMARY = "沪深两市今日震荡走高，成交额连续第五个交易日突破万亿元，北向资金净买入逾五十亿元。"  # 40 characters, 120 bytes
MONTHS = {1: 90, 2: 40, 3: 3}  # articles per month: two section pages over the limit, one under it


def _articles() -> list[Article]:
    articles = []
    for month, count in MONTHS.items():
        for n in range(count):
            title = f"第{month}月第{n + 1}篇：A & B <市场> 快讯" if n % 3 else f"Market report {month}-{n + 1}"
            summary = SUMMARY * (1 + n % 3)  # 40 to 120 characters: entries of different sizes
            articles.append(Article(
                id=f"https://example.org/2022/{month:02d}/{n + 1:02d}/post.html", title=title,
                date=dt.datetime(2022, month, 1 + n % 28, 8, n % 60, tzinfo=dt.timezone(dt.timedelta(hours=8))),
                body=f"<p>{summary}</p>", lang="zh-CN", summary=summary,
                permalink=f"https://example.org/2022/{month:02d}/{n + 1:02d}/post.html"))
    return articles


@pytest.fixture(scope="module")
def book():
    """(articles, writer, epub bytes, unzipped files, EPUBCheck report)."""
    articles = _articles()
    collection = Collection(Site(title="快讯", url="https://example.org", lang="zh-CN"), tuple(articles))
    writer = EpubWriter()
    writer.max_chapter_bytes = LIMIT
    data = writer.render(collection)
    return articles, writer, data, unzip(data), epubcheck(data)


def _documents(files: dict[str, bytes]) -> dict[str, etree._Element]:
    return {name: etree.fromstring(files["EPUB/" + name]) for name in spine_of(files)}


def _pages(files: dict[str, bytes], first: str) -> list[str]:
    """The parts of the page ``first`` (``s001.xhtml``, then ``s001-2.xhtml``...) in reading order."""
    stem = first.removesuffix(".xhtml")
    return [name for name in spine_of(files) if re.fullmatch(re.escape(stem) + r"(-\d+)?\.xhtml", name)]


def _chapter_titles(files: dict[str, bytes]) -> dict[str, str]:
    """Chapter file -> the title its h1 shows."""
    return {parts[0]: text_of(etree.fromstring(files["EPUB/" + parts[0]]).find(".//x:h1", NS))
            for parts in chapters(files)}


def test_every_spine_document_is_under_the_limit_and_the_large_pages_are_split(book):
    _, writer, _, files, _ = book
    sizes = {name: len(files["EPUB/" + name]) for name in spine_of(files)}
    assert max(sizes.values()) <= LIMIT, {name: size for name, size in sizes.items() if size > LIMIT}
    assert writer.diagnostics == []
    assert len(_pages(files, "contents.xhtml")) >= 2
    assert len(_pages(files, "s001.xhtml")) >= 4 and len(_pages(files, "s002.xhtml")) >= 2
    assert _pages(files, "s003.xhtml") == ["s003.xhtml"]
    # the parts are named as a split chapter's, numbered from 2
    for first in ("contents.xhtml", "s001.xhtml", "s002.xhtml"):
        parts = _pages(files, first)
        assert parts == [first] + [part_file_name(first, n) for n in range(2, len(parts) + 1)]


def test_the_spine_reads_each_page_then_its_chapters(book):
    articles, _, _, files, _ = book
    chapter_files = [f"a{i:04d}.xhtml" for i in range(1, len(articles) + 1)]
    expected = ["cover.xhtml", *_pages(files, "contents.xhtml")]
    start = 0
    for month, count in enumerate(MONTHS.values(), 1):
        expected += _pages(files, f"s{month:03d}.xhtml") + chapter_files[start:start + count]
        start += count
    assert spine_of(files) == expected


def test_each_page_lists_every_entry_once_in_order_across_its_parts(book):
    articles, _, _, files, _ = book
    titles = _chapter_titles(files)
    chapter_files = list(titles)
    docs = _documents(files)
    start = 0
    for month, count in enumerate(MONTHS.values(), 1):
        members, numbered = chapter_files[start:start + count], 0
        listed, parts = [], _pages(files, f"s{month:03d}.xhtml")
        assert len(parts) > 1 or month == 3
        for part in parts:
            (entries,) = docs[part].iterfind(".//x:ol[@class='section-entries']", NS)
            assert int(entries.get("start", "1")) == numbered + 1, part  # the list goes on counting
            numbered += len(entries)
            listed += [(a.get("href"), text_of(a)) for a in entries.iterfind("x:li/x:p[@class='entry-title']/x:a", NS)]
        assert listed == [(f, titles[f]) for f in members]
        start += count
    contents, parts = [], _pages(files, "contents.xhtml")
    assert len(parts) > 1
    for part in parts:
        for ol in docs[part].iterfind(".//x:ol[@class='contents']", NS):
            heading = ol.getprevious()
            section = heading.find("x:a", NS).get("href")
            done = sum(1 for listed_in, _, _ in contents if listed_in == section)
            assert int(ol.get("start", "1")) == done + 1, part
            contents += [(section, a.get("href"), text_of(a)) for a in ol.iterfind("x:li/x:a", NS)]
    assert [(href, title) for _, href, title in contents] == [(f, titles[f]) for f in chapter_files]
    by_month = [f"s{(int(f[1:5]) > 90) + (int(f[1:5]) > 130) + 1:03d}.xhtml" for f in chapter_files]
    assert [section for section, _, _ in contents] == by_month
    assert len(chapter_files) == len(articles)


def test_only_first_parts_carry_the_heading_and_last_parts_the_way_back(book):
    _, _, _, files, _ = book
    docs = _documents(files)
    for first in ("s001.xhtml", "s002.xhtml", "contents.xhtml"):
        parts = _pages(files, first)
        assert len(parts) > 1
        assert [len(docs[p].findall(".//x:h1", NS)) for p in parts] == [1] + [0] * (len(parts) - 1)
        assert len({docs[p].find("x:head/x:title", NS).text for p in parts}) == 1
        for part in parts[1:]:  # a later part is labelled for assistive technology instead
            assert docs[part].find("x:body/x:section", NS).get("aria-label")
    for first in ("s001.xhtml", "s002.xhtml"):
        parts = _pages(files, first)
        back = [[a.get("href") for a in docs[p].iterfind(".//x:p[@class='section-nav']/x:a", NS)] for p in parts]
        assert back == [[]] * (len(parts) - 1) + [["contents.xhtml"]]
    # a section continued on a later contents part is headed again there, marked as continued
    for part in _pages(files, "contents.xhtml")[1:]:
        heading = docs[part].find(".//x:h2", NS)
        assert heading.get("class") == "section-title section-continued"


def test_links_resolve_and_lead_to_the_first_part_of_a_page(book):
    _, _, _, files, _ = book
    assert broken_links(files) == []
    later_parts = [p for first in ("contents.xhtml", "s001.xhtml", "s002.xhtml") for p in _pages(files, first)[1:]]
    assert len(later_parts) >= 5
    hrefs = [a.get("href") for doc in _documents(files).values() for a in doc.iter("{%s}a" % NS["x"])]
    assert not [h for h in hrefs if h.split("#")[0] in later_parts]
    nav, ncx = files["EPUB/nav.xhtml"].decode(), files["EPUB/toc.ncx"].decode()
    assert not [p for p in later_parts if p in nav or p in ncx]
    # every chapter's "up" link leads to its own section's page
    for parts in chapters(files):
        doc = etree.fromstring(files["EPUB/" + parts[-1]])
        (up,) = [a.get("href") for a in doc.iterfind(".//x:nav//x:a", NS) if text_of(a) == "↑"]
        n = int(parts[0][1:5])
        assert up == f"s{(n > 90) + (n > 130) + 1:03d}.xhtml", parts
    # reading order is the nav's once each page's parts are read as the page
    nav_doc = etree.fromstring(files["EPUB/nav.xhtml"])
    nav_files = list(dict.fromkeys(a.get("href") for a in nav_doc.iterfind(".//x:nav//x:a", NS)))
    folded = list(dict.fromkeys(re.sub(r"^((?:contents|s\d{3}))-\d+\.xhtml$", r"\1.xhtml", f)
                                for f in spine_of(files) if f != "cover.xhtml"))
    assert nav_files == folded


def test_the_kindle_lint_and_epubcheck_find_nothing(book):
    _, _, data, _, report = book
    assert kindle_lint(data) == []
    assert epubcheck_problems(report) == []


def test_a_page_at_the_limit_stays_whole_and_one_byte_over_is_split():
    articles = _articles()[:30]
    collection = Collection(Site(title="快讯", lang="zh-CN"), tuple(articles))
    whole = EpubWriter().render(collection)
    files = unzip(whole)
    largest = max(len(files["EPUB/" + name]) for name in spine_of(files))
    assert largest == len(files["EPUB/contents.xhtml"])  # one section: the contents page lists the most
    at_limit = EpubWriter()
    at_limit.max_chapter_bytes = largest
    assert at_limit.render(collection) == whole
    under = EpubWriter()
    under.max_chapter_bytes = largest - 1
    split = unzip(under.render(collection))
    assert _pages(split, "contents.xhtml") == ["contents.xhtml", "contents-2.xhtml"]
    assert max(len(split["EPUB/" + name]) for name in spine_of(split)) < largest


def test_an_entry_larger_than_the_limit_on_its_own_is_a_warning(tmp_path):
    articles = _articles()[:4]
    huge = Article(id="huge", title="长" * 2_000, date=articles[0].date, body="<p>短</p>", lang="zh-CN",
                   source=str(tmp_path / "huge.md"))
    writer = EpubWriter()
    writer.max_chapter_bytes = 4_000
    files = unzip(writer.render(Collection(Site(lang="zh-CN"), (huge, *articles))))
    warned = [(d.message.split(" ", 1)[0], d.path) for d in writer.diagnostics if "lists this article alone" in d.message]
    oversized = [name for name in _pages(files, "contents.xhtml") if len(files["EPUB/" + name]) > 4_000]
    assert oversized and warned == [(name, str(tmp_path / "huge.md")) for name in oversized]
    assert all(len(files["EPUB/" + name]) <= 4_000 for name in _pages(files, "contents.xhtml")
               if name not in oversized)


def pages_text(data: bytes, label: str) -> str:
    """The contents and section pages of a book, in reading order, each after a line naming it."""
    files = unzip(data)
    return "".join(f"<!-- {label}: {name} -->\n" + files["EPUB/" + name].decode("utf-8")
                   for name in spine_of(files) if re.fullmatch(r"(contents|s\d{3})(-\d+)?\.xhtml", name))


GROUPINGS = [None, "category", "tag", "month"]


def test_small_pages_are_byte_for_byte_what_they_were():
    collection = _read([SAMPLES])
    text = "".join(pages_text(EpubWriter(WriteOptions(group_by=group_by)).render(collection),
                              f"samples/ --group-by {group_by or 'default'}") for group_by in GROUPINGS)
    if os.environ.get("CONVERT_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
