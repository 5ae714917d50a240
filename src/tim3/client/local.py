"""`LocalNetwork`: the `AoNetwork` interface called directly on an in-process `Devnet`.

No HTTP and no signing: the devnet trusts the wallet it is given. Messages get the same tags
as `HttpNetwork` would sign, and answers have the node's JSON shapes (`tim3.node.shapes`), so
code written against one network runs unchanged on the other. An item signed elsewhere
(`send_signed`) is checked exactly as the node checks it (`tim3.node.intake`).
"""

from __future__ import annotations

import math

from tim3.arweave import DataItem, Wallet
from tim3.client._protocol import dry_run_tags, message_tags, process_tags, text
from tim3.client.network import AoNetwork, Sort
from tim3.client.result import Page, Result
from tim3.devnet import Devnet, Kind, Message
from tim3.errors import ClientError, DevnetError, MessageLimitReached, NodeError
from tim3.node.intake import accept, admit, verify
from tim3.node.shapes import decode_position, encode_cursor, result_json
from tim3.types import MessageId, ProcessId, TagsLike

__all__ = ["LocalNetwork"]

_EVALUATED = (Kind.PROCESS, Kind.MESSAGE, Kind.ASSIGNMENT)


def _error(message: str, status: int) -> ClientError:
    # `status` is what the HTTP node answers for the same request, so callers can treat
    # both networks alike.
    return ClientError(message, status=status)


class LocalNetwork(AoNetwork):
    """A network that is an in-process `Devnet`, seen by `wallet`. Not thread-safe: the devnet
    is single-threaded, so share one `LocalNetwork`'s devnet from one thread.

    Parameters:
        devnet: the devnet to act on.
        wallet: the sender of every message and the owner of every spawned process.
    """

    def __init__(self, devnet: Devnet, wallet: Wallet) -> None:
        self.devnet = devnet
        self.wallet = wallet

    def spawn(self, module: str, scheduler: str, tags: TagsLike = None,
              data: str | bytes = "") -> ProcessId:
        item_tags, item_data = process_tags(tags, data, module, scheduler)
        before = len(self.devnet.processes())
        try:
            return self.devnet.spawn_item(self.wallet, item_tags, text(item_data))
        except DevnetError as exc:
            # As on AO (and the node), a process whose boot failed still exists; its boot
            # error is its first result.
            spawned = self.devnet.processes()
            if len(spawned) > before:
                return spawned[-1].id
            raise _error(f"Spawning a process failed: {exc}", 400) from exc

    def message(self, process: ProcessId, tags: TagsLike = None, data: str | bytes = "",
                anchor: str | None = None) -> MessageId:
        self._require_process(process)
        item_tags, item_data = message_tags(tags, data)
        try:
            receipt = self.devnet.send(self.wallet, process, tags=item_tags,
                                       data=text(item_data), anchor=anchor or "")
        except MessageLimitReached as exc:
            # The message was scheduled and evaluated; only its chain was cut (as the node).
            return exc.message_id
        except DevnetError as exc:
            raise _error(f"Sending a message to '{process}' failed: {exc}", 400) from exc
        return receipt.id

    def send_signed(self, item: DataItem) -> MessageId:
        """Take a data item signed elsewhere (a message or a spawn) as the node's `POST /`
        does: verify its signature, apply the messenger's rules, then deliver it; returns its
        id. A refused item changes nothing and raises ClientError with the node's status."""
        try:
            verify(item)
            accept(self.devnet, item, admit(self.devnet, item))
        except NodeError as exc:
            raise _error(f"Sending data item '{item.id}' failed: {exc}",
                         getattr(exc, "status", 400)) from exc
        except DevnetError as exc:
            raise _error(f"Sending data item '{item.id}' failed: {exc}", 400) from exc
        return item.id

    def result(self, process: ProcessId, message_id: MessageId) -> Result:
        self._require_process(process)
        try:
            record = self.devnet.message(message_id, process)
        except DevnetError as exc:
            raise _error(f"Message '{message_id}' was not scheduled on process '{process}'. "
                         "Check the id, and that it was sent to this devnet.", 404) from exc
        return Result(result_json(record.result))

    def results(self, process: ProcessId, from_: str | None = None, to: str | None = None,
                sort: Sort = "ASC", limit: int = 25) -> Page:
        self._require_process(process)
        if sort not in ("ASC", "DESC"):
            raise _error(f"'sort' must be ASC or DESC, got '{sort}'.", 400)
        if not 1 <= limit <= 1000:
            raise _error(f"'limit' must be between 1 and 1000, got {limit}.", 400)
        records = [m for m in self.devnet.messages(process)
                   if m.kind in _EVALUATED and m.result is not None and m.result.ok]
        chosen = _window(records, sort, from_, to)
        page = chosen[:limit]
        return Page({
            "pageInfo": {"hasNextPage": len(chosen) > len(page)},
            "edges": [{"cursor": encode_cursor(m, sort), "node": result_json(m.result)}
                      for m in page],
        })

    def dry_run(self, process: ProcessId, tags: TagsLike = None, data: str = "",
                owner: str | None = None) -> Result:
        self._require_process(process)
        evaluation = self.devnet.dryrun(process, tags=dry_run_tags(tags), data=data,
                                        sender=owner or self.wallet.address, id="1234")
        return Result(result_json(evaluation))

    def _require_process(self, process: ProcessId) -> None:
        if not self.devnet.is_process(process):
            raise _error(f"Process '{process}' is not on this devnet. Check the id, or list "
                         "the processes with devnet.processes().", 404)


def _window(records: list[Message], sort: str, from_: str | None,
            to: str | None) -> list[Message]:
    """The records after `from_` (exclusive) up to `to` (inclusive), in `sort` order, as the
    node's /results picks them: by (timestamp, slot), a raw timestamp standing for its whole
    millisecond."""
    descending = sort == "DESC"
    edge = -math.inf if descending else math.inf
    try:
        lo = decode_position(from_, edge) if from_ else None
        hi = decode_position(to, edge) if to else None
    except ValueError as exc:
        raise _error(f"{exc}. Pass a cursor from a results page, or a timestamp in ms.",
                     400) from exc

    def key(m: Message) -> tuple[int, float]:
        return (m.timestamp, float(m.slot or 0))

    if descending:
        return [m for m in reversed(records)
                if (lo is None or key(m) < lo) and (hi is None or key(m) >= hi)]
    return [m for m in records if (lo is None or key(m) > lo) and (hi is None or key(m) <= hi)]
