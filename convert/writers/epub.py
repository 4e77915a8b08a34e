"""EPUB 3 books (with an EPUB 2 NCX) for e-readers (``--to epub``).

One collection -> one book: a chapter (``a0001.xhtml``...) per article, numbered
in reading order, after a contents page. Sections (``--group-by``: month by default
when the articles span several months, category, tag or none) each get a section
page, nested in the nav and NCX; chapters within a section follow ``--sort`` (date
or title). ``--series`` is written for calibre and as an EPUB 3 collection;
``--epub-writing-mode vertical-rl`` sets zh/ja documents vertically with an rtl
spine. A cover page opens every book, showing ``--cover`` (JPEG or PNG) or a JPEG
drawn here with Pillow (title, dates, source, in a CJK font), byte-reproducible.
``--each`` gives one book per article.
Chapters come from :mod:`convert.render`, split into parts over ``max_chapter_bytes``
(260 KB), and so are section pages and the contents page, between entries (``_page_runs``);
a book over ``max_book_bytes`` (50 MB) comes out of ``documents`` as volumes.
Images: local files from the source tree and, with ``--fetch-remote``, remote ones
through :mod:`convert.fetch`; rasters EPUB lacks become PNG, SVG is sanitized by
:mod:`convert.svg`. What the book cannot hold is reported with ``Writer.warn``.
ebooklib makes the OPF; the nav and NCX are written here as text, byte for byte as ebooklib
writes them (its way took eight times as long); this module zips them (deflated with libdeflate)
so that the same input gives the same bytes.

ebooklib is held at arm's length: chapters are added as plain items with the
bytes we rendered (``EpubHtml`` would re-parse them with lxml's HTML parser,
which drops deep content and raises "Document is empty"), its writer hands its
files over in memory with errors raised (``write_epub`` swallows them and leaves
a truncated file), and its ``uuid4`` identifier and ``now()`` timestamps are
replaced by values derived from the content.

Every book is linted for Send-to-Kindle before it is zipped (:mod:`.epub_lint`, each
document on the bytes the writer made): Amazon rejects with error E999 some EPUBs
that EPUBCheck accepts, and the writer raises ``WriterError`` rather than hand over
such a book (a user's own template can still produce one).

Speed: the chapters of a book of ``_PARALLEL_FROM`` articles or more are rendered,
linted and deflated in forked worker processes, in runs (each step over a whole run;
shorter towards the end, so that the workers finish together), while this process makes
the cover, contents, section pages, nav, NCX and OPF; the zip is then written from the
deflated entries (:func:`_zip`). Same bytes either way.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import io
import multiprocessing
import os
import re
import struct
import subprocess
import threading
import uuid
import zipfile
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import deflate
from ebooklib import epub

from ..errors import FetchError, WriterError
from ..memory import collector_resting
from ..model import Article, Collection
from ..render import (BookLinks, Fields, article_urls, body_ids, date_range, format_date, format_month, is_rtl,
                      labels, normalize_lang, part_file_name, primary, render_chapter, source_file)
from ..resources import Resources
from ..svg import UnsafeSvg, looks_like_svg, sanitize_svg
from .base import Document, Writer
from .epub_lint import MARKUP, FileLint, is_language_tag, kindle_lint, lint_file, problems_of

if TYPE_CHECKING:
    from ..fetch import Fetched

# The Send-to-Kindle lint lives in epub_lint; it is part of this writer's contract, so importable from here too.
__all__ = ["EpubWriter", "VolumeOf", "generated_cover", "is_language_tag", "kindle_lint"]

# uuid5 namespace for book identifiers: same articles -> same urn:uuid.
_BOOK_NAMESPACE = uuid.UUID("5f0f5cb5-8a3c-4b8e-9d57-0c2d0e3b6a11")
_STYLESHEET = "style/book.css"
_FOLDER = "EPUB"  # ebooklib's folder for the package files: chapters are linted under EPUB/a0001.xhtml...
_DEFLATE_LEVEL = 6  # zlib's default level; libdeflate's 6 compresses as well
_ZIP64_LIMIT = zipfile.ZIP64_LIMIT  # the size up to which zipfile (and _zip) write no ZIP64 extra fields
# Raster types EPUB 3 readers must support (core media types); others are converted to PNG. SVG is one too.
_CORE_IMAGES = {"PNG": ("image/png", ".png"), "JPEG": ("image/jpeg", ".jpg"), "GIF": ("image/gif", ".gif"),
                "WEBP": ("image/webp", ".webp")}
_MAX_IMAGE_BYTES = 20 * 1024 * 1024
_WRITING_MODES = ("horizontal-tb", "vertical-rl")
# Vertical writing for Chinese and Japanese documents only: a Latin chapter in the same book stays
# horizontal. -epub-writing-mode is what older EPUB 3 readers (iBooks, Readium 1) understand.
_VERTICAL_CSS = """/* --epub-writing-mode vertical-rl */
html:lang(zh), html:lang(ja) { -epub-writing-mode: vertical-rl; writing-mode: vertical-rl; }
"""


@dataclass(frozen=True, slots=True)
class VolumeOf:
    """The book a volume belongs to: its title (the volumes' series) and the name its covers show."""

    title: str
    name: str


@dataclass(frozen=True, slots=True)
class _Built:
    data: bytes
    costs: list[tuple[Article, int]]  # in reading order: what each article adds to the package
    frame: int  # what the book costs without any article: cover, stylesheet, contents, nav, OPF
    title: str
    name: str


class _BodyIds(Mapping):
    """Chapter file -> the ids in its article's body, found when a link first asks (few links name a fragment)."""

    def __init__(self, bodies: dict[str, str]):
        self.bodies = bodies
        self.found: dict[str, frozenset[str]] = {}

    def __getitem__(self, file: str) -> frozenset[str]:
        if file not in self.found:
            self.found[file] = body_ids(self.bodies[file])
        return self.found[file]

    def __iter__(self):
        return iter(self.bodies)

    def __len__(self) -> int:
        return len(self.bodies)


@dataclass(frozen=True, slots=True)
class _Image:
    name: str  # inside the package, e.g. images/i0001.png
    media_type: str
    data: bytes


class EpubWriter(Writer):
    name = "epub"
    aliases = ("epub3",)
    extension = ".epub"
    media_type = "application/epub+zip"
    binary = True
    description = "EPUB 3 book for e-readers: one chapter per article, in sections, with nav and NCX"
    # Older readers (Adobe RMSDK, early Kindles) refuse or choke on larger XHTML files: chapters are split below it.
    max_chapter_bytes = 260_000

    # Send-to-Kindle takes at most 50 MB, and large books make e-readers slow: larger ones become volumes.
    max_book_bytes = 50 * 1024 * 1024

    def prepare(self) -> None:
        # Jinja, the four templates compiled, Pillow and the cover's fonts (two fc-match runs):
        # 0.1 s that the reader's workers hide.
        for name in ("chapter.xhtml", "cover.xhtml", "contents.xhtml", "section.xhtml"):
            self.resources.template(name)
        if self.options.cover is None:
            import_module("PIL.ImageDraw")
            import_module("PIL.ImageFont")
            _cover_fonts()

    def render(self, collection: Collection) -> bytes:
        """The book, whatever its size (``documents`` cuts one over ``max_book_bytes`` into volumes)."""
        return self._build(collection, {}).data

    def documents(self, collection: Collection) -> list[Document]:
        """The book, or its volumes (``volume`` 1, 2...) with a warning when it would be over ``max_book_bytes``."""
        fetched: dict[str, Fetched | FetchError] = {}  # remote images, fetched once for the book and its volumes
        book = self._build(collection, fetched)
        if len(book.data) <= self.max_book_bytes:
            return [Document("", book.data)]
        if len(book.costs) == 1:  # one article: nothing to cut
            self.warn(f"this article makes a book of {_size(len(book.data))} (its images), over the "
                      f"{_size(self.max_book_bytes)} that Send-to-Kindle and many e-readers accept",
                      book.costs[0][0].source)
            return [Document("", book.data)]
        warnings = list(self.diagnostics)  # building the volumes says again what building the book said
        runs, volumes = self._volumes(collection, book, fetched)
        self.diagnostics[:] = warnings
        self.warn(f"the book would be {_size(len(book.data))}, over the {_size(self.max_book_bytes)} that "
                  f"Send-to-Kindle and many e-readers accept: written as {len(volumes)} volumes, -1 to "
                  f"-{len(volumes)} after the file name; to choose the cut, use --split-by year|month or "
                  "--split-every N")
        for run, data in zip(runs, volumes):
            if len(data) > self.max_book_bytes:
                self.warn(f"this article makes a volume of {_size(len(data))} on its own (its images), over "
                          f"{_size(self.max_book_bytes)}", run[0].source)
        return [Document("", data, volume=n) for n, data in enumerate(volumes, 1)]

    def _volumes(self, collection: Collection, book: _Built,
                 fetched: dict) -> tuple[list[list[Article]], list[bytes]]:
        """The book cut into volumes under ``max_book_bytes``: the articles of each, in reading order, and its bytes.

        The cut follows each article's compressed size in the whole book (its chapter files
        and every image it shows); a volume that still comes out too large is halved. One
        article larger than the limit on its own is a volume of its own (over the limit).
        """
        budget = self.max_book_bytes - book.frame
        runs: list[list[Article]] = [[]]
        size = 0
        for article, cost in book.costs:
            if runs[-1] and size + cost > budget:
                runs.append([])
                size = 0
            runs[-1].append(article)
            size += cost
        while True:
            whole = VolumeOf(book.title, book.name)
            built = [self._build(collection.with_articles(run), fetched, whole, n).data for n, run in enumerate(runs, 1)]
            over = [i for i, data in enumerate(built) if len(data) > self.max_book_bytes and len(runs[i]) > 1]
            if not over:
                break
            for i in reversed(over):
                half = len(runs[i]) // 2
                runs[i:i + 1] = [runs[i][:half], runs[i][half:]]
        return runs, built

    def _build(self, collection: Collection, fetched: dict, volume: VolumeOf | None = None,
               number: int = 0) -> _Built:
        """One book from ``collection``: volume ``number`` of ``volume`` when given."""
        with collector_resting():  # else about 5% of a large book's CPU: the collector walking the collection
            return self._build_book(collection, fetched, volume, number)

    def _build_book(self, collection: Collection, fetched: dict, volume: VolumeOf | None,
                    number: int) -> _Built:
        if not collection.articles:
            raise WriterError("an EPUB needs at least one article")
        lang = normalize_lang(collection.lang)
        words = labels(lang)
        # Reading order: the sections one after the other, each sorted; chapter files are numbered in it.
        grouped = _groups(collection.articles, self.options.group_by, self.options.sort, lang)
        articles = [a for _, members in grouped for a in members]
        files = [f"a{i:04d}.xhtml" for i in range(1, len(articles) + 1)]
        images, image_map = self._images(articles, collection.site.absolute_root, fetched)
        links = BookLinks(
            chapters={url: f for article, f in zip(articles, files) for url in article_urls(article)},
            ids=_BodyIds({f: a.body for a, f in zip(articles, files)}),
            images=image_map,
        )
        whole_title = self.options.title or _title(collection, articles, lang)
        name = self.options.title or _name(collection, articles, lang)
        title = whole_title if volume is None else words["volume"].format(title=volume.title, n=number)
        if self.options.writing_mode not in _WRITING_MODES:
            raise WriterError(f"unknown writing mode {self.options.writing_mode!r}: use one of "
                              + ", ".join(_WRITING_MODES))
        anthology = len(articles) > 1
        sheet = [_STYLESHEET]
        sections = _sections(grouped) if anthology else [{"title": "", "href": "", "entries": [], "members": [0]}]
        section_of = [""] * len(articles)  # article index -> its section page, for its navigation bar
        for section in sections:
            for i in section["members"]:
                section_of[i] = section["href"]
        job = _ChapterJob(articles, files, section_of if anthology else None, words, self.resources, links, lang,
                          sheet, self.max_chapter_bytes)
        # The chapters are rendered (in worker processes for a large book) while the rest of the book is made here.
        with _ChapterRendering(job) as rendering:
            book = epub.EpubBook()
            by_date = sorted(articles, key=lambda a: (a.date, a.id))  # the id names the content, not its arrangement
            book.set_identifier("urn:uuid:" + str(uuid.uuid5(_BOOK_NAMESPACE, "\n".join(a.id for a in by_date))))
            book.set_title(title)
            book.set_language(lang)
            if is_rtl(lang):
                book.set_direction("rtl")
            _metadata(book, collection, articles, bool(images))
            if self.options.series:
                _series(book, self.options.series, self.options.series_index)
            elif volume is not None:  # the volumes of one book are a series: readers shelve them together
                _series(book, volume.title, number)
            sheets = list(self.resources.stylesheets("base.css", "epub.css"))
            if self.options.writing_mode == "vertical-rl":
                if primary(lang) in ("zh", "ja"):
                    book.set_direction("rtl")  # vertical lines run right to left, so do the pages
                else:
                    self.warn(f"--epub-writing-mode vertical-rl: the book is in {lang!r}; only its Chinese and "
                              "Japanese documents are set vertically")
                # Appended in the writer, not in epub.css, so that it follows the option even with an overridden sheet.
                sheets.append(_VERTICAL_CSS)
            css = "\n".join(sheets)
            book.add_item(_file("css", _STYLESHEET, "text/css", css.encode()))
            for image in images:
                book.add_item(_file(Path(image.name).stem, image.name, image.media_type, image.data))
            spine: list = []
            # The cover: the user's picture or one drawn here; e-readers show it in their library.
            cover_name, cover_type, cover_data = self._cover(
                collection, articles, lang,
                name if volume is None else words["volume"].format(title=volume.name, n=number))
            cover_item = _file("cover-image", cover_name, cover_type, cover_data)
            cover_item.properties = ["cover-image"]
            book.add_item(cover_item)
            book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})  # EPUB 2 readers, Kindle
            page = self.resources.template("cover.xhtml").render(title=title, src=cover_name, lang=lang,
                                                                 dir="rtl" if is_rtl(lang) else "", stylesheets=sheet)
            spine.append(_add_document(book, _document("cover", "cover.xhtml", page)))
            context = {"lang": lang, "dir": "rtl" if is_rtl(lang) else "", "labels": words, "stylesheets": sheet}
            for section in sections if anthology else ():
                section["entries"] = [Fields(title=articles[i].title.strip() or format_date(articles[i].date, lang),
                                             href=files[i], date_text=format_date(articles[i].date, lang),
                                             summary=_first_line(articles[i])) for i in section["members"]]
            if anthology:
                contents_page, subtitle = self.resources.template("contents.xhtml"), date_range(articles, lang)
                spine += [_add_document(book, page) for page in self._pages(
                    "contents.xhtml", articles, lambda run, part, parts: contents_page.render(
                        title=title, subtitle=subtitle, sections=_contents_sections(sections, run), part=part,
                        parts=parts, **context))]
            section_page = self.resources.template("section.xhtml")
            section_pages = {section["href"]: self._pages(
                section["href"], [articles[i] for i in section["members"]],
                lambda run, part, parts, section=section: section_page.render(
                    title=section["title"], entries=section["entries"][run.start:run.stop], contents="contents.xhtml",
                    part=part, parts=parts, start=run.start + 1, **context))
                for section in sections if section["href"]}
            # The nav and NCX need only the table of contents: made now, while the chapters are rendered.
            book.toc = _toc(sections, articles, files, lang, words, anthology)
            ncx_item, nav_item = epub.EpubNcx(), epub.EpubNav(title=words["contents"])
            nav_item.add_link(href=_STYLESHEET, rel="stylesheet", type="text/css")
            packager = _PackageWriter(book, _modified(articles))
            packager.make_navigation(ncx_item, nav_item)
            # So is the OPF, for one file per chapter (a chapter split into parts is rare: it is made again then).
            head, lead = list(book.items), list(spine)
            layout = [[file_name] for file_name in files]
            items = _arrange(book, head, lead, sections, section_pages, layout, (ncx_item, nav_item))
            packager.make_package()
            chapters = rendering.results()

        if [[part.name for part in chapter.parts] for chapter in chapters] != layout:
            layout = [[part.name for part in chapter.parts] for chapter in chapters]
            items = _arrange(book, head, lead, sections, section_pages, layout, (ncx_item, nav_item))
            packager.make_package()
        relocated: dict[tuple[str, str], str] = {}  # (chapter file, id) -> the part holding it, for split chapters
        contents_of: dict[int, list[str]] = {}  # article index -> its files in the package (parts, images)
        for i in (i for section in sections for i in section["members"]):  # reading order: warnings in it
            article, chapter = articles[i], chapters[i]
            for part in chapter.parts:
                items[part.name].part = part
            contents_of[i] = [part.name for part in chapter.parts] + list(chapter.images)
            for part_name in chapter.oversized:
                self.warn(f"{part_name} is larger than {self.max_chapter_bytes // 1000} KB, which some e-readers "
                          "refuse: one paragraph, preformatted block or table row of the article is that large "
                          "on its own and cannot be split", article.source)
            relocated.update({(files[i], id_): part for id_, part in chapter.moved.items()})
        if relocated:
            _relink(book, relocated)
        data, stored = _package(packager)
        # What each article costs in the package (compressed, with its zip entries), to cut volumes by.
        costs = [(article, sum(stored["EPUB/" + f] for f in contents_of[i])) for i, article in enumerate(articles)]
        used = {"EPUB/" + f for names in contents_of.values() for f in names}
        frame = sum(size for entry, size in stored.items() if entry not in used)
        return _Built(data, costs, frame, whole_title, name)

    def _pages(self, file_name: str, listed: list[Article],
               render: Callable[[range, int, int], str]) -> list[_PackagedItem]:
        """A page listing the articles ``listed`` (the contents, a section page) as the book's documents.

        ``render(run, part, parts)`` makes part ``part`` of ``parts``, listing the articles ``run``
        (a range of indexes into ``listed``). One document, named ``file_name``, when the whole page is
        within ``max_chapter_bytes``; else several, named as a split chapter's parts (``s001.xhtml``,
        ``s001-2.xhtml``...), each listing a run of the articles in order, each under the limit unless
        it lists a single article (a huge title), which is a warning.
        """
        runs = _page_runs(render, len(listed), self.max_chapter_bytes)
        names = [file_name] + [part_file_name(file_name, n) for n in range(2, len(runs) + 1)]
        for name, (run, text) in zip(names, runs):
            if len(text.encode()) > self.max_chapter_bytes:
                self.warn(f"{name} is larger than {self.max_chapter_bytes // 1000} KB, which some e-readers refuse: "
                          "it lists this article alone (a title that long) and cannot be split further",
                          listed[run.start].source)
        return [_document(_stem(name), name, text) for name, (_, text) in zip(names, runs)]

    def _cover(self, collection: Collection, articles: list[Article], lang: str, name: str) -> tuple[str, str, bytes]:
        """(file name, media type, bytes) of the cover: ``--cover`` as it is, else a JPEG showing ``name``."""
        if self.options.cover is not None:
            return _given_cover(Path(self.options.cover))
        site = collection.site
        source = site.title or urlsplit(site.absolute_root or articles[0].permalink or "").hostname or ""
        if source == name:  # the site title is already the heading: show where it lives instead
            source = urlsplit(site.absolute_root or "").hostname or ""
        if _cover_fonts()[0] is None:
            self.warn("no CJK-capable font found (install fonts-noto-cjk); the generated cover uses Pillow's "
                      "default font and may not show Chinese or Japanese characters")
        return "images/cover.jpg", "image/jpeg", generated_cover(name, date_range(articles, lang), source)

    def _images(self, articles: list[Article], site_root: str,
                fetched: dict[str, Fetched | FetchError]) -> tuple[list[_Image], dict[tuple[str, str], str]]:
        """Every image the book holds and (article id, URL in its body) -> packaged name.

        Local images come from the source tree; remote ones only with ``--fetch-remote``,
        through :mod:`convert.fetch`. An image that cannot be had is reported (once per
        file or URL) and its alt text stands in.
        """
        if self.options.fetch_remote:
            from ..fetch import fetch_all, remote_image_urls  # the network stack only for books that fetch

            fetched.update(fetch_all([url for url in remote_image_urls(articles) if url not in fetched], self.options))
        packaged: list[_Image] = []
        by_source: dict[Path | str, str | None] = {}
        mapping: dict[tuple[str, str], str] = {}
        for article in articles:
            for asset in article.assets:
                if asset.path is not None:
                    source: Path | str | None = source_file(article, asset.path)
                    if source is None:
                        self.warn(f"image {asset.path} not found in the source tree; its alt text stands in",
                                  article.source)
                        continue
                elif asset.url in fetched:
                    source = asset.url
                else:
                    if _on_site(asset.url, site_root):  # meant to be a file of the site, which is not there
                        self.warn(f"image {asset.url} not found in the source tree; its alt text stands in",
                                  article.source)
                    continue
                if source not in by_source:
                    by_source[source] = self._package(source, fetched, len(packaged) + 1, packaged, article)
                if by_source[source] is not None:
                    mapping[(article.id, asset.url)] = by_source[source]
        return packaged, mapping

    def _package(self, source: Path | str, fetched: dict[str, Fetched | FetchError], n: int,
                 packaged: list[_Image], article: Article) -> str | None:
        """Add the image ``source`` (a local file or a fetched URL) as number ``n``: its name, or None and a warning."""
        if isinstance(source, str):
            result = fetched[source]
            if isinstance(result, FetchError):
                self.warn(f"remote image not embedded: {result}; its alt text and a link stand in", article.source)
                return None
            data, label = result.data, source
        else:
            label = source.name
            try:
                if source.stat().st_size > _MAX_IMAGE_BYTES:
                    raise ValueError(f"larger than {_MAX_IMAGE_BYTES // 1024 // 1024} MB")
                data = source.read_bytes()
            except (OSError, ValueError) as exc:
                self.warn(f"image {label} dropped ({exc}); its alt text stands in", article.source)
                return None
        try:
            image = _package_image(data, n)
        except ValueError as exc:
            self.warn(f"image {label} dropped: {exc}; its alt text stands in", article.source)
            return None
        packaged.append(image)
        return image.name


