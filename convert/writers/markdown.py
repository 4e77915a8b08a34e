"""Markdown (``--to markdown``, aliases ``md``, ``gfm``): YAML front matter + a CommonMark/GFM body.

The body is converted from the canonical HTML with lxml, one element at a time,
and must read back to the same HTML, through convert's own reader (kramdown
rules, CJK-friendly emphasis) and through plain CommonMark parsers alike:

* Blocks: ATX headings, fenced code with its language, pipe tables, lists (tight
  or loose, ``start`` kept), blockquotes, footnotes (kramdown's markup back to
  ``[^name]``), thematic breaks. An element Markdown cannot express (a ``div``, a
  table with merged cells or blocks in cells, a paragraph with an ``id``) stays as
  clean HTML, serialized from the canonical body. A paragraph whose Markdown would
  start an HTML block (an image without alt alone) is written as HTML too.
* Emphasis is written ``*``/``**`` only where the delimiter run flanks on the side
  it must for plain CommonMark (checked with both Unicode punctuation tables
  parsers use); otherwise as ``<em>``/``<strong>`` inline HTML, whose content is
  still Markdown. So ``<strong>“重要”</strong>消息`` never becomes ``**“重要”**消息``,
  which CommonMark shows with literal asterisks.
* Escaping is minimal and ASCII only: what would start a construct (``*`` ``_``
  ``[`` ``<`` backticks, line-start ``#``/``>``/``-``/``1.``, an entity-like
  ``&``), plus what convert's reader would otherwise change: kramdown typography
  (``"`` ``'`` ``--`` ``...`` ``<<``), Liquid (``{{`` ``{%``) and block IALs (``{:``).
  Full-width characters are never escaped, except a paragraph's first or last U+3000
  (or no-break space), as ``&#12288;``: markdown-it strips those, CommonMark does not.
  No line is wrapped, no space inserted.

Front matter: title, date (with offset), updated, authors, categories, tags, lang,
summary, permalink (the path below the site root, as Jekyll reads it), slug, then
the ``extra`` keys in the model's order. A string is quoted whenever YAML 1.1
would read it as something else (``no``, ``10:00``, ``0777``, dates).

With ``--each`` every article is its own file with its own front matter; without
it, one document: the site's front matter, then each article under a level-one
heading, articles separated by a thematic break.

Flavours (``--markdown-flavor``, ``WriteOptions.markdown_flavor``):

* ``gfm`` (default): all of the above.
* ``commonmark``: no GFM extension. Tables, strikethrough and footnotes stay as the
  canonical HTML (block or inline), which any CommonMark parser passes through and
  convert's reader reads back to the same body.
* ``jekyll``: kramdown-compatible and Liquid-safe. Jekyll runs Liquid before
  kramdown, and a backslash does not stop Liquid, so every ``{{``/``{%`` (in text,
  code and HTML alike) is wrapped in ``{% raw %}...{% endraw %}``; ``&`` is written
  ``&amp;``, since kramdown keeps the backslash of an escaped ``&``. Front matter as for gfm.
* ``hugo``: TOML front matter between ``+++`` lines (dates as offset date-times,
  strings as TOML basic strings), the gfm body. TOML has no null: an article whose
  front matter holds one (an empty key, a null in a list) gets YAML front matter
  instead, which Hugo reads as well and which keeps the null, with a warning.

Options, for every flavour: ``--markdown-links reference`` (``WriteOptions.markdown_links``)
writes ``[text][1]`` with the definitions after the body (see :class:`LinkReferences`);
``--cjk-friendly`` (``WriteOptions.cjk_friendly``) writes emphasis for parsers with the
CommonMark CJK-friendly amendments, ``**“重要”**消息``.

HTML that is not the canonical body (``--from json``, raw HTML) is read token for token
(:mod:`convert.writers.markdown_html`): comments, stray or unclosed tags and the like are
written back as they came, and text outside paragraphs stays an HTML block where a
CommonMark parser reads it back as one.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import re
import unicodedata
from typing import Any, Iterable

import yaml

from ..errors import WriterError
from ..model import Article, Collection
from ..reader.frontmatter import flat_yaml_mapping
from ..text import is_cjk
from .base import Writer
from .markdown_html import (RAW, RAW_TEXT, VOID, Fragment, escape_text, html_block_kind, html_block_left_open,
                            html_blocks_only, outer_html, parse_fragment)

__all__ = ["MarkdownWriter", "FLAVORS", "LINK_STYLES", "LinkReferences", "html_to_markdown", "front_matter",
           "toml_front_matter"]

FLAVORS = ("gfm", "commonmark", "jekyll", "hugo")
LINK_STYLES = ("inline", "reference")


class MarkdownWriter(Writer):
    name = "markdown"
    aliases = ("md", "gfm")
    extension = ".md"
    media_type = "text/markdown"
    description = "Markdown (CommonMark + GFM) with YAML front matter; reads back to the same article"

    def render(self, collection: Collection) -> str:
        options = self.options
        flavor = options.markdown_flavor
        if flavor not in FLAVORS:
            raise WriterError(f"unknown Markdown flavour {flavor!r}: use one of {', '.join(FLAVORS)}")
        if options.markdown_links not in LINK_STYLES:
            raise WriterError(f"unknown Markdown link style {options.markdown_links!r}: use one of "
                              f"{', '.join(LINK_STYLES)}")
        # One set of reference labels per document: CommonMark's definitions are document-wide.
        style = {"links": options.markdown_links, "cjk_friendly": options.cjk_friendly,
                 "references": LinkReferences()}
        articles = collection.articles
        if len(articles) == 1:
            article = articles[0]
            body = html_to_markdown(article.body, flavor, **style)
            head = self._front_matter(_article_fields(article, collection), flavor, str(article.source or "") or None)
            return f"{head}\n{body}" if body else head
        site = collection.site
        head = {"title": site.title, "lang": collection.lang, "description": site.description}
        rows = [(k, v) for k, v in head.items() if v]
        parts = [self._front_matter(rows, flavor)]
        for article in articles:
            title = _escape_text(article.title, jekyll=flavor == "jekyll") or "\\#"
            body = html_to_markdown(article.body, flavor, **style)
            section = f"# {title}\n\n{body}" if body else f"# {title}\n"
            parts.append(_liquid_raw(section) if flavor == "jekyll" else section)
        return "\n* * *\n\n".join(parts)


    def _front_matter(self, rows: list[tuple[str, Any]], flavor: str, path: str | None = None) -> str:
        """YAML front matter, or TOML for hugo. TOML has no null: a header holding one (an empty
        key, a null in a list) is written as YAML, which Hugo reads as well, with a warning."""
        if flavor != "hugo":
            return front_matter(rows)
        nulls = [key for key, value in rows if _holds_null(value)]
        if not nulls:
            return toml_front_matter(rows)
        self.warn(f"front matter written as YAML, not TOML: TOML has no null, and {', '.join(nulls)} "
                  f"{'holds' if len(nulls) == 1 else 'hold'} one (Hugo reads YAML front matter too)", path)
        return front_matter(rows)


def _holds_null(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (list, tuple)):
        return any(_holds_null(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_null(v) for v in value.values())
    return False


# --- front matter --------------------------------------------------------------------------


def _article_fields(article: Article, collection: Collection | None) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = [("title", article.title), ("date", article.date)]
    if article.updated is not None:
        rows.append(("updated", article.updated))
    for key in ("authors", "categories", "tags"):
        value = getattr(article, key)
        if value:
            rows.append((key, list(value)))
    for key in ("lang", "summary"):
        if getattr(article, key):
            rows.append((key, getattr(article, key)))
    path = _site_path(article.permalink, collection)
    if path:
        rows.append(("permalink", path))
    if article.slug:
        rows.append(("slug", article.slug))
    taken = {k for k, _ in rows} | {"permalink", "author", "date", "updated"}
    rows.extend((k, v) for k, v in article.extra.items() if k not in taken)
    return rows


def _site_path(permalink: str, collection: Collection | None) -> str:
    """The permalink below the site root (what Jekyll's ``permalink:`` takes), '' if not below it."""
    if not permalink or collection is None:
        return ""
    site = collection.site
    root = site.absolute_root if site.url else site.baseurl.rstrip("/")
    if root and permalink.startswith(root + "/"):
        return permalink[len(root):]
    return ""


def front_matter(rows: Iterable[tuple[str, Any]]) -> str:
    """``---`` YAML ``---``, one key a line, values quoted where YAML 1.1 would change them."""
    lines = ["---"]
    for key, value in rows:
        lines.append(f"{_yaml_key(key)}: {_yaml_value(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n"


_PLAIN_RE = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\n\r\t\x00-\x1f]*")
_PLAIN_BAD_RE = re.compile(r": |:$| #|[\x7f-\x9f\u2028\u2029\ufeff]")


def _yaml_key(key: str) -> str:
    return key if _plain_ok(key) else _yaml_quote(key)


@functools.lru_cache(maxsize=4096)  # keys and many values (categories, tags, layout) repeat
def _plain_ok(text: str) -> bool:
    if not _PLAIN_RE.fullmatch(text) or _PLAIN_BAD_RE.search(text) or text != text.strip():
        return False
    # The reader's flat-header fast path answers most strings the way PyYAML would, without
    # PyYAML's pure-Python parser (which took most of this writer's time); it steps aside
    # whenever it is unsure, and PyYAML decides.
    if flat_yaml_mapping(f"k: {text}\n") == {"k": text}:
        return True
    try:  # PyYAML resolves as YAML 1.1 does (Jekyll's Psych too): no, on, 0777, 10:00, dates
        return yaml.load(text, Loader=_YAML_LOADER) == text
    except yaml.YAMLError:
        return False


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# What YAML allows in no scalar, quoted or not (it is not "printable" there), and the line
# breaks it would fold (NEL, LS, PS): escaped as \uXXXX.
_YAML_UNPRINTABLE_RE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def _yaml_quote(text: str) -> str:
    # JSON's string form is a valid YAML double-quoted scalar (C0 controls escaped already).
    quoted = json.dumps(text, ensure_ascii=False)
    return _YAML_UNPRINTABLE_RE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", quoted)


def _yaml_value(value: Any) -> str:
    if isinstance(value, dt.datetime):
        # Jekyll's own form: an unquoted timestamp with its offset keeps its instant.
        offset = value.strftime("%z")
        stamp = value.strftime("%Y-%m-%d %H:%M:%S") + (f".{value.microsecond:06d}" if value.microsecond else "")
        return f"{stamp} {offset[:3]}:{offset[3:]}"
    if isinstance(value, str):
        return value if _plain_ok(value) else _yaml_quote(value)
    if value is None or isinstance(value, (bool, int, float)):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml_flow_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_yaml_quote(str(k))}: {_yaml_flow_value(v)}" for k, v in value.items()) + "}"
    return _yaml_quote(str(value))


