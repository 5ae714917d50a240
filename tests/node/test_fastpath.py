"""The short way through the node's app (`node/fastpath.py`) for `POST /` and `GET /result/:id`
answers exactly as Starlette's routing of the same app does, errors included, and every other
request still goes through Starlette.

Each case runs on twin devnets (same config, same process, so the same ids and clock), each
served by uvicorn on a free port: one app as the node serves it, the other only through
`Starlette.__call__`, its plain routing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from tim3.arweave import DataItem, Wallet
from tim3.devnet import Devnet, DevnetConfig
from tim3.node import LocalServer, create_app
from tim3.node.fastpath import NodeApp, json_bytes
from tim3.node.params import MAX_ITEM_BYTES

PONG = """
Handlers.add("Ping", Handlers.utils.hasMatchingTag("Action", "Ping"), function(msg)
  msg.reply({ Action = "Pong", Data = "pong ü \\u{1F600} \\"quoted\\"\\n" })
end)
"""
PROTOCOL = [("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Message")]
UNKNOWN = "A" * 43


class _Counting:
    """Starlette's middleware stack, counting the requests that reach it."""

    def __init__(self, app: Starlette) -> None:
        self.stack = app.build_middleware_stack()
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        await self.stack(scope, receive, send)


@dataclass
class Twins:
    """Two identical devnets, each with the same process, behind the fast and the plain app."""

    devnets: tuple[Devnet, Devnet]
    fast: httpx.Client
    plain: httpx.Client
    routed: _Counting
    pid: str
    alice: Wallet

    def item(self, target: str | None = "", tags: list[tuple[str, str]] | None = None,
             data: str = "ping") -> DataItem:
        """A signed Ping to the process (`target` "", the default), to `target`, or to none."""
        tags = [("Action", "Ping"), *PROTOCOL] if tags is None else tags
        return DataItem.create(self.alice, data, tags=tags,
                               target=self.pid if target == "" else target)

    def both(self, method: str, path: str, **kwargs: Any) -> tuple[httpx.Response,
                                                                   httpx.Response]:
        path = path.format(pid=self.pid)
        return (self.fast.request(method, path, **kwargs),
                self.plain.request(method, path, **kwargs))


def _plain(app: NodeApp) -> Callable[[Scope, Receive, Send], Any]:
    async def routed(scope: Scope, receive: Receive, send: Send) -> None:
        await Starlette.__call__(app, scope, receive, send)
    return routed


class _Served(LocalServer):
    def __init__(self, app: Callable[[Scope, Receive, Send], Any]) -> None:
        super().__init__("127.0.0.1", 0)
        self._serve_app(app)


@pytest.fixture
def twins() -> Iterator[Twins]:
    """The fast and the plain app, each over its own copy of the same devnet."""
    devnets = (Devnet(config=DevnetConfig.for_tests()), Devnet(config=DevnetConfig.for_tests()))
    pids = [d.spawn(d.wallet("deployer"), PONG, tags={"Name": "pong"}) for d in devnets]
    assert pids[0] == pids[1]
    fast_app = create_app(devnets[0])
    assert isinstance(fast_app, NodeApp)
    routed = _Counting(fast_app)
    fast_app.middleware_stack = routed
    plain_app = create_app(devnets[1])
    assert isinstance(plain_app, NodeApp)
    # A 500 makes uvicorn log a traceback from its thread: muted, as in test_hostile_input.
    error_log = logging.getLogger("uvicorn.error")
    was_disabled, error_log.disabled = error_log.disabled, True
    try:
        with _Served(fast_app) as fast_server, _Served(_plain(plain_app)) as plain_server, \
                httpx.Client(base_url=fast_server.url, timeout=30) as fast, \
                httpx.Client(base_url=plain_server.url, timeout=30) as plain:
            yield Twins(devnets, fast, plain, routed, pids[0], devnets[0].wallet("alice"))
    finally:
        error_log.disabled = was_disabled
        for devnet in devnets:
            devnet.close()


def _headers(response: httpx.Response) -> list[tuple[bytes, bytes]]:
    # uvicorn's Date may cross a second between the two; a redirect names its server's port.
    base = str(response.request.url.copy_with(path="/", query=None)).rstrip("/").encode()
    return [(name, value.replace(base, b"BASE")) for name, value in response.headers.raw
            if name != b"date"]


def _assert_same(fast: httpx.Response, plain: httpx.Response) -> None:
    assert fast.status_code == plain.status_code, (fast.text, plain.text)
    assert _headers(fast) == _headers(plain)
    assert fast.content == plain.content


def _item_cases(t: Twins) -> dict[str, bytes]:
    good = t.item().raw
    flipped = bytearray(good)
    flipped[-1] ^= 1
    return {
        "empty": b"",
        "truncated": good[:600],
        "bad-signature": bytes(flipped),
        "unknown-process": t.item(target=UNKNOWN).raw,
        "no-target": t.item(target=None).raw,
        "not-ao": t.item(tags=[("Action", "Ping")]).raw,
        "wrong-type": t.item(tags=[("Data-Protocol", "ao"), ("Type", "Assignment")]).raw,
        "not-an-item": b"hello",
    }


@pytest.mark.parametrize("case", ["empty", "truncated", "bad-signature", "unknown-process",
                                  "no-target", "not-ao", "wrong-type", "not-an-item"])
