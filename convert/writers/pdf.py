"""PDF volumes for archive binders (``--to pdf``), laid out by WeasyPrint.

One collection -> one bound volume: a title page, a contents section whose page
numbers WeasyPrint fills in (``target-counter``, dot leaders), then one article
per new page (``--start-on right`` for binding), with running heads, folios on
the outer corner, mirrored margins with a binding gutter, footnotes at the foot
of the page and an outline by section (month) and article. ``--each`` gives one
PDF per article, without title page and contents. Articles come from the same
rendering as EPUB chapters (:func:`convert.render.render_body`, in print layout),
through ``templates/volume.html``, ``templates/pdf-page.css`` and ``styles/pdf.css``.

Untrusted content stays contained:

* WeasyPrint fetches through :class:`_Fetcher`, which serves ``data:`` URLs and the
  local image files the writer resolved inside the source tree, and nothing else:
  no network, no ``file:///etc/passwd``; ``rel=attachment`` is removed beforehand.
* Each document is laid out in a child process with a time and a memory limit.
  When a volume fails, each of its articles is tried alone to find the culprits;
  they are reported and the volume is written without them (``keep_going``, the
  default), or the writer fails (``--strict``).

Reproducible: the PDF's dates come from the content (or ``SOURCE_DATE_EPOCH``),
its identifier from its bytes, never from the clock or a random number.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import resource
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from markupsafe import Markup

from ..errors import InputError, WriterError
from ..model import Article, Collection
from ..render import (BookLinks, article_urls, body_ids, date_range, format_date, format_month, is_rtl, labels,
                      normalize_lang, primary, render_body, source_file)
from .base import Writer

# Margins per paper size (top, bottom, outer, inner before the gutter), as a book designer would set them.
PAPERS = {
    "A4": ("A4", "22mm", "24mm", "20mm", "20mm"),
    "A5": ("A5", "16mm", "18mm", "13mm", "13mm"),
    "B5": ("B5", "19mm", "21mm", "16mm", "16mm"),
    "LETTER": ("letter", "0.85in", "0.95in", "0.8in", "0.8in"),
}
VARIANTS = ("pdf/a-3b", "pdf/a-2b", "pdf/ua-1")
START_ON = ("page", "right")
# Latin-script languages: only these get hyphenation (pyphen dictionaries exist for all of them).
_HYPHENATED = frozenset("af ca cs da de en eo es et fi fr gl hr hu id is it la lt lv nb nl nn no pl pt ro sk sl "
                        "sq sv tr".split())
_MEMORY_LIMIT = 4 << 30  # bytes of address space a rendering child may use
_PER_ARTICLE_SECONDS = 2.0  # a volume's time limit grows with its articles, on top of render_timeout


class PdfWriter(Writer):
    name = "pdf"
    extension = ".pdf"
    media_type = "application/pdf"
    binary = True
    description = "PDF volume for printing and archiving: title page, contents, running heads, CJK typography"

    def render(self, collection: Collection) -> bytes:
        if not collection.articles:
            raise WriterError("a PDF needs at least one article")
        self._check_options()
        if not harfbuzz_subsetter():
            self.warn("WeasyPrint is subsetting fonts with fontTools because HarfBuzz's subsetter "
                      "(libharfbuzz-subset0) is missing: every PDF with CJK text takes seconds longer. "
                      "Install it: apt-get install libharfbuzz-subset0")
        articles = sorted(collection.articles, key=lambda a: (a.date, a.id))
        left_out: list[tuple[Article, str]] = []
        while True:
            job = self._job(collection, articles)
            try:
                return run_isolated(job, self._time_limit(len(articles)))
            except RenderFailure as failure:
                culprits = self._culprits(collection, articles) if len(articles) > 1 else [(articles[0], failure)]
                if not culprits:
                    raise WriterError(f"the PDF could not be laid out: {failure}") from None
            failed = {id(a) for a, _ in culprits}
            for article, reason in culprits:
                left_out.append((article, str(reason)))
            if not self.options.keep_going:
                raise WriterError("; ".join(f"{a.source or a.title}: cannot be laid out as PDF ({r})"
                                            for a, r in left_out))
            for article, reason in culprits:
                self.failures.append(InputError(article.source or article.title,
                                                f"cannot be laid out as PDF ({reason}); left out of the PDF"))
            articles = [a for a in articles if id(a) not in failed]
            if not articles:
                raise WriterError("no article of this PDF could be laid out")

    # --- the document ----------------------------------------------------------------

    def _check_options(self) -> None:
        o = self.options
        if o.paper.upper() not in PAPERS:
            raise WriterError(f"--paper {o.paper}: use one of A4, A5, B5, Letter")
        if o.pdf_variant is not None and o.pdf_variant not in VARIANTS:
            raise WriterError(f"--pdf-variant {o.pdf_variant}: use one of {', '.join(VARIANTS)}")
        if o.start_on not in START_ON:
            raise WriterError(f"--start-on {o.start_on}: use page or right")

    def _job(self, collection: Collection, articles: list[Article]) -> RenderJob:
        lang = normalize_lang(collection.lang or articles[0].lang)
        words = labels(lang)
        volume = len(articles) > 1
        prefixes = [f"a{i:04d}" for i in range(1, len(articles) + 1)]
        images: dict[tuple[str, str], str] = {}
        allowed: set[str] = set()
        for article in articles:
            for asset in article.assets:
                if asset.path is None:
                    continue
                file = source_file(article, asset.path)
                if file is None:
                    self.warn(f"image {asset.path} not found in the source tree; its alt text stands in",
                              article.source or None)
                    continue
                images[(article.id, asset.url)] = file.as_uri()
                allowed.add(str(file))
        links = BookLinks(
            chapters={url: p for a, p in zip(articles, prefixes) for url in article_urls(a)},
            ids={p: body_ids(a.body) for a, p in zip(articles, prefixes)},
            images=images,
            single_document=True,
        )
        chapters = [self._chapter(a, p, links, lang) for a, p in zip(articles, prefixes)]
        sections = _sections(articles, chapters, lang)
        title = self.options.title or _title(collection, articles, lang)
        created, modified = _dates(articles)
        site = collection.site
        authors = [site.author] if site.author else list(dict.fromkeys(x for a in articles for x in a.authors))
        html = self.resources.template("volume.html").render(
            lang=lang, dir="rtl" if is_rtl(lang) else "", title=title, author=", ".join(authors),
            heading=self.options.title or site.title or title,
            description=site.description,
            keywords=", ".join(dict.fromkeys(x for a in articles for x in (*a.categories, *a.tags))),
            created=created, modified=modified, front=volume, date_range=date_range(articles, lang),
            source_name=site.title if site.title and site.title not in title else "", source_url=site.absolute_root,
            labels=words, sections=sections,
        )
        paper, top, bottom, outer, inner = PAPERS[self.options.paper.upper()]
        page_css = self.resources.template("pdf-page.css").render(
            paper=paper, top=top, bottom=bottom, outer=outer, inner=f"calc({inner} + {self.options.gutter})",
            start_on=self.options.start_on)
        stylesheets = (*self.resources.stylesheets("base.css", "pdf.css"), page_css)
        return RenderJob(html, tuple(stylesheets), frozenset(allowed), self.options.pdf_variant)

    def _chapter(self, article: Article, prefix: str, links: BookLinks, book_lang: str) -> dict:
        lang = normalize_lang(article.lang or book_lang)
        words = labels(lang)
        body, _ = render_body(article, prefix, links, lang, print_layout=True)
        return {
            "id": prefix, "lang": lang, "hyphenate": primary(lang) in _HYPHENATED,
            "title": article.title.strip() or format_date(article.date, lang),
            "date_iso": article.date.isoformat(), "date_text": format_date(article.date, lang),
            "authors": words["authors_sep"].join(article.authors),
            "categories": words["terms_sep"].join(article.categories),
            "tags": words["terms_sep"].join(article.tags),
            "original": article.permalink if article.permalink.startswith(("http://", "https://")) else "",
            "body": Markup(body),
        }

    def _time_limit(self, articles: int) -> float:
        return self.options.render_timeout + _PER_ARTICLE_SECONDS * articles

    def _culprits(self, collection: Collection, articles: list[Article]) -> list[tuple[Article, Exception]]:
        """Each article alone, in parallel: the ones that cannot be laid out, with the reason."""
        def attempt(article: Article):
            try:
                run_isolated(self._job(collection, [article]), self._time_limit(1))
                return None
            except RenderFailure as failure:
                return article, failure

        kept = len(self.diagnostics)  # the attempts must not repeat the volume's warnings
        try:
            with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
                results = list(pool.map(attempt, articles))
        finally:
            del self.diagnostics[kept:]
        return [r for r in results if r is not None]


def _title(collection: Collection, articles: list[Article], lang: str) -> str:
    if len(articles) == 1 and articles[0].title.strip():
        return articles[0].title.strip()
    name = collection.site.title or labels(lang)["untitled"]
    return f"{name} ({date_range(articles, lang)})"


def _dates(articles: list[Article]) -> tuple[str, str]:
    """The PDF's creation and modification dates: SOURCE_DATE_EPOCH, else the newest content."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        return moment.isoformat(), moment.isoformat()
    created = max(a.date for a in articles)
    modified = max(a.modified for a in articles)
    return created.isoformat(), modified.isoformat()


