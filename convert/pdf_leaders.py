"""WeasyPrint extension: a leader drawn as one text instead of one text per repetition.

A leader (``content: leader('. ')``: the dots between a contents entry and its page
number) is laid out by WeasyPrint (70.0, ``weasyprint.layout.leader.handle_leader``)
as one text box per repetition of its string, side by side, a repetition's width
apart; each is then drawn on its own, with a Pango layout set up anew for it. A
volume's contents of 200 entries has 9,000 of them: half the cost of its pages.

After ``handle_leader``, this puts the repetitions of each leader into one text box
of them all, where the first one was: one layout and one text object per leader. The
glyphs are where they were to within the rounding of a PDF's glyph positions (a
thousandth of an em: 0.01 pt at 10 pt), and the text reads the same; rendered at
high resolution the dots' anti-aliasing may differ. A leader with ``letter-spacing``
or ``word-spacing`` is left alone (the spacing would go between repetitions too).

Usage: :func:`install` once in the process that renders, before rendering; the patch
is process-wide. ``False`` (nothing patched) when WeasyPrint is not the one this was
written against; :func:`unavailable_reason` says why. Written so it could go upstream.
"""

from __future__ import annotations

import inspect
import threading

__all__ = ["install", "installed", "uninstall", "unavailable_reason"]

_LOCK = threading.Lock()
_handle_leader = None  # WeasyPrint's own, while installed
_unavailable: str | None = None


def _check_weasyprint() -> str | None:
    """Why this WeasyPrint cannot take the patch, or None when it can."""
    try:
        from weasyprint.layout import inline, leader
        from weasyprint.text import line_break
    except (ImportError, OSError) as error:
        return f"WeasyPrint is not importable ({error})"
    if getattr(inline, "handle_leader", None) is not getattr(leader, "handle_leader", None):
        return "weasyprint.layout.inline no longer lays out leaders with weasyprint.layout.leader.handle_leader"
    if not callable(getattr(leader, "leader_index", None)) or not callable(getattr(line_break, "create_layout", None)):
        return "weasyprint.layout.leader.leader_index or weasyprint.text.line_break.create_layout is missing"
    source = inspect.getsource(leader.handle_leader)
    if "text_box.copy()" not in source or "position_x -= text_box.width" not in source:
        return "weasyprint.layout.leader no longer lays out a leader as repetitions a repetition's width apart"
    return None


def _merged_leader(context, line, containing_block) -> None:
    """WeasyPrint's ``handle_leader``, then the leader's repetitions as one text box."""
    from weasyprint.layout.leader import leader_index
    from weasyprint.text.line_break import create_layout

    _handle_leader(context, line, containing_block)  # type: ignore[misc]
    _, box = leader_index(line)
    if box is None or len(box.children) < 2:
        return
    copies = sorted(box.children, key=lambda child: child.position_x)
    first = copies[0]
    if first.style["letter_spacing"] != "normal" or first.style["word_spacing"] != 0:
        return
    merged = first.copy_with_text(first.text * len(copies))
    merged.width = copies[-1].position_x + copies[-1].width - first.position_x
    merged.pango_layout = create_layout(merged.text, first.style, context, None, 0)
    box.children = (merged,)


def install() -> bool:
    """Draw each leader as one text in this process (and the children it forks). Idempotent."""
    global _handle_leader, _unavailable
    with _LOCK:
        if _handle_leader is not None:
            return True
        _unavailable = _check_weasyprint()
        if _unavailable is not None:
            return False
        from weasyprint.layout import inline

        _handle_leader = inline.handle_leader
        inline.handle_leader = _merged_leader
        return True


def uninstall() -> None:
    """Give WeasyPrint back its own leaders."""
    global _handle_leader
    with _LOCK:
        if _handle_leader is None:
            return
        from weasyprint.layout import inline

        inline.handle_leader = _handle_leader
        _handle_leader = None


def installed() -> bool:
    return _handle_leader is not None


def unavailable_reason() -> str | None:
    """Why the last :func:`install` returned ``False`` (None when it did not)."""
    return _unavailable
