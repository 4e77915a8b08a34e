"""Fetching remote resources (``--fetch-remote``): the one module of convert that opens a network connection.

Writers that embed remote images (EPUB, PDF) call :func:`fetch` and nothing else.
Without ``WriteOptions.fetch_remote`` they must not call it; with it, every fetch obeys:

* only ``http`` and ``https`` URLs, without credentials (``user:pass@``); no cookies,
  no ``Authorization``, no proxy (the connection goes straight to the vetted address);
* the host must be one of ``allowed_hosts`` when that is not empty (``--allow-host``);
* every address the host resolves to must be public: loopback, private, link-local,
  shared, reserved and multicast addresses are refused unless ``--allow-host`` names
  that host explicitly. The connection is made to the address that was checked, so a
  second DNS answer cannot swap in another one (DNS rebinding);
* redirects are followed up to :data:`MAX_REDIRECTS`, each new URL checked as the first;
* the whole fetch (connecting, waiting, reading) ends by ``fetch_timeout`` seconds
  (name resolution itself is the system resolver's and has its own limit);
* at most ``fetch_max_bytes`` are read, counted while reading: a ``Content-Length``
  is not trusted, only used to give up early.

Every refusal or failure raises :class:`convert.errors.FetchError` naming the URL and
what to do; writers report it as a warning and put the image's alt text in its place.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from . import __version__
from .errors import FetchError
from .options import WriteOptions

MAX_REDIRECTS = 5
USER_AGENT = f"convert/{__version__} (--fetch-remote)"
_CHUNK = 64 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Characters left as they are when a URL's path and query are percent-encoded for the request line.
_SAFE = "/%:@!$&'()*+,;=-._~?"


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched resource: the URL it finally came from (after redirects), its bytes and declared type."""

    url: str
    data: bytes
    media_type: str  # the Content-Type without parameters, lower case; '' when the server sent none


def remote_image_urls(articles) -> list[str]:
    """The web addresses of the images of ``articles`` not found locally, each once, in reading order."""
    urls = (a.url for article in articles for a in article.assets
            if a.path is None and urlsplit(a.url).scheme in ("http", "https"))
    return list(dict.fromkeys(urls))


def fetch_all(urls: list[str], options: WriteOptions) -> dict[str, Fetched | FetchError]:
    """Each of ``urls`` fetched under the rules of :func:`fetch`, four at a time; a failure is its
    ``FetchError``, for the writer to report."""
    from concurrent.futures import ThreadPoolExecutor

    def one(url: str) -> Fetched | FetchError:
        try:
            return fetch(url, options)
        except FetchError as exc:
            return exc

    if not urls:
        return {}
    with ThreadPoolExecutor(min(4, len(urls))) as pool:
        return dict(zip(urls, pool.map(one, urls)))


def fetch(url: str, options: WriteOptions) -> Fetched:
    """GET ``url`` under the rules of this module; raises ``FetchError`` for anything else than a 200 within limits."""
    deadline = time.monotonic() + options.fetch_timeout
    allowed = {_normal_host(h) for h in options.allowed_hosts}
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        scheme, host, port, target = _checked_url(current, url, allowed)
        addresses = _public_addresses(current, host, port, explicit=host in allowed)
        connection = _connection(scheme, host, port, addresses, _remaining(deadline, url, options))
        response = None
        try:
            try:
                connection.request("GET", target, headers={
                    "User-Agent": USER_AGENT, "Accept": "image/*, */*;q=0.5", "Accept-Encoding": "identity",
                    "Connection": "close"})
                sock = connection.sock  # the response reads from it after the connection lets go of it
                sock.settimeout(_remaining(deadline, url, options))
                response = connection.getresponse()
                if response.status in _REDIRECTS:
                    location = response.getheader("Location")
                    if not location:
                        raise FetchError(url, f"HTTP {response.status} redirect without a Location from {current}")
                    current = urljoin(current, location.strip())
                    continue
                if response.status != 200:
                    raise FetchError(url, f"HTTP {response.status} {response.reason}".rstrip()
                                     + ("" if current == url else f" (redirected to {current})"))
                data = _read(response, sock, deadline, url, options)
            except socket.timeout:
                raise FetchError(url, f"no complete answer within {options.fetch_timeout:g} s") from None
            except (OSError, http.client.HTTPException) as exc:
                raise FetchError(url, f"cannot fetch ({exc or type(exc).__name__})") from None
        finally:
            if response is not None:
                response.close()
            connection.close()
        media_type = (response.getheader("Content-Type") or "").split(";", 1)[0].strip().lower()
        return Fetched(current, data, media_type)
    raise FetchError(url, f"more than {MAX_REDIRECTS} redirects")


