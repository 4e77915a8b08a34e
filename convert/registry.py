"""The one table of writers: built-ins, plus the ``convert.writers`` entry-point group.

Built-ins are listed here by name, each behind a small import function, so a
writer's dependencies load only when it is used. Third-party packages add
writers through the entry-point group, looked up when a name is not a built-in
one (or to list them all); a name that is taken is refused, naming who
registered it first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .errors import UsageError
from .writers.base import Writer

ENTRY_POINT_GROUP = "convert.writers"


def _json() -> type[Writer]:
    from .writers.json import JsonWriter

    return JsonWriter


def _jsonfeed() -> type[Writer]:
    from .writers.jsonfeed import JsonFeedWriter

    return JsonFeedWriter


def _atom() -> type[Writer]:
    from .writers.atom import AtomWriter

    return AtomWriter


def _markdown() -> type[Writer]:
    from .writers.markdown import MarkdownWriter

    return MarkdownWriter


def _epub() -> type[Writer]:
    from .writers.epub import EpubWriter

    return EpubWriter


def _pdf() -> type[Writer]:
    from .writers.pdf import PdfWriter

    return PdfWriter


def _rss() -> type[Writer]:
    from .writers.rss import RssWriter

    return RssWriter


BUILTIN_WRITERS: dict[str, Callable[[], type[Writer]]] = {
    "atom": _atom,
    "epub": _epub,
    "json": _json,
    "jsonfeed": _jsonfeed,
    "markdown": _markdown,
    "pdf": _pdf,
    "rss": _rss,
}


@dataclass(frozen=True, slots=True)
class WriterEntry:
    name: str
    origin: str  # "built-in" or the distribution that provides it
    load: Callable[[], type[Writer]]


class Registry:
    """Names (and aliases) to writer classes, loaded on first use."""

    def __init__(self, include_entry_points: bool = True):
        self._entries: dict[str, WriterEntry] = {}
        for name, load in BUILTIN_WRITERS.items():
            self._add(WriterEntry(name, "built-in", load))
        # Plugins are looked up only when a name is not a built-in one, or to list them all:
        # scanning every installed distribution's metadata costs a run 10 ms.
        self._plugins_pending = include_entry_points
        self._aliases: dict[str, str] | None = None

    def _add_plugins(self) -> None:
        if not self._plugins_pending:
            return
        self._plugins_pending = False
        from importlib import metadata  # here: its import alone costs a run 10 ms

        for point in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
            origin = point.dist.name if point.dist is not None else point.value
            self._add(WriterEntry(point.name, origin, point.load))

    def _add(self, entry: WriterEntry) -> None:
        taken = self._entries.get(entry.name)
        if taken is not None:
            raise UsageError(f"writer name {entry.name!r} from {entry.origin} is already registered by {taken.origin}")
        self._entries[entry.name] = entry

    def names(self) -> list[str]:
        self._add_plugins()
        return sorted(self._entries)

    def get(self, name: str) -> type[Writer]:
        """The writer class for a name or alias; UsageError listing the valid names otherwise."""
        key = name.strip().lower()
        if key not in self._entries:
            self._add_plugins()
        if key not in self._entries:
            key = self.aliases().get(key, key)
        entry = self._entries.get(key)
        if entry is None:
            raise UsageError(f"unknown output format {name!r}; valid formats: {', '.join(self.names())}")
        writer = entry.load()
        if not (isinstance(writer, type) and issubclass(writer, Writer)):
            raise UsageError(f"writer {entry.name!r} from {entry.origin} is not a convert Writer subclass")
        return writer

    def aliases(self) -> dict[str, str]:
        """alias -> name; loads every writer once (aliases are class attributes)."""
        if self._aliases is None:
            self._add_plugins()
            table: dict[str, str] = {}
            for entry in self._entries.values():
                try:
                    writer = entry.load()
                except Exception:  # a broken plugin must not hide the others
                    continue
                for alias in getattr(writer, "aliases", ()):
                    table.setdefault(alias, entry.name)
            self._aliases = table
        return self._aliases

    def by_extension(self, extension: str) -> type[Writer]:
        """The writer for an output file name's extension (``-o book.epub``)."""
        ext = extension.lower()
        for name in self.names():
            writer = self.get(name)
            if writer.extension == ext:
                return writer
        known = sorted({self.get(n).extension for n in self.names()})
        raise UsageError(f"cannot tell the format from {extension!r}; use --to (known extensions: {', '.join(known)})")

    def describe(self) -> list[tuple[str, str, str, str]]:
        """(name, extension, origin, description) for --list-formats."""
        rows = []
        for name in self.names():
            entry = self._entries[name]
            try:
                writer = self.get(name)
                rows.append((name, writer.extension, entry.origin, writer.description))
            except Exception as exc:  # shown, not fatal: the user may not need it
                rows.append((name, "?", entry.origin, f"cannot load: {exc}"))
        return rows
