"""A large book's chapters come from forked workers: the same bytes as rendered in one process.

Workers render, lint and deflate chapters (``_ChapterRendering``); here the threshold is
lowered so that the small books of the tests take that path, and each book is compared
byte for byte with the one made in a single process (which the other EPUB tests check
with EPUBCheck). Also: an error in a worker reaches the user as itself, the Send-to-Kindle
lint still refuses each problem it claims to catch when the chapters are linted in the
workers, and the ZIP written from pre-deflated entries is exactly what ``zipfile`` writes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib
from dataclasses import replace

import deflate
import jinja2
import pytest

import convert.writers.epub as epub_writer
from convert.errors import WriterError
from convert.resources import Resources
from convert.writers.epub import EpubWriter
from convert.writers.epub_lint import kindle_lint

from .test_epub_split import _site
from .test_epub_writer import CORPUS, SAMPLES, _read, needs_corpus


class _Recorded(epub_writer._ChapterRendering):
    """The rendering the writer uses, noting whether workers rendered the chapters."""

    pooled: list[bool] = []

    def __init__(self, job):
        super().__init__(job)
        _Recorded.pooled.append(self.pool is not None)


def _build(monkeypatch, collection, workers: bool, writer: EpubWriter | None = None) -> bytes:
    """The book, its chapters rendered by workers (``workers``) or in this process."""
    monkeypatch.setattr(epub_writer, "_ChapterRendering", _Recorded)
    monkeypatch.setattr(epub_writer, "_PARALLEL_FROM", 2 if workers else 10**9)
    monkeypatch.setattr(epub_writer, "_workers", lambda: 2)  # two workers even on a one-core machine
    _Recorded.pooled = []
    data = (writer or EpubWriter()).render(collection)
    assert _Recorded.pooled and set(_Recorded.pooled) == {workers}
    return data


def _small_parts() -> EpubWriter:
    writer = EpubWriter()
    writer.max_chapter_bytes = 1_600  # many chapters split, links moved to later parts
    return writer


BOOKS = {
    "samples": lambda tmp: (_read([SAMPLES]), EpubWriter),
    "samples, split small": lambda tmp: (_read([SAMPLES]), _small_parts),
    "huge chapter and a link into its middle": lambda tmp: (_read([_site(tmp)]), EpubWriter),
    "finews, split small": lambda tmp: (_read([CORPUS / "finews"], config=CORPUS / "finews-site" / "_config.yml"),
                                        _small_parts),
}


@pytest.mark.parametrize("name", [pytest.param(n, marks=needs_corpus) if "finews" in n else n for n in BOOKS])
def test_workers_make_the_same_book_byte_for_byte(monkeypatch, tmp_path, name):
    collection, make_writer = BOOKS[name](tmp_path)
    alone = _build(monkeypatch, collection, workers=False, writer=make_writer())
    shared = _build(monkeypatch, collection, workers=True, writer=make_writer())
    assert shared == alone
    assert kindle_lint(shared) == []


def test_a_book_of_many_posts_is_rendered_by_workers_with_the_default_threshold(monkeypatch):
    """Enough articles for the real threshold: workers, and the same bytes as one process makes."""
    (article,) = _read([SAMPLES / "_posts" / "2022-05-28-markdown-features.md"]).articles
    collection = _read([SAMPLES]).with_articles([
        replace(article, id=f"{article.id}-{n}", permalink=f"{article.permalink}?{n}",
                date=article.date + dt.timedelta(minutes=n)) for n in range(epub_writer._PARALLEL_FROM)])
    monkeypatch.setattr(epub_writer, "_ChapterRendering", _Recorded)
    monkeypatch.setattr(epub_writer, "_workers", lambda: 2)
    _Recorded.pooled = []
    shared = EpubWriter().render(collection)
    assert _Recorded.pooled == [True]
    assert shared == _build(monkeypatch, collection, workers=False)


@pytest.mark.parametrize("count", [1, 199, 200, 2000, 10_000])
@pytest.mark.parametrize("workers", [1, 2, 4])
def test_runs_cover_every_chapter_once_in_order_and_shrink_towards_the_end(count, workers):
    job = epub_writer._ChapterJob([None] * count, [], None, {}, Resources(), None, "en", [], 0)
    runs = job.runs(workers)
    assert [i for run in runs for i in run] == list(range(count))
    sizes = [len(run) for run in runs]
    assert max(sizes) <= epub_writer._RUN
    if workers == 1:
        assert sizes[:-1] == [epub_writer._RUN] * (len(sizes) - 1)
    else:  # never growing; the last runs (each worker's last) a small part of the book
        assert sizes[:-1] == sorted(sizes[:-1], reverse=True)
        assert all(size <= max(epub_writer._MIN_RUN, count // 40) for size in sizes[-workers:])


def _templates(tmp_path, chapter: str) -> Resources:
    (tmp_path / "templates").mkdir(exist_ok=True)
    (tmp_path / "templates" / "chapter.xhtml").write_text(chapter, encoding="utf-8")
    return Resources([tmp_path], [])


DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
PAGE = ('<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="{lang}" '
        'xml:lang="{lang}"><head><title>{{{{ title }}}}</title></head>'
        '<body{body}><h1>{{{{ title }}}}</h1>{{{{ body }}}}{extra}</body></html>')


@pytest.mark.parametrize("workers", [False, True], ids=["one process", "workers"])
@pytest.mark.parametrize("chapter, expected", [
    (PAGE.format(lang="{{ lang }}", body="", extra=""), 'EPUB/a0001.xhtml: no XML declaration with encoding="utf-8"'),
    (DECLARATION + PAGE.format(lang="zh_CN", body="", extra=""),
     "EPUB/a0001.xhtml: bad language tag 'zh_CN' on <html>"),
    (DECLARATION + PAGE.format(lang="{{ lang }}", body="", extra='<p><img alt="no source"/></p>'),
     "EPUB/a0001.xhtml: <img> without src"),
    (DECLARATION + PAGE.format(lang="{{ lang }}", body=' id="top"', extra='<p><a href="#top">up</a></p>'),
     "EPUB/a0001.xhtml: link '#top' targets the <body> id of EPUB/a0001.xhtml"),
    (DECLARATION + PAGE.format(lang="{{ lang }}", body=' id="top"',
                               extra='<p><a href="a0002.xhtml#top">next</a></p>'),
     "EPUB/a0001.xhtml: link 'a0002.xhtml#top' targets the <body> id of EPUB/a0002.xhtml"),
    (DECLARATION + PAGE.format(lang="{{ lang }}", body="", extra="<p>unclosed"),
     "EPUB/a0001.xhtml: not well-formed XML"),
], ids=["declaration", "language", "img", "body id", "body id in another chapter", "well-formed"])
def test_the_writer_refuses_each_kindle_problem_of_a_template(monkeypatch, tmp_path, workers, chapter, expected):
    """A user's chapter template makes each problem the lint claims to catch: the book is refused,
    whether its chapters were linted in this process or in the workers."""
    writer = EpubWriter(resources=_templates(tmp_path, chapter))
    with pytest.raises(WriterError, match="Send-to-Kindle") as refused:
        _build(monkeypatch, _read([SAMPLES]), workers, writer)
    assert expected in str(refused.value)


@pytest.mark.parametrize("workers", [False, True], ids=["one process", "workers"])
def test_an_error_in_a_worker_reaches_the_user_as_itself(monkeypatch, tmp_path, workers):
    """A template error raised in a worker comes out as the same exception, with the same message."""
    writer = EpubWriter(resources=_templates(tmp_path, DECLARATION + "<p>{{ no_such_variable }}</p>"))
    with pytest.raises(jinja2.UndefinedError, match="'no_such_variable' is undefined"):
        _build(monkeypatch, _read([SAMPLES]), workers, writer)


class _Libdeflate:
    """zipfile's compressor, deflating as the writer does (libdeflate, in one call): zipfile then writes the
    same compressed data, and the comparison is about everything else in the archive."""

    def __init__(self):
        self.pending = bytearray()

    def compress(self, data: bytes) -> bytes:
        self.pending += data
        return b""

    def flush(self) -> bytes:
        return bytes(deflate.deflate_compress(bytes(self.pending), epub_writer._DEFLATE_LEVEL))


def _reference_zip(entries: dict[str, tuple[bytes, int]], stamp, monkeypatch) -> bytes:
    """What the writer zipped with before: zipfile, fixed times, Unix, mode 644, mimetype stored."""
    monkeypatch.setattr(zipfile, "_get_compressor", lambda compress_type, compresslevel=None: (
        _Libdeflate() if compress_type == zipfile.ZIP_DEFLATED else None))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, (content, method) in entries.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = method
            info.external_attr = 0o644 << 16
            info.create_system = 3
            target.writestr(info, content)
    return out.getvalue()


def _entries(contents: dict[str, tuple[bytes, int]]) -> dict:
    return {name: (epub_writer._Entry.stored(content) if method == zipfile.ZIP_STORED
                   else epub_writer._Entry.deflated(content)) for name, (content, method) in contents.items()}


@pytest.mark.parametrize("stamp", [(2022, 5, 27, 14, 42, 33), (1980, 1, 1, 0, 0, 0), (2107, 12, 31, 23, 59, 58)])
def test_the_zip_is_byte_for_byte_what_zipfile_writes(stamp, monkeypatch):
    contents = {
        "mimetype": (b"application/epub+zip", zipfile.ZIP_STORED),
        "META-INF/container.xml": (b"<?xml version='1.0'?>" + b"<container/>" * 50, zipfile.ZIP_DEFLATED),
        "EPUB/a0001.xhtml": ("春眠不觉晓，处处闻啼鸟。".encode() * 3000, zipfile.ZIP_DEFLATED),
        "EPUB/empty.xhtml": (b"", zipfile.ZIP_DEFLATED),
        "EPUB/images/i0001.png": (zlib.compress(bytes(range(256)) * 400), zipfile.ZIP_DEFLATED),
        "EPUB/名前.xhtml": (b"<p>non-ASCII name</p>", zipfile.ZIP_DEFLATED),
    }
    ours = epub_writer._zip(_entries(contents), stamp)
    assert ours == _reference_zip(contents, stamp, monkeypatch)
    with zipfile.ZipFile(io.BytesIO(ours)) as archive:
        assert archive.testzip() is None
        assert {name: archive.read(name) for name in archive.namelist()} == {n: c for n, (c, _) in contents.items()}


def test_more_than_65535_files_take_the_zip64_end_records_as_zipfile_writes_them(monkeypatch):
    contents = {"mimetype": (b"application/epub+zip", zipfile.ZIP_STORED),
                **{f"EPUB/a{n:05d}.xhtml": (b"<p/>", zipfile.ZIP_DEFLATED) for n in range(0x10000)}}
    stamp = (2022, 5, 27, 14, 42, 32)
    ours = epub_writer._zip(_entries(contents), stamp)
    assert ours == _reference_zip(contents, stamp, monkeypatch)
    with zipfile.ZipFile(io.BytesIO(ours)) as archive:
        assert len(archive.namelist()) == 0x10001 and archive.read("EPUB/a65535.xhtml") == b"<p/>"
