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
import unicodedata

from markdown_it import MarkdownIt
from markdown_it.parser_inline import ParserInline
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it import rules_block
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.state_inline import Scanned
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

__all__ = ["render_markdown"]

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


def _scan_raw(src: str, pos: int, name: str) -> int:
    """End of element ``name`` whose start tag ends at ``pos`` (kramdown parse_raw_html).

    Nested tags are tracked on a stack; a closing tag that does not match the
    innermost open element is ignored.  Returns -1 when the text ends first
    (kramdown then auto-closes everything: the block runs to the end).
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
            continue
        pos += 1
    return pos


def _html_at(buf: str, pos: int, at_line_start: bool) -> int | None:
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
    return _scan_raw(buf, m.end(), tag)


def _scan_html_run(buf: str, start: int = 0) -> tuple[int, bool] | None:
    """Scan consecutive block-HTML constructs at the start of ``buf``.

    Returns (end offset, complete).  HTML following HTML on the same line joins
    the run (kramdown would start another HTML block there; the output is the same).
    """
    lead = start
    while lead < len(buf) and buf[lead] == " ":
        lead += 1
    end = _html_at(buf, lead, lead == start)
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
        nxt = _html_at(buf, j, j == end)
        if nxt is None:
            return end, True
        end = nxt


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
        scanned = _scan_html_run(buf)
        if scanned is None:
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
        token.content = buf[: len(buf) if eol < 0 else eol] + "\n"
        state.line = line + 1
        return True

    # Markdown follows the closing tag on the same line: the line now starts
    # there, and we run one round of the other block rules on it (the
    # tokenizer demands that a rule advance state.line).
    token.map = [startLine, line + 1]
    token.content = buf[:end] + "\n"
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
        if nxt >= endLine or state.sCount[nxt] != state.blkIndent:
            return False
        underline = state.src[state.bMarks[nxt] + state.tShift[nxt] : state.eMarks[nxt]]
        if not _SETEXT_UNDERLINE_RE.match(underline):
            return False
        return lheading(state, startLine, endLine, silent)

    return setext


def _inline_block_tag(state: StateInline, silent: bool) -> bool:
    """A block-level tag inside paragraph text stays literal text (kramdown warns and escapes)."""
    src, pos = state.src, state.pos
    if src[pos] != "<":
        return False
    m = _CLOSE_RE.match(src, pos) or _TAG_RE.match(src, pos)
    if m is None or m.group(1).lower() not in _BLOCK_ELEMENTS:
        return False
    if not silent:
        state.pending += m.group(0)
    state.pos = m.end()
    return True


# --- CJK-friendly emphasis -----------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _is_cjk(ch: str) -> bool:
    """Wide/fullwidth East Asian character (Han, kana, Hangul, CJK punctuation, fullwidth forms)."""
    if ch < "\u1100":
        return False
    if unicodedata.east_asian_width(ch) not in ("W", "F"):
        return False
    # Emoji are wide too but are not CJK; the proposal keeps them out.
    return unicodedata.category(ch) != "So" or "\u2e80" <= ch <= "\u33ff"


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
    cjkSide = _is_cjk(lastChar) or _is_cjk(nextChar)

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
                if before and after and _is_cjk(before) and _is_cjk(after):
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
_FAST_LINE_RE = re.compile(
    rf"(?:{_PLAIN}|[()]|>(?!>)|<>|<https?://[^<>\x00-\x20]*>|\[{_PLAIN}+\]\([^\s()<>\\]+\))+"
)
_FAST_PART_RE = re.compile(r"<>|<(https?://[^<>\x00-\x20]*)>|\[([^\]]+)\]\(([^)]+)\)")
# A line start that could open a block (list, heading, quote, rule, table, code...).
_FAST_BAD_START_RE = re.compile(r"[ \t#>+*=\-]|\d+[.)]")


def _fast_text(text: str) -> str:
    text = text.replace(">", "&gt;")
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


def _fast_paragraph(md: MarkdownIt, chunk: str, east_asian: bool) -> str | None:
    lines = chunk.split("\n")
    rendered = []
    for line in lines:
        if (
            line[-1] in " \t"
            or _FAST_BAD_START_RE.match(line)
            or not _FAST_LINE_RE.fullmatch(line)
        ):
            return None
        out = _fast_line(md, line)
        if out is None:
            return None
        rendered.append(out)
    para = rendered[0]
    for prev, line, out in zip(lines, lines[1:], rendered[1:]):
        # East Asian break: both sides plain CJK text (not a link or autolink).
        join = "\n"
        if east_asian and prev[-1] not in ">)" and line[0] not in "<[":
            if _is_cjk(prev[-1]) and _is_cjk(line[0]):
                join = ""
        para += join + out
    return f"<p>{para}</p>\n"


def _fast_render(md: MarkdownIt, text: str, east_asian: bool) -> str | None:
    """HTML for a body of block HTML and plain paragraphs with links; None for anything else.

    Top level only: each block starts after a blank line (or at the start), so
    no container or lazy continuation is involved.  Block HTML is copied line by
    line exactly as markdown-it emits html_block tokens.
    """
    if "\r" in text or "\0" in text:
        return None  # markdown-it normalizes these first; leave them to it
    out = []
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
            run = _scan_html_run(text, pos)
            if run is not None:
                end, complete = run
                if not complete:  # unclosed tag (runs to the end): rare, leave it to markdown-it
                    return None
                eol = text.find("\n", end)
                eol = n if eol < 0 else eol
                if text[end:eol].strip(" \t"):
                    return None  # Markdown after a closing tag on the same line
                out.append(text[pos:eol] + "\n")
                pos = eol + 1
                continue
        blank = _BLANK_LINE_RE.search(text, pos)
        stop = n if blank is None else blank.start()
        para = _fast_paragraph(md, text[pos:stop], east_asian)
        if para is None:
            return None
        out.append(para)
        pos = stop + 1
    return "".join(out)


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
