"""EPUB options: --group-by, --sort, --series/--series-index, --epub-writing-mode.

Books built with the options are checked by EPUBCheck (in parallel, once per
module) and by parsing their OPF, nav and NCX.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from lxml import etree

from convert.cli import build_parser, job_from_args
from convert.errors import UsageError, WriterError
from convert.model import Article, Collection, Site
from convert.options import WriteOptions
from convert.registry import Registry
from convert.writers.epub import EpubWriter
from tests.support.epub_checks import NS, epubcheck, epubcheck_problems, package, spine_of, text_of, unzip

from .test_epub_writer import SAMPLES, _hostile_site, _read


def _nav_sections(files) -> list[tuple[str, list[str]]]:
    """(section title, its chapter titles) from nav.xhtml; a chapter outside any section has section ''."""
    top = etree.fromstring(files["EPUB/nav.xhtml"]).find(".//x:nav/x:ol", NS)
    out = []
    for li in top.iterfind("x:li", NS):
        inner = li.find("x:ol", NS)
        if inner is None:
            out.append(("", [text_of(li.find("x:a", NS))]))
        else:
            out.append((text_of(li.find("x:a", NS)), [text_of(a) for a in inner.iterfind("x:li/x:a", NS)]))
    return out


def _ncx_sections(files) -> list[tuple[str, list[str]]]:
    ncx = etree.fromstring(files["EPUB/toc.ncx"])
    out = []
    for point in ncx.iterfind("ncx:navMap/ncx:navPoint", NS):
        children = point.findall("ncx:navPoint", NS)
        label = " ".join(point.find("ncx:navLabel/ncx:text", NS).text.split())
        if children:
            out.append((label, [" ".join(c.find("ncx:navLabel/ncx:text", NS).text.split()) for c in children]))
        else:
            out.append(("", [label]))
    return out


@pytest.fixture(scope="module")
def arranged(tmp_path_factory):
    """name -> (collection, epub bytes, EPUBCheck report) for books built with the options."""
    samples = _read([SAMPLES])
    hostile = _read([_hostile_site(tmp_path_factory.mktemp("hostile"))])
    built = {
        "category-title-series-vertical": (samples, EpubWriter(WriteOptions(
            group_by="category", sort="title", series="样例周刊", series_index=3, writing_mode="vertical-rl"
        )).render(samples)),
        "tag": (samples, EpubWriter(WriteOptions(group_by="tag", series="Digest")).render(samples)),
    }
    writer = EpubWriter(WriteOptions(group_by="category"))
    built["hostile-category"] = (hostile, writer.render(hostile))
    assert writer.diagnostics  # the hostile post's broken and missing images
    with ThreadPoolExecutor(len(built)) as pool:
        reports = dict(zip(built, pool.map(epubcheck, [data for _, data in built.values()])))
    return {name: (*built[name], reports[name]) for name in built}


@pytest.mark.parametrize("name", ["category-title-series-vertical", "tag", "hostile-category"])
def test_epubcheck_finds_nothing_in_arranged_books(arranged, name):
    _, _, report = arranged[name]
    assert epubcheck_problems(report) == []


def test_sections_follow_the_first_category_and_titles_sort(arranged):
    collection, data, _ = arranged["category-title-series-vertical"]
    files = unzip(data)
    expected = [("guide", ["A post with TOML front matter", "Markdown 功能一览：表格、代码与脚注"]),
                ("zhongguoyouzhengkuaidibao", ["“党建+”模式打造工作新亮点"]),
                ("emnews", ["一篇 HTML 正文的文章"])]
    assert _nav_sections(files) == [("", ["目录"])] + expected
    assert _ncx_sections(files) == [("", ["目录"])] + expected
    # section pages list the same chapters, and the spine reads them in nav order
    spine = spine_of(files)
    top = etree.fromstring(files["EPUB/nav.xhtml"]).find(".//x:nav/x:ol", NS)
    assert spine == ["cover.xhtml"] + [a.get("href") for a in top.iter("{%s}a" % NS["x"])]
    for title, chapters in expected:
        href = top.xpath("x:li[x:a = $t]/x:a/@href", namespaces=NS, t=title)[0]
        page = etree.fromstring(files["EPUB/" + href])
        assert text_of(page.find(".//x:h1", NS)) == title
        assert [text_of(p.find("x:a", NS)) for p in page.iterfind(".//x:p[@class='entry-title']", NS)] == chapters
    assert sorted(c for _, cs in expected for c in cs) == sorted(a.title for a in collection.articles)


def test_tag_sections_and_their_order(arranged):
    _, data, _ = arranged["tag"]
    sections = _nav_sections(unzip(data))[1:]
    # by date, first tag of each article: the oldest article's tag opens the book
    assert [s for s, _ in sections] == ["中国邮政快递报新闻", "示例", "东财滚动新闻", "hugo"]


def test_articles_without_a_category_come_last(arranged):
    _, data, _ = arranged["hostile-category"]
    assert [s for s, _ in _nav_sections(unzip(data))[1:]] == ["test", "未分类"]


def test_series_metadata_for_calibre_and_epub3(arranged):
    meta = package(unzip(arranged["category-title-series-vertical"][1])).find("opf:metadata", NS)
    named = {m.get("name"): m.get("content") for m in meta.iterfind("opf:meta[@name]", NS)}
    assert named["calibre:series"] == "样例周刊" and named["calibre:series_index"] == "3"
    (collection,) = meta.iterfind("opf:meta[@property='belongs-to-collection']", NS)
    assert collection.text == "样例周刊"
    refines = {m.get("property"): m.text for m in meta.iterfind(f"opf:meta[@refines='#{collection.get('id')}']", NS)}
    assert refines == {"collection-type": "series", "group-position": "3"}
    # without --series-index: the series, but no position
    meta = package(unzip(arranged["tag"][1])).find("opf:metadata", NS)
    assert {m.get("name") for m in meta.iterfind("opf:meta[@name]", NS)} >= {"calibre:series"}
    assert meta.find("opf:meta[@name='calibre:series_index']", NS) is None
    assert meta.find("opf:meta[@property='group-position']", NS) is None


def test_vertical_writing_for_chinese_books(arranged):
    files = unzip(arranged["category-title-series-vertical"][1])
    assert package(files).find("opf:spine", NS).get("page-progression-direction") == "rtl"
    css = files["EPUB/style/book.css"].decode()
    assert "html:lang(zh), html:lang(ja) { -epub-writing-mode: vertical-rl; writing-mode: vertical-rl; }" in css
    # horizontal is the default
    horizontal = unzip(arranged["tag"][1])
    assert package(horizontal).find("opf:spine", NS).get("page-progression-direction") is None
    assert "vertical-rl" not in horizontal["EPUB/style/book.css"].decode()


def _article(n: int, title: str, date: dt.datetime, lang: str = "en", **kw) -> Article:
    return Article(id=f"x{n}", title=title, date=date, body=f"<p>{title}</p>", lang=lang, **kw)


def _day(y, m, d):
    return dt.datetime(y, m, d, 12, tzinfo=dt.timezone.utc)


def test_vertical_mode_leaves_a_latin_book_horizontal_and_says_so():
    book = Collection(Site(lang="en"), (_article(1, "One", _day(2022, 1, 1)),))
    writer = EpubWriter(WriteOptions(writing_mode="vertical-rl"))
    files = unzip(writer.render(book))
    (warning,) = writer.diagnostics
    assert "vertical-rl" in warning.message and "'en'" in warning.message and warning.path is None
    assert package(files).find("opf:spine", NS).get("page-progression-direction") is None


def test_month_grouping_none_and_the_default():
    articles = (_article(1, "b", _day(2022, 2, 1)), _article(2, "a", _day(2022, 1, 5)),
                _article(3, "c", _day(2022, 1, 9)))
    book = Collection(Site(lang="en"), articles)
    default = _nav_sections(unzip(EpubWriter().render(book)))[1:]
    assert default == [("January 2022", ["a", "c"]), ("February 2022", ["b"])]
    assert _nav_sections(unzip(EpubWriter(WriteOptions(group_by="month")).render(book)))[1:] == default
    flat = unzip(EpubWriter(WriteOptions(group_by="none", sort="title")).render(book))
    assert _nav_sections(flat)[1:] == [("", ["a"]), ("", ["b"]), ("", ["c"])]
    assert not [f for f in flat if f.startswith("EPUB/s0")]
    # one month: no sections by default, one when asked
    january = Collection(Site(lang="en"), articles[1:])
    assert _nav_sections(unzip(EpubWriter().render(january)))[1:] == [("", ["a"]), ("", ["c"])]
    assert _nav_sections(unzip(EpubWriter(WriteOptions(group_by="month")).render(january)))[1:] == [
        ("January 2022", ["a", "c"])]


def test_unknown_grouping_or_sort_is_refused():
    book = Collection(Site(), (_article(1, "a", _day(2022, 1, 1)), _article(2, "b", _day(2022, 1, 2))))
    with pytest.raises(WriterError, match="group"):
        EpubWriter(WriteOptions(group_by="author")).render(book)
    with pytest.raises(WriterError, match="sort"):
        EpubWriter(WriteOptions(sort="size")).render(book)


def test_command_line_reaches_the_options():
    args = build_parser().parse_args(["--to", "epub", "--group-by", "tag", "--sort", "title", "--series", "S",
                                      "--series-index", "2.5", "--epub-writing-mode", "vertical-rl", "x"])
    options = job_from_args(args, Registry()).write_options
    assert (options.group_by, options.sort, options.series, options.series_index, options.writing_mode) == (
        "tag", "title", "S", 2.5, "vertical-rl")
    defaults = job_from_args(build_parser().parse_args(["--to", "epub", "x"]), Registry()).write_options
    assert (defaults.group_by, defaults.sort, defaults.writing_mode) == (None, "date", "horizontal-tb")
    with pytest.raises(UsageError, match="--series"):
        job_from_args(build_parser().parse_args(["--to", "epub", "--series-index", "2", "x"]), Registry())
    with pytest.raises(UsageError, match="series-index"):
        job_from_args(build_parser().parse_args(["--to", "epub", "--series", "S", "--series-index", "nan", "x"]),
                      Registry())
