"""Justified CJK text in WeasyPrint: the slack of a line shared between its characters.

WeasyPrint (70.0) justifies a line by widening its spaces and nothing else
(``weasyprint.layout.inline.justify_line``). Chinese and Japanese put no spaces
between words, so a ``text-align: justify`` paragraph of them stays ragged: a line
stops up to one character short of the margin whenever the measure is not a whole
number of ems, or a digit, a Latin word or a line-breaking rule (no ``，`` at the
start of a line) leaves a fraction of an em over; and a mixed line puts all its
slack into its few spaces. Browsers follow CSS Text 3 ``text-justify: auto``,
which for CJK means inter-character justification, as the W3C requirements for
Chinese (clreq) and Japanese (jlreq) layout describe. This module adds that.

Usage: call :func:`install` once in the process that renders, before rendering,
and report its ``False`` (with :func:`unavailable_reason`) as a warning; or render
inside ``with enabled() as ok:``. The patch is process-wide. WeasyPrint does not
read ``text-justify``, so there is no per-element opt-out: ``text-align: justify``
is the switch.

What it does, per line that WeasyPrint decided to justify:

* The justification opportunities are the gaps between two characters where at
  least one is CJK (:func:`convert.text.is_cjk`: Han, kana, CJK punctuation,
  fullwidth forms; Hangul excepted, since Korean justifies at its spaces), plus,
  on the same line, every word separator (U+0020, U+00A0) as WeasyPrint counts
  them. The slack is shared equally among them, so a mixed line such as
  ``使用 Python 3 编写`` widens its spaces and its CJK gaps by the same amount.
* No gap opens before closing punctuation (``，。、：；？！）」』》”``) or after
  opening punctuation (``（「『《“``). Their glyphs sit against the character they
  belong to, the blank half of their em already on the far side: a gap there
  would detach ``，`` from its clause, which looks like a typo, while the same
  gap after the comma only widens a pause. No gap opens inside ``——`` or ``……``
  (one sign written as two characters), before a combining mark or variation
  selector, across a zero-width joiner, next to an image or inline block, or
  next to right-to-left text. Invisible format characters (zero-width space,
  soft hyphen) are transparent: the gap goes after them.
* A line whose only opportunities are spaces is handed to WeasyPrint's own
  ``justify_line``: Latin justification is unchanged.
* A line with no opportunity at all (typically a URL broken inside, as Chinese
  books break them) is letter-spaced when that takes at most
  :data:`MAX_LETTER_SPACING` em per gap, so it stays unseen; otherwise it stays
  ragged, as WeasyPrint and browsers leave it.
* Which lines are justified stays WeasyPrint's decision: ``text-align: justify``
  lines where white space collapses, never the last line of a paragraph nor a line
  ending with a forced break (unless ``text-align-last: justify`` asks for it).
  Line breaking is untouched. Right-to-left lines are left to WeasyPrint.

How: :func:`install` replaces ``weasyprint.layout.inline.justify_line``, the one
function ``text_align`` calls to justify a line: WeasyPrint has no hook, and this
is the narrowest point (same signature, called only after line breaking, only for
lines to justify). Like WeasyPrint's ``add_word_spacing``, :func:`justify_line`
then moves boxes right and widens their parents: a gap between two text boxes
(``甲<b>乙</b>``) moves the following boxes, outside an inline box's padding. A
gap inside a text box is drawn by a :func:`SpacedLayout <spaced_layout_class>`, a
subclass of WeasyPrint's ``Layout``: WeasyPrint re-creates a box's layout to draw
it (``set_text(text, justify=True)``) and reads the glyphs of its first line
(``get_first_line()``); there, the last visible glyph before each gap gets the gap
as extra advance. The box was measured without it and is widened by exactly the
sum. :func:`install` checks WeasyPrint's internals (signatures, attributes, the
Pango structures read) and draws a probe before patching anything; when anything
differs it returns ``False`` and changes nothing, and text stays ragged but right.
"""

from __future__ import annotations

import functools
import inspect
import threading
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from .text import is_cjk

__all__ = ["enabled", "install", "installed", "justify_line", "opportunity", "plan_line", "uninstall",
           "unavailable_reason"]

