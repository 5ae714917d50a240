"""Compute unit: results of messages, pages of results, dry-runs (§3.6)."""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tim3.devnet import Kind, Message
from tim3.errors import DevnetError
from tim3.node.errors import BadRequest, NotFound
from tim3.node.paging import window
from tim3.node.params import MAX_JSON_BYTES, query_int, read_body, require_id
from tim3.node.shapes import decode_position, encode_cursor, result_json
from tim3.node.state import NodeState

_EVALUATED = (Kind.PROCESS, Kind.MESSAGE, Kind.ASSIGNMENT)


async def result_of(state: NodeState, mid: str, pid: str | None) -> dict[str, Any]:
    """`GET /result/:mid?process-id=pid`: the result's JSON, or a NodeError."""
    mid = require_id(mid, "message id")
    pid = require_id(pid, "process-id")
    if not state.devnet.is_process(pid):
        raise NotFound(f"Process '{pid}' is not on this devnet.")
    try:
        # Under the devnet lock: a message is recorded before it is evaluated.
        record = await state.run(state.devnet.message, mid, pid)
    except DevnetError as exc:
        raise NotFound(f"Message '{mid}' was not scheduled on process '{pid}'.") from exc
    return result_json(record.result)


async def result(request: Request) -> Response:
    state: NodeState = request.app.state.node
    return JSONResponse(await result_of(state, request.path_params["id"],
                                        request.query_params.get("process-id")))


async def results(request: Request) -> Response:
    state: NodeState = request.app.state.node
    pid = require_id(request.path_params["pid"], "process id")
    if not state.devnet.is_process(pid):
        raise NotFound(f"Process '{pid}' is not on this devnet.")
    sort = request.query_params.get("sort", "ASC").upper()
    if sort not in ("ASC", "DESC"):
        raise BadRequest(f"'sort' must be ASC or DESC, got '{sort[:20]}'.")
    limit = query_int(request, "limit", 25, 1, 1000) or 25
    # A raw timestamp stands for the whole millisecond: past it going up, before it going down.
    edge = math.inf if sort == "ASC" else -math.inf
    try:
        q = request.query_params
        lo = decode_position(q["from"], edge) if q.get("from") else None
        hi = decode_position(q["to"], edge) if q.get("to") else None
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc

    def pos(m: Message) -> tuple[int, float]:
        return m.timestamp, float(m.slot or 0)

    def done(m: Message) -> bool:
        return m.kind in _EVALUATED and m.result is not None and m.result.ok

    page_of, more = await state.run(
        lambda: window(state.devnet.schedule(pid), pos, lo, hi, limit, done,
                       descending=sort == "DESC"))
    return JSONResponse({
        "pageInfo": {"hasNextPage": more},
        "edges": [{"cursor": encode_cursor(m, sort), "node": result_json(m.result)}
                  for m in page_of],
    })


def _dry_run_input(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"{}")
    except ValueError as exc:  # JSONDecodeError, or bytes that are no text at all
        raise BadRequest(f"The dry-run body is not JSON: {exc}.") from exc
    if not isinstance(data, dict):
        raise BadRequest("The dry-run body must be a JSON object.")
    tags = data.get("Tags", [])
    if not isinstance(tags, list) or not all(
            isinstance(t, dict) and isinstance(t.get("name"), str)
            and isinstance(t.get("value"), str) for t in tags):
        raise BadRequest("'Tags' must be a list of {name, value} objects with string values.")
    for key in ("Id", "Owner", "Data", "Anchor", "Target"):
        if key in data and data[key] is not None and not isinstance(data[key], str):
            raise BadRequest(f"'{key}' must be a string.")
    return data


async def dry_run(request: Request) -> Response:
    state: NodeState = request.app.state.node
    pid = require_id(request.query_params.get("process-id"), "process-id")
    if not state.devnet.is_process(pid):
        raise NotFound(f"Process '{pid}' is not on this devnet.")
    data = _dry_run_input(await read_body(request, MAX_JSON_BYTES))
    tags = [(t["name"], t["value"]) for t in data.get("Tags", [])]
    evaluation = await state.run(state.devnet.dryrun, pid, tags=tags,
                                 data=data.get("Data") or "", sender=data.get("Owner") or "1234",
                                 id=data.get("Id") or "1234")
    return JSONResponse(result_json(evaluation))


async def state(request: Request) -> Response:
    """The process's own state as JSON (the reference CU serves its WASM memory here)."""
    node: NodeState = request.app.state.node
    pid = require_id(request.path_params["pid"], "process id")
    if not node.devnet.is_process(pid):
        raise NotFound(f"Process '{pid}' is not on this devnet.")

    def read() -> tuple[str, Message]:
        info = node.devnet.process(pid)
        last = node.devnet.messages(pid)[-1]
        return info.vm.state_json(), last

    body, last = await node.run(read)
    return Response(body, media_type="application/json", headers={
        "Last-Timestamp": str(last.timestamp), "Last-Ordinate": str(last.slot),
        "Last-Block-Height": str(last.block_height)})


routes = [
    Route("/result/{id}", result, methods=["GET"]),
    Route("/results/{pid}", results, methods=["GET"]),
    Route("/dry-run", dry_run, methods=["POST"]),
    Route("/state/{pid}", state, methods=["GET"]),
]
