"""The messenger's rules for a signed data item, shared by the node's `POST /` and
`LocalNetwork.send_signed`: what is refused, and how an accepted item reaches the devnet."""

from __future__ import annotations

import contextlib

from tim3.arweave import DataItem
from tim3.devnet import Devnet
from tim3.errors import DataItemError, DevnetError, MessageLimitReached
from tim3.node.errors import BadRequest, NotFound

__all__ = ["accept", "admit", "verify"]


def verify(item: DataItem) -> None:
    """Check the ANS-104 limits and the signature; BadRequest saying what is wrong."""
    try:
        item.check()
    except DataItemError as exc:
        raise BadRequest(
            f"A valid and signed data item must be provided as the body: {exc}") from exc


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _known(devnet: Devnet, item_id: str) -> bool:
    try:
        devnet.message(item_id)
    except DevnetError:
        return False
    return True


def admit(devnet: Devnet, item: DataItem) -> str:
    """The item's `Type` ("Message" or "Process") if the messenger takes it; BadRequest or
    NotFound otherwise. Changes nothing."""
    if item.tag("Data-Protocol") != "ao":
        raise BadRequest("The data item has no 'Data-Protocol: ao' tag; it is not an AO message.")
    if _known(devnet, item.id):
        raise BadRequest(f"Data item '{item.id}' was already received.")
    kind = item.tag("Type")
    if kind == "Message":
        if item.target is None:
            raise BadRequest("A message needs a target: the id of the process it is for.")
        if not devnet.is_process(item.target):
            raise NotFound(f"Process '{item.target}' is not on this devnet.")
    elif kind == "Process":
        if item.tag("Module") is None or item.tag("Scheduler") is None:
            raise BadRequest("A process needs 'Module' and 'Scheduler' tags.")
    else:
        raise BadRequest(f"The data item's Type tag must be 'Message' or 'Process', got '{kind}'.")
    return kind


def accept(devnet: Devnet, item: DataItem, kind: str) -> None:
    """Deliver an admitted item: schedule, evaluate and crank a message; spawn a process.
    The devnet keeps the item's bytes with it (the SU serves its owner key and signature).

    A message whose chain passes the devnet's bound is still scheduled (the devnet records
    where the chain stopped); a process whose boot fails still exists (its first result holds
    the error). Any other DevnetError propagates."""
    if kind == "Message":
        assert item.target is not None
        with contextlib.suppress(MessageLimitReached):
            devnet.send(item.owner_address, item.target, tags=item.tags, data=_text(item.data),
                        id=item.id, anchor=_text(item.anchor or b""), signed=item.raw)
        return
    try:
        devnet.spawn_item(item.owner_address, item.tags, _text(item.data), id=item.id,
                          signed=item.raw)
    except DevnetError:
        if not devnet.is_process(item.id):
            raise
