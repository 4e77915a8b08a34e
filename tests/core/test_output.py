"""Writing files: atomic, never over an input, safe names."""

import os

import pytest

from convert.errors import WriteError
from convert.output import InputGuard, safe_filename, write_atomic


@pytest.mark.parametrize("stem, expected", [
    ("离岸人民币兑美元升至2018年以来最高水平", "离岸人民币兑美元升至2018年以来最高水平.epub"),
    ("a/b\\c:d*e?f", "a-b-c-d-e-f.epub"),
    ("../../etc/passwd", "etc-passwd.epub"),
    ("..", "untitled.epub"),
    ("CON", "CON-untitled.epub"),
    ("tab\there\x00nul", "tab-here-nul.epub"),
])
def test_safe_filename(stem, expected):
    assert safe_filename(stem, ".epub") == expected


def test_long_chinese_names_fit_255_bytes_on_a_character_boundary():
    name = safe_filename("中" * 200, ".epub")
    assert len(name.encode("utf-8")) <= 255
    assert name == "中" * 83 + ".epub"  # 83 * 3 + 5 = 254 bytes


def test_write_is_atomic_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    write_atomic(target, "新内容")
    assert target.read_text(encoding="utf-8") == "新内容"
    assert os.listdir(target.parent) == ["out.txt"]


def test_interrupted_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    target.write_text("old")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_disk_errors_become_write_errors(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(WriteError, match="cannot write"):
        write_atomic(blocker / "child.txt", "x")


def test_an_input_is_never_a_target(tmp_path):
    source = tmp_path / "post.md"
    source.write_text("x")
    link = tmp_path / "link.md"
    link.symlink_to(source)
    (tmp_path / "sub").mkdir()
    guard = InputGuard([source])
    with pytest.raises(WriteError, match="refusing to write over input"):
        guard.check(link)
    with pytest.raises(WriteError, match="refusing to write over input"):
        guard.check(tmp_path / "sub" / ".." / "post.md")
    guard.check(tmp_path / "other.md")
