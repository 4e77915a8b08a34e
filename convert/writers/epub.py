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
(260 KB); a book over ``max_book_bytes`` (50 MB) comes out of ``documents`` as volumes.
Images: local files from the source tree and, with ``--fetch-remote``, remote ones
through :mod:`convert.fetch`; rasters EPUB lacks become PNG, SVG is sanitized by
:mod:`convert.svg`. What the book cannot hold is reported with ``Writer.warn``.
ebooklib makes the package files (OPF, nav, NCX) and this module zips them so the
same input gives the same bytes.

ebooklib is held at arm's length: chapters are added as plain items with the
bytes we rendered (``EpubHtml`` would re-parse them with lxml's HTML parser,
which drops deep content and raises "Document is empty"), its writer hands its
files over in memory with errors raised (``write_epub`` swallows them and leaves
a truncated file), and its ``uuid4`` identifier and ``now()`` timestamps are
replaced by values derived from the content.

Every book is linted for Send-to-Kindle before it is returned (:func:`kindle_lint`):
Amazon rejects with error E999 some EPUBs that EPUBCheck accepts, and the writer
raises ``WriterError`` rather than hand over such a book (a user's own template can
still produce one).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import re
import subprocess
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import unescape as xml_unescape

from ebooklib import epub
from lxml import etree

from ..errors import FetchError, WriterError
from ..model import Article, Collection
from ..render import (BookLinks, article_urls, body_ids, date_range, format_date, format_month, is_rtl, labels,
                      normalize_lang, primary, render_chapter, source_file)
from ..svg import UnsafeSvg, looks_like_svg, sanitize_svg
from .base import Document, Writer

if TYPE_CHECKING:
    from ..fetch import Fetched

