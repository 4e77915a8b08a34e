"""The Send-to-Kindle lint (``kindle_lint``) and our own accessibility checks.

The lint must find each problem the community Send-to-Kindle fixers repair in a small
hand-made EPUB, and nothing in the books we build. The accessibility checks stand in
for Ace by DAISY (not installable here; EPUBCheck 5.3 dropped them): discovery
metadata, image alternatives, document languages, heading order, reading order = nav order.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree

from convert.errors import WriterError
from convert.writers.epub import EpubWriter, is_language_tag, kindle_lint
from tests.support.epub_checks import NS, chapters, first_part, spine_of, unzip

from .test_epub_writer import CORPUS, SAMPLES, SEED, _read, needs_corpus

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'

OPF = DECLARATION + """<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">urn:uuid:0</dc:identifier>
<dc:title>T</dc:title><dc:language>{lang}</dc:language></metadata>
<manifest><item id="a" href="a.xhtml" media-type="application/xhtml+xml"/>
<item id="b" href="text/b.xhtml" media-type="application/xhtml+xml"/></manifest>
<spine><itemref idref="a"/><itemref idref="b"/></spine></package>"""

NCX = DECLARATION + """<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><navMap>
<navPoint id="p1"><navLabel><text>A</text></navLabel><content src="{src}"/></navPoint></navMap></ncx>"""

A = DECLARATION + """<html xmlns="http://www.w3.org/1999/xhtml" lang="{lang}" xml:lang="{lang}"><head><title>A</title></head>
<body id="{body_id}"><p><a href="{href}">to b</a> <img src="pic.png" alt="a picture"/></p></body></html>"""

B = """<html xmlns="http://www.w3.org/1999/xhtml" lang="en" xml:lang="en"><head><title>B</title></head>
<body id="top"><p id="p">B</p>{img}</body></html>"""


def _book(opf_lang="en", doc_lang="en", body_id="start", href="text/b.xhtml#p", ncx_src="a.xhtml",
          b_declaration=DECLARATION, b_img="") -> bytes:
    """A small EPUB whose files can each be made to break one Kindle rule."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/epub+zip")
        z.writestr("OEBPS/content.opf", OPF.format(lang=opf_lang))
        z.writestr("OEBPS/toc.ncx", NCX.format(src=ncx_src))
        z.writestr("OEBPS/a.xhtml", A.format(lang=doc_lang, body_id=body_id, href=href))
        z.writestr("OEBPS/text/b.xhtml", b_declaration + B.format(img=b_img))
    return out.getvalue()


def test_a_clean_book_has_no_problem():
    assert kindle_lint(_book()) == []


@pytest.mark.parametrize("broken, expected", [
    ({"b_declaration": ""}, 'OEBPS/text/b.xhtml: no XML declaration with encoding="utf-8"'),
    ({"b_declaration": '<?xml version="1.0"?>\n'}, 'OEBPS/text/b.xhtml: no XML declaration with encoding="utf-8"'),
    ({"b_declaration": "<?xml version='1.0' encoding='ascii'?>\n"}, "OEBPS/text/b.xhtml: no XML declaration"),
    ({"href": "text/b.xhtml#top"}, "OEBPS/a.xhtml: link 'text/b.xhtml#top' targets the <body> id of OEBPS/text/b.xhtml"),
    ({"href": "#start"}, "OEBPS/a.xhtml: link '#start' targets the <body> id of OEBPS/a.xhtml"),
    ({"ncx_src": "text/b.xhtml#top"}, "OEBPS/toc.ncx: link 'text/b.xhtml#top' targets the <body> id"),
    ({"opf_lang": "C"}, "OEBPS/content.opf: bad language tag 'C' in dc:language"),
    ({"opf_lang": ""}, "OEBPS/content.opf: bad language tag"),
    ({"doc_lang": "zh_CN"}, "OEBPS/a.xhtml: bad language tag 'zh_CN' on <html>"),
    ({"doc_lang": ""}, "OEBPS/a.xhtml: bad language tag '' on <html>"),
    ({"b_img": '<img alt="no source"/>'}, "OEBPS/text/b.xhtml: <img> without src"),
    ({"b_img": '<img src=" " alt="blank source"/>'}, "OEBPS/text/b.xhtml: <img> without src"),
    ({"b_img": "<p>unclosed"}, "OEBPS/text/b.xhtml: not well-formed XML"),
])
def test_each_kindle_problem_is_found_and_names_its_file(broken, expected):
    problems = kindle_lint(_book(**broken))
    assert len(problems) in (1, 2) and any(p.startswith(expected) for p in problems), problems


def test_links_to_other_ids_and_outside_are_not_problems():
    # Same fragment as a body id, but in another file or on the web: not a link to a body.
    assert kindle_lint(_book(href="text/b.xhtml#start")) == []
    assert kindle_lint(_book(href="https://example.org/b.xhtml#top")) == []


@pytest.mark.parametrize("tag, ok", [
    ("en", True), ("zh-CN", True), ("zh-Hans-CN", True), ("und", True), ("sr-Latn-RS", True),
    ("de-CH-1901", True), ("x-private", True), ("en-US-x-twain", True), ("i-klingon", True), ("zh-min-nan", True),
    ("C", False), ("1en", False), ("zh_CN", False), ("", False), ("en-", False), ("english language", False),
    ("a", False), ("en-US-", False), ("abcdefghi", False),
])
def test_language_tags_are_checked_for_bcp47_form(tag, ok):
    assert is_language_tag(tag) is ok


