"""HTML as the Markdown writer needs it: a fragment read token for token, serialized back, and
CommonMark's rules for where an HTML block starts and ends.

The canonical body (what the reader's clean-up writes) is well-formed XHTML, and lxml's
XML parser reads it fast and exactly. Any other HTML (a ``--from json`` body, an
example of the CommonMark spec) may hold what no tree can: a start tag never closed, a
stray end tag, comments, declarations, processing instructions, CDATA, ``<a/>``. Such a
fragment is read with the standard library's tokenizer into an lxml tree in which every
token that is not a well-formed element is a :data:`RAW` element whose text is the token
exactly as written, and every element keeps where it was in the source (:class:`Fragment`),
so that a part Markdown cannot express can be written back byte for byte.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from lxml import etree

__all__ = ["RAW", "RAW_TEXT", "VOID", "Fragment", "parse_fragment", "outer_html", "escape_text", "html_block_kind",
           "html_blocks_only", "html_block_left_open"]

#: The tag of a token kept as written (comment, stray or unclosed tag, declaration ...).
#: Namespaced, so no tag of a parsed document can have it.
RAW = "{urn:x-convert:markdown}raw"

VOID = frozenset("area base br col embed hr img input link meta source track wbr param keygen".split())
RAW_TEXT = frozenset({"script", "style"})  # their content is not markup: never escaped


class Fragment:
    """A parsed fragment: ``root`` (a ``div`` holding it) and, when read by the tokenizer,
    the source and each element's span: (start, content start, content end, end)."""

    __slots__ = ("root", "source", "spans")

    def __init__(self, root, source: str | None = None, spans: dict | None = None) -> None:
        self.root = root
        self.source = source
        self.spans = spans if spans is not None else {}

    def outer(self, el) -> str | None:
        """The element (or raw token) as it was written, None if unknown."""
        span = self.spans.get(el)
        return self.source[span[0]:span[3]] if span is not None else None

    def start(self, el) -> int | None:
        span = self.spans.get(el)
        return span[0] if span is not None else None

    def end(self, el) -> int | None:
        """Where the text after ``el`` (its tail) starts."""
        span = self.spans.get(el)
        return span[3] if span is not None else None

    def content(self, el) -> tuple[int, int] | None:
        span = self.spans.get(el)
        return (span[1], span[2]) if span is not None else None

    def tags(self, el) -> tuple[str, str] | None:
        """The element's start and end tags as written ("" for a void element's end), None if unknown."""
        span = self.spans.get(el)
        if span is None:
            return None
        return self.source[span[0]:span[1]], self.source[span[2]:span[3]]


# What lxml's XML parser would read differently from an HTML tokenizer: comments and other
# markup declarations, processing instructions, CR (these three found with ``in``, faster),
# line breaks or tabs inside a tag (XML normalizes them in attribute values), upper-case
# names, raw-text elements, and ``<x/>`` on an element that is not void (HTML reads a start
# tag there, XML an empty element).
_NEEDS_TOKENIZER = re.compile(
    r"<[A-Za-z][^<>]*[\n\t]|</?[a-z0-9]*[A-Z]|(?i:<(?:script|style|textarea|title|xmp|plaintext)\b)"
    r"|<(?!(?:" + "|".join(sorted(VOID)) + r")[\s/>])[A-Za-z][^\s/>]*"
    r"""(?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*\s*/>"""
)
_XML_PARSER = etree.XMLParser(resolve_entities=False, huge_tree=True, remove_comments=False)


def parse_fragment(body: str) -> Fragment:
    """``body`` under a ``div``: with lxml's XML parser when that reads it as HTML would, else token for token."""
    if "<!" not in body and "<?" not in body and "\r" not in body and not _NEEDS_TOKENIZER.search(body):
        try:
            return Fragment(etree.fromstring(f"<div>{body}</div>", _XML_PARSER))
        except etree.XMLSyntaxError:
            pass
    # What an lxml tree cannot hold (C0 controls but tab and line breaks, lone surrogates,
    # U+FFFE/U+FFFF; the canonical body has none) becomes U+FFFD, as HTML parsers make it.
    body = _NOT_XML_RE.sub("\ufffd", body)
    builder = _TreeBuilder(body)
    return Fragment(builder.root, body, builder.spans)


