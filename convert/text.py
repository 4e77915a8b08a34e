"""Text facts every part needs the same answer to, CJK first."""

from __future__ import annotations

import unicodedata


def is_cjk(ch: str) -> bool:
    """Wide/fullwidth East Asian character (Han, kana, Hangul, CJK punctuation, fullwidth forms).

    The one definition behind CJK-friendly emphasis and East Asian line breaks when
    reading Markdown, and behind where the Markdown writer may put ``*`` safely.
    """
    if ch < "\u1100":
        return False
    if unicodedata.east_asian_width(ch) not in ("W", "F"):
        return False
    # Emoji are wide too but are not CJK; the CommonMark CJK-friendly proposal keeps them out.
    return unicodedata.category(ch) != "So" or "\u2e80" <= ch <= "\u33ff"
