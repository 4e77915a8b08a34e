"""Untrusted content: nothing fetched, nothing attached, scripts gone, a pathological article fails alone."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from pathlib import Path

import pytest

from convert.errors import WriterError
from convert.model import Article, Collection, Site
from convert.options import WriteOptions
from convert.pipeline import Job, run
from convert.writers.pdf import PdfWriter, RenderFailure, RenderJob, run_isolated, run_many
from tests.support.pdf_checks import page_text, pages, qpdf_check

pikepdf = pytest.importorskip("pikepdf")
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (300, 200), "darkred").save(out, "PNG")
    return out.getvalue()


PNG = _png()


@pytest.fixture
def server():
    """A local HTTP server that records every request it gets."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            requests.append(self.path)
            if self.path != "/x.png":
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PNG)))
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1], requests
    httpd.shutdown()


def hostile_site(root: Path, port: int) -> Path:
    posts = root / "_posts"
    posts.mkdir(parents=True)
    (root / "secret.txt").write_text("TOP-SECRET-OUTSIDE", encoding="utf-8")
    bodies = {
        "2022-05-01-files.html": '<p>看图</p><p><img src="file:///etc/passwd" alt="passwd"></p>'
                                 '<p><img src="../../secret.txt" alt="secret"></p>'
                                 '<p><a rel="attachment" href="file:///etc/passwd">附件</a>'
                                 '<a rel="attachment" href="../../secret.txt">附件二</a></p>'
                                 '<link rel="attachment" href="/etc/passwd"><script>document.write("SCRIPT-RAN")</script>',
        "2022-05-02-remote.html": f'<p>远程图片</p><img src="http://127.0.0.1:{port}/x.png" alt="远程">'
                                  f'<p style="background:url(http://127.0.0.1:{port}/bg.png)">背景</p>'
                                  f'<iframe src="http://127.0.0.1:{port}/frame"></iframe>',
        "2022-05-03-colspan.html": '<table><tr><td colspan="65534">宽</td></tr><tr><td>一</td></tr></table>',
        "2022-05-04-ok.html": "<p>正常的文章。</p>",
    }
    for name, body in bodies.items():
        (posts / name).write_text(f"---\ntitle: {name[11:-5]}\n---\n{body}\n", encoding="utf-8")
    return root


def test_hostile_posts_fetch_nothing_attach_nothing_and_report_the_wide_table(tmp_path, server):
    port, requests = server
    site = hostile_site(tmp_path / "site", port)
    target = tmp_path / "hostile.pdf"
    report = run(Job(sources=[site / "_posts"], formats=["pdf"], output=target))
    assert report.written == [target]
    assert requests == [], "the PDF writer must not fetch remote resources"
    text = page_text(target, 1, len(pages(target)))
    assert "root:" not in text and "TOP-SECRET" not in text and "SCRIPT-RAN" not in text
    assert "正常的文章" in text and "远程" in text  # the remote image's alt text stands in
    with pikepdf.open(target) as pdf:
        assert "/EmbeddedFiles" not in pdf.Root.get("/Names", {})
        assert "/AF" not in pdf.Root
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                assert annot.get("/Subtype") != "/FileAttachment"
                uri = str(annot.get("/A", {}).get("/URI", ""))
                assert not uri.startswith("file:"), uri
        assert "/JavaScript" not in pdf.Root.get("/Names", {}) and "/OpenAction" not in pdf.Root
    assert any("colspan" in d.message or "1,000 columns" in d.message for d in report.diagnostics)
    assert qpdf_check(target).returncode == 0


def _article(n: int, body: str, title: str) -> Article:
    return Article(id=f"https://example.org/{n}", title=title, date=dt.datetime(2022, 5, n, 9, tzinfo=SHANGHAI),
                   body=body, lang="zh-CN", source=f"posts/{n}.md")