def _yaml_flow_value(value: Any) -> str:
    """A value inside ``[...]`` or ``{...}``, where ``,`` and brackets end a plain scalar, and ``?``
    or ``:`` before one of them is read as an indicator (``[0?]`` does not parse)."""
    if isinstance(value, str) and re.search(r"[,\[\]{}?:]", value):
        return _yaml_quote(value)
    return _yaml_value(value)


def toml_front_matter(rows: Iterable[tuple[str, Any]]) -> str:
    """``+++`` TOML ``+++`` (Hugo's form), one key a line. TOML has no null: ``rows`` must hold
    none (see ``MarkdownWriter._front_matter``)."""
    lines = ["+++"]
    for key, value in rows:
        if _holds_null(value):
            raise WriterError(f"front matter key {key!r}: TOML has no null")
        lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    lines.append("+++")
    return "\n".join(lines) + "\n"


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_string(key)


_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _toml_string(text: str) -> str:
    # A basic string: quote, backslash and control characters escaped (TOML allows no raw
    # control character but tab in one); everything else, CJK included, as is.
    return '"' + re.sub(r'["\\\x00-\x1f\x7f]',
                        lambda m: _TOML_ESCAPES.get(m.group(0), f"\\u{ord(m.group(0)):04x}"), text) + '"'


