"""PDF benchmark (issue #6): per-article PDFs, a 400-page volume and a 2,000-page volume.

    .venv/bin/python bench/pdf_bench.py [--posts 200] [--big 1000] [--pandoc-sample 10] [--only volume]

Seed-sized posts (``make_corpus.py N DIR --long-share 1``), A4. In the same run:

* ``--each``: ``convert --to pdf --each`` on --posts posts, against (a) plain WeasyPrint
  laying out the very HTML documents the writer makes, one after the other in one
  process ("WeasyPrint's own layout time"; stock WeasyPrint PDF writing, and again with
  ``convert.pdf_output``'s cheaper writing and ``convert.pdf_leaders``; both with
  ``convert.cjk_justify``, so the pages are the same), and (b) ``pandoc --pdf-engine=weasyprint``
  once per post, timed on --pandoc-sample posts;
* a volume of the same posts: ``convert --to pdf`` (laid out in parts on every core),
  against one WeasyPrint call on the same HTML (the writer's own one-call document;
  stock PDF writing, and again with ``convert.pdf_output`` and ``convert.pdf_leaders``)
  and ``pandoc --pdf-engine=weasyprint`` on all the posts at once;
* memory: a volume of --big posts (about 2,000 pages): peak resident memory of the
  whole process tree (convert and its layout children), sampled every 20 ms, against
  the one-call WeasyPrint peak for the --posts volume.

The volume's ratio is given twice: against the one call's own time (strict: our command's start-up
and reading count against us), and against its whole process (like for like).

Goals: --each at least 10x faster than pandoc + weasyprint per post and within 2x of
WeasyPrint's own time; the volume at least 1.6x faster than one WeasyPrint call and
faster than pandoc; the 2,000-page volume under 500 MB. Writes bench/results/pdf.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, ROOT, SHARED  # noqa: E402  (a script, not a package)

CONVERT = str(ROOT / ".venv" / "bin" / "convert")
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def seed_corpus(posts: int) -> Path:
    """``posts`` seed-sized posts, built once and kept."""
    target = RESULTS / f"corpus-seed-{posts}"
    if not (target / ".done").exists():
        subprocess.run([sys.executable, str(SHARED / "tools" / "make_corpus.py"), str(posts), str(target),
                        "--long-share", "1"], check=True, stdout=subprocess.DEVNULL)
        (target / ".done").write_text("")
    return target


def tree_rss_mb(pid: int) -> float:
    """Memory of ``pid`` and all its descendants: the sum of their proportional set sizes (PSS),
    so pages a forked child shares with its parent count once, not once per process."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                total += next(int(line.split()[1]) * 1024 for line in f if line.startswith("Pss:"))
        except (OSError, StopIteration):
            pass
        stack.extend(children.get(p, []))
    return total / 1024 / 1024


def run_measured(args: list[str]) -> tuple[float, float]:
    """(wall seconds, peak MB of the whole process tree) of one command: timed in one run, its memory
    sampled (every 0.25 s) in a second one, since reading every process's smaps costs CPU too."""
    start = time.perf_counter()
    subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0.0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_mb(process.pid))
            time.sleep(0.25)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, err = process.communicate()
    done.set()
    sampler.join()
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{args[0]} failed: {err.decode()[-2000:]}")
    return seconds, peak


