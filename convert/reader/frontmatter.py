"""Splitting a post into its front matter and its body.

Built on python-frontmatter's handlers (its delimiter patterns and its format
detection), with what it gets wrong handled around it:

* it strips the whole text, losing the U+3000 paragraph indent of Chinese bodies;
* a UTF-8 BOM, CRLF or lone-CR line endings make it miss the header silently;
* YAML closed by ``...`` is not recognised; non-mapping YAML gives an empty header;
* its YAML loader is the pure-Python one (ten times slower than libyaml's);
* its TOML handler needs the third-party ``toml`` package (we use ``tomllib``);
* a header after blank lines (Jekyll then publishes it as text) is ignored.

Two headers it does not know at all are read too, their keys normalised into
the ones the Jekyll/Hugo path uses (so ``post.py`` reads them unchanged):

* Hexo's header without an opening ``---``: YAML from the first line up to a
  ``---`` line (as ``hexo-front-matter`` splits it), its naive dates local time;
* Pelican's Markdown metadata: ``Key: value`` lines up to the first blank line,
  as Python-Markdown's ``meta`` extension reads them, processed as Pelican does.

Both are tried only when the first line is ``key: ...`` and must name a
``title`` or ``date``, so a Markdown body with ``---`` rules or ``Note: ...``
prose is never taken for a header.

Errors name the line in the file, counting from 1.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable

from ..errors import InputError

# PyYAML, python-frontmatter and tomllib are imported where first needed: together
# ~20 ms of start-up that an archive of flat YAML headers never needs.


def _yaml() -> ModuleType:
    import yaml

    return yaml


def _tomllib() -> ModuleType:
    import tomllib

    return tomllib


def _yaml_load(text: str) -> Any:
    yaml = _yaml()
    # libyaml's loader is the fast path; the pure-Python one gives the same values
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


# The delimiters, tested on every post (the handlers are made only when a header needs one).
_YAML_BOUNDARY = re.compile(r"^(?:-{3}|\.{3})[ \t]*$", re.MULTILINE)  # or '...', as YAML documents may end
_YAML_OPEN = re.compile(r"-{3}[ \t]*$")
_TOML_BOUNDARY = re.compile(r"^\+{3}[ \t]*$", re.MULTILINE)
_BOUNDARIES = {"yaml": _YAML_BOUNDARY, "toml": _TOML_BOUNDARY}


@functools.cache
def _handlers() -> dict[str, Any]:
    """python-frontmatter's YAML and TOML handlers, with what they get wrong handled."""
    import frontmatter.default_handlers as fm_handlers

    class YamlFrontMatter(fm_handlers.YAMLHandler):
        """``---`` ... ``---`` (or ``...``)."""

        FM_BOUNDARY = _YAML_BOUNDARY
        OPEN = _YAML_OPEN

        def load(self, fm: str, **kwargs: Any) -> Any:
            flat = flat_yaml_mapping(fm)
            return flat if flat is not None else _yaml_load(fm)

    class TomlFrontMatter(fm_handlers.BaseHandler):
        """Hugo's ``+++`` ... ``+++``, read with the standard library's tomllib."""

        FM_BOUNDARY = _TOML_BOUNDARY
        OPEN = _TOML_BOUNDARY

        def load(self, fm: str, **kwargs: Any) -> Any:
            data = _tomllib().loads(fm)
            for key, value in data.items():
                # A TOML local date-time is local time of the site's timeZone to Hugo (checked
                # with Hugo 0.111), not UTC; as a string without offset post_date reads it so.
                if isinstance(value, dt.datetime) and value.tzinfo is None:
                    data[key] = value.isoformat()
            return data

    return {"yaml": YamlFrontMatter(), "toml": TomlFrontMatter()}


# Most headers are flat "key: string" lines. PyYAML spends ~90 µs building even
# those (its constructor is Python), so they are read here -- but only lines
# whose meaning is beyond doubt: a quoted string without escapes, or a plain
# scalar that none of YAML's own implicit resolvers (numbers, booleans, null,
# timestamps...) would turn into anything but a string. Anything else goes to
# PyYAML, and a property test holds the two to the same result.
_FLAT_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?:[ ]+(.*?))?[ ]*")
_PLAIN_START_FORBIDDEN = frozenset("-?:,[]{}#&*!|>'\"%@`")
# PyYAML's implicit resolvers (yaml/resolver.py): (tag, pattern, flags, first characters) of
# the plain scalars it reads as anything but a string. A copy, so that flat headers need not
# import PyYAML; tests/reader/test_flat_yaml.py holds it to the installed PyYAML's.
_YAML_IMPLICIT_RESOLVERS = (
    ("tag:yaml.org,2002:bool", r'''^(?:yes|Yes|YES|no|No|NO
                    |true|True|TRUE|false|False|FALSE
                    |on|On|ON|off|Off|OFF)$''', re.X, tuple("yYnNtTfFoO")),
    ("tag:yaml.org,2002:float", r'''^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$''', re.X, tuple("-+0123456789.")),
    ("tag:yaml.org,2002:int", r'''^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+
                    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$''', re.X, tuple("-+0123456789")),
    ("tag:yaml.org,2002:merge", r'^(?:<<)$', 0, ("<",)),
    ("tag:yaml.org,2002:null", r'''^(?: ~
                    |null|Null|NULL
                    | )$''', re.X, ("~", "n", "N", "")),
    ("tag:yaml.org,2002:timestamp", r'''^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
                    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
                     (?:[Tt]|[ \t]+)[0-9][0-9]?
                     :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
                     (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$''', re.X, tuple("0123456789")),
    ("tag:yaml.org,2002:value", r'^(?:=)$', 0, ("=",)),
    ("tag:yaml.org,2002:yaml", r'^(?:!|&|\*)$', 0, tuple("!&*")),
)


