"""Reader benchmark: 10,000 real-corpus posts into models, against baselines in the same run.

    .venv/bin/python bench/read_bench.py [--posts 10000] [--repeat 3]

Builds the corpus with ../shared/tools/make_corpus.py (cached under
bench/results/), then times, each in a fresh process and best of --repeat:

* ``cat``: reading the bytes, the floor;
* naive: python-frontmatter + markdown-it-py over every file, one process;
* convert: ``convert.read()`` -- front matter, Jekyll dates and permalinks,
  Liquid, kramdown-compatible Markdown, sanitizing -- on every core;
* convert CLI: ``convert --to json`` end to end, start-up and JSON writing included.

Prints a table with ratios to the naive loop, and writes bench/results/read.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, ROOT, best, corpus, timed  # noqa: E402  (a script, not a package)

NAIVE = """
import sys, time, glob, frontmatter
from markdown_it import MarkdownIt
files = sorted(glob.glob(sys.argv[1] + "/**/*.md", recursive=True))
md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
start = time.perf_counter()
for name in files:
    post = frontmatter.load(name)
    md.render(post.content)
print(time.perf_counter() - start)
"""

CONVERT = """
import sys, time
start = time.perf_counter()
import convert
report = convert.read([sys.argv[1]])
elapsed = time.perf_counter() - start
assert len(report.collection.articles) + len(report.failures) + len(report.skipped) >= int(sys.argv[2]) * 0.99, report
print(elapsed)
"""





def timed_script(script: str, *args: str) -> float:
    out = subprocess.run([sys.executable, "-c", script, *args], check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    source = corpus(args.posts)
    files = sorted(str(p) for p in source.rglob("*.md"))
    size = sum(os.path.getsize(f) for f in files)
    out_json = RESULTS / "read-out.json"
    rows = {
        "cat": best(lambda: timed(["sh", "-c", f"cat {source}/*.md > /dev/null"]), args.repeat),
        "naive frontmatter+markdown-it": best(lambda: timed_script(NAIVE, str(source)), args.repeat),
        "convert.read()": best(lambda: timed_script(CONVERT, str(source), str(args.posts)), args.repeat),
        "convert --to json (CLI)": best(lambda: timed(
            [str(ROOT / ".venv" / "bin" / "convert"), "-q", "--to", "json", "-o", str(out_json), str(source)]),
            args.repeat),
    }
    naive = rows["naive frontmatter+markdown-it"]
    print(f"{len(files)} posts, {size / 1e6:.1f} MB, {os.cpu_count()} cores, best of {args.repeat}")
    print(f"{'what':34} {'seconds':>8} {'vs naive':>9}")
    for name, seconds in rows.items():
        print(f"{name:34} {seconds:8.3f} {seconds / naive:8.2f}x")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "read.json").write_text(json.dumps({"posts": len(files), "bytes": size, "seconds": rows}, indent=2))


if __name__ == "__main__":
    main()