@pytest.mark.parametrize("in_parts", [False, True])
def test_a_pathological_article_fails_alone_and_the_volume_is_written_without_it(in_parts, monkeypatch):
    if in_parts:  # laid out in parallel parts, however small the volume is: its run fails, not the others
        monkeypatch.setattr(PdfWriter, "parts_threshold", 0)
    deep = "<div>" * 2000 + "深" + "</div>" * 2000  # WeasyPrint's layout recursion gives up on this
    collection = Collection(Site(title="测试"), (
        _article(1, "<p>第一篇。</p>", "第一篇"), _article(2, deep, "太深"), _article(3, "<p>第三篇。</p>", "第三篇")))
    writer = PdfWriter(WriteOptions(render_timeout=60))
    data = writer.render(collection)
    assert [f.path for f in writer.failures] == ["posts/2.md"]
    assert "left out of the PDF" in str(writer.failures[0])
    assert data.startswith(b"%PDF-")
    with pikepdf.open(__import__("io").BytesIO(data)) as pdf:
        with pdf.open_outline() as tree:
            assert [item.title for item in tree.root] == ["第一篇", "第三篇"]
        assert any("/Furniture" in page.Resources.get("/XObject", {}) for page in pdf.pages) == in_parts


def test_strict_fails_the_volume_instead(tmp_path):
    deep = "<div>" * 2000 + "深" + "</div>" * 2000
    collection = Collection(Site(title="测试"), (_article(1, "<p>好。</p>", "好"), _article(2, deep, "太深")))
    with pytest.raises(WriterError, match="posts/2.md"):
        PdfWriter(WriteOptions(keep_going=False)).render(collection)


def test_the_time_limit_stops_a_layout():
    html = "<p>" + "长" * 200_000 + "</p>"
    with pytest.raises(RenderFailure, match="longer than"):
        run_isolated(RenderJob(html, (), frozenset()), timeout=0.2)


def test_fetch_remote_embeds_allowed_images_and_warns_about_the_rest(tmp_path, server):
    port, requests = server
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_posts" / "2022-05-01-remote.html").write_text(
        f'---\ntitle: remote\n---\n<p>图一</p><img src="http://127.0.0.1:{port}/x.png" alt="红色">'
        f'<p>图二</p><img src="http://127.0.0.1:{port}/missing.png" alt="不存在">\n', encoding="utf-8")
    target = tmp_path / "r.pdf"
    report = run(Job(sources=[site / "_posts"], formats=["pdf"], output=target,
                     write_options=WriteOptions(fetch_remote=True, allowed_hosts=("127.0.0.1",))))
    assert report.exit_code == 0
    assert sorted(requests) == ["/missing.png", "/x.png"]
    with pikepdf.open(target) as pdf:
        images = [img for page in pdf.pages for img in page.get_images().values()]
        assert [(int(i.Width), int(i.Height)) for i in images] == [(300, 200)]
    text = page_text(target, 1)
    assert "不存在" in text and "红色" not in text  # the failed one: its alt text stands in
    assert [d for d in report.diagnostics if "missing.png" in d.message]
    # Loopback is refused unless --allow-host names it: nothing more is requested.
    requests.clear()
    report = run(Job(sources=[site / "_posts"], formats=["pdf"], output=tmp_path / "s.pdf",
                     write_options=WriteOptions(fetch_remote=True)))
    assert requests == [] and len([d for d in report.diagnostics if "127.0.0.1" in d.message]) == 2


def test_reused_layout_children_survive_a_bad_job():
    """--each reuses layout children: a job that fails or overruns retires its child, the others go on."""
    good = RenderJob("<p>好</p>", (), frozenset())
    deep = RenderJob("<div>" * 2000 + "深" + "</div>" * 2000, (), frozenset())
    slow = RenderJob("<p>" + "长" * 200_000 + "</p>", (), frozenset())
    results = run_many([good, deep, good, slow, good, good], [60, 60, 60, 0.3, 60, 60], workers=2, reuse=True)
    assert [isinstance(r, RenderFailure) for r in results] == [False, True, False, True, False, False]
    assert "longer than" in str(results[3])
    assert all(r.startswith(b"%PDF-") for r in results if isinstance(r, bytes))
