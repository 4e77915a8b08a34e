"""One post file -> one ``Article``: decoding, front matter, Jekyll/Hugo semantics, body.

``read_post`` is a pure function of the file's bytes, the site configuration and
the link maps, so the reader can run it in worker processes; ``read_posts`` reads
a batch of posts the same way, a step at a time for all of them. Problems with the
file become an ``InputError`` (it is not converted) or ``Diagnostic`` warnings
(it is, and the user is told), both naming the file and, where known, the line.
"""

from __future__ import annotations

import datetime as dt
import html
import importlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from ..errors import Diagnostic, InputError
from ..model import Article
from ..text import is_cjk
from . import jekyll
from .clean import clean_body
from .frontmatter import SplitPost, split_front_matter
from .liquid import render_liquid
from .site import SiteConfig, path_suffix

MARKDOWN_EXTENSIONS = frozenset({".md", ".markdown", ".mkd", ".mkdn", ".mdown", ".txt", ""})
HTML_EXTENSIONS = frozenset({".html", ".htm", ".xhtml"})

# Front-matter keys the model has fields for; the rest go to Article.extra.
_CONSUMED = frozenset({
    "title", "date", "publishdate", "pubdate", "published", "lastmod", "last_modified_at", "updated", "modified",
    "categories", "category", "tags", "tag", "slug", "permalink", "url", "lang", "language", "author", "authors",
    "excerpt", "description", "summary", "draft", "excerpt_separator",
})


@dataclass(frozen=True, slots=True)
class PostSource:
    """Where a post comes from and what its location says about it."""

    path: Path  # the file; for stdin a stand-in name
    display: str  # the name shown in messages
    kind: str = "plain"  # "jekyll", "hugo" or "plain"
    root: Path | None = None  # the source tree: assets and links resolve inside it only
    folder_categories: tuple[str, ...] = ()  # Jekyll: folders above _posts/
    draft: bool = False  # found in _drafts/
    data: bytes | None = None  # the bytes, when not read from `path` (stdin)


@dataclass(frozen=True, slots=True)
class ReadSettings:
    """The reader options a single post needs (picklable, for worker processes)."""

    input_encoding: str | None = None
    drafts: bool = False
    future: bool = False
    unpublished: bool = False
    now: dt.datetime | None = None
    # Front matter only (date, id, permalink, categories, tags; no body), for choosing which
    # posts to read in full: see ``collection.read(choose=...)``.
    headers_only: bool = False


@dataclass(slots=True)
class PostResult:
    """What reading one post gave: an article, or why not, plus warnings."""

    source: PostSource
    article: Article | None = None
    error: InputError | None = None
    skipped: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    dropped: Mapping[str, int] = field(default_factory=dict)  # clean-up rule -> things removed
    unresolved_links: bool = False  # a post_url/link tag needs the other posts' permalinks


@dataclass(frozen=True, slots=True)
class LinkMaps:
    """Permalinks of every post, for `{% post_url %}` and `{% link %}`."""

    by_post_name: Mapping[str, str] = field(default_factory=dict)
    by_path: Mapping[str, str] = field(default_factory=dict)
    complete: bool = False  # False in the first pass: misses are deferred, not reported


def decode(data: bytes, source: PostSource, input_encoding: str | None) -> str:
    """Bytes -> text: a BOM decides; else UTF-8, or the encoding the user named."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    encoding = input_encoding or "utf-8"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        hint = "" if input_encoding else " (if the file is GB18030/GBK, pass --input-encoding gb18030)"
        raise InputError(source.display, f"not valid {encoding}: byte 0x{data[exc.start]:02x}{hint}", line) from None
    except LookupError:
        raise InputError(source.display, f"unknown input encoding {encoding!r}") from None


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)


def _read_file(path: Path) -> bytes:
    """The file's bytes, as ``path.read_bytes()`` gives them, in two system calls for a
    small file instead of pathlib's and io's layers (half the cost per post)."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        size = os.fstat(fd).st_size
        data = os.read(fd, size + 1)
        if len(data) != size:  # grown, shrunk or sizeless (a pipe, /proc): read to the end
            parts = [data]
            while data:
                data = os.read(fd, 1 << 16)
                parts.append(data)
            data = b"".join(parts)
        return data
    finally:
        os.close(fd)


