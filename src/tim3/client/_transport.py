"""How `HttpNetwork` sends one HTTP request: keep-alive connections on plain sockets, with
answers parsed by httptools, or an httpx client when a test passes a transport or a proxy is
configured.

Both answer with one `HttpResponse`, and fail with `TransportProblem` saying whether the request
could have reached the server: `ConnectFailed` (it did not), `TimedOut` or `ConnectionBroken`
(it may have).

Why not httpx by default: a request costs about 1 ms of the client's CPU there. The standard
library's `http.client` took about 0.25 ms, half of it parsing the answer's headers through the
`email` package; httptools (llhttp, uvicorn's parser, already a dependency) does that part in
C, and a request is written as http.client writes it, in one write (Nagle off), so the server
reads it in one go. httpx stays for what this does not do: proxies from the environment
(HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY) and mock transports in tests.
"""

from __future__ import annotations

import gzip
import http.client
import json
import re
import select
import socket
import ssl
import threading
import urllib.request
import zlib
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

import httptools
import httpx

__all__ = ["ConnectFailed", "ConnectionBroken", "HttpResponse", "HttpxSender", "PooledSender",
           "Sender", "TimedOut", "TransportProblem", "is_proxied", "sender_for"]

#: idle connections kept per origin (as many as httpx keeps by default)
MAX_IDLE = 20


class TransportProblem(Exception):
    """No HTTP answer came; `reason` says why in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ConnectFailed(TransportProblem):
    """No connection could be made: nothing was sent."""


class TimedOut(TransportProblem):
    """Connected, but no answer came in time: the request may have been handled."""


class ConnectionBroken(TransportProblem):
    """The connection failed after the request was sent: it may have been handled."""


@dataclass
class HttpResponse:
    """An answer: status, headers (names in lower case) and the whole body."""

    method: str
    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON; ValueError when it is not JSON."""
        return json.loads(self.content)


class Sender(Protocol):
    def request(self, method: str, url: str, *, params: dict[str, str] | None = None,
                content: bytes | None = None,
                headers: dict[str, str] | None = None) -> HttpResponse: ...

    def close(self) -> None: ...


def full_url(url: str, params: dict[str, str] | None) -> str:
    if not params:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text or type(exc).__name__


