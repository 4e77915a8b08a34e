"""Expected models for hand-checked real posts (JSON golden files).

Each case is read as its site reads it (the finews posts with the finews
``_config.yml``) and compared, article JSON against golden JSON. To regenerate
after a deliberate change, run with ``CONVERT_REGENERATE=1`` and review the diff.
"""

import json
import os
from pathlib import Path

import pytest

from convert.model import article_to_json
from convert.reader.collection import ReadOptions, read

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
FINEWS = SHARED / "corpus" / "finews"
FINEWS_CONFIG = SHARED / "corpus" / "finews-site" / "_config.yml"
GOLDEN = Path(__file__).parent / "golden" / "models"

CASES = {
    # the site's first post: no offset (an unquoted YAML time: UTC, shown at +08:00), sitenews
    "finews-init": FINEWS / "2021-12-01-init.md",
    # +0800 date, old-domain protocol-relative footer links on two lines
    "finews-offset-footer": FINEWS / "2021-12-08-202112082206672930.md",
    # starts with a blank line before '---' (Jekyll would print the YAML as text)
    "finews-leading-blank-line": FINEWS / "2021-12-08-202112082206703990.md",
    # './emnews/' relative links resolved against the permalink
    "finews-dot-relative-links": FINEWS / "2021-12-08-202112082206748961.md",
    # '../emnews/' relative links, '%' in the title
    "finews-dotdot-links-percent-title": FINEWS / "2021-12-08-202112082206747356.md",
    # a raw '<' in prose ('精度满足<1%')
    "finews-raw-less-than": FINEWS / "2021-12-08-202112082206796814.md",
    # inline English and tickers
    "finews-tickers": FINEWS / "2021-12-08-202112082206954012.md",
    # full-width '｜' footer on one line
    "finews-fullwidth-bar": FINEWS / "2021-12-08-202112082206890854.md",
    # the full-article template: title "", 'date:  +0800', hidden paragraphs, stock-quote widgets,
    # K-line chart image in a link, comments, an empty autolink '<>' (a copy named with its date)
    "finews-html-article": ROOT / "tests" / "cases" / "reader" / "2022-05-26-202205262391921712.md",
    # the seed: HTML paragraphs directly followed by Markdown lines
    "seed": ROOT / "samples" / "_posts" / "2022-05-27-5971357beab9ad41.md",
}
SAMPLE_CASES = {
    "sample-markdown-features": "2022-05-28-markdown-features.md",
    "sample-html-body": "2022-05-29-html-body.html",
    "sample-toml": "2022-05-30-hugo-toml-post.md",
}


def _portable(article_json: dict, base: Path) -> dict:
    source = Path(article_json["source"])
    article_json["source"] = source.relative_to(base).as_posix() if source.is_absolute() else article_json["source"]
    return article_json


def _check(name: str, article) -> None:
    actual = json.dumps(article, ensure_ascii=False, indent=2) + "\n"
    golden = GOLDEN / f"{name}.json"
    if os.environ.get("CONVERT_REGENERATE"):
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}; run with CONVERT_REGENERATE=1 and review it"
    assert actual == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_real_post_model(name):
    path = CASES[name]
    report = read([path], ReadOptions(config=FINEWS_CONFIG, jobs=1))
    assert not report.failures
    (article,) = report.collection.articles
    _check(name, _portable(article_to_json(article), path.parent))


@pytest.mark.parametrize("name", sorted(SAMPLE_CASES))
def test_sample_site_models(name):
    report = read([ROOT / "samples"], ReadOptions(jobs=1))
    assert not report.failures and not report.diagnostics
    by_file = {Path(a.source).name: a for a in report.collection.articles}
    _check(name, _portable(article_to_json(by_file[SAMPLE_CASES[name]]), ROOT / "samples"))