def _toml_value(value: Any) -> str:
    if isinstance(value, dt.datetime):
        # An offset date-time keeps its instant and its offset; a naive one stays local.
        return value.isoformat(sep="T")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if value != value else ("inf" if value == float("inf") else "-inf" if value == float("-inf")
                                              else repr(value))
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{" + (f" {inner} " if inner else "") + "}"
    return _toml_string(str(value))


# --- HTML -> Markdown ---------------------------------------------------------------------------

_BLOCK = frozenset(
    "address aside blockquote details dd div dl dt figcaption figure h1 h2 h3 h4 h5 h6 hr li ol p pre "
    "section summary table tbody td tfoot th thead tr ul caption colgroup col".split()
)
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
# Inline HTML for elements Markdown has no syntax for; their content stays Markdown.
# ``*``/``**`` read back as em/strong only: <i> and <b> keep their tags.
_EMPHASIS = {"em": "*", "strong": "**"}


def html_to_markdown(body: str, flavor: str = "gfm", *, links: str = "inline", cjk_friendly: bool = False,
                     references: LinkReferences | None = None) -> str:
    """The canonical HTML fragment ``body`` as Markdown of ``flavor`` (no trailing blank line).

    ``links="reference"``: links and images as ``[text][1]``, their definitions at the end
    (after the footnotes), labels from ``references`` (shared by the bodies of one document).
    ``cjk_friendly``: emphasis as ``*``/``**`` wherever a parser implementing the CommonMark
    CJK-friendly amendments reads it back, even where plain CommonMark would not."""
    if not body.strip():
        return ""
    if references is None and links == "reference":
        references = LinkReferences()
    fragment = parse_fragment(body)
    converter = _Converter(flavor, fragment, references if links == "reference" else None, cjk_friendly)
    text = converter.blocks(fragment.root)
    if converter.footnotes:
        text = (text + "\n\n" if text else "") + "\n\n".join(converter.footnotes)
    definitions = references.take_definitions() if converter.references is not None else []
    if definitions:
        text = (text + "\n\n" if text else "") + "\n".join(definitions)
    text = text + "\n" if text else ""
    return _liquid_raw(text) if flavor == "jekyll" else text


class LinkReferences:
    """The labels of reference-style links in one document: numbers in order of first use,
    one per (URL, title); each definition is handed out once, to the body that used it first."""

    def __init__(self) -> None:
        self.labels: dict[tuple[str, str | None], str] = {}
        self.pending: list[str] = []

    def label(self, url: str, title: str | None) -> str:
        key = (url, title)
        label = self.labels.get(key)
        if label is None:
            label = self.labels[key] = str(len(self.labels) + 1)
            self.pending.append(f"[{label}]: {_destination(url)}{_title(title)}")
        return label

    def take_definitions(self) -> list[str]:
        """The definitions of the labels made since the last call."""
        definitions, self.pending = self.pending, []
        return definitions


# A Liquid output or tag on one line, or failing that a bare opener; a token that contains
# ``endraw`` cannot sit inside raw (it would close it), so only its opener is wrapped.
_LIQUID_RE = re.compile(r"\{\{[^\n]*?\}\}|\{%[^\n]*?%\}|\{[{%]")
_RAW_END_RE = re.compile(r"\{%-?\s*endraw")


def _liquid_raw(text: str) -> str:
    """Every Liquid opener in ``text`` inside ``{% raw %}``, so Jekyll (and convert's reader) keep it literally."""
    def wrap(m: re.Match) -> str:
        token = m.group(0)
        if _RAW_END_RE.search(token):
            return "{% raw %}" + token[:2] + "{% endraw %}" + _liquid_raw(token[2:])
        return "{% raw %}" + token + "{% endraw %}"

    return _LIQUID_RE.sub(wrap, text) if "{" in text else text


def _is_footnote_ref(el) -> str | None:
    """The footnote name of kramdown's ``<sup id="fnref:N"><a href="#fn:N" class="footnote">``."""
    if el.get("role") != "doc-noteref" or len(el) != 1 or (el.text or "").strip():
        return None
    a = el[0]
    href = a.get("href") or ""
    if a.tag != "a" or a.get("class") != "footnote" or not href.startswith("#fn:") or (a.tail or "").strip():
        return None
    name = href[4:]
    return name if re.fullmatch(r"[^\s\]\[\\^]+", name) else None


# A raw HTML token inside inline text: kept out of escaping and line clean-up, put back last.
_RAW_MARK_RE = re.compile(r"\ue010(\d+)\ue011")


