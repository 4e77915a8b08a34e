"""Books over the size limit (50 MB) come out as volumes, with a warning; ``--split-by month`` volumes.

The limit is lowered in the tests (``max_book_bytes``) rather than 50 MB generated.
"""

from __future__ import annotations

import io
import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from lxml import etree
from PIL import Image

from convert.model import Collection
from convert.options import WriteOptions
from convert.pipeline import Job, run
from convert.writers.epub import EpubWriter
from tests.support.epub_checks import (NS, assert_chapters_hold_bodies, broken_links, chapters, epubcheck,
                                       epubcheck_problems, package, unzip)
from tests.support.local_server import body, serve

from .test_epub_writer import CORPUS, SAMPLES, _read, needs_corpus


def _noise_png(seed: int, side: int = 160) -> bytes:
    """A PNG that does not compress (random pixels): about 3 * side * side bytes."""
    rng = random.Random(seed)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), bytes(rng.getrandbits(8) for _ in range(3 * side * side))).save(out, "PNG")
    return out.getvalue()


def _chapter_titles(data: bytes) -> list[str]:
    files = unzip(data)
    return [" ".join("".join(etree.fromstring(files["EPUB/" + parts[0]]).find(".//x:h1", NS).itertext()).split())
            for parts in chapters(files)]


def _reading_order(collection: Collection) -> list:
    return sorted(collection.articles, key=lambda a: (a.date, a.id))


@pytest.fixture(scope="module")
def volumes():
    """finews (about 180 KB as one book) under a 150 KB limit: (collection, whole book, writer, documents,
    EPUBCheck reports of the first and last volumes)."""
    if not CORPUS.is_dir():
        pytest.skip("shared corpus not present")
    collection = _read([CORPUS / "finews"], config=CORPUS / "finews-site" / "_config.yml")
    whole = EpubWriter().render(collection)
    writer = EpubWriter()
    writer.max_book_bytes = 150_000
    documents = writer.documents(collection)
    with ThreadPoolExecutor(2) as pool:  # the first and the last volume: the middle ones are made alike
        reports = list(pool.map(epubcheck, [documents[0].content, documents[-1].content]))
    return collection, whole, writer, documents, reports


@needs_corpus
def test_a_book_over_the_limit_becomes_volumes_under_it(volumes):
    collection, whole, writer, documents, reports = volumes
    assert len(whole) > writer.max_book_bytes
    assert len(documents) >= 2 and [d.volume for d in documents] == list(range(1, len(documents) + 1))
    assert all(d.name == "" and len(d.content) <= writer.max_book_bytes for d in documents)
    assert [epubcheck_problems(r) for r in reports] == [[], []]
    (warning,) = writer.diagnostics
    assert warning.path is None and f"written as {len(documents)} volumes" in warning.message
    assert "--split-every N" in warning.message and "over the 146 KB" in warning.message


@needs_corpus
def test_the_volumes_hold_every_article_once_in_reading_order(volumes):
    collection, whole, writer, documents, _ = volumes
    assert [t for d in documents for t in _chapter_titles(d.content)] == _chapter_titles(whole)
    order = _reading_order(collection)
    start = 0
    for document in documents:
        files = unzip(document.content)
        count = len(chapters(files))
        assert_chapters_hold_bodies(order[start:start + count], files)
        assert broken_links(files) == []
        start += count
    assert start == len(order)


@needs_corpus
def test_volumes_are_titled_numbered_and_shelved_as_a_series(volumes):
    _, whole, _, documents, _ = volumes
    title = package(unzip(whole)).find("opf:metadata/dc:title", NS).text
    identifiers = set()
    for document in documents:
        metadata = package(unzip(document.content)).find("opf:metadata", NS)
        n = document.volume
        assert metadata.find("dc:title", NS).text == f"{title}（第{n}卷）"
        props = {m.get("property"): m.text for m in metadata.iterfind("opf:meta[@property]", NS)}
        assert props["belongs-to-collection"] == title and props["group-position"] == str(n)
        assert metadata.find("opf:meta[@name='calibre:series_index']", NS).get("content") == str(n)
        identifiers.add(metadata.find("dc:identifier", NS).text)
    assert len(identifiers) == len(documents)


def test_the_pipeline_writes_numbered_volumes_next_to_the_book(tmp_path, monkeypatch):
    monkeypatch.setattr(EpubWriter, "max_book_bytes", 200_000)
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text("title: Noise\nlang: en\n", encoding="utf-8")
    for n in range(1, 5):
        (site / "_posts" / f"2022-05-0{n}-noise.md").write_text(
            f"---\ntitle: Noise {n}\n---\n![noise {n}](noise{n}.png)\n", encoding="utf-8")
        (site / "_posts" / f"noise{n}.png").write_bytes(_noise_png(n))
    report = run(Job(sources=[site], formats=["epub"], output=tmp_path / "out" / "book.epub"))
    names = sorted(p.name for p in report.written)
    assert len(names) >= 2 and names == [f"book-{n}.epub" for n in range(1, len(names) + 1)]
    assert not (tmp_path / "out" / "book.epub").exists()
    assert report.exit_code == 0 and len(report.diagnostics) == 1
    folder = run(Job(sources=[site], formats=["epub"], output=tmp_path / "folder"))
    assert sorted(p.name for p in folder.written) == [f"Noise-{n}.epub" for n in range(1, len(names) + 1)]
    assert run(Job(sources=[site], formats=["epub"], output=tmp_path / "s.epub", strict=True)).exit_code == 1