def test_a_refused_item_gets_the_routes_answer(twins: Twins, case: str) -> None:
    body = _item_cases(twins)[case]

    fast, plain = twins.both("POST", "/", content=body)

    _assert_same(fast, plain)
    assert fast.status_code in (400, 404)
    assert twins.routed.calls == 0
    assert len(twins.devnets[0].messages()) == len(twins.devnets[1].messages())


def test_an_accepted_item_gets_the_routes_202_and_result(twins: Twins) -> None:
    item = twins.item()

    posted = twins.both("POST", "/", content=item.raw)
    read = twins.both("GET", f"/result/{item.id}?process-id={{pid}}")
    again = twins.both("POST", "/", content=item.raw)

    for fast, plain in (posted, read, again):
        _assert_same(fast, plain)
    assert posted[0].status_code == 202 and posted[0].json()["id"] == item.id
    assert read[0].json()["Messages"][0]["Data"] == 'pong ü \U0001F600 "quoted"\n'
    assert again[0].status_code == 400 and "already received" in again[0].json()["error"]
    assert twins.routed.calls == 0


def test_an_item_over_the_limit_is_413_either_way(twins: Twins) -> None:
    fast, plain = twins.both("POST", "/", content=b"x" * (MAX_ITEM_BYTES + 1))

    _assert_same(fast, plain)
    assert fast.status_code == 413
    assert twins.routed.calls == 0


@pytest.mark.parametrize("path", [
    "/result/{mid}?process-id={pid}",
    "/result/{mid}",
    "/result/{mid}?process-id=",
    "/result/{mid}?process-id=short",
    f"/result/{{mid}}?process-id={UNKNOWN}",
    f"/result/{UNKNOWN}?process-id={{pid}}",
    "/result/not-an-id?process-id={pid}",
    "/result/%20?process-id={pid}",
    "/result/{mid}?process-id=short&process-id={pid}",
    "/result/{mid}?process-id={pid}&process-id=short",
    "/result/{mid}?process-id={pid}&sort=DESC",
], ids=["ok", "no-process", "empty-process", "bad-process", "unknown-process",
        "unknown-message", "bad-message", "space-message", "last-process-wins",
        "last-process-is-bad", "extra-parameter"])
def test_a_result_read_gets_the_routes_answer(twins: Twins, path: str) -> None:
    item = twins.item()
    twins.both("POST", "/", content=item.raw)

    fast, plain = twins.both("GET", path.replace("{mid}", item.id))

    _assert_same(fast, plain)
    assert twins.routed.calls == 0


@pytest.mark.parametrize(("method", "path"), [
    ("HEAD", "/result/{mid}?process-id={pid}"),
    ("PUT", "/result/{mid}?process-id={pid}"),
    ("DELETE", "/"),
    ("GET", "/"),
    ("GET", "/result/"),
    ("GET", "/result"),
    ("GET", "/result/{mid}/"),
    ("GET", "/result/{mid}/more?process-id={pid}"),
    ("GET", "/results/{pid}"),
    ("POST", "/?process-id={pid}&assign={mid}"),
    ("POST", "/?process-id={pid}"),
], ids=["head", "put", "delete-root", "get-root", "result-no-id", "result-bare",
        "result-trailing-slash", "result-two-segments", "results", "assign", "assign-half"])
def test_other_requests_go_through_starlette(twins: Twins, method: str, path: str) -> None:
    item = twins.item()
    twins.both("POST", "/", content=item.raw)

    fast, plain = twins.both(method, path.replace("{mid}", item.id), follow_redirects=False)

    _assert_same(fast, plain)
    assert twins.routed.calls == 1


def test_a_post_with_another_query_is_routed_and_still_takes_the_item(twins: Twins) -> None:
    item = twins.item()

    fast, plain = twins.both("POST", "/?note=1", content=item.raw)

    _assert_same(fast, plain)
    assert fast.status_code == 202
    assert twins.routed.calls == 1


def test_an_unexpected_failure_is_starlettes_500(twins: Twins,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")
    for devnet in twins.devnets:
        monkeypatch.setattr(devnet, "send", broken)

    fast, plain = twins.both("POST", "/", content=twins.item().raw)

    _assert_same(fast, plain)
    assert fast.status_code == 500 and fast.text == "Internal Server Error"
    assert twins.routed.calls == 0


@pytest.mark.parametrize("content", [
    {"error": "quote ' \" backslash \\ newline \n tab \t nul \x00 del \x7f"},
    {"Output": {"data": "ü € \U0001F600 \u2028", "prompt": "", "print": True},
     "Messages": [], "Spawns": [], "Assignments": [{"Processes": ["a"], "Message": "m"}]},
    {"big": 2**70, "negative": -(2**63), "none": None},
], ids=["escapes", "unicode", "beyond-64-bits"])
def test_json_bytes_are_starlettes_json(content: dict[str, Any]) -> None:
    expected = json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None,
                          separators=(",", ":")).encode("utf-8")

    got = json_bytes(content)

    assert got == expected


def test_json_bytes_fail_on_a_lone_surrogate_as_starlette_does() -> None:
    with pytest.raises(UnicodeEncodeError):
        JSONResponse({"error": "\ud800"})

    with pytest.raises(UnicodeEncodeError):
        json_bytes({"error": "\ud800"})
