"""The node's app: Starlette, with a shorter way through for the two requests every message
makes — `POST /` with a data item, then `GET /result/:id`.

Those two go straight to the same functions their routes call (`routes/mu.take_item`,
`routes/cu.result_of`), skipping Starlette's router, request and response objects, which cost
about as much CPU as uvicorn's HTTP handling of the request. The answers are the routes' own:
the same status, headers and JSON bytes, `{"error": …}` from the same error mapping, and
Starlette's own 500 handling (`ServerErrorMiddleware`) for anything unexpected. Everything
else — other methods (HEAD included), a query on `POST /`, other paths — is routed by
Starlette as before.

Around both ways sits Starlette's `CORSMiddleware`, answering any origin as real AO units do,
so aoconnect in a browser page can use the node: a preflight gets its 200, every answer to a
request with an `Origin` gets `Access-Control-Allow-Origin: *`, and a page on a public site
may reach the node on 127.0.0.1 (Private Network Access). Requests without an `Origin`
(not from a browser page) bypass it and keep their answers byte for byte.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.datastructures import QueryParams
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from tim3.errors import Tim3Error
from tim3.node.errors import status_of
from tim3.node.params import MAX_ITEM_BYTES, read_body
from tim3.node.routes.cu import result_of
from tim3.node.routes.mu import take_item, taken
from tim3.node.state import NodeState

__all__ = ["NodeApp", "json_bytes"]

_RESULT = "/result/"


def json_bytes(content: Any) -> bytes:
    """`content` as Starlette's JSONResponse renders it (compact, UTF-8, no NaN)."""
    try:
        # Byte for byte what json.dumps gives below for str, int, bool, None, list and dict,
        # at a tenth of the cost; anything orjson refuses (a lone surrogate, a huge int) takes
        # the slow road, to succeed or fail as it did there.
        return orjson.dumps(content)
    except TypeError:
        return json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None,
                          separators=(",", ":")).encode("utf-8")


async def _send_json(send: Send, content: Any, status: int) -> None:
    body = json_bytes(content)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-length", str(len(body)).encode("latin-1")),
                            (b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


def _has_origin(scope: Scope) -> bool:
    return any(name == b"origin" for name, _ in scope["headers"])


class NodeApp(Starlette):
    """The node's app, open to any origin; `POST /` (no query), `GET /result/:id` go short."""

    def __init__(self, node: NodeState, **options: Any) -> None:
        super().__init__(**options)
        self.state.node = node
        self._node = node
        # Starlette's own 500 answer (or debug page) around each short way, as around its stack.
        self._post_item = ServerErrorMiddleware(self._take_item, debug=self.debug)
        self._get_result = ServerErrorMiddleware(self._read_result, debug=self.debug)
        # A preflight may ask for any method a route takes (HEAD comes with each GET).
        methods = {m for r in self.routes if isinstance(r, Route) for m in r.methods or ()}
        self._cors = CORSMiddleware(self._serve, allow_origins=["*"],
                                    allow_methods=sorted(methods | {"OPTIONS"}),
                                    allow_headers=["*"], allow_private_network=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Starlette's CORSMiddleware adds `Vary: Origin` to every answer, Origin or not; the
        # node's answers are never cached (no Cache-Control, no validators), so requests
        # without one skip it and get exactly the answers they got before.
        if scope["type"] == "http" and _has_origin(scope):
            await self._cors(scope, receive, send)
        else:
            await self._serve(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):
            method = scope["method"]
            path: str = scope["path"]
            if method == "POST" and path == "/" and not scope["query_string"]:
                scope["app"] = self
                await self._post_item(scope, receive, send)
                return
            # As Starlette's `/result/{id}` matches: one non-empty path segment after it.
            if method == "GET" and path.startswith(_RESULT) and len(path) > len(_RESULT) \
                    and "/" not in path[len(_RESULT):]:
                scope["app"] = self
                await self._get_result(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    async def _take_item(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            body = await read_body(Request(scope, receive), MAX_ITEM_BYTES)
            item_id = await take_item(self._node, body)
        except Tim3Error as exc:
            await _send_json(send, {"error": str(exc)}, status_of(exc))
            return
        await _send_json(send, taken(item_id), 202)

    async def _read_result(self, scope: Scope, receive: Receive, send: Send) -> None:
        mid = scope["path"][len(_RESULT):]
        pid = QueryParams(scope["query_string"]).get("process-id")
        try:
            content = await result_of(self._node, mid, pid)
        except Tim3Error as exc:
            await _send_json(send, {"error": str(exc)}, status_of(exc))
            return
        await _send_json(send, content, 200)
