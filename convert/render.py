"""Articles as chapter XHTML documents: the one HTML rendering EPUB and PDF share.

A writer builds a :class:`BookLinks` (which article lives in which file, which
image was packaged under which name) and calls :func:`render_chapter` with the
template name and the stylesheets it wants; everything else is decided here once:

* the canonical body is re-parsed as XML (it is XHTML-safe by contract) and
  re-serialized, so a chapter is well-formed whatever the template does;
* footnotes become EPUB 3 notes (``epub:type="noteref"`` on the reference,
  ``aside epub:type="footnote"`` for the note) so readers show them as pop-ups;
* links to another article of the same book point inside the book, fragments
  that name no element are dropped, relative links that lead nowhere are unlinked;
* local images point to their packaged file; any other image is replaced by its
  alt text and a link (``class="remote-image"``): a book never loads a remote file;
* duplicate ids are renamed, every ``img`` has an ``alt``;
* dates are written as the reader's language writes them (``2022年5月27日``, ``27 May 2022``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence
from urllib.parse import urlsplit

from lxml import etree
from markupsafe import Markup

from .model import Article
from .resources import Resources
from .text import normalize_lang

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
_X = "{%s}" % XHTML_NS
_EPUB_TYPE = "{%s}type" % EPUB_NS

# huge_tree: a body may hold a text node over 10 MB, which libxml2 would otherwise refuse.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)
_RTL = frozenset({"ar", "fa", "he", "ur", "yi", "ps", "dv", "ku", "sd", "ug"})
_LINK_SCHEMES = frozenset({"http", "https", "mailto", "ftp", "tel"})
_ID_ATTR = re.compile(r'\sid="([^"]*)"')


class Fields(dict):
    """A dict whose keys are attributes too, for templates: ``entry.title`` finds the value at once (for a
    plain dict Jinja tries the attribute first and fails, which costs more than rendering a list entry),
    and ``entry["title"]`` works as for any dict."""

    def __init__(self, **fields):
        super().__init__(fields)
        self.__dict__.update(fields)


_WORDS = {
    "zh": {"contents": "目录", "original": "原文链接", "categories": "分类", "tags": "标签", "image": "图片",
           "authors_sep": "、", "terms_sep": "、", "untitled": "无题", "notes": "注释", "month": "{y}年{m}月",
           "summary": "{n}篇文章", "uncategorized": "未分类", "untagged": "无标签", "volume": "{title}（第{n}卷）"},
    "ja": {"contents": "目次", "original": "元の記事", "categories": "カテゴリー", "tags": "タグ", "image": "画像",
           "authors_sep": "、", "terms_sep": "、", "untitled": "無題", "notes": "注", "month": "{y}年{m}月",
           "summary": "{n}件の記事", "uncategorized": "未分類", "untagged": "タグなし", "volume": "{title}（第{n}巻）"},
    "en": {"contents": "Contents", "original": "Original article", "categories": "Categories", "tags": "Tags",
           "image": "image", "authors_sep": ", ", "terms_sep": ", ", "untitled": "Untitled", "notes": "Notes",
           "month": "{month_name} {y}", "summary": "{n} articles", "uncategorized": "Uncategorized",
           "untagged": "Untagged", "volume": "{title}, volume {n}"},
}
_LABELS = {lang: Fields(**words) for lang, words in _WORDS.items()}  # templates read labels.contents
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def primary(lang: str) -> str:
    return lang.split("-", 1)[0].lower()


def is_rtl(lang: str) -> bool:
    return primary(lang) in _RTL


def labels(lang: str) -> Mapping[str, str]:
    """The words a book's own pages need, in ``lang`` (English when it has none)."""
    return _LABELS.get(primary(lang), _LABELS["en"])


def format_date(date, lang: str) -> str:
    """A date as the reader's language writes it, in the article's own UTC offset."""
    p = primary(lang)
    if p in ("zh", "ja"):
        return f"{date.year}年{date.month}月{date.day}日"
    if p == "ko":
        return f"{date.year}년 {date.month}월 {date.day}일"
    if p == "en" or p == "und":
        return f"{date.day} {_MONTHS[date.month - 1]} {date.year}"
    return date.date().isoformat()  # unambiguous where we know no convention


