"""Feed benchmark: 10,000 posts into feeds, against Hugo and Jekyll + jekyll-feed in the same run.

    .venv/bin/python bench/feed_bench.py [--posts 10000] [--repeat 3] [--jekyll-repeat 1]

Builds the corpus with ../shared/tools/make_corpus.py (cached under bench/results/,
shared with read_bench.py), then times end to end, each a fresh process, in --repeat
rounds of every row (fastest round of each):

* ``convert --to atom`` / ``rss`` / ``jsonfeed`` with ``--no-feed-archives``: the
  main feed (newest 20, full content) and every category and tag feed -- what the
  baselines write, plus the tag feeds; front matter is read for every post, bodies
  only for the entries used (as Hugo renders content only where a page uses it);
* the same with RFC 5005 archive pages holding every older post, so every body is
  rendered -- far more than the baselines write;
* Hugo, twice, on a minimal site whose ``content/posts/`` holds the same posts (Hugo
  reads their YAML front matter), with RSS as the only list output -- home (newest 20)
  and one feed per category -- through a one-file layout that puts full content in:
  "feeds only" renders no page of its own for a post (only what the feeds use: the
  strictest comparison, what convert writes); "full build" also writes each post's page
  through a one-line layout, as a site build does -- the issue's baseline ("Hugo's full
  build ... RSS only, about 3.3 s": 2.5-3 s here, against about 1.1 s for feeds only);
  its 10,000 pages go to a memory file system where there is one, so that the disk does
  not slow Hugo down;
* Jekyll with jekyll-feed: the full site build with the main feed and a feed per
  category; about two minutes, so it runs --jekyll-repeat times (1 by default).

Prints seconds and the ratio to each Hugo row (the goal: convert at most half of Hugo's
time), and writes bench/results/feed.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, best, corpus, timed  # noqa: E402  (a script, not a package)
URL = "https://example.org"
FEED_SIZE = 20

HUGO_CONFIG = f"""\
baseURL = "{URL}/"
title = "Feed bench"
timeZone = "Asia/Shanghai"
languageCode = "zh-CN"
# RSS only: no page of its own for a post (its content is still rendered, for the feeds),
# no sitemap, no list of categories; a feed per category ("term") stays.
disableKinds = ["sitemap", "robotsTXT", "404", "taxonomy"]
ignoreErrors = ["error-disable-taxonomy"]
[[cascade]]
  [cascade._build]
    render = "never"
    list = "always"
  [cascade._target]
    kind = "page"
[taxonomies]
  category = "categories"
[outputs]
  home = ["RSS"]
  section = ["RSS"]
  term = ["RSS"]
[services.rss]
  limit = {FEED_SIZE}
