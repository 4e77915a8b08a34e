"""Jekyll 4.3 post semantics as pure functions: file names, dates, titles,
categories and tags, permalinks, ``post.id``, ``absolute_url`` and excerpts.

Every rule here was checked against real Jekyll 4.3.1 (with Addressable 2.8.1
and jekyll-feed 0.17.0); ``tests/reader/golden/jekyll_oracle.json`` holds what
Jekyll printed and ``tests/support/jekyll_oracle.py`` rebuilds it. Where Jekyll
aborts the build (a front-matter date it cannot parse) we warn and go on instead;
everything else is meant to be byte-identical, because feed ids and URLs written
from our model must equal the ones readers of the original site already have.

No I/O: callers read files and YAML and pass values in.
"""

from __future__ import annotations

import datetime as dt
import functools
import posixpath
import re
import unicodedata
import zoneinfo
from typing import Any, Callable, Iterable, Mapping, NamedTuple, Sequence

from convert.errors import InputError

__all__ = [
    "split_post_filename", "post_date", "titleize", "derive_title",
    "folder_categories", "categories_from", "tags_from", "slugify",
    "output_ext_for", "style_to_pattern", "permalink", "post_id",
    "relative_url", "absolute_url", "escape_path", "split_excerpt",
    "PERMALINK_STYLES",
]

# --- file names ----------------------------------------------------------------

# Document::DATE_FILENAME_MATCHER / DATELESS_FILENAME_MATCHER. `[0-9]`, not `\d`:
# Ruby's \d is ASCII-only, Python's matches any Unicode digit.
_DATE_FILENAME = re.compile(r"^(?>.+/)*?([0-9]{2,4}-[0-9]{1,2}-[0-9]{1,2})-([^/]*)(\.[^.]+)$")
_DATELESS_FILENAME = re.compile(r"^(?:.+/)*(.*)(\.[^.]+)$")


def split_post_filename(name: str) -> tuple[dt.date | None, str, str]:
    """``(date, slug, ext)`` of a post file name the way Jekyll reads it.

    ``2021-12-08-slug.md`` -> ``(date(2021, 12, 8), "slug", ".md")``. A name
    without the date prefix gives ``(None, stem, ext)`` (Jekyll does not read
    such files from ``_posts/`` at all). Trailing dots of the slug are dropped,
    as Jekyll does (``a...md`` -> slug ``a``). A date-shaped prefix that is not
    a calendar date (``2021-13-40``) gives ``None``: Jekyll aborts the build there.
    """
    m = _DATE_FILENAME.match(name)
    date: dt.date | None = None
    if m:
        raw_date, slug, ext = m.groups()
        try:
            date = dt.date(*map(int, raw_date.split("-")))
        except ValueError:
            date = None
    else:
        m2 = _DATELESS_FILENAME.match(name)
        if m2:
            slug, ext = m2.groups()
        else:
            slug, ext = posixpath.basename(name), ""
    return date, slug.rstrip("."), ext  # Ruby's sub(/\.*\z/, "")


# --- dates ---------------------------------------------------------------------

_DATE_STRING = re.compile(
    r"""^\s*(?P<y>[0-9]{4})(?P<sep>[-/])(?P<mo>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})
        (?:(?:[Tt]|\s+)(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?:[.,](?P<frac>[0-9]+))?)?)?
        \s*(?P<tz>[Zz]|UTC|GMT|[+-][0-9]{2}(?::?[0-9]{2})?)?\s*$""",
    re.X,
)


def _parse_date_string(text: str, site_tz: dt.tzinfo) -> dt.datetime | None:
    """Ruby's ``Time.parse`` for the forms posts use; ``None`` when not a date.

    A string without an offset is local time of the site (Jekyll sets ``TZ``);
    Hugo's RFC 3339 and RFC 1123 forms are accepted as well, and Hexo's
    ``2013/7/13 20:46:25`` (which Ruby's ``Time.parse`` reads the same way).
    """
    m = _DATE_STRING.match(text)
    if m:
        year, _, month, day, hour, minute, second, frac, tz = m.groups()
        try:
            naive = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                                int(second or 0), int(frac[:6].ljust(6, "0")) if frac else 0)
        except ValueError:
            return None
        if tz is None:
            return naive.replace(tzinfo=site_tz)
        if tz in ("Z", "z", "UTC", "GMT"):
            return naive.replace(tzinfo=dt.timezone.utc)
        return naive.replace(tzinfo=_fixed_offset(tz))
    import email.utils  # here: a few milliseconds of start-up that most archives never need

    try:  # "Wed, 08 Dec 2021 10:46:18 +0800" (RFC 1123/2822, used by some Hugo sites)
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=site_tz)


