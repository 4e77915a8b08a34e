"""The EPUB writer inside a run: its warnings in the run's report (and under --strict), volumes by month."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from convert.cli import main
from convert.errors import Diagnostic
from convert.pipeline import Job, run


def _site_with_bad_images(folder: Path) -> Path:
    (folder / "_posts").mkdir(parents=True)
    (folder / "_config.yml").write_text("title: Images\nurl: https://example.org\nlang: en\n", encoding="utf-8")
    (folder / "_posts" / "2022-05-01-pictures.md").write_text(
        "---\ntitle: Pictures\n---\n![a red dot](dot.tiff) ![a broken one](broken.png) "
        "![gone](https://example.org/gone.png)\n", encoding="utf-8")
    Image.new("RGB", (3, 3), (200, 0, 0)).save(folder / "_posts" / "dot.tiff")
    (folder / "_posts" / "broken.png").write_bytes(b"\x89PNG but not really")
    return folder


def test_writer_warnings_reach_the_report_and_fail_under_strict(tmp_path):
    site = _site_with_bad_images(tmp_path / "site")
    post = str(site / "_posts" / "2022-05-01-pictures.md")
    expected = [
        Diagnostic("image broken.png dropped: not an image format Pillow knows (nor SVG); its alt text stands in",
                   post),
        Diagnostic("image https://example.org/gone.png not found in the source tree; its alt text stands in", post),
    ]
    report = run(Job(sources=[site], formats=["epub"], output=tmp_path / "book.epub"))
    assert report.diagnostics == expected and report.exit_code == 0
    assert report.written == [tmp_path / "book.epub"]  # the TIFF became a PNG; the book is written
    strict = run(Job(sources=[site], formats=["epub"], output=tmp_path / "strict.epub", strict=True))
    assert strict.diagnostics == expected and strict.exit_code == 1


def test_the_command_prints_writer_warnings_with_the_file(tmp_path, capsys):
    site = _site_with_bad_images(tmp_path / "site")
    post = site / "_posts" / "2022-05-01-pictures.md"
    assert main(["--to", "epub", "-o", str(tmp_path / "book.epub"), str(site)]) == 0
    err = capsys.readouterr().err
    assert f"warning: {post}: image broken.png dropped: " in err
    assert "1 converted, 0 skipped, 0 failed, 2 warnings" in err
    assert main(["--strict", "--to", "epub", "-o", str(tmp_path / "strict.epub"), str(site)]) == 1
