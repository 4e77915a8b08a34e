"""The cycle collector, rested where a step makes many objects and almost no reference cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_resting() -> Iterator[None]:
    """Keep the cycle collector off for the block, then as it was.

    Reading a collection, or building a book from it, makes hundreds of thousands of objects
    and almost no cycles: the collector would walk every live object again and again (the
    whole collection, at each full collection) and find nothing. The few cycles left are
    collected after.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