@functools.lru_cache(maxsize=256)  # an archive's posts share a few offsets
def _fixed_offset(tz: str) -> dt.timezone:
    """``+0800``, ``+08:00``, ``-05`` as a fixed-offset timezone."""
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))


def post_date(value: Any, *, filename_date: dt.date | None, site_tz: zoneinfo.ZoneInfo,
              warn: Callable[[str], None]) -> dt.datetime:
    """The post's date, aware and in the site's timezone, as Jekyll computes it.

    ``value`` is the front-matter ``date`` as ``yaml.CSafeLoader`` (or a TOML/JSON
    reader) gave it; ``None`` means absent. Rules (all checked with Jekyll 4.3.1):

    * the front-matter date wins over the file-name date;
    * a naive ``datetime`` is an unquoted YAML timestamp without offset, which
      Ruby's YAML reads as UTC: ``2021-12-08 13:16:19`` is ``21:16:19+08:00``
      in Asia/Shanghai (and may move the post to the next day);
    * an aware ``datetime`` keeps its instant and is shown in the site timezone;
    * a ``date`` (``2022-05-27`` unquoted) is midnight in the site timezone;
    * a string (quoted, or ``... +0800`` which YAML does not take as a timestamp)
      without offset is site-local time; with an offset it keeps its instant;
    * no front-matter date: midnight of the file-name date in the site timezone.

    A value that is no date (``+0800``, ``1638936979``, ``"not a date"``) makes
    Jekyll abort the whole build; we warn and use the file-name date. With no
    usable date at all, ``InputError`` (path left for the caller to fill in).
    """
    if value is not None:
        result: dt.datetime | None = None
        if isinstance(value, dt.datetime):
            result = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        elif isinstance(value, dt.date):
            result = dt.datetime(value.year, value.month, value.day, tzinfo=site_tz)
        elif isinstance(value, str):
            result = _parse_date_string(value, site_tz)
        if result is not None:
            return result.astimezone(site_tz)
        if filename_date is not None:
            warn(f"invalid date {value!r} in front matter (Jekyll would stop the build); "
                 f"using the date of the file name, {filename_date.isoformat()}")
        else:
            raise InputError(None, f"invalid date {value!r} in front matter and no date in the file name; "
                                   "give the post a 'date: YYYY-MM-DD HH:MM:SS +0800' line")
    if filename_date is None:
        raise InputError(None, "the post has no date: add 'date:' to its front matter "
                               "or name the file YYYY-MM-DD-slug.md")
    return dt.datetime(filename_date.year, filename_date.month, filename_date.day, tzinfo=site_tz)


# --- titles --------------------------------------------------------------------

def titleize(slug: str) -> str:
    """``Utils.titleize_slug``: the title Jekyll gives a post without one.

    ``slug.split("-").map(&:capitalize).join(" ")``: every word is capitalized
    *and the rest lower-cased* (``iPhone`` -> ``Iphone``), empty words from
    ``--`` or a leading ``-`` stay as extra spaces, and -- Ruby's ``split`` --
    trailing empty words are dropped (``trailing-`` -> ``Trailing``).
    """
    parts = slug.split("-")
    while parts and parts[-1] == "":
        parts.pop()
    return " ".join(part.capitalize() for part in parts)


_SENTENCE_END = re.compile(r"[。！？!?]|\.(?=\s|$)")


def derive_title(body_text: str, limit: int = 40) -> str:
    """A title for a post whose slug is only a number: the body's first sentence.

    Split on ``。！？.!?`` (a ``.`` only before whitespace or the end, so ``1.25``
    and URLs survive), whitespace collapsed, cut to ``limit`` characters with ``…``.
    """
    text = " ".join(body_text.split())
    sentence = _SENTENCE_END.split(text, maxsplit=1)[0].strip() if text else ""
    if len(sentence) > limit:
        sentence = sentence[: limit - 1].rstrip() + "…"
    return sentence