def _normal_host(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def _checked_url(current: str, original: str, allowed: set[str]) -> tuple[str, str, int, str]:
    """(scheme, host, port, request target) of ``current``, or FetchError when it may not be fetched."""
    try:
        parts = urlsplit(current)
        port = parts.port
    except ValueError as exc:
        raise FetchError(original, f"not a valid URL: {current} ({exc})") from None
    via = "" if current == original else f" (redirected to {current})"
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(original, f"only http and https URLs are fetched{via}")
    if parts.username is not None or parts.password is not None:
        raise FetchError(original, f"the URL carries credentials (user@host), which are never sent{via}")
    host = _normal_host(parts.hostname or "")
    if not host:
        raise FetchError(original, f"the URL names no host{via}")
    if allowed and host not in allowed:
        raise FetchError(original, f"host {host} is not among the allowed hosts ({', '.join(sorted(allowed))})"
                         f"{via}; add --allow-host {host} to fetch from it")
    target = quote(parts.path or "/", safe=_SAFE) + (("?" + quote(parts.query, safe=_SAFE)) if parts.query else "")
    return scheme, host, port or (443 if scheme == "https" else 80), target


def _public_addresses(url: str, host: str, port: int, explicit: bool) -> list[str]:
    """The addresses ``host`` resolves to; FetchError if one is not public and --allow-host did not name the host."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError(url, f"cannot resolve {host} ({exc})") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not explicit:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
                ip = ip.ipv4_mapped
            if not ip.is_global or ip.is_multicast:
                raise FetchError(url, f"{host} resolves to {ip}, which is not a public address (loopback, private "
                                      f"or link-local); fetch from it only by naming it: --allow-host {host}")
    if not addresses:
        raise FetchError(url, f"{host} resolves to no address")
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to an address checked beforehand, whatever the host name resolves to now."""

    def __init__(self, host: str, port: int, addresses: list[str], timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses

    def _socket(self) -> socket.socket:
        error: OSError | None = None
        for address in self._addresses:
            try:
                return socket.create_connection((address, self.port), self.timeout)
            except OSError as exc:
                error = exc
        raise error or OSError("no address to connect to")

    def connect(self) -> None:
        self.sock = self._socket()


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same for HTTPS; the certificate is checked against the host name, not the address."""

    def __init__(self, host: str, port: int, addresses: list[str], timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._addresses = addresses

    _socket = _PinnedHTTPConnection._socket

    def connect(self) -> None:
        self.sock = self._context.wrap_socket(self._socket(), server_hostname=self.host)


def _connection(scheme: str, host: str, port: int, addresses: list[str], timeout: float) -> http.client.HTTPConnection:
    kind = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    return kind(host, port, addresses, timeout)


def _remaining(deadline: float, url: str, options: WriteOptions) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(url, f"no complete answer within {options.fetch_timeout:g} s")
    return left


def _read(response: http.client.HTTPResponse, sock: socket.socket, deadline: float, url: str,
          options: WriteOptions) -> bytes:
    cap = options.fetch_max_bytes
    declared = (response.getheader("Content-Length") or "").strip()
    if declared.isdigit() and int(declared) > cap:  # a promise to send too much: no need to read it
        raise FetchError(url, f"larger than the {_size(cap)} limit ({_size(int(declared))} announced)")
    chunks: list[bytes] = []
    total = 0
    while True:
        sock.settimeout(_remaining(deadline, url, options))
        chunk = response.read1(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > cap:
            raise FetchError(url, f"larger than the {_size(cap)} limit")
        chunks.append(chunk)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n} bytes"
