"""The ``convert`` command: parses arguments into a ``Job`` and reports the result.

Everything it does is available from Python (``convert.pipeline``); this module
only translates options, shows progress and messages, and sets the exit code:
0 all good, 1 some inputs failed, 2 usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Sequence

from . import __version__
from .errors import UsageError, WriterError
from .options import WriteOptions
from .pipeline import Job, Report, Selection, run, write_stdout
from .reader.collection import ReadOptions
from .registry import Registry
from .resources import default_template

# Site fields --metadata may set; other keys go to the site's extra data.
_SITE_FIELDS = ("title", "url", "baseurl", "author", "lang", "timezone", "description")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 too; keep the one message format
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="convert",
        description="Turn front-matter posts (Jekyll, Hugo) into EPUB, PDF, feeds, Markdown and JSON.",
        epilog="Example: convert --to epub -o out/ _posts/   |   convert -o book.epub site/",
    )
    parser.add_argument("sources", nargs="*", metavar="SOURCE",
                        help="post files, folders, a Jekyll/Hugo site root, or - for standard input")
    out = parser.add_argument_group("output")
    out.add_argument("-t", "--to", metavar="FORMAT[,FORMAT...]", help="output format(s); see --list-formats")
    out.add_argument("-o", "--output", type=Path, metavar="PATH",
                     help="output file (format from its extension) or folder; - for standard output")
    out.add_argument("--each", action="store_true", help="one output per article instead of one per collection")
    out.add_argument("--in-place", action="store_true",
                     help="an output that is an input file replaces it, its bytes kept first in FILE~ "
                          "(without it such a run refuses)")
    out.add_argument("--title", help="title of the collection (book, feed, volume)")
    out.add_argument("--template-dir", action="append", type=Path, default=[], metavar="DIR",
                     help="look for templates and styles here first (repeatable)")
    out.add_argument("--css", action="append", type=Path, default=[], metavar="FILE",
                     help="add a stylesheet after the built-in ones (repeatable)")
    out.add_argument("--split-by", choices=["month", "year", "category"],
                     help="one volume per month, year or category (books, PDFs), named like 2022-05.pdf")
    out.add_argument("--split-every", type=_positive, metavar="N", help="volumes of at most N articles")
    out.add_argument("--fetch-remote", action="store_true",
                     help="embed remote images (off by default: nothing is fetched from the network)")
    out.add_argument("--allow-host", action="append", default=[], metavar="HOST",
                     help="with --fetch-remote: fetch only from this host (repeatable; default: any public host)")
    feeds = parser.add_argument_group("feeds (atom, rss, jsonfeed)")
    feeds.add_argument("--excerpt-only", action="store_true", help="summaries only, no full content")
    feeds.add_argument("--hub", metavar="URL", help="announce a WebSub hub (rel=hub)")
    feeds.add_argument("--feed-stylesheet", action="store_true",
                       help="link the built-in XSL stylesheet, so browsers show feeds as pages")
    feeds.add_argument("--no-term-feeds", dest="term_feeds", action="store_false",
                       help="no feed per category and per tag")
    feeds.add_argument("--no-feed-archives", dest="feed_archives", action="store_false",
                       help="no RFC 5005 archive feeds: older entries are in no feed but their terms' "
                            "(as jekyll-feed and Hugo do); only the entries used are read in full")
    feeds.add_argument("--feed-path", action="append", default=[], metavar="FORMAT=PATH",
                       help="where FORMAT's main feed goes, e.g. rss=news/rss.xml; its category, tag and "
                            "archive feeds go in the folder of that name, news/rss/ (repeatable)")
    md = parser.add_argument_group("markdown")
    md.add_argument("--markdown-flavor", choices=["gfm", "commonmark", "jekyll", "hugo"], default="gfm",
                    help="gfm (default); commonmark: no GFM extensions, tables and footnotes as HTML; "
                         "jekyll: kramdown, Liquid kept literal with {%% raw %%}; hugo: TOML front matter")
    md.add_argument("--markdown-links", choices=["inline", "reference"], default="inline",
                    help="reference: links and images as [text][1], definitions at the end of each article")
    md.add_argument("--cjk-friendly", action="store_true",
                    help="emphasis for parsers with the CommonMark CJK-friendly amendments (**“重要”**消息); "
                         "by default, a form plain CommonMark reads as emphasis too")
    book = parser.add_argument_group("epub")
    book.add_argument("--group-by", choices=["category", "tag", "month", "none"],
                      help="sections of the book (default: month when the articles span several months, else none)")
    book.add_argument("--sort", choices=["date", "title"], default="date", help="order of the chapters (default: date)")
    book.add_argument("--series", metavar="NAME", help="series the book belongs to (calibre and EPUB 3 collection)")
    book.add_argument("--series-index", type=float, metavar="N", help="the book's number in --series")
    book.add_argument("--epub-writing-mode", choices=["horizontal-tb", "vertical-rl"], default="horizontal-tb",
                      help="vertical-rl: vertical Chinese/Japanese text, pages turning right to left")
    book.add_argument("--cover", type=Path, metavar="IMAGE",
                      help="cover image (JPEG or PNG); without it a cover is drawn from title, dates and source")
    pdf = parser.add_argument_group("pdf")
    pdf.add_argument("--paper", choices=["A4", "A5", "B5", "Letter"], default="A5", help="paper size (default: A5)")
    pdf.add_argument("--gutter", default="10mm", metavar="LENGTH",
                     help="extra inner margin for the binding, a CSS length (default: 10mm)")
    pdf.add_argument("--start-on", choices=["page", "right"], default="page",
                     help="each article starts on a new page (default) or on a right-hand page, for binding")
    pdf.add_argument("--pdf-variant", choices=["pdf/a-3b", "pdf/a-2b", "pdf/ua-1"],
                     help="archival (PDF/A) or accessible (PDF/UA) PDF")
    pdf.add_argument("--render-timeout", type=_positive, default=120, metavar="SECONDS",
                     help="give up an article whose layout takes longer (default: 120)")
    inp = parser.add_argument_group("input")
    inp.add_argument("-f", "--from", dest="from_format", choices=["post", "json"],
                     help="read convert's JSON form instead of posts")
    inp.add_argument("--config", type=Path, metavar="FILE", help="site _config.yml / hugo.toml for loose posts")
    inp.add_argument("--input-encoding", metavar="ENC", help="encoding of files without a BOM (e.g. gb18030)")
    inp.add_argument("--drafts", action="store_true", help="include drafts (_drafts/, draft: true)")
    inp.add_argument("--future", action="store_true", help="include posts dated in the future")
    inp.add_argument("--unpublished", action="store_true", help="include posts with published: false")
    inp.add_argument("--metadata", action="append", default=[], metavar="KEY=VALUE",
                     help="set site metadata (title, url, author, lang, timezone, ...)")
    sel = parser.add_argument_group("selection")
    sel.add_argument("--category", action="append", default=[], help="only articles in this category")
    sel.add_argument("--tag", action="append", default=[], help="only articles with this tag")
    sel.add_argument("--since", type=_date, metavar="YYYY-MM-DD", help="only articles on or after this day")
    sel.add_argument("--until", type=_date, metavar="YYYY-MM-DD", help="only articles on or before this day")
    sel.add_argument("--lang", help="only articles in this language")
    sel.add_argument("--limit", type=_positive, metavar="N",
                     help="only the newest N articles (feeds: N entries in the main feed, the rest in archives)")
    run_ = parser.add_argument_group("run")
    run_.add_argument("--strict", action="store_true", help="treat warnings as errors")
    run_.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    run_.add_argument("-v", "--verbose", action="store_true", help="also print skipped files and each file written")
    run_.add_argument("-j", "--jobs", type=_positive, metavar="N", help="worker processes for reading (default: every core)")
    info = parser.add_argument_group("information")
    info.add_argument("--list-formats", action="store_true", help="list the output formats and exit")
    info.add_argument("--print-default-template", metavar="NAME", help="print a built-in template and exit")
    info.add_argument("--version", action="version", version=f"convert {__version__}")
    return parser


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2022-05-27") from None


def _length(text: str) -> str:
    """A CSS length for --gutter: a number and a unit (mm, cm, in, pt)."""
    import re

    if not re.fullmatch(r"\d+(\.\d+)?(mm|cm|in|pt|pc|px|q)", text.strip()):
        raise UsageError(f"--gutter {text}: expected a length like 15mm or 0.5in")
    return text.strip()


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


def job_from_args(args: argparse.Namespace, registry: Registry) -> Job:
    formats = [f for f in (args.to or "").split(",") if f.strip()]
    if not formats and args.output is not None and args.output.suffix:
        formats = [registry.by_extension(args.output.suffix).name]
    if not formats:
        raise UsageError("no output format: give --to FORMAT or -o FILE with a known extension (see --list-formats)")
    for name in formats:
        registry.get(name)  # unknown names fail here, listing the valid ones
    site_overrides, extra = {}, {}
    for item in args.metadata:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--metadata {item!r}: expected KEY=VALUE")
        (site_overrides if key.strip() in _SITE_FIELDS else extra)[key.strip()] = value
    if extra:
        site_overrides["extra"] = extra
    if args.title:
        site_overrides["title"] = args.title
    feed_paths = {}
    for item in args.feed_path:
        from .feeds import check_feed_path  # here, not at the top: start-up counts for every run

        name, sep, path = item.partition("=")
        if not sep or not name.strip() or not path.strip():
            raise UsageError(f"--feed-path {item!r}: expected FORMAT=PATH, e.g. rss=news/rss.xml")
        writer = registry.get(name.strip())
        if not writer.takes_limit:
            raise UsageError(f"--feed-path {item!r}: {writer.name} is not a feed format (atom, rss, jsonfeed)")
        try:
            feed_paths[writer.name] = check_feed_path(path.strip())
        except WriterError as exc:
            raise UsageError(f"--feed-path {item!r}: {exc}") from None
    if args.allow_host and not args.fetch_remote:
        raise UsageError("--allow-host only makes sense with --fetch-remote")
    if args.series_index is not None and not args.series:
        raise UsageError("--series-index needs --series NAME")
    if args.series_index is not None and not 0 <= args.series_index < float("inf"):  # NaN fails too
        raise UsageError(f"--series-index {args.series_index}: expected a number like 3 or 2.5")
    read_options = ReadOptions(
        drafts=args.drafts, future=args.future, unpublished=args.unpublished, input_encoding=args.input_encoding,
        config=args.config, from_format="json" if args.from_format == "json" else None, jobs=args.jobs,
        site_overrides=site_overrides,
    )
    selection = Selection(tuple(args.category), tuple(args.tag), args.since, args.until, args.lang, args.limit)
    to_stdout = args.output == Path("-")  # as pandoc's -o -: standard output, even for a binary format
    return Job(
        sources=args.sources, formats=formats, output=None if to_stdout else args.output,
        binary_to_stdout=to_stdout, each=args.each, read_options=read_options,
        write_options=WriteOptions(title=args.title, excerpt_only=args.excerpt_only, hub=args.hub,
                                   feed_stylesheet=args.feed_stylesheet, term_feeds=args.term_feeds,
                                   feed_archives=args.feed_archives, feed_paths=tuple(sorted(feed_paths.items())),
                                   group_by=args.group_by, sort=args.sort, series=args.series,
                                   series_index=args.series_index, writing_mode=args.epub_writing_mode,
                                   cover=args.cover, markdown_flavor=args.markdown_flavor,
                                   markdown_links=args.markdown_links, cjk_friendly=args.cjk_friendly,
                                   fetch_remote=args.fetch_remote, allowed_hosts=tuple(args.allow_host),
                                   paper=args.paper, gutter=_length(args.gutter), start_on=args.start_on,
                                   pdf_variant=args.pdf_variant, keep_going=not args.strict,
                                   render_timeout=float(args.render_timeout)),
        selection=selection, template_dirs=args.template_dir,
        css=args.css, strict=args.strict, in_place=args.in_place, split_by=args.split_by,
        split_every=args.split_every,
    )


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except UsageError as exc:
        print(f"convert: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("convert: interrupted; no partial output was left behind", file=sys.stderr)
        return 130


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    registry = Registry()
    if args.list_formats:
        for name, extension, origin, description in registry.describe():
            print(f"{name:10} {extension:8} {description}" + ("" if origin == "built-in" else f"  [{origin}]"))
        return 0
    if args.print_default_template:
        sys.stdout.write(default_template(args.print_default_template))
        return 0
    job = job_from_args(args, registry)
    with _progress(enabled=not args.quiet) as progress:
        report = run(job, registry, progress)
    write_stdout(report)
    _print_report(report, args)
    return report.exit_code


def _print_report(report: Report, args: argparse.Namespace) -> None:
    err = sys.stderr
    if not args.quiet:
        for diagnostic in report.diagnostics:
            print(f"warning: {diagnostic}", file=err)
    for failure in report.failures:
        print(f"error: {failure}", file=err)
    if args.verbose:
        if report.dropped:
            removed = ", ".join(f"{rule} {count}" for rule, count in report.dropped.items())
            print(f"clean-up removed (by rule, all files): {removed}", file=err)
        for name, reason in report.skipped:
            print(f"skipped: {name}: {reason}", file=err)
        for path in report.written:
            print(f"wrote {path}", file=err)
    if not args.quiet:
        print(f"convert: {report.summary()}", file=err)


class _progress:
    """A rich progress bar on an interactive terminal; nothing in a pipe or on CI."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty() and not os.environ.get("CI")
        self._bar = None

    def __enter__(self):
        if not self.enabled:
            return None
        from rich.progress import Progress

        self._bar = Progress(transient=True)
        self._bar.start()
        task = self._bar.add_task("reading", total=None)

        def update(done: int, total: int) -> None:
            self._bar.update(task, completed=done, total=total)

        return update

    def __exit__(self, *exc_info):
        if self._bar is not None:
            self._bar.stop()
        return False
