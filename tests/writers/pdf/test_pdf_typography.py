"""Typography the issue names: hyphenation by script, tables across pages, long URLs, images in the text block."""

from __future__ import annotations

import datetime as dt

from convert.model import Article, Asset, Collection, Site
from convert.options import WriteOptions
from convert.writers.pdf import PdfWriter
from tests.support.pdf_checks import pages

TZ = dt.timezone(dt.timedelta(hours=8))
MM = 72 / 25.4
ENGLISH = ("<p>" + " ".join(["Internationalization considerations notwithstanding, extraordinarily "
                             "comprehensive documentation accompanies institutionalized characteristics."] * 12)
           + "</p>")
CHINESE = "<p>" + "国际化与本地化的考虑，使得文档的说明非常全面而且详细。" * 30 + "</p>"


def render(tmp_path, body: str, lang: str, name: str = "x", assets=()):
    article = Article(id="https://example.org/1", title="T", date=dt.datetime(2022, 5, 1, tzinfo=TZ), body=body,
                      lang=lang, source=str(tmp_path / "post.md"), assets=assets)
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(PdfWriter(WriteOptions()).render(Collection(Site(lang=lang), (article,))))
    return path


def line_ends(path) -> list[str]:
    return ["".join(w.text for w in line)[-1:] for p in pages(path) for line in p.lines(44, 50)]


def test_latin_script_articles_are_hyphenated_chinese_ones_never(tmp_path):
    english = line_ends(render(tmp_path, ENGLISH, "en", "en"))
    hyphens = ("-", "\u2010")  # WeasyPrint ends a hyphenated line with U+2010 HYPHEN
    assert sum(english.count(h) for h in hyphens) >= 3, "an English article in a narrow measure is hyphenated"
    chinese = line_ends(render(tmp_path, CHINESE.replace("。", "。internationalization "), "zh-CN", "zh"))
    assert not set(hyphens) & set(chinese)


def test_a_long_table_repeats_its_header_row_on_every_page(tmp_path):
    rows = "".join(f"<tr><td>第{n}行</td><td>{n * 7}</td></tr>" for n in range(120))
    path = render(tmp_path, f"<table><thead><tr><th>表头名称</th><th>数值</th></tr></thead><tbody>{rows}</tbody>"
                            "</table>", "zh-CN")
    with_rows = [p for p in pages(path) if any(w.text.startswith("第") for w in p.words)]
    assert len(with_rows) >= 3
    assert all(any(w.text == "表头名称" for w in p.words) for p in with_rows)


def test_long_urls_and_wide_images_stay_in_the_text_block(tmp_path):
    import pikepdf
    from PIL import Image

    url = "https://example.org/" + "a-very-long-path-segment/" * 12 + "index.html?query=" + "x" * 80
    Image.new("RGB", (2000, 40), "steelblue").save(tmp_path / "wide.png", "PNG")
    path = render(tmp_path, f'<p>见 <a href="{url}">{url}</a> 与 {url}</p><p><img alt="wide" src="wide.png"/></p>',
                  "zh-CN", assets=(Asset(url="wide.png", path="wide.png"),))
    for page in pages(path):
        right_edge = page.width - (13 * MM if page.number % 2 else 23 * MM)
        assert all(w.x1 <= right_edge + 1 for w in page.body(44, 50)), page.number

    with pikepdf.open(path) as pdf:
        page = pdf.pages[0]
        text_block = float(page.MediaBox[2]) - 36 * MM
        assert "/XObject" in page.Resources  # the 2,000-pixel-wide image is there...
        # ...drawn through a transformation whose horizontal scale is its width on the page.
        content = page.Contents.read_bytes().decode("latin-1")
        widths = [float(line.split()[0]) for line in content.splitlines() if line.endswith(" cm")
                  and float(line.split()[0]) > 50]
        px = 0.75  # WeasyPrint draws in CSS pixels: its page content starts with "0.75 0 0 0.75 0 0 cm"
        assert widths and max(widths) * px <= text_block + 1, (widths, text_block)
