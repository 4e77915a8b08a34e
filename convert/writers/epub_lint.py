"""The Send-to-Kindle lint: what Amazon rejects with error E999 although EPUBCheck accepts it.

The problems the community fixers (kindle-epub-fix and the like) repair: a markup file
(XHTML, OPF, NCX) without an XML declaration saying ``encoding="utf-8"``, a link whose
fragment targets a ``<body>`` id, a language tag that is not well-formed BCP 47, an
``<img>`` without a ``src``. A markup file that is not well-formed XML is reported too.

It works file by file (:func:`lint_file`, the whole check of one file's bytes) and then
across files (:func:`problems_of`: links to a ``<body>`` id in another file), so that the
EPUB writer lints each chapter where it renders it, in its worker process, before the
book is zipped; :func:`kindle_lint` runs the same two steps on a finished EPUB.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import unquote, urlsplit

from lxml import etree

from ..text import is_language_tag

MARKUP = (".xhtml", ".html", ".htm", ".opf", ".ncx")
_XML_DECLARATION = re.compile(rb"""\A(?:\xef\xbb\xbf)?<\?xml\s[^>]*?\bencoding\s*=\s*(["'])utf-8\1[^>]*\?>""",
                              re.IGNORECASE)
_XHTML = "{http://www.w3.org/1999/xhtml}"
_DC_LANGUAGE = "{http://purl.org/dc/elements/1.1/}language"
# collect_ids=False: no table of xml:id attributes, which the lint never looks up (a fifth of the parse).
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, collect_ids=False)
# Everything the lint looks at, in one walk of the tree (in C: a Python loop over every element costs
# more than the parse): language attributes and dc:language, images, <body> ids, and link targets
# with a fragment (every href, and the NCX's content/@src).
_CHECKED = etree.XPath(
    "//@lang | //@xml:lang | //dc:language | //x:img | //x:body[@id] | //@href[contains(., '#')]"
    " | //ncx:content/@src[contains(., '#')]",
    namespaces={"x": "http://www.w3.org/1999/xhtml", "dc": "http://purl.org/dc/elements/1.1/",
                "ncx": "http://www.daisy.org/z3986/2005/ncx/"})
_LANG_ATTRIBUTES = frozenset({"lang", "{http://www.w3.org/XML/1998/namespace}lang"})
@dataclass(frozen=True)  # no __slots__: pickles faster, and the EPUB writer's workers send thousands back
class FileLint:
    """What the lint found in one file of the book (named as in the archive, ``EPUB/a0001.xhtml``).

    ``problems``: the file's own, one message each; ``body_id``: the id on its ``<body>``, if any;
    ``links``: (link as written, archive name of the file it targets, fragment) of each link inside
    the book with a fragment, for the check across files.
    """

    name: str
    problems: tuple[str, ...]
    body_id: str | None = None
    links: tuple[tuple[str, str, str], ...] = ()


def lint_file(name: str, content: bytes) -> FileLint:
    """Every check of one markup file (``name`` as in the archive) that needs no other file."""
    problems: list[str] = []
    if not _XML_DECLARATION.match(content):
        problems.append(f'{name}: no XML declaration with encoding="utf-8"')
    try:
        tree = etree.fromstring(content, _PARSER)
    except etree.XMLSyntaxError as exc:  # nothing else can be checked in it
        return FileLint(name, (*problems, f"{name}: not well-formed XML ({exc})"))
    body_id = None
    links: list[tuple[str, str, str]] = []
    for found in _CHECKED(tree):
        if isinstance(found, str):  # an attribute's value
            attribute, element = found.attrname, found.getparent()
            if attribute in _LANG_ATTRIBUTES:
                # An empty lang on an inner element is allowed (language unknown); on the root it is not.
                if (found or element is tree) and not is_language_tag(found):
                    problems.append(f"{name}: bad language tag {str(found)!r} on <{etree.QName(element).localname}>")
            elif not urlsplit(found).scheme:  # href or NCX src with a '#', inside the book
                path, fragment = found.split("#", 1)
                if fragment:
                    links.append((str(found), _resolve(name, unquote(path)) if path else name, unquote(fragment)))
        elif found.tag == _DC_LANGUAGE:
            if not is_language_tag((found.text or "").strip()):
                problems.append(f"{name}: bad language tag {found.text!r} in dc:language")
        elif found.tag == _XHTML + "img":
            if not (found.get("src") or "").strip():
                problems.append(f"{name}: <img> without src")
        elif found.get("id"):  # a <body> with an id: the last one counts, as a reader would find it
            body_id = found.get("id")
    return FileLint(name, tuple(problems), body_id, tuple(links))


def problems_of(files: Iterable[FileLint]) -> list[str]:
    """Every problem of the book whose files were linted as ``files``: each file's own, then the
    links (in any file) that target the ``<body>`` id of a file."""
    files = list(files)
    body_ids = {f.name: f.body_id for f in files if f.body_id}
    problems = [p for f in files for p in f.problems]
    for f in files:
        for target, file, fragment in f.links:
            if body_ids.get(file) == fragment:
                problems.append(f"{f.name}: link {target!r} targets the <body> id of {file}")
    return problems


def kindle_lint(data: bytes) -> list[str]:
    """What Send-to-Kindle would reject in the EPUB ``data``, one readable message per problem, naming the file.

    Every XHTML, OPF and NCX file of the archive goes through :func:`lint_file`, one at a time
    (a book of 10,000 chapters is never 10,000 trees in memory), then :func:`problems_of`.
    """
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        return [f"not a ZIP archive ({exc})"]
    with book:
        return problems_of(lint_file(name, book.read(name)) for name in book.namelist()
                           if name.lower().endswith(MARKUP))


def _resolve(base: str, relative: str) -> str:
    """The archive name ``relative`` points to from the file ``base``."""
    parts = base.split("/")[:-1]
    for part in relative.split("/"):
        if part == "..":
            parts = parts[:-1]
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)
