"""Messenger unit: accept signed data items (messages, spawns), assignments, monitors (§3.4)."""

from __future__ import annotations

import contextlib

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tim3.arweave import DataItem
from tim3.errors import DataItemError, DevnetError, MessageLimitReached
from tim3.node.errors import BadRequest, NotFound
from tim3.node.params import MAX_ITEM_BYTES, read_body, require_id
from tim3.node.state import NodeState


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


async def _verified_item(request: Request) -> DataItem:
    body = await read_body(request, MAX_ITEM_BYTES)
    if not body:
        raise BadRequest("A valid and signed data item must be provided as the body: it is empty.")
    try:
        item = DataItem.decode(body)
        item.check()
    except DataItemError as exc:
        raise BadRequest(
            f"A valid and signed data item must be provided as the body: {exc}") from exc
    return item


async def post_root(request: Request) -> Response:
    state: NodeState = request.app.state.node
    if "assign" in request.query_params or "process-id" in request.query_params:
        return await _assign(request, state)
    item = await _verified_item(request)
    if item.tag("Data-Protocol") != "ao":
        raise BadRequest("The data item has no 'Data-Protocol: ao' tag; it is not an AO message.")
    kind = item.tag("Type")
    if item.id in state.items:
        raise BadRequest(f"Data item '{item.id}' was already received.")
    if kind == "Message":
        if item.target is None:
            raise BadRequest("A message needs a target: the id of the process it is for.")
        if not state.devnet.is_process(item.target):
            raise NotFound(f"Process '{item.target}' is not on this devnet.")
        state.items[item.id] = item
        # On MessageLimitReached the message was still scheduled; the devnet recorded where
        # the chain stopped.
        with contextlib.suppress(MessageLimitReached):
            await state.run(state.devnet.send, item.owner_address, item.target,
                            tags=item.tags, data=_text(item.data), id=item.id,
                            anchor=_text(item.anchor or b""))
    elif kind == "Process":
        if item.tag("Module") is None or item.tag("Scheduler") is None:
            raise BadRequest("A process needs 'Module' and 'Scheduler' tags.")
        state.items[item.id] = item
        try:
            await state.run(state.devnet.spawn_item, item.owner_address, item.tags,
                            _text(item.data), id=item.id)
        except DevnetError as exc:
            if not state.devnet.is_process(item.id):
                raise
            del exc  # the process exists; its boot error is in its first result
    else:
        raise BadRequest(f"The data item's Type tag must be 'Message' or 'Process', got '{kind}'.")
    return JSONResponse({"message": "Processing DataItem", "id": item.id}, status_code=202)


async def _assign(request: Request, state: NodeState) -> Response:
    process = require_id(request.query_params.get("process-id"), "process-id")
    message = require_id(request.query_params.get("assign"), "assign")
    if not state.devnet.is_process(process):
        raise NotFound(f"Process '{process}' is not on this devnet.")
    try:
        state.devnet.message(message)
    except DevnetError as exc:
        raise NotFound(str(exc)) from exc
    receipt = await state.run(state.devnet.assign, process, message)
    return JSONResponse({"message": "Processing Assignment", "id": receipt.id}, status_code=202)


async def monitor(request: Request) -> Response:
    state: NodeState = request.app.state.node
    pid = require_id(request.path_params["pid"], "process id")
    await _verified_item(request)
    if not state.devnet.is_process(pid):
        raise NotFound(f"Process '{pid}' is not on this devnet.")
    if request.method == "DELETE":
        state.monitored.discard(pid)
        return PlainTextResponse("Process deleted")
    state.monitored.add(pid)
    return PlainTextResponse("Monitoring process")


routes = [
    Route("/", post_root, methods=["POST"]),
    Route("/monitor/{pid}", monitor, methods=["POST", "DELETE"]),
]
