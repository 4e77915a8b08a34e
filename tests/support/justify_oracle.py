"""How well justified lines fill the measure in a PDF, read back with ``pdftotext -bbox``.

The oracle for justified CJK text (issue #6): the share of a PDF's non-final
paragraph lines that stop more than 0.1 em short of the right edge of the text.

* **Lines.** ``pdftotext -bbox`` gives every word's box; words whose vertical
  centres lie within a third of their height belong to one visual line.
* **Body lines.** Lines of the body text size: their height (the tallest word's)
  within 3% of the most common height. Headings, running heads, page numbers
  and footnotes have other sizes and are left out.
* **The measure.** Per page parity (mirrored margins differ), the left edge is the
  most common start of body lines; the right edge is the largest line end shared
  by at least 3 body lines and 0.5% of them (within 0.02 em), so one overflowing
  line does not move it. ``em`` is given, or the most common first-line indent
  divided by ``indent_em``.
* **Non-final lines.** A body line that starts at the left edge or at the first-line
  indent, and is not the last line of its paragraph. With ``paragraphs`` (each
  block's text, in order: the exact answer for a document we built), a line is
  final when its text ends where a paragraph's text ends. Without, from geometry:
  a line is final when the next body line (across pages) is indented, starts
  elsewhere (a list, a quote), comes after a heading, or lies more than 1.5 line
  pitches lower on the same page (paragraph spacing, a figure), or there is none.
  A forced line break (``<br>``) cannot be seen in a PDF: the geometric rule counts
  the line before it as non-final.

``measure(pdf)`` returns a :class:`Measurement`; ``short`` lists each short line
with its shortfall in em.

The reference volume (:func:`volume_html`, :func:`volume_css`) is what the test and
``bench/justify_measure.py`` render: posts read with ``convert.read``, each title a
heading and each body justified in Noto Serif CJK SC 10.5pt with a 2em indent on
A5 with mirrored margins; links whose text is a URL may break at any character
(a zero-width space after each), as Chinese books break URLs.
"""

from __future__ import annotations

import html
import re
import subprocess
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
_PAGE = re.compile(r"<page ")
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}


@dataclass(frozen=True)
class Line:
    page: int  # 1-based
    x_min: float
    x_max: float
    y_min: float
    y_max: float
    text: str

    @property
    def height(self) -> float:
        return self.y_max - self.y_min


@dataclass
class Measurement:
    em: float
    lines: int = 0  # body lines at the paragraph measure
    nonfinal: int = 0
    short: list[tuple[Line, float]] = field(default_factory=list)  # (line, shortfall in em)
    over: list[tuple[Line, float]] = field(default_factory=list)  # past the right edge by > tolerance
    left: dict[int, float] = field(default_factory=dict)  # page parity -> x
    right: dict[int, float] = field(default_factory=dict)
    method: str = "geometry"

    @property
    def share(self) -> float:
        """Short non-final lines / non-final lines."""
        return len(self.short) / self.nonfinal if self.nonfinal else 0.0


def pdf_words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page, every word's (x_min, y_min, x_max, y_max, text) as ``pdftotext -bbox`` gives it."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True,
                         text=True).stdout
    pages = []
    for page in _PAGE.split(out)[1:]:
        words = []
        for x0, y0, x1, y1, text in _WORD.findall(page):
            for entity, ch in _ENTITIES.items():
                text = text.replace(entity, ch)
            words.append((float(x0), float(y0), float(x1), float(y1), text))
        pages.append(words)
    return pages


def pdf_lines(pdf: Path) -> list[Line]:
    """Every visual line of ``pdf``, in reading order (pages, then top to bottom)."""
    lines: list[Line] = []
    for number, words in enumerate(pdf_words(pdf), start=1):
        words.sort(key=lambda w: ((w[1] + w[3]) / 2, w[0]))
        groups: list[list[tuple]] = []
        for word in words:
            centre, height = (word[1] + word[3]) / 2, word[3] - word[1]
            if groups:
                last = groups[-1]
                last_centre = sum((w[1] + w[3]) / 2 for w in last) / len(last)
                if abs(centre - last_centre) < max(height, last[0][3] - last[0][1]) / 3:
                    last.append(word)
                    continue
            groups.append([word])
        for group in groups:
            group.sort(key=lambda w: w[0])
            lines.append(Line(number, min(w[0] for w in group), max(w[2] for w in group),
                              min(w[1] for w in group), max(w[3] for w in group),
                              " ".join(w[4] for w in group)))
    return lines


