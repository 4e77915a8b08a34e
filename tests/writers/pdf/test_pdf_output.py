"""convert.pdf_output: one subsetting pass, no vertical metrics, and pages that look exactly the same.

The oracle is the rendering itself: pdftoppm draws each page of the PDF made
with WeasyPrint's own two-pass subsetting and of the one made with ours, and the
pictures must be identical pixel for pixel; pdffonts must still list every font
as embedded and subsetted, and fontTools reads the embedded programs back.
"""

import io
import subprocess

import pikepdf
import pytest
from fontTools.ttLib import TTFont

from convert import pdf_output

HTML = ("<html lang='zh-CN'><body style='font-family: \"Noto Serif CJK SC\"'>"
        "<h1 style='font-family: \"Noto Sans CJK SC\"'>“党建+”模式打造工作新亮点</h1>"
        "<p>今年以来，内蒙古自治区赤峰市邮政分公司党委全面推进“党建+”模式，<b>不断发挥</b>基层党组织"
        "战斗堡垒作用。Latin text, 2022, <i>italic</i>; ½ — ‘quotes’.</p>"
        "<pre style='font-family: monospace'>code = 1</pre></body></html>")


def _pdf(installed: bool, html: str = HTML, **options) -> bytes:
    from weasyprint import HTML as Document

    pdf_output.uninstall()
    try:
        if installed:
            assert pdf_output.install(), pdf_output.unavailable_reason()
        return Document(string=html).write_pdf(pdf_identifier=b"fixed", **options)
    finally:
        pdf_output.uninstall()


def _pages(pdf: bytes, tmp_path, name: str) -> list[bytes]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(path), str(tmp_path / name)], check=True)
    return [p.read_bytes() for p in sorted(tmp_path.glob(f"{name}-*.png"))]


def _font_programs(pdf: bytes) -> list[TTFont]:
    document = pikepdf.open(io.BytesIO(pdf))
    return [TTFont(io.BytesIO(o.read_bytes())) for o in document.objects
            if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/OpenType"]


def _font_bytes(pdf: bytes) -> int:
    document = pikepdf.open(io.BytesIO(pdf))
    return sum(len(o.read_bytes()) for o in document.objects
               if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/OpenType")


def test_pages_are_pixel_identical_and_fonts_smaller_without_vertical_metrics(tmp_path):
    theirs, ours = _pdf(installed=False), _pdf(installed=True)
    assert _pages(ours, tmp_path, "ours") == _pages(theirs, tmp_path, "theirs")
    # vmtx was a third of each CJK subset: a third less to deflate (it compresses well, so
    # the file shrinks less)
    assert _font_bytes(ours) < _font_bytes(theirs) * 0.8 and len(ours) <= len(theirs)
    programs = _font_programs(ours)
    assert len(programs) >= 3  # serif, serif bold, sans
    for font in programs:
        assert not {"vmtx", "vhea", "VORG", "GSUB", "GPOS"} & set(font.keys())
        assert {"CFF ", "hmtx", "cmap"} <= set(font.keys())
    assert any("vmtx" in font for font in _font_programs(theirs))  # what the saving is
    path = tmp_path / "ours.pdf"
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all(row[-5:-3] == ["yes", "yes"] for row in rows)  # embedded, subsetted
    assert any("Noto-Serif-CJK-SC" in row[0] for row in rows)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert "赤峰市邮政分公司" in text and "\ufffd" not in text


def _contents(document, fonts: bool = True) -> list[bytes]:
    """Every stream's decoded bytes, but the cross-reference and object streams (they hold
    byte offsets and lengths, which change with the compression), and font programs unless ``fonts``."""
    return sorted(o.read_bytes() for o in document.objects
                  if isinstance(o, pikepdf.Stream) and o.get("/Type") not in ("/XRef", "/ObjStm")
                  and (fonts or (o.get("/Length1") is None and o.get("/Subtype") != "/OpenType")))


def test_a_whole_font_is_still_read_when_it_is_embedded_whole(tmp_path):
    # full_fonts: no subsetting, so the lazily read font file must be the whole font
    html = "<p style='font-family: DejaVu Sans'>Latin only, a small font</p>"
    theirs, ours = _pdf(False, html, full_fonts=True), _pdf(True, html, full_fonts=True)
    assert _pages(ours, tmp_path, "ours") == _pages(theirs, tmp_path, "theirs")
    documents = [pikepdf.open(io.BytesIO(pdf)) for pdf in (theirs, ours)]
    decoded = [_contents(d) for d in documents]
    assert decoded[0] == decoded[1] and max(map(len, decoded[1])) > 300_000  # DejaVu Sans, whole


def test_streams_are_deflated_at_level_6_and_read_back_the_same():
    import zlib

    theirs, ours = _pdf(False), _pdf(True)
    streams = [pikepdf.open(io.BytesIO(pdf)) for pdf in (theirs, ours)]
    decoded = [_contents(d) for d in streams]
    raw = [o.read_raw_bytes() for o in streams[1].objects if isinstance(o, pikepdf.Stream)
           and o.get("/Filter") == "/FlateDecode"]
    assert raw and all(zlib.compress(zlib.decompress(r), 6) == r for r in raw)
    # the font programs differ (one pass, no vmtx), everything else decodes to the same bytes
    plain = [_contents(d, fonts=False) for d in streams]
    assert plain[0] == plain[1] and len(plain[1]) < len(decoded[1])


def test_each_stream_is_deflated_once_though_pydyf_hashes_them_all_for_the_identifier(monkeypatch):
    import pydyf

    assert pdf_output.install(), pdf_output.unavailable_reason()
    deflated = []
    real = pydyf.zlib

    class Counting:
        def __getattr__(self, name):
            return getattr(real, name)

        def compressobj(self, level=9):
            deflated.append(level)
            return real.compressobj(level=level)

    monkeypatch.setattr(pydyf, "zlib", Counting())
    from weasyprint import HTML as Document

    pdf = Document(string=HTML).write_pdf(pdf_identifier=True)
    document = pikepdf.open(io.BytesIO(pdf))
    streams = [o for o in document.objects if isinstance(o, pikepdf.Stream)]
    assert len(deflated) == len(streams) and b"/ID" in pdf  # each went through once
    assert Document(string=HTML).write_pdf(pdf_identifier=True) == pdf  # and the same bytes each time


def test_install_is_refused_for_a_weasyprint_it_does_not_know(monkeypatch):
    from weasyprint.pdf import fonts

    pdf_output.uninstall()
    monkeypatch.setattr(fonts.Font, "_harfbuzz_subset", lambda self, to_unicode: None)
    assert not pdf_output.install()
    assert "not the expected method" in pdf_output.unavailable_reason()
    assert not pdf_output.installed()


@pytest.fixture(autouse=True)
def _restore():
    yield
    pdf_output.uninstall()