def format_month(year: int, month: int, lang: str) -> str:
    pattern = labels(lang)["month"]
    return pattern.format(y=year, m=month, month_name=_MONTHS[month - 1])


@dataclass(frozen=True, slots=True)
class BookLinks:
    """Where things are inside the book.

    ``chapters``: an article's URLs (permalink, id) -> its file name.
    ``ids``: file name -> the element ids it has, so a fragment is kept only when it leads somewhere.
    ``images``: (article id, image URL as in the body) -> the packaged file name.
    """

    chapters: Mapping[str, str] = field(default_factory=dict)
    ids: Mapping[str, frozenset[str]] = field(default_factory=dict)
    images: Mapping[tuple[str, str], str] = field(default_factory=dict)
    # PDF: every article lives in one HTML document; a "file name" is then the article's
    # id prefix, and a link to it is "#prefix" or "#prefix-fragment".
    single_document: bool = False

    def chapter_for(self, url: str) -> str | None:
        if url in self.chapters:
            return self.chapters[url]
        # Jekyll serves "x.html" as "x" and "x/" as "x/index.html": one article, several URLs.
        for variant in (url + ".html", url.removesuffix(".html"), url.rstrip("/"), url.removesuffix("index.html")):
            if variant and variant in self.chapters:
                return self.chapters[variant]
        return None


def article_urls(article: Article) -> list[str]:
    """The URLs other articles may use to link to ``article``."""
    return [u for u in dict.fromkeys((article.permalink, article.id)) if u]


def body_ids(body: str) -> frozenset[str]:
    """The ids of a canonical body (a regex suffices: the canonical form double-quotes every attribute)."""
    return frozenset(_ID_ATTR.findall(body))


@dataclass(frozen=True, slots=True)
class Chapter:
    """A rendered chapter: its XHTML file(s) and what a writer may want to know about it.

    ``parts`` holds (file name, XHTML document) of each file the chapter is made of,
    the first named as asked; there are several only when ``render_chapter`` was given
    ``max_bytes`` and the chapter is larger.
    """

    parts: tuple[tuple[str, str], ...]
    lang: str
    images: tuple[str, ...]  # packaged image names it uses
    moved: Mapping[str, str] = field(default_factory=dict)  # id -> file name, for ids not in the first part
    oversized: tuple[str, ...] = ()  # parts still over max_bytes: a block too large to split (a huge paragraph)

    @property
    def xhtml(self) -> str:
        """The (first) document."""
        return self.parts[0][1]


def part_file_name(file_name: str, n: int) -> str:
    """The file of part ``n`` (from 2) of a split chapter: ``a0003.xhtml`` -> ``a0003-2.xhtml``."""
    stem, dot, suffix = file_name.rpartition(".")
    return f"{stem}-{n}.{suffix}" if dot else f"{file_name}-{n}"


def source_file(article: Article, rel: str):
    """The file an asset path names, resolved inside the article's source tree only (``Path`` or None).

    ``Asset.path`` is relative to the source root the reader used: the site root (the
    nearest folder above the post with a Jekyll or Hugo config), else the folder named
    on the command line or, for a post named alone, its own folder. The model does not
    carry that root, so it is one of the post's folders: the site root when there is
    one, else the nearest folder up from the post where the path names a file (never
    the file system's root). A path that leaves its root (symlinks too) is refused.
    """
    from pathlib import Path

    from .reader.site import find_site_root

    if not article.source or article.source in ("-", "<stdin>"):
        return None
    folders = list(Path(article.source).absolute().parents)
    site = next((d for d in folders if find_site_root(d) is not None), None)
    roots = [site] + folders[:folders.index(site)] if site is not None else folders[:-1]
    for root in roots:
        try:
            top = root.resolve()
            candidate = (root / rel).resolve()
        except (OSError, RuntimeError):
            continue
        if candidate.is_relative_to(top) and candidate.is_file():
            return candidate
    return None


def date_range(articles: Sequence[Article], lang: str) -> str:
    """``2022年5月1日 – 2022年5月27日``, or one date when they are all on the same day."""
    dates = sorted(a.date for a in articles)
    first, last = format_date(dates[0], lang), format_date(dates[-1], lang)
    return first if first == last else f"{first} – {last}"