# uuid5 namespace for book identifiers: same articles -> same urn:uuid.
_BOOK_NAMESPACE = uuid.UUID("5f0f5cb5-8a3c-4b8e-9d57-0c2d0e3b6a11")
_STYLESHEET = "style/book.css"
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
            ids={f: body_ids(a.body) for a, f in zip(articles, files)},
            images=image_map,
        )
        whole_title = self.options.title or _title(collection, articles, lang)
        name = self.options.title or _name(collection, articles, lang)
        title = whole_title if volume is None else words["volume"].format(title=volume.title, n=number)
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
        if self.options.writing_mode not in _WRITING_MODES:
            raise WriterError(f"unknown writing mode {self.options.writing_mode!r}: use one of "
                              + ", ".join(_WRITING_MODES))
        if self.options.writing_mode == "vertical-rl":
            if primary(lang) in ("zh", "ja"):
                book.set_direction("rtl")  # vertical lines run right to left, so do the pages
            else:
                self.warn(f"--epub-writing-mode vertical-rl: the book is in {lang!r}; only its Chinese and "
                          "Japanese documents are set vertically")
            # Appended in the writer, not in epub.css, so that it follows the option even with an overridden sheet.
            sheets.append(_VERTICAL_CSS)
        css = "\n".join(sheets)
        book.add_item(epub.EpubItem(uid="css", file_name=_STYLESHEET, media_type="text/css", content=css.encode()))
        for image in images:
            book.add_item(epub.EpubItem(uid=Path(image.name).stem, file_name=image.name, media_type=image.media_type,
                                        content=image.data))

        anthology = len(articles) > 1
        spine: list = []
        sheet = [_STYLESHEET]
        # The cover: the user's picture or one drawn here; e-readers show it in their library.
        cover_name, cover_type, cover_data = self._cover(
            collection, articles, lang, name if volume is None else words["volume"].format(title=volume.name, n=number))
        cover_item = epub.EpubItem(uid="cover-image", file_name=cover_name, media_type=cover_type, content=cover_data)
        cover_item.properties = ["cover-image"]
        book.add_item(cover_item)
        book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})  # EPUB 2 readers, Kindle
        page = self.resources.template("cover.xhtml").render(title=title, src=cover_name, lang=lang,
                                                             dir="rtl" if is_rtl(lang) else "", stylesheets=sheet)
        spine.append(_add_document(book, "cover", "cover.xhtml", page))
        groups, start = [], 0
        for label, members in grouped:
            groups.append((label, list(range(start, start + len(members)))))
            start += len(members)
        if len(groups) == 1 and not groups[0][0]:
            groups = []  # --group-by none
        toc: list = []
        context = {"lang": lang, "dir": "rtl" if is_rtl(lang) else "", "labels": words, "stylesheets": sheet}
        if anthology:
            sections = []
            for index, (label, members) in enumerate(groups or [("", list(range(len(articles))))], 1):
                entries = [{"title": articles[i].title.strip() or format_date(articles[i].date, lang),
                            "href": files[i], "date_text": format_date(articles[i].date, lang),
                            "summary": _first_line(articles[i])} for i in members]
                sections.append({"title": label, "href": f"s{index:03d}.xhtml" if groups else "",
                                 "entries": entries, "members": members})
            contents = self.resources.template("contents.xhtml").render(
                title=title, subtitle=date_range(articles, lang), sections=sections, **context)
            spine.append(_add_document(book, "contents", "contents.xhtml", contents))
            toc.append(epub.Link("contents.xhtml", words["contents"], "toc-contents"))
        else:
            sections = [{"title": "", "href": "", "entries": [], "members": [0]}]

        relocated: dict[tuple[str, str], str] = {}  # (chapter file, id) -> the part holding it, for split chapters
        contents_of: dict[int, list[str]] = {}  # article index -> its files in the package (parts, images)
        for section in sections:
            children = []
            if section["href"]:
                page = self.resources.template("section.xhtml").render(
                    title=section["title"], entries=section["entries"], contents="contents.xhtml", **context)
                uid = Path(section["href"]).stem
                spine.append(_add_document(book, uid, section["href"], page))
            for i in section["members"]:
                article, file_name = articles[i], files[i]
                nav = _chapter_nav(files, i, section["href"], words) if anthology else []
                chapter = render_chapter(article, file_name, resources=self.resources, links=links, book_lang=lang,
                                         stylesheets=sheet, context={"nav": nav}, max_bytes=self.max_chapter_bytes)
                for part_name, xhtml in chapter.parts:
                    spine.append(_add_document(book, Path(part_name).stem, part_name, xhtml))
                contents_of[i] = [name for name, _ in chapter.parts] + list(chapter.images)
                for part_name in chapter.oversized:
                    self.warn(f"{part_name} is larger than {self.max_chapter_bytes // 1000} KB, which some e-readers "
                              "refuse: one paragraph, preformatted block or table row of the article is that large "
                              "on its own and cannot be split", article.source)
                relocated.update({(file_name, id_): part for id_, part in chapter.moved.items()})
                uid = Path(file_name).stem
                children.append(epub.Link(file_name, article.title.strip() or format_date(article.date, lang),
                                          "toc-" + uid))
            if section["href"]:
                toc.append((epub.Section(section["title"], section["href"]), children))
            else:
                toc.extend(children)

        if relocated:
            _relink(book, relocated)
        book.toc = toc
        book.add_item(epub.EpubNcx())
        nav_item = epub.EpubNav(title=words["contents"])
        nav_item.add_link(href=_STYLESHEET, rel="stylesheet", type="text/css")
        book.add_item(nav_item)
        book.spine = spine
        data = _package(book, _modified(articles))
        problems = kindle_lint(data)
        if problems:  # never hand over a book Send-to-Kindle would reject
            raise WriterError("the EPUB would be rejected by Send-to-Kindle: " + "; ".join(problems))
        # What each article costs in the package (compressed, with its zip entries), to cut volumes by.
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            stored = {info.filename: info.compress_size + 2 * len(info.filename) + 76 for info in package.infolist()}
        costs = [(article, sum(stored["EPUB/" + f] for f in contents_of[i])) for i, article in enumerate(articles)]
        used = {"EPUB/" + f for names in contents_of.values() for f in names}
        frame = sum(size for entry, size in stored.items() if entry not in used)
        return _Built(data, costs, frame, whole_title, name)


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


