"""Front-matter strings stay unquoted exactly when YAML reads them back as the same string."""

import yaml
from hypothesis import example, given, strategies as st

from convert.writers.markdown import _plain_ok, front_matter


@given(st.one_of(st.text(max_size=20), st.sampled_from(
    ["no", "on", "0777", "10:00", "2021-12-08", "2021-12-08 10:00:00", "1e3", "~", "null", "emnews", "东财滚动新闻",
     "a: b", "a #b", "-x", "[x]", "x:", "Yes", "1_000", ".5", "0x1F", "+1"])))
@example("东财滚动新闻")
def test_unquoted_only_when_yaml_reads_the_same_string(text):
    if _plain_ok(text):
        assert yaml.safe_load(f"k: {text}\n") == {"k": text}


_ITEM = st.one_of(st.text(max_size=12), st.sampled_from(["a, b", "[x]", "{y}", "x,", "no", "10:00", "列表，逗号", "}"]))


@given(st.lists(_ITEM, max_size=4), st.dictionaries(st.text(max_size=5), _ITEM, max_size=3))
@example(["If a line is indented by 4 or more spaces,", "that line"], {"k": "a, b"})
def test_lists_and_mappings_read_back(items, mapping):
    # Inside [...] and {...} a comma or bracket ends a plain scalar: such items are quoted.
    head = front_matter([("items", items), ("mapping", mapping)])
    assert yaml.safe_load(head.strip("-\n")) == {"items": items, "mapping": mapping}