def render_chapter(article: Article, file_name: str, *, resources: Resources, links: BookLinks,
                   book_lang: str, template: str = "chapter.xhtml", stylesheets: Sequence[str] = (),
                   context: Mapping[str, object] | None = None, max_bytes: int | None = None) -> Chapter:
    """``article`` as a complete XHTML document through ``template``.

    ``stylesheets`` are hrefs relative to the chapter; ``context`` adds template
    variables (a navigation bar, a section) the writer knows about.

    With ``max_bytes``, a chapter whose document would be larger is split into several
    files (``a0003.xhtml``, ``a0003-2.xhtml``...) between top-level blocks of the body
    (and inside a list, table, quotation or division larger than a part), each a whole
    document from the template: ``part`` and ``parts`` tell the template which one it
    renders (the built-in one puts the title only on the first and the navigation bar
    on the last). Links and notes between parts point to the part that holds the target.
    """
    lang = normalize_lang(article.lang or book_lang)
    words = labels(lang)
    root, used = _body_tree(article, file_name, links, lang)
    original = article.permalink if urlsplit(article.permalink).scheme in ("http", "https") else ""
    page = resources.template(template)
    variables = dict(
        lang=lang,
        dir="rtl" if is_rtl(lang) else "",
        title=article.title.strip() or format_date(article.date, lang),
        date_iso=article.date.isoformat(),
        date_text=format_date(article.date, lang),
        authors=words["authors_sep"].join(article.authors),
        categories=words["terms_sep"].join(article.categories),
        tags=words["terms_sep"].join(article.tags),
        original=original,
        labels=words,
        stylesheets=list(stylesheets),
        article=article,
        **(context or {}),
    )
    body = _serialize(root)
    text = page.render(body=Markup(body), part=1, parts=1, **variables)
    if max_bytes is None or len(text.encode()) <= max_bytes:
        return Chapter(((file_name, text),), lang, used)
    # What the template adds around the body, with the title and navigation both present: an upper bound.
    frame = len(text.encode()) - len(body.encode())
    roots = [_part_root(root, group, first=n == 0)
             for n, group in enumerate(_split_blocks(root, max(256, max_bytes - frame - 256)))]
    names = [file_name] + [part_file_name(file_name, n) for n in range(2, len(roots) + 1)]
    moved = _link_across_parts(roots, names)
    parts = tuple((name, page.render(body=Markup(_serialize(part)), part=n, parts=len(roots), **variables))
                  for n, (name, part) in enumerate(zip(names, roots), 1))
    oversized = tuple(name for name, xhtml in parts if len(xhtml.encode()) > max_bytes)
    return Chapter(parts, lang, used, moved, oversized)


def render_body(article: Article, file_name: str, links: BookLinks, lang: str, *,
                print_layout: bool = False) -> tuple[str, tuple[str, ...]]:
    """The body as an XHTML ``div class="body"`` (string) and the packaged images it uses.

    ``print_layout`` (PDF): ids are prefixed with ``file_name`` so that articles can share
    one document, each note moves to where it is called (``span class="footnote"``, for
    CSS ``float: footnote``), line breaks between two CJK characters are dropped (they
    would print as spaces), and ``rel="attachment"`` is removed (WeasyPrint would embed
    the target file in the PDF).
    """
    root, used = _body_tree(article, file_name, links, lang, print_layout=print_layout)
    return _serialize(root), used


def _body_tree(article: Article, file_name: str, links: BookLinks, lang: str, *,
               print_layout: bool = False) -> tuple[etree._Element, tuple[str, ...]]:
    source = f'<div xmlns="{XHTML_NS}" xmlns:epub="{EPUB_NS}" class="body">{article.body}</div>'
    root = etree.fromstring(source, _PARSER)
    ids = _unique_ids(root)
    notes = _footnotes(root, ids)
    used: list[str] = []
    for img in list(root.iter(_X + "img")):
        _image(img, article, links, labels(lang), used)
    for a in root.iter(_X + "a"):
        _link(a, file_name, ids, notes, links)
    if print_layout:
        _print_layout(root, file_name)
    for p in root.iter(_X + "p"):
        if (p.text or "").startswith("\u3000"):  # the source's own indent: the stylesheet adds none
            _add_class(p, "ideographic-indent")
    return root, tuple(dict.fromkeys(used))


