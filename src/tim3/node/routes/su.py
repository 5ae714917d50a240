"""Scheduler unit read API: timestamp, process records, messages and schedules (§3.5)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tim3.arweave import DataItem, b64url_encode
from tim3.devnet import Kind, Message
from tim3.errors import DevnetError
from tim3.node.errors import NotFound
from tim3.node.paging import window
from tim3.node.params import query_int, require_id
from tim3.node.shapes import su_message_json, tags_json
from tim3.node.state import NodeState

_SCHEDULED = (Kind.PROCESS, Kind.MESSAGE, Kind.ASSIGNMENT)


async def timestamp(request: Request) -> Response:
    state: NodeState = request.app.state.node
    now = state.devnet.clock.peek()
    return JSONResponse({"timestamp": str(now),
                         "block_height": str(state.devnet.clock.block_height(now)).rjust(12, "0")})


async def process(request: Request) -> Response:
    state: NodeState = request.app.state.node
    pid = require_id(request.path_params["pid"], "process id")
    if not state.devnet.is_process(pid):
        raise NotFound(f"Process '{pid}' is not on this devnet.")
    info = state.devnet.process(pid)
    first = state.devnet.message(pid, pid)
    item = await state.run(state.item, pid)
    return JSONResponse({
        "process_id": pid,
        "block": str(first.block_height),
        "owner": {"address": info.owner, "key": b64url_encode(item.owner) if item else ""},
        "tags": tags_json(info.tags),
        "timestamp": first.timestamp,
        "data": first.data,
        "anchor": first.anchor or None,
        "signature": b64url_encode(item.signature) if item else "",
        "target": None,
    })


async def message_or_schedule(request: Request) -> Response:
    state: NodeState = request.app.state.node
    tx = require_id(request.path_params["id"], "message or process id")
    pid = request.query_params.get("process-id")
    if pid is None:
        return await _gateway_data(state, tx)
    pid = require_id(pid, "process-id")
    if not state.devnet.is_process(pid):
        raise NotFound("Message or Process not found")
    if tx != pid:
        try:
            record = state.devnet.message(tx, pid)
        except DevnetError as exc:
            raise NotFound("Message or Process not found") from exc
        item = await state.run(state.item, tx)
        return JSONResponse(su_message_json(record, item, state.devnet.su.address))
    return await _schedule(request, state, pid)


async def _schedule(request: Request, state: NodeState, pid: str) -> Response:
    limit = query_int(request, "limit", 100, 1, 10_000) or 100
    from_nonce = query_int(request, "from-nonce", None, -1, 2**53)
    to_nonce = query_int(request, "to-nonce", None, -1, 2**53)
    by_nonce = from_nonce is not None or to_nonce is not None
    if by_nonce:
        lo, hi = from_nonce, to_nonce

        def position(m: Message) -> int:
            return m.slot or 0
    else:
        lo = query_int(request, "from", None, 0, 2**63)
        hi = query_int(request, "to", None, 0, 2**63)

        def position(m: Message) -> int:
            return m.timestamp

    def page() -> tuple[list[Message], bool, list[DataItem | None]]:
        records, more = window(state.devnet.schedule(pid), position, lo, hi, limit,
                               lambda m: m.kind in _SCHEDULED)
        return records, more, [state.item(m.id) for m in records]

    records, more, items = await state.run(page)
    su = state.devnet.su.address
    return JSONResponse({
        "page_info": {"has_next_page": more},
        "edges": [{"node": su_message_json(m, item, su),
                   "cursor": str(m.slot if by_nonce else m.timestamp)}
                  for m, item in zip(records, items, strict=True)],
    })


async def _gateway_data(state: NodeState, tx: str) -> Response:
    try:
        record = state.devnet.message(tx)
    except DevnetError as exc:
        raise NotFound(f"No transaction '{tx}' on this devnet.") from exc
    return Response(record.data.encode(), media_type="application/octet-stream")


routes = [
    Route("/timestamp", timestamp, methods=["GET"]),
    Route("/processes/{pid}", process, methods=["GET"]),
    Route("/{id}", message_or_schedule, methods=["GET"]),
]