def load_body_renderers() -> None:
    """Import the Markdown renderer (markdown-it and its plugins: 25 ms), which this module
    imports only where a body is rendered: reading front matter alone never needs it. The
    reader calls this before it forks workers to render bodies, so they inherit it."""
    importlib.import_module(".markdown", __package__)


def read_post(source: PostSource, config: SiteConfig, settings: ReadSettings, links: LinkMaps) -> PostResult:
    """Read one post. Never raises for a problem in the file: the result says."""
    return read_posts([source], config, settings, links)[0]


def read_posts(sources: Sequence[PostSource], config: SiteConfig, settings: ReadSettings,
               links: LinkMaps) -> list[PostResult]:
    """Read posts as read_post reads each one, a step at a time for all of them.

    Each post's steps run in their own order (so its warnings come as they would), but
    every post takes a step before any takes the next: reading the files, the front
    matter, Jekyll's rules, Markdown, the clean-up, the rest. Each step's code and data
    then stay warm in the processor's caches: a quarter less time than post by post.
    """
    results = [PostResult(source) for source in sources]
    steps = [(result, _steps(result, config, settings, links)) for result in results]
    while steps:
        steps = [(result, step) for result, step in steps if _next_step(result, step)]
    return results


def _next_step(result: PostResult, step) -> bool:
    """Run a post's next step; False when it is done, or failed (the result says why)."""
    source = result.source
    try:
        next(step)
        return True
    except StopIteration:
        return False
    except InputError as exc:
        result.error = exc if exc.path else InputError(source.display, exc.message, exc.line)
    except OSError as exc:
        result.error = InputError(source.display, f"cannot read: {exc.strerror or exc}")
    except Exception as exc:  # a bug of ours on one file must not stop the others
        import traceback  # only for this rare case

        detail = "".join(traceback.format_exception_only(exc)).strip()
        result.error = InputError(source.display, f"internal error while reading this file ({detail}); "
                                                  "please report it with the file attached")
    return False


def _steps(result: PostResult, config: SiteConfig, settings: ReadSettings, links: LinkMaps) -> Iterator[None]:
    """Reading one post, as a generator that stops between steps (see read_posts)."""
    source = result.source

    def warn(message: str, line: int | None = None) -> None:
        result.diagnostics.append(Diagnostic(message, source.display, line))

    data = source.data if source.data is not None else _read_file(source.path)
    text = decode(data, source, settings.input_encoding)
    try:
        split = split_front_matter(text, warn)
    except InputError as exc:
        raise InputError(source.display, exc.message, exc.line) from None
    yield
    yield from _build(split, source, config, settings, links, warn, result)


