"""Feed titles as jekyll-feed writes them, and links as URIs.

The expected titles were produced by Jekyll 4.3.1 itself
(``{{ t | smartify | strip_html | normalize_whitespace }}``), its entities read as text.
"""

import pytest

from convert.feeds import feed_title, uri

JEKYLL = [
    ('He said "hi" -- it\'s 2 o\'clock...', "He said “hi” – it’s 2 o’clock…"),
    ('"Quoted" start', "“Quoted” start"),
    ('中文"引号"中文', "中文”引号”中文"),
    ("'single' and \"double\"", "‘single’ and “double”"),
    ("rock 'n' roll '80s", "rock ‘n’ roll ’80s"),
    ("<b>bold</b>  spaced\ttitle", "bold spaced title"),
    ("A & B < C", "A & B < C"),
    ('(“已有”) "x", y', "(“已有”) “x”, y"),
    ("a---b -- c", "a—b – c"),
    ("<<x>>", "«x»"),
    ("O'Reilly's \"book\".", "O’Reilly’s “book”."),
    ("华尔街最高！大摩上调苹果目标价至200美元 VR和自动驾驶将发力", "华尔街最高！大摩上调苹果目标价至200美元 VR和自动驾驶将发力"),
]


@pytest.mark.parametrize("title, expected", JEKYLL)
def test_feed_title_matches_jekyll_smartify(title, expected):
    assert feed_title(title) == expected


def test_uri_percent_encodes_iris_and_keeps_escapes():
    assert uri("https://e.org/a b/中文.html?q=1&r=é#x") == (
        "https://e.org/a%20b/%E4%B8%AD%E6%96%87.html?q=1&r=%C3%A9#x")
    assert uri("https://e.org/%E4%B8%AD.html") == "https://e.org/%E4%B8%AD.html"