def _decoded(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        try:
            return zlib.decompress(body)
        except zlib.error:  # raw deflate, without the zlib header
            return zlib.decompress(body, -zlib.MAX_WBITS)
    return body


class PooledSender:
    """HTTP/1.1 over plain sockets (`_Connection`), reusing idle keep-alive connections per
    origin.

    Thread-safe: each request takes a connection of its own (an idle one, or a new one) and
    gives it back once the answer is read. An idle connection the server has closed meanwhile
    is noticed before it is used (its socket reads as ready: end of file), and replaced.
    """

    def __init__(self, timeout: float, headers: dict[str, str] | None = None) -> None:
        self.timeout = timeout
        # http.client sends no User-Agent of its own; some front ends refuse requests without.
        self.headers = {"User-Agent": "tim3", "Accept-Encoding": "gzip, deflate",
                        **(headers or {})}
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._lock = threading.Lock()
        self._ssl: ssl.SSLContext | None = None

    def request(self, method: str, url: str, *, params: dict[str, str] | None = None,
                content: bytes | None = None,
                headers: dict[str, str] | None = None) -> HttpResponse:
        url = full_url(url, params)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConnectFailed(f"'{url}' is not an http:// or https:// URL")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise ConnectFailed(f"bad port in '{url}'") from exc
        origin = (parts.scheme, parts.hostname, port)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        # Built before a connection is taken: a request that cannot be written raises here
        # (as http.client does: InvalidURL, ValueError, UnicodeEncodeError) and leaks nothing.
        request = _request_bytes(method, target, _host_header(*origin), content,
                                 {**self.headers, **(headers or {})})
        conn = self._take(origin)
        try:
            if conn.sock is None:
                conn.connect()
        except OSError as exc:        # refused, unreachable, DNS, TLS, connect timeout
            conn.close()
            raise ConnectFailed(_reason(exc)) from exc
        try:
            status, reply_headers, body = conn.exchange(request, method)
        except TimeoutError as exc:
            conn.close()
            raise TimedOut(_reason(exc)) from exc
        except (OSError, _Malformed) as exc:
            conn.close()
            raise ConnectionBroken(_reason(exc)) from exc
        encoding = reply_headers.get("content-encoding", "").strip().lower()
        if encoding in ("gzip", "deflate"):
            try:
                body = _decoded(body, encoding)
            except (OSError, EOFError, zlib.error) as exc:
                conn.close()
                raise ConnectionBroken(f"the {encoding} body is corrupt ({_reason(exc)})") from exc
        self._give_back(origin, conn)
        return HttpResponse(method, url, status, reply_headers, body)

    def _take(self, origin: tuple[str, str, int]) -> _Connection:
        with self._lock:
            idle = self._idle.get(origin)
            while idle:
                conn = idle.pop()
                if conn.sock is not None and not _dropped(conn.sock):
                    return conn
                conn.close()
        scheme, host, port = origin
        context = None
        if scheme == "https":
            if self._ssl is None:
                self._ssl = _ssl_context()
            context = self._ssl
        return _Connection(host, port, self.timeout, context)

    def _give_back(self, origin: tuple[str, str, int], conn: _Connection) -> None:
        if conn.sock is None:          # the server said Connection: close
            return
        with self._lock:
            idle = self._idle.setdefault(origin, [])
            if len(idle) < MAX_IDLE:
                idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn in conns:
                conn.close()


def _dropped(sock: socket.socket) -> bool:
    """Whether an idle keep-alive connection is unusable: its socket reads as ready, which is
    the server's end of file (or bytes nobody asked for), or it is closed."""
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            return bool(poller.poll(0))
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True


# What http.client refuses to write, with its own checks and messages.
_BAD_METHOD = re.compile("[\x00-\x1f]")
_BAD_URL = re.compile("[\x00-\x20\x7f]")
_LEGAL_NAME = re.compile(rb"[^:\s][^:\r\n]*")
_BAD_VALUE = re.compile(rb"\n(?![ \t])|\r(?![ \t\n])")
_BODY_EXPECTED = frozenset({"PATCH", "POST", "PUT"})


def _host_header(scheme: str, host: str, port: int) -> str | bytes:
    """The Host header http.client would send for this origin."""
    found = _BAD_URL.search(host)
    if found:
        raise http.client.InvalidURL(f"URL can't contain control characters. {host!r} "
                                     f"(found at least {found.group()!r})")
    try:
        encoded = host.encode("ascii")
    except UnicodeEncodeError:
        encoded = host.encode("idna")
    if ":" in host:
        encoded = b"[" + encoded + b"]"
    if port == (443 if scheme == "https" else 80):
        return encoded
    return f"{encoded.decode('ascii')}:{port}"


def _request_bytes(method: str, target: str, host: str | bytes, body: bytes | None,
                   headers: dict[str, str]) -> bytes:
    """The request as http.client writes it: request line, Host, Accept-Encoding and
    Content-Length unless given, then `headers` in order, then the body."""
    found = _BAD_METHOD.search(method)
    if found:
        raise ValueError(f"method can't contain control characters. {method!r} "
                         f"(found at least {found.group()!r})")
    found = _BAD_URL.search(target)
    if found:
        raise http.client.InvalidURL(f"URL can't contain control characters. {target!r} "
                                     f"(found at least {found.group()!r})")
    lines = [f"{method} {target} HTTP/1.1".encode("ascii")]
    names = {name.lower() for name in headers}
    if "host" not in names:
        lines.append(b"Host: " + (host if isinstance(host, bytes) else host.encode("latin-1")))
    if "accept-encoding" not in names:
        lines.append(b"Accept-Encoding: identity")
    if "content-length" not in names and "transfer-encoding" not in names:
        if body is not None:
            lines.append(b"Content-Length: %d" % len(body))
        elif method.upper() in _BODY_EXPECTED:
            lines.append(b"Content-Length: 0")
    for name, value in headers.items():
        raw_name = name.encode("ascii")
        if not _LEGAL_NAME.fullmatch(raw_name):
            raise ValueError(f"Invalid header name {raw_name!r}")
        raw_value = value.encode("latin-1")
        if _BAD_VALUE.search(raw_value):
            raise ValueError(f"Invalid header value {raw_value!r}")
        lines.append(raw_name + b": " + raw_value)
    lines.append(b"\r\n")
    return b"\r\n".join(lines) + (body or b"")


class _Malformed(Exception):
    """The server's answer is not HTTP/1.x, or ended before it was whole."""


class _Answer:
    """httptools callbacks collecting one answer (1xx interim answers are skipped)."""

    def __init__(self, method: str) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.head_only = method == "HEAD"
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []
        self.headers_done = False
        self.done = False
        self.status = 0
        self.extra = False      # bytes after the answer: the connection is not reused

    def on_message_begin(self) -> None:
        if self.done:
            self.extra = True

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        if self.done:
            return
        self.status = self.parser.get_status_code()
        self.headers_done = True
        if self.head_only and not 100 <= self.status < 200:
            self.done = True

    def on_body(self, body: bytes) -> None:
        if self.done:
            self.extra = True
        else:
            self.chunks.append(body)

    def on_message_complete(self) -> None:
        if self.done:
            return
        if 100 <= self.status < 200 and self.status != 101:   # interim: the answer follows
            self.headers, self.chunks, self.headers_done = [], [], False
            return
        self.done = True


class _Connection:
    """One HTTP/1.1 connection with Nagle off: each request goes out in one write, and the
    answer is parsed by httptools (llhttp, the parser uvicorn uses) — about a third of the
    client CPU that `http.client` took, most of it its header parsing through `email`."""

    def __init__(self, host: str, port: int, timeout: float,
                 context: ssl.SSLContext | None = None) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self.context = context
        self.sock: socket.socket | None = None

    def connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), self.timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.context is not None:
                sock = self.context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        self.sock = sock

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def exchange(self, request: bytes, method: str) -> tuple[int, dict[str, str], bytes]:
        """Send `request`, read its answer: (status, headers by lower-case name, body).
        The connection is closed afterwards when the answer says so (as http.client does)."""
        sock = self.sock
        assert sock is not None, "not connected"
        sock.sendall(request)
        answer = _Answer(method)
        received = 0
        while not answer.done:
            data = sock.recv(65536)
            if not data:
                self._at_end_of_file(answer, received)
                break
            received += len(data)
            try:
                answer.parser.feed_data(data)
            except httptools.HttpParserError as exc:
                if not answer.done:
                    raise _Malformed(f"the answer is not valid HTTP/1.1 ({exc})") from exc
                answer.extra = True
        headers = [(name.decode("latin-1"), value.decode("latin-1"))
                   for name, value in answer.headers]
        if answer.extra or _will_close(answer.parser.get_http_version(), headers,
                                       answer.status, method):
            self.close()
        return answer.status, {name.lower(): value for name, value in headers}, \
            b"".join(answer.chunks)

    @staticmethod
    def _at_end_of_file(answer: _Answer, received: int) -> None:
        if received == 0:
            raise _Malformed("Remote end closed connection without response")
        if not answer.headers_done:
            raise _Malformed("the connection closed in the middle of the answer's headers")
        names = {name.lower(): value for name, value in answer.headers}
        if b"content-length" in names:
            got = sum(len(chunk) for chunk in answer.chunks)
            try:
                expected: int | None = int(names[b"content-length"]) - got
            except ValueError:
                expected = None
            raise _Malformed(f"IncompleteRead({got} bytes read"
                             + (f", {expected} more expected)" if expected else ")"))
        if b"chunked" in names.get(b"transfer-encoding", b"").lower():
            raise _Malformed("IncompleteRead(the chunked body ended early)")
        answer.done = True           # no length given: the body ends with the connection