def _build(split: SplitPost, source: PostSource, config: SiteConfig, settings: ReadSettings,
           links: LinkMaps, warn, result: PostResult) -> Iterator[None]:
    """The article from the split post, into ``result``; stops before Markdown, the clean-up and the rest."""
    meta = split.metadata
    lower = {k.lower(): v for k, v in meta.items()} if config.kind == "hugo" else meta

    draft = source.draft or _truthy(lower.get("draft"))
    if lower.get("published") is False and not settings.unpublished:
        result.skipped = "published: false"
        return
    if draft and not settings.drafts:
        result.skipped = "draft (use --drafts)"
        return

    # Names: Jekyll's YYYY-MM-DD-slug.ext; Hugo's page bundles are named by their folder.
    name = source.path.name
    filename_date, file_slug, ext = jekyll.split_post_filename(name)
    language_suffix = ""
    if config.kind == "hugo":
        stem, language_suffix = _hugo_language(source.path.stem)
        if language_suffix.lower() not in (config.site.extra.get("languages") or ()):
            # Hugo reads a suffix as a language only for a configured one: 'only.ja.md' is 'only.ja'.
            stem, language_suffix = source.path.stem, ""
        file_slug = source.path.parent.name if stem in ("index", "_index") else stem
    ext = path_suffix(name).lower()

    def line(key: str) -> int | None:
        return split.line_of(key)

    tz = config.tz
    if config.kind == "hugo":
        # Hugo reads a date without an offset in the site's timeZone, where Jekyll's YAML
        # takes an unquoted one as UTC.
        lower = {k: v.replace(tzinfo=tz) if isinstance(v, dt.datetime) and v.tzinfo is None else v
                 for k, v in lower.items()}
    date_key = "date"
    for key in ("date", "publishdate", "pubdate"):
        if lower.get(key) not in (None, ""):
            date_key = key
            break
    try:
        date = jekyll.post_date(lower.get(date_key), filename_date=filename_date, site_tz=tz,
                                warn=lambda m: warn(m, line(date_key)))
    except InputError as exc:
        raise InputError(source.display, exc.message, exc.line or line(date_key)) from None
    now = settings.now
    if now is not None and date > now and not settings.future:
        result.skipped = f"dated in the future ({date.isoformat()}; use --future)"
        return
    updated = None
    for key in ("last_modified_at", "lastmod", "updated", "modified"):
        if lower.get(key) not in (None, ""):
            try:
                updated = jekyll.post_date(lower[key], filename_date=None, site_tz=tz,
                                           warn=lambda m, k=key: warn(m, line(k)))
            except InputError as exc:
                warn(f"ignoring {key}: {exc.message}", line(key))
            break

    slug = str(lower.get("slug") or file_slug)
    categories = jekyll.categories_from(lower, source.folder_categories)
    tags = jekyll.tags_from(lower)

    # Body: Liquid first (as Jekyll does), then Markdown unless the file is HTML.
    body_source = split.body
    if "{" in body_source and not settings.headers_only:
        page_vars = {"title": lower.get("title"), "date": date, "categories": list(categories), "tags": list(tags),
                     **{k: v for k, v in meta.items() if isinstance(v, (str, int, float))}}
        body_source = render_liquid(
            body_source, site=_site_vars(config), page=page_vars,
            resolve_post_url=lambda n: _resolve(links.by_post_name, n, links, result),
            resolve_link=lambda p: _resolve(links.by_path, p, links, result),
            warn=lambda m: warn(m, split.body_line),
        )
    is_markdown = ext not in HTML_EXTENSIONS

    # Permalink and ids, exactly as Jekyll computes them (the feeds' entry ids depend on it).
    if config.kind == "hugo":
        path = _hugo_path(lower, source, config, slug)
        post_id = path.rstrip("/") or "/"
    else:
        front_permalink = str(meta["permalink"]) if meta.get("permalink") else None
        # The post's path in the site only for a template that has :path.
        template = front_permalink if front_permalink is not None else jekyll.style_to_pattern(config.permalink)
        try:
            path = jekyll.permalink(config.permalink, date=date, categories=categories, slug=slug,
                                    basename=_stem(name),
                                    relative_path=_relative_path(source) if ":path" in template else None,
                                    front_permalink=front_permalink)
        except InputError as exc:
            raise InputError(source.display, exc.message, line("permalink")) from None
        post_id = jekyll.post_id(path, slug)
        if split.late_start and filename_date is not None:
            # Jekyll did not read this header (it does not start the file), so it published the
            # post under the file name's date and folders alone. Keep that URL and id: feed
            # readers know the post by them, and a new id would show it to them again as new.
            seen_by_jekyll = jekyll.permalink(
                config.permalink, date=dt.datetime.combine(filename_date, dt.time(), tz),
                categories=source.folder_categories, slug=file_slug, basename=source.path.stem,
                relative_path=_relative_path(source))
            if seen_by_jekyll != path:
                warn(f"keeping the URL and id Jekyll published this post under ({seen_by_jekyll}), "
                     f"not {path}", split.header_line)
                path, post_id = seen_by_jekyll, jekyll.post_id(seen_by_jekyll, file_slug)
    site = config.site
    permalink = jekyll.absolute_url(site.url, site.baseurl, path) if site.url else (site.baseurl + path)
    article_id = jekyll.absolute_url(site.url, site.baseurl, post_id) if site.url else post_id
    if settings.headers_only:
        result.article = Article(
            id=article_id, title=str(lower.get("title") or ""), date=date, body="", slug=slug, updated=updated,
            categories=categories, tags=tags, permalink=permalink, jekyll_id=post_id, source=source.display,
            draft=draft)
        return

    yield
    if is_markdown:
        from .markdown import render_markdown_blocks  # see load_body_renderers

        rendered, blocks = render_markdown_blocks(body_source)
    else:
        rendered, blocks = body_source, None
    yield
    source_dir = source.path.parent if source.data is None else None
    cleaned = clean_body(rendered, page_url=permalink, site_url=site.url, source_dir=source_dir,
                         source_root=source.root, warn=lambda m: warn(m, split.body_line))
    body = cleaned.html
    result.dropped = dict(cleaned.dropped)  # a plain dict: it travels back from worker processes

    yield
    title = _title(lower.get("title"), file_slug, body, lambda message: warn(message, line("title")))
    summary = _summary(lower, body_source, is_markdown, config, rendered, blocks)
    lang = (str(lower.get("lang") or lower.get("language") or "") or language_suffix or site.lang
            or detect_lang(summary or _text(body[:2000])))
    authors = _authors(lower.get("authors", lower.get("author"))) or ((site.author,) if site.author else ())
    extra = {k: _jsonable(v) for k, v in sorted(meta.items()) if k.lower() not in _CONSUMED and k != "layout"}
    if "layout" in meta:
        extra["layout"] = _jsonable(meta["layout"])

    result.article = Article(
        id=article_id, title=title, date=date, body=body, slug=slug, updated=updated, authors=authors,
        categories=categories, tags=tags, lang=lang, summary=summary, permalink=permalink,
        jekyll_id=post_id, source=source.display, draft=draft, assets=cleaned.assets,
        extra=dict(sorted(extra.items())),
    )


