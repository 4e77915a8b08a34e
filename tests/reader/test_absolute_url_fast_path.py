"""The fast path of ``absolute_url`` gives exactly what the full Addressable normalization gives."""

from hypothesis import given, strategies as st

from convert.reader import jekyll

SITES = ["https://finews.withounder.com", "HTTPS://Example.ORG:443", "http://example.org/", "https://例子.测试",
         "https://example.org/sub/", "http://localhost:4000"]
BASES = ["", "/", "/archive", "/archive/", "blog", "/a b", "/%41rchive", "/x/../y"]
_segment = st.text(alphabet="abcXYZ019-_.~", min_size=1, max_size=8)


def _slow(site, base, path):
    rel = jekyll.relative_url(base, path)
    return jekyll._addressable_normalize(site + rel)


@given(st.sampled_from(SITES), st.sampled_from(BASES), st.lists(_segment, min_size=1, max_size=5), st.booleans())
def test_fast_path_equals_full_normalization(site, base, segments, trailing):
    path = "/" + "/".join(segments) + ("/" if trailing else "")
    assert jekyll.absolute_url(site, base, path) == _slow(site, base, path)


def test_fast_path_examples():
    assert jekyll.absolute_url("https://finews.withounder.com", "", "/emnews/2021/12/08/202112082206672930") == \
        "https://finews.withounder.com/emnews/2021/12/08/202112082206672930"
    assert jekyll.absolute_url("HTTPS://Example.ORG:443", "/archive/", "/a/b.html") == "https://example.org/archive/a/b.html"
    assert jekyll.absolute_url("https://example.org", "", "/a/../b") == "https://example.org/b"
