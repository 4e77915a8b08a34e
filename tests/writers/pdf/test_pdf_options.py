"""PDF options: variants (PDF/A, PDF/UA) and reproducibility, paper, gutter, --start-on, --each, volumes."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from convert.options import WriteOptions
from convert.reader.collection import read
from convert.writers.pdf import PdfWriter
from tests.support.pdf_checks import outline, pages, qpdf_check

pikepdf = pytest.importorskip("pikepdf")
ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "samples"
MM = 72 / 25.4


@pytest.fixture(scope="module")
def samples():
    return read([SAMPLES]).collection


def pdf_of(collection, **options) -> bytes:
    return PdfWriter(WriteOptions(**options)).render(collection)


@pytest.mark.parametrize("variant, in_parts", [(None, False), ("pdf/a-3b", False), ("pdf/a-2b", False),
                                               ("pdf/ua-1", False), (None, True), ("pdf/a-3b", True),
                                               ("pdf/a-2b", True)])
def test_every_variant_is_reproducible_and_valid(samples, variant, in_parts, tmp_path, monkeypatch):
    if in_parts:  # laid out in parallel parts and assembled, however small the volume is
        monkeypatch.setattr(PdfWriter, "parts_threshold", 0)
    first, second = pdf_of(samples, pdf_variant=variant), pdf_of(samples, pdf_variant=variant)
    assert first == second, f"{variant}: two builds differ"
    path = tmp_path / "v.pdf"
    path.write_bytes(first)
    assert qpdf_check(path).returncode == 0
    with pikepdf.open(path) as pdf:
        # In parts, the running heads and folios are laid over the pages (convert.writers.pdf._lay_over).
        assert any("/Furniture" in page.Resources.get("/XObject", {}) for page in pdf.pages) == in_parts
        meta = pdf.open_metadata()
        if variant and variant.startswith("pdf/a-"):
            part, conformance = variant[6], variant[7].upper()
            assert meta.get("pdfaid:part") == part and meta.get("pdfaid:conformance") == conformance
            intents = pdf.Root.OutputIntents
            assert len(intents) == 1 and intents[0].S == "/GTS_PDFA1" and "/DestOutputProfile" in intents[0]
            assert str(pdf.Root.Lang) == "zh-CN"
        if variant == "pdf/ua-1":
            assert meta.get("pdfuaid:part") == "1"
            assert pdf.Root.MarkInfo.Marked is True and "/StructTreeRoot" in pdf.Root
            assert "/DisplayDocTitle" in pdf.Root.get("/ViewerPreferences", {})


def test_source_date_epoch_sets_the_dates(samples, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    with pikepdf.open(io.BytesIO(pdf_of(samples))) as pdf:
        assert str(pdf.docinfo.CreationDate).startswith("D:20231114221320")
        assert str(pdf.docinfo.ModDate).startswith("D:20231114221320")


@pytest.mark.parametrize("paper, size", [("A4", (595.3, 841.9)), ("A5", (419.5, 595.3)),
                                         ("B5", (498.9, 708.7)), ("Letter", (612.0, 792.0))])
def test_paper_sizes(samples, paper, size, tmp_path):
    path = tmp_path / "p.pdf"
    path.write_bytes(pdf_of(samples, paper=paper))
    first = pages(path)[0]
    assert abs(first.width - size[0]) < 0.5 and abs(first.height - size[1]) < 0.5


def test_gutter_widens_the_inner_margin(samples, tmp_path):
    path = tmp_path / "g.pdf"
    path.write_bytes(pdf_of(samples, gutter="20mm"))
    right_pages = [p for p in pages(path)[2:] if p.number % 2 and p.body(45, 51)]
    assert abs(min(w.x0 for p in right_pages for w in p.body(45, 51)) - 33 * MM) < 1.5


def test_start_on_right_puts_every_article_on_an_odd_page(samples, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf_of(samples, start_on="right"))
    starts = [page for _, _, page in outline(path)]
    assert len(starts) == len(samples.articles) and all(page % 2 == 1 for page in starts)


def test_each_and_split_by_on_the_command_line(tmp_path):
    def convert(*args):
        return subprocess.run([sys.executable, "-m", "convert", "-q", *args], capture_output=True, text=True,
                              cwd=ROOT)

    each = tmp_path / "each"
    result = convert("--to", "pdf", "--each", "-o", str(each), str(SAMPLES))
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in each.iterdir())
    assert "2022-05-27-5971357beab9ad41.pdf" in names and len(names) == 4
    single = each / "2022-05-27-5971357beab9ad41.pdf"
    assert outline(single) == [(1, "“党建+”模式打造工作新亮点", 1)]  # no title page, no contents
    volumes = tmp_path / "volumes"
    result = convert("--to", "pdf", "--split-by", "category", "-o", str(volumes), str(SAMPLES))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in volumes.iterdir()) == ["emnews.pdf", "guide.pdf", "zhongguoyouzhengkuaidibao.pdf"]
    result = convert("--to", "pdf", "--paper", "A3", "-o", str(tmp_path / "x.pdf"), str(SAMPLES))
    assert result.returncode == 2 and "--paper" in result.stderr
    result = convert("--to", "pdf", "--gutter", "wide", "-o", str(tmp_path / "x.pdf"), str(SAMPLES))
    assert result.returncode == 2 and "--gutter" in result.stderr