def _resolve(table: Mapping[str, str], key: str, links: LinkMaps, result: PostResult) -> str | None:
    found = table.get(key.strip())
    if found is None and not links.complete:
        result.unresolved_links = True  # read again once every permalink is known
    return found


def _relative_path(source: PostSource) -> str:
    """The post's path inside its site (``_posts/2021-12-08-x.md``), for ``:path`` permalinks."""
    if source.root is not None and source.data is None:
        # Both come from the same walk: plain string work, no resolve() (a system call
        # per part) and no PurePath.relative_to (slow for what it does here).
        root, path = str(source.root).rstrip("/") + "/", str(source.path)
        if path.startswith(root):
            return path[len(root):].replace("\\", "/")
        try:
            return source.path.relative_to(source.root).as_posix()
        except ValueError:
            pass
    return f"_posts/{source.path.name}"


def _stem(name: str) -> str:
    """``PurePath.stem`` of a file called ``name``."""
    i = name.rfind(".")
    return name[:i] if 0 < i < len(name) - 1 else name


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in ("true", "yes"))


_HUGO_LANG = re.compile(r"^(.*)\.([a-z]{2,3}(?:-[A-Za-z]{2,4})?)$")


def _hugo_language(stem: str) -> tuple[str, str]:
    """Hugo's multilingual file names: ``index.ja.md`` is the Japanese ``index``."""
    match = _HUGO_LANG.match(stem)
    return (match.group(1), match.group(2)) if match else (stem, "")