def _sections(articles: list[Article], chapters: list[dict], lang: str) -> list[dict]:
    """Month sections when the articles span several months, else one untitled section."""
    months = [(a.date.year, a.date.month) for a in articles]
    if len(set(months)) <= 1:
        return [{"title": "", "chapters": chapters}]
    sections: list[dict] = []
    for month, chapter in zip(months, chapters):
        if not sections or sections[-1]["month"] != month:
            sections.append({"month": month, "title": format_month(*month, lang), "chapters": []})
        sections[-1]["chapters"].append(chapter)
    return sections


# --- rendering in a child process ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RenderJob:
    """Everything a child process needs to lay out one PDF (picklable, no open resources)."""

    html: str
    stylesheets: tuple[str, ...]
    allowed_files: frozenset[str]  # absolute paths of the local files the document may load
    variant: str | None = None


class RenderFailure(Exception):
    """A document could not be laid out: an exception, the time limit or the memory limit."""


def run_isolated(job: RenderJob, timeout: float) -> bytes:
    """``job`` laid out by WeasyPrint in a forked child with ``timeout`` seconds and a memory cap."""
    context = multiprocessing.get_context("fork")  # the child inherits the loaded fonts and modules
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(job, sender), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise RenderFailure(f"took longer than {timeout:.0f} s")
        try:
            ok, payload = receiver.recv()
        except EOFError:
            child.join(5)
            raise RenderFailure(f"the layout process died (exit code {child.exitcode}), "
                                "probably out of memory") from None
        if not ok:
            raise RenderFailure(payload)
        return payload
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receiver.close()