def _add_document(book: epub.EpubBook, uid: str, file_name: str, text: str) -> epub.EpubItem:
    """Add an XHTML document; the item, for the spine (ebooklib looks a uid up among all items, per spine entry)."""
    # A plain item: ebooklib keeps our bytes as they are (EpubHtml would re-parse them).
    item = epub.EpubItem(uid=uid, file_name=file_name, media_type="application/xhtml+xml",
                         content=text.encode("utf-8"))
    book.add_item(item)
    return item


_FRAGMENT_LINK = re.compile(rb'href="([^"#]+)#([^"]+)"')


def _relink(book: epub.EpubBook, relocated: dict[tuple[str, str], str]) -> None:
    """Point links to an id of a split chapter (``a0003.xhtml#x``) at the part that holds it (``a0003-2.xhtml#x``).

    Links are rewritten in the serialized chapters (the canonical form double-quotes every
    attribute) and only in those that name a split chapter at all.
    """
    split = {file.encode() for file, _ in relocated}

    def target(match: re.Match) -> bytes:
        file, fragment = match.group(1).decode(), xml_unescape(match.group(2).decode(), {"&quot;": '"'})
        part = relocated.get((file, fragment))
        return match.group(0) if part is None else b'href="' + part.encode() + b"#" + match.group(2) + b'"'

    for item in book.get_items_of_media_type("application/xhtml+xml"):
        if any(b'href="' + file + b"#" in item.content for file in split):
            item.content = _FRAGMENT_LINK.sub(target, item.content)


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
    """Stands in for the ZipFile ebooklib writes to: keeps the entries, in order, for ``_package`` to zip once."""

    def __init__(self) -> None:
        self.entries: dict[str, bytes] = {}

    def writestr(self, name, data, compress_type=None) -> None:
        name = name.filename if isinstance(name, zipfile.ZipInfo) else name
        self.entries[name] = data.encode("utf-8") if isinstance(data, str) else data

    def close(self) -> None:
        pass


class _PackageWriter(epub.EpubWriter):
    """ebooklib's writer making the OPF, nav and NCX, with the zip left to ``_package``.

    The same steps as ``EpubWriter.write``, into ``_Entries``: zipping ebooklib's archive
    and then re-zipping it reproducibly would compress every file twice.
    """

    def write(self) -> None:
        self.out = _Entries()
        self._write_container()
        self._write_opf()
        self._write_items()


def _package(book: epub.EpubBook, modified: dt.datetime) -> bytes:
    """The book as a reproducible EPUB: ``mimetype`` first and stored, then ebooklib's files, fixed times."""
    writer = _PackageWriter(None, book, {"mtime": modified, "epub3_landmark": False, "epub2_guide": False,
                                         "raise_exceptions": True})
    writer.process()
    writer.write()
    stamp = max(modified, dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc)).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        entries = {"mimetype": b"application/epub+zip", **writer.out.entries}
        for name, content in entries.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            target.writestr(info, content)
    return out.getvalue()


# Send-to-Kindle lint: the problems the community fixers (kindle-epub-fix and the like) repair
# because Amazon answers them with error E999, although EPUBCheck accepts them.
_MARKUP = (".xhtml", ".html", ".htm", ".opf", ".ncx")
_XML_DECLARATION = re.compile(rb"""\A(?:\xef\xbb\xbf)?<\?xml\s[^>]*?\bencoding\s*=\s*(["'])utf-8\1[^>]*\?>""",
                              re.IGNORECASE)
