"""Images in books: remote ones with --fetch-remote (a local HTTP server stands in for the web), SVG drawings.

Without --fetch-remote the server sees no request and the remote images are links; with it,
images from the allowed host are embedded, converted or sanitized like local ones, and
each failure (slow, too large, missing, not an image) is a warning in the run's report
with the image's alt text and link in its place. EPUBCheck finds nothing in either book.
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from convert.cli import main
from convert.options import WriteOptions
from convert.svg import SVG_NS, XLINK_HREF, UnsafeSvg, looks_like_svg, sanitize_svg
from convert.writers.epub import EpubWriter
from tests.support.epub_checks import NS, epubcheck, epubcheck_problems, manifest_of, text_of, unzip
from tests.support.local_server import body, serve, slow

from .test_epub_writer import _read

HOSTILE_SVG = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [
<!ENTITY ns_svg "http://www.w3.org/2000/svg">
]>
<?xml-stylesheet href="https://evil.example/x.css"?>
<svg xmlns="&ns_svg;" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
     viewBox="0 0 120 60" width="120" height="60" onload="alert(1)" inkscape:version="1.2" xml:base="https://evil.example/">
  <title>A red box and a label</title>
  <script>alert("svg")</script>
  <style>@import url(https://evil.example/a.css); rect { stroke: black }</style>
  <style>.label { font-family: serif }</style>
  <defs><linearGradient id="g"><stop offset="0" stop-color="#c00"/><stop offset="1" stop-color="#600"/></linearGradient></defs>
  <rect id="box" width="120" height="60" fill="url(#g)" onclick="steal()" style="stroke: url(https://evil.example/p)"/>
  <foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml">html inside</div></foreignObject>
  <a xlink:href="javascript:alert(2)"><text class="label" x="10" y="35">盒子 box</text></a>
  <use xlink:href="#box" x="0" y="0"/><use href="https://evil.example/sprite.svg#icon"/>
  <image href="https://evil.example/tracker.png" width="1" height="1"/>
  <set attributeName="href" to="javascript:alert(3)"/>
  <animate attributeName="x" from="0" to="10" dur="1s"/>
  <inkscape:perspective/>
</svg>
""".encode()


def _png(color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), color).save(out, "PNG")
    return out.getvalue()


def _bmp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (5, 5), (10, 120, 10)).save(out, "BMP")
    return out.getvalue()


ROUTES = {"/dot.png": body(_png(), "image/png"), "/pic.bmp": body(_bmp(), "image/bmp"),
          "/drawing.svg": body(HOSTILE_SVG, "image/svg+xml"), "/slow.png": slow(3.0, _png()),
          "/big.png": body(_png() + b"\0" * 200_000, "image/png", length=False),
          "/page.png": body(b"<html><p>not an image</p></html>", "text/html")}
REMOTE = ["dot.png", "pic.bmp", "drawing.svg", "slow.png", "big.png", "gone.png", "page.png"]


def _site(folder: Path, server_url) -> Path:
    (folder / "_posts").mkdir(parents=True)
    (folder / "_config.yml").write_text("title: 图片\nurl: https://example.org\nlang: zh-CN\n", encoding="utf-8")
    remote = " ".join(f"![远程 {name}]({server_url('/' + name)})" for name in REMOTE)
    (folder / "_posts" / "2022-05-01-pictures.md").write_text(
        f"---\ntitle: 图片\n---\n本地绘图 ![本地绘图](drawing.svg)\n\n{remote}\n", encoding="utf-8")
    (folder / "_posts" / "drawing.svg").write_bytes(HOSTILE_SVG)
    return folder


FETCHING = WriteOptions(fetch_remote=True, allowed_hosts=("127.0.0.1",), fetch_timeout=1.0, fetch_max_bytes=100_000)


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """name -> (collection, writer, epub bytes, EPUBCheck report, paths the server was asked for)."""
    with serve(dict(ROUTES)) as server:
        collection = _read([_site(tmp_path_factory.mktemp("site"), server.url)])
        plain = EpubWriter()
        plain_book = plain.render(collection)
        asked_without = list(server.requests)
        fetching = EpubWriter(FETCHING)
        fetched_book = fetching.render(collection)
        asked_with = sorted(server.requests)
        again = EpubWriter(FETCHING).render(collection)  # fetched again: the same bytes
        assert len(server.requests) == 2 * len(asked_with)
    with ThreadPoolExecutor(2) as pool:
        reports = list(pool.map(epubcheck, [plain_book, fetched_book]))
    return {"plain": (collection, plain, plain_book, reports[0], asked_without),
            "fetched": (collection, fetching, fetched_book, reports[1], asked_with), "again": again}


@pytest.mark.parametrize("name", ["plain", "fetched"])
def test_epubcheck_finds_nothing(books, name):
    assert epubcheck_problems(books[name][3]) == []


def _chapter(data: bytes):
    return etree.fromstring(unzip(data)["EPUB/a0001.xhtml"])


def test_without_fetch_remote_nothing_is_fetched(books):
    collection, writer, data, _, asked = books["plain"]
    assert asked == []
    chapter = _chapter(data)
    links = [a.get("href") for a in chapter.iterfind(".//x:a[@class='remote-image']", NS)]
    assert [link.rsplit("/", 1)[1] for link in links] == REMOTE
    images = [img.get("src") for img in chapter.iterfind(".//x:img", NS)]
    assert images == ["images/i0001.svg"]  # the local drawing, sanitized
    assert writer.diagnostics == []  # remote images stay links by default: nothing to warn about