def _child(job: RenderJob, sender) -> None:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (_MEMORY_LIMIT, _MEMORY_LIMIT))
        result = (True, render_pdf(job))
    except MemoryError:
        result = (False, "out of memory")
    except RecursionError:
        result = (False, "nested too deeply")
    except Exception as exc:  # noqa: BLE001 - any failure of the layout is this document's failure
        result = (False, f"{type(exc).__name__}: {exc}")
    sender.send(result)
    sender.close()


def render_pdf(job: RenderJob) -> bytes:
    """Lay out ``job`` with WeasyPrint in this process (the child, normally)."""
    import logging

    from weasyprint import CSS, HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # refused fetches are expected, not news
    fetcher = _fetcher(job.allowed_files)
    document = HTML(string=job.html, base_url="about:blank", url_fetcher=fetcher)
    sheets = [CSS(string=text, url_fetcher=fetcher) for text in job.stylesheets]
    options = {"pdf_identifier": True}
    if job.variant:
        options["pdf_variant"] = job.variant
    return document.write_pdf(stylesheets=sheets, **options)


def _fetcher(allowed_files: frozenset[str]):
    from urllib.request import url2pathname

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Fetcher(URLFetcher):
        """``data:`` URLs and the files the writer allowed; nothing from the network."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file:"):
                path = url2pathname(url.split("?", 1)[0].split("#", 1)[0].removeprefix("file://"))
                if path in allowed_files:
                    with open(path, "rb") as handle:
                        return URLFetcherResponse(url, handle.read())
            raise ValueError(f"not fetched (outside the source tree or remote): {url}")

    return Fetcher(allowed_protocols=("data", "file"), allow_redirects=False)


def harfbuzz_subsetter() -> bool:
    """Whether WeasyPrint subsets fonts with HarfBuzz (fast) rather than fontTools (seconds per CJK font)."""
    try:
        from weasyprint.text.ffi import harfbuzz, harfbuzz_subset
    except (ImportError, OSError):
        return False
    return bool(harfbuzz_subset) and bool(harfbuzz.hb_version_atleast(4, 1, 0))
