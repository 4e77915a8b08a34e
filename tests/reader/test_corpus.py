"""The whole real corpus reads: every finews post into a model, every diverse post accepted or named."""

import gc
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


# Posts whose date lived only in their file name, which the corpus renamed to owner__repo__name.
RENAMED = {
    "hexojs__site__2014-07-13-hexo-2-8-released.md",
    "jekyll__jekyll__2014-05-06-jekyll-turns-2-0-0.markdown",
    "jekyll__jekyll__2015-01-08-post-excerpt-separator.markdown",
    "mehdisadeghi__jekyll-theme-mehdix-rtl__2016-08-07-iran-constitution.md",
    "mojombo__mojombo.github.io__2008-10-18-how-i-turned-down-300k.md",
    "poole__hyde__2012-02-07-example-content.md",
}
# ox-hugo test posts with no date at all (Hugo publishes them dated 0001-01-01; we refuse them).
UNDATED = {
    "kaushalmodi__ox-hugo__hugo-draft-true-todo-state-draft.md",
    "kaushalmodi__ox-hugo__multiple-authors.md",
}


def test_diverse_posts_are_accepted_or_named():
    report = read([SHARED / "corpus" / "diverse"], ReadOptions(jobs=2, drafts=True, future=True))
    # 35 Markdown/HTML posts (the Pelican .rst file is not a post format convert reads).
    assert len(report.collection.articles) + len(report.failures) + len(report.skipped) == 35
    assert len(report.collection.articles) == 27 and not report.skipped
    # Hexo headers without an opening '---' and Pelican 'Key: value' headers are read ...
    formats = {Path(a.source).name.split("__")[1] for a in report.collection.articles}
    assert {"hexo-theme-unit-test", "pelican"} <= formats
    # ... and what is refused is refused for a reason the user can act on, naming the file.
    assert {Path(f.path).name for f in report.failures} == RENAMED | UNDATED
    for failure in report.failures:
        assert "the post has no date" in failure.message
    for article in report.collection.articles:
        _well_formed(article.body)
        assert article.date.tzinfo is not None


def test_worker_processes_read_exactly_what_one_process_reads(tmp_path):
    """Enough posts for the parallel path (more than two worker tasks), a broken one among them."""
    sources = sorted(FINEWS.glob("2021-*.md"))
    for index in range(600):
        source = sources[index % len(sources)]
        (tmp_path / f"2021-12-{1 + index % 28:02d}-{index:04d}-{source.stem[11:]}.md").write_bytes(source.read_bytes())
    (tmp_path / "2021-12-01-broken.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    serial = read([tmp_path], ReadOptions(config=CONFIG, jobs=1))
    parallel = read([tmp_path], ReadOptions(config=CONFIG, jobs=2))
    assert len(parallel.collection.articles) == 600
    assert parallel.collection == serial.collection
    assert [str(f) for f in parallel.failures] == [str(f) for f in serial.failures] and len(serial.failures) == 1
    assert parallel.diagnostics == serial.diagnostics
    assert parallel.dropped == serial.dropped


def test_reading_leaves_the_cycle_collector_as_it_found_it(tmp_path):
    # The reader pauses the collector while it reads (see collection.read): it is on again
    # after a read, after a failed one, and stays off for a program that turned it off.
    post = tmp_path / "2021-12-01-a.md"
    post.write_text("---\ntitle: A\n---\nbody\n", encoding="utf-8")
    assert gc.isenabled()
    assert len(read([post], ReadOptions(jobs=1)).collection.articles) == 1
    assert gc.isenabled()
    try:
        read([tmp_path / "missing"], ReadOptions(jobs=1))
    except Exception:
        pass
    assert gc.isenabled()
    gc.disable()
    try:
        read([post], ReadOptions(jobs=1))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_json_form_of_the_whole_corpus_reads_back_unchanged(tmp_path):
    from convert.writers.json import JsonWriter

    first = read([FINEWS, SHARED / "corpus" / "diverse"], ReadOptions(config=CONFIG, jobs=1, drafts=True, future=True))
    dumped = tmp_path / "all.json"
    dumped.write_text(JsonWriter().render(first.collection), encoding="utf-8")
    again = read([dumped], ReadOptions(from_format="json"))
    assert again.collection == first.collection
    assert not again.diagnostics and not again.failures


def test_folders_are_walked_in_the_order_of_their_paths_parts(tmp_path):
    from convert.reader.site import walk_files

    # '-' and ' ' sort before '/' as characters, after it as path parts.
    for name in ("a/b.md", "a-b/c.md", "a b.md", "a/x/y.md", "a.md", "b/中文.md", "B.md", "a/b-c.md", "a/b/c.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    for root in (tmp_path, Path(str(tmp_path) + "/")):
        expected = sorted(tmp_path.rglob("*.md"), key=lambda p: p.parts)
        found = walk_files(root)
        assert [path for _, path in found] == expected
        assert [(text, str(path)) for text, path in found] == [(str(p), str(p)) for p in expected]


def test_a_post_reached_twice_is_read_once(tmp_path, monkeypatch):
    sources = sorted(FINEWS.glob("2021-*.md"))[:3]
    (tmp_path / "site" / "sub").mkdir(parents=True)
    for index, source in enumerate(sources):
        folder = tmp_path / "site" / ("sub" if index else "")
        (folder / source.name).write_bytes(source.read_bytes())
    (tmp_path / "site" / "link.md").symlink_to(tmp_path / "site" / "sub" / sources[1].name)
    monkeypatch.chdir(tmp_path)
    # The same folder under three names, a subfolder of it, one file by name and one through a link.
    inputs = ["site", "./site/", str(tmp_path / "site"), "site/sub", f"site/sub/{sources[2].name}", "site/link.md"]
    report = read(inputs, ReadOptions(config=CONFIG, jobs=1))
    assert sorted(Path(a.source).name for a in report.collection.articles) == sorted(s.name for s in sources)
    assert not report.failures and not [d for d in report.diagnostics if "same id" in d.message]