def test_with_fetch_remote_allowed_images_are_embedded_and_failures_said(books):
    collection, writer, data, _, asked = books["fetched"]
    assert asked == sorted("/" + name for name in REMOTE)
    files = unzip(data)
    chapter = _chapter(data)
    images = {img.get("alt"): img.get("src") for img in chapter.iterfind(".//x:img", NS)}
    # the local drawing and the remote one are the same file once sanitized, but two sources: two images
    assert images == {"本地绘图": "images/i0001.svg", "远程 dot.png": "images/i0002.png",
                      "远程 pic.bmp": "images/i0003.png", "远程 drawing.svg": "images/i0004.svg"}
    types = manifest_of(files)
    assert types["images/i0002.png"] == types["images/i0003.png"] == "image/png"
    assert types["images/i0004.svg"] == "image/svg+xml"
    assert files["EPUB/images/i0002.png"] == _png()
    assert Image.open(io.BytesIO(files["EPUB/images/i0003.png"])).format == "PNG"  # the BMP, converted
    links = [a.get("href").rsplit("/", 1)[1] for a in chapter.iterfind(".//x:a[@class='remote-image']", NS)]
    assert links == ["slow.png", "big.png", "gone.png", "page.png"]
    source = collection.articles[0].source
    assert [d.path for d in writer.diagnostics] == [source] * 4
    messages = [d.message for d in writer.diagnostics]
    assert "slow.png: no complete answer within 1 s" in messages[0]
    assert "big.png: larger than the 100000 bytes limit" in messages[1]
    assert "gone.png: HTTP 404" in messages[2]
    assert messages[3].startswith("image http://127.0.0.1:") and "page.png dropped: not an image format" in messages[3]
    assert all(m.endswith("stands in") or m.endswith("stand in") for m in messages)
    assert "远程 slow.png" in text_of(chapter)  # the alt text stands in


def test_a_fetched_book_is_reproducible(books):
    assert books["again"] == books["fetched"][2]


def test_the_svg_in_the_book_keeps_the_drawing_and_nothing_active(books):
    _, _, data, _, _ = books["fetched"]
    files = unzip(data)
    for name in ("EPUB/images/i0001.svg", "EPUB/images/i0004.svg"):
        svg = etree.fromstring(files[name])
        everything = [svg, *svg.iter(etree.Element)]
        tags = {etree.QName(el).localname for el in everything}
        assert {"rect", "text", "linearGradient", "title", "use", "style"} <= tags
        assert not tags & {"script", "foreignObject", "set", "animate", "perspective"}
        assert all(el.tag.startswith("{%s}" % SVG_NS) for el in everything)
        for el in everything:
            for attribute, value in el.attrib.items():
                assert not attribute.startswith("on") and "javascript" not in value and "evil" not in value
                if attribute in ("href", XLINK_HREF):
                    assert value.startswith("#")
        assert [s.text for s in svg.iterfind("svg:style", NS)] == [".label { font-family: serif }"]
        assert text_of(svg.find("svg:a/svg:text", NS)) == "盒子 box"
        assert svg.find("svg:rect", NS).get("fill") == "url(#g)"
        assert b"<!DOCTYPE" not in files[name] and b"<?xml-stylesheet" not in files[name]
    assert files["EPUB/images/i0001.svg"] == files["EPUB/images/i0004.svg"] == sanitize_svg(HOSTILE_SVG)


def test_the_command_fetches_from_an_allowed_host(tmp_path, capsys):
    with serve({"/dot.png": body(_png(), "image/png")}) as server:
        site = tmp_path / "site"
        (site / "_posts").mkdir(parents=True)
        (site / "_posts" / "2022-05-01-dot.md").write_text(
            f"---\ntitle: Dot\n---\n![a dot]({server.url('/dot.png')})\n", encoding="utf-8")
        assert main(["--to", "epub", "-o", str(tmp_path / "off.epub"), str(site)]) == 0
        assert server.requests == []
        assert main(["--to", "epub", "--fetch-remote", "--allow-host", "127.0.0.1", "-o", str(tmp_path / "on.epub"),
                     str(site)]) == 0
        assert server.requests == ["/dot.png"]
        assert main(["--to", "epub", "--fetch-remote", "-o", str(tmp_path / "loopback.epub"), str(site)]) == 0
        assert server.requests == ["/dot.png"]  # loopback refused when not named
    err = capsys.readouterr().err
    assert "not a public address" in err and "--allow-host 127.0.0.1" in err
    assert "images/i0001.png" in manifest_of(unzip((tmp_path / "on.epub").read_bytes()))
    assert not any(n.startswith("images/i") for n in manifest_of(unzip((tmp_path / "off.epub").read_bytes())))


@pytest.mark.parametrize("data, reason", [
    (b"<html xmlns='http://www.w3.org/1999/xhtml'><svg/></html>", "not an SVG <svg>"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>", "not well-formed"),
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
     b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>', "not well-formed"),
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
     b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
     b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
     b'<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>'
     b'<svg xmlns="http://www.w3.org/2000/svg"><text>&h;</text></svg>', "not well-formed"),
])
def test_svg_that_cannot_be_made_safe_is_refused(data, reason):
    assert looks_like_svg(data)
    with pytest.raises(UnsafeSvg, match=reason):
        sanitize_svg(data)


def test_an_unsafe_svg_is_dropped_with_a_warning(tmp_path):
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_posts" / "2022-05-01-x.md").write_text("---\ntitle: X\n---\n![entities](bad.svg)\n", encoding="utf-8")
    (site / "_posts" / "bad.svg").write_bytes(b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/'
                                              b'passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>')
    writer = EpubWriter()
    files = unzip(writer.render(_read([site])))
    assert not any(n.endswith(".svg") for n in files)
    (warning,) = writer.diagnostics
    assert warning.message.startswith("image bad.svg dropped: an SVG that cannot be made safe: not well-formed XML")

