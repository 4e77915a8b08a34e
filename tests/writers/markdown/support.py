"""What the Markdown tests share: HTML normalization, reading Markdown back, the spec renderers."""

from __future__ import annotations

import re
from html.entities import name2codepoint
from html.parser import HTMLParser
from pathlib import Path

import lxml.etree
import lxml.html
from markdown_it import MarkdownIt

from convert import read
from convert.options import WriteOptions
from convert.reader.collection import ReadOptions
from convert.writers.markdown import MarkdownWriter

ROOT = Path(__file__).resolve().parents[3]
SHARED = ROOT.parent / "shared"
FINEWS = SHARED / "corpus" / "finews"
FINEWS_CONFIG = SHARED / "corpus" / "finews-site" / "_config.yml"
SPEC = SHARED / "testdata" / "commonmark-spec-0.31.2.json"

_CJK_SPACE = re.compile(r"([\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef])")


def normalize_body(html: str) -> str:
    """Structure, attributes and text; runs of ASCII whitespace as one space, none between blocks
    (U+3000 and no-break spaces are text: a lost paragraph indent is a difference)."""
    if not html.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except lxml.etree.ParserError:  # only a comment or a doctype
        return " ".join(html.split())
    text = lxml.html.tostring(root, encoding="unicode", method="xml")
    text = re.sub(r"[ \t\n\r\f]+", " ", text).strip(" ")
    return re.sub(r" ?(</?(?:p|div|h\d|ul|ol|li|blockquote|pre|table|thead|tbody|tr|td|th|hr|br)\b[^>]*>) ?", r"\1", text)


# The block-level tags of the spec's normalization: whitespace next to them is not content.
_SPEC_BLOCK_TAGS = frozenset(
    "article header aside hgroup blockquote hr iframe body li map button object canvas ol caption output "
    "col p colgroup pre dd progress div section dl table td dt tbody embed textarea fieldset tfoot "
    "figcaption th figure thead footer tr form ul h1 h2 h3 h4 h5 h6 video script style".split()
)
_SPEC_CHUNK = re.compile(r"<!\[CDATA\[.*?\]\]>|<[^>]*>|[^<]+")
_SPEC_ESCAPES = {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;"}


class _SpecNormalizer(HTMLParser):
    """The normalization the CommonMark spec's own test runner applies (its test/normalize.py,
    rules as documented there): whitespace runs as one space outside ``pre``, no whitespace
    next to block-level tags, attributes sorted, ``<x />`` as ``<x>``, character references
    decoded (``< > & "`` as entities); comments, declarations, processing instructions,
    CDATA and stray tags kept as tokens. The token stream is compared, not a repaired tree."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out = ""
        self.last = "starttag"
        self.last_tag = ""
        self.in_pre = False

    def handle_data(self, data: str) -> None:
        after_tag = self.last in ("starttag", "endtag")
        if after_tag and self.last_tag == "br":
            data = data.lstrip("\n")
        if not self.in_pre:
            data = re.sub(r"\s+", " ", data)
            if after_tag and self.last_tag in _SPEC_BLOCK_TAGS:
                data = data.lstrip() if self.last == "starttag" else data.strip()
        self.out += data
        self.last = "data"

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "pre":
            self.in_pre = True
        if tag in _SPEC_BLOCK_TAGS:
            self.out = self.out.rstrip()
        self.out += "<" + tag
        for name, value in sorted(attrs, key=lambda a: (a[0], a[1] or "")):
            self.out += f" {name}" if value is None else f' {name}="{_spec_escape(value)}"'
        self.out += ">"
        self.last, self.last_tag = "starttag", tag

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)
        self.last = "endtag"

    def handle_endtag(self, tag) -> None:
        if tag == "pre":
            self.in_pre = False
        elif tag in _SPEC_BLOCK_TAGS:
            self.out = self.out.rstrip()
        self.out += f"</{tag}>"
        self.last, self.last_tag = "endtag", tag

    def handle_comment(self, data) -> None:
        self.out += f"<!--{data}-->"
        self.last = "comment"

    def handle_decl(self, data) -> None:
        self.out += f"<!{data}>"
        self.last = "decl"

    unknown_decl = handle_decl

    def handle_pi(self, data) -> None:
        self.out += f"<?{data}>"
        self.last = "pi"

    def handle_entityref(self, name) -> None:
        code = name2codepoint.get(name)
        self._reference(chr(code) if code is not None else None, f"&{name};")

    def handle_charref(self, name) -> None:
        try:
            char = chr(int(name[1:], 16) if name[:1] in "xX" else int(name))
        except (ValueError, OverflowError):
            char = None
        self._reference(char, f"&#{name};")

    def _reference(self, char: str | None, fallback: str) -> None:
        self.out += fallback if char is None else _SPEC_ESCAPES.get(char, char)
        self.last = "ref"


def _spec_escape(value: str) -> str:
    return "".join(_SPEC_ESCAPES.get(c, c) for c in value)


def spec_normalize(html: str) -> str:
    """``html`` as the CommonMark spec's test runner normalizes it before comparing."""
    parser = _SpecNormalizer()
    # As the spec's runner does: HTMLParser cannot parse CDATA, so CDATA chunks pass verbatim.
    for chunk in _SPEC_CHUNK.finditer(html):
        if chunk.group(0).startswith("<![CDATA["):
            parser.out += chunk.group(0)
        else:
            parser.feed(chunk.group(0))
    parser.close()
    return parser.out


def write_each(collection, folder: Path, flavor: str = "gfm", **options) -> dict[str, str]:
    """Every article as its own .md file (as ``--each`` names them) in ``flavor`` (and other
    WriteOptions ``options``); name -> text."""
    from convert.pipeline import _article_stem
    from convert.output import safe_filename

    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    writer = MarkdownWriter(WriteOptions(markdown_flavor=flavor, **options))
    for article in collection.articles:
        text = writer.render(collection.with_articles([article]))
        name = safe_filename(_article_stem(article), ".md")
        (folder / name).write_text(text, encoding="utf-8")
        written[name] = text
    return written


def read_folder(folder: Path, config: Path | None = None):
    report = read([str(folder)], ReadOptions(config=config))
    assert not report.failures, report.failures
    return report.collection


_COMMONMARK = MarkdownIt("commonmark")


def commonmark(text: str) -> str:
    return _COMMONMARK.render(text)


FIELDS = ("title", "date", "updated", "categories", "tags", "authors", "lang", "summary", "permalink", "slug", "extra")


def round_trip(source: Path, config: Path, tmp_path: Path, flavor: str = "gfm", **options) -> dict[str, str]:
    """Read -> write (--each, in ``flavor``, with WriteOptions ``options``) -> read gives the same
    model, and writing again gives the same bytes (a fixpoint after one pass). Returns the
    first pass's files."""
    original = read([str(source)], ReadOptions(config=config)).collection
    assert original.articles
    first = write_each(original, tmp_path / "first", flavor, **options)
    back = read_folder(tmp_path / "first", config)
    by_slug = {a.slug: a for a in original.articles}
    assert sorted(by_slug) == sorted(a.slug for a in back.articles)
    for again in back.articles:
        article = by_slug[again.slug]
        for name in FIELDS:
            assert getattr(again, name) == getattr(article, name), (article.source, name)
        # Dates equal with their offsets, not only as instants.
        assert again.date.utcoffset() == article.date.utcoffset(), article.source
        assert normalize_body(again.body) == normalize_body(article.body), article.source
    assert write_each(back, tmp_path / "second", flavor, **options) == first
    return first
