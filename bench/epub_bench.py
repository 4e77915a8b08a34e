"""EPUB benchmark: anthologies of 200 and 2,000 real-corpus posts, against pandoc and calibre.

    .venv/bin/python bench/epub_bench.py [--sizes 200 2000] [--repeat 3]

It runs the ``convert`` package of the checkout it lives in (``python -m convert`` with that
checkout first on PYTHONPATH), so a worktree measures its own code.

For each size, in the same run (best of --repeat; peak memory of the child process; the two
``convert`` commands take turns, so that the ratio holds on a shared, busy machine):

* ``convert --to json`` on the posts: the cost of reading them, the yardstick for
  "writing the book costs at most half of reading them";
* ``convert --to epub``: one anthology;
* ``pandoc -o book.epub`` on the same post files (skipped when pandoc is missing);
* ``ebook-convert`` (calibre) on pandoc's HTML of the same posts (skipped without calibre).

Goals (issue #5): the 2,000-post book in at most a tenth of pandoc's time AND at most
1.5 times ``convert --to json``, with peak memory below 300 MB. Writes bench/results/epub.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, ROOT, RUN_ENV, corpus  # noqa: E402  (a script, not a package)

# This checkout's code, whichever interpreter runs the bench (a worktree has no .venv of its own).
CONVERT = [sys.executable, "-m", "convert"]
_ENV = {**RUN_ENV, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))}


_PEAK = ("import resource, subprocess, sys\n"
         "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def measured(args: list[str]) -> tuple[float, float]:
    """(wall seconds, peak resident MB) of one command. A fresh wrapper process runs it, so
    the peak is this command's own (RUSAGE_CHILDREN keeps the largest child ever seen)."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _PEAK, *args], check=True, capture_output=True, text=True, env=_ENV)
    seconds = time.perf_counter() - start
    return seconds, int(out.stdout.split()[-1]) / 1024


def best_of(repeat: int, args: list[str]) -> tuple[float, float]:
    runs = [measured(args) for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs)


def best_of_alternating(repeat: int, commands: dict[str, list[str]]) -> dict[str, tuple[float, float]]:
    """``best_of`` for each command, their runs taken in turn: a change in the machine's load
    (other work on a shared machine) then weighs on all of them alike, and their ratio holds."""
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, args in commands.items():
            runs[name].append(measured(args))
    return {name: (min(r[0] for r in rs), max(r[1] for r in rs)) for name, rs in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-baselines", action="store_true",
                        help="time convert only (json and epub), without pandoc and calibre (minutes at 2,000 posts)")
    args = parser.parse_args()
    results: dict[str, dict[str, list[float]]] = {}
    for size in args.sizes:
        source = corpus(size)
        posts = sorted(str(p) for p in source.glob("*.md"))
        rows: dict[str, tuple[float, float]] = {}
        with tempfile.TemporaryDirectory() as work:
            work_dir = Path(work)
            rows.update(best_of_alternating(args.repeat, {
                "convert --to json (reading)": [*CONVERT, "-q", "--to", "json", "-o", str(work_dir / "all.json"),
                                                str(source)],
                "convert --to epub": [*CONVERT, "-q", "--to", "epub", "-o", str(work_dir / "book.epub"), str(source)],
            }))
            if shutil.which("pandoc") and not args.no_baselines:
                rows["pandoc -o book.epub"] = best_of(
                    1 if size > 500 else args.repeat,
                    ["pandoc", "-f", "markdown", "-o", str(work_dir / "pandoc.epub"), "--metadata", "title=bench", *posts])
            if shutil.which("ebook-convert") and shutil.which("pandoc") and not args.no_baselines:
                html = work_dir / "all.html"
                subprocess.run(["pandoc", "-f", "markdown", "-s", "--metadata", "title=bench", "-o", str(html), *posts],
                               check=True, stderr=subprocess.DEVNULL)
                rows["ebook-convert (calibre)"] = best_of(1, ["ebook-convert", str(html), str(work_dir / "c.epub")])
        reading = rows["convert --to json (reading)"][0]
        print(f"\n{size} posts, best of {args.repeat} (pandoc/calibre once above 500 posts)")
        print(f"{'what':32} {'seconds':>8} {'peak MB':>8} {'vs reading':>11}")
        for name, (seconds, peak) in rows.items():
            print(f"{name:32} {seconds:8.2f} {peak:8.0f} {seconds / reading:10.2f}x")
        if "pandoc -o book.epub" in rows:
            print(f"convert/pandoc: {rows['convert --to epub'][0] / rows['pandoc -o book.epub'][0]:.3f}")
        results[str(size)] = {name: list(values) for name, values in rows.items()}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "epub.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
