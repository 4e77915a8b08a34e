"""How low the EPUB writer's time can go here: the 2,000-post book with parts of the writer taken out.

    .venv/bin/python bench/epub_floor.py [--posts 2000] [--rounds 15]

Issue #5 asks for the book in at most 1.5 times ``convert --to json`` on the same posts. This
bench measures what each part of the writer costs against that yardstick, by taking parts out
one after the other (cumulatively) in otherwise unchanged ``convert`` runs. It is a measurement,
not a mode of the product: the rows below the second make books that lack what the issue requires.

* ``json``: ``convert --to json``, the yardstick;
* ``epub``: ``convert --to epub`` as shipped;
* ``- chapter lint``: the Send-to-Kindle lint of each chapter skipped (the contents and section
  pages, the cover page, nav and NCX are still linted; the OPF, linted as it is zipped, is not);
* ``- deflate 6 -> 1``: and libdeflate's fastest level (a book about 5% larger);
* ``- cover``: and a cover drawn beforehand (by this script, read from a file) instead of the
  generated one;
* ``stub chapters``: the shipped writer, but every chapter a one-line document: nothing of any
  article rendered; contents, section pages, cover, nav, NCX, OPF and zip as shipped;
* ``no book``: reading, and the EPUB writer's imports and head start (``prepare``), nothing built.

Each row is one ``convert`` process (this script with ``--run ROW``); rounds take the rows in
turn, so that a change in the machine's load weighs on all of them alike. It prints the fastest
and the median run of each, and their ratio to ``json``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, RUN_ENV, corpus  # noqa: E402  (a script, not a package)

ROWS = ("json", "epub", "- chapter lint", "- deflate 6 -> 1", "- cover", "stub chapters", "no book")
_STUB = (b"<?xml version='1.0' encoding='utf-8'?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"zh-CN\">"
         b"<head><title>x</title></head><body><p>x</p></body></html>")


def _take_out(row: str, cover_file: Path) -> None:
    """Patch this process's EPUB writer as ``row`` says (the rows from ``- chapter lint`` to ``- cover`` add up)."""
    from convert.writers import epub
    from convert.writers.epub_lint import FileLint

    taken = ROWS.index(row) if row in ROWS[:ROWS.index("- cover") + 1] else 0  # the last two: as shipped
    if taken >= ROWS.index("- chapter lint"):
        # Chapters are linted in _parts (the workers'), every other document through _part: only those stay.
        lint, parts = epub.lint_file, epub._parts

        def part_linted(name: str, content: bytes):
            epub.lint_file = lint
            try:
                return parts([(name, content)])[0]
            finally:
                epub.lint_file = unlinted

        def unlinted(name: str, content: bytes) -> FileLint:
            return FileLint(name, ())

        epub._part, epub.lint_file = part_linted, unlinted
    if taken >= ROWS.index("- deflate 6 -> 1"):
        epub._DEFLATE_LEVEL = 1
    if taken >= ROWS.index("- cover"):
        epub.generated_cover = lambda title, dates, source: cover_file.read_bytes()
    if row == "stub chapters":
        epub._ChapterJob.render = lambda job, indexes: [
            epub._Rendered((epub._part(job.files[i], _STUB),), (), {}, ()) for i in indexes]
    if row == "no book":
        epub.EpubWriter._build = lambda self, collection, fetched, volume=None, number=0: epub._Built(
            b"", [], 0, "", "")


def _run(row: str, source: str, out: str) -> int:
    from convert.cli import main

    if row != "json":
        _take_out(row, Path(out).with_name("cover.jpg"))
    return main(["-q", "--to", "json" if row == "json" else "epub", "-o", out, source])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--run", nargs=3, metavar=("ROW", "SOURCE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        sys.exit(_run(*args.run))
    source = str(corpus(args.posts))
    env = {**RUN_ENV, "PYTHONPATH": str(ROOT)}
    seconds: dict[str, list[float]] = {row: [] for row in ROWS}
    with tempfile.TemporaryDirectory() as work:
        def timed(row: str) -> float:
            start = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--run", row, source, str(Path(work) / "out")], check=True,
                           env=env, stdout=subprocess.DEVNULL)
            return time.perf_counter() - start

        sys.path.insert(0, str(ROOT))  # this checkout's convert, as in the runs
        from convert.writers.epub import generated_cover

        (Path(work) / "cover.jpg").write_bytes(generated_cover("cover", "2022", "bench"))
        for row in ROWS:  # a first run each: bytecode written, files in the page cache
            timed(row)
        for _ in range(args.rounds):
            for row in ROWS:
                seconds[row].append(timed(row))
    fastest, median = min(seconds["json"]), statistics.median(seconds["json"])
    print(f"{args.posts} posts, {args.rounds} rounds")
    print(f"{'row':18} {'fastest':>8} {'median':>8} {'fastest/json':>13} {'median/json':>12}")
    for row, runs in seconds.items():
        print(f"{row:18} {min(runs):8.3f} {statistics.median(runs):8.3f} {min(runs) / fastest:12.2f}x"
              f" {statistics.median(runs) / median:11.2f}x")


if __name__ == "__main__":
    main()
