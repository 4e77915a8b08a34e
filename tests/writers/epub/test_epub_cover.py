"""EPUB covers: ``--cover IMAGE`` embedded as it is, else one drawn with Pillow.

The generated cover is a real JPEG (e-readers show it in their library), the
same bytes for the same text, drawn in a CJK font so Chinese titles are legible.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from lxml import etree
from PIL import Image, ImageChops

from convert.errors import WriterError
from convert.model import Article, Collection, Site
from convert.options import WriteOptions
from convert.writers import epub as epub_writer
from convert.writers.epub import EpubWriter, generated_cover
from tests.support.epub_checks import NS, epubcheck, epubcheck_problems, package, spine_of, unzip

from .test_epub_writer import SAMPLES, _read


def _cover_item(files):
    opf = package(files)
    (item,) = opf.iterfind("opf:manifest/opf:item[@properties='cover-image']", NS)
    return opf, item


def _check_cover(files) -> bytes:
    """The cover image as the OPF declares it, after checking the page and the EPUB 2 meta point to it."""
    opf, item = _cover_item(files)
    assert opf.find("opf:metadata/opf:meta[@name='cover']", NS).get("content") == item.get("id")
    assert spine_of(files)[0] == "cover.xhtml"
    page = etree.fromstring(files["EPUB/cover.xhtml"])
    (img,) = page.iterfind(".//x:img", NS)
    assert img.get("src") == item.get("href") and img.get("alt")
    assert page.get("lang") == opf.find("opf:metadata/dc:language", NS).text
    return files["EPUB/" + item.get("href")]


def test_generated_cover_is_a_jpeg_in_the_book(tmp_path):
    collection = _read([SAMPLES])
    data = EpubWriter().render(collection)
    files = unzip(data)
    _, item = _cover_item(files)
    assert item.get("media-type") == "image/jpeg"
    picture = Image.open(io.BytesIO(_check_cover(files)))
    assert picture.format == "JPEG" and picture.size == (1600, 2400)
    assert epubcheck_problems(epubcheck(data)) == []


def test_given_png_cover_is_embedded_unchanged(tmp_path):
    png = tmp_path / "front.png"
    Image.new("RGB", (600, 900), (20, 60, 120)).save(png)
    collection = _read([SAMPLES])
    data = EpubWriter(WriteOptions(cover=png)).render(collection)
    files = unzip(data)
    _, item = _cover_item(files)
    assert item.get("media-type") == "image/png" and item.get("href") == "images/cover.png"
    assert _check_cover(files) == png.read_bytes()
    assert not [n for n in files if n.endswith("cover.jpg")]
    assert epubcheck_problems(epubcheck(data)) == []


def test_a_cover_that_is_not_jpeg_or_png_is_refused(tmp_path):
    collection = Collection(Site(), (Article(id="x", title="T", date=dt.datetime(2022, 5, 27, tzinfo=dt.timezone.utc),
                                             body="<p>x</p>"),))
    gif, text = tmp_path / "c.gif", tmp_path / "c.png"
    Image.new("RGB", (4, 4)).save(gif)
    text.write_text("not an image", encoding="utf-8")
    for path, message in ((gif, "JPEG or a PNG"), (text, "not a readable image"), (tmp_path / "none.jpg", "not a")):
        with pytest.raises(WriterError, match=message):
            EpubWriter(WriteOptions(cover=path)).render(collection)


def test_generated_cover_is_reproducible_and_shows_the_text():
    one = generated_cover("样例文集", "2022年5月27日 – 2022年5月30日", "example.org")
    assert one == generated_cover("样例文集", "2022年5月27日 – 2022年5月30日", "example.org")
    # Different Chinese titles of the same length give different pictures: in a font without
    # the glyphs both would be the same row of tofu boxes.
    other = generated_cover("邮政快报", "2022年5月27日 – 2022年5月30日", "example.org")
    assert ImageChops.difference(Image.open(io.BytesIO(one)), Image.open(io.BytesIO(other))).getbbox() is not None
    assert epub_writer._cover_fonts()[0] is not None, "fonts-noto-cjk is installed by setup.sh"


def test_long_titles_wrap_inside_the_page():
    font = epub_writer._cover_fonts()[0]
    from PIL import ImageFont

    face = ImageFont.truetype(font[0], 150, index=font[1])
    title = "A very long English title about Markdown features 以及中文混排的长标题测试" * 2
    lines = epub_writer._wrap(title, face, 1200)
    assert len(lines) > 2 and all(face.getlength(line) <= 1200 for line in lines)
    assert "".join(lines).replace(" ", "") == title.replace(" ", "")


def test_without_a_cjk_font_the_cover_still_comes_with_a_warning(monkeypatch):
    monkeypatch.setattr(epub_writer, "_cover_fonts", lambda: (None, None))
    data = generated_cover("Title", "27 May 2022", "example.org")
    assert Image.open(io.BytesIO(data)).size == (1600, 2400)
    article = Article(id="x", title="T", date=dt.datetime(2022, 5, 27, tzinfo=dt.timezone.utc), body="<p>x</p>")
    writer = EpubWriter()
    cover = _check_cover(unzip(writer.render(Collection(Site(), (article,)))))
    assert Image.open(io.BytesIO(cover)).size == (1600, 2400)
    (warning,) = writer.diagnostics
    assert "no CJK-capable font" in warning.message and "fonts-noto-cjk" in warning.message