def _given_cover(path: Path) -> tuple[str, str, bytes]:
    from PIL import Image, UnidentifiedImageError

    try:
        data = path.read_bytes()
        with Image.open(io.BytesIO(data)) as picture:
            kind = picture.format
            picture.verify()
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise WriterError(f"--cover {path}: not a readable image ({exc})") from None
    if kind not in ("JPEG", "PNG"):
        raise WriterError(f"--cover {path}: a {kind} image; the cover must be a JPEG or a PNG")
    media_type, suffix = _CORE_IMAGES[kind]
    return "images/cover" + suffix, media_type, data


def generated_cover(title: str, dates: str, source: str) -> bytes:
    """A 1600x2400 JPEG showing the title, the date range and the source; same text -> same bytes.

    Drawn in a CJK-capable font found by fontconfig (Noto Serif CJK), so Chinese titles
    are not tofu; without one (``_cover_fonts()`` says so; the writer warns), Pillow's own
    font. No clock, no metadata:
    the JPEG depends only on the text (and the font and Pillow in use).
    """
    from PIL import Image, ImageDraw, ImageFont

    width, height, margin = 1600, 2400, 200
    ink, accent, paper = (34, 34, 38), (139, 30, 30), (245, 240, 230)
    image = Image.new("RGB", (width, height), paper)
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, width - 61, height - 61), outline=accent, width=8)
    draw.rectangle((84, 84, width - 85, height - 85), outline=accent, width=2)
    regular, bold = _cover_fonts()

    def font(size: int, heavy: bool = False):
        found = (bold or regular) if heavy else regular
        return ImageFont.truetype(found[0], size, index=found[1]) if found else ImageFont.load_default(size)

    def centred(lines: list[str], face, top: int, gap: float, fill) -> int:
        step = int(face.size * gap)
        for n, line in enumerate(lines):
            draw.text((width / 2, top + n * step), line, font=face, fill=fill, anchor="mt")
        return top + len(lines) * step

    if source:
        face = font(64)
        centred(_wrap(source, face, width - 2 * margin)[:2], face, 260, 1.4, accent)
    size = 150  # the largest title size that fits in six lines
    while True:
        face = font(size, heavy=True)
        lines = _wrap(title, face, width - 2 * margin)
        if len(lines) <= 6 or size <= 70:
            break
        size -= 10
    if len(lines) > 6:
        lines = lines[:5] + [lines[5][:-1] + "…"]
    block = int(size * 1.35) * len(lines)
    bottom = centred(lines, face, max(560, 1150 - block // 2), 1.35, ink)
    draw.line((width / 2 - 240, bottom + 60, width / 2 + 240, bottom + 60), fill=accent, width=6)
    if dates:
        face = font(72)
        centred(_wrap(dates, face, width - 2 * margin)[:2], face, bottom + 140, 1.4, ink)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, optimize=True)
    return out.getvalue()


@functools.lru_cache(maxsize=1)
def _cover_fonts() -> tuple[tuple[str, int] | None, tuple[str, int] | None]:
    """(regular, bold) CJK fonts as (file, face index) from fontconfig, or None."""

    def match(pattern: str) -> tuple[str, int] | None:
        try:
            done = subprocess.run(["fc-match", "-f", "%{file}\n%{index}\n%{lang}", pattern], capture_output=True,
                                  text=True, timeout=10, check=True)
        except (OSError, subprocess.SubprocessError):
            return None
        file, index, langs = (done.stdout.split("\n") + ["", "", ""])[:3]
        # fc-match always answers with some font: accept it only if it covers Chinese.
        if not Path(file).is_file() or "zh-cn" not in langs.split("|"):
            return None
        return file, int(index or 0)

    regular = match("Noto Serif CJK SC:lang=zh-cn") or match("Noto Sans CJK SC:lang=zh-cn")
    bold = match("Noto Serif CJK SC:lang=zh-cn:weight=bold") if regular else None
    return regular, bold


def _wrap(text: str, face, width: int) -> list[str]:
    """Lines no wider than ``width``: CJK breaks between any two characters, other text between words."""
    tokens = re.findall(r"\s+|[^\s\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+|.", " ".join(text.split()))
    lines, line = [], ""
    for token in tokens:
        if not (line + token).strip():
            continue
        if face.getlength((line + token).strip()) <= width:
            line += token
            continue
        if line.strip():
            lines.append(line.strip())
        line = token.lstrip()
        while face.getlength(line) > width and len(line) > 1:  # a word wider than the page: cut it
            cut = max(n for n in range(1, len(line) + 1) if face.getlength(line[:n]) <= width or n == 1)
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.strip())
    return lines