def _resolver_patterns() -> dict[str, "re.Pattern[str]"]:
    """First character -> one pattern matching where any resolver for it matches (one call
    instead of one per resolver; each keeps its own verbose flag)."""
    by_first: dict[str, list[str]] = {}
    for _, pattern, flags, firsts in _YAML_IMPLICIT_RESOLVERS:
        for first in firsts:
            by_first.setdefault(first, []).append(f"(?{'x' if flags & re.X else ''}:{pattern})")
    return {first: re.compile("|".join(patterns)) for first, patterns in by_first.items()}


_RESOLVER_PATTERNS = _resolver_patterns()


def flat_yaml_mapping(text: str) -> dict[str, str] | None:
    """The header as PyYAML would read it, when it is flat strings only; else None."""
    result: dict[str, str] = {}
    for line in text.split("\n"):
        if not line:
            continue
        pair = _flat_line(line)
        if pair is None or pair[0] in result:
            return None
        result[pair[0]] = pair[1]
    return result


@functools.lru_cache(maxsize=4096)  # layout, categories and tags lines repeat across an archive
def _flat_line(line: str) -> tuple[str, str] | None:
    """(key, string value) of a header line whose meaning is beyond doubt, else None."""
    match = _FLAT_LINE.fullmatch(line)
    if match is None:
        return None
    key, value = match.groups()
    if not value or not value.isprintable() or key in _RESOLVER_KEYS:
        return None
    first = value[0]
    if first == '"' or first == "'":
        if len(value) < 2 or value[-1] != first or first in value[1:-1] or "\\" in value:
            return None
        return key, value[1:-1]
    if first in _PLAIN_START_FORBIDDEN or ": " in value or " #" in value or value.endswith(":"):
        return None
    if first in _RESOLVER_PATTERNS and _RESOLVER_PATTERNS[first].match(value):
        return None  # a number, boolean, null, timestamp...: PyYAML decides
    return key, value


# Keys that YAML itself would not read as plain strings (e.g. 'yes', 'null', '1').
_RESOLVER_KEYS = frozenset({"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE",
                            "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null",
                            "NULL", "_"})


@dataclass(frozen=True, slots=True)
class SplitPost:
    """A post's header and body. ``body_line`` is the file line the body starts on."""

    metadata: dict[str, Any]
    body: str
    format: str | None  # "yaml", "toml", "json", "hexo", "pelican" or None (no front matter)
    header: str = ""  # the raw header text, to find the line of a key
    header_line: int = 1  # file line of the header's first line (after the opening delimiter)
    body_line: int = 1
    late_start: bool = False  # blank lines came first: Jekyll did not read this header

    def line_of(self, key: str) -> int | None:
        """The file line where ``key`` is set in the header, for warnings."""
        flags = re.MULTILINE | (re.IGNORECASE if self.format == "pelican" else 0)  # Pelican writes 'Date:'
        match = re.search(rf'^[ \t]*["\']?{re.escape(key)}["\']?[ \t]*[:=]', self.header, flags)
        if match is None:
            return None
        return self.header_line + self.header.count("\n", 0, match.start())


