"""The options writers share, as one typed object passed everywhere (no dict soup)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WriteOptions:
    """How to write. Writers read the fields that concern them and ignore the rest."""

    title: str | None = None  # overrides the collection title
    excerpt_only: bool = False  # feeds: summaries without full content