# Punctuation whose glyph hugs the character before it: no gap opens before it.
CLOSING = frozenset(
    "、。，．：；？！）］｝〕〉》」』】〗〙〛〞〟｠’”"  # CJK and fullwidth closing marks
    ",.:;?!)]}»›")  # Latin ones, when they follow a CJK character
# Punctuation whose glyph hugs the character after it: no gap opens after it.
OPENING = frozenset("（［｛〔〈《「『【〖〘〚〝｟‘“([{«‹")
# Signs written as two identical characters (——, ……): never pulled apart.
INSEPARABLE = frozenset("—―…‥⋯⸺⸻")
WORD_SEPARATORS = frozenset(" \u00a0")  # what WeasyPrint's own justification widens
# A line without spaces or CJK (a URL broken inside) is letter-spaced up to this many ems.
MAX_LETTER_SPACING = 0.1
_OBJECT = "\ufffc"  # an image or inline block in the flattened line
_ZWJ = "\u200d"


# What a character is to justification (computed once per character).
_SPACE, _CJK, _OTHER, _MARK, _BARRIER, _FORMAT = range(6)


@functools.cache
def _class(ch: str) -> int:
    if ch in WORD_SEPARATORS:
        return _SPACE
    if unicodedata.category(ch) == "Cf":
        return _FORMAT  # invisible: zero-width space and joiner, soft hyphen, bidi marks
    if (unicodedata.category(ch) in ("Mn", "Me", "Mc") or "\ufe00" <= ch <= "\ufe0f"
            or "\U0001f3fb" <= ch <= "\U0001f3ff"):
        return _MARK  # belongs to the grapheme before it
    if ch == _OBJECT or unicodedata.bidirectional(ch) in ("R", "AL"):
        return _BARRIER
    # Hangul is wide but Korean separates words with spaces and justifies there (KLREQ).
    if is_cjk(ch) and not unicodedata.name(ch, "").startswith("HANGUL"):
        return _CJK
    return _OTHER


def opportunity(before: str, after: str, *, letters: bool = False) -> str | None:
    """The kind of justification opportunity between two adjacent characters of a line.

    ``"space"`` after a word separator, ``"cjk"`` between characters where a CJK one
    is involved, ``"letter"`` (only when ``letters``) between any other two
    graphemes, ``None`` where no gap may open.
    """
    first, second = _class(before), _class(after)
    if second in (_MARK, _FORMAT) or first == _FORMAT:
        return None
    if first == _SPACE:
        return None if second == _SPACE else "space"
    if second == _SPACE or _BARRIER in (first, second):
        return None
    if _CJK in (first, second):
        if after in CLOSING or before in OPENING or (before == after and before in INSEPARABLE):
            return None
        return "cjk"
    return "letter" if letters else None


@dataclass
class _Plan:
    """Where the gaps of one line go: before a box, or before characters inside it."""

    leading: set[int] = field(default_factory=set)  # id() of leaves preceded by a gap
    inner: dict[int, list[int]] = field(default_factory=dict)  # id(text box) -> char indices
    gaps: int = 0
    cjk_gaps: int = 0