# --- categories and tags ---------------------------------------------------------

_RUBY_SPACE = " \t\n\v\f\r"


_HAS_RUBY_SPACE = re.compile(f"[{_RUBY_SPACE}]")


def _ruby_split(text: str) -> list[str]:
    """Ruby's ``String#split`` without arguments: ASCII whitespace only.

    So ``新闻\u3000要闻`` (ideographic space) is ONE category in Jekyll, while
    Python's ``str.split()`` would make two.
    """
    return [part for part in re.split(f"[{_RUBY_SPACE}]+", text) if part]


def _ruby_str(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def _flatten(values: Iterable[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if isinstance(value, (list, tuple)):
            out.extend(_flatten(value))
        else:
            out.append(value)
    return out


def _key(value: Any) -> tuple[type, Any]:
    # Ruby's eql?: 2021 and "2021" differ, and so do 1 and True (Python says equal).
    return (type(value), value if not isinstance(value, (list, dict)) else repr(value))


def _union(a: Iterable[Any], b: Iterable[Any]) -> list[Any]:
    """Ruby's ``Array#|``: order kept, duplicates removed."""
    seen: set = set()
    out: list[Any] = []
    for value in [*a, *b]:
        k = _key(value)
        if k not in seen:
            seen.add(k)
            out.append(value)
    return out


def _pluralized(data: Mapping[str, Any], singular: str, plural: str) -> list[Any]:
    """``Utils.pluralized_array_from_hash``: the singular key wins when truthy.

    A singular value is taken whole (``category: "a b"`` is one category); a
    plural string is split on ASCII whitespace; anything else plural is ignored.
    """
    value = data.get(singular)
    if value is None or value is False:
        plural_value = data.get(plural)
        if isinstance(plural_value, str):
            value = _ruby_split(plural_value)
        elif isinstance(plural_value, (list, tuple)):
            value = [v for v in plural_value if v is not None]
        else:
            value = None
    return [v for v in _flatten([value]) if v is not None]


def folder_categories(relative_path: str, posts_dir: str = "_posts") -> tuple[str, ...]:
    """Categories from the folders above ``_posts/`` (``news/World/_posts/x.md``).

    Jekyll cuts the path at the first ``_posts`` *substring* and splits the rest
    on ``/``; folders below ``_posts/`` are not categories.
    """
    if relative_path.startswith(posts_dir):
        return ()
    head = re.sub(re.escape(posts_dir) + r".*", "", relative_path, count=1)
    base = posixpath.basename(relative_path)
    return tuple(p for p in head.split("/") if p and p != posts_dir and p != base)


def categories_from(front: Mapping[str, Any], folder_categories: Sequence[str]) -> tuple[str, ...]:
    """A post's ``page.categories`` exactly as Jekyll builds it.

    Folder categories first, then front-matter ``categories`` (a list, or a
    string split on ASCII whitespace) merged with Ruby's ``|`` (order kept,
    exact duplicates dropped, case kept: ``[Alpha, beta, ALPHA]`` stays three),
    then the singular ``category`` (taken whole) appended. Values are made
    strings only at the end, after Jekyll's own dedup, so ``[x, 2021, "2021"]``
    really gives two ``"2021"`` -- as Jekyll does.
    """
    fm = front.get("categories")
    if not folder_categories and "category" not in front and isinstance(fm, str) and not _HAS_RUBY_SPACE.search(fm):
        return (fm,) if fm else ()  # one plain word: what the rules below give, without the work
    data: list[Any] = list(folder_categories)
    if fm is not None:
        if isinstance(fm, str):
            fm = _ruby_split(fm)
        data = _union(data, _flatten(fm) if isinstance(fm, (list, tuple)) else [fm])
    merged = {"categories": data}
    if "category" in front:
        merged["category"] = front["category"]
    more = [_ruby_str(v) for v in _flatten(data + _pluralized(merged, "category", "categories"))]
    return tuple(_ruby_str(v) for v in _union(data, _union([], more)) if v is not None)


def tags_from(front: Mapping[str, Any]) -> tuple[str, ...]:
    """``page.tags``: singular ``tag`` (whole) if set, else ``tags`` (list, or a
    string split on ASCII whitespace). Unlike categories, duplicates are kept."""
    tags = front.get("tags")
    if front.get("tag") in (None, False) and isinstance(tags, str) and not _HAS_RUBY_SPACE.search(tags):
        return (tags,) if tags else ()  # one plain word, the common case
    return tuple(_ruby_str(v) for v in _pluralized(front, "tag", "tags"))


# --- slugify -------------------------------------------------------------------

_PRETTY_KEEP = set("._~!$&'()+,;=@")


def _is_word_char(ch: str) -> bool:
    # \p{M}, \p{L}, \p{Nd}
    cat = unicodedata.category(ch)
    return cat[0] in "ML" or cat == "Nd"


_SIMPLE_SLUG = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")


def slugify(string: str | None, mode: str | None = None, cased: bool = False) -> str | None:
    """``Utils.slugify``: runs of other characters become one ``-``.

    ``default`` keeps letters, marks and decimal digits (any script: ``中文``
    stays); ``pretty`` also keeps ``._~!$&'()+,;=@``; ``raw`` replaces ASCII
    whitespace only; ``ascii`` keeps ``[A-Za-z0-9]``; ``latin`` drops accents
    first. One leading and one trailing ``-`` are removed; lower-cased unless
    ``cased``. An unknown mode (``none``) returns the string, lower-cased.
    """
    mode = mode or "default"
    if string is None:
        return None
    string = _ruby_str(string)
    if mode in ("default", "pretty") and _SIMPLE_SLUG.fullmatch(string):
        return string if cased else string.lower()  # nothing to replace (most file-name slugs)
    if mode not in ("raw", "default", "pretty", "ascii", "latin"):
        return string if cased else string.lower()
    if mode == "latin":
        decomposed = unicodedata.normalize("NFKD", string)
        string = "".join(c if ord(c) < 128 else "?" for c in decomposed if not unicodedata.combining(c))
    if mode == "raw":
        slug = re.sub(f"[{_RUBY_SPACE}]+", "-", string)
    elif mode == "ascii":
        slug = re.sub(r"[^A-Za-z0-9]+", "-", string)
    else:
        keep = _PRETTY_KEEP if mode == "pretty" else set()
        out: list[str] = []
        for ch in string:
            if _is_word_char(ch) or ch in keep:
                out.append(ch)
            elif not out or out[-1] != "\0":
                out.append("\0")  # placeholder for a run of replaced characters
        slug = "".join(out).replace("\0", "-")
    slug = re.sub(r"^-|-$", "", slug, flags=re.M)
    return slug if cased else slug.lower()


# --- URL escaping (Addressable 2.8.1, as Jekyll uses it) ---------------------------

_ALPHA_DIGIT = "a-zA-Z0-9"
_UNRESERVED = _ALPHA_DIGIT + r"\-\._~"
_SUB_DELIMS = r"!\$&'\(\)\*\+,;="
_GEN_DELIMS = r":/\?#\[\]@"
_PCHAR = _UNRESERVED + _SUB_DELIMS + ":@"
_CLASS_PATH = _PCHAR + "/"
_CLASS_QUERY = _PCHAR + r"/\?"
_CLASS_RESERVED_UNRESERVED = _GEN_DELIMS + _SUB_DELIMS + _UNRESERVED
_URI = re.compile(r"^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", re.S)


def _encode_bytes(data: bytes, allowed: str) -> str:
    keep = re.compile(f"[{allowed}]")
    return "".join(chr(b) if b < 128 and keep.match(chr(b)) else f"%{b:02X}" for b in data)


def _encode_component(text: str, allowed: str) -> str:
    """Addressable ``encode_component``: every UTF-8 byte outside the class -> ``%XX``."""
    return _encode_bytes(text.encode("utf-8", "surrogateescape"), allowed)


def _unencode(text: str, leave: str = "") -> bytes:
    raw = text.encode("utf-8", "surrogateescape")

    def repl(m: re.Match[bytes]) -> bytes:
        byte = bytes([int(m.group(0)[1:], 16)])
        return m.group(0) if byte.decode("latin-1") in leave else byte

    return re.sub(rb"%[0-9a-fA-F]{2}", repl, raw)


def _normalize_component(text: str, allowed: str, leave: str = "") -> str:
    """Addressable ``normalize_component``: decode ``%XX``, NFKC, re-encode.

    NFKC is why an ideographic space in a category becomes ``%20`` and
    full-width letters become ASCII in ``absolute_url`` output.
    """
    raw = _unencode(text, leave)
    try:
        unicode_text = unicodedata.normalize("NFKC", raw.decode("utf-8"))
    except UnicodeDecodeError:
        return _encode_bytes(raw, _CLASS_RESERVED_UNRESERVED)
    if not leave:
        return _encode_component(unicode_text, allowed)
    # Sequences left encoded (%2B in queries) pass through, upper-cased; any other '%' -> %25.
    kept = "|".join(f"%{ord(c):02X}" for c in leave)
    parts = re.split(f"({kept})", unicode_text, flags=re.I)
    encoded = "".join(part.upper() if i % 2 else _encode_component(part, allowed) for i, part in enumerate(parts))
    return encoded


@functools.lru_cache(maxsize=4096)  # years, months, days and categories repeat across posts
def escape_path(path: str) -> str:
    """``Jekyll::URL.escape_path`` for placeholder values.

    Values of ``[a-zA-Z0-9./-]`` stay; anything else goes through
    ``Addressable::URI.encode`` -- which parses the value as a URI, so ``?`` and
    the first ``#`` survive it -- and then the first ``#`` becomes ``%23``.
    """
    if not path or re.fullmatch(r"[a-zA-Z0-9./-]+", path):
        return path
    scheme, authority, rest, query, fragment = _URI.match(path).groups()  # type: ignore[union-attr]
    out = ""
    if scheme is not None:
        out += _encode_component(scheme, _ALPHA_DIGIT + r"\-\+\.") + ":"
    if authority is not None:
        out += "//" + _encode_component(authority, _PCHAR + r"\[\]")
    out += _encode_component(rest, _CLASS_PATH)
    if query is not None:
        out += "?" + _encode_component(query, _CLASS_QUERY)
    if fragment is not None:
        out += "#" + _encode_component(fragment, _CLASS_QUERY)
    return out.replace("#", "%23", 1)


_NORM_QUERY_ALLOWED = _ALPHA_DIGIT + r"\-\._~!\$'\(\)\*\+,=:@/\?"
_DEFAULT_PORTS = {"http": "80", "https": "443", "ftp": "21", "tftp": "69", "ssh": "22",
                  "svn+ssh": "22", "telnet": "23", "nntp": "119", "gopher": "70", "wais": "210",
                  "ldap": "389", "prospero": "1525"}


def _remove_dot_segments(path: str) -> str:
    """``Addressable::URI.normalize_path`` (RFC 3986 5.2.4 plus its own extra rule)."""
    while True:
        new = re.sub(r"/\./|/\.$", "/", path)
        if new == path:
            pair = re.search(r"/([^/]*)/\.\./|/([^/]*)/\.\.$", path)
            if pair:
                parent, current = pair.group(1), pair.group(2)
                if (parent not in (".", "..")) or (current not in (".", "..")):
                    rx = "/" + re.escape(parent or "") + r"/\.\./|(/" + re.escape(current or "") + r"/\.\.$)"
                    new = re.sub(rx, "/", path)
        if new == path:
            new = re.sub(r"^\.\.?/?", "", path)
        if new == path:
            new = re.sub(r"^/\.\.?/|^(/\.\.?)+/?$", "/", path)
        if new == path:
            return path
        path = new


def _addressable_normalize(uri: str) -> str:
    """``Addressable::URI.parse(uri).normalize.to_s`` for the URLs Jekyll makes."""
    scheme, authority, path, query, fragment = _URI.match(uri).groups()  # type: ignore[union-attr]
    scheme = scheme.strip().lower() if scheme is not None else None
    out = f"{scheme}:" if scheme is not None else ""
    if authority is not None:
        userinfo, _, hostport = authority.rpartition("@")
        host, port = hostport, None
        m = re.fullmatch(r"(.*?):([0-9]*)", hostport)
        if m and not hostport.endswith("]"):
            host, port = m.group(1), m.group(2)
        host = _unencode(host.strip().lower()).decode("utf-8", "replace")
        if host and not host.isascii():
            host = host.encode("idna").decode("ascii")
        if re.search(r"[^.]\.$", host):
            host = host[:-1]
        host = _normalize_component(host, _UNRESERVED + _SUB_DELIMS + r"\[:\]")
        if port == "" or (port is not None and _DEFAULT_PORTS.get(scheme or "") == port):
            port = None
        out += "//" + (_normalize_component(userinfo, _UNRESERVED + _SUB_DELIMS + ":") + "@" if userinfo else "")
        out += host + (f":{port}" if port is not None else "")
    path = path.strip(" \t\n\v\f\r\0")
    if scheme is None and re.match(r"^(?!/)[^/:]*:.*$", path):
        path = path.replace(":", "%2F", 1)  # sic: Addressable's own choice
    path = "/".join(_normalize_component(seg, _PCHAR) for seg in path.split("/"))
    path = _remove_dot_segments(path)
    if not path and scheme in ("http", "https", "ftp", "tftp"):
        path = "/"
    out += path
    if query is not None:
        q = "&".join(_normalize_component(pair, _NORM_QUERY_ALLOWED, leave="+") for pair in query.split("&"))
        if q:
            out += "?" + q
    if fragment is not None:
        f = _normalize_component(fragment, _CLASS_QUERY)
        if f:
            out += "#" + f
    return out


def _is_absolute(url: str) -> bool:
    m = _URI.match(url)
    return bool(m and m.group(1))


def _leading_slash(text: str) -> str:
    return text if not text or text.startswith("/") else "/" + text


def relative_url(baseurl: str | None, path: str) -> str:
    """Jekyll's ``relative_url`` filter: baseurl + path, Addressable-normalized."""
    if _is_absolute(path):
        return path
    base = (baseurl or "")
    base = base[:-1] if base.endswith("/") else base
    return _addressable_normalize(_leading_slash(base) + _leading_slash(path))


def absolute_url(site_url: str | None, baseurl: str | None, path: str) -> str:
    """Jekyll's ``absolute_url`` filter, byte for byte.

    ``url + relative_url(path)``, normalized by Addressable: non-ASCII is
    percent-encoded as UTF-8 (uppercase hex), existing ``%XX`` of unreserved
    characters are decoded (``%41`` -> ``A``), a lone ``%`` becomes ``%25``,
    text is NFKC-normalized, the host lower-cased, a default port dropped.
    Without ``url`` it is ``relative_url``; an absolute input is returned as is.
    jekyll-feed's Atom ``<id>`` is ``absolute_url(post_id)``, XML-escaped.
    """
    if _is_absolute(path):
        return path
    if site_url and _PLAIN_PATH.fullmatch(path):
        # Fast path (ids and permalinks of every post go through here): a path of
        # unreserved characters without dot segments is left as it is by the
        # normalization, so only the site root needs it, once per site.
        root = _normalized_root(str(site_url), baseurl or "")
        if root is not None:
            return root + path
    rel = relative_url(baseurl, path)
    if not site_url:
        return rel
    return _addressable_normalize(str(site_url) + rel)


# Segments of unreserved characters, none starting with "." (so no "." or ".." segments).
_PLAIN_PATH = re.compile(r"(?:/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+/?|/")


@functools.lru_cache(maxsize=64)
def _normalized_root(site_url: str, baseurl: str) -> str | None:
    """The normalized ``url + baseurl`` that plain paths are appended to, if it is plain itself."""
    probe = "/probe"
    full = _addressable_normalize(site_url + relative_url(baseurl, probe))
    return full[: -len(probe)] if full.endswith(probe) and "?" not in full and "#" not in full else None


# --- permalinks ----------------------------------------------------------------

PERMALINK_STYLES = {
    "none": "/:categories/:title:output_ext",
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
}

_MARKDOWN_EXTS = {".markdown", ".mkdown", ".mkdn", ".mkd", ".md"}
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def style_to_pattern(style: str | None) -> str:
    """The site ``permalink`` setting as a pattern (built-in style names expanded)."""
    return PERMALINK_STYLES.get(style or "date", style or "")


def output_ext_for(ext: str) -> str:
    """The output extension Jekyll gives a post file extension (default converters)."""
    return ".html" if ext.lower() in _MARKDOWN_EXTS or ext.lower() == ".html" else ext


class _UrlParts(NamedTuple):
    """What a permalink's placeholders are made from."""

    date: dt.datetime
    categories: Sequence[str]
    slug: str
    basename: str
    relative_path: str
    output_ext: str
    collection: str


def _categories_value(p: _UrlParts) -> str:
    if len(p.categories) == 1:
        return _ruby_str(p.categories[0]).lower()
    return "/".join(dict.fromkeys(_ruby_str(c).lower() for c in p.categories))


def _slugified_categories_value(p: _UrlParts) -> str:
    return "/".join(dict.fromkeys(slugify(_ruby_str(c)) or "" for c in p.categories))


def _path_value(p: _UrlParts) -> str:
    relative_path = p.relative_path
    ext = posixpath.splitext(relative_path)[1] if "." in posixpath.basename(relative_path) else ""
    stem = relative_path[: len(relative_path) - len(ext)] if ext else relative_path
    return re.sub(r"\.*\Z", "", stem.replace(f"_{p.collection}", "", 1))


# Each placeholder computed only when a template uses it (module-level, not a
# closure per post: permalinks are computed for every post of an archive).
_PLACEHOLDERS: dict[str, Callable[[_UrlParts], str]] = {
    "collection": lambda p: p.collection,
    "name": lambda p: slugify(p.basename) or "",
    "title": lambda p: slugify(p.slug, mode="pretty", cased=True) or "",
    "slug": lambda p: slugify(p.slug) or "",
    "categories": _categories_value,
    "slugified_categories": _slugified_categories_value,
    "year": lambda p: f"{p.date.year:04d}",
    "month": lambda p: f"{p.date.month:02d}",
    "day": lambda p: f"{p.date.day:02d}",
    "hour": lambda p: f"{p.date.hour:02d}",
    "minute": lambda p: f"{p.date.minute:02d}",
    "second": lambda p: f"{p.date.second:02d}",
    "i_day": lambda p: str(p.date.day),
    "i_month": lambda p: str(p.date.month),
    "short_month": lambda p: _MONTHS[p.date.month - 1][:3],
    "long_month": lambda p: _MONTHS[p.date.month - 1],
    "short_year": lambda p: f"{p.date.year % 100:02d}",
    "w_year": lambda p: str(p.date.isocalendar()[0]),
    "week": lambda p: f"{p.date.isocalendar()[1]:02d}",
    "w_day": lambda p: str(p.date.isocalendar()[2]),
    "short_day": lambda p: _DAYS[p.date.isocalendar()[2] - 1][:3],
    "long_day": lambda p: _DAYS[p.date.isocalendar()[2] - 1],
    "y_day": lambda p: f"{p.date.timetuple().tm_yday:03d}",
    "output_ext": lambda p: p.output_ext,
    "path": _path_value,
}


def permalink(pattern: str | None, *, date: dt.datetime, categories: Sequence[str] = (), slug: str,
              basename: str | None = None, relative_path: str | None = None, output_ext: str = ".html",
              collection: str = "posts", front_permalink: str | None = None) -> str:
    """A post's URL path (``page.url``), as ``Jekyll::URL`` makes it.

    ``pattern`` is the site ``permalink`` setting (a style name -- ``date``, the
    default, ``pretty``, ``ordinal``, ``weekdate``, ``none`` -- or a pattern);
    ``front_permalink``, the post's own ``permalink``, overrides it and takes
    placeholders too. ``date`` is the post date in the site timezone; ``slug``
    is front-matter ``slug`` or the file-name slug; ``basename`` the file name
    without extension (for ``:name``), ``relative_path`` e.g.
    ``_posts/2021-12-08-x.md`` (for ``:path``).

    Only placeholder VALUES are escaped (see ``escape_path``), literal pattern
    text is kept as written (spaces, ``?``, non-ASCII). ``:title`` is the slug
    slugified in ``pretty`` mode with case kept (``hello world`` -> ``hello-world``,
    ``100%-sure`` -> ``100-sure``); ``:slug`` is the default slugify (lower case);
    ``:categories`` is the lower-cased categories, deduplicated, joined by ``/``.
    ``:month_:day`` reads as ``:month`` + ``_``. Then ``..`` -> ``/``, ``./``
    removed, ``//`` squeezed, and a leading ``/`` ensured. An unknown
    placeholder is an ``InputError``, as Jekyll stops there too.
    """
    if basename is None:
        basename = f"{date:%Y-%m-%d}-{slug}"
    if relative_path is None:
        relative_path = f"_{collection}/{basename}.md"
    template = front_permalink if front_permalink is not None else style_to_pattern(pattern)
    pieces, tail = _compile_template(template)
    parts = _UrlParts(date, categories, slug, basename, relative_path, output_ext, collection)
    url = "".join([text + escape_path(_PLACEHOLDERS[name](parts)) + kept for text, name, kept in pieces]) + tail
    # A leading '/' ensured (one more before a '/' is squeezed away anyway), '..' -> '/',
    # './' removed, runs of '/' squeezed.
    url = (url if url.startswith("/") else "/" + url).replace("..", "/").replace("./", "")
    return _SLASHES.sub("/", url) if "//" in url else url


_SLASHES = re.compile(r"/+")


_PLACEHOLDER_NAMES = frozenset(_PLACEHOLDERS)


@functools.lru_cache(maxsize=256)
def _compile_template(template: str) -> tuple[tuple[tuple[str, str, str], ...], str]:
    """A permalink template as (literal text, placeholder, kept suffix) pieces and the literal
    text after the last placeholder, once per template.

    ``:month_`` is not a placeholder, so it reads as ``:month`` followed by ``_``
    (Jekyll's own fallback); a name that is neither is an ``InputError``.
    """
    pieces: list[tuple[str, str, str]] = []
    position = 0
    for match in re.finditer(r":([a-z_]+)", template):
        name = match.group(1)
        pool = [name, name[:-1]] if name.endswith("_") else [name]
        winner = next((key for key in pool if key in _PLACEHOLDER_NAMES), None)
        if winner is None:
            raise InputError(None, f"the permalink template {template!r} has no {' or '.join(pool)} "
                                   "placeholder; check the permalink setting")
        pieces.append((template[position:match.start()], winner, name[len(winner):]))
        position = match.end()
    return tuple(pieces), template[position:]


def _ruby_dirname(path: str) -> str:
    stripped = path.rstrip("/")
    if not stripped:
        return "/" if path else "."
    head = posixpath.dirname(stripped)
    return head or "."


def post_id(url: str, slug: str) -> str:
    """``post.id``: ``File.join(File.dirname(url), slug)``.

    ``slug`` is the RAW front-matter ``slug`` or file-name slug, NOT slugified
    and NOT escaped (``/2021/12/08/hello world`` while the URL says
    ``hello-world.html``); ``File.dirname`` drops a trailing ``/`` first, so
    ``/custom/x/`` gives ``/custom/x``. The feed ``<id>`` is
    ``absolute_url(site_url, baseurl, post_id(...))``, which does the escaping.
    """
    head = _ruby_dirname(url)
    if head.endswith("/") or slug.startswith("/"):
        return head.rstrip("/") + "/" + slug.lstrip("/")
    return f"{head}/{slug}"


# --- excerpts ------------------------------------------------------------------

_LIQUID_TAG = re.compile(r"{%-?\s*(\w+)\s*.*?-?%}", re.S)
_LIQUID_BLOCKS = {"if", "unless", "for", "case", "capture", "comment", "raw", "tablerow",
                  "highlight", "ifchanged"}
_LINK_REF = re.compile(r"^ {0,3}(?:(\[[^\]]+\])(:.+))$", re.M)


def split_excerpt(body_source: str, separator: str | None = "\n\n") -> str | None:
    """The excerpt source of a post, as ``Jekyll::Excerpt#extract_excerpt`` cuts it.

    Everything before the first ``separator`` -- or the whole body when the
    separator does not occur. ``None`` only when excerpts are off (empty
    separator). A Liquid block left open by the cut is closed, and Markdown
    link reference definitions from the rest of the body that the excerpt
    uses are appended, so ``[ref]`` links still resolve.
    """
    if not separator:
        return None
    head, _, tail = body_source.partition(separator)
    if not tail:
        return head
    if "{%" in head:
        for name in reversed(_LIQUID_TAG.findall(head)):
            if name in _LIQUID_BLOCKS and not re.search(r"{%-?\s*end" + name + r".*?\s*-?%}", head, re.S):
                head += f"\n{{% end{name} %}}"
    # A definition has "]:" (a cheap test before scanning the rest of the body line by line).
    definitions = ["".join(parts) for parts in _LINK_REF.findall(tail) if parts[0] in head] if "]:" in tail else []
    if definitions:
        head += "\n\n" + "\n".join(definitions)
    return head
