"""Reading a Hugo site root against real Hugo 0.111 (tests/support/hugo_oracle.py).

Hugo's answers are the committed golden (tests/reader/golden/hugo_oracle.json), so
the comparison runs everywhere; ``test_golden_is_what_hugo_says`` rebuilds the
site with Hugo where it is installed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from convert.reader.collection import ReadOptions, read
from convert.reader.site import find_site_root
from tests.support import hugo_oracle as oracle

GOLDEN = oracle.load_golden()


@pytest.fixture(scope="module")
def ours(tmp_path_factory) -> dict[str, dict]:
    root = oracle.write_site(tmp_path_factory.mktemp("hugo") / "site")
    assert find_site_root(root)[0] == "hugo"
    report = read([root], ReadOptions(jobs=1, now=dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)))
    assert not report.failures and not report.diagnostics
    assert [Path(name).name for name, _ in report.skipped] == ["draft.md"]
    pages = {}
    for article in report.collection.articles:
        rel = Path(article.source).relative_to(root / "content").as_posix()
        pages[rel] = {
            "permalink": article.permalink,
            "date": article.date.isoformat(),
            # Hugo's .Lastmod falls back to .Date when the front matter has no lastmod
            "lastmod": (article.updated or article.date).isoformat(),
            "title": article.title,
            "tags": list(article.tags) or None,
            "lang": article.lang,
        }
    return pages


def test_we_read_the_pages_hugo_builds(ours):
    # every regular page, the translation included; the draft and the section's _index.md are not posts
    assert set(ours) == set(GOLDEN)
    assert len(GOLDEN) == 12


def _cases():
    for path, page in sorted(GOLDEN.items()):
        for key in ("permalink", "date", "lastmod", "title", "tags", "lang"):
            yield pytest.param(path, key, id=f"{path}:{key}")


@pytest.mark.parametrize("path,key", list(_cases()))
def test_page_value_matches_hugo(ours, path, key):
    want, got = GOLDEN[path][key], ours[path][key]
    if key in ("date", "lastmod"):
        # the same instant (we show it in the site's timezone, Hugo keeps a written offset)
        assert dt.datetime.fromisoformat(got) == dt.datetime.fromisoformat(want)
    else:
        assert got == want


@pytest.mark.skipif(not oracle.hugo_available(), reason="hugo is not on PATH (CI installs it: setup.sh APT_PACKAGES)")
def test_golden_is_what_hugo_says():
    assert oracle.run_hugo() == GOLDEN, "Hugo disagrees with the golden; re-record with " \
                                        "`python -m tests.support.hugo_oracle --record` and review the diff"
