"""Turn rendered or raw HTML into the ONE canonical article body.

Every writer consumes what :func:`clean_body` returns, so the rules live here once:

* nh3 (ammonia/html5ever) does the sanitizing: an allow-list of semantic tags and
  attributes, URL schemes, comments stripped, dangerous elements dropped with their
  content. Its output is canonical (lower-case names, double-quoted attributes, ``<``
  and ``>`` escaped everywhere), so every later step is a regex over that output, not
  a second parse.
* ``style`` survives only on ``th``/``td`` and only as ``text-align:left|right|center``
  (GFM/kramdown table column alignment); any other CSS is dropped.
* Hidden content and embedded media are the only rules nh3 cannot express. When the
  input can contain them (a cheap scan says so) a first nh3 pass keeps the markers
  (``style``, ``hidden``, ``aria-hidden``, ``iframe``...), a small tag walk removes
  hidden subtrees and replaces media by links, and a second nh3 pass normalises.
* The result is made XML-safe: void elements self-closed, ``&nbsp;`` written as the
  character, XML-forbidden characters removed, nesting flattened below
  :data:`MAX_DEPTH` (libxml2 refuses documents deeper than 256 levels), text NFC.
* Relative ``href``/``src``/``srcset`` are resolved against the page URL; images are
  recorded as :class:`~convert.model.Asset` (local when the file is inside the source
  tree, else remote; never fetched).

``dropped`` names each rule that removed something, with a count. Counts of what nh3
removes silently (scripts, comments, event handlers, unsafe URLs) come from a scan of
the input, so markup-looking text inside comments or attribute values is counted
too. ``warn`` is called only when a reader would miss something visible (a form, an
embedded page, forbidden characters); invisible removals are counted, not warned.

Keys of ``dropped``: ``comment``, ``hidden``, ``xml-char``, ``event-handler``,
``unsafe-url``, ``deep-nesting``, ``span`` (unwrapped), and the name of each dropped
or replaced element (``script``, ``style``, ``iframe``, ``form``, ``input``...).
"""

from __future__ import annotations

import html as _html
import mimetypes
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping
from urllib.parse import SplitResult, unquote, urljoin, urlsplit

import nh3

from convert.model import Asset
from convert.text import normalize_lang

__all__ = ["CleanBody", "clean_body", "MAX_DEPTH"]

#: Deeper elements are unwrapped (their text kept): libxml2, and so lxml and
#: ebooklib, refuse or silently truncate documents nested deeper than 256 levels,
#: and writers wrap the body in a few more elements.
MAX_DEPTH = 100


@dataclass(frozen=True, slots=True)
class CleanBody:
    html: str  # the canonical fragment
    assets: tuple[Asset, ...]  # in document order, deduplicated
    dropped: Mapping[str, int]  # rule name -> count of things removed


# --- the allow-list ------------------------------------------------------------

_TAGS = frozenset(
    """a abbr address aside b bdi bdo blockquote br caption cite code col colgroup dd del
    details dfn div dl dt em figcaption figure h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark
    ol p pre q rp rt ruby s samp section small strong sub summary sup table tbody td tfoot
    th thead time tr u ul var wbr""".split()
)
_VOID = frozenset({"br", "hr", "img", "wbr", "col"})
_ATTRIBUTES = {
    "*": {"id", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "srcset", "alt"},
    "code": {"class"},  # reduced to language-* below
    "ol": {"start", "reversed"},
    "li": {"value"},
    "td": {"colspan", "rowspan", "style"},  # style: text-align only (_STD, _cell_style)
    "th": {"colspan", "rowspan", "scope", "style"},
    "col": {"span"},
    "colgroup": {"span"},
    "time": {"datetime"},
    "del": {"datetime"},
    "ins": {"datetime"},
}
# Footnote markup of kramdown, goldmark/pandoc and markdown-it-footnote.
_CLASSES = {
    "a": {"footnote", "footnote-ref", "footnote-backref", "reversefootnote"},
    "sup": {"footnote-ref"},
    "div": {"footnotes"},
    "section": {"footnotes"},
    "ol": {"footnotes-list"},
    "li": {"footnote-item"},
    "hr": {"footnotes-sep"},
}
_ROLES = {"doc-noteref", "doc-endnotes", "doc-endnote", "doc-backlink", "doc-footnote", "doc-footnotes"}
_ATTR_VALUES = {t: {"role": _ROLES} for t in ("a", "sup", "div", "section", "ol", "li", "aside")}
_ATTR_VALUES["a"]["rel"] = {"footnote"}
# Dropped WITH their content. Invisible ones are only counted; the rest also warn.
_INVISIBLE_CONTENT = frozenset({"script", "style", "template", "noembed", "noframes", "title", "head"})
_VISIBLE_CONTENT = frozenset({"form", "button", "select", "textarea", "svg", "applet"})
_URL_SCHEMES = {"http", "https", "mailto", "tel", "ftp", "sftp", "news", "irc", "ircs", "xmpp", "geo", "data"}
_MEDIA = frozenset({"iframe", "object", "embed", "video", "audio"})
_KEY = {"!": "comment", "?": "comment"}  # <!-- -->, <!DOCTYPE>, <?xml ?> are all dropped as comments

