"""Messenger unit: accept signed data items (messages, spawns), assignments, monitors (§3.4)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tim3.arweave import DataItem
from tim3.errors import DataItemError, DevnetError
from tim3.node.errors import BadRequest, NotFound
from tim3.node.intake import accept, admit, verify
from tim3.node.params import MAX_ITEM_BYTES, read_body, require_id
from tim3.node.state import NodeState


def _verified_item(body: bytes) -> DataItem:
    if not body:
        raise BadRequest("A valid and signed data item must be provided as the body: it is empty.")
    try:
        item = DataItem.decode(body)
    except DataItemError as exc:
        raise BadRequest(
            f"A valid and signed data item must be provided as the body: {exc}") from exc
    # Outside the devnet lock: the signature check is the costliest step, and needs no state.
    verify(item)
    return item


async def take_item(state: NodeState, body: bytes) -> str:
    """Verify the signed item in `body` and deliver it (`POST /`); its id, or a NodeError."""
    item = _verified_item(body)

    def take() -> None:
        # One step under the lock: nothing can come between the checks and the delivery.
        accept(state.devnet, item, admit(state.devnet, item))

    await state.run(take)
    return item.id


def taken(item_id: str) -> dict[str, str]:
    """The MU's answer (202) to an item it took."""
    return {"message": "Processing DataItem", "id": item_id}


async def post_root(request: Request) -> Response:
    state: NodeState = request.app.state.node
    if "assign" in request.query_params or "process-id" in request.query_params:
        return await _assign(request, state)
    item_id = await take_item(state, await read_body(request, MAX_ITEM_BYTES))
    return JSONResponse(taken(item_id), status_code=202)


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
    _verified_item(await read_body(request, MAX_ITEM_BYTES))
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
