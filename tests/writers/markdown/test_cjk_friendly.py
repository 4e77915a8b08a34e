"""--cjk-friendly: emphasis written for parsers with the CommonMark CJK-friendly amendments.

The oracle is comrak (the Rust CommonMark/GFM parser, through its Python binding), whose
``cjk_friendly_emphasis`` extension implements the amendments, and convert's own reader,
which reads CJK-friendly emphasis too. The default output is checked against comrak without
the extension: there, emphasis must read back in plain CommonMark.
"""

from __future__ import annotations

import comrak
import pytest
from hypothesis import given, settings

from convert.cli import main
from convert.reader.markdown import render_markdown
from convert.writers.markdown import html_to_markdown

from .support import FINEWS, FINEWS_CONFIG, ROOT, normalize_body, round_trip
from .test_cli_and_generated import _BODY, _canonical

SAMPLES = ROOT / "samples"


def _comrak(markdown: str, cjk_friendly: bool) -> str:
    extensions = comrak.ExtensionOptions()
    extensions.cjk_friendly_emphasis = cjk_friendly
    render = comrak.RenderOptions()
    render.unsafe_ = True  # inline HTML passes through, as in CommonMark
    return comrak.render_markdown(markdown, extension_options=extensions, render_options=render)


@pytest.mark.parametrize(("body", "default", "friendly"), [
    ("<p><strong>“重要”</strong>消息</p>", "<strong>“重要”</strong>消息", "**“重要”**消息"),
    ("<p>这是<em>（括号）</em>，<strong>重要</strong>。</p>", "这是<em>（括号）</em>，**重要**。", "这是*（括号）*，**重要**。"),
    ("<p>a<strong>あ、</strong>b</p>", "a<strong>あ、</strong>b", "a**あ、**b"),
    ("<p>我可以强调<strong>这个<code>code</code></strong>吗</p>", "我可以强调<strong>这个`code`</strong>吗",
     "我可以强调**这个`code`**吗"),
    # Not next to CJK: the amendments change nothing, neither does the option.
    ("<p>a<strong>“b”</strong>c</p>", "a<strong>“b”</strong>c", "a<strong>“b”</strong>c"),
])
def test_shape_and_both_readings(body, default, friendly):
    assert html_to_markdown(body) == default + "\n"
    assert html_to_markdown(body, cjk_friendly=True) == friendly + "\n"
    assert normalize_body(_comrak(default, cjk_friendly=False)) == normalize_body(body)
    assert normalize_body(_comrak(friendly, cjk_friendly=True)) == normalize_body(body)
    assert normalize_body(render_markdown(friendly, auto_ids=False)) == normalize_body(body)
    if friendly != default:  # the reason it is an option: plain CommonMark shows the asterisks
        assert "**" in _comrak(friendly, cjk_friendly=False) or "*（" in _comrak(friendly, cjk_friendly=False)


@settings(max_examples=200, deadline=None)
@given(_BODY)
def test_generated_bodies_read_back_in_both_modes(body):
    canonical = normalize_body(_canonical(body))
    friendly = html_to_markdown(_canonical(body), cjk_friendly=True)
    assert normalize_body(_canonical(_comrak(friendly, cjk_friendly=True))) == canonical, friendly
    assert normalize_body(_canonical(render_markdown(friendly, auto_ids=False))) == canonical, friendly
    default = html_to_markdown(_canonical(body))
    assert normalize_body(_canonical(_comrak(default, cjk_friendly=False))) == canonical, default
    # The option only ever turns tags into delimiters.
    assert friendly.count("<strong>") + friendly.count("<em>") <= default.count("<strong>") + default.count("<em>")


def test_samples_round_trip(tmp_path):
    texts = round_trip(SAMPLES, SAMPLES / "_config.yml", tmp_path, cjk_friendly=True)
    assert any("**“" in text for text in texts.values())  # the sample's “重要” emphasis, as delimiters


@pytest.mark.skipif(not FINEWS.is_dir(), reason="shared finews corpus not present")
def test_finews_round_trip(tmp_path):
    round_trip(FINEWS, FINEWS_CONFIG, tmp_path, cjk_friendly=True)


def test_cli_option(tmp_path):
    out = tmp_path / "out"
    assert main(["-q", "--to", "markdown", "--each", "--cjk-friendly", "-o", str(out),
                 "--config", str(SAMPLES / "_config.yml"), str(SAMPLES)]) == 0
    assert any("**“" in f.read_text(encoding="utf-8") for f in out.glob("*.md"))
