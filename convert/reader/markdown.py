"""Markdown body renderer that matches Jekyll 4.3's kramdown (GFM input).

Posts in our archives were written for Jekyll, whose kramdown/GFM parser differs
from CommonMark in ways real bodies depend on.  We build on markdown-it-py
(commonmark preset + tables, strikethrough, footnotes, task lists) and change
only what kramdown does differently:

* Block HTML (kramdown ``parse_block_html: false``): a block starts at a line
  beginning with a comment or a non-span tag and ends at the *matching closing
  tag*, not at a blank line.  Text after the closing tag on the same line and
  on the next lines is Markdown again.  The HTML passes through untouched and is
  never inline-parsed, which also keeps long Eastmoney HTML bodies fast.
* A block-level tag inside paragraph text is literal text, as kramdown has it.
* Typography: kramdown converts ``---`` ``--`` ``...`` ``<<`` ``>>`` and smart
  quotes on GFM input (checked against real Jekyll output).
* Header ids as kramdown-parser-gfm generates them; footnote and task-list
  markup with kramdown's ids and classes.
* kramdown-only syntax and quirks (each checked against real Jekyll output):
  a fence needs a closing fence and at most one word of info (a Hugo
  ``yml {linenos=true}`` fence is paragraph text); an ATX header must start
  the line; a block whose every line holds a ``|`` is a table even without a
  ``|---|`` line; ``$$...$$`` math as MathJax markup (``\\(...\\)`` inline,
  ``\\[...\\]`` as a block); block IALs and ALDs (``{: .c #id k="v"}``) set
  attributes; ``[text] [ref]`` links; a lazy ``---`` after a list item's line
  makes it a setext header; a 6-9 underscore run is ``<strong>__</strong>``;
  ``<!DOCTYPE`` in text and a stray closing tag inside block HTML come out escaped.

Bodies using any of that syntax hold a character the fast path refuses (a
backtick, ``|``, ``$``, ``{``, ``[`` outside a link, ``_``, ``!``), an indented
or list line, or a stray closing tag it checks for, so they take the full path.

Two deliberate extensions for CJK text, both of which only matter next to CJK
characters:

* CJK-friendly emphasis (the CommonMark "CJK-friendly" proposal): a delimiter
  run next to punctuation still flanks when the other side is a CJK character,
  so ``**“重要”**消息`` is bold.
* East Asian line breaks: a soft break between two wide CJK characters is
  dropped instead of becoming a space in the reader's view.
"""

from __future__ import annotations

import functools
import re

from markdown_it import MarkdownIt
from markdown_it.parser_inline import ParserInline
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace, normalizeReference
from markdown_it import rules_block
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.state_inline import Scanned
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from ..text import is_cjk

__all__ = ["render_markdown", "render_markdown_blocks", "prefix_html"]

# --- kramdown's HTML grammar (kramdown/parser/html.rb), ported to Python ---------------
# Ruby's \s is ASCII only; REXML's name is [[:alpha:]_][-[:alnum:]._]* with an optional prefix.
_S = r"[ \t\n\r\f\v]"
_NAME = r"(?:[^\W\d][-\w.]*:)?[^\W\d][-\w.]*"
_TAG_RE = re.compile(
    rf"<((?>{_NAME})){_S}*((?>{_S}+{_NAME}(?:{_S}*={_S}*(?:\w+|(\"|').*?\3))?)*){_S}*(/)?>",
    re.S,
)
_CLOSE_RE = re.compile(rf"</({_NAME}){_S}*>")
_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_PI_RE = re.compile(r"<\?.*?\?>", re.S)
_RAW_START_RE = re.compile(rf"<(?:{_NAME}|/|!--|\?)")

_SPAN_ELEMENTS = frozenset(
    "a abbr acronym b big bdo br button cite code del dfn em i img input ins kbd label mark "
    "option q rb rbc rp rt rtc ruby samp select small span strong sub sup tt u var".split()
)
_BLOCK_ELEMENTS = frozenset(
    "address article aside applet body blockquote caption col colgroup dd div dl dt fieldset "
    "figcaption footer form h1 h2 h3 h4 h5 h6 header hgroup hr html head iframe legend menu li "
    "main map nav ol optgroup p pre section summary table tbody td th thead tfoot tr ul".split()
)
_VOID_ELEMENTS = frozenset(
    "area base br col command embed hr img input keygen link meta param source track wbr".split()
)
_KNOWN_ELEMENTS = _SPAN_ELEMENTS | _BLOCK_ELEMENTS | _VOID_ELEMENTS | frozenset(
    "address applet article aside blockquote body dd details div dl fieldset figure figcaption "
    "footer form header hgroup iframe li main map menu nav noscript object section summary td "
    "script style math option textarea pre code kbd samp var".split()
)
def _element_name(name: str) -> str:
    low = name.lower()
    return low if low in _KNOWN_ELEMENTS else name


def _scan_raw(src: str, pos: int, name: str, strays: list[tuple[int, int]] | None = None) -> int:
    """End of element ``name`` whose start tag ends at ``pos`` (kramdown parse_raw_html).

    Nested tags are tracked on a stack; a closing tag that does not match the
    innermost open element is text for kramdown (it comes out escaped): its span
    goes to ``strays``.  Returns -1 when the text ends first (kramdown then
    auto-closes everything: the block runs to the end).
    """
    stack = [name]
    while stack:
        m = _RAW_START_RE.search(src, pos)
        if m is None:
            return -1
        pos = m.start()
        found = _COMMENT_RE.match(src, pos) or _PI_RE.match(src, pos)
        if found:
            pos = found.end()
            continue
        found = _TAG_RE.match(src, pos)
        if found:
            pos = found.end()
            tag = _element_name(found.group(1))
            if found.group(4) or tag in _VOID_ELEMENTS:
                continue
            if tag in ("script", "style"):
                end = re.compile(rf"</{tag}{_S}*>", re.I).search(src, pos)
                if end is None:
                    return -1
                pos = end.end()
                continue
            stack.append(tag)
            continue
        found = _CLOSE_RE.match(src, pos)
        if found:
            pos = found.end()
            top = stack[-1]
            closing = found.group(1)
            if top == (closing.lower() if top in _KNOWN_ELEMENTS else closing):
                stack.pop()
            elif strays is not None:
                strays.append(found.span())
            continue
        pos += 1
    return pos