def _serialize(root) -> str:
    """A body tree as the ``div`` string templates receive."""
    # Drop the redundant namespace declarations lxml would repeat on nested epub:type users.
    etree.cleanup_namespaces(root, top_nsmap={None: XHTML_NS, "epub": EPUB_NS})
    text = etree.tostring(root, encoding="unicode")
    # The template's <html> declares both namespaces; the div need not repeat them.
    return text.replace(f' xmlns="{XHTML_NS}"', "", 1).replace(f' xmlns:epub="{EPUB_NS}"', "", 1)


# Elements whose children are blocks, so that a run of them can go into a copy of the element.
_SPLITTABLE = frozenset(_X + tag for tag in ("div", "section", "article", "aside", "blockquote", "ul", "ol", "dl",
                                             "table", "thead", "tbody", "tfoot", "figure", "details", "main",
                                             "header", "footer", "nav"))
_NSMAP = {None: XHTML_NS, "epub": EPUB_NS}


def _split_blocks(root, budget: int) -> list[list]:
    """The body's top-level blocks in runs of at most ``budget`` serialized bytes (a larger block is cut first)."""
    groups: list[list] = [[]]
    size = 0
    for child in list(root):
        for piece in _pieces(child, budget):
            n = _size(piece)
            if groups[-1] and size + n > budget:
                groups.append([])
                size = 0
            groups[-1].append(piece)
            size += n
    return groups


def _pieces(element, budget: int) -> list:
    """``element``, or copies of it each holding a run of its children, of at most ``budget`` bytes where possible.

    Only containers of blocks are cut (a list, a table, a quotation, a division); one with
    text of its own between its children (a paragraph) stays whole, however large. The
    first copy keeps the id, an ordered list's later copies go on counting (``start``).
    """
    if (element.tag not in _SPLITTABLE or not len(element) or _size(element) <= budget
            or (element.text or "").strip() or any((c.tail or "").strip() for c in element)):
        return [element]
    shell = _size(_shell(element, first=True))
    children = [piece for child in list(element) for piece in _pieces(child, budget - shell)]
    copies: list = []
    size = 0
    for child in children:
        n = _size(child)
        if not copies or size + n > budget - shell:
            copies.append(_shell(element, first=not copies))
            size = 0
        copies[-1].append(child)
        size += n
    copies[0].text = element.text
    copies[-1].tail = element.tail
    if element.tag == _X + "ol":
        start = int(element.get("start")) if (element.get("start") or "").lstrip("-").isdigit() else 1
        for copy in copies:
            if copy is not copies[0]:
                copy.set("start", str(start))
            start += sum(1 for li in copy if li.tag == _X + "li")
    return copies


def _shell(element, first: bool):
    """An empty copy of ``element`` (same tag and attributes; the id only on the first copy)."""
    copy = etree.Element(element.tag, nsmap=_NSMAP)
    for name, value in element.attrib.items():
        if first or name != "id":
            copy.set(name, value)
    return copy


def _size(element) -> int:
    return len(etree.tostring(element, encoding="utf-8", with_tail=True))


def _part_root(root, group: list, first: bool):
    """A body ``div`` like ``root`` holding the blocks of one part."""
    part = etree.Element(root.tag, nsmap=_NSMAP)
    for name, value in root.attrib.items():
        part.set(name, value)
    if first:
        part.text = root.text
    part.extend(group)
    return part


def _link_across_parts(roots: list, names: list[str]) -> dict[str, str]:
    """Point ``#id`` links at the part that holds the id; id -> file for the ids not in the first part."""
    where: dict[str, int] = {}
    for n, part in enumerate(roots):
        for element in part.iter(etree.Element):
            if element.get("id") is not None:
                where[element.get("id")] = n
    for n, part in enumerate(roots):
        for a in part.iter(_X + "a"):
            href = a.get("href") or ""
            if href.startswith("#") and where.get(href[1:], n) != n:
                a.set("href", names[where[href[1:]]] + href)
    return {id_: names[n] for id_, n in where.items() if n}


