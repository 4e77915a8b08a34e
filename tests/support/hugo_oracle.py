"""Real Hugo as a test oracle for convert's reading of Hugo site roots.

``write_site`` writes one tiny Hugo site (``SITE_FILES``: a ``hugo.toml`` with a
``timeZone`` and two languages, posts in TOML and YAML, ``slug``, ``url``, a page
bundle and its ``index.ja.md`` translation, nested section folders, a draft, a
naive date, ``lastmod``) plus one layout that dumps, for every regular page of
every language, ``.Permalink``, ``.Date``, ``.Lastmod``, ``.Title``,
``.Params.tags`` and ``.Lang`` as JSON. ``run_hugo`` builds it with ``hugo`` and
returns that dump keyed by the page's content path.

Hugo's answers are committed in ``tests/reader/golden/hugo_oracle.json`` so the
comparison runs without Hugo; a Hugo-only test checks the golden still holds.
Re-record with ``python -m tests.support.hugo_oracle --record`` and review the diff.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "reader" / "golden" / "hugo_oracle.json"

# Go's reference time: RFC 3339 with the numeric offset, as our model's isoformat() gives it.
_GO_TIME = "2006-01-02T15:04:05-07:00"
_FIELDS = {
    "permalink": ".Permalink",
    "date": f'(.Date.Format "{_GO_TIME}")',
    "lastmod": f'(.Lastmod.Format "{_GO_TIME}")',
    "title": ".Title",
    "tags": ".Params.tags",
    "lang": ".Lang",
}
DUMP_LAYOUT = (
    "{{- $out := dict -}}\n"
    '{{- range where .Site.AllPages "Kind" "page" -}}\n'
    "{{- $out = merge $out (dict .File.Path (dict "
    + " ".join(f'"{k}" {expr}' for k, expr in _FIELDS.items())
    + ")) -}}\n{{- end -}}\n{{- $out | jsonify -}}\n"
)

CONFIG = """\
baseURL = "https://example.org/"
title = "Hugo oracle"
timeZone = "Asia/Shanghai"
defaultContentLanguage = "en"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[languages.en]
weight = 1
[languages.ja]
weight = 2
"""

# content/ path -> file text. Each post exercises one of Hugo's rules.
POSTS = {
    # TOML, an unquoted local date-time: local time of timeZone
    "posts/toml-post.md": '+++\ntitle = "TOML post"\ndate = 2021-12-08T10:46:18\ntags = ["a", "b"]\n+++\nBody.\n',
    # YAML timestamp without offset: Hugo reads it in timeZone too (Jekyll would read UTC)
    "posts/yaml-naive.md": "---\ntitle: YAML naive\ndate: 2021-12-08 10:46:18\n---\nBody.\n",
    # an offset keeps its instant; slug is urlized (lower case, spaces to hyphens); lastmod is a date
    "posts/yaml-slug.md": "---\ntitle: YAML slug\ndate: 2021-12-08T10:46:18+09:00\nlastmod: 2022-01-02\n"
                          "slug: My Custom Slug\n---\nBody.\n",
    # url replaces the whole path
    "posts/url-post.md": '---\ntitle: URL post\ndate: "2021-12-08"\nurl: /custom/path/\n---\nBody.\n',
    # a page bundle is named by its folder; its translation lives under /ja/
    "posts/bundle/index.md": "---\ntitle: Bundle\ndate: 2021-12-09\ntags: [x]\n---\nBody.\n",
    "posts/bundle/index.ja.md": "---\ntitle: バンドル\ndate: 2021-12-09\n---\n本文。\n",
    # a translation without a default-language page
    "posts/only.ja.md": "---\ntitle: Japanese only\ndate: 2021-12-11\nlastmod: 2021-12-12T08:00:00\n---\n本文。\n",
    # nested sections keep every folder
    "notes/deep/nested.md": "---\ntitle: Nested\ndate: 2021-12-10\n---\nBody.\n",
    # the file name is urlized when there is no slug
    "posts/Mixed Case Name.md": "---\ntitle: Mixed\ndate: 2021-12-10\ntags: [One Tag]\n---\nBody.\n",
    # section folders are urlized like file names; a unicode slug keeps its letters
    "Tech Notes/Sub Dir/post.md": "---\ntitle: Spaced sections\ndate: 2021-12-12\n---\nBody.\n",
    "posts/unicode-slug.md": "---\ntitle: 你好\ndate: 2021-12-12\nslug: 你好 世界\n---\n正文。\n",
    # url on a translation
    "posts/url-ja.ja.md": "---\ntitle: URL ja\ndate: 2021-12-12\nurl: /ja-custom/\n---\n本文。\n",
    # a draft is not built (nor read without --drafts)
    "posts/draft.md": "---\ntitle: Draft\ndate: 2021-12-10\ndraft: true\n---\nBody.\n",
    # the section's own page is a list page, not a post
    "posts/_index.md": "---\ntitle: Posts\n---\n",
}


def hugo_available() -> bool:
    return shutil.which("hugo") is not None


def write_site(root: Path) -> Path:
    """The oracle site under ``root``; returns ``root``."""
    (root / "layouts").mkdir(parents=True, exist_ok=True)
    (root / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    (root / "layouts" / "index.html").write_text(DUMP_LAYOUT, encoding="utf-8")
    for rel, text in POSTS.items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def run_hugo() -> dict[str, dict]:
    """Build the oracle site with real Hugo: {content path: page values}."""
    with tempfile.TemporaryDirectory(prefix="hugo-oracle-") as tmp:
        site = write_site(Path(tmp) / "site")
        out = Path(tmp) / "public"
        proc = subprocess.run(["hugo", "--quiet", "-s", str(site), "-d", str(out)],
                              capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(f"hugo failed: {proc.stderr or proc.stdout}")
        return json.loads((out / "index.html").read_text(encoding="utf-8"))


def load_golden() -> dict[str, dict]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def main(argv: list[str]) -> int:
    if argv != ["--record"]:
        print("usage: python -m tests.support.hugo_oracle --record", file=sys.stderr)
        return 2
    GOLDEN.write_text(json.dumps(run_hugo(), ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