def _document(uid: str, file_name: str, text: str) -> _PackagedItem:
    """An XHTML document of the book, ready to be packaged (deflated and linted)."""
    return _PackagedItem(uid, _part(file_name, text.encode("utf-8")))


def _file(uid: str, file_name: str, media_type: str, data: bytes) -> _PackagedItem:
    """A file of the book that is no document of ours (stylesheet, image), deflated now, while chapters render."""
    return _PackagedItem(uid, _Part(file_name, _Entry.deflated(data), None, None), media_type=media_type)


def _add_document(book: epub.EpubBook, item: _PackagedItem) -> _PackagedItem:
    """Add a document to the book; the item, for the spine (ebooklib looks a uid up among all items per entry)."""
    book.add_item(item)
    return item


# The chapters' classes below have no __slots__: thousands of them come back pickled from the workers,
# and a slotted dataclass pickles field by field through fields(), about half as fast.
@dataclass(frozen=True)
class _Entry:
    """A file as the ZIP archive holds it: deflated (raw, as ``zipfile`` deflates) or stored."""

    data: bytes
    crc: int
    size: int  # before compression
    method: int  # zipfile.ZIP_DEFLATED or zipfile.ZIP_STORED

    @classmethod
    def deflated(cls, content: bytes) -> _Entry:
        # libdeflate: half zlib's time at the same level, and a slightly smaller book (raw deflate, as zip holds it).
        return cls(bytes(deflate.deflate_compress(content, _DEFLATE_LEVEL)), deflate.crc32(content), len(content),
                   zipfile.ZIP_DEFLATED)

    @classmethod
    def stored(cls, content: bytes) -> _Entry:
        return cls(content, deflate.crc32(content), len(content), zipfile.ZIP_STORED)