_STD = nh3.Cleaner(
    tags=set(_TAGS),
    clean_content_tags=set(_INVISIBLE_CONTENT | _VISIBLE_CONTENT),
    attributes={k: set(v) for k, v in _ATTRIBUTES.items()},
    allowed_classes={k: set(v) for k, v in _CLASSES.items()},
    tag_attribute_values=_ATTR_VALUES,
    url_schemes=_URL_SCHEMES,
    link_rel=None,
    strip_comments=True,
    # Table column alignment (kramdown/GFM write style="text-align: left" on th/td);
    # nh3 keeps the property with any value, so _cell_style checks the value.
    filter_style_properties={"text-align"},
)
# First pass when hidden content or media may be present: keeps the markers that the
# tag walk needs; the standard pass afterwards drops them.
_MARK_ATTRS = {k: set(v) for k, v in _ATTRIBUTES.items()}
_MARK_ATTRS["*"] |= {"style", "hidden", "aria-hidden"}
for _t in ("iframe", "embed", "video", "audio", "source"):
    _MARK_ATTRS[_t] = {"src"}
_MARK_ATTRS["object"] = {"data"}
_MARKING = nh3.Cleaner(
    tags=set(_TAGS | _MEDIA | {"span", "source"}),
    clean_content_tags=set(_INVISIBLE_CONTENT | _VISIBLE_CONTENT),
    attributes=_MARK_ATTRS,
    allowed_classes={k: set(v) for k, v in _CLASSES.items()},
    tag_attribute_values=_ATTR_VALUES,
    url_schemes=_URL_SCHEMES,
    link_rel=None,
    strip_comments=True,
)

# --- the input scan ------------------------------------------------------------

_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# The input scan is a handful of C-speed searches, not one big alternation: a regex
# alternation tried at every position cost 160 us per body, three times nh3 itself.
_TAG_NAMES = re.compile(r"<([!?]|[a-zA-Z][a-zA-Z0-9-]*)")
_HANDLER = re.compile(r"<[a-zA-Z][^>]*?\s[oO][nN][a-zA-Z]+\s*=")
_UNSAFE_URL = re.compile(r"(?:java|vb|live)script:|=\s*[\"']?\s*(?:file:|data:(?!image/))", re.I)
# Substrings that make the clean-up do more (tables, hidden markers, event handlers,
# unsafe URLs), found in one scan: none can start inside another or be the start of
# another, so the scan's non-overlapping matches find every occurrence of each.
_TABLE_TRIGGERS = frozenset({"<table", "<TABLE", "<Table"})
_HIDING_TRIGGERS = frozenset({"idden", "isplay", "IDDEN", "ISPLAY"})
_HANDLER_TRIGGERS = frozenset({" on", " ON", " On", "\ton", "\non", "/on"})
_URL_TRIGGERS = frozenset({"script:", "file:", "data:", "SCRIPT:", "Script:"})
# The same strings, each branch starting with a literal character (the regex engine
# then skips to those characters) and common starts taken once.
_TRIGGERS = re.compile(r"<(?:table|TABLE|Table)|i(?:dden|splay)|I(?:DDEN|SPLAY)| (?:on|ON|On)|\ton|\non|/on"
                       r"|script:|Script:|SCRIPT:|file:|data:")
