"""Real Jekyll as a test oracle for ``convert.reader.jekyll`` and ``convert.reader.liquid``.

``build_sites`` writes tiny Jekyll sites (one per ``Suite``: a site config plus
posts given as raw file name, raw front-matter text and body), runs ``jekyll
build`` for all of them concurrently and returns, per post, what Jekyll made of
it: ``page.id``, ``page.url``, ``page.date | date_to_xmlschema``, categories,
tags, title, slug, ``id | absolute_url``, the excerpt and the rendered content,
dumped as JSON by one Liquid page that loops over ``site.posts``.

Front matter is kept as raw text on purpose: the date rules depend on whether
YAML sees a timestamp or a string, i.e. on quoting.

``SUITES`` is the fixed set of cases the tests check; their Jekyll results are
committed in ``tests/reader/golden/jekyll_oracle.json`` so the comparisons run
without Jekyll, and a Jekyll-only test checks the golden still holds.
Re-record with ``python -m tests.support.jekyll_oracle --record`` and review the diff.
"""

from __future__ import annotations

import concurrent.futures
import re
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "reader" / "golden" / "jekyll_oracle.json"
CORPUS = Path("/work/shared/corpus")

# One Liquid page dumps every post; `jsonify` keeps the exact strings.
_FIELDS = {
    "id": "p.id",
    "url": "p.url",
    "date": "p.date | date_to_xmlschema",
    "categories": "p.categories",
    "tags": "p.tags",
    "title": "p.title",
    "slug": "p.slug",
    "abs_id": "p.id | absolute_url",
    "abs_url": "p.url | absolute_url",
    "excerpt": "p.excerpt",
    "content": "p.content",
}
DUMP_PAGE = (
    "---\nlayout: null\npermalink: /oracle-dump.json\n---\n["
    "{% for p in site.posts %}{"
    '"path": {{ p.relative_path | jsonify }}, '
    + ", ".join(f'"{k}": {{{{ {expr} | jsonify }}}}' for k, expr in _FIELDS.items())
    + "}{% unless forloop.last %},{% endunless %}{% endfor %}]\n"
)

BASE_CONFIG = "timezone: Asia/Shanghai\nurl: https://example.org\nbaseurl: /blog\ntitle: Oracle site\n"


@dataclass(frozen=True)
class Post:
    """One post file: ``path`` relative to the site root (``_posts/...`` by default)."""

    path: str
    front: str | None  # raw YAML between the --- lines; None = no front matter at all
    body: str = "Body.\n"

    def text(self) -> str:
        if self.front is None:
            return self.body
        return f"---\n{self.front}---\n{self.body}"


@dataclass(frozen=True)
class Suite:
    name: str
    config: str
    posts: tuple[Post, ...]
    extra_files: dict[str, str] = field(default_factory=dict)
    expect_error: bool = False  # Jekyll aborts the build (broken dates)


def jekyll_available() -> bool:
    return shutil.which("jekyll") is not None


def _write_site(suite: Suite, src: Path) -> None:
    (src / "_config.yml").write_text(suite.config, encoding="utf-8")
    (src / "oracle-dump.json").write_text(DUMP_PAGE, encoding="utf-8")
    for post in suite.posts:
        target = src / post.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(post.text(), encoding="utf-8")
    for rel, text in suite.extra_files.items():
        target = src / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def _build_one(suite: Suite) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"oracle-{suite.name}-") as tmp:
        src, dest = Path(tmp) / "src", Path(tmp) / "dest"
        src.mkdir()
        _write_site(suite, src)
        proc = subprocess.run(
            ["jekyll", "build", "--quiet", "-s", str(src), "-d", str(dest)],
            capture_output=True, text=True, timeout=300,
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": tmp},
        )
        if proc.returncode != 0:
            # The first line naming the error is what we record (the rest is a Ruby backtrace).
            lines = [_strip_ansi(ln).strip() for ln in (proc.stderr + proc.stdout).splitlines()]
            errors = [ln for ln in lines if "Error:" in ln and "could not read" in ln] or lines[:1]
            return {"error": errors[0].replace(str(src) + "/", "")}
        posts = json.loads((dest / "oracle-dump.json").read_text(encoding="utf-8"))
        out: dict = {"posts": {p.pop("path"): p for p in posts}}
        feed = dest / "feed.xml"
        if feed.exists():
            out["feed_ids"] = _feed_ids(feed.read_text(encoding="utf-8"))
        return out


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _feed_ids(xml: str) -> list[str]:
    """The raw (still XML-escaped) text of every entry ``<id>``: byte-level comparison."""
    import re

    return re.findall(r"<entry.*?<id>(.*?)</id>", xml, flags=re.S)


