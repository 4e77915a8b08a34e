"""post_date, file names and the real finews corpus against real Jekyll 4.3.1.

The oracle results are the committed golden (tests/reader/golden/jekyll_oracle.json);
``test_golden_is_what_jekyll_says`` rebuilds every oracle site with Jekyll.
"""

from __future__ import annotations

import datetime as dt
import html
import posixpath
import zoneinfo

import pytest

from convert.errors import InputError
from convert.reader import jekyll as j
from tests.support import jekyll_oracle as oracle

GOLDEN = oracle.load_golden()
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
SUITES = {s.name: s for s in oracle.all_suites()}


def _cases(*names):
    return [pytest.param(SUITES[n], p, id=f"{n}:{p.path}") for n in names for p in SUITES[n].posts
            if p.path in GOLDEN[n].get("posts", {})]


@pytest.mark.parametrize("suite,post", _cases("dates", "dates-utc"))
def test_date_matches_jekyll(suite, post):
    assert oracle.predict(suite, post)["date"] == GOLDEN[suite.name]["posts"][post.path]["date"]


@pytest.mark.parametrize("key,raw", sorted(oracle.BROKEN_DATES.items()))
def test_broken_date_jekyll_aborts_we_fall_back(key, raw):
    assert "Invalid date" in GOLDEN[f"broken-{key}"]["error"]
    front, _ = oracle.front_matter("---\n" + raw + "---\n")
    warnings: list[str] = []
    value = front.get("date")
    got = j.post_date(value, filename_date=dt.date(2021, 12, 8), site_tz=SH, warn=warnings.append)
    assert got == dt.datetime(2021, 12, 8, tzinfo=SH)
    # An empty `date:` reads as None, which we cannot tell from an absent key: no warning then.
    assert len(warnings) == (0 if value is None else 1)


def test_no_usable_date_raises_input_error():
    with pytest.raises(InputError) as err:
        j.post_date("  +0800", filename_date=None, site_tz=SH, warn=lambda m: None)
    assert err.value.path is None and "+0800" in err.value.message
    with pytest.raises(InputError):
        j.post_date(None, filename_date=None, site_tz=SH, warn=lambda m: None)


def test_unquoted_naive_is_utc_quoted_is_local():
    warn = pytest.fail
    assert j.post_date(dt.datetime(2021, 12, 8, 13, 16, 19), filename_date=None, site_tz=SH,
                       warn=warn).isoformat() == "2021-12-08T21:16:19+08:00"
    assert j.post_date("2021-12-08 13:16:19", filename_date=None, site_tz=SH,
                       warn=warn).isoformat() == "2021-12-08T13:16:19+08:00"


@pytest.mark.parametrize("value,expected", [
    ("2022-05-27T14:42:33-07:00", "2022-05-28T05:42:33+08:00"),   # Hugo RFC 3339
    ("2022-05-27T14:42:33.123456Z", "2022-05-27T22:42:33.123456+08:00"),
    ("Fri, 27 May 2022 14:42:33 +0000", "2022-05-27T22:42:33+08:00"),  # RFC 1123
    (dt.date(2022, 5, 27), "2022-05-27T00:00:00+08:00"),
    (dt.datetime(2022, 5, 27, 6, tzinfo=dt.timezone.utc), "2022-05-27T14:00:00+08:00"),
])
def test_hugo_and_python_values(value, expected):
    got = j.post_date(value, filename_date=None, site_tz=SH, warn=pytest.fail)
    assert got.isoformat() == expected and got.tzinfo is SH


@pytest.mark.parametrize("value,expected", [
    ("2013-12-25 00:23:23", "2013-12-25T00:23:23+08:00"),   # Hexo (moment's YYYY-MM-DD HH:mm:ss), site-local
    ("2013/7/13 20:46:25", "2013-07-13T20:46:25+08:00"),    # Hexo's documented form; Ruby's Time.parse agrees
    ("2013/12/25", "2013-12-25T00:00:00+08:00"),
    ("2010-12-02 10:14", "2010-12-02T10:14:00+08:00"),      # Pelican's YYYY-MM-DD HH:MM
    ("2011-04-20", "2011-04-20T00:00:00+08:00"),
])
def test_hexo_and_pelican_dates_are_site_local(value, expected):
    got = j.post_date(value, filename_date=None, site_tz=SH, warn=pytest.fail)
    assert got.isoformat() == expected and got.tzinfo is SH


@pytest.mark.parametrize("value", ["2013/12-25", "2013-12/25", "2013/13/01 10:00"])
def test_mixed_or_impossible_slash_dates_are_not_dates(value):
    with pytest.raises(InputError):
        j.post_date(value, filename_date=None, site_tz=SH, warn=pytest.fail)


@pytest.mark.parametrize("name,expected", [
    ("2021-12-08-202112082206672930.md", (dt.date(2021, 12, 8), "202112082206672930", ".md")),
    ("2021-1-8-short.markdown", (dt.date(2021, 1, 8), "short", ".markdown")),
    ("2021-12-08-trailing-dots...md", (dt.date(2021, 12, 8), "trailing-dots", ".md")),
    ("2021-12-08-a.b.html", (dt.date(2021, 12, 8), "a.b", ".html")),
    ("-202205262391921712.md", (None, "-202205262391921712", ".md")),
    ("2021-13-45-bad.md", (None, "bad", ".md")),
    ("２０２１-12-08-fullwidth.md", (None, "２０２１-12-08-fullwidth", ".md")),
    ("README", (None, "README", "")),
])
def test_split_post_filename(name, expected):
    assert j.split_post_filename(name) == expected


# --- the real corpus ----------------------------------------------------------------

FINEWS = SUITES["finews"]


def test_finews_jekyll_reads_every_dated_post():
    read = set(GOLDEN["finews"]["posts"])
    for post in FINEWS.posts:
        dated = j.split_post_filename(posixpath.basename(post.path))[0] is not None
        assert (post.path in read) == dated, post.path
    assert len(read) == 92


@pytest.mark.parametrize("suite,post", _cases("finews"))
def test_finews_post_matches_jekyll(suite, post):
    want = GOLDEN["finews"]["posts"][post.path]
    got = oracle.predict(suite, post)
    for key in ("date", "url", "id", "abs_id", "abs_url", "title", "slug"):
        assert got[key] == want[key], key
    assert got["categories"] == want["categories"] and got["tags"] == want["tags"]


def test_finews_feed_ids_are_byte_identical():
    cfg = oracle.site_config(FINEWS)
    ours = {}
    for post in FINEWS.posts:
        if post.path in GOLDEN["finews"]["posts"]:
            got = oracle.predict(FINEWS, post)
            # jekyll-feed: {{ post.id | absolute_url | xml_escape }}
            ours[html.escape(j.absolute_url(cfg["url"], cfg.get("baseurl"), got["id"]), quote=True)] = post
    feed = GOLDEN["finews"]["feed_ids"]
    assert len(feed) == 92 and set(feed) == set(ours)


def test_finews_safe_mode_skips_jekyll_feed():
    # `safe: true` loads only whitelisted plugins: the site's own config makes no feed locally.
    assert "feed_ids" not in GOLDEN["finews-safe"] and len(GOLDEN["finews-safe"]["posts"]) == 92


@pytest.mark.skipif(not oracle.jekyll_available(), reason="jekyll is not on PATH (CI installs it)")
def test_golden_is_what_jekyll_says():
    fresh = oracle.build_sites(oracle.all_suites())
    assert fresh == GOLDEN, "Jekyll disagrees with the golden; re-record with " \
                            "`python -m tests.support.jekyll_oracle --record` and review the diff"