_DROPPED_QUIETLY = frozenset(
    {"math", "canvas", "marquee", "noscript", "meta", "link", "base", "frame", "frameset", "param", "track", "source"}
)
# Presentational HTML 4 elements and their HTML5 counterparts (span is unwrapped later).
_RENAMES = {"center": "div", "font": "span", "strike": "s", "tt": "code", "acronym": "abbr", "big": "span", "dir": "ul"}
_RENAME_RE = re.compile(r"<(/?)(" + "|".join(_RENAMES) + r")(?=[\s/>])", re.I)
_INPUT_RE = re.compile(r"<input\b[^>]*>", re.I)
_CHECKBOX = re.compile(r"""\btype\s*=\s*["']?checkbox\b""", re.I)
_CHECKED = re.compile(r"""\schecked\b""", re.I)

# --- canonical-output patterns (nh3 escapes < and > inside attribute values) -----

# Substrings of nh3's output that the steps after it look for, in one scan (as with
# _TRIGGERS, none can start inside another or be the start of another).
_VOID_TRIGGERS = frozenset({"<br", "<hr", "<img", "<col", "<wbr"})
_OUTPUT_TRIGGERS = re.compile(r'<(?:pre|a|img|br|hr|col|wbr|code)| (?:style="|class=""|lang=")|&nbsp;')
# A lang attribute inside a tag ([^>]* cannot leave it: nh3 escapes '>' in values).
_LANG_ATTRIBUTE = re.compile(r'(<[a-z][a-z0-9]*(?: [^>]*?)?) lang="([^"]*)"')

_TAG = re.compile(r"<(/?)([a-z][a-z0-9]*)([^>]*)>")
_ATTR = re.compile(r' ([a-z][a-z0-9:-]*)="([^"]*)"')
# An <a>/<img> with an href/src that is not already absolute http(s) or a fragment, or
# with a srcset; [^>]* stays inside the tag because nh3 escapes '>' in values.
_RELATIVE_URL_TAG = re.compile(r'<(a|img)(?= )([^>]*? (?:(?:href|src)="(?!https?://|#)|srcset=")[^>]*)>')
_IMG = re.compile(r"<img( [^>]*)>")
_VOID_OPEN = re.compile(r"(<(?:br|hr|img|wbr|col)\b[^>]*)>")
# A th/td style as nh3 writes it; only "text-align:left|right|center" is kept.
_CELL_STYLE = re.compile(r'(<t[hd]\b[^>]*?) style="([^"]*)"')
_ALIGN = frozenset({"text-align:left", "text-align:right", "text-align:center"})
_URL_ATTR = re.compile(r' (href|src|srcset)="([^"]*)"')
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_PRE_NEWLINE = re.compile(r"(<pre(?: [^>]*)?>)\n")
_SPLIT_TAGS = re.compile(r"(<[^>]*>)")
_ASCII_WS = " \t\n\r\f"

_MEDIA_TYPES = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".svg": "image/svg+xml", ".avif": "image/avif", ".bmp": "image/bmp",
    ".ico": "image/vnd.microsoft.icon", ".tif": "image/tiff", ".tiff": "image/tiff",
}