# The writer's own HTML, laid out by WeasyPrint in one process: the baselines "one call" and "its own time".
_PLAIN = r"""
import json, resource, sys, time
from convert.options import WriteOptions
from convert.reader.collection import read
from convert.writers.pdf import PdfWriter, render_pdf, RenderJob, _warm_up
mode, source = sys.argv[1], sys.argv[2]
collection = read([source]).collection
writer = PdfWriter(WriteOptions(paper="A4"))
writer._prepare()
if mode.endswith("-stock"):  # WeasyPrint's own PDF writing; the layout keeps convert.cjk_justify, so pages match
    from convert import pdf_leaders, pdf_output
    pdf_output.uninstall()
    pdf_leaders.uninstall()
    mode = mode[:-len("-stock")]
_warm_up()
articles = sorted(collection.articles, key=lambda a: (a.date, a.id))
if mode == "volume":
    plan = writer._plan(collection, articles)
    jobs = [RenderJob(writer._html(plan, front=True, articles=True), writer._stylesheets(), plan.allowed)]
else:
    jobs = []
    for article in articles:
        plan = writer._plan(collection.with_articles([article]), [article])
        jobs.append(RenderJob(writer._html(plan, front=False, articles=True), writer._stylesheets(), plan.allowed))
start = time.perf_counter()
for job in jobs:
    render_pdf(job)
print(json.dumps({"seconds": time.perf_counter() - start, "documents": len(jobs),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def plain_weasyprint(mode: str, source: Path) -> dict:
    """The baseline's own timing (layout and PDF only), and its whole process's (start-up, imports,
    reading the posts, like the convert command it is compared with)."""
    start = time.perf_counter()
    out = subprocess.run([PYTHON, "-c", _PLAIN, mode, str(source)], check=True, capture_output=True, text=True,
                         cwd=ROOT)
    result = json.loads(out.stdout.splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - start
    return result


def pdf_pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--big", type=int, default=1000, help="posts in the big volume (about 2 pages each)")
    parser.add_argument("--pandoc-sample", type=int, default=10)
    parser.add_argument("--only", choices=("each", "volume", "big"), action="append",
                        help="run only this part (repeatable); bench/results/pdf.json is then left alone")
    args = parser.parse_args()
    chosen = set(args.only or ("each", "volume", "big"))
    results: dict = {"cores": len(os.sched_getaffinity(0))}
    source = seed_corpus(args.posts)
    posts = sorted((source / "_posts").glob("*.md")) if (source / "_posts").is_dir() else sorted(source.glob("*.md"))

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # --- per-article PDFs ---
        if "each" in chosen:
            seconds, peak = run_measured([CONVERT, "-q", "--to", "pdf", "--each", "--paper", "A4", "-o",
                                          str(tmp / "each"), str(source)])
            each_pages = sum(pdf_pages(p) for p in (tmp / "each").glob("*.pdf"))
            plain = plain_weasyprint("each-stock", source)
            tuned = plain_weasyprint("each", source)
            each = {"posts": len(posts), "pages": each_pages, "convert_s": seconds, "convert_ms_per_post":
                    1000 * seconds / len(posts), "weasyprint_ms_per_post": 1000 * plain["seconds"] / plain["documents"],
                    "weasyprint_tuned_ms_per_post": 1000 * tuned["seconds"] / tuned["documents"], "peak_mb": peak}
            if shutil.which("pandoc"):
                sample = posts[: args.pandoc_sample]
                start = time.perf_counter()
                for post in sample:
                    subprocess.run(["pandoc", "-f", "markdown", str(post),
                                    "--pdf-engine=" + str(ROOT / ".venv" / "bin" / "weasyprint"),
                                    "-o", str(tmp / "pandoc-each.pdf")], check=True, capture_output=True)
                each["pandoc_ms_per_post"] = 1000 * (time.perf_counter() - start) / len(sample)
                each["pandoc_ratio"] = each["pandoc_ms_per_post"] / each["convert_ms_per_post"]
            each["ratio_to_weasyprint"] = each["convert_ms_per_post"] / each["weasyprint_ms_per_post"]
            each["ratio_to_weasyprint_tuned"] = each["convert_ms_per_post"] / each["weasyprint_tuned_ms_per_post"]
            results["each"] = each
            print(json.dumps({"each": each}, indent=1), flush=True)

        # --- a volume of the same posts ---
        if "volume" in chosen:
            seconds, peak = run_measured([CONVERT, "-q", "--to", "pdf", "--paper", "A4", "-o", str(tmp / "v.pdf"),
                                          str(source)])
            plain = plain_weasyprint("volume-stock", source)
            tuned = plain_weasyprint("volume", source)
            volume = {"posts": len(posts), "pages": pdf_pages(tmp / "v.pdf"), "convert_s": seconds,
                      "convert_peak_mb": peak,
                      "one_call_s": plain["seconds"], "one_call_process_s": plain["process_seconds"],
                      "one_call_peak_mb": plain["peak_mb"],
                      # Strict: the call's own time against our whole command (start-up and reading included).
                      "speedup_vs_one_call": plain["seconds"] / seconds,
                      # Like for like: both whole processes, each reading the posts.
                      "speedup_vs_one_call_process": plain["process_seconds"] / seconds,
                      # Stricter still: the one call with convert.pdf_output's cheaper PDF writing and
                      # convert.pdf_leaders too.
                      "one_call_tuned_s": tuned["seconds"], "speedup_vs_one_call_tuned": tuned["seconds"] / seconds}
            if shutil.which("pandoc"):
                start = time.perf_counter()
                subprocess.run(["pandoc", "-f", "markdown", *map(str, posts),
                                "--pdf-engine=" + str(ROOT / ".venv" / "bin" / "weasyprint"),
                                "-o", str(tmp / "pandoc.pdf")], check=True, capture_output=True)
                volume["pandoc_s"] = time.perf_counter() - start
                volume["speedup_vs_pandoc"] = volume["pandoc_s"] / seconds
            results["volume"] = volume
            print(json.dumps({"volume": volume}, indent=1), flush=True)

        # --- memory: about 2,000 pages ---
        if "big" in chosen:
            big = seed_corpus(args.big)
            seconds, peak = run_measured([CONVERT, "-q", "--to", "pdf", "--paper", "A4", "-o", str(tmp / "big.pdf"),
                                          str(big)])
            results["big"] = {"posts": args.big, "pages": pdf_pages(tmp / "big.pdf"), "convert_s": seconds,
                              "peak_mb": peak}
            print(json.dumps({"big": results["big"]}, indent=1), flush=True)

    if args.only:
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "pdf.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
