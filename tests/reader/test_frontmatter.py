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


# --- Hexo headers without an opening '---' and Pelican 'Key: value' metadata -----------

import datetime as dt
import json
import zoneinfo
from pathlib import Path

from convert.reader.collection import ReadOptions, read

CASES = Path(__file__).resolve().parents[1] / "cases" / "reader"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_hexo_header_without_opening_line():
    split = split_front_matter("title: Excerpts\ndate: 2013-12-25 00:23:23\ntags:\n---\n\nBody.\n\n---\n\nMore.\n")
    assert split.format == "hexo"
    # Hexo takes a YAML timestamp without offset as site-local time: kept as a string for post_date.
    assert split.metadata == {"title": "Excerpts", "date": "2013-12-25 00:23:23", "tags": None}
    assert split.body == "Body.\n\n---\n\nMore.\n" and split.body_line == 6
    assert split.header_line == 1 and split.line_of("date") == 2


def test_hexo_header_keeps_aware_dates_and_reads_tab_indents():
    split = split_front_matter("date: 2013-12-25 00:23:23 +09:00\ntags:\n\t- a\n---\nx")
    assert split.metadata["date"] == dt.datetime(2013, 12, 25, 0, 23, 23, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    assert split.metadata["tags"] == ["a"]  # hexo-front-matter turns each leading tab into two spaces


def test_hexo_more_comment_becomes_the_excerpt_separator():
    split = split_front_matter("title: t\n---\nIntro.\n<!--more-->\nRest.\n")
    assert split.metadata["excerpt_separator"] == "<!--more-->"
    assert "excerpt_separator" not in split_front_matter("title: t\n---\nNo marker.\n").metadata


def test_pelican_metadata_as_pelican_processes_it():
    text = ("Title: Test metadata duplicates\nCategory: test\nTags: foo, bar, foobar, foo, bar\n"
            "Authors: Author, First; Author, Second; Author, First\nDate: 2010-12-02 10:14\n"
            "Modified: 2010-12-02 10:20\nSummary: I have *a lot*\n    to test\nStatus: draft\n"
            "Multi: one\n    two\n\nTest Markdown File Header\n=========================\n")
    split = split_front_matter(text)
    assert split.format == "pelican"
    assert split.metadata == {
        "title": "Test metadata duplicates", "category": "test", "tags": ["foo", "bar", "foobar"],
        "authors": ["Author, First", "Author, Second"], "date": "2010-12-02 10:14", "modified": "2010-12-02 10:20",
        "summary": "<p>I have <em>a lot</em>\nto test</p>", "draft": True, "multi": ["one", "two"],
    }
    assert split.body.startswith("Test Markdown File Header\n") and split.body_line == 13
    assert split.line_of("date") == 5  # Pelican's keys are capitalised; lines are still found


def test_pelican_date_underscore_and_empty_values():
    split = split_front_matter("Title: t\nDate: 2012-10-31_10:14\nTags: , ,\nSlug:\nStatus: published\n\nx")
    assert split.metadata == {"title": "t", "date": "2012-10-31 10:14", "status": "published"}


def test_pelican_capitalised_block_wins_over_a_following_rule():
    # Everything before the '---' would parse as YAML too; the capitalised keys say Pelican.
    split = split_front_matter("Title: t\nDate: 2011-04-20\n\n---\n\nBody.\n")
    assert split.format == "pelican" and split.metadata == {"title": "t", "date": "2011-04-20"}
    assert split.body == "---\n\nBody.\n"


def test_hexo_header_with_blank_lines_inside_is_not_cut_at_the_first_blank():
    split = split_front_matter("title: t\n\ndate: 2013-12-25\n---\nBody.\n")
    assert split.format == "hexo" and split.metadata == {"title": "t", "date": dt.date(2013, 12, 25)}


@pytest.mark.parametrize("text", [
    "Note: this looks like a key but is prose.\nIt goes on.\n\n---\n\nMore.\n",   # YAML does not parse
    "# Heading\n\ntitle: not at the top\n---\nx\n",                              # first line is no key
    "Note: a lone remark.\n\n---\n\nAfter a rule.\n",                             # a mapping, but no title/date
    "Update: the fix shipped.\n\nThanks to everyone.\n",                          # Pelican-shaped, no title/date
    "Title: prose\nwith a second line that is no metadata\n\nBody.\n",           # not every line is metadata
    "http://example.org: not a key\n---\n",                                       # ':' not followed by a space
    "\ntitle: t\ndate: 2013-12-25\n---\nx\n",                                     # not on the very first line
    "- title: t\n---\n",
])
def test_bodies_with_rules_and_key_value_prose_are_not_headers(text):
    split = split_front_matter(text)
    assert split.format is None and split.metadata == {} and split.body == text


def test_case_files_read_end_to_end():
    report = read([CASES / "hexo-bare-header.md", CASES / "pelican-metadata.md", CASES / "not-a-header-rules.md"],
                  ReadOptions(jobs=1, drafts=True, site_overrides={"timezone": "Asia/Shanghai"}))
    hexo, pelican = sorted(report.collection.articles, key=lambda a: a.source)
    assert hexo.title == "Hexo without an opening line"
    assert hexo.date == dt.datetime(2013, 7, 13, 20, 46, 25, tzinfo=SHANGHAI)  # '2013/7/13 20:46:25', site-local
    assert hexo.updated == dt.datetime(2013, 12, 25, 0, 23, 23, tzinfo=SHANGHAI)
    assert hexo.tags == ("hexo", "前端") and hexo.categories == ("Notes",)
    assert hexo.summary == "The excerpt." and "After a rule." in hexo.body and "<hr" in hexo.body
    assert pelican.title == "Pelican metadata" and pelican.draft and pelican.slug == "pelican-meta"
    assert pelican.date == dt.datetime(2010, 12, 2, 10, 14, tzinfo=SHANGHAI)
    assert pelican.updated == dt.datetime(2010, 12, 2, 10, 20, tzinfo=SHANGHAI)
    assert pelican.tags == ("foo", "bar", "foobar") and pelican.categories == ("Python Notes",)
    assert pelican.authors == ("Author, First", "Author, Second") and pelican.lang == "fr"
    assert pelican.summary == "A short summary." and pelican.extra["multiline"] == ["first line", "second line"]
    assert "Note: prose after a rule." in pelican.body and "Body paragraph." in pelican.body
    # The prose file is not misread: it has no header, so no date.
    (failure,) = report.failures
    assert failure.path.endswith("not-a-header-rules.md") and "the post has no date" in failure.message


@pytest.mark.parametrize("text", [
    "A paragraph of prose.\n\n---\n\nMore.\n",
    "# Title: with a colon\n\n---\n",
    "See http://example.org: it has a colon\n",
    "",
])
def test_ordinary_bodies_are_rejected_on_the_first_line(monkeypatch, text):
    # The reader's budget is ~0.15 ms a post: bodies that cannot start a bare header must not be scanned.
    import convert.reader.frontmatter as fm

    monkeypatch.setattr(fm, "_split_bare", lambda text: pytest.fail("scanned a body with no 'key:' first line"))
    assert split_front_matter(text).format is None


@given(st.dictionaries(_keys, _values, max_size=5), _bodies)
def test_toml_split_recovers_what_was_joined(metadata, body):
    # JSON's string escapes (\n, \", \\, \uXXXX) are TOML basic-string escapes too; control
    # characters are left out of the values, so every value has one TOML form.
    header = "".join(f"{key} = {json.dumps(value, ensure_ascii=False)}\n" for key, value in metadata.items())
    body = body.lstrip("\n")
    split = split_front_matter(f"+++\n{header}+++\n{body}")
    assert split.format == "toml" and split.metadata == metadata and split.body == body


@given(st.dictionaries(_keys, _values, max_size=5), _bodies)
def test_json_split_recovers_what_was_joined(metadata, body):
    body = body.lstrip("\n")
    split = split_front_matter(f"{json.dumps(metadata, ensure_ascii=False, indent=2)}\n{body}")
    assert split.format == "json" and split.metadata == metadata and split.body == body


def test_toml_local_date_time_is_left_for_the_site_timezone():
    # Hugo reads a TOML local date-time in the site's timeZone (tests/reader/test_hugo_site.py).
    split = split_front_matter("+++\ndate = 2021-12-08T10:46:18\nlastmod = 2021-12-08T10:46:18+09:00\n"
                               "day = 2021-12-08\n+++\n")
    assert split.metadata["date"] == "2021-12-08T10:46:18"
    assert split.metadata["lastmod"] == dt.datetime(2021, 12, 8, 10, 46, 18, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    assert split.metadata["day"] == dt.date(2021, 12, 8)
