"""How HttpNetwork's requests travel (`tim3.client._transport`): kept-alive connections that a
server may close in between, compressed answers, proxies from the environment, TLS checked."""

from __future__ import annotations

import contextlib
import datetime
import http.client
import io
import json
import re
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tim3.arweave import Wallet
from tim3.client import HttpNetwork
from tim3.client._transport import (
    ConnectionBroken,
    HttpxSender,
    PooledSender,
    _Connection,
    _host_header,
    _request_bytes,
)
from tim3.errors import ClientError

PID = "P" * 43
MID = "M" * 43
RESULT = {"Output": "", "Messages": [], "Spawns": [], "Assignments": []}
RESULT_BYTES = json.dumps(RESULT).encode()

Serve = Callable[[Starlette], str]


def _recording_app(**options: Any) -> tuple[Starlette, list[tuple[str, int]]]:
    """An app answering RESULT to everything; records (path, client port) of each request."""
    seen: list[tuple[str, int]] = []

    async def answer(request: Request) -> Response:
        assert request.client is not None
        seen.append((request.url.path, request.client.port))
        return JSONResponse(RESULT)

    return Starlette(routes=[Route("/{path:path}", answer, methods=["GET", "POST"])],
                     **options), seen


@pytest.fixture
def one_answer_per_connection() -> Iterator[tuple[str, list[bytes], threading.Event]]:
    """A server that answers one request per connection (keep-alive promised, then closed).

    Yields (url, the requests it read, an event set once it has closed a connection)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    requests: list[bytes] = []
    closed = threading.Event()
    reply = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
             + str(len(RESULT_BYTES)).encode() + b"\r\n\r\n" + RESULT_BYTES)

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                head, _, body = data.partition(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                while len(body) < length:
                    body += conn.recv(65536)
                requests.append(head + b"\r\n\r\n" + body)
                conn.sendall(reply)
            closed.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", requests, closed
    listener.shutdown(socket.SHUT_RDWR)     # wakes the accept() above
    listener.close()
    thread.join(timeout=10)


def test_requests_to_one_node_share_one_kept_alive_connection(serve: Serve,
                                                               alice: Wallet) -> None:
    app, seen = _recording_app()
    url = serve(app)

    with HttpNetwork(url, url, wallet=alice, retries=0) as net:
        for _ in range(3):
            net.result(PID, MID)

    assert len(seen) == 3
    assert len({port for _, port in seen}) == 1


def test_a_connection_the_server_closed_while_idle_is_replaced_not_an_error(
        one_answer_per_connection: tuple[str, list[bytes], threading.Event],
        alice: Wallet) -> None:
    url, requests, closed = one_answer_per_connection
    with HttpNetwork(url, url, wallet=alice, retries=0) as net:
        net.result(PID, MID)
        closed.wait(timeout=10)

        # A POST is never re-sent after a broken connection, so this passes only if the
        # closed connection was noticed before the request was written to it.
        mid = net.message(PID, {"Action": "Ping"})

    assert len(requests) == 2
    assert requests[1].startswith(b"POST / HTTP/1.1")
    assert len(mid) == 43


def test_a_signed_item_goes_out_as_one_request_with_its_length(
        one_answer_per_connection: tuple[str, list[bytes], threading.Event],
        alice: Wallet) -> None:
    url, requests, _ = one_answer_per_connection

    with HttpNetwork(url, url, wallet=alice, retries=0) as net:
        net.message(PID, {"Action": "Ping"})

    head, _, body = requests[0].partition(b"\r\n\r\n")
    headers = {line.split(b":")[0].lower(): line.split(b":", 1)[1].strip()
               for line in head.split(b"\r\n")[1:]}
    assert headers[b"content-type"] == b"application/octet-stream"
    assert int(headers[b"content-length"]) == len(body) > 1024


def test_a_compressed_answer_is_decompressed(serve: Serve, alice: Wallet) -> None:
    app, _ = _recording_app(middleware=[Middleware(GZipMiddleware, minimum_size=0)])
    url = serve(app)

    with HttpNetwork(url, url, wallet=alice, retries=0) as net:
        result = net.result(PID, MID)

    assert dict(result) == RESULT


def test_pooled_sender_names_itself_and_asks_for_compression_it_can_read(serve: Serve) -> None:
    headers: list[tuple[str, str]] = []

    async def answer(request: Request) -> Response:
        headers.append((request.headers.get("accept-encoding", ""),
                        request.headers.get("user-agent", "")))
        return JSONResponse(RESULT)

    url = serve(Starlette(routes=[Route("/", answer)]))
    sender = PooledSender(timeout=5)

    answer_ = sender.request("GET", url + "/")
    sender.close()

    assert answer_.status == 200
    assert headers == [("gzip, deflate", "tim3")]


def test_a_proxy_from_the_environment_is_used(monkeypatch: pytest.MonkeyPatch, serve: Serve,
                                              alice: Wallet) -> None:
    asked: list[tuple[str, str]] = []

    async def proxy(scope: dict[str, Any], receive: Any, send: Any) -> None:
        """An HTTP proxy stand-in: records the host and path asked for, answers RESULT."""
        host = dict(scope["headers"])[b"host"].decode()
        asked.append((host, scope["path"].rsplit("/", 2)[-2]))
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": RESULT_BYTES})

    proxy_url = serve(proxy)  # type: ignore[arg-type]
    monkeypatch.setenv("HTTP_PROXY", proxy_url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    with HttpNetwork("http://mu.ao.invalid", "http://cu.ao.invalid", wallet=alice,
                     retries=0) as net:
        result = net.result(PID, MID)

    assert dict(result) == RESULT
    assert asked == [("cu.ao.invalid", "result")]


def test_a_transport_passed_in_is_used_for_every_request(alice: Wallet) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url}")
        if request.method == "POST":
            return httpx.Response(202, json={"message": "Processing DataItem", "id": "x"})
        return httpx.Response(200, json=RESULT)

    with HttpNetwork("http://mu.test", "http://cu.test", wallet=alice,
                     transport=httpx.MockTransport(handler)) as net:
        mid = net.message(PID, {"Action": "Ping"})
        result = net.result(PID, mid)

    assert isinstance(net._http, HttpxSender)
    assert result.ok
    assert seen == ["POST http://mu.test/", f"GET http://cu.test/result/{mid}?process-id={PID}"]


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_an_https_node_with_an_untrusted_certificate_is_refused(tmp_path: Path,
                                                                alice: Wallet) -> None:
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(*_self_signed(tmp_path))
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)

    def handshake_once() -> None:
        conn, _ = listener.accept()
        with conn, pytest.raises(ssl.SSLError):
            server_tls.wrap_socket(conn, server_side=True)

    thread = threading.Thread(target=handshake_once, daemon=True)
    thread.start()
    url = f"https://127.0.0.1:{listener.getsockname()[1]}"

    with HttpNetwork(url, url, wallet=alice, retries=0) as net, \
            pytest.raises(ClientError, match="cannot connect .*certificate verify failed"):
        net.result(PID, MID)

    thread.join(timeout=10)
    listener.close()


class _RecordingSocket:
    """Stands in for a connected socket: records each sendall(), then answers `reply`."""

    def __init__(self, reply: bytes = b"") -> None:
        self.writes: list[bytes] = []
        self.reply = reply

    def sendall(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def recv(self, size: int) -> bytes:
        chunk, self.reply = self.reply[:size], self.reply[size:]
        return chunk

    def close(self) -> None:
        pass


def test_a_request_with_a_body_is_written_at_once() -> None:
    conn = _Connection("127.0.0.1", 1, 5)
    sock = _RecordingSocket(b"HTTP/1.1 204 No Content\r\n\r\n")
    conn.sock = sock  # type: ignore[assignment]
    request = _request_bytes("POST", "/", "127.0.0.1:1", b"x" * 2000,
                             {"Content-Type": "application/octet-stream"})

    conn.exchange(request, "POST")

    assert len(sock.writes) == 1
    head, _, body = sock.writes[0].partition(b"\r\n\r\n")
    assert head.startswith(b"POST / HTTP/1.1\r\n")
    assert b"Content-Length: 2000" in head
    assert body == b"x" * 2000


# -- parity with http.client: what goes out, and how each answer reads -------------------------

class _Recorder(http.client.HTTPConnection):
    """http.client writing into a list instead of a socket."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(host, port)
        self.written: list[bytes] = []

    def send(self, data: Any) -> None:
        self.written.append(bytes(data))


