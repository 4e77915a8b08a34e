"""Front-matter strings stay unquoted exactly when YAML reads them back as the same string."""

import yaml
from hypothesis import example, given, strategies as st

from convert.writers.markdown import _plain_ok


@given(st.one_of(st.text(max_size=20), st.sampled_from(
    ["no", "on", "0777", "10:00", "2021-12-08", "2021-12-08 10:00:00", "1e3", "~", "null", "emnews", "东财滚动新闻",
     "a: b", "a #b", "-x", "[x]", "x:", "Yes", "1_000", ".5", "0x1F", "+1"])))
@example("东财滚动新闻")
def test_unquoted_only_when_yaml_reads_the_same_string(text):
    if _plain_ok(text):
        assert yaml.safe_load(f"k: {text}\n") == {"k": text}