@dataclass(frozen=True)
class _Part:
    """One file of the book, ready to be packaged: its entry and, for a document, what the Kindle lint found in it.

    ``text`` is kept only when the document links to an id in another file: a split chapter may have
    moved that id to a later part (``_relink``); the others need only their compressed entry.
    """

    name: str  # in the package folder, e.g. a0003-2.xhtml
    entry: _Entry
    lint: FileLint | None  # None: not markup (a stylesheet, an image)
    text: bytes | None


def _part(name: str, content: bytes) -> _Part:
    return _parts([(name, content)])[0]


def _parts(documents: list[tuple[str, bytes]]) -> list[_Part]:
    """Documents (name in the package folder, bytes) linted, then deflated: each step over all of them
    in turn, which keeps each one's code and memory warm (a fifth faster than file by file)."""
    lints = [lint_file(f"{_FOLDER}/{name}", content) for name, content in documents]
    entries = [_Entry.deflated(content) for _, content in documents]
    return [_Part(name, entry, lint, content if any(file != lint.name for _, file, _ in lint.links) else None)
            for (name, content), lint, entry in zip(documents, lints, entries)]


@dataclass(frozen=True)
class _Rendered:
    """A chapter as the writer packages it: :class:`convert.render.Chapter` with its parts deflated and linted."""

    parts: tuple[_Part, ...]
    images: tuple[str, ...]
    moved: Mapping[str, str]
    oversized: tuple[str, ...]