@pytest.mark.parametrize(("method", "target", "host", "port", "body", "headers"), [
    ("GET", "/result/x?process-id=y", "127.0.0.1", 8734, None, {"Accept": "application/json"}),
    ("POST", "/", "127.0.0.1", 8734, b"item", {"Content-Type": "application/octet-stream"}),
    ("POST", "/dry-run", "node.example", 80, None, {}),
    ("GET", "/", "node.example", 443, None, {"Host": "other.example", "Accept-Encoding": "br"}),
    ("GET", "/", "::1", 8080, None, {"X-Latin": "caf\u00e9"}),
    ("PUT", "/x", "n\u00f6de.example", 81, b"", {"Content-Length": "0"}),
], ids=["get", "post-item", "post-no-body", "own-host", "ipv6", "idna-host"])
def test_requests_are_written_as_http_client_writes_them(
        method: str, target: str, host: str, port: int, body: bytes | None,
        headers: dict[str, str]) -> None:
    scheme = "https" if port == 443 else "http"
    recorder = _Recorder(host, port)
    recorder.default_port = 443 if scheme == "https" else 80
    recorder.request(method, target, body=body, headers=headers)

    ours = _request_bytes(method, target, _host_header(scheme, host, port), body, headers)

    assert ours == b"".join(recorder.written)


