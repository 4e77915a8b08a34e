"""convert.pdf_fonts: one subsetting pass, no vertical metrics, and pages that look exactly the same.

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

from convert import pdf_fonts

HTML = ("<html lang='zh-CN'><body style='font-family: \"Noto Serif CJK SC\"'>"
        "<h1 style='font-family: \"Noto Sans CJK SC\"'>“党建+”模式打造工作新亮点</h1>"
        "<p>今年以来，内蒙古自治区赤峰市邮政分公司党委全面推进“党建+”模式，<b>不断发挥</b>基层党组织"
        "战斗堡垒作用。Latin text, 2022, <i>italic</i>; ½ — ‘quotes’.</p>"
        "<pre style='font-family: monospace'>code = 1</pre></body></html>")


def _pdf(installed: bool) -> bytes:
    from weasyprint import HTML as Document

    pdf_fonts.uninstall()
    try:
        if installed:
            assert pdf_fonts.install(), pdf_fonts.unavailable_reason()
        return Document(string=HTML).write_pdf(pdf_identifier=b"fixed", uncompressed_pdf=False)
    finally:
        pdf_fonts.uninstall()


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


def test_install_is_refused_for_a_weasyprint_it_does_not_know(monkeypatch):
    from weasyprint.pdf import fonts

    pdf_fonts.uninstall()
    monkeypatch.setattr(fonts.Font, "_harfbuzz_subset", lambda self, to_unicode: None)
    assert not pdf_fonts.install()
    assert "not the expected method" in pdf_fonts.unavailable_reason()
    assert not pdf_fonts.installed()


@pytest.fixture(autouse=True)
def _restore():
    yield
    pdf_fonts.uninstall()
