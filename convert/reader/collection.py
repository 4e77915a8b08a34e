"""Reading a collection: every input becomes a ``Collection``.

Inputs are post files (read whatever their extension), directories (every post
file below, sorted), Jekyll site roots (``_config.yml``: posts from ``_posts/``,
and ``_drafts/`` with ``drafts``), Hugo site roots (``hugo.toml``/``config.toml``
and ``content/``), ``-`` for standard input, and convert's own JSON form.

Reading is two passes at most: posts are read in parallel worker processes;
the few whose ``{% post_url %}``/``{% link %}`` tags need the other posts'
permalinks are read again once those are all known. A caller that needs only
some articles (``choose``: feeds without archives want each feed's newest) gets
a first pass over the front matter alone, and bodies are rendered for those only.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import posixpath
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ..errors import Diagnostic, InputError, UsageError
from ..memory import collector_resting
from ..model import Article, Collection, collection_from_json
from .clean import clean_body
from .post import LinkMaps, PostResult, PostSource, ReadSettings, load_body_renderers, read_post, read_posts
from .site import (POST_EXTENSIONS, SiteConfig, find_site_root, load_site_config, path_suffix, post_files,
                   walk_files, with_overrides)

__all__ = ["ReadOptions", "ReadReport", "read"]

# Posts per task (read as one batch, see read_posts) at both ends of the task list.
_CHUNK = 256
# The smallest task, at the middle of the list (see _task_ranges).
_MIN_CHUNK = 8
# Below two tasks' worth, starting worker processes costs more than it saves.
_PARALLEL_THRESHOLD = 2 * _CHUNK


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """What to read and how. ``jobs``: worker processes; ``None`` uses every core."""

    drafts: bool = False
    future: bool = False
    unpublished: bool = False
    input_encoding: str | None = None
    config: Path | None = None  # a site _config.yml / hugo.toml for loose post files
    from_format: str | None = None  # "json" to read convert's JSON form
    jobs: int | None = None
    now: dt.datetime | None = None  # "now" for future posts; default SOURCE_DATE_EPOCH or the clock
    site_overrides: dict = field(default_factory=dict)  # Site fields from --title/--metadata


@dataclass(slots=True)
class ReadReport:
    """The collection, plus what went wrong on the way."""

    collection: Collection
    diagnostics: list[Diagnostic] = field(default_factory=list)
    failures: list[InputError] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    inputs: list[Path] = field(default_factory=list)  # every file read, to refuse writing over one
    dropped: Counter = field(default_factory=Counter)  # clean-up rule -> things removed, all files


def read(sources: Sequence[str | Path], options: ReadOptions = ReadOptions(),
         progress: Callable[[int, int], None] | None = None,
         choose: Callable[[Collection], Iterable[Article]] | None = None,
         prepare: Callable[[], None] | None = None) -> ReadReport:
    """Read ``sources`` into a collection. Bad files are reported, not raised.

    ``choose``: read every post's front matter first, then in full only the posts
    whose articles ``choose`` picks from those headers (see ``Writer.chooser``);
    the collection holds those only. Their articles are the same as in a full read.

    ``prepare``: work for this process to do while worker processes read (such as
    the writers' imports, see ``Writer.prepare``), so that it costs no extra time;
    not called when no worker reads. It must not raise.
    """
    if not sources:
        raise UsageError("no input given: name post files, folders, a site root, or - for standard input")
    with collector_resting():  # forked workers inherit that: they write to fewer pages shared with this process
        return _read(sources, options, progress, choose, prepare)


def _read(sources: Sequence[str | Path], options: ReadOptions, progress, choose, prepare) -> ReadReport:
    config, post_sources, json_inputs = _discover(sources, options)
    report = ReadReport(Collection(config.site))
    report.inputs = [s.path for s in [*post_sources, *json_inputs] if s.data is None]

    articles: list[Article] = []
    site = config.site
    for json_source in json_inputs:
        collection = _read_json(json_source, report)
        if collection is not None:
            articles.extend(collection.articles)
            if not site.title and not site.url:
                site = collection.site
    if post_sources:
        settings = ReadSettings(options.input_encoding, options.drafts, options.future, options.unpublished,
                                _now(options))
        if choose is None:
            results = _read_all(post_sources, config, settings, LinkMaps(), options.jobs, progress, prepare)
        else:
            results = _read_chosen(post_sources, config, settings, options.jobs, site, articles, choose, progress,
                                   prepare)
        deferred = [r for r in results if r.unresolved_links]
        if deferred:
            links = _link_maps(config, [r for r in results if r.article is not None])
            again = {id(r): read_post(r.source, config, settings, links) for r in deferred}
            results = [again.get(id(r), r) for r in results]
        for result in results:
            report.diagnostics.extend(result.diagnostics)
            report.dropped.update(result.dropped)
            if result.error is not None:
                report.failures.append(result.error)
            elif result.skipped is not None:
                report.skipped.append((result.source.display, result.skipped))
            elif result.article is not None:
                articles.append(result.article)
    articles = _unique(articles, report)
    articles.sort(key=lambda a: (a.date, a.source, a.id))
    report.collection = Collection(site, tuple(articles))
    return report


def _discover(sources: Sequence[str | Path], options: ReadOptions):
    config: SiteConfig | None = load_site_config(options.config) if options.config else None
    posts: list[PostSource] = []
    json_inputs: list[PostSource] = []
    seen: set[str] = set()
    cwd = os.path.join(os.getcwd(), "")  # with its trailing separator, as join would add it
    one_input = len(sources) == 1  # a walk lists each file once: nothing to find twice

    def add(source: PostSource, named: bool = False) -> None:
        if one_input:
            posts.append(source)
            return
        # A file named on the command line may be a link to one found in a folder: resolve
        # those; walked files skip links already, so their absolute path is key enough
        # (resolving 17,000 walked paths costs a second of system calls). On POSIX that
        # is abspath's own join and normpath, without a getcwd call for every file.
        if source.data is not None:
            key = source.display
        elif named:
            key = str(source.path.resolve())
        elif os.path is posixpath:
            display = source.display
            key = posixpath.normpath(display if display.startswith("/") else cwd + display)
        else:
            key = os.path.abspath(source.path)
        if key not in seen:
            seen.add(key)
            posts.append(source)

    for raw in sources:
        if str(raw) == "-":
            data = sys.stdin.buffer.read()
            if options.from_format == "json":
                json_inputs.append(PostSource(Path("stdin.json"), "<stdin>", data=data))
            else:
                add(PostSource(Path("stdin.md"), "<stdin>", data=data))
            continue
        path = Path(raw)
        if not path.exists():
            raise UsageError(f"{raw}: no such file or folder")
        if path.is_dir():
            site = find_site_root(path)
            if site is not None:
                kind, config_file = site
                if config is None:
                    config = load_site_config(config_file, kind)
                root = path
                for text, file, draft in post_files(kind, root, options.drafts):
                    add(PostSource(file, text, kind, root, _folder_categories(file, root, kind, text), draft))
            else:
                root = config.root if config and config.root and _inside(path, config.root) else path
                kind = _kind(config)
                for text, file in walk_files(path):
                    suffix = path_suffix(text).lower()
                    if suffix in POST_EXTENSIONS:
                        categories = _folder_categories(file, root, kind, text) if kind == "jekyll" else ()
                        add(PostSource(file, text, kind, root, categories))
                    elif suffix == ".json" and options.from_format == "json":
                        json_inputs.append(PostSource(file, text))
        elif options.from_format == "json" or (path.suffix.lower() == ".json" and _looks_like_model(path)):
            json_inputs.append(PostSource(path, str(path)))
        else:
            root = config.root if config and config.root and _inside(path, config.root) else path.parent
            categories = _folder_categories(path.resolve(), root.resolve(), _kind(config))
            add(PostSource(path, str(path), _kind(config), root, categories), named=True)
    config = config or SiteConfig()
    if options.site_overrides:
        config = with_overrides(config, **options.site_overrides)
    return config, posts, json_inputs


def _kind(config: SiteConfig | None) -> str:
    return config.kind if config is not None else "plain"


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def _folder_categories(file: Path, root: Path, kind: str, text: str | None = None) -> tuple[str, ...]:
    """Jekyll: the folders above ``_posts/`` are categories (``news/_posts/x.md`` -> news).
    ``text``: the file's path as text, when the caller has it (a walked Path has not made it yet)."""
    if kind != "jekyll":
        return ()
    prefix = os.path.join(str(root), "")
    if text is None:
        text = str(file)
    if text.startswith(prefix):  # walked from root: plain string work, not PurePath.relative_to
        parts = tuple(text[len(prefix):].split(os.sep))
    else:
        try:  # callers pass both resolved, or both as walked from the same root
            parts = file.relative_to(root).parts
        except ValueError:
            return ()
    for marker in ("_posts", "_drafts"):
        if marker in parts:
            return tuple(p for p in parts[: parts.index(marker)] if p)
    return ()


def _looks_like_model(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(4096).lstrip()
    except OSError:
        return False
    return head.startswith(b"{") and (b'"articles"' in head or b'"version"' in head)


def _read_json(source: PostSource, report: ReadReport) -> Collection | None:
    name = source.display
    try:
        data = source.data if source.data is not None else source.path.read_bytes()
        collection = collection_from_json(json.loads(data))
        return collection.with_articles(_canonical(a, i, name, report) for i, a in enumerate(collection.articles))
    except OSError as exc:
        report.failures.append(InputError(name, f"cannot read: {exc.strerror}"))
    except json.JSONDecodeError as exc:
        report.failures.append(InputError(name, f"not valid JSON: {exc.msg}", exc.lineno))
    except (ValueError, TypeError) as exc:
        report.failures.append(InputError(name, f"not convert's JSON form: {exc}"))
    return None


def _canonical(article: Article, index: int, name: str, report: ReadReport) -> Article:
    """An article from JSON, held to what the reader guarantees: JSON may have been edited
    by any tool, so its body is cleaned again (a no-op for a body convert wrote), and asset
    paths may not leave the source tree."""
    def warn(message: str) -> None:
        report.diagnostics.append(Diagnostic(f"articles[{index}] ({article.title!r}): {message}", name))

    cleaned = clean_body(article.body, page_url=article.permalink, warn=warn)
    if cleaned.html != article.body:
        removed = ", ".join(f"{rule} {count}" for rule, count in cleaned.dropped.items())
        warn(f"body was not in canonical form and has been cleaned{': ' + removed if removed else ''}")
    assets = tuple(asset if _safe_asset_path(asset.path) else replace(asset, path=None) for asset in article.assets)
    if cleaned.html == article.body and assets == article.assets:
        return article
    return replace(article, body=cleaned.html, assets=assets)


def _safe_asset_path(path: str | None) -> bool:
    if path is None:
        return True
    parts = Path(path).parts
    return not Path(path).is_absolute() and ".." not in parts and "\\" not in path


def _now(options: ReadOptions) -> dt.datetime:
    if options.now is not None:
        return options.now
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc)


def _read_all(sources: list[PostSource], config: SiteConfig, settings: ReadSettings, links: LinkMaps,
              jobs: int | None, progress, prepare=None) -> list[PostResult]:
    jobs = jobs or os.cpu_count() or 1
    total = len(sources)
    if jobs <= 1 or total < _PARALLEL_THRESHOLD:
        results = []
        for start in range(0, total, _CHUNK):
            results.extend(read_posts(sources[start : start + _CHUNK], config, settings, links))
            if progress:
                progress(len(results), total)
        return results
    # The cycle collector rests while reading (see read): forked workers inherit that, so
    # they do not write to every memory page they share with this process.
    if not settings.headers_only:
        load_body_renderers()  # before the workers fork: they inherit it
    return _read_in_workers(sources, config, settings, links, jobs, progress, prepare)


def _read_in_workers(sources: list[PostSource], config: SiteConfig, settings: ReadSettings, links: LinkMaps,
                     jobs: int, progress, prepare) -> list[PostResult]:
    # The reading process is one of the `jobs`: it takes tasks from the end of the list
    # while the workers take them from the start, and reads its own share without
    # pickling anything. The workers get the posts once, at start-up (inherited, not
    # pickled, where processes fork), and each task is a range of them; a result travels
    # back without its PostSource (pickling 10,000 Paths cost 0.16 s each way).
    total = len(sources)
    ranges = _task_ranges(total)
    done: dict[int, list[PostResult]] = {}
    with ProcessPoolExecutor(max_workers=min(jobs - 1, len(ranges) - 1), initializer=_start_worker,
                             initargs=(sources, config, settings, links)) as pool:
        futures = [pool.submit(_read_range, start, stop) for start, stop in ranges]
        if prepare is not None:
            prepare()  # while the workers read: they take more tasks, this process fewer
        for index in reversed(range(len(ranges))):
            if not futures[index].cancel():  # a worker has it: the rest is theirs too
                break
            start, stop = ranges[index]
            done[index] = read_posts(sources[start:stop], config, settings, links)
            if progress:
                progress(_count_done(ranges, futures, done), total)
        results = []
        for index, (start, stop) in enumerate(ranges):
            if index not in done:
                done[index] = [PostResult(source, *compact)
                               for source, compact in zip(sources[start:stop], futures[index].result())]
                if progress:
                    progress(_count_done(ranges, futures, done), total)
            results.extend(done[index])
    return results


def _read_chosen(sources: list[PostSource], config: SiteConfig, settings: ReadSettings, jobs: int | None,
                 site, known: list[Article], choose, progress, prepare) -> list[PostResult]:
    """The posts ``choose`` wants, read in full; the others as their front-matter pass left them
    (failures, skips and warnings stand, their articles go). In the order of ``sources``."""

    def prepare_all() -> None:
        load_body_renderers()  # for the second pass, while the workers read front matter
        if prepare is not None:
            prepare()

    heads = _read_all(sources, config, replace(settings, headers_only=True), _NO_LINKS, jobs, None, prepare_all)
    read = [r for r in heads if r.article is not None]
    headers = sorted(_unique([*known, *(r.article for r in read)], ReadReport(Collection(site))),
                     key=lambda a: (a.date, a.source, a.id))
    wanted = {article.id for article in choose(Collection(site, tuple(headers)))}
    chosen = [n for n, r in enumerate(heads) if r.article is not None and r.article.id in wanted]
    # Every permalink is known from the first pass: {% post_url %} resolves at once.
    full = _read_all([sources[n] for n in chosen], config, settings, _link_maps(config, read), jobs, progress)
    for result in heads:
        result.article = None  # a header, not the article: only the full read's may go on
    for n, result in zip(chosen, full):
        heads[n] = result
    return heads


_NO_LINKS = LinkMaps()


def _task_ranges(total: int) -> list[tuple[int, int]]:
    """The posts of each reading task: _CHUNK at both ends, fewer and fewer towards the middle,
    where the workers (taking tasks from the start) and the reading process (from the end)
    meet; whoever finishes first then waits for a small task only, not a whole chunk."""
    middle = total // 2
    front, start = [], 0
    while start < middle:
        size = min(_CHUNK, max(_MIN_CHUNK, (middle - start) // 8))
        front.append((start, min(start + size, middle)))
        start += size
    back, stop = [], total
    while stop > middle:
        size = min(_CHUNK, max(_MIN_CHUNK, (stop - middle) // 8))
        back.append((max(stop - size, middle), stop))
        stop -= size
    return front + back[::-1]


def _count_done(ranges: list[tuple[int, int]], futures: list, done: dict) -> int:
    return sum(stop - start for index, (start, stop) in enumerate(ranges)
               if index in done or (futures[index].done() and not futures[index].cancelled()))


# What a worker process reads from: set once per process by _start_worker.
_WORKER_STATE: tuple[list[PostSource], SiteConfig, ReadSettings, LinkMaps] | None = None


def _start_worker(sources: list[PostSource], config: SiteConfig, settings: ReadSettings, links: LinkMaps) -> None:
    global _WORKER_STATE
    _WORKER_STATE = (sources, config, settings, links)


def _read_range(start: int, stop: int) -> list[tuple]:
    """Posts ``start:stop`` read in a worker; each result as PostResult's fields after ``source``."""
    sources, config, settings, links = _WORKER_STATE
    return [(result.article, result.error, result.skipped, result.diagnostics, result.dropped, result.unresolved_links)
            for result in read_posts(sources[start:stop], config, settings, links)]


def _link_maps(config: SiteConfig, results: Iterable[PostResult]) -> LinkMaps:
    by_name: dict[str, str] = {}
    by_path: dict[str, str] = {}
    root = config.root
    for result in results:
        article = result.article
        path = result.source.path
        # post_url takes the file name without extension, optionally with a subfolder.
        by_name.setdefault(path.stem, article.permalink)
        if root is not None:
            try:
                rel = path.resolve().relative_to(root.resolve()).as_posix()
                by_path[rel] = article.permalink
                if "/_posts/" in "/" + rel:
                    by_name.setdefault(rel.split("_posts/", 1)[1].rsplit(".", 1)[0], article.permalink)
            except ValueError:
                pass
    return LinkMaps(by_name, by_path, complete=True)


def _unique(articles: list[Article], report: ReadReport) -> list[Article]:
    """One article per id: a second file with the same id is reported and left out."""
    first: dict[str, Article] = {}
    for article in articles:
        if article.id in first:
            report.diagnostics.append(Diagnostic(
                f"same id {article.id!r} as {first[article.id].source}; this copy is left out", article.source))
        else:
            first[article.id] = article
    return list(first.values())
