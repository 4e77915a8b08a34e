"""Text facts every part needs the same answer to, CJK first."""

from __future__ import annotations

import re
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
_LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def is_language_tag(tag: str) -> bool:
    """Whether ``tag`` is a well-formed BCP 47 language tag (``zh-CN``, ``en``, ``und``; not ``C`` or ``zh_CN``).

    Form only, as RFC 5646 defines it: a well-formed tag need not be registered (``POSIX`` is well-formed)."""
    return bool(_BCP47.fullmatch(tag))


def normalize_lang(lang: str | None) -> str:
    """A well-formed BCP 47 tag: ``zh_CN`` -> ``zh-CN``; empty, ``C``, ``POSIX`` or junk -> ``und``."""
    tag = (lang or "").split(".", 1)[0].split("@", 1)[0].replace("_", "-").strip()
    if not tag or tag.upper() in ("C", "POSIX") or not _LANG_TAG.match(tag) or not is_language_tag(tag):
        return "und"
    return tag