def _unique_ids(root) -> set[str]:
    seen: set[str] = set()
    for el in root.iter():
        value = el.get("id")
        if value is None:
            continue
        if not value.strip():
            del el.attrib["id"]
            continue
        if value in seen:  # a second element with the same id: EPUBCheck error RSC-005
            n = 2
            while f"{value}-{n}" in seen:
                n += 1
            value = f"{value}-{n}"
            el.set("id", value)
        seen.add(value)
    return seen


def _footnotes(root, ids: set[str]) -> set[str]:
    """Turn kramdown/markdown-it footnote lists into EPUB 3 ``aside`` notes; the note ids."""
    notes: set[str] = set()
    for box in list(root.iter(_X + "div", _X + "section")):
        if "footnotes" not in (box.get("class") or "").split():
            continue
        for ol in list(box.iterchildren(_X + "ol")):
            position = list(box).index(ol)
            for li in list(ol.iterchildren(_X + "li")):
                aside = etree.Element(_X + "aside")
                for name, value in li.attrib.items():
                    if name != "role":  # doc-endnote is deprecated; the aside says what it is
                        aside.set(name, value)
                aside.set(_EPUB_TYPE, "footnote")
                aside.text = li.text
                aside.extend(list(li))
                box.insert(position, aside)
                position += 1
                if aside.get("id"):
                    notes.add(aside.get("id"))
            box.remove(ol)
        if box.get("role") == "doc-endnotes":
            del box.attrib["role"]
    for sup in root.iter(_X + "sup"):
        if sup.get("role") == "doc-noteref":
            del sup.attrib["role"]  # DPUB-ARIA puts noteref on the link itself
    return notes


def _link(a, file_name: str, ids: set[str], notes: set[str], links: BookLinks) -> None:
    href = a.get("href")
    if href is None:
        return
    if href.startswith("#"):
        fragment = href[1:]
        if fragment in notes:
            a.set(_EPUB_TYPE, "noteref")
            a.set("role", "doc-noteref")
        elif fragment not in ids:
            del a.attrib["href"]  # leads nowhere: EPUBCheck RSC-012
            return
        if links.single_document:
            a.set("href", f"#{file_name}-{fragment}")
        return
    parts = urlsplit(href)
    target = links.chapter_for(href.split("#", 1)[0]) if parts.scheme in ("http", "https", "") else None
    if target is not None:
        fragment = parts.fragment if parts.fragment in links.ids.get(target, ()) else ""
        if target == file_name:
            if fragment:
                a.set("href", f"#{file_name}-{fragment}" if links.single_document else "#" + fragment)
            else:
                del a.attrib["href"]
        elif links.single_document:
            a.set("href", "#" + target + ("-" + fragment if fragment else ""))
        else:
            a.set("href", target + ("#" + fragment if fragment else ""))
        return
    if parts.scheme.lower() not in _LINK_SCHEMES or (parts.scheme in ("http", "https") and not parts.netloc):
        del a.attrib["href"]  # a relative link outside the book, or a scheme readers cannot open


def _image(img, article: Article, links: BookLinks, words: Mapping[str, str], used: list[str]) -> None:
    src = img.get("src") or ""
    alt = img.get("alt")
    packaged = links.images.get((article.id, src))
    if packaged is not None:
        img.set("src", packaged)
        img.attrib.pop("srcset", None)
        if alt is None:
            img.set("alt", "")
        used.append(packaged)
        return
    # Not in the book: its alt text, linked to the image when that is a web address.
    parts = urlsplit(src)
    if parts.scheme in ("http", "https") and parts.netloc:
        replacement = etree.Element(_X + "a", {"class": "remote-image", "href": src})
        replacement.text = alt or words["image"]
    else:
        replacement = etree.Element(_X + "span", {"class": "remote-image"})
        replacement.text = alt or ""
    replacement.tail = img.tail
    parent = img.getparent()
    if parent.tag == _X + "a":  # no link inside a link: the text stays, the outer link wins
        replacement = etree.Element(_X + "span", {"class": "remote-image"})
        replacement.text = alt or ""
        replacement.tail = img.tail
    parent.replace(img, replacement)


_CJK_LINE_BREAK = re.compile(r"(?<=[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef])[ \t\r]*\n[ \t\r\n]*"
                             r"(?=[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef])")
