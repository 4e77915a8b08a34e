"""EPUB books checked by EPUBCheck 5 and by parsing what is inside them.

EPUBCheck takes ~5 s per book, so every book is built once and all checks run
in parallel in one module fixture; the other tests read the same books.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lxml import etree

from convert.model import Article, Collection, Site
from convert.reader.collection import ReadOptions, read
from convert.render import format_date, format_month, normalize_lang
from convert.writers.epub import EpubWriter
from tests.support.epub_checks import (NS, assert_chapters_hold_bodies, epubcheck, epubcheck_problems, package, spine_of,
                                       text_of, unzip)

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "samples"
SEED = SAMPLES / "_posts" / "2022-05-27-5971357beab9ad41.md"
CORPUS = Path("/work/shared/corpus")

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")



HOSTILE = """---
title: "敌意<script>alert(1)</script> ]]> 测试"
date: 2022-03-01 10:00:00 +0800
categories: [test]
---
<script>alert("x")</script>
<iframe src="https://evil.example/embed"></iframe>

正文\x01\x0b第一段 ]]> 结束 <![CDATA[ x ]]>

![远程图片](https://evil.example/a.png) ![](http://evil.example/b.gif)

![本地位图](pic.bmp) ![坏图](broken.png) ![不存在](missing.png)

<a href="https://evil.example/x"><img src="https://evil.example/c.png" alt="链接里的图"></a>

[跳到另一篇](https://example.org/2022/04/02/other.html#part) [无效锚点](#nowhere) [相对链接](other.html)

脚注[^1]

[^1]: 注释内容

""" + "<div>" * 300 + "深处的文字" + "</div>" * 300 + "\n"

OTHER = """---
title: Other
date: 2022-04-02 09:00:00 +0800
lang: en
---
<h2 id="part">Part</h2>

Back to [the first](https://example.org/2022/03/01/hostile.html).
"""

EMPTY = """---
title: 空文章
date: 2022-04-03 09:00:00 +0800
---
"""


def _hostile_site(folder: Path) -> Path:
    from PIL import Image

    (folder / "_posts").mkdir(parents=True)
    (folder / "_config.yml").write_text("title: 敌意站点\nurl: https://example.org\nlang: zh-CN\n"
                                        "permalink: /:year/:month/:day/:title.html\n", encoding="utf-8")
    (folder / "_posts" / "2022-03-01-hostile.md").write_text(HOSTILE, encoding="utf-8")
    (folder / "_posts" / "2022-04-02-other.md").write_text(OTHER, encoding="utf-8")
    (folder / "_posts" / "2022-04-03-empty.md").write_text(EMPTY, encoding="utf-8")
    Image.new("RGB", (4, 3), (200, 10, 10)).save(folder / "_posts" / "pic.bmp")
    (folder / "_posts" / "broken.png").write_bytes(b"not a png at all")
    return folder


def _read(paths, **kwargs) -> Collection:
    report = read([str(p) for p in paths], ReadOptions(**kwargs))
    assert report.collection.articles, report.failures
    return report.collection


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """name -> (collection, epub bytes, EPUBCheck report), the checks run in parallel."""
    collections = {"seed": _read([SEED]), "samples": _read([SAMPLES])}
    if CORPUS.is_dir():
        collections["finews"] = _read([CORPUS / "finews"], config=CORPUS / "finews-site" / "_config.yml")
        collections["diverse"] = _read([CORPUS / "diverse"])
    built = {name: EpubWriter().render(c) for name, c in collections.items()}
    collections["hostile"] = _read([_hostile_site(tmp_path_factory.mktemp("hostile"))])
    writer = EpubWriter()
    built["hostile"] = writer.render(collections["hostile"])
    # said, not silently lost: the post's broken and missing images, in the order the book meets them
    source = collections["hostile"].articles[0].source
    assert [(d.path, d.message) for d in writer.diagnostics] == [
        (source, "image broken.png dropped: not an image format Pillow knows (nor SVG); its alt text stands in"),
        (source, "image https://example.org/2022/03/01/missing.png not found in the source tree; "
                 "its alt text stands in"),
    ]
    with ThreadPoolExecutor(len(built)) as pool:
        reports = dict(zip(built, pool.map(epubcheck, built.values())))
    return {name: (collections[name], built[name], reports[name]) for name in built}


BOOKS = ["seed", "samples", "hostile", pytest.param("finews", marks=needs_corpus),
         pytest.param("diverse", marks=needs_corpus)]


@pytest.mark.parametrize("name", BOOKS)
def test_epubcheck_finds_nothing(books, name):
    _, _, report = books[name]
    assert epubcheck_problems(report) == []


@pytest.mark.parametrize("name", BOOKS)
def test_every_chapter_holds_its_whole_body(books, name):
    collection, data, _ = books[name]
    assert_chapters_hold_bodies(sorted(collection.articles, key=lambda a: (a.date, a.id)), unzip(data))


@pytest.mark.parametrize("name", BOOKS)
def test_every_document_has_a_language_and_every_image_alt(books, name):
    _, data, _ = books[name]
    for path, content in unzip(data).items():
        if not path.endswith(".xhtml"):
            continue
        doc = etree.fromstring(content)
        lang, xml_lang = doc.get("lang"), doc.get("{http://www.w3.org/XML/1998/namespace}lang")
        assert lang and lang == xml_lang and lang not in ("C", "POSIX"), path
        for img in doc.iterfind(".//x:img", NS):
            assert img.get("alt") is not None, (path, img.get("src"))
            assert not img.get("src", "").startswith(("http:", "https:", "//")), path


def test_two_builds_are_byte_identical(books):
    collection, data, _ = books["samples"]
    again = EpubWriter().render(collection.with_articles(reversed(collection.articles)))
    assert again == data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        first = z.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert z.read("mimetype") == b"application/epub+zip"
        assert len({i.date_time for i in z.infolist()}) == 1


def test_metadata_of_the_anthology(books):
    collection, data, _ = books["samples"]
    opf = package(unzip(data))
    meta = opf.find("opf:metadata", NS)
    value = lambda tag: [e.text for e in meta.iterfind(tag, NS)]  # noqa: E731
    assert value("dc:title") == ["样例文集 convert samples (2022年5月27日 – 2022年5月30日)"]
    assert value("dc:language") == ["zh-CN"]
    assert value("dc:creator") == ["convert 示例"]
    assert value("dc:publisher") == ["样例文集 convert samples"]
    assert value("dc:source") == ["https://example.org/archive"]
    (identifier,) = value("dc:identifier")
    assert identifier.startswith("urn:uuid:") and opf.get("unique-identifier") == "id"
    assert {"guide", "markdown", "emnews"} <= set(value("dc:subject"))
    newest = max(a.date for a in collection.articles).astimezone(dt.timezone.utc)
    assert value("dc:date") == [newest.strftime("%Y-%m-%dT%H:%M:%SZ")]
    props = {}
    for m in meta.iterfind("opf:meta[@property]", NS):
        props.setdefault(m.get("property"), []).append(m.text)
    newest_change = max(a.modified for a in collection.articles).astimezone(dt.timezone.utc)
    assert props["dcterms:modified"] == [newest_change.strftime("%Y-%m-%dT%H:%M:%SZ")]
    assert props["schema:accessMode"] == ["textual", "visual"]  # samples have a chart
    assert props["schema:accessModeSufficient"] == ["textual"]
    assert "alternativeText" in props["schema:accessibilityFeature"]
    assert props["schema:accessibilityHazard"] == ["none"]
    assert props["schema:accessibilitySummary"][0]


def test_identifier_is_derived_from_the_articles(books):
    collection, data, _ = books["samples"]
    one = EpubWriter().render(collection.with_articles(collection.articles[:1]))
    ident = lambda d: package(unzip(d)).find("opf:metadata/dc:identifier", NS).text  # noqa: E731
    assert ident(one) != ident(data)
    assert ident(EpubWriter().render(collection.with_articles(collection.articles[:1]))) == ident(one)


@needs_corpus
def test_one_month_is_not_grouped(books):
    collection, data, _ = books["finews"]  # December 2021 only
    files = unzip(data)
    nav = etree.fromstring(files["EPUB/nav.xhtml"])
    assert nav.find(".//x:nav/x:ol/x:li/x:ol", NS) is None
    assert spine_of(files) == ["cover.xhtml", "contents.xhtml"] + [f"a{i:04d}.xhtml" for i in range(1, len(collection.articles) + 1)]


@needs_corpus
def test_months_are_sections_in_nav_and_ncx(books):
    collection, data, _ = books["diverse"]  # 2008 to 2024
    files = unzip(data)
    articles = sorted(collection.articles, key=lambda a: (a.date, a.id))
    lang = package(files).find("opf:metadata/dc:language", NS).text
    months = [format_month(y, m, lang) for y, m in dict.fromkeys((a.date.year, a.date.month) for a in articles)]
    assert len(months) > 1
    nav = etree.fromstring(files["EPUB/nav.xhtml"])
    top = nav.find(".//x:nav/x:ol", NS)
    sections = [li for li in top.iterfind("x:li", NS) if li.find("x:ol", NS) is not None]
    assert [text_of(li.find("x:a", NS)) for li in sections] == months
    titles = [text_of(a) for li in sections for a in li.iterfind("x:ol/x:li/x:a", NS)]
    assert titles == [" ".join((a.title.strip() or format_date(a.date, a.lang or lang)).split()) for a in articles]
    ncx = etree.fromstring(files["EPUB/toc.ncx"])
    points = ncx.iterfind("ncx:navMap/ncx:navPoint", NS)
    grouped = [p for p in points if p.find("ncx:navPoint", NS) is not None]
    assert [p.find("ncx:navLabel/ncx:text", NS).text for p in grouped] == months
    ncx_titles = [" ".join(p.find("ncx:navLabel/ncx:text", NS).text.split())
                  for g in grouped for p in g.iterfind("ncx:navPoint", NS)]
    assert ncx_titles == titles
    # reading order: cover, contents, then each month's page followed by its articles, as the nav lists them
    spine = spine_of(files)
    assert spine[:2] == ["cover.xhtml", "contents.xhtml"]
    nav_order = [a.get("href") for a in top.iter("{%s}a" % NS["x"])][1:]
    assert spine[2:] == nav_order


def test_one_article_is_a_book_of_one_chapter(books):
    collection, data, _ = books["seed"]
    files = unzip(data)
    assert spine_of(files) == ["cover.xhtml", "a0001.xhtml"]
    (article,) = collection.articles
    assert package(files).find("opf:metadata/dc:title", NS).text == article.title
    chapter = files["EPUB/a0001.xhtml"].decode()
    assert "2022年5月27日" in chapter and f'lang="{article.lang}"' in chapter and article.lang.startswith("zh")


def test_hostile_book_keeps_nothing_active_and_links_inside(books):
    collection, data, _ = books["hostile"]
    files = unzip(data)
    names = set(files)
    assert all(n.isascii() for n in names)
    text = b"".join(v for k, v in files.items() if k.endswith(".xhtml")).decode()
    assert "<script" not in text and "<iframe" not in text
    first = etree.fromstring(files["EPUB/a0001.xhtml"])
    hrefs = [a.get("href") for a in first.iter("{%s}a" % NS["x"])]
    assert "a0002.xhtml#part" in hrefs  # the other article of the book, inside the book
    assert "other.html" not in hrefs and "#nowhere" not in hrefs
    assert "https://evil.example/a.png" in hrefs  # the remote image as a link, never loaded
    noteref = first.find(".//x:a[@epub:type='noteref']", NS)
    assert noteref is not None and first.find(".//x:aside[@epub:type='footnote']", NS) is not None
    # the BMP was converted to PNG; the broken image was dropped and its alt text stands in
    assert sorted(n for n in names if n.startswith("EPUB/images/")) == ["EPUB/images/cover.jpg", "EPUB/images/i0001.png"]
    assert "坏图" in text_of(first) and "不存在" in text_of(first)
    other = etree.fromstring(files["EPUB/a0002.xhtml"])
    assert other.get("lang") == "en" and "27 May" not in text_of(other)
    assert "2 April 2022" in text_of(other)
    body_links = [a.get("href") for a in other.iterfind(".//x:div[@class='body']//x:a", NS)]
    assert body_links == ["a0001.xhtml"]  # the permalink of the first article, now its chapter
    assert [a.get("href") for a in other.iterfind(".//x:nav//x:a", NS)] == ["a0001.xhtml", "s002.xhtml", "contents.xhtml",
                                                                          "a0003.xhtml"]


@pytest.mark.parametrize("given, expected", [
    ("zh-CN", "zh-CN"), ("zh_CN", "zh-CN"), ("C", "und"), ("", "und"), (None, "und"), ("POSIX", "und"),
    ("en_US.UTF-8", "en-US"), ("中文", "und")])
def test_language_is_never_empty_or_c(given, expected):
    assert normalize_lang(given) == expected


def test_empty_language_becomes_und_in_the_book():
    article = Article(id="x", title="T", date=dt.datetime(2022, 5, 27, tzinfo=dt.timezone.utc), body="")
    files = unzip(EpubWriter().render(Collection(Site(), (article,))))
    assert package(files).find("opf:metadata/dc:language", NS).text == "und"
    assert etree.fromstring(files["EPUB/a0001.xhtml"]).get("lang") == "und"


def test_dates_follow_the_reader_language():
    date = dt.datetime(2022, 5, 27, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert format_date(date, "zh-CN") == "2022年5月27日"
    assert format_date(date, "en") == "27 May 2022"
    assert format_date(date, "ko") == "2022년 5월 27일"


def test_css_and_template_overrides_reach_the_book(tmp_path, books):
    from convert.resources import Resources

    collection, _, _ = books["seed"]
    (tmp_path / "extra.css").write_text("p { color: #123456; }\n", encoding="utf-8")
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "epub.css").write_text("/* my e-reader sheet */\n", encoding="utf-8")
    writer = EpubWriter(resources=Resources([tmp_path], [tmp_path / "extra.css"]))
    css = unzip(writer.render(collection))["EPUB/style/book.css"].decode()
    assert "my e-reader sheet" in css and "#123456" in css and "text-indent: 2em" not in css
    assert "line-height" in css  # the built-in base.css still applies