def clean_body(
    html: str,
    *,
    page_url: str = "",
    site_url: str = "",
    source_dir: Path | None = None,
    source_root: Path | None = None,
    warn: Callable[[str], None] = lambda m: None,
) -> CleanBody:
    """Sanitize ``html`` into the canonical body; see the module docstring for the rules."""
    dropped: dict[str, int] = {}
    lost: list[str] = []  # visible losses, reported once per body through warn()
    marking = renames = inputs = False
    foreign: set[str] = set()
    names = _TAG_NAMES.findall(html)
    if names:
        for name in set(names):
            if name not in _TAGS:
                lowered = name.lower()
                if lowered not in _TAGS:
                    foreign.add(lowered)
                    _count(dropped, _KEY.get(lowered, lowered), names.count(name))
    triggers = set(_TRIGGERS.findall(html))
    # Unwrapping a tag (span, font, unknown ones) can leave nesting that a re-parse
    # would change (<h1><x><h2>, <p><button><p>): a second pass makes the result stable.
    # Tables too: foster parenting can nest <a> in <a>, which a re-parse splits.
    needs_second_pass = bool(foreign) or not triggers.isdisjoint(_TABLE_TRIGGERS)
    for name in foreign:
        if name in _RENAMES:  # mapped, not dropped
            renames = True
            dropped.pop(name)
        elif name in _MEDIA:  # counted by the walk, which replaces them
            marking = True
            dropped.pop(name)
        elif name == "input":  # counted by _input: checkboxes are kept as characters
            inputs = True
            dropped.pop(name)
        elif name in _VISIBLE_CONTENT:
            lost.append(f"<{name}> dropped with its content")
        elif not (name in _KEY or name == "span" or name in _INVISIBLE_CONTENT or name in _DROPPED_QUIETLY):
            dropped.pop(name)  # unknown tags are unwrapped, their text kept: nothing dropped
    # Hidden markers: style display/visibility, the hidden and aria-hidden attributes.
    # Case variants beyond lower/Capital/UPPER are not looked for (only a cost matter).
    if not triggers.isdisjoint(_HIDING_TRIGGERS):
        marking = True
    # Counts of what nh3 drops silently; guarded by the trigger scan so a plain body
    # never pays for these regexes.
    if not triggers.isdisjoint(_HANDLER_TRIGGERS):
        n = len(_HANDLER.findall(html))
        if n:
            _count(dropped, "event-handler", n)
    if not triggers.isdisjoint(_URL_TRIGGERS):
        n = len(_UNSAFE_URL.findall(html))
        if n:
            _count(dropped, "unsafe-url", n)

    if renames:
        html = _RENAME_RE.sub(lambda m: f"<{m.group(1)}{_RENAMES[m.group(2).lower()]}", html)
    if inputs:
        html = _INPUT_RE.sub(lambda m: _input(m.group(0), dropped, lost), html)

    assets: dict[str, Asset] = {}
    links = _Links(page_url, site_url, source_dir, source_root, assets, dropped) if marking else None
    try:
        out = _sanitize(html, marking, needs_second_pass, links, dropped, lost)
    except UnicodeEncodeError:  # lone surrogates cannot cross into Rust: strip, retry
        html, n = _XML_FORBIDDEN.subn("", html)
        _count(dropped, "xml-char", n)
        out = _sanitize(html, marking, needs_second_pass, links, dropped, lost)

    # What the steps below look for, found in one scan; each step still tests the text as it
    # is by then, and no step makes a later one's substring appear (they change attribute
    # values, drop characters or attributes, never write a '<' or a quote into text).
    found = set(_OUTPUT_TRIGGERS.findall(out))
    if "&nbsp;" in found:
        out = out.replace("&nbsp;", "\u00a0")
    if ' style="' in found:
        out = _CELL_STYLE.sub(_cell_style, out)
    if ' class=""' in found:  # left behind when allowed_classes filtered every class out
        out = out.replace(' class=""', "")
    if _XML_FORBIDDEN.search(out):  # raw, or decoded from references like &#1;
        out, n = _XML_FORBIDDEN.subn("", out)
        _count(dropped, "xml-char", n)
    if "xml-char" in dropped:
        lost.append(f"{dropped['xml-char']} character(s) that XML forbids removed")
    if "<pre" in found and "<pre" in out:  # an HTML parser eats the first newline after <pre>: keep it stable
        out = _PRE_NEWLINE.sub(r"\1", out)
    if ("<a" in found and "<a " in out) or ("<img" in found and "<img " in out):
        if links is None:
            links = _Links(page_url, site_url, source_dir, source_root, assets, dropped)
        if "<img" in found and "<img " in out:  # before resolution: a page-relative src is looked up as written
            links.collect_images(out)
        out = _RELATIVE_URL_TAG.sub(links.tag, out)
    if not found.isdisjoint(_VOID_TRIGGERS):
        out = _VOID_OPEN.sub(r"\1 />", out)
    if "<code" in found and "<code " in out:
        out = _CODE_CLASS.sub(_code_class, out)
    if ' lang="' in found:
        out = _LANG_ATTRIBUTE.sub(_lang_attribute, out)
    if out.count("<") > 2 * MAX_DEPTH:  # depth D needs D start and D end tags
        out = _cap_depth(out, dropped)
    # U+0338 composes with '<' and '>', which the serialized text holds as &lt; &gt;
    if not unicodedata.is_normalized("NFC", out) or "\u0338" in out:
        out = _nfc(out)

    for message in lost:
        warn(message)
    # Sorted: the scan visits tag names through a set, whose order varies between runs.
    return CleanBody(html=out, assets=tuple(assets.values()),
                     dropped=MappingProxyType(dict(sorted(dropped.items()))) if dropped else _NOTHING_DROPPED)


