"""samples/ as Markdown, byte for byte (regenerate with CONVERT_UPDATE_GOLDEN=1 after a reviewed change)."""

from __future__ import annotations

import os

from convert import read
from convert.reader.collection import ReadOptions
from convert.writers.markdown import MarkdownWriter

from .support import ROOT

GOLDEN = ROOT / "tests" / "writers" / "markdown" / "samples.md"


def test_samples_golden():
    samples = ROOT / "samples"
    collection = read([str(samples)], ReadOptions(config=samples / "_config.yml")).collection
    text = "".join(MarkdownWriter().render(collection.with_articles([a])) for a in collection.articles)
    if os.environ.get("CONVERT_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