def test_an_article_larger_than_the_limit_is_a_volume_of_its_own_and_a_warning(tmp_path):
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text("title: Noise\nlang: en\n", encoding="utf-8")
    posts = {1: [1], 2: [2, 3, 4, 5], 3: [6]}  # the second article shows four images: about 300 KB
    for n, images in posts.items():
        (site / "_posts" / f"2022-05-0{n}-p.md").write_text(
            f"---\ntitle: Post {n}\n---\n" + " ".join(f"![noise {i}](noise{i}.png)" for i in images) + "\n",
            encoding="utf-8")
        for i in images:
            (site / "_posts" / f"noise{i}.png").write_bytes(_noise_png(i))
    collection = _read([site])
    writer = EpubWriter()
    writer.max_book_bytes = 250_000
    documents = writer.documents(collection)
    assert [_chapter_titles(d.content) for d in documents] == [["Post 1"], ["Post 2"], ["Post 3"]]
    big = next(a for a in collection.articles if a.title == "Post 2")
    assert [d.path for d in writer.diagnostics] == [None, big.source]
    assert writer.diagnostics[1].message.startswith("this article makes a volume of ")
    assert len(documents[1].content) > writer.max_book_bytes >= max(len(documents[0].content),
                                                                     len(documents[2].content))
    # alone, it is one book over the limit (there is nothing to cut), and a warning
    alone = EpubWriter()
    alone.max_book_bytes = 250_000
    (document,) = alone.documents(collection.with_articles([big]))
    assert document.volume is None and len(document.content) > alone.max_book_bytes
    (warning,) = alone.diagnostics
    assert warning.path == big.source and warning.message.startswith("this article makes a book of ")


def test_volumes_fetch_each_remote_image_once_and_warn_once(tmp_path):
    routes = {f"/noise{n}.png": body(_noise_png(n), "image/png") for n in range(1, 5)}
    with serve(routes) as server:
        site = tmp_path / "site"
        (site / "_posts").mkdir(parents=True)
        for n in range(1, 5):
            (site / "_posts" / f"2022-05-0{n}-r.md").write_text(
                f"---\ntitle: Remote {n}\n---\n![noise]({server.url(f'/noise{n}.png')}) ![gone](missing{n}.png)\n",
                encoding="utf-8")
        writer = EpubWriter(WriteOptions(fetch_remote=True, allowed_hosts=("127.0.0.1",)))
        writer.max_book_bytes = 200_000
        documents = writer.documents(_read([site]))
        assert sorted(server.requests) == sorted(routes)
    assert len(documents) >= 2
    assert sum("not found in the source tree" in d.message for d in writer.diagnostics) == 4
    assert sum("volumes" in d.message for d in writer.diagnostics) == 1
    embedded = [n for d in documents for n in unzip(d.content) if n.startswith("EPUB/images/i")]
    assert len(embedded) == 4


def test_split_by_month_writes_a_book_per_month(tmp_path):
    report = run(Job(sources=[SAMPLES], formats=["epub"], output=tmp_path, split_by="month"))
    collection = _read([SAMPLES])
    months = sorted({f"{a.date:%Y-%m}" for a in collection.articles})
    assert sorted(p.name for p in report.written) == [f"{m}.epub" for m in months] == ["2022-05.epub"]
    data = (tmp_path / "2022-05.epub").read_bytes()
    assert epubcheck_problems(epubcheck(data)) == []
    assert_chapters_hold_bodies(_reading_order(collection), unzip(data))


@needs_corpus
def test_split_by_month_across_months(tmp_path):
    diverse = CORPUS / "diverse"
    report = run(Job(sources=[diverse], formats=["epub"], output=tmp_path, split_by="month"))
    collection = _read([diverse])
    by_month: dict[str, list] = {}
    for article in _reading_order(collection):
        by_month.setdefault(f"{article.date:%Y-%m}", []).append(article)
    assert sorted(p.name for p in report.written) == [f"{m}.epub" for m in sorted(by_month)]
    month, members = max(by_month.items(), key=lambda item: len(item[1]))
    data = (tmp_path / f"{month}.epub").read_bytes()
    assert_chapters_hold_bodies(members, unzip(data))
    assert epubcheck_problems(epubcheck(data)) == []

