"""The one reader: every input (post files, Jekyll and Hugo sites, stdin, convert's JSON) becomes a Collection.

Modules: ``collection`` (finding inputs, reading them in parallel), ``post`` (one
file -> one Article), ``frontmatter``, ``site`` (Jekyll/Hugo configuration),
``jekyll`` (dates, permalinks, ids as Jekyll computes them), ``liquid``,
``markdown`` (kramdown-compatible rendering) and ``clean`` (the canonical body).
"""

from importlib import import_module

__all__ = ["ReadOptions", "ReadReport", "read"]


def __getattr__(name: str):
    # Lazy, so that importing one reader module does not load them all.
    if name in __all__:
        return getattr(import_module(".collection", __name__), name)
    raise AttributeError(f"module 'convert.reader' has no attribute {name!r}")