def _mode(values: Sequence[float], step: float) -> float:
    return Counter(round(v / step) for v in values).most_common(1)[0][0] * step


def _right_edge(ends: Sequence[float], tolerance: float) -> float:
    """The largest line end shared by at least 3 lines and 0.5% of them."""
    need = max(3, len(ends) // 200)
    ordered = sorted(ends, reverse=True)
    for i, end in enumerate(ordered):
        if sum(1 for other in ordered[i:i + 4 * need + 50] if end - other <= tolerance) >= need:
            return end
    return ordered[0]


def _squeeze(text: str) -> str:
    """Text without white space and invisible format characters (zero-width space, soft hyphen)."""
    text = "".join(unicodedata.normalize("NFKC", text).split())
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def measure(pdf: Path, *, em: float | None = None, indent_em: float = 2.0, tolerance_em: float = 0.1,
            paragraphs: Sequence[str] | None = None, pages: range | None = None) -> Measurement:
    """Measure how ``pdf``'s non-final paragraph lines fill the measure (see the module doc).

    ``pages`` (1-based) keeps the measure to those pages, e.g. the articles of a
    volume without its title page and contents (whose entries are not paragraphs).
    Not with ``paragraphs``, which must be the text of the whole document.
    """
    lines = pdf_lines(pdf)
    if pages is not None:
        if paragraphs is not None:
            raise ValueError("measure(): pages= and paragraphs= exclude each other")
        lines = [line for line in lines if line.page in pages]
    if not lines:
        raise AssertionError(f"{pdf}: pdftotext found no text")
    body_height = _mode([line.height for line in lines], 0.05)
    is_body = [abs(line.height - body_height) <= 0.03 * body_height for line in lines]
    body = [line for line, flag in zip(lines, is_body) if flag]

    parities = sorted({line.page % 2 for line in body})
    left = {parity: _mode([line.x_min for line in body if line.page % 2 == parity], 0.1) for parity in parities}
    if em is None:
        indents = [line.x_min - left[line.page % 2] for line in body]
        indents = [d for d in indents if d > 1.0]
        if not indents:
            raise AssertionError(f"{pdf}: no indented first lines to infer the em from; pass em=")
        em = _mode(indents, 0.1) / indent_em
    indent = indent_em * em
    right = {parity: _right_edge([line.x_max for line in body if line.page % 2 == parity], 0.02 * em)
             for parity in parities}
    result = Measurement(em=em, left=left, right=right)

    def starts(line: Line) -> str:
        offset = line.x_min - left[line.page % 2]
        if abs(offset) <= 0.05 * em:
            return "left"
        if abs(offset - indent) <= 0.05 * em:
            return "indent"
        return "other"

    final = _final_by_text(lines, paragraphs) if paragraphs is not None else _final_by_geometry(
        lines, is_body, body_height, starts)
    result.method = "text" if paragraphs is not None else "geometry"
    for i, line in enumerate(lines):
        if not is_body[i] or starts(line) == "other":
            continue
        result.lines += 1
        if final[i]:
            continue
        result.nonfinal += 1
        gap = (right[line.page % 2] - line.x_max) / em
        if gap > tolerance_em:
            result.short.append((line, gap))
        elif -gap > tolerance_em:
            result.over.append((line, -gap))
    return result


def _final_by_geometry(lines: list[Line], is_body: list[bool], body_height: float, starts) -> list[bool]:
    pitches = [b.y_min - a.y_min for a, b, fa, fb in zip(lines, lines[1:], is_body, is_body[1:])
               if fa and fb and a.page == b.page and b.y_min > a.y_min]
    pitch = _mode(pitches, 0.05) if pitches else body_height * 1.5
    final = [True] * len(lines)
    for i, line in enumerate(lines):
        if not is_body[i]:
            continue
        heading_between = False
        for j in range(i + 1, len(lines)):
            if is_body[j]:
                nxt = lines[j]
                final[i] = (heading_between or starts(nxt) != "left"
                            or (nxt.page == line.page and nxt.y_min - line.y_min > 1.5 * pitch))
                break
            # Taller lines are headings; smaller ones (running heads, footnotes) do not end a paragraph.
            heading_between |= lines[j].height > body_height * 1.03
    return final


def _final_by_text(lines: list[Line], paragraphs: Sequence[str]) -> list[bool]:
    """Final lines from the text: each line's text is the next piece of the paragraphs' text."""
    stream, ends = [], set()
    for paragraph in paragraphs:
        stream.append(_squeeze(paragraph))
        if stream[-1]:
            ends.add(sum(map(len, stream)))
    text, position, final = "".join(stream), 0, []
    for line in lines:
        piece = _squeeze(line.text)
        if text[position:position + len(piece)] != piece:
            raise AssertionError(f"page {line.page}: line {line.text!r} is not the next text of the document "
                                 f"(expected {text[position:position + len(piece) + 10]!r}...)")
        position += len(piece)
        final.append(position in ends)
    if position != len(text):
        raise AssertionError(f"the PDF's text stops at {position} of {len(text)} characters")
    return final


# The reference volume: what the test and bench/justify_measure.py render.

FONT_SIZE_PT = 10.5
_URL_LINK = re.compile(r"(<a [^>]*>)(https?://[^<\s]+)(</a>)")
_CHARACTER = re.compile(r"&#?\w+;|.", re.S)
BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "pre", "td", "th", "figcaption", "blockquote")
# Two measures: 30em (inner 20 mm + outer 16.875 mm on 148 mm) and 111 mm (22 + 15 mm).
MEASURES = {"30em": ("20mm", "16.875mm"), "111mm": ("22mm", "15mm")}
STYLE = """
@page {{ size: A5; margin-top: 18mm; margin-bottom: 20mm; }}
@page :right {{ margin-left: {inner}; margin-right: {outer}; }}
@page :left {{ margin-left: {outer}; margin-right: {inner}; }}
html {{ font-family: "Noto Serif CJK SC"; font-size: {size}pt; line-height: 1.6; }}
body {{ margin: 0; }}
h1 {{ font-family: "Noto Sans CJK SC"; font-size: 1.4em; line-height: 1.4; margin: 0 0 1em;
      text-align: start; break-before: page; }}
p {{ margin: 0; text-indent: 2em; text-align: justify; overflow-wrap: anywhere; }}
a {{ font-variant-ligatures: none; }}  /* a URL says "fi", not "ﬁ" */
img {{ max-width: 100%; }}
"""