def _html_at(
    buf: str, pos: int, at_line_start: bool, strays: list[tuple[int, int]] | None = None
) -> int | None:
    """End of the block-HTML construct starting at ``pos``; None if there is none.

    -1 means "unterminated: runs to the end of ``buf``".  kramdown only takes a
    comment as a block when it starts the line without indentation.
    """
    if at_line_start:
        m = _COMMENT_RE.match(buf, pos)
        if m:
            return m.end()
    m = _TAG_RE.match(buf, pos)
    if m is None:
        return None
    tag = _element_name(m.group(1))
    if tag.lower() in _SPAN_ELEMENTS:
        return None
    if m.group(4) or tag in _VOID_ELEMENTS:
        return m.end()
    if tag in ("script", "style"):
        end = re.compile(rf"</{tag}{_S}*>", re.I).search(buf, m.end())
        return -1 if end is None else end.end()
    return _scan_raw(buf, m.end(), tag, strays)


def _scan_html_run(
    buf: str, start: int = 0, strays: list[tuple[int, int]] | None = None
) -> tuple[int, bool] | None:
    """Scan consecutive block-HTML constructs at the start of ``buf``.

    Returns (end offset, complete).  HTML following HTML on the same line joins
    the run (kramdown would start another HTML block there; the output is the same).
    """
    lead = start
    while lead < len(buf) and buf[lead] == " ":
        lead += 1
    end = _html_at(buf, lead, lead == start, strays)
    if end is None:
        return None
    while True:
        if end == -1:
            return len(buf), False
        j = end
        while j < len(buf) and buf[j] in " \t":
            j += 1
        if j == len(buf) or buf[j] == "\n" or j - end > 3:
            return end, True
        nxt = _html_at(buf, j, j == end, strays)
        if nxt is None:
            return end, True
        end = nxt