class _Converter:
    def __init__(self, flavor: str = "gfm", fragment: Fragment | None = None,
                 references: LinkReferences | None = None, cjk_friendly: bool = False) -> None:
        self.fragment = fragment if fragment is not None else Fragment(None)
        self.references = references  # reference-style links when set
        self.cjk_friendly = cjk_friendly
        self.raw: list[str] = []  # raw HTML tokens met in inline text, by their mark's number
        # commonmark: no GFM extension (tables, strikethrough, footnotes stay HTML).
        self.gfm = flavor != "commonmark"
        # jekyll: Liquid openers are wrapped in raw afterwards instead of escaped (kramdown
        # keeps the backslash of ``\%``), and ``&`` is an entity (kramdown keeps ``\&``'s too).
        jekyll = flavor == "jekyll"
        self.esc = functools.partial(_escape_text, jekyll=jekyll)
        self.footnotes: list[str] = []
        self.heading_ids: dict[str, int] = {}

    # -- blocks --

    def blocks(self, parent, tight: bool = False) -> str | None:
        """The children of ``parent`` as blocks; inline runs become paragraphs.

        What Markdown cannot express (raw HTML, text outside paragraphs, elements without a
        Markdown form) is written as HTML blocks, as one piece with what touches it, when a
        CommonMark parser reads that piece back as HTML blocks, verbatim; else element by
        element, and bare text as paragraphs. ``tight`` (a tight list item): blocks one a
        line, no blank line between them; None when an HTML block there would swallow the
        line after it."""
        segments: list[tuple[str, Any]] = []  # ("md", text) or ("html", [items])
        prev_list: dict[str, int] = {}
        for item in self._items(parent):
            if item[0] == "block":
                text = self.markdown_block(item[1], prev_list)
                if text is None:
                    prev_list.clear()
                elif text:
                    segments.append(("md", text))
                    continue
                else:  # consumed (footnotes): nothing here, but a boundary
                    segments.append(("md", ""))
                    continue
            else:
                prev_list.clear()
            if segments and segments[-1][0] == "html":
                segments[-1][1].append(item)
            else:
                segments.append(("html", [item]))
        out: list[str] = []
        for index, (kind, value) in enumerate(segments):
            if kind == "md":
                if value:
                    out.append(value)
                continue
            last = index == len(segments) - 1 and (parent is not self.fragment.root or not self.footnotes)
            texts = None
            if tight:
                # In a tight list item, text outside paragraphs is the item's text: a paragraph,
                # unless it would read back as an HTML block anyway.
                texts = [self.paragraph_from(item[1]) if item[0] == "run" else self.html_block(item[1])
                         for item in value]
                if not (any(item[0] == "run" and text and html_block_kind(text) for item, text in zip(value, texts))
                        or len(value) > 1 and any(item[0] == "block" for item in value)):
                    out.extend(text for text in texts if text)
                    continue
            chunk = self.html_chunk(value, last)
            if chunk is not None:
                out.append(chunk)
                continue
            if texts is None:
                texts = [self.paragraph_from(item[1]) if item[0] == "run" else self.html_block(item[1])
                         for item in value]
            out.extend(text for text in texts if text)
        if tight and any(html_block_left_open(text) for text in out[:-1]):
            return None
        return ("\n" if tight else "\n\n").join(out)

    def _items(self, parent) -> list[tuple]:
        """``parent``'s content as ("block", element) and ("run", inline nodes, source start, source
        end) items (offsets None when the fragment was not tokenized); runs of only blanks are left out."""
        items: list[tuple] = []
        spans = self.fragment.spans
        span = spans.get(parent)
        run: list = []
        run_start = None
        content = False  # the run holds more than blanks
        if parent.text:
            run.append(parent.text)
            run_start = span[1] if span else None
            content = not parent.text.isspace()
        for child in parent:
            if isinstance(child.tag, str) and child.tag in _BLOCK:
                child_span = spans.get(child)
                if content:
                    items.append(("run", run, run_start, child_span[0] if child_span else None))
                items.append(("block", child))
                run, content = [], False
                if child.tail:
                    run.append(child.tail)
                    run_start = child_span[3] if child_span else None
                    content = not child.tail.isspace()
            else:
                if not run:
                    child_span = spans.get(child)
                    run_start = child_span[0] if child_span else None
                run.append(child)  # an inline node brings its tail along
                content = True
        if content:
            items.append(("run", run, run_start, span[2] if span else None))
        return items

    def html_chunk(self, items: list[tuple], last: bool) -> str | None:
        """``items`` as one piece of HTML, when it holds raw HTML or bare text and a CommonMark
        parser reads it back as HTML blocks; None otherwise."""
        if not any(item[0] == "run" for item in items):
            return None
        text = self._source_of(items)
        if text is None:
            parts = []
            for item in items:
                if item[0] == "block":
                    parts.append(outer_html(item[1]))
                else:
                    parts.extend(escape_text(n) if isinstance(n, str) else outer_html(n, with_tail=True)
                                 for n in item[1])
            text = "".join(parts)
        # Blank lines before it are no content; up to 3 spaces of indent are (the spec keeps them).
        text = re.sub(r"(?:\n[ \t]*)+\Z", "", re.sub(r"\A(?:[ \t]*\n)+", "", text))
        if not text or not html_blocks_only(text, may_run_to_end=last):
            return None
        return text

    def _source_of(self, items: list[tuple]) -> str | None:
        """The source text of ``items``, when the fragment was tokenized."""
        fragment = self.fragment
        if fragment.source is None:
            return None
        first, last = items[0], items[-1]
        start = first[2] if first[0] == "run" else fragment.start(first[1])
        end = last[3] if last[0] == "run" else fragment.end(last[1])
        if start is None or end is None:
            return None
        return fragment.source[start:end]

    def markdown_block(self, el, prev_list: dict[str, int]) -> str | None:
        """The block element as Markdown; None when Markdown has no form for it, "" when it
        leaves nothing here (footnotes, written at the end)."""
        tag = el.tag
        if tag not in ("ul", "ol"):
            prev_list.clear()
        if tag == "p" and not el.attrib:
            return self.paragraph(_inline_children(el), allow_empty=False)
        if tag in _HEADINGS and set(el.attrib) <= {"id"}:
            return self.heading(el)
        if tag == "pre" and not el.attrib:
            return self.code_block(el)
        if tag == "blockquote" and not el.attrib:
            inner = self.blocks(el)
            return "\n".join(("> " + line) if line else ">" for line in inner.split("\n")) if inner else ">"
        if tag in ("ul", "ol"):
            return self.list_block(el, prev_list)
        if tag == "hr" and not el.attrib:
            return "* * *"
        if tag == "table" and self.gfm:
            return self.table(el)
        if tag == "div" and el.get("class") == "footnotes" and self.gfm and self.footnote_block(el):
            return ""
        return None

    def html_block(self, el) -> str:
        """The element as an HTML block: as written in the source when known, else serialized."""
        return (self.fragment.outer(el) or outer_html(el)).strip("\n")

    def paragraph_from(self, nodes: list, allow_empty: bool = True) -> str | None:
        text = self.inline_nodes(nodes)
        # Only ASCII blanks around a paragraph are not content: U+3000 indents stay.
        text = _keep_edge_spaces(_protect_lines(text.strip(" \t\n")))
        if not text.strip(" \t\n"):
            return "&#32;" if not allow_empty else None
        if "\ue010" not in text and "<" not in text:
            return text
        # HTML at the start of a line after the first may start an HTML block that ends the
        # paragraph (``<div>``, a comment): that line joins the one before it.
        lines = text.split("\n")
        joined = [lines[0]]
        for line in lines[1:]:
            if html_block_kind(self.unraw(line)) in range(1, 7):
                previous = joined[-1]
                joined[-1] = (previous[:-1] + "<br />" if previous.endswith("\\") and not previous.endswith("\\\\")
                              else previous + " ") + line
            else:
                joined.append(line)
        return self.unraw("\n".join(joined))

    def paragraph(self, nodes: list, allow_empty: bool = True) -> str | None:
        """A paragraph; None when its first line would start an HTML block instead."""
        text = self.paragraph_from(nodes, allow_empty)
        if text and text[0] == "<" and html_block_kind(text):
            return None
        return text

    def raw_mark(self, html: str) -> str:
        """A mark standing for raw HTML in inline text (see :meth:`unraw`)."""
        self.raw.append(html)
        return f"\ue010{len(self.raw) - 1}\ue011"

    def unraw(self, text: str) -> str:
        """The raw HTML back in place of its marks, as written (its line breaks and spaces kept)."""
        return _RAW_MARK_RE.sub(lambda m: self.raw[int(m.group(1))], text) if "\ue010" in text else text

    def heading(self, el) -> str:
        level = _HEADINGS[el.tag]
        text = self.unraw(self.inline_nodes(_inline_children(el))).replace("\ue003", "<br />")
        raw = _heading_text(el)
        ident = re.sub(r"[^\w\- \t]", "", raw.lower()).replace(" ", "-").replace("\t", "-")
        n = self.heading_ids.get(ident, -1) + 1
        self.heading_ids[ident] = n
        auto = f"{ident}-{n}" if n else ident
        if "\n" in text or (el.get("id") is not None and el.get("id") != auto):
            return self.html_block(el)
        text = _keep_edge_spaces(text.strip(" \t"))
        if text.endswith("#"):
            text = text[:-1] + "\\#"
        if text.startswith(" ") or text.startswith("\t"):
            text = "&#32;" + text.lstrip(" \t")
        return "#" * level + (" " + text if text else "")

    def code_block(self, el) -> str:
        if len(el) != 1 or el.text or el[0].tag != "code" or len(el[0]) or (el[0].tail or ""):
            return self.html_block(el)
        code = el[0]
        cls = code.get("class") or ""
        lang = cls[len("language-"):] if cls.startswith("language-") else ""
        # An info string has its escapes and entities decoded by CommonMark, not by kramdown.
        if set(code.attrib) - {"class"} or (cls and not lang) or re.search(r"[\s`\\]|&#?\w+;", lang):
            return self.html_block(el)
        content = code.text or ""
        if not content.endswith("\n"):
            if content:
                return self.html_block(el)
        runs = [len(m) for m in re.findall(r"`{3,}", content)]
        fence = "`" * max(3, max(runs, default=0) + 1)
        return f"{fence}{lang}\n{content}{fence}"

    def list_block(self, el, prev_list: dict[str, int]) -> str:
        ordered = el.tag == "ol"
        items = [li for li in el if isinstance(li.tag, str)]
        if (set(el.attrib) - {"start"} or any(li.tag != "li" or li.attrib for li in items)
                or any((li.tail or "").strip() for li in items) or (el.text or "").strip()):
            prev_list.clear()
            return self.html_block(el)
        start = el.get("start", "1") if ordered else "1"
        if ordered and not re.fullmatch(r"\d{1,9}", start):
            prev_list.clear()
            return self.html_block(el)
        # Two lists in a row with the same marker would merge into one: alternate markers.
        style = prev_list.get(el.tag, -1) + 1
        prev_list.clear()
        prev_list[el.tag] = style
        loose = any(child.tag == "p" for li in items for child in li)
        out = []
        number = int(start)
        for li in items:
            if ordered:
                marker = f"{number}{'.)'[style % 2]} "
                number += 1
            else:
                marker = "-*+"[style % 3] + " "
            content = self.blocks(li, tight=not loose)
            if content is None:  # a tight item Markdown cannot hold: the list as HTML
                prev_list.clear()
                return self.html_block(el)
            indent = " " * len(marker)
            lines = content.split("\n")
            first = lines[0]
            if not content:
                out.append(marker.rstrip())
                continue
            if first.startswith(" "):
                first = "&#32;" + first.lstrip(" ")
            body = [marker + first] + [(indent + line) if line else "" for line in lines[1:]]
            out.append("\n".join(body))
        return ("\n\n" if loose else "\n").join(out)

    def table(self, el) -> str | None:
        """A GFM pipe table, or None when the table needs HTML."""
        if el.attrib or (el.text or "").strip():
            return None
        sections = [c for c in el if isinstance(c.tag, str)]
        if [s.tag for s in sections] not in (["thead", "tbody"], ["thead"]):
            return None
        rows = []
        for section in sections:
            if section.attrib or (section.text or "").strip():
                return None
            for tr in section:
                if tr.tag != "tr" or tr.attrib or (tr.tail or "").strip() or (tr.text or "").strip():
                    return None
                rows.append((section.tag, list(tr)))
        if not rows or rows[0][0] != "thead" or sum(1 for s, _ in rows if s == "thead") != 1:
            return None
        width = len(rows[0][1])
        aligns = []
        for cell in rows[0][1]:
            aligns.append(cell.get("style", ""))
        lines = []
        for index, (section, cells) in enumerate(rows):
            want = "th" if section == "thead" else "td"
            if len(cells) != width:
                return None
            texts = []
            for col, cell in enumerate(cells):
                if (cell.tag != want or set(cell.attrib) - {"style"} or cell.get("style", "") != aligns[col]
                        or (cell.tail or "").strip() or any(isinstance(c.tag, str) and c.tag in _BLOCK for c in cell)):
                    return None
                text = self.unraw(self.inline_nodes(_inline_children(cell))).replace("\ue003", "<br />")
                if "\n" in text or "|" in text.replace("\\|", ""):
                    return None
                texts.append(_keep_edge_spaces(text.strip(" ")))
            lines.append("| " + " | ".join(texts) + " |")
            if index == 0:
                marks = {"": "---", "text-align:left": ":---", "text-align:right": "---:",
                         "text-align:center": ":---:"}
                if any(a not in marks for a in aligns):
                    return None
                lines.append("| " + " | ".join(marks[a] for a in aligns) + " |")
        return "\n".join(lines)

    def footnote_block(self, el) -> bool:
        """kramdown's ``div.footnotes > ol > li#fn:N`` back to ``[^N]: ...``; False if not that."""
        if el.get("role") != "doc-endnotes" or len(el) != 1 or el[0].tag != "ol" or el[0].attrib:
            return False
        notes = []
        for li in el[0]:
            ident = li.get("id") or ""
            if li.tag != "li" or not ident.startswith("fn:") or li.get("role") != "doc-endnote":
                return False
            notes.append((ident[3:], li))
        for name, li in notes:
            note = copy.deepcopy(li)
            for back in note.xpath(".//a[@class='reversefootnote']"):
                _drop_keep_tail(back)
            content = self.blocks(note)
            lines = content.split("\n")
            text = f"[^{name}]: " + lines[0] + "".join(("\n    " + l) if l else "\n" for l in lines[1:])
            self.footnotes.append(text)
        return True

    # -- inline --

    def inline_nodes(self, nodes: list) -> str:
        parts: list[str] = []
        for node in nodes:
            if isinstance(node, str):
                parts.append(self.esc(node))
            else:
                self._append_inline(parts, node)
                if node.tail:
                    parts.append(self.esc(node.tail))
        return _resolve_emphasis_for("".join(parts), self.cjk_friendly)

    def _append_inline(self, parts: list[str], el) -> None:
        text = self.inline(el)
        if text.startswith("`") and parts and parts[-1].endswith("`"):
            # Two code spans in a row would make one backtick run: the second keeps its tag.
            text = "<code>" + self.esc(el.text or "") + "</code>"
        elif text.startswith("[") and parts and re.search(r"(?<!\\)(?:\\\\)*!\Z", parts[-1]):
            # A literal "!" right before a link would make it an image.
            parts[-1] = parts[-1][:-1] + "\\!"
        parts.append(text)

    def inline_content(self, el) -> str:
        parts = [self.esc(el.text)] if el.text else []
        for child in el:
            if not isinstance(child.tag, str):
                if child.tail:
                    parts.append(self.esc(child.tail))
                continue
            self._append_inline(parts, child)
            if child.tail:
                parts.append(self.esc(child.tail))
        return "".join(parts)

    def inline(self, el) -> str:
        tag = el.tag
        if not isinstance(tag, str):
            return ""
        if tag == RAW:
            return self.raw_mark(el.text or "")
        if tag in _EMPHASIS and not el.attrib:
            inner = self.inline_content(el)
            if not inner:
                return f"<{tag}></{tag}>"
            kind = "S" if _EMPHASIS[tag] == "**" else "E"
            return f"\ue000{kind}{tag}\ue001{inner}\ue002{kind}{tag}\ue001"
        if tag == "code" and not el.attrib and not len(el):
            return _code_span(el.text or "", self.esc)
        if tag == "a" and set(el.attrib) <= {"href", "title"} and el.get("href") is not None \
                and el.find(".//a") is None:  # links cannot nest
            inner = self.inline_content(el)
            if self.references is not None:
                return f"[{inner}][{self.references.label(el.get('href'), el.get('title'))}]"
            return f"[{inner}]({_destination(el.get('href'))}{_title(el.get('title'))})"
        if tag == "img" and set(el.attrib) <= {"src", "alt", "title"} and el.get("src") is not None \
                and el.get("alt") is not None:  # Markdown images always have an alt
            alt = self.esc(el.get("alt") or "").replace("\n", " ")
            if self.references is not None:
                return f"![{alt}][{self.references.label(el.get('src'), el.get('title'))}]"
            return f"![{alt}]({_destination(el.get('src'))}{_title(el.get('title'))})"
        if tag == "br" and not el.attrib:
            return "\ue003"
        if tag == "sup" and self.gfm:
            name = _is_footnote_ref(el)
            if name is not None:
                return f"[^{name}]"
        if tag == "s" and self.gfm and not el.attrib and len(el) == 0 and el.text and not el.text.startswith((" ", "~")) \
                and not el.text.endswith((" ", "~")):
            # GFM strikethrough; other strikes (nested markup) keep the tag.
            return f"~~{self.esc(el.text)}~~"
        if tag in RAW_TEXT:  # script, style: their content is not Markdown either
            return self.raw_mark(self.fragment.outer(el) or outer_html(el))
        # No Markdown form: the tags as inline HTML (as written, when known), the content as Markdown.
        tags = self.fragment.tags(el)
        if tags is not None:  # kept out of line clean-up like raw HTML: a tag may span lines
            start, end = tags
            return self.raw_mark(start) + (self.inline_content(el) + self.raw_mark(end) if end else "")
        attrs = "".join(f' {k}="{_attr_escape(v)}"' for k, v in el.attrib.items())
        if tag in VOID:
            return f"<{tag}{attrs} />"
        return f"<{tag}{attrs}>{self.inline_content(el)}</{tag}>"