_NOTHING_DROPPED: Mapping[str, int] = MappingProxyType({})


def _sanitize(html, marking, second_pass, links, dropped, lost) -> str:
    if marking:
        return _STD.clean(_walk_marked(_MARKING.clean(html), links, dropped, lost))
    out = _STD.clean(html)
    return _STD.clean(out) if second_pass else out


def _count(dropped: dict[str, int], key: str, n: int = 1) -> None:
    dropped[key] = dropped.get(key, 0) + n


def _input(tag: str, dropped: dict[str, int], lost: list[str]) -> str:
    """A task-list checkbox becomes a ballot box character; other inputs go."""
    if _CHECKBOX.search(tag):
        return "\u2611" if _CHECKED.search(tag) else "\u2610"
    _count(dropped, "input")
    lost.append("<input> dropped")
    return ""


# --- hidden content and media (only after the marking pass) ----------------------


def _walk_marked(s: str, links: "_Links", dropped: dict[str, int], lost: list[str]) -> str:
    """Remove hidden subtrees; replace media elements by a link to their source.

    ``s`` is nh3 output, hence well nested; the only raw text is inside iframe.
    """
    out: list[str] = []
    pos = 0  # end of what has been copied to out
    in_link = 0
    search = _TAG.search
    m = search(s)
    while m:
        close, name, attrs = m.groups()
        if name == "a":
            in_link += -1 if close else 1
        if close or not (attrs or name in _MEDIA):
            m = search(s, m.end())
            continue
        replacement = None
        if name in _MEDIA:
            subtree_end, src = _subtree(s, m)
            _count(dropped, name)
            src = _html.unescape(_attr(attrs, "data" if name == "object" else "src") or src)
            url = links.resolve("a", src) if src else None
            replacement = ""
            if url:  # a reader must still be able to reach what was embedded
                lost.append(f"<{name}> replaced by a link to {url}")
                url = _escape_attr(url)
                replacement = url if in_link else f'<a href="{url}">{url}</a>'
        elif (
            ' hidden="' in attrs
            or (' style="' in attrs and _HIDDEN_STYLE.search(_attr(attrs, "style")))
            # aria-hidden only removes empty elements (icons): its content may be visible
            or (_attr(attrs, "aria-hidden").lower() == "true" and s.startswith(f"</{name}>", m.end()))
        ):
            subtree_end, _ = _subtree(s, m)
            _count(dropped, "hidden")
            replacement = ""
        if replacement is None:
            m = search(s, m.end())
            continue
        out.append(s[pos : m.start()])
        out.append(replacement)
        pos = subtree_end
        m = search(s, subtree_end)
    out.append(s[pos:])
    return "".join(out)


