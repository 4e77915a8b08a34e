"""Read -> write Markdown (--each) -> read gives the same model; writing again gives the same bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from convert import read
from convert.reader.collection import ReadOptions

from .support import FINEWS, FINEWS_CONFIG, ROOT, normalize_body, read_folder, write_each

SAMPLES = ROOT / "samples"
FIELDS = ("title", "date", "updated", "categories", "tags", "authors", "lang", "summary", "permalink", "slug", "extra")


def _round_trip(source: Path, config: Path, tmp_path: Path) -> None:
    original = read([str(source)], ReadOptions(config=config)).collection
    assert original.articles
    first = write_each(original, tmp_path / "first")
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
    second = write_each(back, tmp_path / "second")
    assert second == first  # a fixpoint after one pass


@pytest.mark.skipif(not FINEWS.is_dir(), reason="shared finews corpus not present")
def test_finews_round_trip(tmp_path):
    _round_trip(FINEWS, FINEWS_CONFIG, tmp_path)


def test_samples_round_trip(tmp_path):
    _round_trip(SAMPLES, SAMPLES / "_config.yml", tmp_path)