def _leaves(box, out: list) -> list:
    """The text boxes and atomic boxes of a line, in order (in-flow only, as WeasyPrint)."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        out.append(box)
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        for child in box.children:
            if child.is_in_normal_flow():
                _leaves(child, out)
    else:
        out.append(box)
    return out


def plan_line(line, *, letters: bool = False) -> _Plan:
    """Find the justification opportunities of a laid-out line box (see :func:`opportunity`)."""
    from weasyprint.formatting_structure import boxes

    plan = _Plan()
    previous, glued = None, False
    for leaf in _leaves(line, []):
        text = leaf.text if isinstance(leaf, boxes.TextBox) else _OBJECT
        for index, ch in enumerate(text):
            if _class(ch) == _FORMAT:
                # Invisible (zero-width space, soft hyphen, word joiner): the gap, if
                # any, goes after it; a zero-width joiner glues its neighbours.
                glued |= ch == _ZWJ
                continue
            kind = None
            if previous is not None and not glued:
                kind = opportunity(previous, ch, letters=letters)
            glued = False
            if kind is not None:
                plan.gaps += 1
                plan.cjk_gaps += kind == "cjk"
                if index == 0:
                    plan.leading.add(id(leaf))
                else:
                    plan.inner.setdefault(id(leaf), []).append(index)
            previous = ch
    return plan


_LOCK = threading.Lock()
_weasyprint_justify_line = None  # WeasyPrint's own, while the patch is installed
_unavailable: str | None = None


def justify_line(context, line, extra_width):
    """Share ``extra_width`` between the justification opportunities of ``line``.

    Drop-in replacement for ``weasyprint.layout.inline.justify_line`` (same
    signature, called by ``text_align`` only for lines it decided to justify).
    """
    if line.style["direction"] == "rtl" or extra_width <= 0:
        return _weasyprint_justify_line(context, line, extra_width)
    plan = plan_line(line)
    if not plan.cjk_gaps:
        if plan.gaps:  # spaces only: WeasyPrint's own justification, unchanged
            return _weasyprint_justify_line(context, line, extra_width)
        # No opportunity at all (a URL broken inside): letter spacing, if it stays unseen.
        plan = plan_line(line, letters=True)
        if not plan.gaps or extra_width / plan.gaps > MAX_LETTER_SPACING * line.style["font_size"]:
            return None
    _spread(line, extra_width / plan.gaps, plan, 0)
    return None


def _first_leaf(box):
    from weasyprint.formatting_structure import boxes

    while isinstance(box, boxes.InlineBox):
        children = [child for child in box.children if child.is_in_normal_flow()]
        if not children:
            return None
        box = children[0]
    return box


def _spread(box, spacing: float, plan: _Plan, x_advance: float) -> float:
    """Move and widen ``box`` and its descendants; return the x advance after it.

    Follows ``weasyprint.layout.inline.add_word_spacing``, gaps instead of spaces.
    """
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.InlineBox):
        # A gap before an inline box's first character goes outside the box, so its
        # padding, border and background do not grow on the left.
        first = _first_leaf(box)
        if first is not None and id(first) in plan.leading:
            plan.leading.discard(id(first))
            x_advance += spacing
    if isinstance(box, boxes.TextBox):
        if id(box) in plan.leading:
            x_advance += spacing
        box.position_x += x_advance
        inner = plan.inner.get(id(box))
        if inner:
            layout = spaced_layout_class()(box.style, box.text, inner, spacing, box.pango_layout)
            box.pango_layout = layout
            box.width += layout.extra_width
            x_advance += layout.extra_width
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        start = x_advance
        for child in box.children:
            if child.is_in_normal_flow():
                x_advance = _spread(child, spacing, plan, x_advance)
        box.width += x_advance - start
    else:  # atomic inline-level box: moves, never grows
        box.translate(x_advance, 0)
    return x_advance


def _layout_class():
    from weasyprint.text.line_break import Layout

    return Layout


@functools.cache
def spaced_layout_class():
    """``SpacedLayout``, defined on WeasyPrint's ``Layout`` on first use.

    Built lazily so that importing this module never imports WeasyPrint, and a
    WeasyPrint without that class makes :func:`install` say no instead of failing.
    """
    from weasyprint.text.ffi import FROM_UNITS, TO_UNITS, ffi, pango

    class SpacedLayout(_layout_class()):
        """A WeasyPrint text layout drawn with ``spacing`` more before some characters.

        ``gaps`` are indices into ``text``. WeasyPrint lays the box out and measures
        it without them; when it draws the box it re-creates the layout
        (``set_text(text, justify=True)``) and reads the glyphs of its first line
        (``get_first_line()``): that is when the glyph before each gap character
        gets ``spacing`` more advance.
        """

        def __init__(self, style, text, gaps, spacing, drawn=None):
            if drawn is not None and drawn.text == text and not hasattr(drawn, "layout"):
                # The box's own layout, deactivated, is plain data (text, max_width,
                # font metrics for decorations): copy it rather than set Pango up
                # only to throw it away; drawing sets Pango up again anyway.
                self.__dict__.update(drawn.__dict__)
                self.justification_spacing = 0
            else:
                super().__init__(style, justification_spacing=0, max_width=getattr(drawn, "max_width", None))
                self.set_text(text)
                self.deactivate()
            self.gap_units = round(spacing * TO_UNITS)
            # What the drawn text really gains: glyph advances are integer Pango units.
            self.extra_width = len(gaps) * self.gap_units * FROM_UNITS
            self.gap_bytes = _byte_offsets(text, gaps)
            self.spaced_text = text
            self.widen_pending = False

        def set_text(self, text, justify=False):
            super().set_text(text, justify)
            # A new text means new lines; widen them once, and only the text we planned.
            self.widen_pending = justify and text == self.spaced_text == self.text

        def get_first_line(self):
            first_line, index = super().get_first_line()
            if self.widen_pending:
                self.widen_pending = False
                widen_gaps(first_line, self.gap_bytes, self.gap_units)
            return first_line, index

    def widen_gaps(line, gap_bytes, units):
        """Widen by ``units`` the glyph before each cluster that starts at a byte of ``gap_bytes``.

        The gap is advance of the last visible glyph before it, rather than an
        offset of the glyph after it or advance of an empty one (a zero-width
        space): WeasyPrint draws advances of visible glyphs most exactly.
        Right-to-left runs are left alone (the plan opens no gap inside them).
        """
        previous, run = None, line.runs[0]
        while run != ffi.NULL:
            glyph_item, run = run.data, run.next
            glyphs, offset = glyph_item.glyphs, glyph_item.item.offset
            clusters, rtl = glyphs.log_clusters, glyph_item.item.analysis.level % 2
            for i in range(glyphs.num_glyphs):
                starts_cluster = i == 0 or clusters[i - 1] != clusters[i]
                if (not rtl and starts_cluster and previous is not None
                        and offset + clusters[i] in gap_bytes):
                    previous.width += units
                if glyphs.glyphs[i].glyph != pango.PANGO_GLYPH_EMPTY:
                    previous = glyphs.glyphs[i].geometry

    SpacedLayout.__module__ = __name__
    SpacedLayout.__qualname__ = "SpacedLayout"
    return SpacedLayout


def _byte_offsets(text: str, gaps: list[int]) -> frozenset[int]:
    """UTF-8 byte offsets in ``text`` of the characters at ``gaps`` (ascending indices)."""
    offsets, position, start = [], 0, 0
    for index in gaps:
        position += len(text[start:index].encode())
        start = index
        offsets.append(position)
    return frozenset(offsets)


def _check_weasyprint() -> str | None:
    """Why this WeasyPrint cannot take the patch, or None when it can."""
    try:
        from weasyprint.formatting_structure import boxes
        from weasyprint.layout import inline
        from weasyprint.text import ffi as text_ffi
        from weasyprint.text import line_break
    except ImportError as error:
        return f"WeasyPrint is not importable ({error})"
    if not callable(getattr(inline, "justify_line", None)):
        return "weasyprint.layout.inline has no justify_line"
    if list(inspect.signature(inline.justify_line).parameters) != ["context", "line", "extra_width"]:
        return "weasyprint.layout.inline.justify_line has another signature"
    code = getattr(getattr(inline, "text_align", None), "__code__", None)
    if code is None or "justify_line" not in code.co_names:
        return "weasyprint.layout.inline.text_align no longer calls justify_line"
    for name in ("TextBox", "InlineBox", "LineBox"):
        if not hasattr(boxes, name):
            return f"weasyprint.formatting_structure.boxes has no {name}"
    layout = getattr(line_break, "Layout", None)
    if layout is None or not all(hasattr(layout, name) for name in ("set_text", "deactivate", "reactivate")):
        return "weasyprint.text.line_break.Layout is not the expected class"
    if list(inspect.signature(layout.__init__).parameters)[:4] != [
            "self", "style", "justification_spacing", "max_width"]:
        return "weasyprint.text.line_break.Layout() takes other arguments"
    if list(inspect.signature(layout.set_text).parameters) != ["self", "text", "justify"]:
        return "weasyprint.text.line_break.Layout.set_text takes other arguments"
    if not hasattr(layout, "get_first_line"):
        return "weasyprint.text.line_break.Layout has no get_first_line"
    if not hasattr(text_ffi.pango, "PANGO_GLYPH_EMPTY"):
        return "WeasyPrint's Pango bindings lack PANGO_GLYPH_EMPTY"
    try:
        text_ffi.ffi.offsetof("PangoGlyphString", "log_clusters")
        text_ffi.ffi.offsetof("PangoGlyphGeometry", "x_offset")
        text_ffi.ffi.offsetof("PangoItem", "offset")
    except (AttributeError, KeyError, TypeError) as error:
        return f"WeasyPrint's Pango bindings differ ({error})"
    return None


def _probe() -> str | None:
    """Check on a real layout that the glyphs of a ``SpacedLayout`` are drawn where planned.

    Three characters with a gap before the second and the third, re-created and
    read as ``draw_first_line`` does: their glyphs must start at 0, w0 + s and
    w0 + w1 + 2s, and end 2s further than without the gaps.
    """
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango

    document = HTML(string="<p lang=zh>中文字</p>").render()
    stack, style = [document.pages[0]._page_box], None
    while stack and style is None:
        box = stack.pop()
        if isinstance(box, boxes.TextBox):
            style = box.style
        stack.extend(getattr(box, "children", ()))
    if style is None:
        return "the probe document has no text"
    spacing = 3.0

    def glyph_origins(layout):
        layout.reactivate(style)
        pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
        line, _ = layout.get_first_line()
        x, starts, run = 0.0, [], line.runs[0]
        while run != ffi.NULL:
            glyphs = run.data.glyphs
            for i in range(glyphs.num_glyphs):
                geometry = glyphs.glyphs[i].geometry
                starts.append(x + geometry.x_offset * FROM_UNITS)
                x += geometry.width * FROM_UNITS
            run = run.next
        layout.deactivate()
        return starts + [x]

    plain = _layout_class()(style, 0, None)
    plain.set_text("中文字")
    plain.deactivate()
    spaced = spaced_layout_class()(style, "中文字", [1, 2], spacing, plain)
    if spaced.__dict__.get("layout") is not None or not hasattr(spaced, "max_width"):
        return "a deactivated Layout is not what it was"
    (a, b, c, end), found = glyph_origins(plain), glyph_origins(spaced)
    expected = [a, b + spacing, c + 2 * spacing, end + 2 * spacing]
    if len(found) != 4 or any(abs(x - y) > 0.01 for x, y in zip(found, expected)):
        return f"glyphs are not where planned (at {found}, expected {expected})"
    return None


def install() -> bool:
    """Make WeasyPrint justify CJK text between characters, in this process. Idempotent.

    Returns ``False`` (and patches nothing) when WeasyPrint's internals are not the
    ones this module knows; :func:`unavailable_reason` then says what differs.
    """
    global _unavailable, _weasyprint_justify_line
    with _LOCK:
        if _weasyprint_justify_line is not None:
            return True
        reason = _check_weasyprint()
        if reason is None:
            try:
                reason = _probe()
            except Exception as error:  # any surprise inside WeasyPrint means: do not patch
                reason = f"the probe failed: {type(error).__name__}: {error}"
        _unavailable = reason
        if reason is not None:
            return False
        from weasyprint.layout import inline

        _weasyprint_justify_line = inline.justify_line
        inline.justify_line = justify_line
        return True


def uninstall() -> None:
    """Give WeasyPrint back its own justification."""
    global _weasyprint_justify_line
    with _LOCK:
        if _weasyprint_justify_line is None:
            return
        from weasyprint.layout import inline

        if inline.justify_line is justify_line:
            inline.justify_line = _weasyprint_justify_line
        _weasyprint_justify_line = None


def installed() -> bool:
    return _weasyprint_justify_line is not None


def unavailable_reason() -> str | None:
    """Why the last :func:`install` returned ``False`` (None when it did not)."""
    return _unavailable


@contextmanager
def enabled() -> Iterator[bool]:
    """``with enabled() as ok:`` renders justified CJK inside the block (``ok`` False: not available).

    Undoes the patch on exit unless it was already installed before.
    """
    already = installed()
    ok = install()
    try:
        yield ok
    finally:
        if ok and not already:
            uninstall()
