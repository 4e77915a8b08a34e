"""convert.fetch against a real HTTP server on 127.0.0.1: what is fetched, what is refused before any request."""

from __future__ import annotations

import socket
import time

import pytest

from convert import fetch as fetch_module
from convert.errors import ConvertError, FetchError
from convert.fetch import MAX_REDIRECTS, fetch
from convert.options import WriteOptions
from tests.support.local_server import announced, body, redirect, serve, slow, trickle

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
LOCAL = WriteOptions(fetch_remote=True, allowed_hosts=("127.0.0.1",))


@pytest.fixture
def server():
    routes = {"/dot.png": body(PNG, "image/png; charset=binary"), "/slow": slow(3.0), "/trickle": trickle(0.2, 30),
              "/big": body(b"x" * 100_000, length=False), "/announced": announced(10_000_000),
              "/page": body(b"<p>hi</p>", "text/html")}
    with serve(routes) as running:
        routes["/to-dot"] = redirect(lambda: "/dot.png", 301)
        routes["/to-localhost"] = redirect(lambda: running.url("/dot.png", host="localhost"))
        routes["/to-file"] = redirect(lambda: "file:///etc/passwd")
        routes["/loop"] = redirect(lambda: "/loop")
        yield running


def test_an_allowed_host_is_fetched_with_its_type(server):
    got = fetch(server.url("/dot.png"), LOCAL)
    assert got.data == PNG and got.media_type == "image/png" and got.url == server.url("/dot.png")
    (headers,) = server.headers_seen
    assert headers["User-Agent"].startswith("convert/") and "Cookie" not in headers and "Authorization" not in headers


def test_a_redirect_on_an_allowed_host_is_followed(server):
    got = fetch(server.url("/to-dot"), LOCAL)
    assert got.data == PNG and got.url == server.url("/dot.png")
    assert server.requests == ["/to-dot", "/dot.png"]


def test_loopback_is_refused_unless_its_host_is_named(server):
    for options in (WriteOptions(fetch_remote=True), WriteOptions(fetch_remote=True, allowed_hosts=("localhost",))):
        with pytest.raises(FetchError, match=r"127\.0\.0\.1 .*not a public address.*--allow-host 127\.0\.0\.1|"
                                             r"not among the allowed hosts"):
            fetch(server.url("/dot.png"), options)
    assert server.requests == []  # refused before connecting


def test_a_host_not_allowed_sees_no_request(server):
    with pytest.raises(FetchError, match=r"host 127\.0\.0\.1 is not among the allowed hosts \(example\.org\); "
                                         r"add --allow-host 127\.0\.0\.1"):
        fetch(server.url("/dot.png"), WriteOptions(fetch_remote=True, allowed_hosts=("example.org",)))
    assert server.requests == []


def test_a_redirect_to_a_host_not_allowed_is_not_followed(server):
    with pytest.raises(FetchError, match=r"host localhost is not among the allowed hosts .*\(redirected to http://"
                                         r"localhost:\d+/dot\.png\)"):
        fetch(server.url("/to-localhost"), LOCAL)
    assert server.requests == ["/to-localhost"]
    with pytest.raises(FetchError, match=r"only http and https URLs are fetched \(redirected to file:///etc/passwd\)"):
        fetch(server.url("/to-file"), LOCAL)


def test_redirects_are_limited(server):
    with pytest.raises(FetchError, match=f"more than {MAX_REDIRECTS} redirects"):
        fetch(server.url("/loop"), LOCAL)
    assert server.requests == ["/loop"] * (MAX_REDIRECTS + 1)


def test_a_server_that_does_not_answer_in_time_is_left(server):
    start = time.monotonic()
    with pytest.raises(FetchError, match=r"no complete answer within 0\.5 s"):
        fetch(server.url("/slow"), WriteOptions(fetch_remote=True, allowed_hosts=("127.0.0.1",), fetch_timeout=0.5))
    assert time.monotonic() - start < 2.0


def test_the_timeout_covers_the_whole_answer_not_each_read(server):
    # one byte every 0.2 s never trips a per-read timeout of 1 s; the whole answer takes 6 s
    start = time.monotonic()
    with pytest.raises(FetchError, match=r"no complete answer within 1 s"):
        fetch(server.url("/trickle"), WriteOptions(fetch_remote=True, allowed_hosts=("127.0.0.1",), fetch_timeout=1))
    assert time.monotonic() - start < 2.5


def test_the_size_cap_is_counted_while_reading(server):
    small = WriteOptions(fetch_remote=True, allowed_hosts=("127.0.0.1",), fetch_max_bytes=50_000)
    with pytest.raises(FetchError, match=r"larger than the 50000 bytes limit$"):
        fetch(server.url("/big"), small)  # no Content-Length: only counting finds out
    with pytest.raises(FetchError, match=r"larger than the 50000 bytes limit \(9\.5 MB announced\)"):
        fetch(server.url("/announced"), small)
    assert len(fetch(server.url("/big"), LOCAL).data) == 100_000


@pytest.mark.parametrize("url, message", [
    ("ftp://127.0.0.1/x.png", "only http and https"),
    ("file:///etc/passwd", "only http and https"),
    ("http://user:secret@127.0.0.1/x.png", "carries credentials"),
    ("http:///x.png", "names no host"),
    ("http://127.0.0.1:99999/x.png", "not a valid URL"),
])
def test_what_is_never_fetched(url, message):
    with pytest.raises(FetchError, match=message) as caught:
        fetch(url, LOCAL)
    assert isinstance(caught.value, ConvertError) and str(caught.value).startswith(url + ": ")


def test_http_errors_name_the_status(server):
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(server.url("/nothing-here"), LOCAL)


@pytest.mark.parametrize("address, public", [
    ("93.184.216.34", True), ("2606:2800:220:1:248:1893:25c8:1946", True), ("10.1.2.3", False),
    ("192.168.0.1", False), ("172.16.5.4", False), ("169.254.169.254", False), ("100.64.0.1", False),
    ("127.0.0.1", False), ("::1", False), ("fe80::1%eth0", False), ("fd00::1", False), ("::ffff:10.0.0.1", False),
    ("0.0.0.0", False), ("224.0.0.1", False)])
def test_only_public_addresses_are_used(monkeypatch, address, public):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [(family, socket.SOCK_STREAM, 6, "", (address, 80))])
    if public:
        assert fetch_module._public_addresses("http://images.test/x", "images.test", 80, explicit=False) == [address]
    else:
        with pytest.raises(FetchError, match="not a public address"):
            fetch_module._public_addresses("http://images.test/x", "images.test", 80, explicit=False)
    # a host named by --allow-host may be anywhere (an intranet server, a test server)
    assert fetch_module._public_addresses("http://images.test/x", "images.test", 80, explicit=True) == [address]


def test_the_connection_goes_to_the_address_that_was_checked(server, monkeypatch):
    # "images.test" resolves once, to the checked address; the connection must not resolve the name again
    real = socket.getaddrinfo
    asked = []

    def resolver(host, *args, **kwargs):
        asked.append(host)
        return real("127.0.0.1" if host == "images.test" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    got = fetch(server.url("/dot.png", host="images.test"),
                WriteOptions(fetch_remote=True, allowed_hosts=("images.test",)))
    assert got.data == PNG and asked.count("images.test") == 1
    assert server.headers_seen[0]["Host"] == f"images.test:{server.port}"