def _subtree(s: str, start: re.Match) -> tuple[int, str]:
    """End offset of the element opened by ``start``, and the first <source src> in it."""
    name = start.group(2)
    if name in _VOID or name in ("embed", "source"):
        return start.end(), ""
    if name == "iframe":  # raw text content, ends at the first </iframe>
        i = s.find("</iframe>", start.end())
        return (len(s) if i < 0 else i + len("</iframe>")), ""
    depth = 1
    src = ""
    m = _TAG.search(s, start.end())
    while m:
        close, tag, attrs = m.groups()
        if close:
            depth -= 1
            if depth == 0:
                return m.end(), src
        elif tag == "iframe":
            i = s.find("</iframe>", m.end())
            if i < 0:
                return len(s), src
            m = _TAG.search(s, i + len("</iframe>"))
            continue
        elif tag not in _VOID and tag not in ("embed", "source"):
            depth += 1
        elif tag == "source" and not src:
            src = _attr(attrs, "src")
        m = _TAG.search(s, m.end())
    return len(s), src


def _attr(attrs: str, name: str) -> str:
    for m in _ATTR.finditer(attrs):
        if m.group(1) == name:
            return m.group(2)
    return ""


# --- links and assets -------------------------------------------------------------

_CODE_CLASS = re.compile(r'<code class="([^"]*)">')


def _cell_style(m: re.Match) -> str:
    # One alignment keyword or nothing: 'justify', 'start', '!important', a second
    # declaration or a value nh3 mangled would be CSS the canonical body does not carry.
    value = m.group(2).lower()
    return f'{m.group(1)} style="{value}"' if value in _ALIGN else m.group(1)


def _lang_attribute(m: re.Match) -> str:
    """``lang`` as a well-formed BCP 47 tag (``zh_CN`` -> ``zh-CN``), or gone when it names no
    language (``C``, ``POSIX``, junk): the element then has its article's language. An
    empty value (language unknown) and ``und`` stay."""
    value = m.group(2)
    if not value or value.strip().lower() == "und":
        return m.group(0)
    tag = normalize_lang(_html.unescape(value))
    return m.group(1) if tag == "und" else f'{m.group(1)} lang="{tag}"'


def _code_class(m: re.Match) -> str:
    """Keep only the language-* class that highlighters and writers use."""
    keep = [c for c in m.group(1).split() if c.startswith("language-")]
    return f'<code class="{keep[0]}">' if keep else "<code>"


