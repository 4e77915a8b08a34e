"""The flat-header fast path reads exactly what PyYAML reads, or steps aside."""

import re

import yaml
from hypothesis import example, given, strategies as st

from convert.reader.frontmatter import flat_yaml_mapping

_keys = st.sampled_from(["title", "date", "categories", "tags", "layout", "slug", "yes", "null", "a-b", "x_1"])
_values = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["2021-12-08 13:16:19", "2022-05-27 14:42:33 +0800", " +0800", "0777", "1e3", "no", "~",
                     "null", "true", ".inf", "12:30", '"quoted"', "'single'", "a: b", "a #c", "- item",
                     "[1, 2]", "{a: 1}", "离岸人民币兑美元", "“党建+”模式", '"带\\"转义"', "x:", "%", "@x"]),
)


@given(st.lists(st.tuples(_keys, _values), max_size=6))
@example([("title", '"离岸人民币兑美元升至2018年以来最高水平"'), ("date", "2021-12-08 10:46:18 +0800"),
          ("categories", "emnews"), ("tags", "东财滚动新闻")])
def test_fast_path_agrees_with_pyyaml(pairs):
    text = "".join(f"{key}: {value}\n" for key, value in pairs)
    fast = flat_yaml_mapping(text)
    if fast is None:
        return  # PyYAML reads it
    assert fast == yaml.safe_load(text) or (fast == {} and yaml.safe_load(text) is None)


def test_fast_path_takes_the_common_header_and_leaves_the_rest():
    assert flat_yaml_mapping('layout: post\ntitle: "标题"\ndate: 2022-05-27 14:42:33 +0800\n') == {
        "layout": "post", "title": "标题", "date": "2022-05-27 14:42:33 +0800"}
    for text in ("date: 2021-12-08 13:16:19\n", "tags: [a, b]\n", "n: 1\n", "t: yes\n", "k:\n  - a\n"):
        assert flat_yaml_mapping(text) is None


def test_the_copy_of_pyyamls_implicit_resolvers_is_the_installed_one():
    from convert.reader.frontmatter import _YAML_IMPLICIT_RESOLVERS

    installed = {(first, tag, regexp.pattern, regexp.flags & re.X)
                 for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
                 for tag, regexp in resolvers}
    copied = {(first, tag, pattern, flags & re.X)
              for tag, pattern, flags, firsts in _YAML_IMPLICIT_RESOLVERS for first in firsts}
    assert copied == installed


def test_reading_flat_headers_does_not_import_pyyaml(tmp_path):
    import subprocess
    import sys

    (tmp_path / "2021-12-08-a.md").write_text("---\ntitle: a\ndate: 2021-12-08 10:00:00 +0800\n---\nbody\n")
    script = ("import sys; from convert.reader.collection import read; r = read([sys.argv[1]]);"
              "assert len(r.collection.articles) == 1; print('yaml' in sys.modules, 'frontmatter' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