"""

# Hugo's own RSS template, cut down, with .Content instead of .Summary: full content, like ours.
# Posts render no page of their own, so .Permalink is empty: the link is Hugo's default path.
HUGO_RSS = """\
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<rss version="2.0"><channel><title>{{ .Site.Title }}</title><link>{{ .Permalink }}</link>
{{- $pages := .RegularPages }}{{ if .IsHome }}{{ $pages = .Site.RegularPages }}{{ end }}
{{- range first 20 $pages.ByDate.Reverse }}
{{- $link := absURL (printf "posts/%s/" .File.ContentBaseName) }}
<item><title>{{ .Title }}</title><link>{{ $link }}</link><guid>{{ $link }}</guid>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" }}</pubDate>
{{- range .GetTerms "categories" }}<category>{{ .LinkTitle }}</category>{{ end }}
<description>{{ .Content | html }}</description></item>
{{- end }}
</channel></rss>
"""





FEEDS_ONLY = "hugo (feeds only, no post pages)"
FULL_BUILD = "hugo (full build: pages + RSS)"


def convert_row(source: Path, fmt: str, out: Path, archives: bool) -> float:
    shutil.rmtree(out, ignore_errors=True)
    return timed([sys.executable, "-m", "convert", "-q", "--to", fmt, "--limit", str(FEED_SIZE),
                  *([] if archives else ["--no-feed-archives"]),
                  "--metadata", f"url={URL}", "--metadata", "title=Feed bench",
                  "--metadata", "timezone=Asia/Shanghai", "-o", str(out), str(source)])


# The full build: the same site and feeds, and a page for each post and list.
HUGO_FULL_CONFIG = HUGO_CONFIG.split("# RSS only:")[0] + HUGO_CONFIG[HUGO_CONFIG.index("[taxonomies]"):]
HUGO_FULL_LAYOUTS = {"single.html": "<html><body><h1>{{ .Title }}</h1>{{ .Content }}</body></html>\n",
                     "list.html": "<html><body>{{ range .Pages }}<a href=\"{{ .Permalink }}\">{{ .Title }}</a>"
                                  "{{ end }}</body></html>\n"}


def hugo_site(source: Path, site: Path, full: bool = False) -> None:
    shutil.rmtree(site, ignore_errors=True)
    (site / "content").mkdir(parents=True)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "hugo.toml").write_text(HUGO_FULL_CONFIG if full else HUGO_CONFIG, encoding="utf-8")
    (site / "layouts" / "_default" / "rss.xml").write_text(HUGO_RSS, encoding="utf-8")
    for name, text in (HUGO_FULL_LAYOUTS.items() if full else ()):
        (site / "layouts" / "_default" / name).write_text(text, encoding="utf-8")
    (site / "content" / "posts").symlink_to(source.resolve())  # Hugo follows a symlinked content folder


def hugo_row(site: Path, public: Path) -> float:
    shutil.rmtree(public, ignore_errors=True)
    return timed(["hugo", "--quiet", "-s", str(site), "-d", str(public)])


def jekyll_site(source: Path, site: Path) -> None:
    shutil.rmtree(site, ignore_errors=True)
    (site / "_layouts").mkdir(parents=True)
    categories = sorted({c for path in source.glob("*.md") for c in _categories(path)})
    (site / "_config.yml").write_text(
        f"url: {URL}\ntitle: Feed bench\ntimezone: Asia/Shanghai\nlang: zh-CN\nplugins:\n  - jekyll-feed\n"
        f"feed:\n  posts_limit: {FEED_SIZE}\n  categories:\n" + "".join(f"    - {json.dumps(c)}\n" for c in categories),
        encoding="utf-8")
    (site / "_layouts" / "post.html").write_text("{{ content }}", encoding="utf-8")
    (site / "_posts").symlink_to(source.resolve())


def _categories(path: Path) -> list[str]:
    # The corpus writes "categories: a b" on one line; Jekyll splits it on spaces.
    front = path.read_text(encoding="utf-8").split("\n---", 1)[0]
    match = re.search(r"^categories:[ \t]*(.+)$", front, re.M)
    return match.group(1).split() if match else []


def jekyll_row(site: Path) -> float:
    shutil.rmtree(site / "_site", ignore_errors=True)
    with tempfile.TemporaryDirectory() as home:
        return timed(["jekyll", "build", "--quiet", "-s", str(site), "-d", str(site / "_site")],
                     env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": home})


def count_files(folder: Path, suffix: str) -> int:
    return sum(1 for _ in folder.rglob(f"*{suffix}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jekyll-repeat", type=int, default=1)
    parser.add_argument("--no-jekyll", action="store_true", help="leave out the two-minute Jekyll build")
    args = parser.parse_args()
    source = corpus(args.posts)
    files = sorted(source.glob("*.md"))
    work = RESULTS / "feed-work"
    hugo_site(source, work / "hugo")
    hugo_site(source, work / "hugo-full", full=True)
    memory = Path("/dev/shm")
    full_public = Path(tempfile.mkdtemp(prefix="hugo-full-", dir=memory if memory.is_dir() else None))
    runs: dict[str, tuple[Callable[[], float], Path, str]] = {}
    for archives in (False, True):
        for fmt in ("atom", "rss", "jsonfeed"):
            name = f"convert --to {fmt}" + (" (+archives)" if archives else "")
            runs[name] = (lambda fmt=fmt, archives=archives: convert_row(source, fmt, work / fmt, archives),
                          work / fmt, ".json" if fmt == "jsonfeed" else ".xml")
    runs[FEEDS_ONLY] = (lambda: hugo_row(work / "hugo", work / "hugo" / "public"), work / "hugo" / "public", ".xml")
    runs[FULL_BUILD] = (lambda: hugo_row(work / "hugo-full", full_public), full_public, ".xml")
    # Round by round, every row once a round: a machine that gets busier or quieter during
    # the run then weighs on every row alike, and each row keeps its fastest round.
    times: dict[str, list[float]] = {name: [] for name in runs}
    outputs: dict[str, int] = {}
    for _ in range(args.repeat):
        for name, (run, out, suffix) in runs.items():
            times[name].append(run())
            outputs[name] = count_files(out, suffix)
    rows = {name: min(seconds) for name, seconds in times.items()}
    if not args.no_jekyll:
        jekyll_site(source, work / "jekyll")
        rows["jekyll + jekyll-feed"] = best(lambda: jekyll_row(work / "jekyll"), args.jekyll_repeat)
        outputs["jekyll + jekyll-feed"] = count_files(work / "jekyll" / "_site" / "feed", ".xml") + 1
    shutil.rmtree(full_public, ignore_errors=True)
    feeds_only, full_build = rows[FEEDS_ONLY], rows[FULL_BUILD]
    print(f"{len(files)} posts, {os.cpu_count()} cores, best of {args.repeat} (jekyll: {args.jekyll_repeat})")
    print(f"{'what':36} {'seconds':>8} {'vs hugo feeds only':>19} {'vs hugo full build':>19} {'feeds':>6}")
    for name, seconds in rows.items():
        print(f"{name:36} {seconds:8.3f} {seconds / feeds_only:18.2f}x {seconds / full_build:18.2f}x "
              f"{outputs[name]:6d}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "feed.json").write_text(json.dumps(
        {"posts": len(files), "cores": os.cpu_count(), "repeat": args.repeat, "jekyll_repeat": args.jekyll_repeat,
         "seconds": rows, "vs_hugo_feeds_only": {k: v / feeds_only for k, v in rows.items()},
         "vs_hugo_full_build": {k: v / full_build for k, v in rows.items()}, "feed_files": outputs},
        indent=2) + "\n")


if __name__ == "__main__":
    main()