def test_the_writer_refuses_a_book_kindle_would_reject(tmp_path):
    """A user's chapter template may put an id on <body> and link to it: the book is refused, not written."""
    from convert.resources import Resources

    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "chapter.xhtml").write_text(
        DECLARATION + '<html xmlns="http://www.w3.org/1999/xhtml" lang="{{ lang }}" xml:lang="{{ lang }}">'
        '<head><title>{{ title }}</title></head><body id="top"><h1>{{ title }}</h1>{{ body }}'
        '<p><a href="#top">up</a></p></body></html>', encoding="utf-8")
    with pytest.raises(WriterError, match="Send-to-Kindle.*a0001.xhtml: link '#top' targets the <body> id"):
        EpubWriter(resources=Resources([tmp_path], [])).render(_read([SEED]))


def test_locale_names_as_body_languages_do_not_cost_the_book(tmp_path):
    """Scraped bodies carry locale names (zh_CN, C): the reader makes them tags or drops them,
    so the lint that guards Send-to-Kindle finds nothing to refuse the book for."""
    post = tmp_path / "2022-05-27-lang.md"
    post.write_text('---\ntitle: 语言\n---\n<p lang="zh_CN">中文段落</p>\n<p lang="C">plain</p>\n'
                    '<p lang="en_US.UTF-8">English</p>\n', encoding="utf-8")
    book = EpubWriter().render(_read([post]))
    assert kindle_lint(book) == []
    chapter = unzip(book)["EPUB/a0001.xhtml"].decode("utf-8")
    assert '<p lang="zh-CN">中文段落</p>' in chapter and "<p>plain</p>" in chapter and '<p lang="en-US">' in chapter


@pytest.fixture(scope="module")
def books():
    """name -> files of the EPUB we build (the writer has already run the lint on it)."""
    split_small = EpubWriter()
    split_small.max_chapter_bytes = 1_600  # chapters cut into parts: a0001.xhtml, a0001-2.xhtml...
    built = {"samples": EpubWriter().render(_read([SAMPLES])),
             "samples, split small": split_small.render(_read([SAMPLES]))}
    if CORPUS.is_dir():
        built["finews"] = EpubWriter().render(_read([CORPUS / "finews"], config=CORPUS / "finews-site" / "_config.yml"))
    return built


BOOKS = ["samples", "samples, split small", pytest.param("finews", marks=needs_corpus)]


@pytest.mark.parametrize("name", BOOKS)
def test_kindle_lint_finds_nothing_in_our_books(books, name):
    assert kindle_lint(books[name]) == []


def _documents(files) -> dict[str, etree._Element]:
    return {path: etree.fromstring(content) for path, content in files.items() if path.endswith(".xhtml")}


@pytest.mark.parametrize("name", BOOKS)
def test_accessibility_metadata_is_present(books, name):
    opf = etree.fromstring(unzip(books[name])["EPUB/content.opf"])
    found: dict[str, list[str]] = {}
    for meta in opf.iterfind("opf:metadata/opf:meta[@property]", NS):
        found.setdefault(meta.get("property"), []).append((meta.text or "").strip())
    for prop in ("schema:accessMode", "schema:accessModeSufficient", "schema:accessibilityFeature",
                 "schema:accessibilityHazard", "schema:accessibilitySummary"):
        assert found.get(prop) and all(found[prop]), (prop, found.get(prop))
    assert "textual" in found["schema:accessMode"]
    assert set(found["schema:accessibilityHazard"]) <= {"none", "noFlashingHazard", "noMotionSimulationHazard",
                                                       "noSoundHazard", "flashing", "motionSimulation", "sound"}


@pytest.mark.parametrize("name", BOOKS)
def test_every_image_has_alt_text_or_is_decorative(books, name):
    for path, doc in _documents(unzip(books[name])).items():
        for img in doc.iterfind(".//x:img", NS):
            alt, role = img.get("alt"), img.get("role")
            decorative = role in ("presentation", "none") or alt == ""
            assert (alt or "").strip() or decorative, (path, img.get("src"))


@pytest.mark.parametrize("name", BOOKS)
def test_every_document_declares_lang_and_xml_lang(books, name):
    for path, doc in _documents(unzip(books[name])).items():
        lang, xml_lang = doc.get("lang"), doc.get(XML_LANG)
        assert lang and lang == xml_lang and is_language_tag(lang), (path, lang, xml_lang)


@pytest.mark.parametrize("name", BOOKS)
def test_headings_descend_one_level_at_a_time_from_the_chapter_h1(books, name):
    """Over each chapter, its parts one after the other when it is split (the h1 is in the first)."""
    files = unzip(books[name])
    headings = {f"{{{NS['x']}}}h{n}": n for n in range(1, 7)}
    assert chapters(files)
    for parts in chapters(files):
        levels = [headings[e.tag] for part in parts for e in etree.fromstring(files["EPUB/" + part]).iter(*headings)]
        assert levels[:1] == [1], (parts, levels)
        skips = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
        assert not skips, (parts, levels)


@pytest.mark.parametrize("name", BOOKS)
def test_reading_order_equals_nav_order(books, name):
    files = unzip(books[name])
    nav = etree.fromstring(files["EPUB/nav.xhtml"])
    (toc,) = nav.iterfind(".//x:nav[@epub:type='toc']", NS)
    nav_files = list(dict.fromkeys(a.get("href").split("#")[0] for a in toc.iterfind(".//x:a", NS)))
    ncx = etree.fromstring(files["EPUB/toc.ncx"])
    ncx_files = list(dict.fromkeys(c.get("src").split("#")[0] for c in ncx.iterfind(".//ncx:content", NS)))
    # The cover page opens the book but is not a heading of the table of contents; the table names the
    # first part of a split document, which its other parts follow.
    reading = list(dict.fromkeys(first_part(f) for f in spine_of(files) if f != "cover.xhtml"))
    assert nav_files == ncx_files == reading
    assert ("split" in name) == (len(reading) < len(spine_of(files)) - 1)  # the split book has parts