def urls_breakable_anywhere(body: str) -> str:
    """A zero-width space after every character of a link whose text is a URL: it may break anywhere."""
    def spread(match: re.Match) -> str:
        characters = _CHARACTER.findall(match.group(2))  # an entity such as &amp; is one character
        return match.group(1) + "\u200b".join(characters) + match.group(3)

    return _URL_LINK.sub(spread, body)


def volume_css(measure_name: str = "30em") -> str:
    inner, outer = MEASURES[measure_name]
    return STYLE.format(inner=inner, outer=outer, size=FONT_SIZE_PT)


def volume_html(sources: Sequence[Path], breakable_urls: bool = True) -> str:
    """One zh-CN document: every article's title and body, in date order."""
    import convert

    report = convert.read(sources)
    articles = sorted(report.collection.articles, key=lambda a: (a.date, a.id))
    bodies = [urls_breakable_anywhere(a.body) if breakable_urls else a.body for a in articles]
    parts = [f"<article><h1>{html.escape(a.title)}</h1>{body}</article>" for a, body in zip(articles, bodies)]
    return ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>volume</title></head>'
            f'<body>{"".join(parts)}</body></html>')


def block_texts(document: str) -> list[str]:
    """The text of every innermost block, in order: where paragraphs end."""
    import lxml.html

    root = lxml.html.document_fromstring(document)
    leaves = [e for e in root.iter(*BLOCKS) if not any(True for _ in e.iterdescendants(*BLOCKS))]
    return ["".join(e.itertext()) for e in leaves]