_XHTML = "{http://www.w3.org/1999/xhtml}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_DC_LANGUAGE = "{http://purl.org/dc/elements/1.1/}language"
_NCX_CONTENT = "{http://www.daisy.org/z3986/2005/ncx/}content"
_LANG_ATTRIBUTES = etree.XPath("//@lang | //@xml:lang")
# Link targets with a fragment: every href, and the NCX's content/@src.
_FRAGMENT_TARGETS = etree.XPath("//@href[contains(., '#')] | //ncx:content/@src[contains(., '#')]",
                                namespaces={"ncx": "http://www.daisy.org/z3986/2005/ncx/"})
# RFC 5646 (BCP 47) well-formedness: langtag, private use, or a grandfathered tag.
_BCP47 = re.compile(r"""
    (?: (?: [a-z]{2,3} (?:-[a-z]{3}){0,3} | [a-z]{4,8} )   # language, extlang
        (?: -[a-z]{4} )?                                    # script
        (?: -(?:[a-z]{2}|[0-9]{3}) )?                       # region
        (?: -(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}) )*          # variants
        (?: -[0-9a-wyz](?:-[a-z0-9]{2,8})+ )*               # extensions
        (?: -x(?:-[a-z0-9]{1,8})+ )?                        # private use
    | x(?:-[a-z0-9]{1,8})+
    | en-gb-oed | i-(?:ami|bnn|default|enochian|hak|klingon|lux|mingo|navajo|pwn|tao|tay|tsu)
    | sgn-(?:be-fr|be-nl|ch-de) | art-lojban | cel-gaulish | no-(?:bok|nyn) | zh-(?:guoyu|hakka|min|min-nan|xiang)
    )""", re.IGNORECASE | re.VERBOSE)


def is_language_tag(tag: str) -> bool:
    """Whether ``tag`` is a well-formed BCP 47 language tag (``zh-CN``, ``en``, ``und``; not ``C`` or ``zh_CN``).

    Form only, as RFC 5646 defines it: a well-formed tag need not be registered (``POSIX`` is well-formed)."""
    return bool(_BCP47.fullmatch(tag))


def kindle_lint(data: bytes) -> list[str]:
    """What Send-to-Kindle would reject in this EPUB, one readable message per problem, naming the file.

    Checked: an XHTML, OPF or NCX file without an XML declaration saying ``encoding="utf-8"``;
    a link whose fragment targets a ``<body>`` id; a language tag (``dc:language``, ``lang``,
    ``xml:lang``) that is not well-formed BCP 47; an ``<img>`` without a ``src``. A markup file
    that is not well-formed XML is reported too, as nothing else can be checked in it.
    """
    problems: list[str] = []
    body_ids: dict[str, str] = {}
    fragment_links: list[tuple[str, str, str, str]] = []  # (file, link as written, target file, fragment)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        return [f"not a ZIP archive ({exc})"]
    with book:
        # One file at a time, so that a book of 10,000 chapters is never 10,000 trees in memory.
        for name in (n for n in book.namelist() if n.lower().endswith(_MARKUP)):
            content = book.read(name)
            if not _XML_DECLARATION.match(content):
                problems.append(f'{name}: no XML declaration with encoding="utf-8"')
            try:
                tree = etree.fromstring(content, parser)
            except etree.XMLSyntaxError as exc:
                problems.append(f"{name}: not well-formed XML ({exc})")
                continue
            # XPath walks the tree in C: a Python loop over every element costs more than the parse.
            for tag in _LANG_ATTRIBUTES(tree):
                element = tag.getparent()
                # An empty lang on an inner element is allowed (language unknown); on the root it is not.
                if (tag or element is tree) and not is_language_tag(tag):
                    problems.append(f"{name}: bad language tag {str(tag)!r} on <{etree.QName(element).localname}>")
            for element in tree.iter(_DC_LANGUAGE):
                if not is_language_tag((element.text or "").strip()):
                    problems.append(f"{name}: bad language tag {element.text!r} in dc:language")
            for element in tree.iter(_XHTML + "img"):
                if not (element.get("src") or "").strip():
                    problems.append(f"{name}: <img> without src")
            for element in tree.iter(_XHTML + "body"):
                if element.get("id"):
                    body_ids[name] = element.get("id")
            for target in _FRAGMENT_TARGETS(tree):
                if not urlsplit(target).scheme:
                    path, fragment = target.split("#", 1)
                    if fragment:
                        fragment_links.append((name, str(target), _resolve(name, unquote(path)) if path else name,
                                               unquote(fragment)))
    for name, target, file, fragment in fragment_links:
        if body_ids.get(file) == fragment:
            problems.append(f"{name}: link {target!r} targets the <body> id of {file}")
    return problems


def _resolve(base: str, relative: str) -> str:
    """The archive name ``relative`` points to from the file ``base``."""
    parts = base.split("/")[:-1]
    for part in relative.split("/"):
        if part == "..":
            parts = parts[:-1]
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)
