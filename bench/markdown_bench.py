"""Markdown writer benchmark: 10,000 real-corpus posts to Markdown, against pandoc in the same run.

    .venv/bin/python bench/markdown_bench.py [--posts 10000] [--repeat 3]

Rows (best of --repeat):

* ``pandoc -f html -t gfm`` on the same bodies (the model's canonical HTML) joined
  into one HTML document: one process, so its start-up does not count against it;
* the Markdown writer alone, in-process, over the same collection (``--each`` shape:
  one document per article, front matter included);
* ``convert --to markdown --each`` end to end (reading included).

Prints seconds and ratios to pandoc; writes bench/results/markdown.json. Goal: at
least 5 times faster than pandoc.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, ROOT, best, corpus, timed  # noqa: E402  (a script, not a package)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("pandoc") is None:
        sys.exit("pandoc is not installed (apt-get install pandoc)")
    source = corpus(args.posts)

    import convert
    from convert.writers.markdown import MarkdownWriter

    collection = convert.read([source]).collection
    joined = RESULTS / "markdown-bodies.html"
    joined.write_text("<html><body>\n" + "\n<hr />\n".join(a.body for a in collection.articles) + "\n</body></html>\n",
                      encoding="utf-8")

    def writer_alone() -> float:
        writer = MarkdownWriter()
        start = time.perf_counter()
        for article in collection.articles:
            writer.render(collection.with_articles([article]))
        return time.perf_counter() - start

    def end_to_end() -> float:
        with tempfile.TemporaryDirectory() as out:
            return timed([str(ROOT / ".venv" / "bin" / "convert"), "-q", "--to", "markdown", "--each", "-o", out,
                          str(source)])

    rows = {
        "pandoc -f html -t gfm (one process)": best(
            lambda: timed(["pandoc", "-f", "html", "-t", "gfm", "-o", "/dev/null", str(joined)]), args.repeat),
        "markdown writer alone": best(writer_alone, args.repeat),
        "convert --to markdown --each (CLI)": best(end_to_end, args.repeat),
    }
    pandoc = rows["pandoc -f html -t gfm (one process)"]
    print(f"{len(collection.articles)} posts, best of {args.repeat}")
    print(f"{'what':38} {'seconds':>8} {'pandoc/this':>12}")
    for name, seconds in rows.items():
        print(f"{name:38} {seconds:8.3f} {pandoc / seconds:11.2f}x")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "markdown.json").write_text(json.dumps({"posts": len(collection.articles), "seconds": rows}, indent=2))


if __name__ == "__main__":
    main()
