"""A small HTTP server on 127.0.0.1 in a thread, for the ``--fetch-remote`` tests.

``serve(routes)`` runs until the ``with`` block ends and yields the server; ``server.url(path)``
is the address of a path and ``server.requests`` lists the paths asked for, in order, so
a test can say that nothing reached the server. A route is a function of the request
handler that writes the whole answer; helpers below make the usual ones.
"""

from __future__ import annotations

import contextlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator

Route = Callable[[BaseHTTPRequestHandler], None]


class LocalServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, routes: dict[str, Route]):
        self.routes = routes
        self.requests: list[str] = []
        self.headers_seen: list[dict[str, str]] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def handle_error(self, request, client_address) -> None:
        pass  # a client that gave up (timeout, size cap) breaks the pipe: expected here


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (the http.server name)
        self.server.requests.append(self.path)
        self.server.headers_seen.append(dict(self.headers.items()))
        route = self.server.routes.get(self.path.split("?", 1)[0])
        if route is None:
            self.send_error(404)
            return
        route(self)

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serve(routes: dict[str, Route]) -> Iterator[LocalServer]:
    server = LocalServer(routes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def body(data: bytes, media_type: str = "application/octet-stream", length: bool = True) -> Route:
    """The answer ``data``; without ``length``, no Content-Length: the end is the connection's close."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", media_type)
        if length:
            handler.send_header("Content-Length", str(len(data)))
        else:
            handler.send_header("Connection", "close")
            handler.close_connection = True
        handler.end_headers()
        handler.wfile.write(data)

    return route


def announced(size: int) -> Route:
    """A Content-Length of ``size`` bytes, and nothing sent: a client that trusts it can refuse at once."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(size))
        handler.end_headers()

    return route


def slow(seconds: float, data: bytes = b"x") -> Route:
    """Waits ``seconds`` before answering."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        body(data)(handler)

    return route


def trickle(byte_every: float, count: int) -> Route:
    """Answers at once, then sends one byte every ``byte_every`` seconds: each read is quick, the whole is not."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(count))
        handler.end_headers()
        for _ in range(count):
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(byte_every)

    return route


def redirect(location: Callable[[], str], status: int = 302) -> Route:
    """A redirect to ``location()`` (a function, as the server's port is known only once it runs)."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Location", location())
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route
