"""The gateway's routes: the page, its static files and the JSON API it calls.

Every handler reads its input (`params`), makes one call on the chain in a worker thread and
answers JSON; errors go to the one handler in `errors`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from tim3.app import ledger
from tim3.app.chain import Chain
from tim3.app.flow import build_flow, describe
from tim3.app.params import (
    MAX_ITEM_BYTES,
    json_body,
    query_int,
    query_text,
    raw_body,
    require_id,
)
from tim3.app.swap import plan

__all__ = ["routes"]

STATIC = Path(__file__).parent / "static"
FOLLOW_SECONDS = 120.0     # how long a live flow follows a chain on a real network
POLL_SECONDS = 1.0
# The page loads nothing from elsewhere; this makes the browser enforce it.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
T = TypeVar("T")


def _chain(request: Request) -> Chain:
    chain: Chain = request.app.state.chain
    return chain


async def run(fn: Callable[..., T], *args: Any) -> T:
    """A blocking chain call, off the event loop."""
    return await anyio.to_thread.run_sync(lambda: fn(*args))


async def index(request: Request) -> Response:
    return FileResponse(STATIC / "index.html", headers={"Content-Security-Policy": CSP,
                                                        "Cache-Control": "no-cache"})


async def environment(request: Request) -> Response:
    chain = _chain(request)
    return JSONResponse({"environment": chain.environment(),
                         "tokens": {t: tok.to_json() for t, tok in chain.tokens.items()},
                         "dev_wallets": chain.kind == "local"})


async def wallets(request: Request) -> Response:
    return JSONResponse({"wallets": _chain(request).wallets()})


async def balances(request: Request) -> Response:
    chain = _chain(request)
    address = ledger.check_address(request.query_params.get("address"))
    return JSONResponse(await run(ledger.balances, chain, address))


async def quote(request: Request) -> Response:
    chain = _chain(request)
    q = request.query_params
    return JSONResponse(plan(q.get("action", "swap"), q.get("amount", ""), chain.tokens).to_json())


async def _send(request: Request, action: str) -> Response:
    chain = _chain(request)
    body = await json_body(request, "wallet", "amount")
    p = plan(action, body["amount"], chain.tokens)
    message_id = await run(chain.send_as, body["wallet"], p.target, p.message_tags)
    return JSONResponse({"id": message_id, "plan": p.to_json()})


async def swap(request: Request) -> Response:
    return await _send(request, "swap")


async def redeem(request: Request) -> Response:
    return await _send(request, "redeem")


async def submit(request: Request) -> Response:
    chain = _chain(request)
    raw = await raw_body(request, MAX_ITEM_BYTES)
    return JSONResponse({"id": await run(chain.submit, raw)})


async def reserves(request: Request) -> Response:
    return JSONResponse(await run(ledger.reserves, _chain(request)))


async def flow(request: Request) -> Response:
    chain = _chain(request)
    message_id = require_id(request.path_params["id"], "message id")
    records, complete = await run(chain.trace, message_id)
    return JSONResponse(build_flow(records, chain.tokens, chain.name_of, complete))


def _event(name: str, payload: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(payload, separators=(',', ':'))}\n\n"


async def flow_events(request: Request) -> Response:
    """Server-Sent Events: one `arrow` per message as the trace is read, then `done`."""
    chain = _chain(request)
    message_id = require_id(request.path_params["id"], "message id")
    first = await run(chain.trace, message_id)       # an unknown id is a 404, not a stream

    async def stream() -> AsyncIterator[str]:
        records, complete = first
        sent = 0
        deadline = anyio.current_time() + FOLLOW_SECONDS
        while True:
            current = build_flow(records, chain.tokens, chain.name_of, complete)
            for arrow in current["arrows"][sent:]:
                yield _event("arrow", {"arrow": arrow, "lanes": current["lanes"]})
            sent = len(current["arrows"])
            settled = current["outcome"]["status"] != "pending"
            if complete or settled or anyio.current_time() > deadline:
                yield _event("done", current)
                return
            await anyio.sleep(POLL_SECONDS)
            records, complete = await run(chain.trace, message_id)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache"})


async def messages(request: Request) -> Response:
    chain = _chain(request)
    query = query_text(request, "q")
    process = request.query_params.get("process") or None
    if process is not None:
        require_id(process, "process id")
    limit = query_int(request, "limit", 50, 1, 200)
    records = await run(chain.recent, query, process, limit)
    return JSONResponse({"messages": describe(records, chain.tokens, chain.name_of)})


async def message(request: Request) -> Response:
    chain = _chain(request)
    message_id = require_id(request.path_params["id"], "message id")
    records, _ = await run(chain.trace, message_id)
    return JSONResponse(describe(records[:1], chain.tokens, chain.name_of)[0])


async def processes(request: Request) -> Response:
    chain = _chain(request)
    return JSONResponse({"processes": await run(chain.processes, query_text(request, "q"))})


routes = [
    Route("/", index, methods=["GET"]),
    Mount("/static", StaticFiles(directory=STATIC), name="static"),
    Route("/api/environment", environment, methods=["GET"]),
    Route("/api/wallets", wallets, methods=["GET"]),
    Route("/api/balances", balances, methods=["GET"]),
    Route("/api/quote", quote, methods=["GET"]),
    Route("/api/swap", swap, methods=["POST"]),
    Route("/api/redeem", redeem, methods=["POST"]),
    Route("/api/submit", submit, methods=["POST"]),
    Route("/api/reserves", reserves, methods=["GET"]),
    Route("/api/flow/{id}", flow, methods=["GET"]),
    Route("/api/flow/{id}/events", flow_events, methods=["GET"]),
    Route("/api/messages", messages, methods=["GET"]),
    Route("/api/messages/{id}", message, methods=["GET"]),
    Route("/api/processes", processes, methods=["GET"]),
]
