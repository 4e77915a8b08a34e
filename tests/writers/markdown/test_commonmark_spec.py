"""The CommonMark 0.31.2 spec round trip: example -> HTML -> our Markdown -> HTML, equal after
the spec's own normalization (``spec_normalize``: the rules of the spec's test runner).

Rendered with markdown-it-py's commonmark preset on both sides, and with cmark-gfm for the
Markdown we write, where installed. The examples that do not round trip are listed with
their reason in ``spec_exceptions.tsv``; the test fails when an example outside the list
breaks, when a listed one starts to pass (so the list, and the rate, stay exact), and when
fewer than 99% of the examples round trip.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from convert.writers.markdown import html_to_markdown

from .support import SPEC, commonmark, spec_normalize

EXCEPTIONS = Path(__file__).with_name("spec_exceptions.tsv")
pytestmark = pytest.mark.skipif(not SPEC.is_file(), reason="shared CommonMark spec examples not present")


def _examples() -> list[dict]:
    examples = json.loads(SPEC.read_text(encoding="utf-8"))
    assert len(examples) == 652
    return examples


def _exceptions() -> dict[int, str]:
    table = {}
    for line in EXCEPTIONS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            number, _, reason = line.partition("\t")
            table[int(number)] = reason.strip()
    return table


def _round_trips(example: dict) -> bool:
    html = commonmark(example["markdown"])
    again = commonmark(html_to_markdown(html))
    return spec_normalize(again) == spec_normalize(html)


def test_normalization_is_the_spec_runners():
    # The rules as the spec's test/normalize.py documents them...
    assert spec_normalize("<p>a  \t\nb</p>") == "<p>a b</p>"
    assert spec_normalize("\n\t<p>\n\t\ta  b\t\t</p>\n\t") == "<p>a b</p>"
    assert spec_normalize("<i>a  b</i> ") == "<i>a b</i> "
    assert spec_normalize("<br />") == "<br>"
    assert spec_normalize('<a title="bar" HREF="foo">x</a>') == '<a href="foo" title="bar">x</a>'
    assert spec_normalize("&forall;&amp;&gt;&lt;&quot;") == "\u2200&amp;&gt;&lt;&quot;"
    # ...which keep what a tree would repair or drop, and the spaces of a pre.
    assert spec_normalize("<p></a><!-- c --></p>") == "<p></a><!-- c --></p>"
    assert spec_normalize("<pre><code>a  b\n</code></pre>") == "<pre><code>a  b\n</code></pre>"
    assert spec_normalize("<a/>") != spec_normalize("<a></a>")
    # markdown-it-py renders every example as the spec expects, under this normalization.
    differ = [ex["example"] for ex in _examples() if spec_normalize(commonmark(ex["markdown"])) != spec_normalize(ex["html"])]
    assert differ == []


def test_spec_round_trip_rate():
    examples = _examples()
    failing = {ex["example"] for ex in examples if not _round_trips(ex)}
    listed = _exceptions()
    assert all(reason for reason in listed.values()), "every exception needs its reason"
    assert sorted(failing - set(listed)) == [], "examples that no longer round trip"
    assert sorted(set(listed) - failing) == [], "listed exceptions that now pass: remove them from the list"
    assert (len(examples) - len(failing)) / len(examples) >= 0.99


def test_cmark_gfm_reads_our_markdown_the_same():
    cmarkgfm = pytest.importorskip("cmarkgfm")

    def cmark(text: str) -> str:
        return cmarkgfm.markdown_to_html(text, options=cmarkgfm.Options.CMARK_OPT_UNSAFE)

    listed = _exceptions()
    differ, cmark_differs = [], []
    for ex in _examples():
        if ex["example"] in listed:
            continue
        html = commonmark(ex["markdown"])
        if spec_normalize(cmark(ex["markdown"])) != spec_normalize(html):
            # cmark-gfm implements an older spec (emphasis rules, entities): these can differ.
            cmark_differs.append(ex["example"])
        if spec_normalize(cmark(html_to_markdown(html))) != spec_normalize(html):
            differ.append(ex["example"])
    assert sorted(set(differ) - set(cmark_differs)) == []
    assert len(differ) <= 652 // 100, differ
