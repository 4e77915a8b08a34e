"""Chapters larger than 260 KB are split into several XHTML files; links and notes follow the parts.

A generated post of about 1 MB (paragraphs, a heading in the middle, an ordered list
longer than a part, a table, a footnote called at the top) is split; another post links
to its middle heading; a third is one paragraph too large to split, which is a warning.
The same checks run on the samples and finews with a small limit, so that many chapters
are split at many places.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lxml import etree

from convert.render import part_file_name
from convert.writers.epub import EpubWriter, kindle_lint
from tests.support.epub_checks import (NS, assert_chapters_hold_bodies, broken_links, chapters, epubcheck,
                                       epubcheck_problems, spine_of, text_of, unzip)

from .test_epub_writer import CORPUS, SAMPLES, _read, needs_corpus

LIMIT = EpubWriter.max_chapter_bytes
LINE = "春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。" * 4  # 192 bytes of UTF-8 per repetition


def _huge_post() -> str:
    paragraphs = [f"第{n}段：{LINE}" for n in range(1, 1601)]
    middle = 1300  # about 280 KB in: in the second part
    items = "\n".join(f"1. 条目{n} {LINE[:30]}" for n in range(1, 2501))
    rows = "\n".join(f"| {n} | {LINE[:40]} |" for n in range(1, 2501))
    return "\n".join([
        "---", "title: 很长的文章", "date: 2022-05-01 10:00:00 +0800", "---",
        "开头引用脚注[^far]，跳到[中间](#middle)。", "",
        *(p + "\n" for p in paragraphs[:middle]),
        '<h2 id="middle">中间</h2>', "",
        *(p + "\n" for p in paragraphs[middle:]),
        items, "",
        "| 序号 | 内容 |", "|---|---|", rows, "",
        "[^far]: 远处的脚注，在最后一部分。", ""])


def _site(folder: Path) -> Path:
    (folder / "_posts").mkdir(parents=True)
    (folder / "_config.yml").write_text("title: 长文\nurl: https://example.org\nlang: zh-CN\n"
                                        "permalink: /:year/:month/:day/:title.html\n", encoding="utf-8")
    (folder / "_posts" / "2022-05-01-huge.md").write_text(_huge_post(), encoding="utf-8")
    (folder / "_posts" / "2022-05-02-pointer.md").write_text(
        "---\ntitle: 指向\ndate: 2022-05-02 10:00:00 +0800\n---\n"
        "请看[长文的中间](https://example.org/2022/05/01/huge.html#middle)。\n", encoding="utf-8")
    (folder / "_posts" / "2022-05-03-wall.md").write_text(
        "---\ntitle: 一整段\ndate: 2022-05-03 10:00:00 +0800\n---\n" + LINE * 1500 + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """name -> (collection, writer, epub bytes, EPUBCheck report)."""
    collections = {"huge": _read([_site(tmp_path_factory.mktemp("huge"))]), "samples": _read([SAMPLES])}
    if CORPUS.is_dir():
        collections["finews"] = _read([CORPUS / "finews"], config=CORPUS / "finews-site" / "_config.yml")
    built = {}
    for name, collection in collections.items():
        writer = EpubWriter()
        if name != "huge":
            writer.max_chapter_bytes = 1_600  # small parts: many chapters split, some many times
        built[name] = (collection, writer, writer.render(collection))
    with ThreadPoolExecutor(len(built)) as pool:
        reports = dict(zip(built, pool.map(epubcheck, [data for _, _, data in built.values()])))
    return {name: (*built[name], reports[name]) for name in built}


BOOKS = ["huge", "samples", pytest.param("finews", marks=needs_corpus)]


@pytest.mark.parametrize("name", BOOKS)
def test_epubcheck_finds_nothing_in_split_books(books, name):
    assert epubcheck_problems(books[name][3]) == []


@pytest.mark.parametrize("name", BOOKS)
def test_split_chapters_hold_the_whole_body_and_every_link_leads_somewhere(books, name):
    collection, writer, data, _ = books[name]
    files = unzip(data)
    assert_chapters_hold_bodies(sorted(collection.articles, key=lambda a: (a.date, a.id)), files)
    assert broken_links(files) == []
    assert kindle_lint(data) == []
    assert sum(len(parts) > 1 for parts in chapters(files)) >= (1 if name == "huge" else 3)


@pytest.mark.parametrize("name", BOOKS)
def test_parts_are_under_the_limit_except_a_block_too_large_to_split(books, name):
    collection, writer, data, _ = books[name]
    files = unzip(data)
    # every document of the spine: section pages and the contents page are split too
    over = [name for name in spine_of(files) if len(files["EPUB/" + name]) > writer.max_chapter_bytes]
    warned = [d.message.split(" ", 1)[0] for d in writer.diagnostics if "cannot be split" in d.message]
    assert over == warned
    if name == "huge":
        wall = next(a for a in collection.articles if a.title == "一整段")
        assert over == ["a0003.xhtml"] and writer.diagnostics[0].path == wall.source


def test_the_huge_chapter_is_split_with_one_title_and_one_navigation_bar(books):
    _, _, data, _ = books["huge"]
    files = unzip(data)
    parts = chapters(files)[0]
    assert len(parts) >= 4 and parts == ["a0001.xhtml"] + [part_file_name("a0001.xhtml", n)
                                                           for n in range(2, len(parts) + 1)]
    assert spine_of(files)[:len(parts) + 2] == ["cover.xhtml", "contents.xhtml", *parts]
    docs = [etree.fromstring(files["EPUB/" + part]) for part in parts]
    assert [len(doc.findall(".//x:h1", NS)) for doc in docs] == [1] + [0] * (len(docs) - 1)
    assert [len(doc.findall(".//x:nav", NS)) for doc in docs] == [0] * (len(docs) - 1) + [1]
    assert all(doc.find(".//x:title", NS).text == "很长的文章" for doc in docs)
    # the table of contents and the neighbours' navigation point at the first part only
    for toc in ("EPUB/nav.xhtml", "EPUB/toc.ncx", "EPUB/contents.xhtml", "EPUB/a0002.xhtml"):
        text = files[toc].decode()
        assert "a0001.xhtml" in text and "a0001-" not in text.replace("a0001-2.xhtml#middle", ""), toc


def _holder(docs: dict[str, etree._Element], id_: str) -> str:
    (holder,) = [name for name, doc in docs.items() if doc.find(f".//*[@id='{id_}']") is not None]
    return holder


def test_notes_and_links_point_to_the_part_that_holds_their_target(books):
    _, _, data, _ = books["huge"]
    files = unzip(data)
    parts = chapters(files)[0]
    docs = {part: etree.fromstring(files["EPUB/" + part]) for part in parts}
    first = docs[parts[0]]
    noteref = first.find(".//x:a[@epub:type='noteref']", NS)
    note_id = noteref.get("href").split("#")[1]
    assert _holder(docs, note_id) == parts[-1] and noteref.get("href") == f"{parts[-1]}#{note_id}"
    note = docs[parts[-1]].find(f".//x:aside[@id='{note_id}']", NS)
    assert note.get("{%s}type" % NS["epub"]) == "footnote" and "远处的脚注" in text_of(note)
    back = [a.get("href") for a in note.iter("{%s}a" % NS["x"])]
    assert back == [f"a0001.xhtml#{noteref.getparent().get('id') or noteref.get('id')}"]
    middle = _holder(docs, "middle")
    assert middle not in (parts[0], parts[-1])
    assert first.find(".//x:a[.='中间']", NS).get("href") == f"{middle}#middle"
    pointer = etree.fromstring(files["EPUB/a0002.xhtml"])
    assert pointer.find(".//x:div[@class='body']//x:a", NS).get("href") == f"{middle}#middle"


def test_a_list_cut_across_parts_goes_on_counting(books):
    _, _, data, _ = books["huge"]
    files = unzip(data)
    lists = [ol for part in chapters(files)[0] for ol in etree.fromstring(files["EPUB/" + part]).iterfind(
        ".//x:div[@class='body']/x:ol", NS)]
    assert len(lists) >= 2
    counted = 0
    for ol in lists:
        assert int(ol.get("start", "1")) == counted + 1
        counted += len(ol.findall("x:li", NS))
    assert counted == 2500
    tables = [t for part in chapters(files)[0] for t in etree.fromstring(files["EPUB/" + part]).iterfind(
        ".//x:div[@class='body']/x:table", NS)]
    assert len(tables) >= 2 and sum(len(t.findall(".//x:tbody/x:tr", NS)) for t in tables) == 2500