def normalize_newlines(text: str) -> str:
    """One line ending: CRLF and lone CR become LF; a leading BOM goes."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split_front_matter(text: str, warn: Callable[[str, int | None], None] | None = None) -> SplitPost:
    """Split ``text`` (already decoded) into front matter and body.

    Raises ``InputError`` (without a path; the caller adds it) for a header that
    is opened but never closed, does not parse, or is not a mapping.
    """
    text = normalize_newlines(text)
    # Blank lines before the header: Jekyll would publish the YAML as text; we read
    # it, as the author meant, and say so.
    stripped = text.lstrip("\n")
    skipped_lines = len(text) - len(stripped)
    eol = stripped.find("\n")
    first_line = stripped if eol < 0 else stripped[:eol]
    fmt = _detect(first_line)
    if fmt is None:
        # Cheap test first: most bodies fail it on the first line, before any scanning.
        if not skipped_lines and _BARE_KEY.match(first_line):
            bare = _split_bare(text)
            if bare is not None:
                return bare
        return SplitPost({}, text, None)
    if skipped_lines and warn is not None:
        warn(
            f"front matter starts after {skipped_lines} blank line(s); Jekyll would publish it as "
            "body text, convert reads it as front matter",
            skipped_lines + 1,
        )
    open_line = skipped_lines + 1
    if fmt == "json":
        header, rest = _split_json(stripped, open_line)
        metadata = _load(header, "json", open_line)
        header_line = open_line
    else:
        # Searched in place from the second line ('^' matches there: a newline precedes it).
        start = len(stripped) if eol < 0 else eol + 1
        match = _BOUNDARIES[fmt].search(stripped, start)
        if match is None:
            closer = "'---' or '...'" if fmt == "yaml" else "'+++'"
            raise InputError(None, f"front matter is never closed (expected a line {closer})", open_line)
        header = stripped[start : match.start()]
        rest = stripped[match.end() + 1 :]
        header_line = open_line + 1
        metadata = _load(header, fmt, header_line)
    consumed = len(stripped) - len(rest)
    body_line = open_line + stripped.count("\n", 0, consumed)
    # Only whole blank lines are dropped: a leading U+3000 (the Chinese paragraph
    # indent) or leading spaces (an indented code block) belong to the body.
    body = rest.lstrip("\n")
    body_line += len(rest) - len(body)
    return SplitPost(metadata, body, fmt, header, header_line, body_line, late_start=skipped_lines > 0)


def _detect(first_line: str) -> str | None:
    if _YAML_OPEN.fullmatch(first_line):
        return "yaml"
    if _TOML_BOUNDARY.fullmatch(first_line):
        return "toml"
    if first_line.startswith("{") and not first_line.startswith(("{%", "{{")):  # Liquid, not JSON
        return "json"
    return None


def _split_json(text: str, line: int) -> tuple[str, str]:
    """Hugo's JSON front matter: one object at the top, the body after it."""
    try:
        _, end = json.JSONDecoder().raw_decode(text)
    except json.JSONDecodeError as exc:
        raise InputError(None, f"JSON front matter does not parse: {exc.msg}", line + exc.lineno - 1) from None
    return text[:end], text[end:].lstrip(" \t").removeprefix("\n")


def _load(header: str, fmt: str, header_line: int) -> dict[str, Any]:
    try:
        if fmt == "json":
            data = json.loads(header)
        elif fmt == "yaml" and (flat := flat_yaml_mapping(header)) is not None:
            data = flat  # what the YAML handler gives, without making it
        else:
            data = _handlers()[fmt].load(header)
    # (The exception types below are looked up only when something was raised.)
    except _yaml().MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = header_line + mark.line if mark is not None else header_line
        raise InputError(None, f"YAML front matter does not parse: {exc.problem or exc}", line) from None
    except _tomllib().TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = header_line + int(found.group(1)) - 1 if found else header_line
        raise InputError(None, f"TOML front matter does not parse: {exc}", line) from None
    # PyYAML raises ValueError for impossible dates and huge numbers, and
    # RecursionError for deep nesting: not YAMLError, but just as much the file's fault.
    except (_yaml().YAMLError, ValueError, OverflowError, RecursionError) as exc:
        raise InputError(None, f"front matter does not parse: {type(exc).__name__}: {exc}", header_line) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(
            None,
            f"front matter is a {type(data).__name__}, not a mapping of keys to values "
            "(expected lines like 'title: ...')",
            header_line,
        )
    return {str(k): v for k, v in data.items()}


# --- headers without an opening delimiter: Hexo and Pelican ---------------------

# Python-Markdown's meta extension: META_RE and META_MORE_RE (continuation lines).
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+:(?:[ \t]|$)")
_PELICAN_META = re.compile(r"[ ]{0,3}([A-Za-z0-9_-]+):\s*(.*)")
_PELICAN_MORE = re.compile(r"[ ]{4,}(.*)")
_HEXO_CLOSE = re.compile(r"^-{3,}[ \t]*$", re.MULTILINE)
_HEXO_MORE = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)
# Pelican's DUPLICATES_DEFINITIONS_ALLOWED: these keys take their first value only.
_PELICAN_SINGLE = frozenset({"tags", "date", "modified", "status", "category", "author", "save_as", "url",
                             "authors", "slug"})
_PELICAN_FORMATTED = frozenset({"summary"})  # Pelican's FORMATTED_FIELDS: rendered as Markdown
_HEADER_KEYS = ("title", "date")