@pytest.mark.parametrize(("method", "target", "headers"), [
    ("GET", "/result/a b", {}),
    ("GET", "/result/a\r\nX: 1", {}),
    ("GE\nT", "/", {}),
    ("GET", "/r\u00e9sult", {}),
    ("GET", "/", {"Bad:Name": "1"}),
    ("GET", "/", {"X": "a\r\nInjected: 1"}),
    ("GET", "/", {"X": "\u20ac"}),
], ids=["space", "crlf", "method", "non-ascii-path", "header-name", "header-value",
        "non-latin-value"])
def test_requests_http_client_refuses_are_refused_alike(method: str, target: str,
                                                        headers: dict[str, str]) -> None:
    with pytest.raises(Exception) as theirs:
        _Recorder("127.0.0.1", 80).request(method, target, headers=headers)

    with pytest.raises(Exception) as ours:
        _request_bytes(method, target, _host_header("http", "127.0.0.1", 80), None, headers)

    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)


def _http_client_reads(reply: bytes, method: str) -> tuple[int, dict[str, str], bytes, bool]:
    class _Socket:
        def makefile(self, mode: str) -> io.BytesIO:
            return io.BytesIO(reply)

    answer = http.client.HTTPResponse(_Socket(), method=method)  # type: ignore[arg-type]
    answer.begin()
    will_close = answer.will_close
    return (answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read(),
            will_close)


def _we_read(reply: bytes, method: str) -> tuple[int, dict[str, str], bytes, bool]:
    conn = _Connection("127.0.0.1", 1, 5)
    conn.sock = _RecordingSocket(reply)  # type: ignore[assignment]
    status, headers, body = conn.exchange(b"", method)
    return status, headers, body, conn.sock is None


ANSWERS = {
    "length": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
    "chunked": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
    "close": b"HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 3\r\n\r\nno!",
    "until-eof": b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it",
    "http-1.0": b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
    "http-1.0-keep-alive": b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok",
    "continue-first": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 1\r\n\r\nx",
    "no-content": b"HTTP/1.1 204 No Content\r\n\r\n",
    "duplicate-header": b"HTTP/1.1 200 OK\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 0\r\n\r\n",
    "padded-value": b"HTTP/1.1 503 Busy\r\nRetry-After:   7  \r\nContent-Length: 0\r\n\r\n",
    "latin-1": b"HTTP/1.1 200 OK\r\nX-Name: caf\xe9\r\nContent-Length: 0\r\n\r\n",
}


@pytest.mark.parametrize("name", list(ANSWERS))
def test_answers_read_as_http_client_reads_them(name: str) -> None:
    reply = ANSWERS[name]

    assert _we_read(reply, "GET") == _http_client_reads(reply, "GET")


def test_a_head_answer_has_no_body_whatever_its_length() -> None:
    reply = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"

    assert _we_read(reply, "HEAD") == _http_client_reads(reply, "HEAD")


@pytest.mark.parametrize(("reply", "reason"), [
    (b"", "Remote end closed connection without response"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "IncompleteRead(5 bytes read, 5 more expected)"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab", "IncompleteRead"),
    (b"HTTP/1.1 200 OK\r\nContent-Le", "in the middle of the answer's headers"),
    (b"SSH-2.0-OpenSSH_9.2\r\n\r\n", "not valid HTTP/1.1"),
], ids=["nothing", "short-body", "short-chunks", "short-headers", "not-http"])
def test_a_broken_answer_is_a_broken_connection(serve_raw: Callable[[bytes], str],
                                                reply: bytes, reason: str) -> None:
    url = serve_raw(reply)

    with pytest.raises(ConnectionBroken, match=re.escape(reason)):
        PooledSender(timeout=5).request("GET", url)


def test_bytes_after_the_answer_mean_the_connection_is_not_reused() -> None:
    reply = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n"

    status, _, body, closed = _we_read(reply, "GET")

    assert (status, body, closed) == (200, b"ok", True)


@pytest.fixture
def serve_raw() -> Iterator[Callable[[bytes], str]]:
    """serve_raw(reply): a URL whose server reads one request, writes `reply` and closes."""
    listeners: list[socket.socket] = []

    def serve(reply: bytes) -> str:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listeners.append(listener)

        def answer() -> None:
            with contextlib.suppress(OSError):
                conn, _ = listener.accept()
                with conn:
                    data = b""
                    while b"\r\n\r\n" not in data:
                        data += conn.recv(65536)
                    conn.sendall(reply)

        threading.Thread(target=answer, daemon=True).start()
        return f"http://127.0.0.1:{listener.getsockname()[1]}/"

    yield serve
    for listener in listeners:
        listener.close()