class _Links:
    """Resolves URLs in one body's <a>/<img> tags and records image assets."""

    __slots__ = ("page_url", "scheme", "site", "source_dir", "source_root", "assets", "dropped", "_root", "origin", "page_dir")

    def __init__(self, page_url, site_url, source_dir, source_root, assets, dropped):
        self.page_url = page_url
        page = _split_page_url(page_url)
        base = urlsplit(site_url) if site_url else page
        self.scheme = base.scheme or "https"
        self.site = urlsplit(site_url) if site_url else (base if base.netloc else None)
        self.source_dir = source_dir
        self.source_root = source_root
        self.assets = assets
        self.dropped = dropped
        self._root: Path | None = None
        # For the fast path of resolve(): origin ("https://host" or "" for a root-relative
        # page URL) and the page's directory; None where urljoin must decide.
        self.origin = f"{page.scheme}://{page.netloc}" if page.scheme and page.netloc else (
            "" if page_url.startswith("/") and not page_url.startswith("//") else None
        )
        self.page_dir = (
            page_url[: page_url.rfind("/") + 1] if self.origin is not None and not (page.query or page.fragment) else None
        )

    def tag(self, m: re.Match) -> str:
        """Resolve the URLs of one <a>/<img> tag."""
        name, attrs = m.group(1), m.group(2)
        if attrs.startswith(' href="') and attrs.find('"', 7) == len(attrs) - 1:  # the href alone, as most are
            value = attrs[7:-1]
            if value.startswith("//") and value[-1] not in _ASCII_WS and "&" not in value:
                # What resolve() and _escape_attr() give a scheme-relative URL without an
                # entity to decode or blank to strip (nh3 leaves no raw '"', '<' or '>').
                return f'<{name} href="{self.scheme}:{value}">'
            return f"<{name}{self._attr(name, 'href', value)}>"
        return f"<{name}{_URL_ATTR.sub(lambda a: self._attr(name, a.group(1), a.group(2)), attrs)}>"

    def _attr(self, tag: str, attr: str, value: str) -> str:
        raw = _html.unescape(value) if "&" in value else value
        if attr == "srcset":
            urls = [(self.resolve(tag, url), descriptor) for url, descriptor in _srcset(raw)]
            joined = ", ".join(url + descriptor for url, descriptor in urls if url is not None)
            return f' srcset="{_escape_attr(joined)}"' if joined else ""
        url = self.resolve(tag, raw)
        return "" if url is None else f' {attr}="{_escape_attr(url)}"'

    def collect_images(self, out: str) -> None:
        """Record every image reference (src, then srcset) as an Asset."""
        for m in _IMG.finditer(out):
            for am in _URL_ATTR.finditer(m.group(1)):
                attr, value = am.group(1), am.group(2)
                if attr == "href":
                    continue
                raw = _html.unescape(value) if "&" in value else value
                written = [url for url, _ in _srcset(raw)] if attr == "srcset" else [raw.strip(_ASCII_WS)]
                for url in written:
                    resolved = self.resolve("img", url)
                    if resolved:
                        self._asset(resolved, url)

    def resolve(self, tag: str, url: str) -> str | None:
        """The absolute URL (as absolute as page_url allows), or None when it must go.

        A refused URL is not counted here: the input scan already counted it."""
        url = url.strip(_ASCII_WS)
        if not url or url[0] == "#":
            return url
        # A scheme starts with a letter: '/' and '.' URLs (most of them) skip the regex.
        scheme = _SCHEME.match(url) if url[0] not in "/." else None
        if scheme:
            lowered = scheme.group(1).lower()
            if lowered not in _URL_SCHEMES or (
                # nh3 allows data: everywhere or nowhere; only images may use it
                lowered == "data" and not (tag == "img" and url[5:11].lower() == "image/")
            ):
                return None
            return url
        if url.startswith("//"):
            return f"{self.scheme}:{url}"
        if not self.page_url:
            return url
        if url[0] == "/" and self.origin is not None:
            return self.origin + url
        if url[0] == "." and self.page_dir is not None:
            while url.startswith("./"):
                url = url[2:]
            up = 0
            while url.startswith("../"):
                url = url[3:]
                up += 1
            if up:
                base = self.page_dir[len(self.origin) :].rstrip("/").split("/")
                base = base[: max(1, len(base) - up)]
                if not url.startswith(".") and "/." not in url:
                    return self.origin + "/".join(base) + "/" + url
                return urljoin(self.page_url, "/".join(base) + "/" + url)
            if not url:  # "./" names the page's directory
                return self.page_dir
            if url[0] == "/":  # ".//x": leave the odd cases to urljoin
                return urljoin(self.page_url, "./" + url)
        if url[:1] in ("?", ";") or "./" in url or url.endswith((".", "/..")) or self.page_dir is None:
            if self.origin == "":  # urljoin mishandles '..' above the root of a schemeless base
                return urljoin("http://h" + self.page_url, url)[len("http://h") :]
            return urljoin(self.page_url, url)
        return self.page_dir + url  # what urljoin gives for a plain relative path, faster

    def _asset(self, url: str, written: str) -> None:
        if url in self.assets or url.startswith("data:"):
            return
        parts = urlsplit(url)
        ext = Path(parts.path).suffix.lower()
        media_type = _MEDIA_TYPES.get(ext) or (mimetypes.guess_type("x" + ext)[0] if ext else None)
        path = self._local(parts, written) if self.source_root is not None else None
        if path is not None:
            self.assets[url] = Asset(url=url, path=path, remote=False, media_type=media_type)
        else:
            self.assets[url] = Asset(url=url, path=None, remote=bool(parts.scheme), media_type=media_type)

    def _local(self, parts, written: str) -> str | None:
        """The file inside source_root that a site-local image reference names, if any.

        Site-root-relative and site-URL references are looked up under source_root,
        page-relative ones under source_dir (then under source_root by their URL).
        """
        site = self.site
        site_path = site.path.rstrip("/") if site else ""
        on_site = not parts.scheme or (site is not None and parts.netloc.lower() == site.netloc.lower())
        candidates: list[Path] = []
        if not written.startswith("/") and not _SCHEME.match(written) and self.source_dir is not None:
            candidates.append(self.source_dir / unquote(urlsplit(written).path))
        if on_site:
            rel = unquote(parts.path)
            if rel.startswith("/") or parts.scheme:
                if site_path and rel.startswith(site_path + "/"):
                    rel = rel[len(site_path) :]
                candidates.append(self.source_root / rel.lstrip("/"))
        if not candidates:
            return None
        if self._root is None:
            self._root = self.source_root.resolve()
        for candidate in candidates:
            try:
                resolved = candidate.resolve()  # follows symlinks: a link out of the tree is refused
            except (OSError, RuntimeError):
                continue
            if resolved.is_relative_to(self._root) and resolved.is_file():
                return resolved.relative_to(self._root).as_posix()
        return None