class _PackagedItem(epub.EpubItem):
    """A file in ebooklib's book, already deflated (and linted, an XHTML document made by us): ebooklib lists
    it in the manifest and spine and hands it to ``_Entries`` as it is (a plain item, so ebooklib never
    re-parses a document: ``EpubHtml`` would, with lxml's HTML parser, which drops deep content and raises
    "Document is empty")."""

    def __init__(self, uid: str, part: _Part | None, file_name: str | None = None,
                 media_type: str = "application/xhtml+xml"):
        super().__init__(uid=uid, file_name=file_name or part.name, media_type=media_type)
        self.part = part  # None until the chapter is rendered (the OPF may be made before)

    def get_content(self, default=None) -> _Part:
        if self.part is None:
            raise WriterError(f"internal error: {self.file_name} packaged before it was rendered")
        return self.part


@dataclass(frozen=True, slots=True)
class _ChapterJob:
    """What rendering the chapters of one book takes; a worker process inherits it when forked."""

    articles: list[Article]
    files: list[str]
    section_of: list[str] | None  # article index -> its section page ("" if none); None: no navigation bar
    words: Mapping[str, str]
    resources: Resources
    links: BookLinks
    lang: str
    stylesheets: list[str]
    max_bytes: int

    def render(self, indexes: range) -> list[_Rendered]:
        """Chapters ``indexes`` (in the book's reading order), rendered, then linted and deflated together."""
        chapters = [render_chapter(self.articles[i], self.files[i], resources=self.resources, links=self.links,
                                   book_lang=self.lang, stylesheets=self.stylesheets, context={"nav": self._nav(i)},
                                   max_bytes=self.max_bytes) for i in indexes]
        parts = iter(_parts([(name, xhtml.encode("utf-8")) for chapter in chapters for name, xhtml in chapter.parts]))
        return [_Rendered(tuple(next(parts) for _ in chapter.parts), chapter.images, chapter.moved, chapter.oversized)
                for chapter in chapters]

    def _nav(self, i: int) -> list[tuple[str, str]]:
        """The navigation bar of chapter ``i``: previous, section, contents, next (none in a book of one article)."""
        return [] if self.section_of is None else _chapter_nav(self.files, i, self.section_of[i], self.words)

    def runs(self, workers: int = 1) -> list[range]:
        """The chapters in runs of at most ``_RUN``, in order. For ``workers`` processes, each run is also at
        most half of what each has left to do: runs shrink towards the end, and the workers finish
        together instead of one idling while the other renders its last long run."""
        count, start, runs = len(self.articles), 0, []
        while start < count:
            size = _RUN if workers == 1 else max(_MIN_RUN, min(_RUN, (count - start) // (2 * workers)))
            runs.append(range(start, min(start + size, count)))
            start += size
        return runs


# From this many chapters on, worker processes render them (forking costs more than a few chapters do).
_PARALLEL_FROM = 200
_RUN = 128  # chapters rendered one after the other, then linted and deflated together
_MIN_RUN = 8  # the last runs of a pool: smaller ones would cost more in handing them out than they save
_job: _ChapterJob | None = None  # in a worker process: the book whose chapters it renders


def _take_job(job: _ChapterJob) -> None:
    global _job
    _job = job


def _render_run(indexes: range) -> list[_Rendered]:
    assert _job is not None
    return _job.render(indexes)


class _ChapterRendering:
    """The chapters of a book, rendered (and deflated and linted) while the writer makes the rest of the book.

    A book of :data:`_PARALLEL_FROM` chapters or more is rendered by one forked worker per core, in
    runs of chapters handed out in order: a worker starts with the writer's articles, links and
    compiled templates, and only the finished chapters travel back. A smaller book, or one written
    from a process running other threads (forking those can leave a lock held forever in the
    child), is rendered here. Either way :meth:`results` gives the same chapters.
    """

    def __init__(self, job: _ChapterJob):
        self.job = job
        self.pool: ProcessPoolExecutor | None = None
        count, workers = len(job.articles), _workers()
        if count < _PARALLEL_FROM or workers < 2 or threading.active_count() > 1:
            return
        job.resources.template("chapter.xhtml")  # compiled once, before the workers inherit it
        # The workers inherit the resting cycle collector (see _build): walking the writer's objects
        # would copy every page they sit on into each worker (copy-on-write).
        self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                        initializer=_take_job, initargs=(job,))
        # Runs small enough to keep every worker busy to the end, and to bound what a worker holds.
        self.runs = [self.pool.submit(_render_run, run) for run in job.runs(workers)]

    def __enter__(self) -> _ChapterRendering:
        return self

    def __exit__(self, *exc_info) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def results(self) -> list[_Rendered]:
        """Every chapter, in the order of the book's articles."""
        if self.pool is not None:
            try:
                return [chapter for run in self.runs for chapter in run.result()]
            except Exception:  # noqa: BLE001  (rendered again below, where the error is raised as itself)
                # A worker's exception may not survive the trip back (not every exception pickles), and a
                # worker may die: rendering here raises the error with its own type and traceback.
                pass
        return [chapter for run in self.job.runs() for chapter in self.job.render(run)]


def _workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


_FRAGMENT_LINK = re.compile(rb'href="([^"#]+)#([^"]+)"')


def _relink(book: epub.EpubBook, relocated: dict[tuple[str, str], str]) -> None:
    """Point links to an id of a split chapter (``a0003.xhtml#x``) at the part that holds it (``a0003-2.xhtml#x``).

    Links are rewritten in the serialized documents (the canonical form double-quotes every
    attribute) and only in those that link to an id in another file (``_Part.text``) and name
    a split chapter; a document rewritten is deflated and linted again.
    """
    split = {file.encode() for file, _ in relocated}

    def target(match: re.Match) -> bytes:
        file, fragment = match.group(1).decode(), html.unescape(match.group(2).decode())
        part = relocated.get((file, fragment))
        return match.group(0) if part is None else b'href="' + part.encode() + b"#" + match.group(2) + b'"'

    for item in book.get_items():
        text = item.part.text if isinstance(item, _PackagedItem) else None
        if text is not None and any(b'href="' + file + b"#" in text for file in split):
            item.part = _part(item.part.name, _FRAGMENT_LINK.sub(target, text))


def _sections(grouped: list[tuple[str, list[Article]]]) -> list[dict]:
    """An anthology's sections as the contents and section templates take them (their ``entries`` added later),
    with the indexes of their articles in reading order; one unnamed section when the book has none."""
    groups, start = [], 0
    for label, members in grouped:
        groups.append((label, list(range(start, start + len(members)))))
        start += len(members)
    if len(groups) == 1 and not groups[0][0]:
        groups = []  # --group-by none
    return [{"title": label, "href": f"s{index:03d}.xhtml" if groups else "", "entries": [], "members": members}
            for index, (label, members) in enumerate(groups or [("", list(range(start)))], 1)]


def _page_runs(render: Callable[[range, int, int], str], count: int, limit: int) -> list[tuple[range, str]]:
    """A page listing ``count`` entries, as (the entries it lists, its text) of each of its parts in order:
    the whole page when it is within ``limit`` bytes, else parts each within it where an entry allows.

    ``render(run, part, parts)`` makes part ``part`` of ``parts`` listing the entries ``run``. The page
    is cut between entries (a chapter is cut in its body, which its template receives whole; here the
    template lists the entries itself): into as many parts as the entries' bytes need, with equally
    many entries each; a part still over the limit (its entries longer than the others) is halved.
    """
    whole = render(range(count), 1, 1)
    size = len(whole.encode())
    if size <= limit or count < 2:
        return [(range(count), whole)]
    frame = len(render(range(0), 1, 1).encode())  # all a part holds besides its entries, at most
    parts = min(count, -(-(size - frame) // max(1, limit - frame)))
    runs = [range(count * n // parts, count * (n + 1) // parts) for n in range(parts)]
    while True:
        texts = [render(run, n, len(runs)) for n, run in enumerate(runs, 1)]
        over = [n for n, text in enumerate(texts) if len(text.encode()) > limit and len(runs[n]) > 1]
        if not over:
            return list(zip(runs, texts))
        for n in reversed(over):
            run, half = runs[n], (runs[n].start + runs[n].stop) // 2
            runs[n:n + 1] = [range(run.start, half), range(half, run.stop)]


def _contents_sections(sections: list[dict], run: range) -> list[Fields]:
    """The sections as the contents page lists them in a part holding the articles ``run`` (reading-order
    indexes): those with articles in it, each with those articles' entries; ``continued`` when the section
    began in an earlier part, ``start`` the number of its first entry here."""
    listed = []
    for section in sections:
        members = section["members"]  # consecutive indexes in reading order
        first, stop = max(run.start, members[0]), min(run.stop, members[-1] + 1)
        if first < stop:
            skipped = first - members[0]
            listed.append(Fields(title=section["title"], href=section["href"], continued=skipped > 0,
                                  start=skipped + 1, entries=section["entries"][skipped:skipped + stop - first]))
    return listed


def _toc(sections: list[dict], articles: list[Article], files: list[str], lang: str, words,
         anthology: bool) -> list:
    """The table of contents (nav and NCX): the contents page, then each section with its chapters."""
    toc: list = [epub.Link("contents.xhtml", words["contents"], "toc-contents")] if anthology else []
    for section in sections:
        children = [epub.Link(files[i], articles[i].title.strip() or format_date(articles[i].date, lang),
                              "toc-" + _stem(files[i])) for i in section["members"]]
        if section["href"]:
            toc.append((epub.Section(section["title"], section["href"]), children))
        else:
            toc.extend(children)
    return toc


def _arrange(book: epub.EpubBook, head: list, lead: list, sections: list[dict],
             section_pages: dict[str, list[_PackagedItem]], layout: list[list[str]],
             tail: tuple) -> dict[str, _PackagedItem]:
    """Set the book's items and spine: ``head`` (items) and ``lead`` (spine) as they are, then each section's
    page (its parts) and its chapters' files (``layout``: article index -> file names), then ``tail``. The
    chapter files' items by name, their parts still to be set."""
    items: dict[str, _PackagedItem] = {}
    book.items = list(head)
    book.spine = list(lead)
    for section in sections:
        for page in section_pages.get(section["href"], ()):
            book.spine.append(_add_document(book, page))
        for i in section["members"]:
            for file_name in layout[i]:
                items[file_name] = _add_document(book, _PackagedItem(_stem(file_name), None, file_name))
                book.spine.append(items[file_name])
    for item in tail:
        book.add_item(item)
    return items


def _stem(file_name: str) -> str:
    """``a0003-2.xhtml`` -> ``a0003-2``: a document's uid (what ``Path.stem`` says, for thousands of names)."""
    return file_name.rpartition(".")[0] or file_name


def _chapter_nav(files: list[str], i: int, section_href: str, words) -> list[tuple[str, str]]:
    nav = []
    if i > 0:
        nav.append(("←", files[i - 1]))
    if section_href:
        nav.append(("↑", section_href))
    nav.append((words["contents"], "contents.xhtml"))
    if i + 1 < len(files):
        nav.append(("→", files[i + 1]))
    return nav


_GROUPINGS = ("category", "tag", "month", "none")
_SORTS = ("date", "title")


def _groups(articles, group_by: str | None, sort: str, lang: str) -> list[tuple[str, list[Article]]]:
    """(section label, its articles in order); one unlabelled group when the book has no sections.

    An article with several categories (tags) goes under its first only: a chapter is one
    file and the reading order must equal the nav order, so it cannot sit in two sections.
    Months follow the calendar; categories and tags the order their first article is read
    in, so a date-sorted book opens with the oldest post; articles without one come last.
    """
    if group_by not in (None, *_GROUPINGS):
        raise WriterError(f"cannot group a book by {group_by!r}: use one of {', '.join(_GROUPINGS)}")
    if sort not in _SORTS:
        raise WriterError(f"cannot sort a book by {sort!r}: use one of {', '.join(_SORTS)}")
    by_date = sorted(articles, key=lambda a: (a.date, a.id))
    if sort == "title":
        by_date.sort(key=lambda a: " ".join(a.title.split()).casefold() or "\uffff")  # stable: ties stay by date
    months = {(a.date.year, a.date.month) for a in articles}
    if group_by is None:
        group_by = "month" if len(months) > 1 else "none"
    if group_by == "none" or len(articles) < 2:
        return [("", by_date)]
    words = labels(lang)
    if group_by == "month":
        keys = {a.id: (a.date.year, a.date.month) for a in by_date}
        named = {k: format_month(k[0], k[1], lang) for k in months}
        order = sorted(months)
    else:
        terms = {a.id: (a.categories if group_by == "category" else a.tags) for a in by_date}
        keys = {a.id: (terms[a.id][0].strip() if terms[a.id] and terms[a.id][0].strip() else None) for a in by_date}
        order = list(dict.fromkeys(k for k in keys.values() if k is not None))
        if None in keys.values():
            order.append(None)
        named = {k: k for k in order if k is not None}
        named[None] = words["uncategorized" if group_by == "category" else "untagged"]
    members: dict = {k: [] for k in order}
    for article in by_date:
        members[keys[article.id]].append(article)
    return [(named[k], members[k]) for k in order]


def _series(book: epub.EpubBook, name: str, index: float | None) -> None:
    """The series both ways readers look for it: calibre's meta names and EPUB 3.0.1 collections."""
    position = None if index is None else f"{index:g}"
    book.add_metadata(None, "meta", "", {"name": "calibre:series", "content": name})
    if position is not None:
        book.add_metadata(None, "meta", "", {"name": "calibre:series_index", "content": position})
    book.add_metadata(None, "meta", name, {"property": "belongs-to-collection", "id": "series"})
    book.add_metadata(None, "meta", "series", {"refines": "#series", "property": "collection-type"})
    if position is not None:
        book.add_metadata(None, "meta", position, {"refines": "#series", "property": "group-position"})


def _first_line(article: Article) -> str:
    summary = " ".join(article.summary.split())
    return summary[:120] + ("…" if len(summary) > 120 else "")


def _title(collection: Collection, articles: list[Article], lang: str) -> str:
    if len(articles) == 1 and articles[0].title.strip():
        return articles[0].title.strip()
    return f"{_name(collection, articles, lang)} ({date_range(articles, lang)})"


def _name(collection: Collection, articles: list[Article], lang: str) -> str:
    """The book's name without its dates: the article's title for one article, else the site's."""
    if len(articles) == 1 and articles[0].title.strip():
        return articles[0].title.strip()
    return collection.site.title or articles[0].title.strip() or labels(lang)["untitled"]


def _modified(articles: list[Article]) -> dt.datetime:
    """dcterms:modified: SOURCE_DATE_EPOCH when set, else the newest change of any article."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return max(a.modified for a in articles).astimezone(dt.timezone.utc)


def _metadata(book: epub.EpubBook, collection: Collection, articles: list[Article], has_images: bool) -> None:
    site = collection.site
    creators = [site.author] if site.author else list(dict.fromkeys(x for a in articles for x in a.authors))
    for n, creator in enumerate(creators, 1):
        book.add_author(creator, uid=f"creator{n}")
    newest = max(a.date for a in articles).astimezone(dt.timezone.utc)
    book.add_metadata("DC", "date", newest.strftime("%Y-%m-%dT%H:%M:%SZ"))
    for subject in dict.fromkeys(x for a in articles for x in (*a.categories, *a.tags)):
        book.add_metadata("DC", "subject", subject)
    if site.title:
        book.add_metadata("DC", "publisher", site.title)
    source = site.absolute_root or (articles[0].permalink if len(articles) == 1 else "")
    if source:
        book.add_metadata("DC", "source", source)
    if site.description:
        book.add_metadata("DC", "description", site.description)
    # EPUB Accessibility 1.1 discovery metadata (schema.org), what the book really offers.
    modes = ["textual", "visual"] if has_images else ["textual"]
    features = ["structuralNavigation", "tableOfContents", "readingOrder"] + (["alternativeText"] if has_images else [])
    for prop, values in (("schema:accessMode", modes), ("schema:accessModeSufficient", ["textual"]),
                         ("schema:accessibilityFeature", features), ("schema:accessibilityHazard", ["none"])):
        for value in values:
            book.add_metadata(None, "meta", value, {"property": prop})
    summary = ("Text with headings, a table of contents and a reading order equal to the navigation order; "
               "images carry their alternative text; images the book does not hold are replaced by their "
               "description and a link.")
    book.add_metadata(None, "meta", summary, {"property": "schema:accessibilitySummary"})


def _on_site(url: str, site_root: str) -> bool:
    """Whether an image URL names a file of the site itself (relative, or under the site's own address)."""
    parts = urlsplit(url)
    if not parts.scheme and not url.startswith("//"):
        return True
    return bool(site_root) and url.startswith(site_root.rstrip("/") + "/")


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB".replace(".0 MB", " MB") if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _package_image(data: bytes, n: int) -> _Image:
    """``data`` as the book's image number ``n``, in a format EPUB readers must show; ValueError says why not.

    PNG, JPEG, GIF and WebP go in as they are; other raster formats (BMP, TIFF, ICO...) are
    converted to PNG; SVG goes in sanitized (:mod:`convert.svg`): a drawing, nothing active.
    """
    from PIL import Image, UnidentifiedImageError

    if looks_like_svg(data):
        try:
            return _Image(f"images/i{n:04d}.svg", "image/svg+xml", sanitize_svg(data))
        except UnsafeSvg as exc:
            raise ValueError(f"an SVG that cannot be made safe: {exc}") from None
    try:
        with Image.open(io.BytesIO(data)) as picture:
            kind = _CORE_IMAGES.get(picture.format or "")
            if kind is None:  # readers need not show BMP, TIFF, ICO...; PNG they must
                out = io.BytesIO()
                picture.convert("RGBA" if "A" in picture.getbands() else "RGB").save(out, "PNG")
                data, kind = out.getvalue(), _CORE_IMAGES["PNG"]
    except UnidentifiedImageError:
        raise ValueError("not an image format Pillow knows (nor SVG)") from None
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValueError(f"unreadable ({exc})") from None
    return _Image(f"images/i{n:04d}{kind[1]}", kind[0], data)


class _Entries:
    """Stands in for the ZipFile ebooklib writes to: keeps the files, in order, for ``_package`` to zip once.

    Our documents come as their :class:`_Part` (``_PackagedItem.get_content``, and the nav and
    NCX made by ``_PackageWriter.make_navigation``), already deflated and linted.
    """

    def __init__(self) -> None:
        self.entries: dict[str, bytes | _Part] = {}

    def writestr(self, name, data, compress_type=None) -> None:
        name = name.filename if isinstance(name, zipfile.ZipInfo) else name
        self.entries[name] = data.encode("utf-8") if isinstance(data, str) else data

    def close(self) -> None:
        pass


class _PackageWriter(epub.EpubWriter):
    """ebooklib's writer making the OPF, nav and NCX, with the zip left to ``_package``.

    The same steps as ``EpubWriter.write``, into ``_Entries``: zipping ebooklib's archive
    and then re-zipping it reproducibly would compress every file twice. The nav and NCX
    need only the table of contents (no page list: our documents are plain items, in which
    ebooklib looks for none), so ``make_navigation`` can make them before the chapters are done;
    the OPF needs the files' names only, so ``make_package`` can make it then too.
    """

    def __init__(self, book: epub.EpubBook, modified: dt.datetime):
        super().__init__(None, book, {"mtime": modified, "epub3_landmark": False, "epub2_guide": False,
                                      "epub3_pages": False, "raise_exceptions": True})
        self.modified = modified
        self.navigation: dict[type, _Part] = {}
        self.package: _Part | None = None

    def make_package(self) -> None:
        """The OPF for the book's metadata, items and spine as they are now (not their content), deflated and linted."""
        self.package, self.out = None, _Entries()
        self._write_opf()
        ((name, opf),) = self.out.entries.items()
        self.package = _part(name.removeprefix(f"{self.book.FOLDER_NAME}/"), opf)

    def _write_opf(self) -> None:
        if self.package is None:
            super()._write_opf()
        else:
            self.out.writestr(f"{self.book.FOLDER_NAME}/{self.package.name}", self.package)

    def make_navigation(self, ncx: epub.EpubNcx, nav: epub.EpubNav) -> None:
        """The NCX and the nav document ``nav``, from the book's table of contents, deflated and linted."""
        self.navigation = {epub.EpubNcx: _part(ncx.file_name, _ncx_document(self.book)),
                           epub.EpubNav: _part(nav.file_name, _nav_document(self.book, nav))}

    def _get_ncx(self):
        return self.navigation.get(epub.EpubNcx) or super()._get_ncx()

    def _get_nav(self, item):
        return self.navigation.get(epub.EpubNav) or super()._get_nav(item)

    def write(self) -> None:
        self.out = _Entries()
        self._write_container()
        self._write_opf()
        self._write_items()


def _toc_entries(toc: list) -> list[tuple[epub.Link | epub.Section, list[epub.Link]]]:
    """``book.toc`` as ``_toc`` makes it: (section, its chapters) or (top-level link, [])."""
    entries = []
    for entry in toc:
        head, children = entry if isinstance(entry, tuple) else (entry, [])
        if not head.href or not all(isinstance(child, epub.Link) for child in children):
            raise WriterError(f"internal error: a table of contents entry of another shape: {head.title!r}")
        entries.append((head, children))
    return entries


def _text(value: str) -> str:
    """Character data as lxml serializes it."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _attribute(value: str) -> str:
    """An attribute value as lxml serializes it (in double quotes)."""
    return _text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


# The nav and the NCX are written here, byte for byte as ebooklib's _get_nav and _get_ncx write them
# (lxml, pretty-printed), as text: ebooklib's way took three times as long (a relpath per entry).
def _nav_document(book: epub.EpubBook, nav: epub.EpubNav) -> bytes:
    """The EPUB 3 nav document of ``book.toc``."""
    title = _text(nav.title or book.title)
    lines = ["<?xml version='1.0' encoding='utf-8'?>", "<!DOCTYPE html>",
             f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
             f'lang="{_attribute(book.language)}" xml:lang="{_attribute(book.language)}">',
             "  <head>", f"    <title>{title}</title>"]
    lines += [f'    <link href="{_attribute(link.get("href", ""))}" rel="stylesheet" type="text/css"/>'
              for link in nav.links]
    lines += ["  </head>", f'  <body dir="{_attribute(nav.direction)}">' if nav.direction else "  <body>",
              '    <nav epub:type="toc" id="id" role="doc-toc">', f"      <h2>{title}</h2>", "      <ol>"]
    for entry, children in _toc_entries(book.toc):
        link = f'<a href="{_attribute(entry.href)}">{_text(entry.title)}</a>'
        if isinstance(entry, epub.Section) and children:
            lines += ["        <li>", f"          {link}", "          <ol>"]
            for child in children:
                lines += ["            <li>", f'              <a href="{_attribute(child.href)}">{_text(child.title)}</a>',
                          "            </li>"]
            lines += ["          </ol>", "        </li>"]
        elif isinstance(entry, epub.Section):
            lines += ["        <li>", f"          {link}", "          <ol/>", "        </li>"]
        else:
            lines += ["        <li>", f"          {link}", "        </li>"]
    lines += ["      </ol>", "    </nav>", "  </body>", "</html>", ""]
    return "\n".join(lines).encode("utf-8")


def _ncx_document(book: epub.EpubBook) -> bytes:
    """The EPUB 2 NCX of ``book.toc`` (no play order, as ebooklib's default)."""
    lines = ["<?xml version='1.0' encoding='utf-8'?>",
             '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">', "  <head>",
             f'    <meta content="{_attribute(book.uid)}" name="dtb:uid"/>',
             '    <meta content="0" name="dtb:depth"/>', '    <meta content="0" name="dtb:totalPageCount"/>',
             '    <meta content="0" name="dtb:maxPageNumber"/>', "  </head>",
             "  <docTitle>", f"    <text>{_text(book.title)}</text>", "  </docTitle>", "  <navMap>"]

    def point(indent: str, uid: str, title: str, src: str, children=()) -> None:
        lines.extend((f'{indent}<navPoint id="{_attribute(uid)}">', f"{indent}  <navLabel>",
                      f"{indent}    <text>{_text(title)}</text>", f"{indent}  </navLabel>",
                      f'{indent}  <content src="{_attribute(src)}"/>'))
        for child in children:
            point(indent + "  ", child.uid, child.title, child.href)
        lines.append(f"{indent}</navPoint>")

    sections = 0
    for entry, children in _toc_entries(book.toc):
        if isinstance(entry, epub.Section):
            point("    ", f"sep_{sections}", entry.title, entry.href, children)
            sections += 1
        else:
            point("    ", entry.uid, entry.title, entry.href)
    lines += ["  </navMap>", "</ncx>", ""]
    return "\n".join(lines).encode("utf-8")


def _package(writer: _PackageWriter) -> tuple[bytes, dict[str, int]]:
    """The book as a reproducible EPUB (``mimetype`` first and stored, then ebooklib's files, fixed
    times), linted for Send-to-Kindle; and what each file costs in it (its entry, compressed, with
    its headers).

    The lint sees every markup file before it is zipped: our documents were linted where they
    were made, the rest (the OPF) is linted here. A book it finds a problem in is refused
    (``WriterError``): the built-in templates never make one, a user's own template still can.
    """
    writer.process()
    writer.write()
    entries = {"mimetype": _Entry.stored(b"application/epub+zip")}
    lints: list[FileLint] = []
    for name, content in writer.out.entries.items():
        if isinstance(content, _Part):
            if f"{_FOLDER}/{content.name}" != name:  # linted under another name: its links would have been misread
                raise WriterError(f"internal error: {content.name} packaged as {name}, not in {_FOLDER}/")
            entries[name] = content.entry
            if content.lint is not None:
                lints.append(content.lint)
        else:
            entries[name] = _Entry.deflated(content)
            if name.lower().endswith(MARKUP):
                lints.append(lint_file(name, content))
    problems = problems_of(lints)
    if problems:  # never hand over a book Send-to-Kindle would reject
        raise WriterError("the EPUB would be rejected by Send-to-Kindle: " + "; ".join(problems))
    stamp = max(writer.modified, dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc)).timetuple()[:6]
    return _zip(entries, stamp), {name: len(e.data) + 2 * len(name) + 76 for name, e in entries.items()}


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_CENTRAL_HEADER = struct.Struct("<4s4B4HL2L5H2L")


def _zip(entries: Mapping[str, _Entry], stamp: tuple[int, ...]) -> bytes:
    """A ZIP archive of ``entries`` (name -> entry, in order), byte for byte what ``zipfile`` writes for
    them with ``ZipInfo(name, date_time=stamp)``, made on Unix (``create_system`` 3), mode 644.

    Written here because ``zipfile`` cannot take a file deflated elsewhere (the chapters are
    deflated in the worker that rendered them). Up to 2 GB, as ``zipfile`` writes without
    ZIP64 extra fields; more than 65,535 files take its ZIP64 end records.
    """
    dos_date = (stamp[0] - 1980) << 9 | stamp[1] << 5 | stamp[2]
    dos_time = stamp[3] << 11 | stamp[4] << 5 | stamp[5] // 2
    chunks: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for name, entry in entries.items():
        # An ASCII name as it is; another in UTF-8, which bit 11 of the flags says (APPNOTE 4.4.4).
        encoded, flags = (name.encode("ascii"), 0) if name.isascii() else (name.encode("utf-8"), 0x800)
        fields = (entry.method, dos_time, dos_date, entry.crc, len(entry.data), entry.size, len(encoded))
        header = _LOCAL_HEADER.pack(b"PK\x03\x04", 20, 0, flags, *fields, 0)
        directory += (_CENTRAL_HEADER.pack(b"PK\x01\x02", 20, 3, 20, 0, flags, *fields, 0, 0, 0, 0, 0o644 << 16,
                                           offset), encoded)
        chunks += (header, encoded, entry.data)
        offset += len(header) + len(encoded) + len(entry.data)
    listing = b"".join(directory)
    if offset + len(listing) > _ZIP64_LIMIT or max(e.size for e in entries.values()) * 1.05 > _ZIP64_LIMIT:
        raise WriterError(f"the EPUB would be {_size(offset + len(listing))}: over 2 GB, which no e-reader opens; "
                          "use --split-every N or --split-by month")
    count, records = len(entries), []
    if count > 0xFFFF:  # a ZIP64 end record and its locator; the classic end record then says 0xFFFF files
        records.append(struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(listing), offset))
        records.append(struct.pack("<4sLQL", b"PK\x06\x07", 0, offset + len(listing), 1))
        count = 0xFFFF
    records.append(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(listing), offset, 0))
    return b"".join(chunks) + listing + b"".join(records)

