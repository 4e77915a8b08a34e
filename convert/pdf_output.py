"""WeasyPrint extension: the same PDF pages for less work once layout is done.

For a short article, writing the PDF costs WeasyPrint 70 more than laying it
out, and nearly all of that is its CJK fonts. Three changes, each measured on
the seed post (three Noto CJK faces) and each leaving every page pixel-identical:

* Subset each font in one HarfBuzz pass. WeasyPrint keeps glyph ids
  (``RETAIN_GIDS``: its content streams name glyphs by their id in the full font,
  so a Noto CJK subset keeps 63,000 glyph slots) and subsets twice; the second
  pass, meant to drop empty glyphs after the last one used, finds none after a
  ``RETAIN_GIDS`` pass. Also drop the vertical metrics (``vmtx``, ``vhea``,
  ``VORG``): WeasyPrint sets horizontal text only and viewers take widths from
  the PDF's ``/W`` arrays, and ``vmtx`` is a third of such a subset.
  21 -> 8 ms per font.
* Do not copy each whole font file into Python bytes when a font is first used
  in a document (``Font.file_content``: 20 MB per Noto CJK collection, 13 ms):
  read it only if something asks for it, which a subsetted font never does.
* Deflate streams at zlib's default level 6 instead of pydyf's 9: the same size
  within 0.2% on these fonts, in half the time; and once: pydyf computes every
  object's data a second time to hash it for the file identifier (``/ID``,
  which PDF/A requires), deflating every stream twice. Within one ``write`` a
  stream's data is now made once and reused (the bytes are the same).

``install()`` patches ``weasyprint.pdf.fonts`` and ``pydyf`` only when their code
is the one this was written against; written so each part could go upstream.
"""

from __future__ import annotations

import inspect
import threading
import zlib

__all__ = ["install", "installed", "uninstall", "unavailable_reason"]

# What WeasyPrint's own subsetter drops, plus the vertical metrics.
DROPPED_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT",
                  b"SVG ", b"VORG", b"vhea", b"vmtx")

DEFLATE_LEVEL = 6

_LOCK = threading.Lock()
_originals: dict | None = None  # what install() replaced, to put back
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
    if getattr(fonts, "get_hb_object_data", None) is not text_fonts.get_hb_object_data:
        return "weasyprint.pdf.fonts no longer reads fonts through get_hb_object_data"
    init = inspect.getsource(fonts.Font.__init__)
    if "self.file_content = get_hb_object_data(self.hb_face)" not in init:
        return "weasyprint.pdf.fonts.Font no longer reads the whole font when it is created"
    import pydyf

    source = inspect.getsource(pydyf)
    if getattr(pydyf, "zlib", None) is not zlib or "zlib.compressobj(level=9)" not in source:
        return "pydyf no longer deflates streams through zlib.compressobj(level=9)"
    if not isinstance(pydyf.Stream.__dict__.get("data"), property) or not callable(getattr(pydyf.PDF, "write", None)):
        return "pydyf.Stream.data or pydyf.PDF.write is not what it was"
    return None


class _LazyFontFile:
    """``Font.file_content``, read from the font only when something asks for it."""

    def __get__(self, font, owner=None):
        if font is None:
            return self
        content = font.__dict__.get("_file_content")
        if content is None:
            from weasyprint.text.fonts import get_hb_object_data

            content = font.__dict__["_file_content"] = get_hb_object_data(font.hb_face)
        return content

    def __set__(self, font, value) -> None:
        font.__dict__["_file_content"] = value


def _face_data_later(hb_object, ot_color=None, glyph=None):
    """``get_hb_object_data`` as ``weasyprint.pdf.fonts`` calls it: a whole face is left for
    ``_LazyFontFile`` to read when needed (None); anything else is read now."""
    from weasyprint.text.fonts import get_hb_object_data

    if ot_color is None and glyph is None:
        return None
    return get_hb_object_data(hb_object, ot_color, glyph)


class _Deflate:
    """The ``zlib`` pydyf sees: ``compressobj`` at level 6, everything else zlib's own."""

    def __getattr__(self, name):
        return getattr(zlib, name)

    @staticmethod
    def compressobj(level=DEFLATE_LEVEL, *args, **kwargs):
        return zlib.compressobj(DEFLATE_LEVEL, *args, **kwargs)


_writing = threading.local()  # .streams: id(stream) -> its data, while a PDF is being written


def _stream_data(stream) -> bytes:
    """``pydyf.Stream.data``, made once per stream while a PDF is written."""
    made = getattr(_writing, "streams", None)
    if made is None:
        return _originals["stream_data"].fget(stream)  # type: ignore[index]
    data = made.get(id(stream))  # the stream is alive (in pdf.objects) for the whole write
    if data is None:
        data = made[id(stream)] = _originals["stream_data"].fget(stream)  # type: ignore[index]
    return data


def _write_once(pdf, *args, **kwargs):
    """``pydyf.PDF.write`` with each stream's data made once."""
    _writing.streams = {}
    try:
        return _originals["write"](pdf, *args, **kwargs)  # type: ignore[index]
    finally:
        _writing.streams = None


def install() -> bool:
    """Make WeasyPrint's PDF output cheaper in this process (and the children it forks). Idempotent.

    ``False`` (nothing patched) when WeasyPrint or pydyf is not the one this module
    knows; :func:`unavailable_reason` says why, and their own code stays.
    """
    global _originals, _unavailable
    with _LOCK:
        if _originals is not None:
            return True
        _unavailable = _check_weasyprint()
        if _unavailable is not None:
            return False
        import pydyf
        from weasyprint.pdf import fonts

        _originals = {"subset": fonts.Font._harfbuzz_subset, "data": fonts.get_hb_object_data,
                      "file_content": fonts.Font.__dict__.get("file_content"), "zlib": pydyf.zlib,
                      "stream_data": pydyf.Stream.__dict__["data"], "write": pydyf.PDF.write}
        fonts.Font._harfbuzz_subset = subset_once
        fonts.Font.file_content = _LazyFontFile()
        fonts.get_hb_object_data = _face_data_later
        pydyf.zlib = _Deflate()
        pydyf.Stream.data = property(_stream_data)
        pydyf.PDF.write = _write_once
        return True


def uninstall() -> None:
    """Give WeasyPrint and pydyf back their own code."""
    global _originals
    with _LOCK:
        if _originals is None:
            return
        import pydyf
        from weasyprint.pdf import fonts

        fonts.Font._harfbuzz_subset = _originals["subset"]
        fonts.get_hb_object_data = _originals["data"]
        if _originals["file_content"] is None:
            del fonts.Font.file_content
        else:
            fonts.Font.file_content = _originals["file_content"]
        pydyf.zlib = _originals["zlib"]
        pydyf.Stream.data = _originals["stream_data"]
        pydyf.PDF.write = _originals["write"]
        _originals = None


def installed() -> bool:
    return _originals is not None


def unavailable_reason() -> str | None:
    """Why the last :func:`install` returned ``False`` (None when it did not)."""
    return _unavailable
