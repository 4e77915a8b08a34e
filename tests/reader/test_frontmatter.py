"""Front-matter splitting: what python-frontmatter gets wrong, handled around it."""

import pytest
from hypothesis import given, strategies as st

from convert.errors import InputError
from convert.reader.frontmatter import split_front_matter


def test_yaml_header_and_body_keep_the_ideographic_indent():
    split = split_front_matter("---\ntitle: 标题\n---\n\n\u3000\u3000正文第一段。\n")
    assert split.metadata == {"title": "标题"}
    assert split.body == "\u3000\u3000正文第一段。\n"
    assert split.body_line == 5


@pytest.mark.parametrize("text", [
    "\ufeff---\ntitle: t\n---\nbody",          # UTF-8 BOM
    "---\r\ntitle: t\r\n---\r\nbody",          # CRLF
    "---\rtitle: t\r---\rbody",                # lone CR (old Mac)
    "---\ntitle: t\n...\nbody",                # YAML document end marker
])
def test_header_is_found_despite_bom_and_line_endings(text):
    split = split_front_matter(text)
    assert split.metadata == {"title": "t"}
    assert split.body == "body"


def test_header_after_blank_lines_is_read_with_a_warning():
    warnings = []
    split = split_front_matter("\n\n---\ntitle: t\n---\nbody", lambda m, line: warnings.append((m, line)))
    assert split.metadata == {"title": "t"}
    assert split.body == "body"
    assert len(warnings) == 1 and warnings[0][1] == 3 and "Jekyll" in warnings[0][0]


def test_toml_and_json_headers():
    toml = split_front_matter('+++\ntitle = "x"\ntags = ["a", "b"]\n+++\nbody')
    assert toml.metadata == {"title": "x", "tags": ["a", "b"]} and toml.format == "toml"
    js = split_front_matter('{\n  "title": "j"\n}\nbody')
    assert js.metadata == {"title": "j"} and js.body == "body" and js.format == "json"


def test_liquid_at_the_start_is_not_json():
    split = split_front_matter("{% raw %}x{% endraw %}")
    assert split.format is None and split.body.startswith("{% raw %}")


def test_no_header_means_the_whole_text_is_body():
    split = split_front_matter("just text\n---\nnot a header")
    assert split.metadata == {} and split.format is None and split.body.startswith("just text")


@pytest.mark.parametrize("text, line, words", [
    ("---\ntitle: ok\ntags: [a\n---\nbody", 4, "does not parse"),
    ("---\n- a\n- b\n---\nbody", 2, "not a mapping"),
    ("---\ntitle: t\nbody without end", 1, "never closed"),
    ("---\ndate: 2021-13-45\n---\n", 2, "ValueError"),
    ("+++\ntitle = \n+++\n", 2, "TOML"),
])
def test_bad_headers_name_the_line(text, line, words):
    with pytest.raises(InputError) as info:
        split_front_matter(text)
    assert info.value.line == line
    assert words in info.value.message


def test_line_of_a_key():
    split = split_front_matter("\n---\nlayout: post\ndate:  +0800\n---\nbody")
    assert split.line_of("date") == 4
    assert split.line_of("missing") is None


_keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
_values = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
_bodies = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=200)


@given(st.dictionaries(_keys, _values, max_size=5), _bodies)
def test_split_recovers_what_was_joined(metadata, body):
    import yaml

    header = yaml.safe_dump(metadata, allow_unicode=True) if metadata else ""
    body = body.lstrip("\n")
    split = split_front_matter(f"---\n{header}---\n{body}")
    assert split.metadata == metadata
    assert split.body == body
