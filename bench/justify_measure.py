"""Justified CJK text: the share of non-final lines short of the right margin, before and after.

    .venv/bin/python bench/justify_measure.py [--show N]          # build the volumes, measure both ways
    .venv/bin/python bench/justify_measure.py a.pdf ... [--em PT]  # measure existing PDFs

Without PDFs: builds the reference zh-CN A5 volume (tests/support/justify_oracle.py:
every article's title as a heading, its body justified in Noto Serif CJK SC 10.5pt
with a 2em first-line indent, mirrored margins) from the shared corpus's finews
posts and from the seed post, read with ``convert.read``; renders each with plain
WeasyPrint ("before") and with ``convert.cjk_justify`` installed ("after"); and
measures both with the ``pdftotext -bbox`` oracle, non-final lines known exactly
from the text of the volume (the geometric rule used for other PDFs is run too and
must agree). Two measures: 30 ems (a whole number of characters, as Chinese books
are set) and 111 mm (whatever the margins give); URLs breakable at any character
(as Chinese books break them), and once as they are (they break only at ``/`` and
the like, leaving lines that no justification can fill unseen). Goal (issue #6):
at most 0.5% of non-final lines more than 0.1 em short. Writes
bench/results/justify.json; the PDFs stay in bench/results/justify/.

With PDFs: the same oracle with the geometric rule (paragraphs start indented;
``--em`` defaults to the most common indent / 2; ``--pages 3-`` leaves out a title
page and contents, whose entries are not paragraphs).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import RESULTS, SHARED  # noqa: E402  (a script, not a package)
from tests.support.justify_oracle import (FONT_SIZE_PT, Measurement, block_texts, measure,  # noqa: E402
                                          volume_css, volume_html)


def render(document: str, measure_name: str, target: Path, justify: bool) -> float:
    """Render ``document`` to ``target``; seconds taken."""
    from weasyprint import CSS, HTML

    from convert import cjk_justify

    css = CSS(string=volume_css(measure_name))
    start = time.perf_counter()
    if justify:
        with cjk_justify.enabled() as ok:
            if not ok:
                raise SystemExit(f"cjk_justify is unavailable: {cjk_justify.unavailable_reason()}")
            HTML(string=document, base_url=str(SHARED)).write_pdf(target, stylesheets=[css])
    else:
        HTML(string=document, base_url=str(SHARED)).write_pdf(target, stylesheets=[css])
    return time.perf_counter() - start


def pages(pdf: Path) -> int:
    import subprocess

    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def describe(result: Measurement) -> str:
    return f"{len(result.short):4d} / {result.nonfinal:4d} = {100 * result.share:5.2f}%"


def show(result: Measurement, count: int) -> None:
    for line, gap in sorted(result.short, key=lambda item: -item[1])[:count]:
        print(f"      p.{line.page:<3d} {gap:5.2f} em short  {line.text[:60]}")


# (volume, measure, URLs): the recommended set-up on both measures, then URLs left as they are.
RUNS = [("finews", "30em", "anywhere"), ("finews", "111mm", "anywhere"), ("seed", "30em", "anywhere"),
        ("seed", "111mm", "anywhere"), ("finews", "30em", "as-is"), ("seed", "30em", "as-is")]


def build_and_measure(args) -> None:
    out_dir = RESULTS / "justify"
    out_dir.mkdir(parents=True, exist_ok=True)
    sources = {"finews": [SHARED / "corpus" / "finews"], "seed": sorted((SHARED / "seeds").glob("*.txt"))}
    results = {}
    print("non-final lines more than 0.1 em short of the right margin (short / non-final)")
    print(f"{'volume':7s} {'measure':7s} {'URLs':8s} {'pages':>5s}  {'before (WeasyPrint)':22s}  "
          f"{'after (cjk_justify)':22s}  render s")
    for name, measure_name, urls in RUNS:
        document = volume_html(sources[name], breakable_urls=urls == "anywhere")
        paragraphs = block_texts(document)
        row = {}
        for state in ("before", "after"):
            pdf = out_dir / f"{name}-{measure_name}-urls-{urls}-{state}.pdf"
            seconds = render(document, measure_name, pdf, justify=state == "after")
            row[state] = (measure(pdf, em=FONT_SIZE_PT, paragraphs=paragraphs), seconds, pdf)
            geometric = measure(pdf)
            if (len(geometric.short), geometric.nonfinal) != (len(row[state][0].short), row[state][0].nonfinal):
                print(f"  {pdf.name}: the geometric rule disagrees: {describe(geometric)}")
        (before, before_s, _), (after, after_s, after_pdf) = row["before"], row["after"]
        print(f"{name:7s} {measure_name:7s} {urls:8s} {pages(after_pdf):5d}  {describe(before):22s}  "
              f"{describe(after):22s}  {before_s:.1f} / {after_s:.1f}")
        if args.show:
            show(after, args.show)
        results[f"{name} {measure_name} urls-{urls}"] = {
            state: {"nonfinal": r.nonfinal, "short": len(r.short), "share": round(r.share, 4),
                    "over": len(r.over), "lines": r.lines, "seconds": round(seconds, 2)}
            for state, (r, seconds, _) in row.items()}
    (RESULTS / "justify.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"PDFs in {out_dir}; figures in {RESULTS / 'justify.json'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdfs", nargs="*", type=Path)
    parser.add_argument("--em", type=float, help="body font size in pt (default: inferred from the indent)")
    parser.add_argument("--show", type=int, default=0, metavar="N", help="list the N shortest lines")
    parser.add_argument("--pages", metavar="FIRST-LAST", help="measure only these pages (e.g. the articles)")
    args = parser.parse_args()
    if not args.pdfs:
        build_and_measure(args)
        return
    for pdf in args.pdfs:
        pages = None
        if args.pages:
            first, _, last = args.pages.partition("-")
            pages = range(int(first), int(last or 10**9) + 1)
        result = measure(pdf, em=args.em, pages=pages)
        edges = ", ".join(f"{'even' if parity == 0 else 'odd'} pages {result.left[parity]:.1f}-"
                          f"{result.right[parity]:.1f}" for parity in (1, 0) if parity in result.left)
        print(f"{pdf}: {describe(result)} short (em {result.em:.2f} pt; {edges}; "
              f"{len(result.over)} lines past the edge)")
        show(result, args.show)


if __name__ == "__main__":
    main()