def build_sites(suites: list[Suite]) -> dict[str, dict]:
    """Build every suite with real Jekyll (concurrently); ``{suite name: result}``."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(_build_one, suites))
    return {s.name: r for s, r in zip(suites, results)}


# --- the cases ----------------------------------------------------------------

def _p(name: str, front: str | None, body: str = "Body.\n", folder: str = "_posts") -> Post:
    return Post(f"{folder}/{name}", front, body)


DATE_POSTS = (
    _p("2021-12-08-unquoted-naive.md", "title: t\ndate: 2021-12-08 13:16:19\n"),
    _p("2021-12-08-unquoted-late.md", "title: t\ndate: 2021-12-08 23:30:00\n"),
    _p("2021-12-08-quoted-naive.md", 'title: t\ndate: "2021-12-08 13:16:19"\n'),
    _p("2021-12-08-single-quoted.md", "title: t\ndate: '2021-12-08 13:16:19'\n"),
    _p("2022-05-27-offset-nocolon.md", "title: t\ndate: 2022-05-27 14:42:33 +0800\n"),
    _p("2022-05-27-offset-utc-nocolon.md", "title: t\ndate: 2022-05-27 14:42:33 +0000\n"),
    _p("2022-05-27-offset-colon.md", "title: t\ndate: 2022-05-27 14:42:33 +08:00\n"),
    _p("2022-05-27-offset-minus.md", "title: t\ndate: 2022-05-27 14:42:33 -05:00\n"),
    _p("2022-05-27-iso-utc.md", "title: t\ndate: 2022-05-27T14:42:33+00:00\n"),
    _p("2022-05-27-iso-z.md", "title: t\ndate: 2022-05-27T20:42:33Z\n"),
    _p("2022-05-27-iso-frac.md", "title: t\ndate: 2022-05-27T14:42:33.250+08:00\n"),
    _p("2022-05-27-iso-naive-t.md", "title: t\ndate: 2022-05-27T14:42:33\n"),
    _p("2022-05-27-iso-quoted-z.md", 'title: t\ndate: "2022-05-27T14:42:33Z"\n'),
    _p("2022-05-27-date-only.md", "title: t\ndate: 2022-05-27\n"),
    _p("2022-05-27-date-only-quoted.md", 'title: t\ndate: "2022-05-27"\n'),
    _p("2022-05-27-no-seconds.md", 'title: t\ndate: "2022-05-27 14:42"\n'),
    _p("2022-05-27-no-seconds-offset.md", "title: t\ndate: 2022-05-27 14:42 +0800\n"),
    _p("2020-01-01-front-wins.md", "title: t\ndate: 2022-05-27 14:42:33 +0800\n"),
    _p("2021-12-08-filename-only.md", "title: t\n"),
    _p("2021-1-8-short-parts.md", "title: t\n"),
    _p("2021-12-08-no-front-matter.md", None, "Plain.\n"),
    _p("2021-12-08-202112082206672930.md",
       "layout: post\ntitle: 中文\ndate: 2021-12-08 10:46:18\ncategories: emnews\ntags: 东财滚动新闻\n"),
)

# Each broken date aborts the whole build, so each is its own suite.
BROKEN_DATES = {
    "offset-only": "date:  +0800\n",
    "integer": "date: 1638936979\n",
    "empty": "date:\n",
    "words": "date: not a date\n",
}

PERMALINK_POSTS = (
    _p("2021-12-08-chinese-category.md", "title: t\ndate: 2021-12-08 10:00:00 +0800\ncategories: 新华财经\n"),
    _p("2021-12-08-spaced-category.md",
       "title: t\ndate: 2021-12-08 10:00:00 +0800\ncategories: [\"Foo Bar\", Baz]\n"),
    _p("2021-12-08-string-categories.md", "title: t\ndate: 2021-12-08 10:00:00 +0800\ncategories: Alpha beta ALPHA\n"),
    _p("2021-12-08-ideographic-space.md", "title: t\ndate: 2021-12-08 10:00:00 +0800\ncategories: 新闻　要闻\n"),
    _p("2021-12-08-singular-category.md",
       "title: t\ndate: 2021-12-08 10:00:00 +0800\ncategory: Solo\ncategories: [a, b]\n"),
    _p("2021-12-08-dup-categories.md", "title: t\ndate: 2021-12-08 10:00:00 +0800\ncategories: [x, X, x, 2021]\n"),
    _p("2021-12-08-folder-cats.md", "title: t\ndate: 2021-12-08 10:00:00 +0800\ncategories: [extra, news]\n",
       folder="news/World/_posts"),
    _p("2021-12-08-under-posts.md", "title: t\ndate: 2021-12-08 10:00:00 +0800\n", folder="_posts/sub/dir"),
    _p("2021-12-08-dotdot-category.md", "title: t\ndate: 2021-12-08 10:00:00 +0800\ncategories: [\"a..b\", \"./c\"]\n"),
    _p("2021-12-08-100%-sure.md", "title: t\ndate: 2021-12-08 10:00:00 +0800\n"),
    _p("2021-12-08-c#-and-c++.md", "title: t\ndate: 2021-12-08 10:00:00 +0800\n"),
    _p("2021-12-08-hello world.md", "title: t\ndate: 2021-12-08 10:00:00 +0800\n"),
    _p("2021-12-08-中文标题.md", "title: t\ndate: 2021-12-08 10:00:00 +0800\n"),
    _p("2021-12-08-Mixed-Case_under.score.md", "title: t\ndate: 2021-12-08 10:00:00 +0800\n"),
    _p("2021-12-08-trailing-dots...md", "title: t\ndate: 2021-12-08 10:00:00 +0800\n"),
    _p("2021-12-08-ques?tion&amp=1.md", "title: t\ndate: 2021-12-08 10:00:00 +0800\n"),
    _p("2021-12-08-slug-key.md", "title: t\ndate: 2021-12-08 10:00:00 +0800\nslug: My Slug! Ünïcode 新闻\n"),
    _p("2021-12-08-page-html.html", "title: t\ndate: 2021-12-08 10:00:00 +0800\ncategories: web\n"),
    _p("2021-12-08-markdown-ext.markdown", "title: t\ndate: 2021-12-08 10:00:00 +0800\n"),
    _p("2021-12-08-fm-permalink.md", "title: t\ndate: 2021-12-08 10:00:00 +0800\npermalink: /custom/:title/\n"),
    _p("2021-12-08-fm-literal.md", "title: t\ndate: 2021-12-08 10:00:00 +0800\npermalink: fixed/path.html\n"),
    _p("2021-12-08-fm-underscore.md", "title: t\ndate: 2021-12-08 10:00:00 +0800\npermalink: /:month_:day_:title\n"),
    _p("2021-12-08-fm-all.md",
       "title: t\ndate: 2021-12-08 09:05:07 +0800\ncategories: [News, 新闻]\nslug: All Fields\n"
       "permalink: /:year/:month/:day/:i_month/:i_day/:short_year/:hour-:minute-:second/:y_day/"
       ":week/:w_year/:w_day/:short_day/:long_day/:short_month/:long_month/:slug/:name/"
       ":categories/:slugified_categories/:collection/:path/:title:output_ext\n"),
    _p("2021-12-08-fm-pct.md", "title: t\ndate: 2021-12-08 10:00:00 +0800\npermalink: /a b/%41/中文/?x#y\n"),
    _p("2021-01-02-iso-week-edge.md", "title: t\ndate: 2021-01-02 10:00:00 +0800\n"),
    _p("2021-12-08-categories-nil-tags.md",
       "title: t\ndate: 2021-12-08 10:00:00 +0800\ncategories:\ntags: [b, a, b, 2021]\ntag: one\n"),
    _p("2021-12-08-tags-string.md", "title: t\ndate: 2021-12-08 10:00:00 +0800\ntags: 东财 滚动　新闻 x\n"),
)

TITLE_POSTS = (
    _p("2021-12-08-hello-world.md", "layout: null\n"),
    _p("2021-12-08-iPhone-x-REVIEW.md", "layout: null\n"),
    _p("2021-12-08-double--dash.md", "layout: null\n"),
    _p("2021-12-08-trailing-.md", "layout: null\n"),
    _p("2021-12-08--leading.md", "layout: null\n"),
    _p("2021-12-08-ünïcode-ßtraße.md", "layout: null\n"),
    _p("2021-12-08-202112082206703990.md", "layout: null\n"),
    _p("2021-12-08-under_score mixed.md", "layout: null\n"),
    _p("2021-12-08-empty-title.md", 'title: ""\n'),
)

LIQUID_POSTS = (
    _p("2010-07-21-name.html", "title: Target\ndate: 2010-07-21 10:00:00 +0800\n"),
    _p("2010-07-22-other.html", "title: Other\ndate: 2010-07-22 10:00:00 +0800\ncategories: news\n",
       folder="news/_posts"),
    _p("2021-12-08-liquid.html", "title: Liquid\ndate: 2021-12-08 10:00:00 +0800\nlayout: null\n",
       "A {{ site.title }} B {{ page.title }} C {% post_url 2010-07-21-name %} "
       "D {% post_url news/2010-07-22-other %} E {% link about.md %} "
       "F {% raw %}{{ kept }} {% if x %}{% endraw %} G {{ site.missing }}|\n"),
    _p("2021-12-08-excerpt-default.html", "title: E\ndate: 2021-12-08 10:00:00 +0800\nlayout: null\n",
       "First para\nstill first.\n\nSecond para.\n"),
    _p("2021-12-08-excerpt-more.html",
       "title: E\ndate: 2021-12-08 10:00:00 +0800\nlayout: null\nexcerpt_separator: <!--more-->\n",
       "Intro [ref] here.\n\nstill intro<!--more-->Rest.\n\n[ref]: https://example.org/r\n"),
    _p("2021-12-08-excerpt-none.html", "title: E\ndate: 2021-12-08 10:00:00 +0800\nlayout: null\n",
       "Only one paragraph.\n"),
)


def _permalink_suite(name: str, permalink: str) -> Suite:
    return Suite(name, BASE_CONFIG + f"permalink: {permalink}\n", PERMALINK_POSTS[:16] + PERMALINK_POSTS[24:25])


SUITES: tuple[Suite, ...] = (
    Suite("dates", BASE_CONFIG, DATE_POSTS),
    Suite("dates-utc", "timezone: UTC\nurl: https://example.org\n", DATE_POSTS[:12]),
    *(Suite(f"broken-{k}", BASE_CONFIG, (_p("2021-12-08-broken.md", "title: t\n" + v),), expect_error=True)
      for k, v in BROKEN_DATES.items()),
    Suite("permalinks", BASE_CONFIG, PERMALINK_POSTS + TITLE_POSTS),
    _permalink_suite("style-pretty", "pretty"),
    _permalink_suite("style-ordinal", "ordinal"),
    _permalink_suite("style-weekdate", "weekdate"),
    _permalink_suite("style-none", "none"),
    _permalink_suite("style-custom", "/blog/:categories/:title"),
    Suite("liquid", BASE_CONFIG, LIQUID_POSTS, extra_files={"about.md": "---\ntitle: About\n---\nHi\n"}),
    Suite("no-url", "timezone: Asia/Shanghai\n", PERMALINK_POSTS[:3]),
)


def finews_suite(feed_whitelisted: bool = True) -> Suite:
    """The real finews posts under ``_posts/`` with the site's own ``_config.yml``.

    ``safe: true`` makes Jekyll skip non-whitelisted plugins, so jekyll-feed only
    runs when it is whitelisted (as GitHub Pages does); the feed limit is raised
    so that every post gets an entry.
    """
    config = (CORPUS / "finews-site" / "_config.yml").read_text(encoding="utf-8")
    # The theme gem is not installed here and only supplies layouts the site overrides.
    config = config.replace("theme: jekyll-theme-minimal\n", "")
    if feed_whitelisted:
        config += "\nwhitelist:\n  - jekyll-feed\nfeed:\n  posts_limit: 100000\n"
    posts = []
    for path in sorted((CORPUS / "finews").glob("*.md")):
        posts.append(Post(f"_posts/{path.name}", None, path.read_text(encoding="utf-8")))
    layouts = {
        f"_layouts/{p.name}": "{{ content }}" for p in (CORPUS / "finews-site" / "_layouts").glob("*.html")
    }
    name = "finews" if feed_whitelisted else "finews-safe"
    return Suite(name, config, tuple(posts), extra_files=layouts)


def all_suites() -> list[Suite]:
    return [*SUITES, finews_suite(True), finews_suite(False)]


def load_golden() -> dict[str, dict]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def record_golden() -> None:
    results = build_sites(all_suites())
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(json.dumps(results, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--record"]:
        record_golden()
        print(f"wrote {GOLDEN}")
    else:
        print(json.dumps(build_sites(all_suites()), ensure_ascii=False, indent=1))


# --- what convert predicts for the same posts ---------------------------------------

_FRONT_MATTER = re.compile(r"\A(---\s*\n.*?\n?)^((---|\.\.\.)\s*$\n?)", re.M | re.S)


def site_config(suite: Suite) -> dict:
    import yaml

    return yaml.load(suite.config, Loader=yaml.CSafeLoader) or {}


def front_matter(text: str) -> tuple[dict, str]:
    """Front matter and body as Jekyll splits them (``---`` on the very first line)."""
    import yaml

    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    return yaml.load(m.group(1), Loader=yaml.CSafeLoader) or {}, text[m.end():]


def predict(suite: Suite, post: Post, warnings: list[str] | None = None) -> dict:
    """Our functions applied to one oracle post, in the oracle's field names."""
    import posixpath
    import zoneinfo

    from convert.reader import jekyll as j

    cfg = site_config(suite)
    tz = zoneinfo.ZoneInfo(cfg.get("timezone") or "UTC")
    front, _body = front_matter(post.text())
    name = posixpath.basename(post.path)
    file_date, file_slug, ext = j.split_post_filename(name)
    slug = front.get("slug") or file_slug
    date = j.post_date(front.get("date"), filename_date=file_date, site_tz=tz,
                       warn=(warnings if warnings is not None else []).append)
    categories = j.categories_from(front, j.folder_categories(post.path))
    title = front.get("title")
    url = j.permalink(cfg.get("permalink"), date=date, categories=categories, slug=str(slug),
                      basename=name[: len(name) - len(ext)], relative_path=post.path,
                      output_ext=j.output_ext_for(ext), front_permalink=front.get("permalink"))
    pid = j.post_id(url, str(slug))
    return {
        "date": date.isoformat(timespec="seconds"),
        "url": url,
        "id": pid,
        "abs_id": j.absolute_url(cfg.get("url"), cfg.get("baseurl"), pid),
        "abs_url": j.absolute_url(cfg.get("url"), cfg.get("baseurl"), url),
        "categories": list(categories),
        "tags": list(j.tags_from(front)),
        "title": j.titleize(file_slug) if title is None or title is False else title,
        "slug": str(slug),
    }
