"""--in-place: Markdown written over its own source post replaces it only when asked, after
keeping the original bytes in ``FILE~``; without it the run refuses and touches nothing."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess

import pytest

from convert.cli import main
from convert.errors import WriteError
from convert.output import replace_input
from convert.writers.markdown import MarkdownWriter

from .support import read_folder

# Not in the writer's own form (unquoted date without colon in the offset, no blank line,
# a setext heading), so writing it in place changes the bytes.
ORIGINAL = "---\ntitle: 你好\ndate: 2022-05-27 10:00:00 +0800\ntags: [a, b]\n---\n标题\n===\n\n正文 *强调*。\n"


def _site(tmp_path):
    posts = tmp_path / "_posts"
    posts.mkdir()
    source = posts / "2022-05-27-hello.md"
    source.write_bytes(ORIGINAL.encode("utf-8"))
    os.chmod(source, 0o600)
    return posts, source


def _run(posts, *extra: str) -> int:
    return main(["-q", "--to", "markdown", "--each", *extra, "-o", str(posts), str(posts)])


def test_without_in_place_the_run_refuses_and_touches_nothing(tmp_path, capsys):
    posts, source = _site(tmp_path)
    assert _run(posts) == 1
    err = capsys.readouterr().err
    assert "refusing to write over input file" in err and "--in-place" in err
    assert source.read_bytes() == ORIGINAL.encode("utf-8")
    assert sorted(p.name for p in posts.iterdir()) == ["2022-05-27-hello.md"]


def test_in_place_keeps_a_backup_and_writes_the_markdown(tmp_path):
    posts, source = _site(tmp_path)
    before = read_folder(posts)
    assert _run(posts, "--in-place") == 0
    backup = posts / "2022-05-27-hello.md~"
    assert backup.read_bytes() == ORIGINAL.encode("utf-8")
    # The post now holds the writer's Markdown for the article it held, and keeps its permissions.
    assert source.read_text(encoding="utf-8") == MarkdownWriter().render(before)
    assert source.read_bytes() != backup.read_bytes()
    assert stat.S_IMODE(source.stat().st_mode) == stat.S_IMODE(backup.stat().st_mode) == 0o600
    # The backup is no post (convert, like Jekyll, skips FILE~), and the article reads back the same.
    (again,) = read_folder(posts).articles
    (article,) = before.articles
    assert (again.title, again.date, again.tags, again.body) == (article.title, article.date, article.tags, article.body)


def test_an_existing_backup_is_never_overwritten(tmp_path, capsys):
    posts, source = _site(tmp_path)
    assert _run(posts, "--in-place") == 0
    rewritten = source.read_bytes()
    # A second in-place run would replace the backup of the true original: it refuses instead.
    assert _run(posts, "--in-place") == 1
    assert "exists already" in capsys.readouterr().err
    assert (posts / "2022-05-27-hello.md~").read_bytes() == ORIGINAL.encode("utf-8")
    assert source.read_bytes() == rewritten


def test_backup_by_copy_where_hard_links_fail(tmp_path, monkeypatch):
    source = tmp_path / "post.md"
    source.write_bytes(b"old bytes")
    os.chmod(source, 0o640)

    def no_links(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    backup = replace_input(source, "new text")
    assert backup == tmp_path / "post.md~" and backup.read_bytes() == b"old bytes"
    assert source.read_bytes() == b"new text" and stat.S_IMODE(source.stat().st_mode) == 0o640
    with pytest.raises(WriteError, match="exists already"):
        replace_input(source, "newer")
    assert source.read_bytes() == b"new text"


def test_a_failed_write_leaves_the_input_and_no_backup(tmp_path, monkeypatch):
    source = tmp_path / "post.md"
    source.write_bytes(b"old bytes")

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(WriteError, match="No space left"):
        replace_input(source, "new text")
    assert source.read_bytes() == b"old bytes" and sorted(p.name for p in tmp_path.iterdir()) == ["post.md"]


@pytest.mark.skipif(shutil.which("jekyll") is None, reason="jekyll not installed")
def test_jekyll_does_not_publish_the_backup(tmp_path):
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text("title: s\n", encoding="utf-8")
    (site / "_posts" / "2022-01-01-kept.md").write_text("---\ntitle: kept\n---\n\nx\n", encoding="utf-8")
    (site / "_posts" / "2022-01-02-old.md~").write_text("---\ntitle: old\n---\n\ny\n", encoding="utf-8")
    done = subprocess.run(["jekyll", "build", "-q", "-s", str(site), "-d", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "2022" / "01" / "01" / "kept.html").is_file()
    assert not (tmp_path / "out" / "2022" / "01" / "02").exists()
