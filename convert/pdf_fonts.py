"""WeasyPrint extension: embed subsetted fonts in one HarfBuzz pass, without vertical metrics.

A CJK font subset is most of a short PDF's cost: WeasyPrint 70 keeps glyph ids
(``RETAIN_GIDS``, its content streams name glyphs by their id in the full font),
so a subset of Noto Serif CJK still has 63,000 glyph slots, and it subsets twice:
the second pass, meant to drop the empty glyphs after the last one used, finds
none to drop after a ``RETAIN_GIDS`` pass (the result is identical, pixel for
pixel). This module makes it one pass, and drops the vertical metrics tables
(``vmtx``, ``vhea``, ``VORG``): WeasyPrint lays out horizontal text only, PDF
viewers take metrics from the PDF's own ``/W`` arrays, and ``vmtx`` alone is a
third of a retained-gid CJK subset, compressed again in every PDF.

Measured on the seed post (three Noto CJK faces): 21 -> 8 ms per font subset,
and a third less font data to deflate. ``install()`` patches
``weasyprint.pdf.fonts.Font._harfbuzz_subset`` only when WeasyPrint's code is the
one this was written against; written so it could go upstream as a flag.
"""

from __future__ import annotations

import inspect
import threading

__all__ = ["install", "installed", "uninstall", "unavailable_reason"]

# What WeasyPrint's own subsetter drops, plus the vertical metrics.
DROPPED_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT",
                  b"SVG ", b"VORG", b"vhea", b"vmtx")

_LOCK = threading.Lock()
_weasyprint_subset = None
_unavailable: str | None = None


def subset_once(font, to_unicode, hinting) -> None:
    """``Font._harfbuzz_subset``: keep the used glyph ids in one pass; drop the tables a PDF does not read."""
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset
    from weasyprint.text.fonts import get_hb_object_data

    plan = ffi.gc(harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy)
    glyphs = sorted(to_unicode)
    harfbuzz.hb_set_add_sorted_array(harfbuzz_subset.hb_subset_input_glyph_set(plan),
                                     ffi.new(f"hb_codepoint_t[{len(glyphs)}]", glyphs), len(glyphs))
    flags = (harfbuzz_subset.HB_SUBSET_FLAGS_RETAIN_GIDS | harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
             | harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE)
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    if font.missing:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    harfbuzz_subset.hb_subset_input_set_flags(plan, flags)
    tags = sorted(harfbuzz.hb_tag_from_string(name, -1) for name in DROPPED_TABLES)
    harfbuzz.hb_set_add_sorted_array(
        harfbuzz_subset.hb_subset_input_set(plan, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG),
        ffi.new(f"hb_codepoint_t[{len(tags)}]", tags), len(tags))
    face = ffi.gc(harfbuzz_subset.hb_subset_or_fail(font.hb_face, plan), harfbuzz.hb_face_destroy)
    content = get_hb_object_data(face) if face else None
    if content:
        font.file_content = content
    else:  # as WeasyPrint does: the whole font stays embedded
        import logging

        logging.getLogger("weasyprint").warning('Unable to subset "%s" with HarfBuzz', font.family)


def _check_weasyprint() -> str | None:
    """Why this WeasyPrint cannot take the patch, or None when it can."""
    try:
        from weasyprint.pdf import fonts
        from weasyprint.text import fonts as text_fonts
        from weasyprint.text.ffi import harfbuzz, harfbuzz_subset
    except (ImportError, OSError) as error:
        return f"WeasyPrint is not importable ({error})"
    if not harfbuzz_subset or not harfbuzz.hb_version_atleast(4, 1, 0):
        return "HarfBuzz's subsetter (libharfbuzz-subset0 >= 4.1) is missing"
    method = getattr(getattr(fonts, "Font", None), "_harfbuzz_subset", None)
    if method is None or list(inspect.signature(method).parameters) != ["self", "to_unicode", "hinting"]:
        return "weasyprint.pdf.fonts.Font._harfbuzz_subset is not the expected method"
    if "HB_SUBSET_FLAGS_RETAIN_GIDS" not in method.__code__.co_names:
        return "WeasyPrint no longer keeps glyph ids when subsetting"
    if not callable(getattr(text_fonts, "get_hb_object_data", None)):
        return "weasyprint.text.fonts has no get_hb_object_data"
    return None


def install() -> bool:
    """Subset fonts in one pass in this process (and the children it forks). Idempotent.

    ``False`` (nothing patched) when WeasyPrint is not the one this module knows;
    :func:`unavailable_reason` says why, and WeasyPrint's own subsetting stays.
    """
    global _weasyprint_subset, _unavailable
    with _LOCK:
        if _weasyprint_subset is not None:
            return True
        _unavailable = _check_weasyprint()
        if _unavailable is not None:
            return False
        from weasyprint.pdf import fonts

        _weasyprint_subset = fonts.Font._harfbuzz_subset
        fonts.Font._harfbuzz_subset = subset_once
        return True


def uninstall() -> None:
    """Give WeasyPrint back its own subsetting."""
    global _weasyprint_subset
    with _LOCK:
        if _weasyprint_subset is not None:
            from weasyprint.pdf import fonts

            fonts.Font._harfbuzz_subset = _weasyprint_subset
            _weasyprint_subset = None


def installed() -> bool:
    return _weasyprint_subset is not None


def unavailable_reason() -> str | None:
    """Why the last :func:`install` returned ``False`` (None when it did not)."""
    return _unavailable
