"""What the Markdown tests share: HTML normalization, reading Markdown back, the spec renderers."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.etree
import lxml.html
from markdown_it import MarkdownIt

from convert import read
from convert.options import WriteOptions
from convert.reader.collection import ReadOptions
from convert.writers.markdown import MarkdownWriter

ROOT = Path(__file__).resolve().parents[3]
SHARED = ROOT.parent / "shared"
FINEWS = SHARED / "corpus" / "finews"
FINEWS_CONFIG = SHARED / "corpus" / "finews-site" / "_config.yml"
SPEC = SHARED / "testdata" / "commonmark-spec-0.31.2.json"

_CJK_SPACE = re.compile(r"([\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef])")


def normalize_body(html: str) -> str:
    """Structure, attributes and text; whitespace runs as one space, none between blocks."""
    if not html.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except lxml.etree.ParserError:  # only a comment or a doctype
        return " ".join(html.split())
    text = lxml.html.tostring(root, encoding="unicode", method="xml")
    text = " ".join(text.split())
    return re.sub(r" ?(</?(?:p|div|h\d|ul|ol|li|blockquote|pre|table|thead|tbody|tr|td|th|hr|br)\b[^>]*>) ?", r"\1", text)


def write_each(collection, folder: Path, flavor: str = "gfm") -> dict[str, str]:
    """Every article as its own .md file (as ``--each`` names them) in ``flavor``; name -> text."""
    from convert.pipeline import _article_stem
    from convert.output import safe_filename

    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    writer = MarkdownWriter(WriteOptions(markdown_flavor=flavor))
    for article in collection.articles:
        text = writer.render(collection.with_articles([article]))
        name = safe_filename(_article_stem(article), ".md")
        (folder / name).write_text(text, encoding="utf-8")
        written[name] = text
    return written


def read_folder(folder: Path, config: Path | None = None):
    report = read([str(folder)], ReadOptions(config=config) if config else None)
    assert not report.failures, report.failures
    return report.collection


_COMMONMARK = MarkdownIt("commonmark")


def commonmark(text: str) -> str:
    return _COMMONMARK.render(text)


FIELDS = ("title", "date", "updated", "categories", "tags", "authors", "lang", "summary", "permalink", "slug", "extra")


def round_trip(source: Path, config: Path, tmp_path: Path, flavor: str = "gfm") -> dict[str, str]:
    """Read -> write (--each, in ``flavor``) -> read gives the same model, and writing again
    gives the same bytes (a fixpoint after one pass). Returns the first pass's files."""
    original = read([str(source)], ReadOptions(config=config)).collection
    assert original.articles
    first = write_each(original, tmp_path / "first", flavor)
    back = read_folder(tmp_path / "first", config)
    by_slug = {a.slug: a for a in original.articles}
    assert sorted(by_slug) == sorted(a.slug for a in back.articles)
    for again in back.articles:
        article = by_slug[again.slug]
        for name in FIELDS:
            assert getattr(again, name) == getattr(article, name), (article.source, name)
        # Dates equal with their offsets, not only as instants.
        assert again.date.utcoffset() == article.date.utcoffset(), article.source
        assert normalize_body(again.body) == normalize_body(article.body), article.source
    assert write_each(back, tmp_path / "second", flavor) == first
    return first
