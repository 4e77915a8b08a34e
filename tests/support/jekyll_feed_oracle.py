"""Real jekyll-feed as the oracle for convert's feeds of the finews archive.

``build_feed`` builds the real site -- every /work/shared/corpus/finews post in
``_posts/`` with the site's own ``_config.yml`` -- with Debian's ``jekyll`` and
``ruby-jekyll-feed``, and returns the ``feed.xml`` jekyll-feed wrote. Three
changes to the config, each needed to build it here at all or to see every post:
the ``theme:`` line is dropped (the theme gem is not installed, and the site
overrides its layouts), jekyll-feed is whitelisted (``safe: true`` skips
non-whitelisted plugins, as GitHub Pages does), and ``feed: posts_limit: 1000``
gives every post an entry (jekyll-feed keeps 10 by default).

``parse_feed`` reads a feed.xml with lxml into one ``FeedEntry`` per ``<entry>``,
keeping each ``<id>`` as raw bytes too, so ids compare byte for byte.

The feed is committed as ``tests/writers/golden/jekyll_feed_finews.xml`` so the
comparison runs without Jekyll; its feed-level ``<updated>`` is the build time
(``site.time``) and is replaced by ``FIXED_UPDATED`` there. A Jekyll-only test
checks the golden still holds. Re-record with
``python -m tests.support.jekyll_feed_oracle --record`` and review the diff.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path("/work/shared/corpus")
FINEWS = CORPUS / "finews"
SITE = CORPUS / "finews-site"
GOLDEN = ROOT / "tests" / "writers" / "golden" / "jekyll_feed_finews.xml"
ATOM = "{http://www.w3.org/2005/Atom}"
FIXED_UPDATED = "1970-01-01T00:00:00+00:00"
POSTS_LIMIT = 1000

# The feed's own <updated> comes before the first <entry>: only that one is the clock.
_FEED_UPDATED = re.compile(rb"\A(.*?)<updated>[^<]*</updated>", re.S)
_RAW_IDS = re.compile(rb"<entry>.*?<id>(.*?)</id>", re.S)


@dataclass(frozen=True)
class FeedEntry:
    id: str
    raw_id: bytes  # the <id> exactly as written, escapes included
    link: str  # rel=alternate href
    title: str
    published: dt.datetime
    updated: dt.datetime
    categories: tuple[str, ...]  # every <category term>, in document order


def jekyll_available() -> bool:
    return shutil.which("jekyll") is not None


def site_config() -> str:
    config = (SITE / "_config.yml").read_text(encoding="utf-8")
    config = "".join(line for line in config.splitlines(keepends=True) if not line.startswith("theme:"))
    return config + f"\nwhitelist:\n  - jekyll-feed\nfeed:\n  posts_limit: {POSTS_LIMIT}\n"


def write_site(src: Path, posts: list[Path], config: str | None = None) -> None:
    """A Jekyll source folder: ``config``, ``posts`` under ``_posts/``, content-only layouts."""
    (src / "_posts").mkdir(parents=True)
    (src / "_layouts").mkdir()
    (src / "_config.yml").write_text(site_config() if config is None else config, encoding="utf-8")
    for post in posts:
        shutil.copyfile(post, src / "_posts" / post.name)
    # The site's layouts include the theme's; the feed uses the content without layout anyway.
    for layout in (SITE / "_layouts").glob("*.html"):
        (src / "_layouts" / layout.name).write_text("{{ content }}", encoding="utf-8")


def run_jekyll(src: Path, dest: Path, home: Path) -> None:
    proc = subprocess.run(["jekyll", "build", "--quiet", "-s", str(src), "-d", str(dest)],
                          capture_output=True, text=True, timeout=1800,
                          env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(home)})
    if proc.returncode != 0:
        raise RuntimeError(f"jekyll build failed:\n{proc.stderr[-4000:]}")


def build_feed() -> bytes:
    """jekyll-feed's feed.xml for the finews archive, built now."""
    with tempfile.TemporaryDirectory(prefix="jekyll-feed-oracle-") as tmp:
        src, dest = Path(tmp) / "src", Path(tmp) / "dest"
        write_site(src, sorted(FINEWS.glob("*.md")))
        run_jekyll(src, dest, Path(tmp))
        return (dest / "feed.xml").read_bytes()


def normalise(xml: bytes) -> bytes:
    """The feed with its build-time <updated> fixed, so two builds compare equal."""
    return _FEED_UPDATED.sub(lambda m: m.group(1) + f"<updated>{FIXED_UPDATED}</updated>".encode(), xml, count=1)


def parse_feed(xml: bytes) -> list[FeedEntry]:
    root = etree.fromstring(xml)
    raw_ids = _RAW_IDS.findall(xml)
    entries = []
    for index, entry in enumerate(root.iter(f"{ATOM}entry")):
        link = next((e.get("href") for e in entry.iter(f"{ATOM}link") if e.get("rel", "alternate") == "alternate"), "")
        entries.append(FeedEntry(
            id=entry.findtext(f"{ATOM}id"),
            raw_id=raw_ids[index],
            link=link,
            title=entry.findtext(f"{ATOM}title") or "",
            published=dt.datetime.fromisoformat(entry.findtext(f"{ATOM}published")),
            updated=dt.datetime.fromisoformat(entry.findtext(f"{ATOM}updated")),
            categories=tuple(c.get("term") for c in entry.iter(f"{ATOM}category")),
        ))
    if len(entries) != len(raw_ids):
        raise ValueError(f"{len(entries)} entries but {len(raw_ids)} raw ids: the id regex is out of step")
    return entries


def load_golden() -> bytes:
    return GOLDEN.read_bytes()


def record_golden() -> None:
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_bytes(normalise(build_feed()))


if __name__ == "__main__":
    if sys.argv[1:] == ["--record"]:
        record_golden()
        print(f"wrote {GOLDEN}")
    else:
        sys.stdout.buffer.write(build_feed())
