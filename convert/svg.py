"""SVG images made safe to embed in a book (EPUB, PDF): a drawing, nothing active, nothing outside the file.

:func:`sanitize_svg` parses the file with lxml (no network, no DTD loading, no
external entities) and keeps what an allowlist names, so an element or attribute
nobody thought of is dropped rather than kept:

* SVG elements that draw or describe (shapes, text, gradients, filters, ``use``,
  ``title``...); never ``script``, ``foreignObject``, animation (``set``/``animate``
  can rewrite a link into ``javascript:``), ``feImage``, fonts or elements of
  other namespaces (editor metadata);
* attributes without a namespace, and ``xlink:href``, ``xml:space``, ``xml:lang``;
  never an event handler (``on...``); a reference (``href``, ``url(...)`` in an
  attribute or a ``style``) only when it points inside the file (``#id``), or for
  ``image`` a ``data:`` PNG, JPEG, GIF or WebP;
* a ``<style>`` sheet only without ``@import`` and with internal ``url(#...)`` only;
* no comments, processing instructions (``xml-stylesheet``) or DOCTYPE in the result.

The result is the drawing re-serialized as UTF-8 XML, the same bytes for the same input.
"""

from __future__ import annotations

import re

from lxml import etree

from .render import remove_keeping_tail

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_XML = "{http://www.w3.org/XML/1998/namespace}"
_S = "{%s}" % SVG_NS

_ELEMENTS = frozenset("""
    svg g defs symbol use switch view a title desc
    path rect circle ellipse line polyline polygon text tspan textPath image
    linearGradient radialGradient stop pattern clipPath mask marker style filter
    feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting
    feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR
    feGaussianBlur feMerge feMergeNode feMorphology feOffset fePointLight feSpecularLighting
    feSpotLight feTile feTurbulence
""".split())
_KEEP_NAMESPACED = frozenset({XLINK_HREF, _XML + "space", _XML + "lang"})
_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", re.IGNORECASE | re.DOTALL)
_DATA_IMAGE = re.compile(r"data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*\Z", re.IGNORECASE)
_ACTIVE = re.compile(r"javascript:|vbscript:|expression\s*\(|@import|behavior\s*:|-moz-binding", re.IGNORECASE)
_PARSER = etree.XMLParser(resolve_entities="internal", no_network=True, load_dtd=False, remove_comments=True,
                          remove_pis=True, huge_tree=False)


class UnsafeSvg(ValueError):
    """The file is not an SVG drawing that can be made safe (not XML, not SVG, external entities)."""


def looks_like_svg(data: bytes) -> bool:
    """Whether ``data`` is likely an SVG file (an XML document whose first element is ``svg``)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and re.search(rb"<(?:[A-Za-z_][\w.-]*:)?svg[\s>/]", head) is not None


def sanitize_svg(data: bytes) -> bytes:
    """``data`` with everything active or external removed; raises ``UnsafeSvg`` when that is not possible."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnsafeSvg(f"not well-formed XML ({exc})") from None
    if root.tag != _S + "svg":
        raise UnsafeSvg(f"the root element is {etree.QName(root).localname!r}, not an SVG <svg>")
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise UnsafeSvg("it uses external XML entities")
    _clean(root)
    etree.cleanup_namespaces(root)
    # encoding="utf-8" without a declaration from lxml, which would single-quote it: ours is the usual form.
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + etree.tostring(root, encoding="utf-8")


def _clean(element) -> None:
    for child in list(element):
        if not isinstance(child.tag, str) or not child.tag.startswith(_S) or child.tag[len(_S):] not in _ELEMENTS:
            remove_keeping_tail(child)
            continue
        if child.tag == _S + "style" and not _safe_sheet(child):
            remove_keeping_tail(child)
            continue
        _clean(child)
    for name, value in list(element.attrib.items()):
        if not _safe_attribute(element, name, value):
            del element.attrib[name]


def _safe_sheet(style) -> bool:
    if style.get("type", "text/css").strip().lower() != "text/css" or len(style):
        return False
    sheet = style.text or ""
    return not _ACTIVE.search(sheet) and all(_internal(m.group(2)) for m in _URL.finditer(sheet))


def _safe_attribute(element, name: str, value: str) -> bool:
    if name.startswith("{"):
        if name not in _KEEP_NAMESPACED:
            return False
    elif name.lower().startswith("on"):  # onload, onclick...: event handlers
        return False
    if name in ("href", XLINK_HREF):
        target = value.strip()
        return _internal(target) or (element.tag == _S + "image" and bool(_DATA_IMAGE.match(target)))
    if _ACTIVE.search(value):
        return False
    return all(_internal(m.group(2)) for m in _URL.finditer(value))


def _internal(reference: str) -> bool:
    """Whether a reference points inside the same file (``#id``)."""
    reference = reference.strip()
    return reference.startswith("#") and len(reference) > 1
