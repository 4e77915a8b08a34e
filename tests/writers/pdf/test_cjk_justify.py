"""convert.cjk_justify: justified CJK lines reach the margin, everything else stays as WeasyPrint sets it.

Small documents are rendered by WeasyPrint without and with the extension and
read back with ``pdftotext -bbox``: where lines end, where words start. The seed
post, set as the reference volume, is measured with the issue's oracle
(tests/support/justify_oracle.py).
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from weasyprint import CSS, HTML

from convert import cjk_justify
from tests.support.justify_oracle import block_texts, measure, pdf_lines, pdf_words, volume_css, volume_html

SEEDS = sorted(Path("/work/shared/seeds").glob("*.txt"))
# 10pt text in a page whose text starts at x = 20pt: one em is 10pt.
STYLE = """@page { size: 300pt 300pt; margin: 20pt; }
html { font: 10pt/1.5 "Noto Serif CJK SC"; }
body { margin: 0; }
p { text-align: justify; margin: 0 0 10pt; }"""
LEFT = 20.0
EM = 10.0
# Positions are compared to this (pt): WeasyPrint draws each glyph advance to 1/1000 em
# (truncated), so a line of 20 widened glyphs may end 0.2pt short.
EXACT = 0.25


@pytest.fixture(autouse=True)
def _never_leave_it_installed():
    yield
    cjk_justify.uninstall()


def _render(tmp_path: Path, body: str, justify: bool, lang: str = "zh-CN") -> Path:
    html = f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"></head><body>{body}</body></html>'
    target = tmp_path / f"{'after' if justify else 'before'}.pdf"
    document = HTML(string=html)
    if justify:
        with cjk_justify.enabled() as ok:
            assert ok, cjk_justify.unavailable_reason()
            document.write_pdf(target, stylesheets=[CSS(string=STYLE)])
    else:
        document.write_pdf(target, stylesheets=[CSS(string=STYLE)])
    return target


def _words(pdf: Path) -> list[tuple[float, float, str]]:
    return [(round(w[0], 2), round(w[2], 2), w[4]) for w in pdf_words(pdf)[0]]


def test_cjk_lines_reach_the_margin_and_the_last_line_does_not_move(tmp_path):
    # 10.5 ems hold 10 characters: each full line is half an em short without the extension.
    body = '<p style="width: 10.5em">' + "甲乙丙丁戊己庚辛壬癸" * 3 + "甲乙丙</p>"
    before = pdf_lines(_render(tmp_path, body, justify=False))
    after = pdf_lines(_render(tmp_path, body, justify=True))
    assert [line.text for line in after] == [line.text for line in before]  # same line breaks
    margin = LEFT + 10.5 * EM
    assert all(abs(margin - line.x_max - 0.5 * EM) < EXACT for line in before[:-1])
    assert all(abs(margin - line.x_max) < EXACT for line in after[:-1])
    assert after[-1].x_max == pytest.approx(before[-1].x_max, abs=0.01) == LEFT + 3 * EM


def test_slack_is_shared_equally_between_cjk_gaps_and_spaces(tmp_path):
    # The first line holds 甲乙 abc 丙丁 (the nowrap word cannot join it): 4 opportunities
    # (甲|乙, the two spaces, 丙|丁) share what is left of the 16 ems.
    body = '<p style="width: 16em">甲乙 abc 丙丁 <span style="white-space: nowrap">' + "x" * 40 + "</span></p>"
    before = _words(_render(tmp_path, body, justify=False))
    after = _words(_render(tmp_path, body, justify=True))
    assert [w[2] for w in after[:5]] == ["甲", "乙", "abc", "丙", "丁"]
    space = (before[1][0] - before[0][1]) - (before[2][0] - before[1][1])  # WeasyPrint widens spaces only
    assert space == pytest.approx(0, abs=EXACT)
    natural = LEFT + 4 * EM + (before[1][1] - before[1][0])  # four characters and "abc"
    natural_space = (after[2][0] - after[1][1]) - (after[1][0] - after[0][1])
    gap = after[1][0] - after[0][1]
    assert gap > EM
    assert after[3][0] - after[2][1] == pytest.approx(gap + natural_space, abs=EXACT)
    assert after[4][0] - after[3][1] == pytest.approx(gap, abs=EXACT)
    assert after[4][1] == pytest.approx(LEFT + 16 * EM, abs=EXACT)
    assert 4 * gap + 2 * natural_space == pytest.approx(LEFT + 16 * EM - natural, abs=EXACT)


@pytest.mark.parametrize("text, words", [
    ("甲，乙，丙", ["甲，", "乙，", "丙"]),  # no gap before closing punctuation
    ("甲「乙」丙", ["甲", "「乙」", "丙"]),  # nor after opening punctuation
    ("甲——乙", ["甲", "——", "乙"]),  # nor inside a two-character dash
])
def test_punctuation_stays_with_its_character(tmp_path, text, words):
    body = f'<p style="width: 10em">{text} <span style="white-space: nowrap">' + "x" * 25 + "</span></p>"
    after = _words(_render(tmp_path, body, justify=True))
    assert [w[2] for w in after[:len(words)]] == words
    gaps = [b[0] - a[1] for a, b in zip(after, after[1:len(words)])]
    assert gaps == pytest.approx([(10 - len(text)) * EM / 2] * 2, abs=EXACT)


def test_inline_markup_does_not_change_the_spacing(tmp_path):
    text = "甲乙丙丁戊己庚辛壬癸" * 2 + "甲乙"
    marked = "甲<b>乙丙</b>丁<em>戊</em><a href='https://example.org/'>己庚辛</a>壬癸" + text[10:]
    plain = _words(_render(tmp_path, f'<p style="width: 10.5em">{text}</p>', justify=True))
    with_markup = _words(_render(tmp_path, f'<p style="width: 10.5em">{marked}</p>', justify=True))
    assert [w[2] for w in with_markup] == [w[2] for w in plain]
    assert with_markup[0][1] == pytest.approx(LEFT + 10.5 * EM, abs=EXACT)
    assert [x for w in with_markup for x in w[:2]] == pytest.approx([x for w in plain for x in w[:2]], abs=EXACT)


def test_a_gap_before_a_padded_inline_goes_outside_its_padding(tmp_path):
    body = ('<p style="width: 10.5em">甲乙丙丁<span style="padding: 0 2pt">戊己</span>庚辛'
            + "甲乙丙丁戊己庚辛壬癸</p>")
    after = _words(_render(tmp_path, body, justify=True))
    # 10 characters and 4pt of padding in 105pt: 1pt over 9 gaps.
    gap = 1.0 / 9
    assert after[0] == pytest.approx((LEFT, LEFT + 4 * EM + 3 * gap, "甲乙丙丁"), abs=EXACT)
    assert after[1][0] == pytest.approx(after[0][1] + gap + 2, abs=EXACT)  # gap, then the padding
    assert after[2][1] == pytest.approx(LEFT + 10.5 * EM, abs=EXACT)


def test_forced_breaks_and_last_lines_are_not_stretched(tmp_path):
    body = '<p style="width: 10.5em">甲乙丙丁戊己庚辛壬癸甲乙丙<br>甲乙丙丁戊己庚辛壬癸甲</p>'
    before = pdf_lines(_render(tmp_path, body, justify=False))
    after = pdf_lines(_render(tmp_path, body, justify=True))
    assert [line.text for line in after] == ["甲乙丙丁戊己庚辛壬癸", "甲乙丙", "甲乙丙丁戊己庚辛壬癸", "甲"]
    assert after[0].x_max == pytest.approx(LEFT + 10.5 * EM, abs=EXACT)
    assert after[2].x_max == pytest.approx(LEFT + 10.5 * EM, abs=EXACT)
    assert after[1].x_max == pytest.approx(before[1].x_max, abs=0.01)  # ends with <br>
    assert after[3].x_max == pytest.approx(before[3].x_max, abs=0.01)  # the paragraph's last line


@pytest.mark.parametrize("lang, body", [
    ("en", '<p style="width: 12em; hyphens: auto">Justified Latin text is set by WeasyPrint alone: '
           "its spaces widen, its letters keep their places, and nothing here changes that.</p>"),
    ("ko", '<p style="width: 12em">한국어는 띄어쓰기를 하므로 양쪽 맞춤은 단어 사이의 공백을 늘립니다. '
           "글자 사이는 그대로 둡니다.</p>"),
    ("zh-CN", '<p style="width: 10.5em; text-align: left">' + "甲乙丙丁戊己庚辛壬癸" * 3 + "</p>"),
])
def test_what_is_not_cjk_justification_is_unchanged(tmp_path, lang, body):
    before = _words(_render(tmp_path, body, justify=False, lang=lang))
    after = _words(_render(tmp_path, body, justify=True, lang=lang))
    assert len(before) >= 3
    assert after == before


def test_a_url_broken_inside_is_letter_spaced_when_it_stays_unseen(tmp_path):
    url = "https://example.org/" + "abcdefghijklmnopqrstuvwxyz0123456789" * 3
    body = f'<p style="width: 10.3em; overflow-wrap: anywhere">{url}</p>'
    before = pdf_lines(_render(tmp_path, body, justify=False))
    after = pdf_lines(_render(tmp_path, body, justify=True))
    assert len(after) >= 4 and [line.text for line in after] == [line.text for line in before]
    assert all(LEFT + 10.3 * EM - line.x_max > EXACT for line in before[:-1])
    assert all(abs(LEFT + 10.3 * EM - line.x_max) < EXACT for line in after[:-1])


def test_a_line_that_would_need_visible_letter_spacing_stays_ragged(tmp_path):
    # The first line breaks after ".com/": its 2.6 ems of slack over 21 gaps would be
    # 0.12 em between letters, more than MAX_LETTER_SPACING.
    body = '<p style="width: 14em">http://hk.example.com/news/1351,202112082206736198.html</p>'
    before = _words(_render(tmp_path, body, justify=False))
    after = _words(_render(tmp_path, body, justify=True))
    assert before[0][2] == "http://hk.example.com/" and before[0][1] < LEFT + 12 * EM
    assert after == before


def test_the_seed_volume_is_justified(tmp_path):
    # The goal, on the seed: at most 0.5% of non-final lines more than 0.1 em short.
    document = volume_html(SEEDS)
    paragraphs = block_texts(document)
    results = {}
    for justify in (False, True):
        target = tmp_path / f"seed-{justify}.pdf"
        if justify:
            with cjk_justify.enabled():
                HTML(string=document).write_pdf(target, stylesheets=[CSS(string=volume_css("111mm"))])
        else:
            HTML(string=document).write_pdf(target, stylesheets=[CSS(string=volume_css("111mm"))])
        results[justify] = measure(target, em=10.5, paragraphs=paragraphs)
    before, after = results[False], results[True]
    assert before.nonfinal == after.nonfinal > 40
    assert before.share > 0.2  # the oracle sees ragged lines where there are some
    assert after.share <= 0.005 and not after.over, [(line.text, gap) for line, gap in after.short]


def test_two_renders_are_byte_identical(tmp_path):
    body = '<p style="width: 10.5em">' + "甲乙丙丁戊己庚辛壬癸，甲乙 abc 丙丁" * 3 + "</p>"
    first = _render(tmp_path, body, justify=True).read_bytes()
    assert _render(tmp_path, body, justify=True).read_bytes() == first


def test_install_is_idempotent_and_uninstall_restores_weasyprint():
    from weasyprint.layout import inline

    original = inline.justify_line
    assert cjk_justify.install() and cjk_justify.install() and cjk_justify.installed()
    assert inline.justify_line is cjk_justify.justify_line
    cjk_justify.uninstall()
    assert inline.justify_line is original and not cjk_justify.installed()
    with cjk_justify.enabled() as ok:
        assert ok and inline.justify_line is cjk_justify.justify_line
    assert inline.justify_line is original


def test_an_unknown_weasyprint_is_left_alone(monkeypatch):
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    def justify_line(line, extra_width):  # another signature: another WeasyPrint
        return None

    monkeypatch.setattr(inline, "justify_line", justify_line)
    assert cjk_justify.install() is False
    assert "signature" in cjk_justify.unavailable_reason()
    assert inline.justify_line is justify_line
    monkeypatch.undo()

    def set_text(self, text):
        return None

    monkeypatch.setattr(line_break.Layout, "set_text", set_text)
    with cjk_justify.enabled() as ok:
        assert ok is False and "set_text" in cjk_justify.unavailable_reason()
    assert inline.justify_line is not cjk_justify.justify_line
    monkeypatch.undo()
    assert cjk_justify.install() is True and cjk_justify.unavailable_reason() is None


@pytest.mark.parametrize("before, after, kind", [
    ("中", "文", "cjk"), ("a", "中", "cjk"), ("中", "1", "cjk"), ("。", "中", "cjk"), ("中", "「", "cjk"),
    ("中", "，", None), ("中", "。", None), ("「", "中", None), ("“", "中", None), ("中", ",", None),
    ("—", "—", None), ("…", "…", None), ("한", "국", None), ("a", "b", None), ("中", "\u0301", None),
    (" ", "a", "space"), (" ", "中", "space"), ("中", " ", None), ("中", "\ufffc", None), ("中", "ب", None),
])
def test_opportunities(before, after, kind):
    assert cjk_justify.opportunity(before, after) == kind


def test_letters_are_opportunities_only_when_asked():
    assert cjk_justify.opportunity("a", "b", letters=True) == "letter"
    assert cjk_justify.opportunity("a", "\u0301", letters=True) is None
    assert cjk_justify.opportunity("中", "，", letters=True) is None


def test_the_patched_function_has_weasyprint_signature():
    from weasyprint.layout import inline

    assert inspect.signature(cjk_justify.justify_line) == inspect.signature(inline.justify_line)
