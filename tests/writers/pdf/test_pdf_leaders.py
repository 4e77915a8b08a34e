"""convert.pdf_leaders: a leader drawn as one text, every dot where WeasyPrint put it.

The oracles: pdftotext's words and their boxes (the same words, each within a
thousandth of an em of where it was), pdftoppm's pictures (the same to within the
dots' anti-aliasing), and the count of text objects in the page (the saving)."""

import subprocess

import pikepdf
import pytest
from PIL import Image, ImageChops

from convert import pdf_leaders
from tests.support.pdf_checks import pages

FONT_SIZE = 10  # pt
CONTENTS = ("<html lang='zh-CN'><head><style>"
            f"ol {{ list-style: none; font-family: 'Noto Sans CJK SC'; font-size: {FONT_SIZE}pt }}"
            " a::after { content: leader('. ') attr(data-page); padding-left: 0.4em }"
            " .spaced::after { letter-spacing: 0.1em }"
            " .date { margin-left: 0.6em; font-size: 0.85em }</style></head><body><ol>"
            + "".join(f"<li><a data-page='{3 + 7 * n}'{' class=spaced' if n == 5 else ''}>"
                      f"{'“党建+”模式打造工作新亮点' * (1 + n % 3)}（{n}）"
                      f"<span class='date'>2021年12月{1 + n % 28}日</span></a></li>" for n in range(60))
            + "</ol></body></html>")


def _pdf(installed: bool) -> bytes:
    from weasyprint import HTML

    pdf_leaders.uninstall()
    try:
        if installed:
            assert pdf_leaders.install(), pdf_leaders.unavailable_reason()
        return HTML(string=CONTENTS).write_pdf(pdf_identifier=b"fixed")
    finally:
        pdf_leaders.uninstall()


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("leaders")
    found = {}
    for name, installed in (("theirs", False), ("ours", True)):
        path = tmp / f"{name}.pdf"
        path.write_bytes(_pdf(installed))
        subprocess.run(["pdftoppm", "-r", "100", "-png", str(path), str(tmp / name)], check=True)
        found[name] = (path, sorted(tmp.glob(f"{name}-*.png")))
    return found


def test_every_dot_is_where_it_was(both):
    before = [(w.text, w.x0, w.y0) for page in pages(both["theirs"][0]) for w in page.words]
    after = [(w.text, w.x0, w.y0) for page in pages(both["ours"][0]) for w in page.words]
    assert [w[0] for w in after] == [w[0] for w in before]
    assert sum(w[0] == "." for w in after) > 60 * 20
    # A PDF positions glyphs to a thousandth of an em: the one text's dots are where the separate ones were.
    assert max(max(abs(a[1] - b[1]), abs(a[2] - b[2])) for a, b in zip(after, before)) <= FONT_SIZE / 1000 + 1e-4


def test_the_pages_look_the_same(both):
    theirs, ours = both["theirs"][1], both["ours"][1]
    assert len(theirs) == len(ours) >= 2
    for a, b in zip(theirs, ours):
        first, second = Image.open(a).convert("L"), Image.open(b).convert("L")
        histogram = ImageChops.difference(first, second).histogram()
        # Anti-aliasing of a few dots at most: under one pixel in a thousand, none darker by half.
        assert sum(histogram[1:]) < first.width * first.height / 1000 and not any(histogram[128:])


def test_each_leader_is_one_text(both):
    def texts(path) -> int:  # text-showing operations: one per text box drawn
        with pikepdf.open(path) as pdf:
            return sum(str(op.operator) == "TJ" for page in pdf.pages for op in pikepdf.parse_content_stream(page))

    before, after = texts(both["theirs"][0]), texts(both["ours"][0])
    assert before > 20 * 60  # a text per dot
    assert after < 5 * 60  # an entry's title, date, leader and number (and the letter-spaced one's dots)


def test_install_is_refused_for_a_weasyprint_it_does_not_know(monkeypatch):
    from weasyprint.layout import inline

    pdf_leaders.uninstall()
    monkeypatch.setattr(inline, "handle_leader", lambda context, line, containing_block: None)
    assert not pdf_leaders.install()
    assert "handle_leader" in pdf_leaders.unavailable_reason()
    assert inline.handle_leader is not pdf_leaders._merged_leader