_URL_TEXT = re.compile(r"(?:https?://|www\.)\S+$")
_PREFORMATTED = frozenset({_X + "pre", _X + "code", _X + "textarea"})


def _print_layout(root, prefix: str) -> None:
    """What a single printed document needs; see :func:`render_body`."""
    for note in list(root.iter(_X + "aside")):
        if note.get(_EPUB_TYPE) == "footnote":
            _inline_note(root, note, prefix)
    for box in list(root.iter(_X + "div", _X + "section")):
        if "footnotes" in (box.get("class") or "").split() and not box.findall(_X + "aside"):
            for hr in box.findall(_X + "hr"):
                box.remove(hr)
            if not len(box) and not (box.text or "").strip():
                remove_keeping_tail(box)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.get("id") is not None:
            el.set("id", f"{prefix}-{el.get('id')}")
        if el.tag in (_X + "td", _X + "th"):
            _clamp_span(el, "colspan", 1000)  # the HTML limits; WeasyPrint takes seconds per 10,000 columns
            _clamp_span(el, "rowspan", 65534)
        if el.tag == _X + "a":
            if len(el) == 0 and _URL_TEXT.match(el.text or ""):
                # A URL as link text may break at any character, as Chinese books print them:
                # otherwise it moves whole to the next line and leaves a justified line half empty.
                el.text = "\u200b".join(el.text)
                _add_class(el, "url")
            if el.get("rel") is not None:
                rel = [r for r in el.get("rel").split() if r.lower() != "attachment"]
                if rel:
                    el.set("rel", " ".join(rel))
                else:
                    del el.attrib["rel"]
        text_break = el.text is not None and "\n" in el.text
        tail_break = el.tail is not None and "\n" in el.tail
        if text_break or tail_break:
            in_pre = any(p.tag in _PREFORMATTED for p in el.iterancestors())
            if text_break and not in_pre and el.tag not in _PREFORMATTED:
                el.text = _CJK_LINE_BREAK.sub("", el.text)
            if tail_break and not in_pre:
                el.tail = _CJK_LINE_BREAK.sub("", el.tail)


def _add_class(el, name: str) -> None:
    el.set("class", ((el.get("class") or "") + " " + name).strip())


def _inline_note(root, note, prefix: str) -> None:
    """Move a note's text to its first call, as an inline ``span class="footnote"``.

    Paragraphs become line breaks (a ``p`` cannot sit in a ``span``), the "back to the
    text" links go; later calls of the same note keep their number, unlinked.
    """
    note_id = note.get("id")
    calls = [a for a in root.iter(_X + "a") if note_id and a.get("href") == f"#{prefix}-{note_id}"]
    if not calls:
        return
    span = etree.Element(_X + "span", {"class": "footnote"})
    for back in [a for a in note.iter(_X + "a") if (a.get("href") or "").startswith("#")
                 and ("reversefootnote" in (a.get("class") or "") or "footnote-backref" in (a.get("class") or "")
                      or a.get("role") == "doc-backlink")]:
        remove_keeping_tail(back)
    parts = [note] if not len(note) or note[0].tag != _X + "p" else list(note)
    for n, part in enumerate(parts):
        if n:
            span.append(etree.Element(_X + "br"))
        if part is note:
            if note.text:
                span.append(etree.Element(_X + "span"))
                span[-1].text = note.text
            for child in list(note):
                span.append(child)
        else:
            inner = etree.SubElement(span, _X + "span")
            inner.text = part.text
            for child in list(part):
                inner.append(child)
    if len(span) and span[-1].tail:
        span[-1].tail = span[-1].tail.rstrip()
    first = calls[0]
    call = first.getparent() if first.getparent().tag == _X + "sup" else first
    span.tail = call.tail
    call.getparent().replace(call, span)
    for other in calls[1:]:
        other.attrib.pop("href", None)
        other.attrib.pop(_EPUB_TYPE, None)
        other.attrib.pop("role", None)
    remove_keeping_tail(note)


def _clamp_span(el, name: str, limit: int) -> None:
    value = (el.get(name) or "").strip()
    if value.isdigit() and int(value) > limit:
        el.set(name, str(limit))


def remove_keeping_tail(el) -> None:
    """Remove ``el`` and its subtree, keeping the text that follows it."""
    parent = el.getparent()
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)