def _split_page_url(url: str) -> SplitResult:
    """``urlsplit(url)``, without its work for the commonest page URL of a site without a
    ``url``: a root-relative path with no query, fragment, or tab and line break (which
    urlsplit removes); for it, urlsplit finds no scheme and no host either."""
    if (url[:1] == "/" and url[1:2] != "/" and "?" not in url and "#" not in url
            and "\t" not in url and "\n" not in url and "\r" not in url):
        return SplitResult("", "", url, "", "")
    return urlsplit(url)


def _srcset(value: str) -> list[tuple[str, str]]:
    """(url, descriptor) pairs of a srcset, split as the HTML spec does."""
    out = []
    i, n = 0, len(value)
    while i < n:
        while i < n and (value[i] in _ASCII_WS or value[i] == ","):
            i += 1
        j = i
        while j < n and value[j] not in _ASCII_WS:
            j += 1
        url = value[i:j]
        if url.endswith(","):
            url = url.rstrip(",")
            descriptor = ""
            i = j
        else:
            k = value.find(",", j)
            k = n if k < 0 else k
            descriptor = " ".join(value[j:k].split())
            descriptor = " " + descriptor if descriptor else ""
            i = k + 1
        if url:
            out.append((url, descriptor))
    return out


def _escape_attr(value: str) -> str:
    if not ("&" in value or '"' in value or "<" in value or ">" in value):
        return value
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- depth and normalization ------------------------------------------------------


def _cap_depth(s: str, dropped: dict[str, int]) -> str:
    """Unwrap elements nested deeper than MAX_DEPTH, keeping their content."""
    out: list[str] = []
    pos = depth = removed = 0
    for m in _TAG.finditer(s):
        close, name = m.group(1), m.group(2)
        if name in _VOID:
            continue
        if close:
            depth -= 1
            if depth >= MAX_DEPTH:
                out.append(s[pos : m.start()])
                pos = m.end()
        else:
            depth += 1
            if depth > MAX_DEPTH:
                out.append(s[pos : m.start()])
                pos = m.end()
                removed += 1
    if not removed:
        return s
    out.append(s[pos:])
    _count(dropped, "deep-nesting", removed)
    return "".join(out)


def _nfc(s: str) -> str:
    """NFC for text and attribute values only: normalizing the serialized markup would
    let a combining mark compose with a tag's '>' (U+003E U+0338 is U+226F)."""
    parts = _SPLIT_TAGS.split(s)
    for i, part in enumerate(parts):
        if not part or (unicodedata.is_normalized("NFC", part) and "\u0338" not in part):
            continue
        if i % 2:
            parts[i] = _ATTR.sub(
                lambda a: f' {a.group(1)}="{_escape_attr(unicodedata.normalize("NFC", _html.unescape(a.group(2))))}"',
                part,
            )
        else:
            parts[i] = _escape_text(unicodedata.normalize("NFC", _html.unescape(part)))
    return "".join(parts)