def _hugo_path(meta: Mapping[str, Any], source: PostSource, config: SiteConfig, slug: str) -> str:
    """Hugo's default URL (checked with Hugo 0.111): ``/LANG`` for a language other than the
    default, the content path's folders and the page's name, urlized; or ``url`` as written."""
    if meta.get("url"):  # used as is, without the language folder
        url = str(meta["url"])
        return url if url.startswith("/") else "/" + url
    extra = config.site.extra
    languages = extra.get("languages") or ()
    default_language = extra.get("defaultContentLanguage") or "en"
    stem = source.path.stem
    base, language = _hugo_language(stem)
    bundle = base in ("index", "_index")  # index.ja.md is the bundle's index even without languages
    if language.lower() not in languages:  # not a configured language: part of the name
        base, language = stem, ""
    language = (language or default_language).lower()
    prefix = ""
    if languages and (language != default_language or extra.get("defaultContentLanguageInSubdir")):
        prefix = "/" + language
    if not meta.get("slug"):
        slug = source.path.parent.name if bundle else base
    section: tuple[str, ...] = ()
    if source.root is not None:
        try:
            rel = source.path.relative_to(source.root / "content")
            section = rel.parts[:-2] if bundle else rel.parts[:-1]
        except ValueError:
            pass
    # Hugo urlizes the whole path: folders too are lower-cased, with hyphens for spaces.
    parts = [jekyll.slugify(part) for part in section]
    return prefix + "/" + "".join(part + "/" for part in parts if part) + jekyll.slugify(slug) + "/"


def _site_vars(config: SiteConfig) -> dict[str, Any]:
    site = config.site
    return {"title": site.title, "url": site.url, "baseurl": site.baseurl, "author": site.author,
            "lang": site.lang, "timezone": site.timezone, "description": site.description, **site.extra}


def _title(value: Any, file_slug: str, body: str, warn) -> str:
    title = unicodedata.normalize("NFC", str(value).strip()) if value not in (None, "") else ""
    if title:
        return title
    if file_slug.lstrip("-").isdigit() or not file_slug.strip("-"):
        derived = jekyll.derive_title(_text(body))
        how = "the body's first sentence"
    else:
        derived = jekyll.titleize(file_slug)
        how = "the file name"
    warn(f"no title; using {how}: {derived!r}")
    return derived


# A summary is a teaser, not the article: Jekyll's excerpt is everything up to the
# first blank line, which for a scraped HTML article is the whole text. Longer
# excerpts are cut at a sentence end (Hugo cuts at 70 words); the news digests of
# the real archive (176-519 characters) stay whole. The author's own summary is kept.
SUMMARY_LIMIT = 600
# A CJK full stop ends a sentence wherever it stands; a Latin one only before a space
# (not in "6.35"); closing quotes and brackets stay with their sentence.
_SENTENCE_END = re.compile(r"(?:[。！？]|[.!?…](?=[\s”’」』）)]|$))[”’」』）)]*")


def _summary(meta: Mapping[str, Any], body_source: str, is_markdown: bool, config: SiteConfig,
             body_html: str = "", blocks: list[tuple[int, int, int]] | None = None) -> str:
    """Plain text: explicit excerpt/description/summary, else the body up to the excerpt separator.

    ``body_html`` and ``blocks``: the body's rendering (:func:`render_markdown_blocks`), which
    gives the excerpt's when the excerpt is the start of the body, ending between blocks."""
    for key in ("excerpt", "summary", "description"):
        value = meta.get(key)
        if isinstance(value, str) and value.strip():
            return _normalize_space(_text(value))
    separator = str(meta.get("excerpt_separator") or config.excerpt_separator)
    excerpt = jekyll.split_excerpt(body_source, separator)
    if not excerpt:
        return ""
    truncated = False
    if len(excerpt) > 3 * SUMMARY_LIMIT:
        # Rendering a long excerpt only to cut its text short: render its first lines only.
        cut = excerpt.find("\n", 3 * SUMMARY_LIMIT)
        if cut >= 0:
            excerpt, truncated = excerpt[:cut], True
    if is_markdown:
        plain = plain_paragraph_text(excerpt)
        if plain is not None:
            return shorten(plain, truncated=truncated)
    rendered = None
    if is_markdown:
        from .markdown import prefix_html, render_markdown

        if blocks is not None and body_source.startswith(excerpt):
            rendered = prefix_html(body_html, blocks, len(excerpt))
        if rendered is None:
            rendered = render_markdown(excerpt)
    else:
        rendered = excerpt
    return shortened_summary_text(rendered, truncated)