def _split_bare(text: str) -> SplitPost | None:
    """A Hexo or Pelican header at the very top of ``text``, or None."""
    pelican = _pelican_block(text)
    # Capitalised keys ('Title:') are Pelican's way; Hexo reads keys case-sensitively,
    # so such a block is Pelican even when a '---' rule follows it.
    if pelican is not None and pelican[0][:1].isupper():
        return _pelican_split(text, *pelican[1:])
    hexo = _hexo_split(text)
    if hexo is not None:
        return hexo
    return _pelican_split(text, *pelican[1:]) if pelican is not None else None


def _pelican_block(text: str) -> tuple[str, dict[str, list[str]], int, int] | None:
    """(first key as written, values by lowercased key, header end, body start) of a Pelican header.

    Stricter than Python-Markdown, which ends the header at the first line that is
    not metadata: here every line up to the blank line must be metadata.
    """
    fields: dict[str, list[str]] = {}
    first_key = key = ""
    pos = header_end = 0
    size = len(text)
    while pos < size:
        end = text.find("\n", pos)
        if end == -1:
            end = size
        line = text[pos:end]
        if not line.strip():
            pos = end + 1
            break
        meta = _PELICAN_META.fullmatch(line)
        if meta is not None:
            key = meta.group(1).lower()
            first_key = first_key or meta.group(1)
            fields.setdefault(key, []).append(meta.group(2).strip())
        elif key and (more := _PELICAN_MORE.fullmatch(line)) is not None:
            fields[key].append(more.group(1).strip())
        else:  # a '---' line or prose: not a Pelican header
            return None
        header_end = end
        pos = end + 1
    if not any(k in fields for k in _HEADER_KEYS):
        return None
    return first_key, fields, header_end, min(pos, size)


def _pelican_split(text: str, fields: dict[str, list[str]], header_end: int, body_start: int) -> SplitPost:
    metadata = _pelican_metadata(fields)
    rest = text[body_start:]
    body = rest.lstrip("\n")
    body_line = 1 + text.count("\n", 0, body_start) + len(rest) - len(body)
    return SplitPost(metadata, body, "pelican", text[:header_end], 1, body_line)


def _pelican_list(value: str) -> list[str]:
    """Pelican's ``ensure_metadata_list``: split on ';' if any, else ','; stripped, unique."""
    items = value.split(";") if ";" in value else value.split(",")
    return list(dict.fromkeys(v for v in (w.strip() for w in items) if v))


def _pelican_metadata(fields: dict[str, list[str]]) -> dict[str, Any]:
    """Pelican's ``_parse_metadata`` and ``METADATA_PROCESSORS``, into the Jekyll/Hugo keys."""
    metadata: dict[str, Any] = {}
    for name, values in fields.items():
        if name in _PELICAN_FORMATTED:
            from .markdown import render_markdown  # only Pelican summaries need it

            metadata[name] = render_markdown("\n".join(values)).strip()
            continue
        value: Any = values[0] if name in _PELICAN_SINGLE or len(values) == 1 else values
        if name in ("tags", "authors"):
            value = _pelican_list(value)
        elif name == "date":
            value = value.replace("_", " ")
        elif name == "status" and value == "draft":
            metadata["draft"] = True
            continue
        if value in ("", []):  # Pelican discards empty values of these keys
            continue
        metadata[name] = value
    return metadata


def _hexo_split(text: str) -> SplitPost | None:
    """``hexo-front-matter``'s header without the opening ``---``, when it is a YAML mapping."""
    close = _HEXO_CLOSE.search(text)
    if close is None:
        return None
    header = text[: close.start()]
    if "\n\t" in header:  # hexo-front-matter's escapeYAML: each leading tab is two spaces
        header = re.sub(r"\n(\t+)", lambda m: "\n" + "  " * len(m.group(1)), header)
    try:
        data = _yaml_load(header)
    except (_yaml().YAMLError, ValueError, OverflowError, RecursionError):
        return None  # not a header: a Markdown body that happens to start with 'key: ...'
    if not isinstance(data, dict) or not any(k in data for k in _HEADER_KEYS):
        return None
    metadata = {str(k): v for k, v in data.items()}
    for key in ("date", "updated"):
        # Hexo reads a YAML timestamp without offset as local time of the site (it undoes
        # js-yaml's UTC); as a string, post_date reads it the same way.
        value = metadata.get(key)
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            metadata[key] = value.isoformat(sep=" ")
    rest = text[close.end() + 1 :]
    body = rest.lstrip("\n")
    if "excerpt_separator" not in metadata and (more := _HEXO_MORE.search(body)) is not None:
        metadata["excerpt_separator"] = more.group(0)  # Hexo's excerpt ends at <!-- more -->
    body_line = 1 + text.count("\n", 0, len(text) - len(rest)) + len(rest) - len(body)
    return SplitPost(metadata, body, "hexo", header, 1, body_line)