def _escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the given spans HTML-escaped (stray closing tags inside block HTML)."""
    for start, stop in reversed(spans):
        text = text[:start] + _escape_html(text[start:stop]) + text[stop:]
    return text


def _html_block(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    """kramdown-style block HTML (replaces markdown-it's html_block)."""
    if state.sCount[startLine] - state.blkIndent >= 4:
        return False
    pos = state.bMarks[startLine] + state.tShift[startLine]
    src = state.src
    if not src.startswith("<", pos):
        return False
    if silent:
        # Asked as a paragraph terminator.  kramdown ends a paragraph at any
        # "<name" or "</name>" line (LAZY_END) but merges a following paragraph
        # back into it, so only a real block-HTML start truly interrupts.
        m = _TAG_RE.match(src, pos)
        return m is not None and m.group(1).lower() not in _SPAN_ELEMENTS

    # Take the lines a window at a time (doubling) so an unclosed tag does not
    # make every HTML block re-read the rest of a long body.
    window = 4
    while True:
        last = min(startLine + window, endLine)
        buf = state.getLines(startLine, last, state.blkIndent, False)
        strays: list[tuple[int, int]] = []
        scanned = _scan_html_run(buf, 0, strays)
        if scanned is None:
            if last < endLine and buf.lstrip(" ").startswith("<!--"):
                window *= 2  # a comment still open at the window's end
                continue
            return False
        end, complete = scanned
        if complete or last >= endLine:
            break
        window *= 2

    line = startLine + buf.count("\n", 0, end)
    eol = buf.find("\n", end)
    rest = buf[end : len(buf) if eol < 0 else eol]
    token = state.push("html_block", "", 0)
    if not rest.strip(" \t"):
        token.map = [startLine, line + 1]
        token.content = _escape_spans(buf[: len(buf) if eol < 0 else eol], strays) + "\n"
        state.line = line + 1
        return True

    # Markdown follows the closing tag on the same line: the line now starts
    # there, and we run one round of the other block rules on it (the
    # tokenizer demands that a rule advance state.line).
    token.map = [startLine, line + 1]
    token.content = _escape_spans(buf[:end], strays) + "\n"
    start = state.eMarks[line] - len(rest)
    indent = len(rest) - len(rest.lstrip(" "))
    state.bMarks[line] = start
    state.tShift[line] = indent
    state.sCount[line] = state.blkIndent + indent
    state.line = line
    for rule in state.md.block.ruler.getRules(""):
        if rule is not _html_block and rule(state, line, endLine, False):
            break
    return True


_SETEXT_UNDERLINE_RE = re.compile(r"(?:=+|-+)[ \t]*$")


def _make_setext(lheading):
    """kramdown's setext header: ONE text line directly followed by its underline.

    A longer paragraph followed by ``---`` stays a paragraph (the ``---`` becomes
    an em dash), as kramdown has it; markdown-it would make it all a header.
    """

    def setext(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
        nxt = startLine + 1
        if nxt >= endLine:
            return False
        # In a list item the underline may be a lazy line ("- item" then "---"):
        # kramdown adds it to the item's text, which then parses as a header.
        lazy = state.sCount[nxt] < state.blkIndent and state.parentType == "list"
        if state.sCount[nxt] != state.blkIndent and not lazy:
            return False
        underline = state.src[state.bMarks[nxt] + state.tShift[nxt] : state.eMarks[nxt]]
        if not _SETEXT_UNDERLINE_RE.match(underline):
            return False
        if not lazy:
            return lheading(state, startLine, endLine, silent)
        indent, state.sCount[nxt] = state.sCount[nxt], state.blkIndent
        try:
            return lheading(state, startLine, nxt + 1, silent)
        finally:
            state.sCount[nxt] = indent

    return setext


def _make_atx(heading):
    """kramdown's ATX header starts the line: an indented ``  # x`` is paragraph text."""

    def atx(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
        if state.sCount[startLine] != state.blkIndent:
            return False
        return heading(state, startLine, endLine, silent)

    return atx


def _inline_block_tag(state: StateInline, silent: bool) -> bool:
    """A block-level tag or a ``<!`` declaration inside paragraph text stays literal text
    (kramdown warns and escapes)."""
    src, pos = state.src, state.pos
    if src[pos] != "<":
        return False
    if src.startswith("<!", pos) and not src.startswith("<!--", pos):
        # kramdown's span HTML is tags, comments and PIs only: <!DOCTYPE ...> is text.
        if not silent:
            state.pending += "<"
        state.pos = pos + 1
        return True
    m = _CLOSE_RE.match(src, pos) or _TAG_RE.match(src, pos)
    if m is None or m.group(1).lower() not in _BLOCK_ELEMENTS:
        return False
    if not silent:
        state.pending += m.group(0)
    state.pos = m.end()
    return True


# --- kramdown-only block syntax ----------------------------------------------------------

_FENCE_OPEN_RE = re.compile(r"(`{3,}|~{3,})[ \t]*(?:[^ \t]+[ \t]*)?$")


def _make_fence(fence):
    """kramdown-parser-gfm's fence: at most ONE word of info and a closing fence.

    A Hugo fence with ``yml {linenos=true}`` after the backticks, or a fence
    never closed, is no code block there: the lines stay paragraph text (the
    backticks may then open a code span), where CommonMark takes any info
    string and closes the block at the end.
    """

    def kramdown_fence(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
        pos = state.bMarks[startLine] + state.tShift[startLine]
        m = _FENCE_OPEN_RE.match(state.src, pos, state.eMarks[startLine])
        if m is None or state.sCount[startLine] - state.blkIndent >= 4:
            return False
        marker, length = m.group(1)[0], len(m.group(1))
        line = startLine + 1
        while line < endLine:
            start, end = state.bMarks[line] + state.tShift[line], state.eMarks[line]
            if start < end and state.sCount[line] < state.blkIndent:
                return False  # the container ends first
            if state.sCount[line] - state.blkIndent < 4:
                run = state.skipCharsStr(start, marker) - start
                if run >= length and not state.src[start + run : end].strip(" \t"):
                    return fence(state, startLine, endLine, silent)
            line += 1
        return False

    return kramdown_fence


# Block IAL ``{: .c #id k="v"}`` and ALD ``{:name: ...}`` lines (kramdown extensions.rb).
_IAL_LINE_RE = re.compile(r" {0,3}\{:(?!:|/)((?:\\\}|[^}])+)\}[ \t]*$")
_ALD_LINE_RE = re.compile(r" {0,3}\{:(\w[\w-]*):((?:\\\}|[^}])+)\}[ \t]*$")
_ALD_ANY_RE = re.compile(
    r"""(?:\A|(?<=\s))(?:(\w[\w-]*)=("|')((?:\\\}|\\\2|[^}\2])*?)\2|(\w[\w-]*)"""
    r"""|((?:#[A-Za-z][\w:-]*|\.[^\s.#]+)+))(?=\s|\Z)"""
)
_ID_OR_CLASS_RE = re.compile(r"#([A-Za-z][\w:-]*)|\.([^\s.#]+)")


def _parse_attribute_list(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """kramdown parse_attribute_list: (attributes in order, ALD references)."""
    attrs: list[tuple[str, str]] = []
    refs: list[str] = []
    for key, sep, value, ref, id_class in _ALD_ANY_RE.findall(text):
        if ref:
            refs.append(ref)
        elif id_class:
            for ident, cls in _ID_OR_CLASS_RE.findall(id_class):
                attrs.append(("class", cls) if cls else ("id", ident))
        else:
            attrs.append((key, re.sub(r"\\(\}|%s)" % sep, r"\1", value)))
    return attrs, refs


def _ial_block(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    """A ``{:...}`` line: an IAL for the block before it (none if a blank line is
    between) or else the block after it; ``{:name: ...}`` defines an ALD.  Either
    line also ends a paragraph.  The core rule _apply_ials does the rest."""
    if state.sCount[startLine] - state.blkIndent >= 4:
        return False
    pos, end = state.bMarks[startLine] + state.tShift[startLine], state.eMarks[startLine]
    if not state.src.startswith("{:", pos):
        return False
    ald = _ALD_LINE_RE.match(state.src, pos, end)
    ial = None if ald else _IAL_LINE_RE.match(state.src, pos, end)
    if ald is None and ial is None:
        return False
    if silent:
        return True
    if ald:
        alds = state.env.setdefault("kramdown_alds", {})
        alds[ald.group(1)] = _parse_attribute_list(ald.group(2))
    else:
        # kramdown attaches to the previous sibling unless a blank line (or nothing) is before.
        previous = not _after_block_boundary(state, startLine)
        token = state.push("kramdown_ial", "", 0)
        token.hidden = True
        token.meta = {"attrs": _parse_attribute_list(ial.group(1)), "previous": previous}
    state.line = startLine + 1
    return True


def _apply_ials(state: StateCore) -> None:
    """Put each block IAL's attributes on its block (kramdown update_attr_with_ial)."""
    tokens = state.tokens
    if not any(t.type == "kramdown_ial" for t in tokens):
        return
    alds = state.env.get("kramdown_alds", {})
    for i, tok in enumerate(tokens):
        if tok.type != "kramdown_ial":
            continue
        target = None
        if tok.meta["previous"]:
            depth = 0
            for j in range(i - 1, -1, -1):
                depth += tokens[j].nesting
                if depth >= 0 and tokens[j].nesting >= 0 and tokens[j].block:
                    target = tokens[j] if depth == 0 else None
                    break
        else:
            # The next block of the same level (IALs before it pile up on it).
            for j in range(i + 1, len(tokens)):
                if tokens[j].type != "kramdown_ial":
                    target = tokens[j] if tokens[j].nesting >= 0 else None
                    break
        if target is None or target.type in ("html_block", "fence", "code_block"):
            # Not done: kramdown sets them on the HTML element itself and, for code,
            # on the Rouge wrapper <div> we do not emit.
            continue
        attrs, refs = tok.meta["attrs"]
        for ref in refs:
            attrs = alds.get(ref, ([], []))[0] + attrs
        for key, value in attrs:
            if key == "class" and target.attrGet("class"):
                value = f"{target.attrGet('class')} {value}"
            target.attrSet(key, value)
    state.tokens = [t for t in tokens if t.type != "kramdown_ial"]


def _after_block_boundary(state: StateBlock, line: int) -> bool:
    """kramdown after_block_boundary?: a blank line or the container's start is before ``line``."""
    return line == 0 or state.isEmpty(line - 1) or not state.tokens or state.tokens[-1].nesting == 1


def _math_block(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    """kramdown block math: ``$$...$$`` alone between blank lines -> ``\\[...\\]`` (MathJax).

    Like kramdown it needs a block boundary on both sides: a blank line (or the
    container's edge) before the opening line and after the closing ``$$``.
    """
    if state.sCount[startLine] - state.blkIndent >= 4:
        return False
    pos = state.bMarks[startLine] + state.tShift[startLine]
    src = state.src
    if not src.startswith("$$", pos):
        return False
    if not _after_block_boundary(state, startLine):
        return False
    close = src.find("$$", pos + 2)
    last = startLine
    while close >= 0 and last < endLine and state.eMarks[last] < close:
        last += 1
    if close < 0 or last >= endLine or src[close + 2 : state.eMarks[last]].strip(" \t\n\r\f\v"):
        return False
    if last + 1 < endLine and not state.isEmpty(last + 1):
        return False
    if not silent:
        token = state.push("html_block", "", 0)
        token.map = [startLine, last + 1]
        token.content = f"\\[{_escape_html(src[pos + 2 : close].strip())}\\]\n"
    state.line = last + 1
    return True


def _math_inline(state: StateInline, silent: bool) -> bool:
    """kramdown inline math: ``$$...$$`` (may span lines) -> ``\\(...\\)`` (MathJax)."""
    src, pos = state.src, state.pos
    if not src.startswith("$$", pos):
        return False
    close = src.find("$$", pos + 2, state.posMax)
    if close < 0:
        return False
    if not silent:
        token = state.push("html_inline", "", 0)
        token.content = f"\\({_escape_html(src[pos + 2 : close].strip())}\\)"
    state.pos = close + 2
    return True


_SPACED_REF_RE = re.compile(r"[ \t\n\r\f\v]+\[([^\]]*)\]")


def _spaced_reference(state: StateInline, silent: bool) -> bool:
    """kramdown reference link with white space before the id: ``[text] [id]``.

    Only when ``id`` is defined; anything else is left to markdown-it's link rule.
    """
    src = state.src
    if src[state.pos] != "[" or "references" not in state.env:
        return False
    end = state.md.helpers.parseLinkLabel(state, state.pos, True)
    if end < 0:
        return False
    m = _SPACED_REF_RE.match(src, end + 1, state.posMax)
    if m is None:
        return False
    ref = state.env["references"].get(normalizeReference(m.group(1) or src[state.pos + 1 : end]))
    if ref is None:
        return False
    if not silent:
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": ref["href"]}
        if ref["title"]:
            token.attrSet("title", ref["title"])
        old_max = state.posMax
        state.pos, state.posMax = state.pos + 1, end
        state.linkLevel += 1
        state.md.inline.tokenize(state)
        state.linkLevel -= 1
        state.posMax = old_max
        state.push("link_close", "a", -1)
    state.pos = m.end()
    return True


_AFTER_WORD_RE = re.compile(r"[^\W\d_]-?\Z")


def _underscore_rule(state: StateInline, silent: bool) -> bool:
    """A run of 6-9 underscores (a "fill in the blank" line) not after a letter.

    kramdown opens strong at the run, takes the next ``__`` as its text and
    closes it at the third pair: ``<strong>__</strong>`` and the rest stays text.
    Longer runs and runs followed by a word take other kramdown paths; we leave
    those to CommonMark (which keeps them literal).
    """
    src, pos = state.src, state.pos
    if not src.startswith("______", pos) or _AFTER_WORD_RE.search(src, 0, pos):
        return False
    end = pos
    while end < state.posMax and src[end] == "_":
        end += 1
    if not 6 <= end - pos <= 9 or (end < state.posMax and (src[end].isalnum() or src[end] == "*")):
        return False
    if not silent:
        state.push("strong_open", "strong", 1).markup = "__"
        state.push("text", "", 0).content = "__"
        state.push("strong_close", "strong", -1).markup = "__"
        if end - pos > 6:
            state.push("text", "", 0).content = "_" * (end - pos - 6)
    state.pos = end
    return True


_PIPE_LINE_RE = re.compile(r"\||.*?[^\\\n]\|")
_TABLE_SEP_RE = re.compile(r"[+|: \t-]*?-[+|: \t-]*?[ \t]*$|[+|: \t=]*?=[+|: \t=]*?[ \t]*$")
_CELL_SPLIT_RE = re.compile(r"(?<!\\)\|")


def _pipe_table(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    """kramdown table without a separator line: every line of a block holds a ``|``.

    kramdown needs no ``|---|`` line: a block (blank line or container edge on both
    sides) whose every line has an unescaped ``|`` is a table of body rows, cells
    split at each ``|`` and padded to the widest row.  Blocks with a separator
    line are left to markdown-it's GFM table, and so are blocks with code spans
    (kramdown does not split inside them; we do not port that).
    """
    if state.sCount[startLine] - state.blkIndent >= 4:
        return False
    if not _after_block_boundary(state, startLine):
        return False
    src = state.src
    rows = []
    line = startLine
    while line < endLine and not state.isEmpty(line) and state.sCount[line] >= state.blkIndent:
        text = src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]
        if not _PIPE_LINE_RE.match(text) or _TABLE_SEP_RE.match(text):
            return False
        if "`" in text or "<code" in text:
            return False
        rows.append(text)
        line += 1
    if not rows or (line < endLine and not state.isEmpty(line)):
        return False
    if silent:
        return True
    leading_pipe = rows[0].startswith("|")
    table = []
    for text in rows:
        cells = [c.replace("\\|", "|").strip() for c in _CELL_SPLIT_RE.split(text)]
        if leading_pipe and not cells[0]:
            cells.pop(0)
        if cells and not cells[-1]:
            cells.pop()
        table.append(cells)
    columns = max(len(cells) for cells in table)
    state.push("table_open", "table", 1).map = [startLine, line]
    state.push("tbody_open", "tbody", 1)
    for i, cells in enumerate(table):
        state.push("tr_open", "tr", 1).map = [startLine + i, startLine + i + 1]
        for cell in cells + [""] * (columns - len(cells)):
            state.push("td_open", "td", 1)
            token = state.push("inline", "", 0)
            token.content = cell or "\xa0"  # kramdown fills an empty cell with &nbsp;
            token.children = []
            state.push("td_close", "td", -1)
        state.push("tr_close", "tr", -1)
    state.push("tbody_close", "tbody", -1)
    state.push("table_close", "table", -1)
    state.line = line
    return True


# --- CJK-friendly emphasis -----------------------------------------------------------


@functools.lru_cache(maxsize=4096)


def _scan_delims(self: StateInline, start: int, canSplitWord: bool) -> Scanned:
    """markdown-it's scanDelims with the CommonMark CJK-friendly flanking amendment.

    Only change: punctuation next to a delimiter run does not stop it from
    flanking when the character on either side is CJK (rules 2c/2c' of the
    proposal).  Everything else is CommonMark.
    """
    src, maximum = self.src, self.posMax
    marker = src[start]
    lastChar = src[start - 1] if start > 0 else " "
    pos = start
    while pos < maximum and src[pos] == marker:
        pos += 1
    count = pos - start
    nextChar = src[pos] if pos < maximum else " "

    isLastPunct = isMdAsciiPunct(ord(lastChar)) or isPunctChar(lastChar)
    isNextPunct = isMdAsciiPunct(ord(nextChar)) or isPunctChar(nextChar)
    isLastSpace = isWhiteSpace(ord(lastChar))
    isNextSpace = isWhiteSpace(ord(nextChar))
    cjkSide = is_cjk(lastChar) or is_cjk(nextChar)

    left = not isNextSpace and (
        not isNextPunct or isLastSpace or isLastPunct or cjkSide
    )
    right = not isLastSpace and (
        not isLastPunct or isNextSpace or isNextPunct or cjkSide
    )
    can_open = left and (canSplitWord or not right or isLastPunct)
    can_close = right and (canSplitWord or not left or isNextPunct)
    return Scanned(can_open, can_close, count)


class _CJKStateInline(StateInline):
    """StateInline whose delimiter scanning is CJK-friendly (only our parser uses it)."""

    scanDelims = _scan_delims  # type: ignore[assignment]


class _CJKParserInline(ParserInline):
    """ParserInline building _CJKStateInline; same code as markdown-it's parse otherwise."""

    def parse(self, src, md, env, tokens):
        state = _CJKStateInline(src, md, env, tokens)
        self.tokenize(state)
        for rule in self.ruler2.getRules(""):
            rule(state)
        return state.tokens


# --- core rules ------------------------------------------------------------------------

_TYPO_RE = re.compile(r"---|--|\.\.\.|<< | >>|<<|>>")
_TYPO = {
    "---": "\u2014",
    "--": "\u2013",
    "...": "\u2026",
    "<< ": "\u00ab\u00a0",
    " >>": "\u00a0\u00bb",
    "<<": "\u00ab",
    ">>": "\u00bb",
}


def _typographic(state: StateCore) -> None:
    """kramdown's typographic symbols, in text only (not code, not escaped chars)."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        for tok in block.children:
            if tok.type == "text" and _TYPO_RE.search(tok.content):
                tok.content = _TYPO_RE.sub(lambda m: _TYPO[m.group(0)], tok.content)


_EMPHASIS = frozenset(
    ("em_open", "em_close", "strong_open", "strong_close", "s_open", "s_close")
)


def _neighbour_char(children, i: int, step: int) -> str:
    """Nearest text character before (step -1) or after (+1) child ``i``.

    Looks through emphasis markup (``认知。**\n所以``) but stops at links, code
    and HTML: two links on two lines stay two separate items.
    """
    i += step
    while 0 <= i < len(children):
        tok = children[i]
        if tok.type == "text":
            if tok.content:
                return tok.content[-1] if step < 0 else tok.content[0]
        elif tok.type not in _EMPHASIS:
            return ""
        i += step
    return ""


def _east_asian_breaks(state: StateCore) -> None:
    """Drop a soft line break between two CJK characters (pandoc east_asian_line_breaks)."""
    for block in state.tokens:
        if block.type != "inline" or not block.children or "\n" not in block.content:
            continue
        children = block.children
        for i, tok in enumerate(children):
            if tok.type == "softbreak":
                before = _neighbour_char(children, i, -1)
                after = _neighbour_char(children, i, 1)
                if before and after and is_cjk(before) and is_cjk(after):
                    tok.type = "text"
                    tok.content = ""


_NON_WORD_RE = re.compile(r"[^\w\- \t]")


def _header_ids(state: StateCore) -> None:
    """Header ids as kramdown-parser-gfm's generate_gfm_header_id."""
    seen: dict[str, int] = {}
    tokens = state.tokens
    for i, tok in enumerate(tokens):
        if tok.type != "heading_open" or tok.attrGet("id") is not None:
            continue
        inline = tokens[i + 1]
        raw = "".join(
            c.content for c in inline.children or () if c.type in ("text", "code_inline")
        )
        ident = _NON_WORD_RE.sub("", raw.lower()).replace(" ", "-").replace("\t", "-")
        n = seen.get(ident, -1) + 1
        seen[ident] = n
        tok.attrSet("id", f"{ident}-{n}" if n else ident)


_CHECKBOX = '<input type="checkbox" class="task-list-item-checkbox" disabled="disabled"{} />'


def _task_list_markup(state: StateCore) -> None:
    """Task lists in kramdown-parser-gfm's markup (runs after the tasklists plugin)."""
    for tok in state.tokens:
        if tok.attrGet("class") == "contains-task-list":
            tok.attrSet("class", "task-list")
        elif tok.type == "inline" and tok.children:
            first = tok.children[0]
            if first.type == "html_inline" and first.content.startswith(
                '<input class="task-list-item-checkbox"'
            ):
                checked = ' checked="checked"' if "checked" in first.content else ""
                first.content = _CHECKBOX.format(checked)
                if len(tok.children) > 1 and tok.children[1].type == "text":
                    tok.children[1].content = tok.children[1].content.lstrip(" ")


# --- footnotes in kramdown's markup ---------------------------------------------------


def _fn_name(meta: dict) -> str:
    label = meta.get("label")
    return str(label) if label else str(meta["id"] + 1)


def _render_fn_ref(self, tokens, idx, options, env) -> str:
    meta = tokens[idx].meta
    name = _fn_name(meta)
    ref = name + (f":{meta['subId']}" if meta.get("subId") else "")
    return (
        f'<sup id="fnref:{ref}" role="doc-noteref">'
        f'<a href="#fn:{name}" class="footnote" rel="footnote">{meta["id"] + 1}</a></sup>'
    )


def _render_fn_block_open(self, tokens, idx, options, env) -> str:
    return '<div class="footnotes" role="doc-endnotes">\n<ol>\n'


def _render_fn_block_close(self, tokens, idx, options, env) -> str:
    return "</ol>\n</div>\n"


def _render_fn_open(self, tokens, idx, options, env) -> str:
    return f'<li id="fn:{_fn_name(tokens[idx].meta)}" role="doc-endnote">'


def _render_fn_anchor(self, tokens, idx, options, env) -> str:
    meta = tokens[idx].meta
    ref = _fn_name(meta) + (f":{meta['subId']}" if meta.get("subId") else "")
    return f' <a href="#fnref:{ref}" class="reversefootnote" role="doc-backlink">&#8617;</a>'


# --- the parser --------------------------------------------------------------------------


def _build(east_asian_line_breaks: bool, auto_ids: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"typographer": True, "quotes": "\u201c\u201d\u2018\u2019"})
    md.enable(["table", "strikethrough", "smartquotes"])
    inline = _CJKParserInline()
    inline.ruler, inline.ruler2 = md.inline.ruler, md.inline.ruler2
    md.inline = inline
    footnote_plugin(md, inline=False)
    tasklists_plugin(md)
    md.block.ruler.at(
        "html_block", _html_block, {"alt": ["paragraph", "reference", "blockquote"]}
    )
    # kramdown (GFM paragraph_end) does not let a rule line interrupt a paragraph.
    md.block.ruler.at("hr", rules_block.hr, {"alt": ["reference", "blockquote", "list"]})
    md.block.ruler.at("lheading", _make_setext(rules_block.lheading))
    md.block.ruler.at(
        "heading", _make_atx(rules_block.heading), {"alt": ["paragraph", "reference", "blockquote"]}
    )
    md.block.ruler.at(
        "fence",
        _make_fence(rules_block.fence),
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    # kramdown tries lists, block HTML, setext headers and block math before tables.
    md.block.ruler.before("paragraph", "kramdown_math", _math_block)
    md.block.ruler.before("paragraph", "kramdown_pipe_table", _pipe_table)
    md.block.ruler.before(
        "paragraph", "kramdown_ial", _ial_block, {"alt": ["paragraph", "reference", "blockquote"]}
    )
    md.core.ruler.after("block", "kramdown_ial", _apply_ials)
    md.inline.ruler.before("link", "kramdown_spaced_reference", _spaced_reference)
    md.inline.ruler.before("emphasis", "kramdown_underscores", _underscore_rule)
    md.inline.ruler.after("text", "kramdown_math", _math_inline)
    md.inline.ruler.before("html_inline", "kramdown_block_tag", _inline_block_tag)
    # kramdown's set of typographic symbols replaces markdown-it's (no (c), +- etc.).
    md.core.ruler.at("replacements", _typographic)
    md.core.ruler.enable("replacements")
    md.core.ruler.after("github-tasklists", "kramdown_task_list", _task_list_markup)
    if east_asian_line_breaks:
        md.core.ruler.push("east_asian_line_breaks", _east_asian_breaks)
    if auto_ids:
        md.core.ruler.push("header_ids", _header_ids)
    md.add_render_rule("footnote_ref", _render_fn_ref)
    md.add_render_rule("footnote_block_open", _render_fn_block_open)
    md.add_render_rule("footnote_block_close", _render_fn_block_close)
    md.add_render_rule("footnote_open", _render_fn_open)
    md.add_render_rule("footnote_anchor", _render_fn_anchor)
    # Link normalization (mdurl parse + encode) is half the render time of a short
    # post, and posts repeat the same few links: cache the pure functions.
    md.normalizeLink = functools.lru_cache(maxsize=8192)(md.normalizeLink)
    md.normalizeLinkText = functools.lru_cache(maxsize=8192)(md.normalizeLinkText)
    md.validateLink = functools.lru_cache(maxsize=8192)(md.validateLink)
    return md


# --- fast path -------------------------------------------------------------------------
# Most archive bodies are block HTML and/or a text paragraph, an autolink and a
# footer of links.  Such a body renders without markdown-it: every top-level
# block must be block HTML or lines of plain text, <http(s)://...> autolinks and
# [text](dest) links, with no character that could start any other construct.
# Anything else -> markdown-it.
# The output is byte-identical to markdown-it's (tested on the real corpus).
_PLAIN = r"[^\n\\`*_~!&<>\[\]()\"'|{}$^]"
# A '<' that starts no tag, comment or autolink is text ("满足<1%"): not followed by a
# letter, '/', '!', '?', '<' (kramdown's '<<') or '>', and no '>' after it on the line
# (an autolink, e-mail ones too, closes on its own line).
_FAST_LINE_RE = re.compile(
    rf"(?:{_PLAIN}|[()]|>(?!>)|<>(?!>)|<https?://[^<>\x00-\x20]*>|\[{_PLAIN}+\]\([^\s()<>\\]+\)"
    r"|<(?![<>!?/A-Za-z])(?![^>]*>))+"
)
# Any character _PLAIN refuses (a line without one is plain text).
_FAST_SPECIAL_RE = re.compile("[" + _PLAIN.removeprefix("[^"))
_FAST_PART_RE = re.compile(r"<>|<(https?://[^<>\x00-\x20]*)>|\[([^\]]+)\]\(([^)]+)\)")
# A line start that could open a block (list, heading, quote, rule, table, code...).
_FAST_BAD_START_RE = re.compile(r"[ \t#>+*=\-]|\d+[.)]")


# A line of the commonest block HTML, taken in one match: elements with a known block
# name in lower case, attributes exactly as _TAG_RE reads them, no self-closing slash,
# text without '<' and their own closing tag; at most three blanks between them and
# nothing but blanks after. For such a line the general scan (_scan_html_run) ends at
# the same place with nothing stray, so the line is copied as it would copy it; any
# other line takes the general scan.
_SIMPLE_NAMES = "|".join(sorted(_BLOCK_ELEMENTS - _VOID_ELEMENTS, key=lambda name: (-len(name), name)))
_SIMPLE_ELEMENT = (
    rf"<(?P<name{{n}}>{_SIMPLE_NAMES})(?![-\w.:]){_S}*"
    rf"(?>(?:{_S}+{_NAME}(?:{_S}*={_S}*(?:\w+|(?P<quote{{n}}>\"|').*?(?P=quote{{n}})))?)*){_S}*>"
    rf"[^<]*</(?P=name{{n}}){_S}*>"
)


def _simple_html_line(first: int, rest: int) -> str:
    return (rf" {{0,3}}{_SIMPLE_ELEMENT.format(n=first)}(?:[ \t]{{0,3}}{_SIMPLE_ELEMENT.format(n=rest)})*"
            rf"[ \t]*(?=\n|\Z)")


_SIMPLE_HTML_LINE_RE = re.compile(_simple_html_line(1, 2), re.S)
# Consecutive such lines: each matches where _SIMPLE_HTML_LINE_RE would, so copying
# them as one piece gives the same text as copying them line by line.
_SIMPLE_HTML_LINES_RE = re.compile(rf"{_simple_html_line(1, 2)}(?:\n{_simple_html_line(3, 4)})*", re.S)


def _fast_text(text: str) -> str:
    text = text.replace(">", "&gt;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    return _TYPO_RE.sub(lambda m: _TYPO[m.group(0)], text) if "-" in text or "." in text else text


def _fast_line(md: MarkdownIt, line: str) -> str | None:
    out = []
    pos = 0
    for m in _FAST_PART_RE.finditer(line):
        if m.start() > pos:
            out.append(_fast_text(line[pos : m.start()]))
        pos = m.end()
        if m.group(0) == "<>":
            out.append("&lt;&gt;")
            continue
        if m.group(1) is not None:
            url, label = m.group(1), None
        else:
            label, url = m.group(2), m.group(3)
        href = md.normalizeLink(url)
        if not md.validateLink(href):
            return None
        href = href.replace("&", "&amp;").replace('"', "&quot;")
        if label is None:
            label = md.normalizeLinkText(url).replace("&", "&amp;")
            label = label.replace("<", "&lt;").replace(">", "&gt;")
        else:
            label = _fast_text(label)
        out.append(f'<a href="{href}">{label}</a>')
    if pos < len(line):
        out.append(_fast_text(line[pos:]))
    return "".join(out)


_BLANK_LINE_RE = re.compile(r"\n[ \t]*(?:\n|$)")


def _fast_checked_line(md: MarkdownIt, line: str) -> str | None:
    """A line's HTML when _FAST_LINE_RE takes it, else None."""
    return _fast_line(md, line) if _FAST_LINE_RE.fullmatch(line) else None


# The same footer of links ends every post of an archive: lines of [text](url) links
# (without an autolink, whose URL is each post's own) are rendered once per distinct line.
_fast_link_line = functools.lru_cache(maxsize=1024)(_fast_checked_line)


def _fast_paragraph(md: MarkdownIt, chunk: str, east_asian: bool) -> str | None:
    lines = chunk.split("\n")
    rendered = []
    for line in lines:
        if line[-1] in " \t" or _FAST_BAD_START_RE.match(line):
            return None
        if _FAST_SPECIAL_RE.search(line) is None:
            # Plain text: every character is one _FAST_LINE_RE takes, and no link starts.
            rendered.append(_fast_text(line))
            continue
        out = _fast_link_line(md, line) if "](" in line and "<" not in line else _fast_checked_line(md, line)
        if out is None:
            return None
        rendered.append(out)
    para = rendered[0]
    for prev, line, out in zip(lines, lines[1:], rendered[1:]):
        # East Asian break: both sides plain CJK text (not a link or autolink).
        join = "\n"
        if east_asian and prev[-1] not in ">)" and line[0] not in "<[":
            if is_cjk(prev[-1]) and is_cjk(line[0]):
                join = ""
        para += join + out
    return f"<p>{para}</p>\n"


def _fast_render(md: MarkdownIt, text: str, east_asian: bool,
                 blocks: list[tuple[int, int, int]] | None = None) -> str | None:
    """HTML for a body of block HTML and plain paragraphs with links; None for anything else.

    Top level only: each block starts after a blank line (or at the start), so
    no container or lazy continuation is involved.  Block HTML is copied line by
    line exactly as markdown-it emits html_block tokens.  ``blocks``, when given,
    receives each top-level block as (source start, source end, end of its HTML).
    """
    if "\r" in text or "\0" in text:
        return None  # markdown-it normalizes these first; leave them to it
    out = []
    size = 0  # of the HTML so far
    pos, n = 0, len(text)
    while pos < n:
        eol = text.find("\n", pos)
        eol = n if eol < 0 else eol
        if not text[pos:eol].strip(" \t"):
            pos = eol + 1
            continue
        lead = pos
        while lead < eol and text[lead] == " ":
            lead += 1
        if lead - pos <= 3 and text.startswith("<", lead):
            simple = _SIMPLE_HTML_LINES_RE.match(text, pos)
            run = None
            if simple is not None:
                eol = simple.end()
            else:
                strays: list[tuple[int, int]] = []
                run = _scan_html_run(text, pos, strays)
                if run is not None:
                    end, complete = run
                    if not complete or strays:
                        return None  # unclosed tag / stray closing tag: rare, leave it to markdown-it
                    eol = text.find("\n", end)
                    eol = n if eol < 0 else eol
                    if text[end:eol].strip(" \t"):
                        return None  # Markdown after a closing tag on the same line
            if simple is not None or run is not None:
                piece = text[pos:eol] + "\n"
                out.append(piece)
                size += len(piece)
                if blocks is not None:
                    blocks.append((pos, eol, size))
                pos = eol + 1
                continue
        blank = _BLANK_LINE_RE.search(text, pos)
        stop = n if blank is None else blank.start()
        para = _fast_paragraph(md, text[pos:stop], east_asian)
        if para is None:
            return None
        out.append(para)
        size += len(para)
        if blocks is not None:
            blocks.append((pos, stop, size))
        pos = stop + 1
    return "".join(out)


def prefix_html(html: str, blocks: list[tuple[int, int, int]], length: int) -> str | None:
    """What ``render_markdown(text[:length])`` gives, cut from ``html``, the rendering of
    ``text`` whose top-level ``blocks`` :func:`render_markdown_blocks` gave; None when a
    block straddles ``length`` (render the prefix then).

    Why the cut is exact: the fast path renders each block from its own lines (every
    scan in it stops at the block's end and no pattern looks past it), so a prefix
    that ends between blocks renders as the same blocks, and blank lines add nothing.
    """
    end = 0
    for start, stop, html_end in blocks:
        if start >= length:
            break
        if stop > length:
            return None
        end = html_end
    return html[:end]


@functools.lru_cache(maxsize=None)
def _parser(east_asian_line_breaks: bool, auto_ids: bool) -> MarkdownIt:
    return _build(east_asian_line_breaks, auto_ids)


def render_markdown(
    text: str,
    *,
    east_asian_line_breaks: bool = True,
    auto_ids: bool = True,
    fast_path: bool = True,
) -> str:
    """Markdown body (Liquid already resolved) -> HTML fragment (not yet sanitized)."""
    md = _parser(east_asian_line_breaks, auto_ids)
    if fast_path:
        html = _fast_render(md, text, east_asian_line_breaks)
        if html is not None:
            return html
    return md.render(text)


def render_markdown_blocks(text: str) -> tuple[str, list[tuple[int, int, int]] | None]:
    """``render_markdown(text)``, and its top-level blocks as (source start, source end,
    HTML end) when the fast path rendered it (else None), for :func:`prefix_html`."""
    md = _parser(True, True)
    blocks: list[tuple[int, int, int]] = []
    html = _fast_render(md, text, True, blocks)
    if html is not None:
        return html, blocks
    return md.render(text), None
