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
import functools
import gc
import heapq
import io
import multiprocessing
import os
import re
import resource
from dataclasses import dataclass, replace
from multiprocessing.connection import wait
from typing import Iterator, Sequence

from markupsafe import Markup

from ..errors import ConvertError, InputError, WriterError
from ..model import Article, Collection
from ..render import (BookLinks, article_urls, body_ids, date_range, format_date, format_month, is_rtl, labels,
                      normalize_lang, primary, render_body, source_file)
from ..text import is_cjk
from .base import Document, Writer

# Paper (CSS name, width, height) and margins (top, bottom, outer, inner before the gutter).
PAPERS = {
    "A4": ("A4", "210mm", "297mm", "22mm", "24mm", "20mm", "20mm"),
    "A5": ("A5", "148mm", "210mm", "16mm", "18mm", "13mm", "13mm"),
    "B5": ("B5", "176mm", "250mm", "19mm", "21mm", "16mm", "16mm"),
    "LETTER": ("letter", "8.5in", "11in", "0.85in", "0.95in", "0.8in", "0.8in"),
}
_UNITS = {"mm": 72 / 25.4, "cm": 72 / 2.54, "q": 72 / 101.6, "in": 72.0, "pt": 1.0, "pc": 12.0, "px": 0.75}
VARIANTS = ("pdf/a-3b", "pdf/a-2b", "pdf/ua-1")
START_ON = ("page", "right")
# Latin-script languages: only these get hyphenation (pyphen dictionaries exist for all of them).
_HYPHENATED = frozenset("af ca cs da de en eo es et fi fr gl hr hu id is it la lt lv nb nl nn no pl pt ro sk sl "
                        "sq sv tr".split())
_COLSPAN = re.compile(r'colspan="\s*(\d+)')
_CHARS_PER_RUN = 100_000  # body text per run of a volume laid out in parts: bounds each child's memory
_RUNS_PER_CORE = 3  # at least: the runs near the end are then short, and the cores finish them together
# Laying out the front for its length costs about as much per contents entry as a run does for this much
# text (measured: 0.59 s for 200 entries, 11.6 s for 200 articles of 2,900 characters).
_TRIAL_CHARS_PER_ENTRY = 170
_MEMORY_LIMIT = 4 << 30  # bytes of address space a rendering child may use
_PER_ARTICLE_SECONDS = 2.0  # a volume's time limit grows with its articles, on top of render_timeout


