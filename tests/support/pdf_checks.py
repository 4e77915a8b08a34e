"""Reading PDFs back with poppler (pdftotext, pdffonts) and pikepdf, the PDF writer's oracles.

Positions are in PDF points from the top-left corner of the page, as
``pdftotext -bbox`` gives them.
"""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)


@dataclass(frozen=True)
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    words: tuple[Word, ...]

    def body(self, top: float, bottom: float) -> list[Word]:
        """The words between the running head (above ``top``) and the folio (below ``bottom``)."""
        return [w for w in self.words if w.y0 >= top and w.y1 <= self.height - bottom]

    def lines(self, top: float, bottom: float) -> list[list[Word]]:
        """Body words grouped into lines by their baseline, top to bottom, left to right."""
        rows: dict[float, list[Word]] = {}
        for word in self.body(top, bottom):
            key = next((k for k in rows if abs(k - word.y1) < 1.5), word.y1)
            rows.setdefault(key, []).append(word)
        return [sorted(rows[k], key=lambda w: w.x0) for k in sorted(rows)]


def pages(path: Path) -> list[Page]:
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    result = []
    for n, match in enumerate(_PAGE.finditer(out), 1):
        words = tuple(Word(float(a), float(b), float(c), float(d), html.unescape(t))
                      for a, b, c, d, t in _WORD.findall(match.group(3)))
        result.append(Page(n, float(match.group(1)), float(match.group(2)), words))
    return result


def page_text(path: Path, first: int, last: int | None = None, layout: bool = False) -> str:
    """``pdftotext -f first -l last``: the plain text of those pages (``-layout``: lines as printed)."""
    last = last or first
    return subprocess.run(["pdftotext", *(["-layout"] if layout else []), "-f", str(first), "-l", str(last),
                           str(path), "-"], capture_output=True, text=True, check=True).stdout


def fonts(path: Path) -> list[dict[str, str]]:
    """``pdffonts``: name, type, emb, sub, uni for every font."""
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    result = []
    for line in lines[2:]:
        parts = line.split()
        # name type... encoding emb sub uni object ID: the last five columns are fixed.
        result.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return result


def qpdf_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)


def outline(path: Path) -> list[tuple[int, str, int]]:
    """The bookmarks in order: (level, title, 1-based page)."""
    import pikepdf

    entries = []
    with pikepdf.open(path) as pdf:
        page_numbers = {page.objgen: n for n, page in enumerate(pdf.pages, 1)}
        with pdf.open_outline() as tree:
            def walk(items, level):
                for item in items:
                    destination = item.destination  # WeasyPrint writes explicit [page /XYZ x y 0] ones
                    page = page_numbers.get(destination[0].objgen) if destination is not None else None
                    entries.append((level, item.title, page))
                    walk(item.children, level + 1)
            walk(tree.root, 1)
    return entries


def squeeze(text: str) -> str:
    """Text without any whitespace (line breaks and justification spaces differ between forms)."""
    return re.sub(r"\s+", "", text)