_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class _TreeBuilder(HTMLParser):
    """Tokens into a tree without HTML's repairs: an end tag closes the open element of its
    name; an element still open when its parent closes was never closed, and becomes a raw
    start tag followed by its content; an end tag without an open element is raw too."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.root = etree.Element("div")
        self.spans: dict = {}
        self.stack: list = [self.root]
        self.starts: list[int] = [0]  # source offset of each open element's start tag
        self.content_starts: list[int] = [0]
        # (element, start, content span or None for a raw token): its span ends where the next token starts
        self.pending_end: tuple | None = None
        self.feed(source)
        # What feed() could not tokenize is an unfinished tag, comment or declaration running to the
        # end. close() passes it on as text in some Python versions (3.11.7) and drops it in others
        # (3.11.2, Debian 12's): it is raw text here, whatever the version.
        rest, self.rawdata = self.rawdata, ""
        self.close()
        if rest:
            self.handle_data(rest)
        self._finish(len(source))
        while len(self.stack) > 1:
            self._unclose_top()
        self.spans[self.root] = (0, 0, len(source), len(source))

    # -- positions --

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _finish(self, offset: int) -> None:
        """Close the span of the token before ``offset`` (an end tag's or a raw token's end)."""
        if self.pending_end is None:
            return
        el, start, content = self.pending_end
        self.pending_end = None
        if el.tag == RAW:
            el.text = self.source[start:offset]
            self.spans[el] = (start, offset, offset, offset)
        else:
            self.spans[el] = (start, content[0], content[1], offset)

    # -- tree --

    def _append(self, el) -> None:
        self.stack[-1].append(el)

    def _text(self, text: str) -> None:
        parent = self.stack[-1]
        if len(parent):
            last = parent[-1]
            last.tail = (last.tail or "") + text
        else:
            parent.text = (parent.text or "") + text

    def _raw(self, start: int) -> None:
        el = etree.Element(RAW)
        self._append(el)
        self.pending_end = (el, start, None)

    def _unclose_top(self) -> None:
        """The open element on top was never closed: a raw start tag, then its content."""
        el = self.stack.pop()
        start = self.starts.pop()
        content_start = self.content_starts.pop()
        parent = el.getparent()
        raw = etree.Element(RAW)
        raw.text = self.source[start:content_start]
        raw.tail = el.text
        self.spans[raw] = (start, content_start, content_start, content_start)
        index = parent.index(el)
        children = list(el)
        tail = el.tail
        parent.remove(el)  # lxml moves el's tail along: it is re-attached below
        parent.insert(index, raw)
        for position, child in enumerate(children, index + 1):
            parent.insert(position, child)
        if tail:
            last = children[-1] if children else raw
            last.tail = (last.tail or "") + tail

    # -- tokens --

    def handle_starttag(self, tag, attrs) -> None:
        start = self._offset()
        self._finish(start)
        text = self.get_starttag_text() or ""
        end = start + len(text)
        if tag in VOID:
            el = self._element(tag, attrs)
            if el is None:
                return self._raw_now(start, end)
            self._append(el)
            self.spans[el] = (start, end, end, end)
            return
        el = self._element(tag, attrs)
        if el is None:
            return self._raw_now(start, end)
        self._append(el)
        self.stack.append(el)
        self.starts.append(start)
        self.content_starts.append(end)

    def handle_startendtag(self, tag, attrs) -> None:
        if tag in VOID:
            return self.handle_starttag(tag, attrs)
        # ``<a/>``: HTML reads a start tag there, which no end tag follows: a raw token.
        start = self._offset()
        self._finish(start)
        self._raw_now(start, start + len(self.get_starttag_text() or ""))

    def _raw_now(self, start: int, end: int) -> None:
        el = etree.Element(RAW)
        el.text = self.source[start:end]
        self._append(el)
        self.spans[el] = (start, end, end, end)

    @staticmethod
    def _element(tag: str, attrs):
        try:
            el = etree.Element(tag)
            for name, value in attrs:
                el.set(name, value if value is not None else "")
        except (ValueError, TypeError):  # a name XML cannot hold (``zoop:33``, ``*foo*``): keep it raw
            return None
        return el

    def handle_endtag(self, tag) -> None:
        start = self._offset()
        self._finish(start)
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                while len(self.stack) - 1 > depth:
                    self._unclose_top()
                el = self.stack.pop()
                el_start = self.starts.pop()
                content_start = self.content_starts.pop()
                self.pending_end = (el, el_start, (content_start, start))
                return
        self._raw(start)

    def handle_data(self, data) -> None:
        self._finish(self._offset())
        self._text(data)

    def _raw_token(self, data) -> None:
        start = self._offset()
        self._finish(start)
        self._raw(start)

    handle_comment = handle_decl = unknown_decl = handle_pi = _raw_token

    def parse_comment(self, i, report=True):
        # HTML (and CommonMark 0.31) end ``<!-->`` and ``<!--->`` at once; older tokenizers
        # read on to the next ``-->``.
        for empty in ("<!-->", "<!--->"):
            if self.rawdata.startswith(empty, i):
                if report:
                    self.handle_comment("")
                return i + len(empty)
        return super().parse_comment(i, report)


# --- serializing ----------------------------------------------------------------------------


def escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attr(value: str) -> str:
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\n", "&#10;").replace("\t", "&#9;").replace("\r", "&#13;"))


def outer_html(el, with_tail: bool = False) -> str:
    """``el`` as HTML: void elements as ``<br />``, others with their end tag, raw tokens as written."""
    out: list[str] = []
    _serialize(el, out)
    if with_tail and el.tail:
        out.append(escape_text(el.tail))
    return "".join(out)


def _serialize(el, out: list[str]) -> None:
    tag = el.tag
    if tag == RAW:
        out.append(el.text or "")
    elif tag is etree.Comment:
        out.append(f"<!--{el.text or ''}-->")
    elif tag is etree.PI:
        out.append(f"<?{el.target} {el.text or ''}?>" if el.text else f"<?{el.target}?>")
    elif isinstance(tag, str):
        attrs = "".join(f' {k}="{_escape_attr(v)}"' for k, v in el.attrib.items())
        if tag in VOID and not len(el) and not el.text:
            out.append(f"<{tag}{attrs} />")
        else:
            out.append(f"<{tag}{attrs}>")
            if el.text:
                out.append(el.text if tag in RAW_TEXT else escape_text(el.text))
            for child in el:
                _serialize(child, out)
                if child.tail:
                    out.append(escape_text(child.tail))
            out.append(f"</{tag}>")


# --- CommonMark HTML blocks -----------------------------------------------------------------

# CommonMark 0.31.2, 4.6: the seven kinds of HTML block, by how they start and how they end.
_TYPE6_NAMES = (
    "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|dialog|dir|div|dl|dt"
    "|fieldset|figcaption|figure|footer|form|frame|frameset|h1|h2|h3|h4|h5|h6|head|header|hr|html|iframe|legend|li"
    "|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot"
    "|th|thead|title|tr|track|ul"
)
_ATTRIBUTE = r"""(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^"'=<>`\x00-\x20]+|'[^']*'|"[^"]*"))?)"""
_OPEN_TAG = rf"<[A-Za-z][A-Za-z0-9-]*{_ATTRIBUTE}*\s*/?>"
_CLOSE_TAG = r"</[A-Za-z][A-Za-z0-9-]*\s*>"
_STARTS = (
    (re.compile(r"<(?:script|pre|style|textarea)(?:\s|>|$)", re.I), re.compile(r"</(?:script|pre|style|textarea)>", re.I)),
    (re.compile(r"<!--"), re.compile(r"-->")),
    (re.compile(r"<\?"), re.compile(r"\?>")),
    (re.compile(r"<![A-Za-z]"), re.compile(r">")),
    (re.compile(r"<!\[CDATA\["), re.compile(r"\]\]>")),
    (re.compile(rf"</?(?:{_TYPE6_NAMES})(?:\s|/?>|$)", re.I), None),
    (re.compile(rf"(?:{_OPEN_TAG}|{_CLOSE_TAG})[ \t]*$"), None),
)
# Open tags only: cmark and markdown-it both start kind 7 at a lone ``</script>``.
_NOT_TYPE7 = re.compile(r"<(?:script|style|pre|textarea)\b", re.I)


def html_block_kind(line: str) -> int:
    """The kind (1 to 7) of HTML block a CommonMark parser starts at ``line``, 0 for none.
    Kinds 1 to 6 also interrupt a paragraph; 7 does not."""
    stripped = line.lstrip(" ")
    if len(line) - len(stripped) > 3 or not stripped.startswith("<"):
        return 0
    for kind, (start, _) in enumerate(_STARTS, 1):
        if start.match(stripped) and not (kind == 7 and _NOT_TYPE7.match(stripped)):
            return kind
    return 0


def html_blocks_only(text: str, may_run_to_end: bool) -> bool:
    """Whether a CommonMark parser reads ``text`` (placed after a blank line) as HTML blocks
    only, all of it verbatim, ending where ``text`` ends. ``may_run_to_end``: nothing follows
    in the container, so a block without its end condition (an unclosed ``<script>``) is fine."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].strip(" \t"):
            i += 1
            continue
        kind = html_block_kind(lines[i])
        if not kind:
            return False
        end = _STARTS[kind - 1][1]
        if end is None:  # kinds 6 and 7: up to the next blank line
            while i < len(lines) and lines[i].strip(" \t"):
                i += 1
            continue
        while i < len(lines) and not end.search(lines[i]):
            i += 1
        if i == len(lines):
            return may_run_to_end
        i += 1
    return True


def html_block_left_open(text: str) -> bool:
    """Whether ``text`` (a block as written) ends inside an HTML block that a next line, with
    no blank line between, would continue: kinds 6 and 7 run to a blank line, 1 to 5 to their
    end marker."""
    lines = text.split("\n")
    i, open_ = 0, False
    while i < len(lines):
        kind = html_block_kind(lines[i]) if lines[i].strip(" \t") else 0
        if not kind:
            open_ = False
            i += 1
            continue
        end = _STARTS[kind - 1][1]
        if end is None:
            while i < len(lines) and lines[i].strip(" \t"):
                i += 1
            open_ = i == len(lines)
            continue
        while i < len(lines) and not end.search(lines[i]):
            i += 1
        if i == len(lines):
            return True
        open_ = False
        i += 1
    return open_