def _drop_keep_tail(el) -> None:
    parent = el.getparent()
    prev = el.getprevious()
    tail = el.tail or ""
    if prev is not None:
        prev.tail = ((prev.tail or "").rstrip(" ") if not tail.strip() else (prev.tail or "")) + tail
    else:
        parent.text = ((parent.text or "").rstrip(" ") if not tail.strip() else (parent.text or "")) + tail
    parent.remove(el)


def _inline_children(el) -> list:
    nodes: list = []
    if el.text:
        nodes.append(el.text)
    for child in el:
        if isinstance(child.tag, str):
            nodes.append(child)
        elif child.tail:
            nodes.append(child.tail)
    return nodes


def _heading_text(el) -> str:
    """The text kramdown-parser-gfm builds a header id from (text and code, not image alt nor raw HTML)."""
    parts = [el.text or ""] if el.tag != RAW else []
    for child in el:
        if isinstance(child.tag, str):
            parts.append(_heading_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _attr_escape(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def _destination(url: str) -> str:
    url = re.sub(r"&(?=#?\w+;)", r"\\&", url.replace("\\", "\\\\"))
    if not url or re.search(r"[\s<>]|[\x00-\x1f]", url) or url.count("(") != url.count(")"):
        return "<" + url.replace("<", "\\<").replace(">", "\\>") + ">"
    return url


def _title(title: str | None) -> str:
    if title is None:
        return ""
    escaped = title.replace("\\", "\\\\").replace('"', '\\"')
    escaped = re.sub(r"&(?=#?\w+;)", r"\\&", escaped)
    return f' "{escaped}"'


def _code_span(text: str, esc=None) -> str:
    if not text:
        return "<code></code>"
    runs = {len(m) for m in re.findall(r"`+", text)}
    n = 1
    while n in runs:
        n += 1
    fence = "`" * n
    pad = " " if text.startswith("`") or text.endswith("`") or (
        text.startswith(" ") and text.endswith(" ") and text.strip(" ")) else ""
    if "\n" in text:
        return "<code>" + (esc or _escape_text)(text) + "</code>"
    return f"{fence}{pad}{text}{pad}{fence}"


# Escapes in running text: what would start a CommonMark/GFM construct, and what
# convert's kramdown reader would change (typography, smart quotes, Liquid, IALs, math).
_ESCAPE_RE = re.compile(
    r"[\\`*_\[\]<|~\"']|&(?=#?\w+;)|!(?=\[)|(?<=-)-|(?<=\.)\.(?=\.)|(?<=>)>|\$(?=\$)|\{(?=[{%:])|(?<=\{)[{%:]"
)


# The same without the Liquid escapes (``{{``/``{%``: the jekyll flavour wraps those in raw)
# and with ``&`` apart, written as an entity.
_ESCAPE_NO_LIQUID_RE = re.compile(
    r"[\\`*_\[\]<|~\"']|!(?=\[)|(?<=-)-|(?<=\.)\.(?=\.)|(?<=>)>|\$(?=\$)|\{(?=:)|(?<=\{):|&(?=#?\w+;)"
)


def _escape_text(text: str, line_start: bool = True, jekyll: bool = False) -> str:
    if not jekyll:
        return _ESCAPE_RE.sub(lambda m: "\\" + m.group(0), text)
    return _ESCAPE_NO_LIQUID_RE.sub(lambda m: "&amp;" if m.group(0) == "&" else "\\" + m.group(0), text)


def _protect_lines(text: str) -> str:
    """Escape what would open a block at a line start; no line starts or ends with spaces."""
    text = _resolve_breaks(text)
    lines = text.split("\n")
    out = []
    for index, line in enumerate(lines):
        stripped = line.lstrip(" \t")
        line = stripped  # leading spaces are no content in Markdown (and 4 would make code)
        if not line:
            continue  # a blank line would end the paragraph; in HTML it is one more space
        if line[:1] in ("#", ">", "+", "=", "-"):
            line = "\\" + line
        elif re.match(r"\d{1,9}[.)]", line):
            m = re.match(r"\d{1,9}", line)
            line = line[: m.end()] + "\\" + line[m.end():]
        line = line.rstrip(" \t")  # trailing spaces would be a hard break, or nothing
        out.append(line)
    return "\n".join(out)


def _keep_edge_spaces(text: str) -> str:
    """A paragraph, heading or cell that starts or ends with a space other than ASCII (U+3000,
    the Chinese paragraph indent; a no-break space): that first or last one as a character
    reference. CommonMark strips only spaces and tabs there, but markdown-it (and so many
    editors and site generators, and convert's own reader on its full path) strips every
    Unicode space."""
    if text and text[0].isspace() and text[0] not in " \t\n":
        text = f"&#{ord(text[0])};" + text[1:]
    if text and text[-1].isspace() and text[-1] not in " \t\n":
        text = text[:-1] + f"&#{ord(text[-1])};"
    return text


def _resolve_breaks(text: str) -> str:
    # A hard break is backslash-newline, except at the end of a block where Markdown has none.
    text = re.sub(r"\ue003\n?", "\\\\\n", text)
    while text.endswith("\\\n"):
        text = text[:-2] + "<br />"
    return text


# --- emphasis --------------------------------------------------------------------------

_MARK_RE = re.compile(r"\ue000([SE])(\w+)\ue001|\ue002([SE])(\w+)\ue001")


def _is_space(ch: str) -> bool:
    return ch == "" or ch.isspace() or unicodedata.category(ch) == "Zs" or ch == "\ue003"


def _is_punct(ch: str, symbols: bool) -> bool:
    if ch and ch in "\ue000\ue001\ue002\ue010\ue011":
        return True  # another emphasis (`*` or `<tag>`) or raw HTML: punctuation both ways
    cat = unicodedata.category(ch) if ch else ""
    return cat.startswith("P") or (symbols and cat.startswith("S")) or (ch.isascii() and not ch.isalnum()
                                                                          and not ch.isspace() and ch != "")


def _left_flanking(before: str, after: str, symbols: bool) -> bool:
    if _is_space(after):
        return False
    return not _is_punct(after, symbols) or _is_space(before) or _is_punct(before, symbols)


def _left_flanking_cjk(before: str, after: str, symbols: bool) -> bool:
    """Left-flanking under the CommonMark CJK-friendly amendments: only non-CJK punctuation
    after the run needs space or punctuation before it, and a CJK character before it will do."""
    if _is_space(after):
        return False
    return (not (_is_punct(after, symbols) and not is_cjk(after)) or _is_space(before)
            or _is_punct(before, symbols) or is_cjk(before))


def _may_flank(before: str, after: str) -> bool:
    """Left-flanking under any parser's view, CJK-friendly emphasis (convert's reader) included."""
    if _left_flanking(before, after, False) or _left_flanking(before, after, True):
        return True
    return not _is_space(after) and (bool(before) and is_cjk(before) or is_cjk(after))


def _can_open(before: str, after: str, cjk_friendly: bool = False) -> bool:
    # Parsers differ on whether symbols (category S) are punctuation: hold under both views.
    flanking = _left_flanking_cjk if cjk_friendly else _left_flanking
    return flanking(before, after, False) and flanking(before, after, True)


def _can_close(before: str, after: str, cjk_friendly: bool = False) -> bool:
    return _can_open(after, before, cjk_friendly)


def _resolve_emphasis_for(text: str, cjk_friendly: bool) -> str:
    """``--cjk-friendly`` output never keeps more tags than the default: choosing outer emphasis
    first, the amended rules can turn an outer pair into delimiters and force inner ones back into
    tags (``<strong>`` in ``<strong>``). The default form reads back under the amendments too
    (its delimiters are chosen to be unambiguous under both views), so the form with fewer tags wins."""
    friendly = _resolve_emphasis(text, cjk_friendly)
    if not cjk_friendly:
        return friendly
    default = _resolve_emphasis(text, False)
    tags = re.compile(r"</?(?:strong|em)>")
    return default if len(tags.findall(default)) < len(tags.findall(friendly)) else friendly


def _resolve_emphasis(text: str, cjk_friendly: bool = False) -> str:
    """Turn emphasis markers into ``*``/``**`` where they parse back (in plain CommonMark, or
    with ``cjk_friendly`` under the CJK-friendly amendments), else into tags."""
    if "\ue000" not in text:
        return text
    marks = list(_MARK_RE.finditer(text))
    partner: dict[int, int] = {}  # marker index -> its pair's index (they nest: they come from a tree)
    stack = []
    for i, m in enumerate(marks):
        if m.group(1):
            stack.append(i)
        else:
            j = stack.pop()
            partner[i], partner[j] = j, i
    by_start = {m.start(): i for i, m in enumerate(marks)}
    by_end = {m.end(): i for i, m in enumerate(marks)}
    choice: dict[int, bool] = {}  # marker index -> written as a delimiter
    for i, m in enumerate(marks):
        if not m.group(1):
            continue
        close = marks[partner[i]]
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        last = text[close.start() - 1]
        follow = text[close.end()] if close.end() < len(text) else ""
        ok = (_can_open(before, after, cjk_friendly) and _can_close(last, follow, cjk_friendly)
              and "\ue003" not in (before, after, last, follow))
        if ok and any(choice.get(j) and marks[j].start() < m.start() < marks[partner[j]].start() for j in choice):
            # Inside emphasis written with delimiters, a run that could both open and close
            # may pair with the outer one instead (`**a**b**c**`): only unambiguous runs.
            ok = not _may_flank(after, before) and not _may_flank(last, follow)
        # Touching emphasis written with delimiters would merge into one delimiter run
        # (`*a**b*`): only the first of two touching ones gets them, the other keeps its tags.
        touching = [by_end.get(m.start()), by_start.get(m.end()), by_end.get(close.start()), by_start.get(close.end())]
        for t in touching:
            if t is not None and choice.get(t, choice.get(partner[t], False)):
                ok = False
        choice[i] = choice[partner[i]] = ok

    def sub(m: re.Match) -> str:
        i = by_start[m.start()]
        tag = m.group(2) or m.group(4)
        if choice[i]:
            return "**" if (m.group(1) or m.group(3)) == "S" else "*"
        return f"<{tag}>" if m.group(1) else f"</{tag}>"

    return _MARK_RE.sub(sub, text)
