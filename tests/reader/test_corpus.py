"""The whole real corpus reads: every finews post into a model, every diverse post accepted or named."""

from pathlib import Path

from lxml import etree

from convert.reader.collection import ReadOptions, read

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
FINEWS = SHARED / "corpus" / "finews"
CONFIG = SHARED / "corpus" / "finews-site" / "_config.yml"


def _well_formed(body: str) -> None:
    etree.fromstring(f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>')


def test_finews_reads_completely_with_the_site_config():
    report = read([FINEWS], ReadOptions(config=CONFIG, jobs=2))
    # The only file without a usable date is '-202205262391921712.md': no date in its name and
    # 'date:  +0800' -- an error for that file, named with its line, while all others convert.
    assert [(Path(f.path).name, f.line) for f in report.failures] == [("-202205262391921712.md", 4)]
    articles = report.collection.articles
    assert len(articles) == 92
    assert len({a.id for a in articles}) == 92
    for article in articles:
        assert article.title and article.lang == "zh-CN" and article.date.utcoffset().total_seconds() == 8 * 3600
        assert article.id.startswith("https://finews.withounder.com/")
        _well_formed(article.body)
    # the eight posts that begin with a blank line are read with a warning each
    blank = [d for d in report.diagnostics if "blank line" in d.message]
    assert len(blank) == 8


def test_diverse_posts_are_accepted_or_named():
    report = read([SHARED / "corpus" / "diverse"], ReadOptions(jobs=2, drafts=True, future=True))
    # 35 Markdown/HTML posts (the Pelican .rst file is not a post format convert reads).
    assert len(report.collection.articles) + len(report.failures) + len(report.skipped) == 35
    assert len(report.collection.articles) >= 17
    # What is refused is refused for a reason the user can act on, naming the file: here, posts
    # whose date lived in a file name the corpus renamed (owner__repo__YYYY-MM-DD-...), Hexo
    # headers without an opening '---' and Pelican 'Key: value' headers.
    for failure in report.failures:
        assert failure.path and "the post has no date" in failure.message
    for article in report.collection.articles:
        _well_formed(article.body)
        assert article.date.tzinfo is not None
