"""The node answers any origin (CORS), as real AO units do, so aoconnect in a browser page can
use it: preflights on every path, `Access-Control-Allow-Origin: *` on every answer to a request
with an `Origin` — the short way for `POST /` and `GET /result/:id` included, errors and 500s
included — and nothing added to answers for requests without one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from tim3.arweave import DataItem, Wallet
from tim3.devnet import Devnet
from tim3.node import NodeServer

Ping = Callable[..., DataItem]
ORIGIN = {"Origin": "http://localhost:5173"}
UNKNOWN = "A" * 43


class _Counting:
    """Starlette's middleware stack, counting the requests that reach it."""

    def __init__(self, stack: Callable[[Scope, Receive, Send], Any]) -> None:
        self.stack = stack
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        await self.stack(scope, receive, send)


@pytest.fixture
def routed(node: NodeServer) -> _Counting:
    """Counts the node's requests that go through Starlette's stack, not the short way."""
    counting = _Counting(node.app.build_middleware_stack())
    node.app.middleware_stack = counting
    return counting


@pytest.fixture
def quiet_errors() -> Iterator[None]:
    """Mutes uvicorn's error log, which would print the traceback of a 500 from its thread."""
    error_log = logging.getLogger("uvicorn.error")
    was_disabled, error_log.disabled = error_log.disabled, True
    yield
    error_log.disabled = was_disabled


def _cors_headers(response: httpx.Response) -> dict[str, str]:
    return {name: value for name, value in response.headers.items()
            if name.startswith("access-control-") or name == "vary"}


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/"),
    ("GET", f"/result/{UNKNOWN}?process-id={UNKNOWN}"),
    ("POST", f"/dry-run?process-id={UNKNOWN}"),
    ("GET", f"/results/{UNKNOWN}"),
], ids=["mu-root", "result", "dry-run", "results"])
def test_a_preflight_on_a_node_path_allows_the_method_and_headers(
        http: httpx.Client, routed: _Counting, method: str, path: str) -> None:
    headers = {**ORIGIN, "Access-Control-Request-Method": method,
               "Access-Control-Request-Headers": "content-type, accept"}

    response = http.options(path, headers=headers)

    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    allowed = response.headers["access-control-allow-methods"].split(", ")
    assert {"GET", "POST", "OPTIONS"} <= set(allowed)
    assert response.headers["access-control-allow-headers"] == "content-type, accept"
    assert routed.calls == 0


def test_a_preflight_from_a_public_page_may_reach_the_local_node(http: httpx.Client) -> None:
    headers = {"Origin": "https://dapp.example", "Access-Control-Request-Method": "POST",
               "Access-Control-Request-Private-Network": "true"}

    response = http.options("/", headers=headers)

    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-private-network"] == "true"


def test_a_posted_item_and_its_result_allow_any_origin_on_the_short_way(
        http: httpx.Client, routed: _Counting, counter: str, alice: Wallet, ping: Ping) -> None:
    item = ping(alice, counter)

    posted = http.post("/", content=item.raw, headers=ORIGIN)
    result = http.get(f"/result/{item.id}", params={"process-id": counter}, headers=ORIGIN)

    assert posted.status_code == 202, posted.text
    assert posted.headers["access-control-allow-origin"] == "*"
    assert result.status_code == 200, result.text
    assert result.headers["access-control-allow-origin"] == "*"
    assert result.json()["Messages"][0]["Data"] == "pong 1"
    assert routed.calls == 0


def test_a_routed_answer_allows_any_origin(
        http: httpx.Client, routed: _Counting, counter: str) -> None:
    response = http.get(f"/results/{counter}", headers=ORIGIN)

    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    assert routed.calls == 1


@pytest.mark.parametrize(("method", "path", "status", "short_way"), [
    ("POST", "/", 400, True),
    ("GET", f"/result/{UNKNOWN}?process-id={{pid}}", 404, True),
    ("GET", f"/results/{UNKNOWN}", 404, False),
    ("GET", "/no/such/route", 404, False),
    ("PUT", "/", 405, False),
], ids=["truncated-item", "unknown-result", "unknown-process", "unknown-route",
        "wrong-method"])
def test_an_error_answer_allows_any_origin(
        http: httpx.Client, routed: _Counting, counter: str, alice: Wallet, ping: Ping,
        method: str, path: str, status: int, short_way: bool) -> None:
    truncated = ping(alice, counter).raw[:600]

    response = http.request(method, path.format(pid=counter), content=truncated,
                            headers=ORIGIN)

    assert response.status_code == status, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    assert routed.calls == (0 if short_way else 1)


@pytest.mark.usefixtures("quiet_errors")
def test_a_500_allows_any_origin(http: httpx.Client, devnet: Devnet, counter: str,
                                 alice: Wallet, ping: Ping,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")
    monkeypatch.setattr(devnet, "send", broken)

    response = http.post("/", content=ping(alice, counter).raw, headers=ORIGIN)

    assert response.status_code == 500
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/"),
    ("GET", "/result/{mid}?process-id={pid}"),
    ("GET", "/results/{pid}"),
    ("GET", "/no/such/route"),
    ("OPTIONS", "/"),
], ids=["mu-root", "result", "results", "unknown-route", "options"])
def test_a_request_without_an_origin_gets_no_cors_headers(
        http: httpx.Client, counter: str, alice: Wallet, ping: Ping, method: str,
        path: str) -> None:
    item = ping(alice, counter)
    if method == "GET":
        http.post("/", content=item.raw)

    response = http.request(method, path.format(mid=item.id, pid=counter), content=item.raw,
                            headers={"Access-Control-Request-Method": "POST"})

    assert _cors_headers(response) == {}
