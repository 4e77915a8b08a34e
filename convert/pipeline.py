"""The job: read the sources, select articles, run each writer, write the files.

This is the Python API the command line is a thin layer on::

    from convert import Job, run
    report = run(Job(sources=["_posts"], formats=["json"], output=Path("out")))
    report.exit_code

``Report`` counts what was converted, skipped and failed and decides the exit
code (0 all good, 1 some inputs failed).
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

from .errors import ConvertError, Diagnostic, InputError, UsageError, WriteError
from .model import Article, Collection
from .options import WriteOptions
from .output import InputGuard, replace_input, safe_filename, write_atomic
from .reader.collection import ReadOptions, read
from .registry import Registry
from .resources import Resources
from .writers.base import Document, Writer


@dataclass(frozen=True, slots=True)
class Selection:
    """Which articles to keep (``--category``, ``--tag``, ``--since``...)."""

    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None
    lang: str | None = None
    limit: int | None = None  # the newest N

    def apply(self, articles: Sequence[Article], with_limit: bool = True) -> list[Article]:
        if not (self.categories or self.tags or self.since or self.until or self.lang):
            kept = list(articles)  # no filter: 10,000 articles would each pass five tests
        else:
            kept = [article for article in articles if self._keeps(article)]
        if self.limit is not None and with_limit:
            newest = {id(a) for a in sorted(kept, key=lambda a: a.date, reverse=True)[: self.limit]}
            kept = [a for a in kept if id(a) in newest]
        return kept

    def _keeps(self, article: Article) -> bool:
        day = article.date.date()
        if self.categories and not set(self.categories) & set(article.categories):
            return False
        if self.tags and not set(self.tags) & set(article.tags):
            return False
        if self.since and day < self.since:
            return False
        if self.until and day > self.until:
            return False
        if self.lang and not (article.lang == self.lang or article.lang.startswith(self.lang + "-")):
            return False
        return True


@dataclass(frozen=True, slots=True)
class Job:
    """One run: sources in, formats out."""

    sources: Sequence[str | Path]
    formats: Sequence[str]
    output: Path | None = None  # a file (one format, one document) or a folder; None: stdout
    binary_to_stdout: bool = False  # -o -: stdout was asked for by name, so a binary format may go there too
    each: bool = False  # one output per article instead of one per collection
    read_options: ReadOptions = ReadOptions()
    write_options: WriteOptions = WriteOptions()
    selection: Selection = Selection()
    template_dirs: Sequence[Path] = ()
    css: Sequence[Path] = ()
    strict: bool = False
    in_place: bool = False  # a target that is an input is replaced (its bytes kept in FILE~), not refused
    # Volumes (book and PDF writers): one output per month, year or category, or per N articles.
    split_by: str | None = None  # month, year or category
    split_every: int | None = None


@dataclass(slots=True)
class Report:
    """What happened: counts, warnings, failures, files written; decides the exit code."""

    converted: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failures: list[ConvertError] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)  # what the clean-up removed, by rule
    stdout: list[str | bytes] = field(default_factory=list)
    strict: bool = False

    @property
    def exit_code(self) -> int:
        if self.failures or (self.strict and self.diagnostics):
            return 1
        return 0

    def summary(self) -> str:
        parts = [f"{self.converted} converted", f"{len(self.skipped)} skipped", f"{len(self.failures)} failed"]
        if self.diagnostics:
            parts.append(f"{len(self.diagnostics)} warning{'s' if len(self.diagnostics) != 1 else ''}")
        return ", ".join(parts)


def run(job: Job, registry: Registry | None = None, progress: Callable[[int, int], None] | None = None) -> Report:
    """Read, select and write. Raises ``UsageError`` for a malformed job only."""
    registry = registry or Registry()
    writers = [registry.get(name) for name in job.formats]
    if not writers:
        raise UsageError("no output format: give --to FORMAT or an -o file name with a known extension")
    resources = Resources(job.template_dirs, job.css)
    _check_output_shape(job, writers)

    limit_options = replace(job.write_options, limit=job.selection.limit)
    # Writers that take --limit themselves (feeds keep the newest N and archive the rest)
    # get every selected article and the limit as an option.
    instances = [cls(limit_options if cls.takes_limit else job.write_options, resources) for cls in writers]

    read_report = read(job.sources, job.read_options, progress, choose=_chooser(job, instances),
                       prepare=lambda: _prepare(instances))
    report = Report(strict=job.strict, skipped=read_report.skipped, diagnostics=read_report.diagnostics,
                    dropped=dict(sorted(read_report.dropped.items())))
    report.failures.extend(read_report.failures)
    if job.strict and read_report.diagnostics:
        # --strict: a warned-about file is a failed file.
        report.failures.extend(InputError(d.path, "warning treated as error: " + d.message, d.line)
                               for d in read_report.diagnostics)
    everything = read_report.collection
    if job.write_options.title:
        everything = replace(everything, site=replace(everything.site, title=job.write_options.title))
    collection = everything.with_articles(job.selection.apply(everything.articles))
    unlimited = everything.with_articles(job.selection.apply(everything.articles, with_limit=False))

    guard = InputGuard(read_report.inputs, in_place=job.in_place)
    for writer_class, writer in zip(writers, instances):
        if writer_class.takes_limit:
            _emit(job, writer, unlimited, _collection_stem(unlimited), guard, report)
            continue
        if job.each or writer_class.per_article:
            singles = [collection.with_articles([article]) for article in collection.articles]
            for article, outcome in zip(collection.articles, writer.documents_each(singles)):
                _write(job, writer, outcome, _article_stem(article), guard, report)
        elif job.split_by or job.split_every:
            for stem, volume in split_volumes(collection, job.split_by, job.split_every):
                _emit(job, writer, volume, stem, guard, report)
        elif collection.articles or writer_class.name == "json":
            _emit(job, writer, collection, _collection_stem(collection), guard, report)
    report.converted = len(collection.articles)
    return report


def _prepare(writers: list[Writer]) -> None:
    """Each writer's head start (``Writer.prepare``), while the reader's workers read."""
    for writer in writers:
        try:
            writer.prepare()
        except Exception:  # noqa: BLE001  only a head start: rendering meets it again, and reports it
            pass


def _chooser(job: Job, writers: list[Writer]) -> Callable[[Collection], list[Article]] | None:
    """What the reader must render in full, chosen from the posts' front matter, when that is
    fewer than all: the selection (--since, --category...) and what each writer uses
    (``Writer.chooser``). None: every post is needed, read them in one pass."""
    selection = job.selection
    if selection.lang:
        return None  # a language may come from the body's script: known only once it is read
    choosers = [writer.chooser() for writer in writers]
    if all(chooser is None for chooser in choosers) and selection == Selection():
        return None

    def choose(headers: Collection) -> list[Article]:
        kept = headers.with_articles(selection.apply(headers.articles))
        unlimited = headers.with_articles(selection.apply(headers.articles, with_limit=False))
        chosen: dict[str, Article] = {}
        for writer, chooser in zip(writers, choosers):
            pool = unlimited if writer.takes_limit else kept
            try:
                used = chooser(pool) if chooser else pool.articles
            except ConvertError:
                used = pool.articles  # the writer will report it, as it would without choosing
            for article in used:
                chosen[article.id] = article
        return list(chosen.values())
    return choose


def split_volumes(collection: Collection, by: str | None, every: int | None) -> list[tuple[str, Collection]]:
    """The volumes of ``collection``, each with its file stem (``2022-05``, ``2022``, a category, ``vol-001``).

    Articles keep the collection's order within a volume; volumes come in date
    order (by name for categories). An article in two categories is in both volumes;
    one without a category goes to the volume named after the collection.
    """
    if by not in (None, "month", "year", "category"):
        raise UsageError(f"--split-by {by}: expected month, year or category")
    articles = sorted(collection.articles, key=lambda a: (a.date, a.id))
    groups: dict[str, list[Article]] = {}
    if by in ("month", "year"):
        fmt = "%Y-%m" if by == "month" else "%Y"
        for article in articles:
            groups.setdefault(article.date.strftime(fmt), []).append(article)
    elif by == "category":
        fallback = _collection_stem(collection)
        for article in articles:
            for name in article.categories or (fallback,):
                groups.setdefault(name, []).append(article)
        groups = dict(sorted(groups.items()))
    else:
        groups = {"": articles}
    volumes: list[tuple[str, Collection]] = []
    for label, members in groups.items():
        if every:
            chunks = [members[i:i + every] for i in range(0, len(members), every)]
            width = max(3, len(str(len(chunks))))
            for n, chunk in enumerate(chunks, 1):
                stem = f"{label}-{n:0{width}d}" if label else f"vol-{n:0{width}d}"
                volumes.append((stem, collection.with_articles(chunk)))
        else:
            volumes.append((label, collection.with_articles(members)))
    return volumes


def _check_output_shape(job: Job, writers: list[type[Writer]]) -> None:
    if job.split_every is not None and job.split_every < 1:
        raise UsageError(f"--split-every {job.split_every}: expected a positive number of articles")
    many = job.each or len(writers) > 1 or any(w.per_article or w.several_files for w in writers)
    many = many or bool(job.split_by or job.split_every)
    if job.output is None:
        if many:
            raise UsageError("this output is several files: give -o FOLDER")
        if any(w.binary for w in writers) and not job.binary_to_stdout:
            raise UsageError("this output is binary: give -o FILE (or -o FOLDER), or -o - to write it to "
                             "standard output")
    elif many and job.output.exists() and not job.output.is_dir():
        raise UsageError(f"-o {job.output}: several outputs need a folder, and this is a file")


def _emit(job: Job, writer: Writer, collection: Collection, stem: str, guard: InputGuard, report: Report) -> None:
    try:
        outcome: list[Document] | ConvertError = writer.documents(collection)
    except ConvertError as exc:
        outcome = exc
    _write(job, writer, outcome, stem, guard, report)


def _write(job: Job, writer: Writer, outcome: list[Document] | ConvertError, stem: str, guard: InputGuard,
           report: Report) -> None:
    """Write one collection's documents (or report why there are none), with the writer's warnings."""
    report.diagnostics.extend(writer.diagnostics)
    report.failures.extend(writer.failures)
    writer.diagnostics.clear()
    writer.failures.clear()
    if isinstance(outcome, ConvertError):
        report.failures.append(outcome)
        return
    documents = outcome
    if job.output is None and len(documents) > 1:
        report.failures.append(UsageError(
            f"--to {writer.name} writes {len(documents)} files ({documents[0].name or 'the main one'}, "
            f"{documents[1].name}, ...): give -o FOLDER"))
        return
    for document in documents:
        target = _target(job, writer, stem, document.name, document.volume)
        if target is None:
            report.stdout.append(document.content)
            continue
        try:
            if guard.check(target) is None:
                write_atomic(target, document.content)
                report.written.append(target)
            else:
                backup = replace_input(target, document.content)
                report.written.extend([backup, target])
        except WriteError as exc:
            report.failures.append(exc)


def _target(job: Job, writer: Writer, stem: str, name: str, volume: int | None = None) -> Path | None:
    """Where a document goes: the -o file, or a file named after the collection/article in the -o folder;
    a volume the writer cut goes next to it, numbered (``book-2.epub``)."""
    output = job.output
    if output is None:
        return None
    single_file = not job.each and len(job.formats) == 1 and not writer.per_article and (
        output.suffix and not output.is_dir())
    if single_file:
        if volume is not None:
            return output.with_name(f"{output.stem}-{volume}{output.suffix}")
        return output if not name else output.parent / name
    folder = output
    if volume is not None:
        return folder / safe_filename(stem, f"-{volume}{writer.extension}")  # the number is never cut off
    return folder / (name or safe_filename(stem, writer.extension))


def _collection_stem(collection: Collection) -> str:
    return collection.site.title or "articles"


def _article_stem(article: Article) -> str:
    """Jekyll's own file name (date + slug) when there is one, else the title."""
    source = Path(article.source).stem if article.source and article.source != "<stdin>" else ""
    return source or f"{article.date:%Y-%m-%d}-{article.slug or article.title}"


def write_stdout(report: Report) -> None:
    for content in report.stdout:
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
        else:
            sys.stdout.write(content)
    sys.stdout.flush()