class PdfWriter(Writer):
    name = "pdf"
    extension = ".pdf"
    media_type = "application/pdf"
    binary = True
    description = "PDF volume for printing and archiving: title page, contents, running heads, CJK typography"
    # A volume with at least this much body text is laid out in parts on every core (see _render_in_parts).
    parts_threshold = 40_000

    def render(self, collection: Collection) -> bytes:
        if not collection.articles:
            raise WriterError("a PDF needs at least one article")
        self._prepare()
        articles = sorted(collection.articles, key=lambda a: (a.date, a.id))
        while True:
            plan = self._plan(collection, articles)
            in_parts = (len(articles) > 1 and self.options.pdf_variant != "pdf/ua-1"  # PDF/UA needs one tag tree
                        and sum(len(a.body) for a in articles) >= self.parts_threshold)
            try:
                return self._render_in_parts(plan) if in_parts else self._render_at_once(plan)
            except _Culprits as found:
                articles = self._leave_out(articles, found.culprits)

    def documents_each(self, collections: Sequence[Collection]) -> Iterator[list[Document] | ConvertError]:
        """One PDF per article (``--each``), laid out on every core, a batch at a time."""
        try:
            self._prepare()
            sheets = self._stylesheets()
        except ConvertError as exc:
            yield from (exc for _ in collections)
            return
        batch = _JOBS_PER_CHILD * _workers()  # each child lays out up to _JOBS_PER_CHILD of a batch
        for start in range(0, len(collections), batch):
            chunk = collections[start:start + batch]
            jobs: list[RenderJob | ConvertError] = []
            for collection in chunk:
                try:
                    if len(collection.articles) != 1:
                        raise WriterError("--each gives one article per PDF")
                    plan = self._plan(collection, list(collection.articles))
                    jobs.append(RenderJob(self._html(plan, front=False, articles=True), sheets, plan.allowed,
                                          self.options.pdf_variant))
                except ConvertError as exc:
                    jobs.append(exc)
            runnable = [j for j in jobs if isinstance(j, RenderJob)]
            results = iter(run_many(runnable, [self._time_limit(1)] * len(runnable), reuse=True))
            for collection, job in zip(chunk, jobs):
                if isinstance(job, ConvertError):
                    yield job
                    continue
                result = next(results)
                if isinstance(result, RenderFailure):
                    article = collection.articles[0]
                    yield InputError(article.source or article.title, f"cannot be laid out as PDF ({result})")
                else:
                    yield [Document("", result)]

    def _prepare(self) -> None:
        """Check the options, and what this process (and the children it forks) lays out with:
        HarfBuzz's font subsetter in one pass (convert.pdf_output), the contents' dot leaders drawn
        as one text each (convert.pdf_leaders), and justified CJK lines that reach the margin
        (convert.cjk_justify)."""
        from .. import cjk_justify, pdf_leaders, pdf_output

        self._check_options()
        if not harfbuzz_subsetter():
            self.warn("WeasyPrint is subsetting fonts with fontTools because HarfBuzz's subsetter "
                      "(libharfbuzz-subset0) is missing: every PDF with CJK text takes seconds longer. "
                      "Install it: apt-get install libharfbuzz-subset0")
        else:
            pdf_output.install()  # when it cannot, WeasyPrint's own (slower) subsetting stays: nothing to tell
        pdf_leaders.install()  # likewise: WeasyPrint's own leaders look the same, only slower
        if not cjk_justify.install():
            self.warn(f"Chinese lines stay ragged: {cjk_justify.unavailable_reason()}")

    # --- one WeasyPrint call ----------------------------------------------------------

    def _render_at_once(self, plan: _Plan) -> bytes:
        job = RenderJob(self._html(plan, front=len(plan.articles) > 1, articles=True), self._stylesheets(),
                        plan.allowed, self.options.pdf_variant)
        try:
            return run_isolated(job, self._time_limit(len(plan.articles)))
        except RenderFailure as failure:
            if len(plan.articles) == 1:
                raise _Culprits([(plan.articles[0], failure)]) from None
            raise _Culprits(self._culprits(plan, range(len(plan.articles)), failure)) from None

    def _culprits(self, plan: _Plan, indices, failure: RenderFailure) -> list[tuple[Article, RenderFailure]]:
        """Each article alone, on every core: the ones that cannot be laid out, with the reason."""
        indices = list(indices)
        jobs = [RenderJob(self._html(plan, front=False, articles=True, include={i}), self._stylesheets(),
                          plan.allowed, self.options.pdf_variant) for i in indices]
        results = run_many(jobs, [self._time_limit(1)] * len(jobs))
        culprits = [(plan.articles[i], r) for i, r in zip(indices, results) if isinstance(r, RenderFailure)]
        if not culprits:
            raise WriterError(f"the PDF could not be laid out: {failure}")
        return culprits

    def _leave_out(self, articles: list[Article], culprits) -> list[Article]:
        if not self.options.keep_going:
            raise WriterError("; ".join(f"{a.source or a.title}: cannot be laid out as PDF ({r})" for a, r in culprits))
        for article, reason in culprits:
            self.failures.append(InputError(article.source or article.title,
                                            f"cannot be laid out as PDF ({reason}); left out of the PDF"))
        failed = {id(a) for a, _ in culprits}
        remaining = [a for a in articles if id(a) not in failed]
        if not remaining:
            raise WriterError("no article of this PDF could be laid out")
        return remaining

    # --- in parts, on every core ------------------------------------------------------

    def _render_in_parts(self, plan: _Plan) -> bytes:
        """The volume laid out in parts, in parallel, then assembled: the same pages as one call.

        1. Runs of articles are laid out in child processes, on every core, on a sheet
           wider than the paper by the gutter's offset, with the inner margin on both
           sides and no running heads or folios. The text block is as wide as on the
           real page, so the lines and page breaks are the ones of a single call, and
           each page becomes a left or right page by where its MediaBox starts. The
           front (title page, contents) is laid out first with stand-in page numbers,
           for its length.
        2. As soon as the runs before it and the front's length are known, a run's
           pages have their numbers: its running heads and folios are laid out
           (``templates/pdf-furniture.html``, through the volume's own stylesheets)
           while later runs still are. When every run is done, the front is laid out
           with the real numbers. All in one pool of children, so no core waits for
           a round to end.
        3. pikepdf assembles the pages, lays the heads and folios over them, merges
           the named destinations (links between articles) and writes the outline.
        Only one run of articles is in memory per core, whatever the volume's size.
        """
        import pikepdf

        geometry = _geometry(self.options)
        sheets = self._stylesheets()
        right = self.options.start_on == "right"
        # Enough runs to bound a child's memory, and several per core, so that the cores finish together.
        workers = _workers()
        needed = -(-sum(len(a.body) for a in plan.articles) // _CHARS_PER_RUN)
        # The first runs start alongside the front's trial: they take more, so the cores finish together.
        runs = _partition(plan.articles, workers * max(_RUNS_PER_CORE, -(-needed // workers)),
                          lead=_TRIAL_CHARS_PER_ENTRY * len(plan.articles), leading=max(1, workers - 1))
        # The front's length, with stand-in page numbers as wide as the real ones will be (the contents'
        # length depends on the titles, not on which digits the numbers have).
        widest = 10 ** len(str(sum(len(a.body) for a in plan.articles) // 200 + 10)) - 1
        trial = replace(self._front_job(plan, sheets, {i: widest for i in range(len(plan.articles))}),
                        count_only=True)
        parts: list = [None] * len(runs)
        starts: list[list[int]] = [[] for _ in runs]
        furniture: list[bytes | None] = [None] * len(runs)
        layout: list[tuple[int, int]] = []  # (first page of the run, its page count), for the runs numbered
        numbers: dict[int, int] = {}
        failed: list[tuple[int, RenderFailure]] = []
        front_pages = front = None
        # Lowest first: the front (everything else waits for it), then the runs, then heads and folios.
        with _Pool() as pool:
            pool.submit(("front", 0), trial, self._time_limit(1), priority=0)
            pool.start()  # on a core while the runs' documents are made
            for k, run in enumerate(runs):
                job = RenderJob(self._html(plan, front=False, articles=True, include=set(run)),
                                (*sheets, _run_css(geometry)), plan.allowed, self.options.pdf_variant)
                pool.submit(("run", k), job, self._time_limit(len(run)), priority=1)
            outstanding = 1 + len(runs)
            while outstanding:
                (kind, k), result = pool.next_result()
                outstanding -= 1
                if isinstance(result, RenderFailure):
                    if kind == "run":
                        failed.append((k, result))
                        continue
                    raise WriterError(f"the title page, contents or running heads could not be laid out: {result}")
                if kind == "run":
                    parts[k] = pikepdf.open(io.BytesIO(result))
                    starts[k] = _anchor_pages(parts[k], [plan.prefixes[i] for i in runs[k]])
                elif kind == "furniture":
                    furniture[k] = result
                elif k == 0:  # the trial
                    front_pages = int(result)
                else:
                    front = result
                if failed or front_pages is None:
                    continue  # the culprits are looked for once every run is done
                while len(layout) < len(runs) and parts[len(layout)] is not None:
                    k = len(layout)
                    page = _first_body_page(front_pages, right) if not layout else _next_run_page(*layout[-1], right)
                    layout.append((page, len(parts[k].pages)))
                    numbers.update((i, page + local) for i, local in zip(runs[k], starts[k]))
                    pool.submit(("furniture", k), self._furniture(plan, sheets, numbers, runs[k], *layout[k]),
                                self._time_limit(1), priority=2)
                    outstanding += 1
                    if len(layout) == len(runs):
                        pool.submit(("front", 1), self._front_job(plan, sheets, numbers), self._time_limit(1))
                        outstanding += 1
        culprits = [c for k, failure in failed for c in self._culprits(plan, runs[k], failure)]
        if culprits:
            raise _Culprits(culprits)
        for _ in range(3):  # the real numbers changed the contents' length: number the pages again
            counted = len(pikepdf.open(io.BytesIO(front)).pages)
            if counted == front_pages:
                return _assemble(front, parts, layout, furniture, plan, numbers, geometry, right)
            front_pages, page, layout = counted, _first_body_page(counted, right), []
            for k, part in enumerate(parts):
                layout.append((page, len(part.pages)))
                numbers.update((i, page + local) for i, local in zip(runs[k], starts[k]))
                page = _next_run_page(page, len(part.pages), right)
            *furniture, front = run_many(
                [*(self._furniture(plan, sheets, numbers, run, *place) for run, place in zip(runs, layout)),
                 self._front_job(plan, sheets, numbers)], [self._time_limit(1)] * (1 + len(runs)))
            for result in (front, *furniture):
                if isinstance(result, RenderFailure):
                    raise WriterError(f"the front or running heads could not be laid out: {result}")
        raise WriterError("the contents' length does not settle: its page numbers keep changing it")

    def _front_job(self, plan: _Plan, sheets, numbers: dict[int, int]) -> RenderJob:
        return RenderJob(self._html(plan, front=True, articles=False, pages=numbers), sheets, plan.allowed,
                         self.options.pdf_variant)

    def _furniture(self, plan: _Plan, sheets, numbers: dict[int, int], run: list[int], start: int,
                   count: int) -> RenderJob:
        """The heads and folios of pages ``start``... (a run of articles): one sheet per page, the
        sheets stacked on one tall page (a page of its own would cost WeasyPrint three times as much)
        and cut apart again by :func:`_sheet_forms`."""
        starting = {numbers[i]: plan.chapters[i]["running_head"] for i in run}
        current = plan.chapters[run[0]]["running_head"]
        entries = []
        for page in range(start, start + count):
            current = starting.get(page, current)
            right = page % 2 == 1
            entries.append({"side": "right" if right else "left", "folio": page,
                            "head": current if right else plan.context["running_head"]})
        html = self.resources.template("pdf-furniture.html").render(
            lang=plan.lang, dir="rtl" if is_rtl(plan.lang) else "", sheets=entries)
        return RenderJob(html, (*sheets, _furniture_css(_geometry(self.options), count)), frozenset(), None)

    # --- the document ----------------------------------------------------------------

    def _check_options(self) -> None:
        o = self.options
        if o.paper.upper() not in PAPERS:
            raise WriterError(f"--paper {o.paper}: use one of A4, A5, B5, Letter")
        if o.pdf_variant is not None and o.pdf_variant not in VARIANTS:
            raise WriterError(f"--pdf-variant {o.pdf_variant}: use one of {', '.join(VARIANTS)}")
        if o.start_on not in START_ON:
            raise WriterError(f"--start-on {o.start_on}: use page or right")
        _points(o.gutter)

    def _plan(self, collection: Collection, articles: list[Article]) -> _Plan:
        lang = normalize_lang(collection.lang or articles[0].lang)
        prefixes = [f"a{i:04d}" for i in range(1, len(articles) + 1)]
        images: dict[tuple[str, str], str] = {}
        allowed: set[str] = set()
        fetched = self._fetch_remote(articles) if self.options.fetch_remote else {}
        for article in articles:
            for asset in article.assets:
                if asset.path is None:
                    if asset.url in fetched:
                        images[(article.id, asset.url)] = fetched[asset.url]
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
        head_room = _head_room(_geometry(self.options))
        for chapter in chapters:
            chapter["running_head"] = _running_head(chapter["title"], head_room)
        title = self.options.title or _title(collection, articles, lang)
        site = collection.site
        created, modified = _dates(articles)
        authors = [site.author] if site.author else list(dict.fromkeys(x for a in articles for x in a.authors))
        context = dict(
            lang=lang, dir="rtl" if is_rtl(lang) else "", title=title, author=", ".join(authors),
            heading=self.options.title or site.title or title, description=site.description,
            running_head=_running_head(self.options.title or site.title or title, head_room),
            keywords=", ".join(dict.fromkeys(x for a in articles for x in (*a.categories, *a.tags))),
            created=created, modified=modified, date_range=date_range(articles, lang),
            source_name=site.title if site.title and site.title not in title else "",
            source_url=site.absolute_root, labels=labels(lang),
        )
        return _Plan(articles, prefixes, chapters, _months(articles, lang), lang, title, frozenset(allowed), context)

    def _fetch_remote(self, articles: list[Article]) -> dict[str, str]:
        """``--fetch-remote``: each remote image once, through convert.fetch, as a ``data:`` URL (the
        layout child loads nothing from the network); a failure is a warning and the alt text stands in."""
        import base64

        from ..errors import FetchError
        from ..fetch import fetch_all, remote_image_urls
        from ..svg import UnsafeSvg, looks_like_svg, sanitize_svg

        sources = {a.url: article.source for article in articles for a in article.assets}
        found: dict[str, str] = {}
        for url, result in fetch_all(remote_image_urls(articles), self.options).items():
            if isinstance(result, FetchError):
                self.warn(f"{result}; its alt text stands in", sources.get(url) or None)
                continue
            data, media_type = result.data, result.media_type
            if looks_like_svg(data):
                try:
                    data, media_type = sanitize_svg(data), "image/svg+xml"
                except UnsafeSvg as exc:
                    self.warn(f"image {url} dropped ({exc}); its alt text stands in", sources.get(url) or None)
                    continue
            elif not media_type.startswith("image/"):
                self.warn(f"{url} is not an image ({media_type or 'no type'}); its alt text stands in",
                          sources.get(url) or None)
                continue
            found[url] = f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"
        return found

    def _html(self, plan: _Plan, *, front: bool, articles: bool, include: set[int] | None = None,
              pages: dict[int, int] | None = None) -> str:
        sections = []
        for label, members in plan.sections:
            chosen = [i for i in members if include is None or i in include]
            if chosen:
                chapters = [dict(plan.chapters[i], page=(pages or {}).get(i)) for i in chosen]
                sections.append({"title": label if include is None or members[0] in include else "",
                                 "chapters": chapters})
        return self.resources.template("volume.html").render(front=front, articles=articles, sections=sections,
                                                             **plan.context)

    def _stylesheets(self) -> tuple[str, ...]:
        paper, _, _, top, bottom, outer, inner = PAPERS[self.options.paper.upper()]
        page_css = self.resources.template("pdf-page.css").render(
            paper=paper, top=top, bottom=bottom, outer=outer, inner=f"calc({inner} + {self.options.gutter})",
            start_on=self.options.start_on)
        return (*self.resources.stylesheets("base.css", "pdf.css"), page_css)

    def _chapter(self, article: Article, prefix: str, links: BookLinks, book_lang: str) -> dict:
        lang = normalize_lang(article.lang or book_lang)
        words = labels(lang)
        body, _ = render_body(article, prefix, links, lang, print_layout=True)
        if any(int(n) > 1000 for n in _COLSPAN.findall(article.body)):
            self.warn("a table cell spans more than 1,000 columns; laid out as 1,000 (the HTML limit)",
                      article.source or None)
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


@dataclass(frozen=True, slots=True)
class _Plan:
    """One volume, rendered to HTML pieces once, whichever way it is then laid out."""

    articles: list[Article]
    prefixes: list[str]  # each article's id in the document: a0001...
    chapters: list[dict]  # template fields per article
    sections: list[tuple[str, list[int]]]  # (month label or '', article indices)
    lang: str
    title: str
    allowed: frozenset[str]  # local files the document may load
    context: dict  # the volume's template fields


class _Culprits(Exception):
    """Articles that cannot be laid out: the writer leaves them out and starts again (or fails)."""

    def __init__(self, culprits: list[tuple[Article, RenderFailure]]):
        super().__init__(culprits)
        self.culprits = culprits


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


def _months(articles: list[Article], lang: str) -> list[tuple[str, list[int]]]:
    """Month sections when the articles span several months, else one untitled section."""
    months = [(a.date.year, a.date.month) for a in articles]
    if len(set(months)) <= 1:
        return [("", list(range(len(articles))))]
    sections: list[tuple[str, list[int]]] = []
    keys: list[tuple[int, int]] = []
    for i, month in enumerate(months):
        if not keys or keys[-1] != month:
            keys.append(month)
            sections.append((format_month(*month, lang), []))
        sections[-1][1].append(i)
    return sections


def _first_body_page(front_pages: int, right: bool) -> int:
    """The page the first article starts on, after ``front_pages`` of title page and contents."""
    return front_pages + 1 + (right and front_pages % 2 == 1)


def _next_run_page(first: int, count: int, right: bool) -> int:
    """The page after a run of ``count`` pages from ``first`` (a blank one first when it must start right)."""
    return first + count + (right and count % 2 == 1)


def _partition(articles: list[Article], parts: int, lead: float = 0, leading: int = 1) -> list[list[int]]:
    """Article indices in ``parts`` consecutive runs of about the same amount of text, but for the first
    ``leading`` runs, which share ``lead`` more (at most half a run's worth, for their memory): they start
    alongside a job that takes that long, so the cores are done at the same time."""
    total = sum(len(a.body) + 500 for a in articles)  # +500: the header and page break cost something too
    lead = min(lead, total / parts / 2)
    share = (total - lead) / parts
    runs: list[list[int]] = [[]]
    done = 0
    for i, article in enumerate(articles):
        if runs[-1] and done >= share * len(runs) + lead * min(len(runs), leading) / leading:
            runs.append([])
        runs[-1].append(i)
        done += len(article.body) + 500
    return runs


# --- rendering in a child process ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RenderJob:
    """Everything a child process needs to lay out one PDF (picklable, no open resources)."""

    html: str
    stylesheets: tuple[str, ...]
    allowed_files: frozenset[str]  # absolute paths of the local files the document may load
    variant: str | None = None
    count_only: bool = False  # lay out only, and answer the number of pages (as ASCII digits)


class RenderFailure(Exception):
    """A document could not be laid out: an exception, the time limit or the memory limit."""


def run_isolated(job: RenderJob, timeout: float) -> bytes:
    """``job`` laid out by WeasyPrint in a forked child with ``timeout`` seconds and a memory cap."""
    result = run_many([job], [timeout])[0]
    if isinstance(result, RenderFailure):
        raise result
    return result


def run_many(jobs: list[RenderJob], timeouts: list[float], workers: int | None = None,
             reuse: bool = False) -> list[bytes | RenderFailure]:
    """Every job laid out in a forked child, ``workers`` at a time (every core by default); results in order.

    ``reuse``: a child lays out up to :data:`_JOBS_PER_CHILD` jobs one after the other (``--each``:
    forking costs about as much as laying out a short article); one that fails any job is retired all
    the same.
    """
    results: list[bytes | RenderFailure | None] = [None] * len(jobs)
    with _Pool(workers, reuse) as pool:
        for index, (job, timeout) in enumerate(zip(jobs, timeouts)):
            pool.submit(index, job, timeout)
        for _ in jobs:
            index, result = pool.next_result()
            results[index] = result
    return results  # type: ignore[return-value]


_JOBS_PER_CHILD = 50


class _Pool:
    """Forked layout children, ``workers`` at a time, for jobs submitted while others run.

    Forked, not spawned: a child starts with WeasyPrint, its fonts and fontconfig's
    cache already loaded. A child that overruns its time is killed; one that dies
    (the memory cap) is a failure of that job only. Pending jobs start by priority
    (the lowest first), then in the order they came, when :meth:`next_result` is
    called; it answers the next job to finish, as ``(key, PDF bytes or RenderFailure)``.
    """

    def __init__(self, workers: int | None = None, reuse: bool = False) -> None:
        self.workers = workers or _workers()
        self.reuse = reuse
        self._context = multiprocessing.get_context("fork")
        self._idle: list[_Child] = []
        self._running: dict = {}  # connection -> (key, child, deadline, timeout)
        self._pending: list[tuple[int, int, object, RenderJob, float]] = []  # a heap
        self._order = 0
        self._done: list[tuple[object, bytes | RenderFailure]] = []

    def __enter__(self) -> _Pool:
        _warm_up()
        # Keep the garbage collector off the parent's objects in the children: walking them would copy
        # every page they sit on into each child (copy-on-write), a hundred megabytes or more per child.
        gc.freeze()
        return self

    def __exit__(self, *exc) -> None:
        for child in self._idle + [c for _, c, _, _ in self._running.values()]:
            child.stop()
        gc.unfreeze()

    def submit(self, key, job: RenderJob, timeout: float, priority: int = 0) -> None:
        for text in job.stylesheets:  # parsed here, once, and inherited by every child forked from now on
            _stylesheet(text)
        heapq.heappush(self._pending, (priority, self._order, key, job, timeout))
        self._order += 1

    def next_result(self) -> tuple[object, bytes | RenderFailure]:
        import time

        while not self._done:
            # Started only now, not as each result comes in: a job submitted in answer to a result
            # then takes its place by priority, ahead of ones that were waiting already.
            self.start()
            if not self._running:
                raise RuntimeError("no layout job is pending")
            soonest = min(deadline for _, _, deadline, _ in self._running.values())
            for connection in wait(list(self._running), timeout=max(0.0, soonest - time.monotonic())):
                key, child, _, _ = self._running.pop(connection)
                try:
                    ok, payload = connection.recv()
                    self._done.append((key, payload if ok else RenderFailure(payload)))
                except EOFError:
                    ok = False
                    child.process.join(5)
                    self._done.append((key, RenderFailure(f"the layout process died (exit code "
                                                          f"{child.process.exitcode}), probably out of memory")))
                child.jobs += 1
                if ok and self.reuse and child.jobs < _JOBS_PER_CHILD:
                    self._idle.append(child)
                else:
                    child.stop()
            now = time.monotonic()
            for connection, (key, child, deadline, timeout) in list(self._running.items()):
                if now >= deadline:
                    del self._running[connection]
                    self._done.append((key, RenderFailure(f"took longer than {timeout:.0f} s")))
                    child.stop()
        return self._done.pop(0)

    def start(self) -> None:
        """Pending jobs on the free children now (:meth:`next_result` does it before it waits)."""
        import time

        while self._pending and len(self._running) < self.workers:
            _, _, key, job, timeout = heapq.heappop(self._pending)
            child = self._idle.pop() if self._idle else _Child(self._context)
            child.connection.send(job)
            self._running[child.connection] = (key, child, time.monotonic() + timeout, timeout)


class _Child:
    """A forked layout process: jobs in through its pipe, (ok, PDF bytes or reason) out."""

    def __init__(self, context) -> None:
        self.connection, theirs = context.Pipe(duplex=True)
        self.process = context.Process(target=_serve, args=(theirs,), daemon=True)
        self.process.start()
        theirs.close()
        self.jobs = 0

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.connection.close()


@functools.cache
def _warm_up() -> None:
    """Load WeasyPrint, Pango and the CJK fonts once, in the parent, so that no forked child pays for it."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    HTML(string='<p lang="zh-CN" style="font-family: \'Noto Serif CJK SC\'">中文 <b>字</b> '
                '<span style="font-family: \'Noto Sans CJK SC\'">体</span> Latin</p>').write_pdf(font_config=_fonts())


def _workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _serve(connection) -> None:
    """A layout child: jobs until the parent closes the pipe (or stops this process)."""
    resource.setrlimit(resource.RLIMIT_AS, (_MEMORY_LIMIT, _MEMORY_LIMIT))
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        try:
            result = (True, render_pdf(job))
        except MemoryError:
            result = (False, "out of memory")
        except RecursionError:
            result = (False, "nested too deeply")
        except Exception as exc:  # noqa: BLE001 - any failure of the layout is this document's failure
            result = (False, f"{type(exc).__name__}: {exc}")
        connection.send(result)


def render_pdf(job: RenderJob) -> bytes:
    """Lay out ``job`` with WeasyPrint in this process (the child, normally)."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # refused fetches are expected, not news
    fetcher = _fetcher(job.allowed_files)
    document = HTML(string=job.html, base_url="about:blank", url_fetcher=fetcher)
    sheets = [_stylesheet(text) for text in job.stylesheets]
    if job.count_only:
        return str(len(document.render(stylesheets=sheets, font_config=_fonts()).pages)).encode()
    options = {"pdf_identifier": True}
    if job.variant:
        options["pdf_variant"] = job.variant
    return document.write_pdf(stylesheets=sheets, font_config=_fonts(), **options)


# Parsed once per process; a forked child inherits what its parent parsed and loaded (run_many parses
# every job's stylesheets before forking). Each --each PDF would otherwise parse them again (35 ms) and
# load the CJK fonts into a new Pango font map.
@functools.lru_cache(maxsize=64)
def _stylesheet(text: str):
    from weasyprint import CSS

    return CSS(string=text, url_fetcher=_fetcher(frozenset()), font_config=_fonts())


@functools.cache
def _fonts():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


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


# --- a volume in parts: geometry and assembly ----------------------------------------------


@dataclass(frozen=True, slots=True)
class _Geometry:
    """The page in points: its size and the margins of a right-hand page."""

    width: float
    height: float
    top: float
    bottom: float
    outer: float
    inner: float  # with the gutter

    @property
    def shift(self) -> float:
        """How far a left-hand page's text block sits from a right-hand page's."""
        return self.inner - self.outer


def _points(length: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(mm|cm|q|in|pt|pc|px)\s*", length.lower())
    if not match:
        raise WriterError(f"{length!r} is not a length like 15mm, 1cm, 0.5in or 12pt")
    return float(match.group(1)) * _UNITS[match.group(2)]


def _geometry(options) -> _Geometry:
    _, width, height, top, bottom, outer, inner = PAPERS[options.paper.upper()]
    return _Geometry(_points(width), _points(height), _points(top), _points(bottom), _points(outer),
                     _points(inner) + _points(options.gutter))


def _run_css(g: _Geometry) -> str:
    """A run of articles: a sheet wider by the left pages' shift, inner margins on both sides, no furniture."""
    boxes = " ".join(f"@{box} {{ content: none; }}" for box in _MARGIN_BOXES)
    return (f"@page {{ size: {g.width + g.shift:.4f}pt {g.height:.4f}pt; }}\n"
            + "".join(f"@page {selector} {{ margin: {g.top:.4f}pt {g.inner:.4f}pt {g.bottom:.4f}pt {g.inner:.4f}pt; "
                      f"{boxes} }}\n" for selector in ("", ":left", ":right", ":first", ":blank")))


_MARGIN_BOXES = ("top-left-corner", "top-left", "top-center", "top-right", "top-right-corner", "left-top",
                 "left-middle", "left-bottom", "right-top", "right-middle", "right-bottom", "bottom-left-corner",
                 "bottom-left", "bottom-center", "bottom-right", "bottom-right-corner")
_HEAD_SIZE = 8.0  # pt: the running heads' size in styles/pdf.css


def _head_room(g: _Geometry) -> float:
    """How many ems of running head fit on one line across the text block, with a margin for error."""
    return 0.9 * (g.width - g.inner - g.outer) / _HEAD_SIZE


def _running_head(title: str, room: float) -> str:
    """``title`` shortened with an ellipsis to fit ``room`` ems (CJK characters 1 em, others about 0.6):
    a running head is one line, and one computed here is the same in a volume laid out at once or in parts
    (CSS text-overflow in margin boxes would also cost WeasyPrint seconds per hundred pages)."""
    width, kept = 0.0, []
    for ch in " ".join(title.split()):
        width += 1.0 if is_cjk(ch) else 0.6
        if width > room:
            return "".join(kept).rstrip() + "…"
        kept.append(ch)
    return "".join(kept)


def _furniture_css(g: _Geometry, sheets: int) -> str:
    """``sheets`` sheets as large as the page, stacked on one page (a point taller, so that rounding
    cannot push the last one onto a second page); heads and folios where the margin boxes would put
    them, vertically centred in the top and bottom margins, between the page's left and right margins."""
    boxes = " ".join(f"@{box} {{ content: none; }}" for box in _MARGIN_BOXES)
    body = g.height - g.top - g.bottom
    return (f"@page {{ size: {g.width:.4f}pt {sheets * g.height + 1:.4f}pt; }}\n"
            + "".join(f"@page {selector} {{ margin: 0; {boxes} }}\n"
                      for selector in ("", ":left", ":right", ":first", ":blank"))
            + "html, body { margin: 0; padding: 0; }\n"
            f".furniture-sheet {{ height: {g.height:.4f}pt; overflow: hidden; }}\n"
            f".furniture-sheet.right {{ padding: 0 {g.outer:.4f}pt 0 {g.inner:.4f}pt; text-align: right; }}\n"
            f".furniture-sheet.left {{ padding: 0 {g.inner:.4f}pt 0 {g.outer:.4f}pt; text-align: left; }}\n"
            f".furniture-head {{ margin: 0; height: {g.top:.4f}pt; line-height: {g.top:.4f}pt; text-indent: 0; }}\n"
            f".furniture-folio {{ margin: {body:.4f}pt 0 0; height: {g.bottom:.4f}pt; line-height: {g.bottom:.4f}pt;"
            " text-indent: 0; }\n")




def _anchor_pages(part, prefixes: list[str]) -> list[int]:
    """The 0-based page of a part where each article (its id, a named destination) starts."""
    index = {page.objgen: n for n, page in enumerate(part.pages)}
    names = _dests(part)
    return [index[names[prefix][0].objgen] for prefix in prefixes]


def _dests(pdf) -> dict:
    """The named destinations of a WeasyPrint PDF (a flat ``/Names`` array, as WeasyPrint writes it)."""
    names = pdf.Root.get("/Names", {}).get("/Dests", {}).get("/Names", [])
    return {str(names[i]): names[i + 1] for i in range(0, len(names), 2)}


def _assemble(front: bytes, parts: list, layout: list[tuple[int, int]], furniture: list[bytes], plan: _Plan,
              numbers: dict[int, int], g: _Geometry, right: bool) -> bytes:
    """The front, then every part's pages framed as left or right pages, with heads and folios laid over."""
    import pikepdf

    volume = pikepdf.open(io.BytesIO(front))  # its catalog has the metadata, language, PDF/A intent
    own = {str(k): v for k, v in _dests(volume).items() if k not in set(plan.prefixes)}
    strips = [pikepdf.open(io.BytesIO(data)) for data in furniture]  # open while their forms are copied
    overlays = [_sheet_forms(strip, count, g) for strip, (_, count) in zip(strips, layout)]
    if right and len(volume.pages) % 2 == 1:
        volume.add_blank_page(page_size=(g.width, g.height))
    destinations = dict(own)
    for part, (first, count), sheets in zip(parts, layout, overlays):
        assert len(volume.pages) + 1 == first
        volume.pages.extend(part.pages)
        for n in range(count):
            page = volume.pages[first - 1 + n]
            x = 0.0 if (first + n) % 2 == 1 else g.shift
            page.obj.MediaBox = pikepdf.Array([x, 0, x + g.width, g.height])
            for box in ("/CropBox", "/BleedBox", "/TrimBox", "/ArtBox"):
                if box in page.obj:
                    del page.obj[box]
            if _has_content(page):  # a blank page before a right-hand start stays blank
                _lay_over(page, sheets[n], pikepdf.Rectangle(x, 0, x + g.width, g.height))
        for name, destination in _dests(part).items():
            # Copied after the pages, so its page reference maps to the page already copied.
            destinations[name] = volume.copy_foreign(part.make_indirect(destination))
        if right and count % 2 == 1 and part is not parts[-1]:
            volume.add_blank_page(page_size=(g.width, g.height))
    names = pikepdf.Array()
    for name in sorted(destinations, key=lambda k: k.encode("utf-8")):
        names.append(pikepdf.String(name))
        names.append(destinations[name])
    volume.Root.Names = pikepdf.Dictionary(Dests=pikepdf.Dictionary(Names=names))
    with volume.open_outline() as outline:
        outline.root.clear()
        for label, members in plan.sections:
            items = [pikepdf.OutlineItem(plan.chapters[i]["title"], numbers[i] - 1) for i in members]
            if label:
                section = pikepdf.OutlineItem(label, numbers[members[0]] - 1)
                section.children.extend(items)
                outline.root.append(section)
            else:
                outline.root.extend(items)
    out = io.BytesIO()
    volume.save(out, deterministic_id=True, compress_streams=True)
    return out.getvalue()


def _lay_over(page, form, rect) -> None:
    """The form XObject ``form`` drawn over ``page`` in ``rect``, named ``/Furniture``.

    Unlike pikepdf's ``add_overlay``: a fixed name, not a random one (the same input gives the
    same bytes); the page gets its own resource dictionary (WeasyPrint's pages share theirs, which
    would collect every page's furniture); and the page's content stream is kept as it is, with
    two small streams around it, instead of being rewritten (and deflated again) into one.
    """
    import pikepdf

    name = pikepdf.Name("/Furniture")
    resources = pikepdf.Dictionary({key: value for key, value in page.obj.get("/Resources", {}).items()})
    xobjects = pikepdf.Dictionary({key: value for key, value in resources.get("/XObject", {}).items()})
    assert name not in xobjects
    form = xobjects[name] = form.with_same_owner_as(page.obj)
    resources.XObject = xobjects
    page.obj.Resources = resources
    placement = page.calc_form_xobject_placement(form, name, rect, allow_expand=True)
    page.contents_add(b"q\n", prepend=True)
    page.contents_add(b"Q\n" + placement, prepend=False)


def _sheet_forms(strip, count: int, g: _Geometry) -> list:
    """The ``count`` sheets of a furniture strip (one tall page, the sheets stacked from its top) as
    form XObjects, each drawing only its own text. The strip's content stream is cut by the sheet each
    text object starts on; other marks stay in every form (each form's box clips them to its sheet),
    and the groups (``q`` ... ``Q``) with nothing to draw for a sheet are left out of its form. Text is
    what must not be shared: text extraction ignores clipping."""
    import pikepdf

    if len(strip.pages) != 1:
        raise WriterError(f"the running heads took {len(strip.pages)} pages instead of one")
    page = strip.pages[0]
    top = float(page.MediaBox[3])
    tree = _Group(pikepdf.parse_content_stream(page), top, g.height)
    forms = []
    for k in range(count):
        form = pikepdf.Stream(strip, pikepdf.unparse_content_stream(tree.operations(k)))
        form.Type = pikepdf.Name.XObject
        form.Subtype = pikepdf.Name.Form
        form.BBox = pikepdf.Array([0, top - (k + 1) * g.height, g.width, top - k * g.height])
        form.Resources = page.Resources
        forms.append(form)
    return forms


# Operators that put marks on the page, besides text.
_PAINTING = frozenset({"f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "sh", "Do", "INLINE IMAGE"})


class _Group:
    """A content stream as a tree of graphics-state groups (``q`` ... ``Q``), whose items are operations,
    text objects (``BT`` ... ``ET``, with the sheet where their text starts) and groups; each group knows
    the sheets its text is on and whether it paints anything else, so a sheet's operations are found
    without walking the other sheets' groups."""

    def __init__(self, operations, top: float, sheet_height: float) -> None:
        self.items: list = []  # operation | ("text", sheet, [operations]) | _Group
        self.sheets: set[int] = set()
        self.paints = False
        stack, ctm, saved = [self], (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), []
        text: list | None = None
        origin = None
        for operation in operations:
            name = str(operation.operator)
            if text is not None:  # inside a text object
                text.append(operation)
                if name == "Tm" and origin is None:
                    origin = _multiply(tuple(float(x) for x in operation.operands), ctm)[4:]
                elif name == "ET":
                    sheet = int((top - (origin or ctm[4:])[1]) // sheet_height)
                    stack[-1].items.append(("text", sheet, text))
                    for group in stack:
                        group.sheets.add(sheet)
                    text = None
                continue
            if name == "BT":
                text, origin = [operation], None
            elif name == "q":
                saved.append(ctm)
                child = _Group.__new__(_Group)
                child.items, child.sheets, child.paints = [operation], set(), False
                stack[-1].items.append(child)
                stack.append(child)
            elif name == "Q" and len(stack) > 1:
                ctm = saved.pop()
                stack.pop().items.append(operation)
            else:
                if name == "cm":
                    ctm = _multiply(tuple(float(x) for x in operation.operands), ctm)
                elif name in _PAINTING:
                    for group in stack:
                        group.paints = True
                stack[-1].items.append(operation)

    def operations(self, sheet: int) -> list:
        """The operations that draw ``sheet``: its own text, everything but other sheets' text."""
        found: list = []
        for item in self.items:
            if isinstance(item, _Group):
                if sheet in item.sheets or item.paints:
                    found.extend(item.operations(sheet))
            elif isinstance(item, tuple):
                if item[1] == sheet:
                    found.extend(item[2])
            else:
                found.append(item)
        return found


def _multiply(m, n) -> tuple[float, ...]:
    """The PDF matrix product ``m`` x ``n`` (``m`` applied first), matrices as (a, b, c, d, e, f)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _has_content(page) -> bool:
    resources = page.obj.get("/Resources", {})
    return "/Font" in resources or "/XObject" in resources or "/Shading" in resources