def _will_close(version: str, headers: list[tuple[str, str]], status: int,
                method: str) -> bool:
    """Whether the server closes the connection after this answer (http.client's rule)."""
    first: dict[str, str] = {}
    for name, value in headers:
        first.setdefault(name.lower(), value)
    connection = first.get("connection", "").lower()
    if version == "1.1":
        if "close" in connection:
            return True
    elif not (first.get("keep-alive") or "keep-alive" in connection
              or "keep-alive" in first.get("proxy-connection", "").lower()):
        return True
    # Without a length or chunks, the body ends with the connection.
    return ("content-length" not in first and "chunked" not in
            first.get("transfer-encoding", "").lower() and status not in (204, 304)
            and not 100 <= status < 200 and method != "HEAD")


def _ssl_context() -> ssl.SSLContext:
    """Certificates checked against certifi's bundle, as httpx does (certifi comes with it)."""
    try:
        import certifi
    except ImportError:  # pragma: no cover - httpx depends on certifi
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


class HttpxSender:
    """The same requests through an httpx client (proxies from the environment, test
    transports)."""

    def __init__(self, timeout: float, headers: dict[str, str] | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self._http = httpx.Client(timeout=timeout, transport=transport, headers=headers)

    def request(self, method: str, url: str, *, params: dict[str, str] | None = None,
                content: bytes | None = None,
                headers: dict[str, str] | None = None) -> HttpResponse:
        try:
            answer = self._http.request(method, url, params=params, content=content,
                                        headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol) as exc:
            raise ConnectFailed(_reason(exc)) from exc
        except httpx.TimeoutException as exc:
            raise TimedOut(_reason(exc)) from exc
        except httpx.TransportError as exc:
            raise ConnectionBroken(_reason(exc)) from exc
        return HttpResponse(method, str(answer.request.url), answer.status_code,
                            {k.lower(): v for k, v in answer.headers.items()}, answer.content)

    def close(self) -> None:
        self._http.close()


def is_proxied(url: str) -> bool:
    """Whether the environment sends requests for `url` through a proxy (as httpx reads it)."""
    parts = urlsplit(url)
    proxies = urllib.request.getproxies()
    if not (proxies.get(parts.scheme) or proxies.get("all")):
        return False
    return not urllib.request.proxy_bypass(parts.netloc)


def sender_for(urls: list[str], timeout: float, headers: dict[str, str],
               transport: httpx.BaseTransport | None = None) -> Sender:
    """The stdlib sender, unless a transport is given or one of `urls` goes through a proxy."""
    if transport is not None or any(is_proxied(url) for url in urls):
        return HttpxSender(timeout, headers, transport)
    return PooledSender(timeout, headers)
