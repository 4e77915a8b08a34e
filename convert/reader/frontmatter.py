"""Splitting a post into its front matter and its body.

Built on python-frontmatter's handlers (its delimiter patterns and its format
detection), with what it gets wrong handled around it:

* it strips the whole text, losing the U+3000 paragraph indent of Chinese bodies;
* a UTF-8 BOM, CRLF or lone-CR line endings make it miss the header silently;
* YAML closed by ``...`` is not recognised; non-mapping YAML gives an empty header;
* its YAML loader is the pure-Python one (ten times slower than libyaml's);
* its TOML handler needs the third-party ``toml`` package (we use ``tomllib``);
* a header after blank lines (Jekyll then publishes it as text) is ignored.

Errors name the line in the file, counting from 1.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from typing import Any, Callable

import frontmatter.default_handlers as fm_handlers
import yaml

from ..errors import InputError

try:  # libyaml's loader is the fast path; the pure-Python one gives the same values
    _YamlLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _YamlLoader = yaml.SafeLoader


class YamlFrontMatter(fm_handlers.YAMLHandler):
    """``---`` ... ``---`` (or ``...``, as YAML documents may end)."""

    FM_BOUNDARY = re.compile(r"^(?:-{3}|\.{3})[ \t]*$", re.MULTILINE)
    OPEN = re.compile(r"-{3}[ \t]*$")

    def load(self, fm: str, **kwargs: Any) -> Any:
        flat = flat_yaml_mapping(fm)
        return flat if flat is not None else yaml.load(fm, Loader=_YamlLoader)


# Most headers are flat "key: string" lines. PyYAML spends ~90 µs building even
# those (its constructor is Python), so they are read here -- but only lines
# whose meaning is beyond doubt: a quoted string without escapes, or a plain
# scalar that none of YAML's own implicit resolvers (numbers, booleans, null,
# timestamps...) would turn into anything but a string. Anything else goes to
# PyYAML, and a property test holds the two to the same result.
_FLAT_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?:[ ]+(.*?))?[ ]*")
_PLAIN_START_FORBIDDEN = frozenset("-?:,[]{}#&*!|>'\"%@`")
_RESOLVERS = yaml.resolver.Resolver.yaml_implicit_resolvers


def flat_yaml_mapping(text: str) -> dict[str, str] | None:
    """The header as PyYAML would read it, when it is flat strings only; else None."""
    result: dict[str, str] = {}
    for line in text.split("\n"):
        if not line:
            continue
        match = _FLAT_LINE.fullmatch(line)
        if match is None:
            return None
        key, value = match.groups()
        if not value or not value.isprintable():
            return None
        first = value[0]
        if first == '"' or first == "'":
            if len(value) < 2 or value[-1] != first or first in value[1:-1] or "\\" in value:
                return None
            value = value[1:-1]
        elif first in _PLAIN_START_FORBIDDEN or ": " in value or " #" in value or value.endswith(":"):
            return None
        elif any(regexp.match(value) for _, regexp in _RESOLVERS.get(first, ())):
            return None  # a number, boolean, null, timestamp...: PyYAML decides
        if key in result or key in _RESOLVER_KEYS:
            return None
        result[key] = value
    return result


# Keys that YAML itself would not read as plain strings (e.g. 'yes', 'null', '1').
_RESOLVER_KEYS = frozenset({"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE",
                            "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null",
                            "NULL", "_"})


class TomlFrontMatter(fm_handlers.BaseHandler):
    """Hugo's ``+++`` ... ``+++``, read with the standard library's tomllib."""

    FM_BOUNDARY = re.compile(r"^\+{3}[ \t]*$", re.MULTILINE)
    OPEN = FM_BOUNDARY

    def load(self, fm: str, **kwargs: Any) -> Any:
        return tomllib.loads(fm)


_HANDLERS = {"yaml": YamlFrontMatter(), "toml": TomlFrontMatter()}


@dataclass(frozen=True, slots=True)
class SplitPost:
    """A post's header and body. ``body_line`` is the file line the body starts on."""

    metadata: dict[str, Any]
    body: str
    format: str | None  # "yaml", "toml", "json" or None (no front matter)
    header: str = ""  # the raw header text, to find the line of a key
    header_line: int = 1  # file line of the header's first line (after the opening delimiter)
    body_line: int = 1

    def line_of(self, key: str) -> int | None:
        """The file line where ``key`` is set in the header, for warnings."""
        match = re.search(rf'^[ \t]*["\']?{re.escape(key)}["\']?[ \t]*[:=]', self.header, re.MULTILINE)
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
    first_line = stripped.split("\n", 1)[0]
    fmt = _detect(first_line)
    if fmt is None:
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
        handler = _HANDLERS[fmt]
        after_open = stripped[len(first_line) + 1 :] if "\n" in stripped else ""
        match = handler.FM_BOUNDARY.search(after_open)
        if match is None:
            closer = "'---' or '...'" if fmt == "yaml" else "'+++'"
            raise InputError(None, f"front matter is never closed (expected a line {closer})", open_line)
        header = after_open[: match.start()]
        rest = after_open[match.end() + 1 :]
        header_line = open_line + 1
        metadata = _load(header, fmt, header_line)
    consumed = len(stripped) - len(rest)
    body_line = open_line + stripped.count("\n", 0, consumed)
    # Only whole blank lines are dropped: a leading U+3000 (the Chinese paragraph
    # indent) or leading spaces (an indented code block) belong to the body.
    body = rest.lstrip("\n")
    body_line += len(rest) - len(body)
    return SplitPost(metadata, body, fmt, header, header_line, body_line)


def _detect(first_line: str) -> str | None:
    if YamlFrontMatter.OPEN.fullmatch(first_line):
        return "yaml"
    if TomlFrontMatter.OPEN.fullmatch(first_line):
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
        else:
            data = _HANDLERS[fmt].load(header)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = header_line + mark.line if mark is not None else header_line
        raise InputError(None, f"YAML front matter does not parse: {exc.problem or exc}", line) from None
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = header_line + int(found.group(1)) - 1 if found else header_line
        raise InputError(None, f"TOML front matter does not parse: {exc}", line) from None
    # PyYAML raises ValueError for impossible dates and huge numbers, and
    # RecursionError for deep nesting: not YAMLError, but just as much the file's fault.
    except (yaml.YAMLError, ValueError, OverflowError, RecursionError) as exc:
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