def shortened_summary_text(fragment: str, truncated: bool = False) -> str:
    """``shorten(summary_text(fragment), truncated=truncated)``, from the fragment's start
    only when that is enough: shorten() takes the text's first SUMMARY_LIMIT characters and
    whether there are more. The text of the fragment up to a tag's end is the start of the
    whole fragment's text (the tag becomes a space: no entity, no whitespace run and no
    character composition reaches across it)."""
    if _needs_cleaning(fragment):
        return shorten(summary_text(fragment), truncated=truncated)
    cut = fragment.find(">", SUMMARY_LIMIT + SUMMARY_LIMIT // 2) + 1
    if cut:
        text = html.unescape(_TAG.sub(" ", fragment[:cut]))
        if text.endswith(" "):
            text = _visible_text(text)
            if len(text) > SUMMARY_LIMIT:
                return shorten(text, truncated=truncated)
    return shorten(_visible_text(_text(fragment)), truncated=truncated)


def shorten(text: str, limit: int = SUMMARY_LIMIT, truncated: bool = False) -> str:
    """``text`` if it fits, else cut after the last sentence end (or word) within ``limit``, with '…'.

    ``truncated``: the text is already the opening of something longer, so it ends in '…' anyway.
    """
    if len(text) <= limit:
        return text + "…" if truncated and text and not text.endswith("…") else text
    head = text[: limit - 1]
    end = _last_sentence_end(head)
    if end >= limit // 2:
        return head[:end].rstrip() + ("" if head[end - 1] == "…" else "…")
    space = head.rfind(" ")
    if space >= limit // 2:
        head = head[:space]
    return head.rstrip() + "…"


def _last_sentence_end(text: str) -> int:
    """Where the last sentence end of ``text`` ends (0: none), as a scan from the start finds it.

    Looked for near the end first: a scan from a later position finds the same matches
    after it (a match starts at its sentence-ending character, and what follows that in
    a match, closing quotes, cannot start one)."""
    for position in (len(text) - 100, len(text) // 2, 0):
        last = 0
        for match in _SENTENCE_END.finditer(text, max(position, 0)):
            last = match.end()
        if last or position <= 0:
            return last
    return 0


# Anything that could make Markdown render an excerpt as more than its own text:
# markup, entities, escapes, kramdown's typography ("...", "--"), block markers at a
# line start. Looked for separately: one alternation tried at every position cost
# three times as much.
_MARKDOWN_CHARACTER = re.compile(r"""[\\`*_\[\]<>&{}|~"'$\x00\t]""")
_BLOCK_MARKER = re.compile(r"[ ]*(?:[-+=#>:]|\d{1,9}[.)])| {4}")


def plain_paragraph_text(source: str) -> str | None:
    """The text Markdown would show for ``source`` when it is plain paragraphs, else None.

    Most excerpts are one paragraph of prose with no Markdown at all (news digests);
    rendering them only to take the text back costs as much as the body itself.
    Soft breaks between two CJK characters vanish, as the renderer's East Asian rule does.
    """
    if _MARKDOWN_CHARACTER.search(source) or "..." in source or "--" in source:
        return None
    lines = source.split("\n")
    if any(_BLOCK_MARKER.match(line) for line in lines):
        return None
    lines = [line.strip(" ") for line in lines]
    pieces: list[str] = []
    for line in lines:
        if not line:
            pieces.append(" ")
            continue
        if pieces and pieces[-1] != " " and not (is_cjk(pieces[-1][-1]) and is_cjk(line[0])):
            pieces.append(" ")
        pieces.append(line)
    text = _XML_FORBIDDEN.sub("", "".join(pieces))
    return unicodedata.normalize("NFC", _normalize_space(text))


# Markup whose text a reader may not see (or that the cleaner rewrites): an
# excerpt containing any of it goes through the full clean-up before its text
# is taken; any other excerpt's text is simply its text, which is much cheaper.
# Looked for by _needs_cleaning, not by one alternation with "hidden|display":
# that, tried at every position of a 2,000-character excerpt, cost 38 us.
_NEEDS_CLEANING_TAG = re.compile(
    r"<(?:script|style|iframe|object|embed|video|audio|form|input|button|select|textarea|svg|math|"
    r"template|noscript|head|title|meta|link)\b", re.IGNORECASE)
_HIDING_WORD = re.compile("hidden|display", re.IGNORECASE)
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _needs_cleaning(fragment: str) -> bool:
    """Whether ``fragment`` holds a comment, one of the elements above, or "hidden"/"display" in any case."""
    if "<!--" in fragment or _NEEDS_CLEANING_TAG.search(fragment):
        return True
    # "hidden"/"display" as re.IGNORECASE finds them, in C: apart from U+0130 U+0131 U+017F
    # (which re matches to i and s, and lower() does not turn into them), a character
    # matches an ASCII letter ignoring case exactly when its lower() is that letter, and
    # lower() keeps every other character's length (checked for every code point).
    if "\u0131" in fragment or "\u017f" in fragment or "\u0130" in fragment:
        return _HIDING_WORD.search(fragment) is not None
    lowered = fragment.lower()
    return "hidden" in lowered or "display" in lowered


def summary_text(fragment: str) -> str:
    """The visible text of a rendered excerpt, whitespace collapsed, as the body's text would read."""
    if _needs_cleaning(fragment):
        fragment = clean_body(fragment).html
    return _visible_text(_text(fragment))


def _visible_text(text: str) -> str:
    """Text as a reader gets it: no XML-forbidden characters, whitespace collapsed, NFC."""
    return unicodedata.normalize("NFC", _normalize_space(_XML_FORBIDDEN.sub("", text)))


_TAG = re.compile(r"<[^>]*>")


def _text(fragment: str) -> str:
    """The text of an HTML fragment (tags dropped, entities decoded)."""
    return html.unescape(_TAG.sub(" ", fragment)) if "<" in fragment or "&" in fragment else fragment


def _normalize_space(text: str) -> str:
    # The same as re.sub(r"\s+", " ", text).strip(), several times faster: re's \s, str.split()
    # and str.strip() all take Python's isspace() characters (checked for every code point).
    return " ".join(text.split())


def _authors(value: Any) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if name not in (None, "") and str(name).strip() not in names:
            names.append(str(name).strip())
    return tuple(names)


def _jsonable(value: Any) -> Any:
    """Front-matter values as JSON can hold them (dates as ISO 8601 strings)."""
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and value != value:  # NaN has no JSON form
        return None
    return value


# Scripts that name a language well enough for hyphenation, fonts and `lang`.
_SCRIPT_LANGS = (
    (re.compile(r"[\u3040-\u30ff]+"), "ja"),
    (re.compile(r"[\uac00-\ud7af]+"), "ko"),
    (re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]+"), "zh"),
    (re.compile(r"[\u0600-\u06ff]+"), "ar"),
    (re.compile(r"[\u0400-\u04ff]+"), "ru"),
)
_NOT_LETTER = re.compile(r"[\W\d_]+")
_HAN = _SCRIPT_LANGS[2][0]
_KANA_OR_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")


def detect_lang(text: str) -> str:
    """A language guessed from the script of most letters ('' when it is Latin or unclear)."""
    # A paragraph tells the script; counting by deletion keeps the work in C.
    text = text[:400]
    # Mostly Han without kana or hangul is Chinese, told without the costly letter filter
    # below: every Han character is a letter, so Han is then most letters too.
    if 2 * (len(text) - len(_HAN.sub("", text))) > len(text) and not _KANA_OR_HANGUL.search(text):
        return "zh"
    letters = _NOT_LETTER.sub("", text)
    if not letters:
        return ""
    for pattern, lang in _SCRIPT_LANGS:
        count = len(letters) - len(pattern.sub("", letters))
        # Japanese is told by any kana among Han; the others need most letters.
        if (lang == "ja" and count >= 5) or count * 2 > len(letters):
            return lang
    return ""
