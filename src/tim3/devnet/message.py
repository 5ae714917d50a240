"""The records the devnet keeps: one `Message` per scheduled or delivered message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tim3.runtime.vm import Evaluation, Tag
from tim3.types import first_tag

__all__ = ["Message", "Kind"]


class Kind:
    """What a message record is."""

    PROCESS = "process"          # a spawn: the process's own first message (slot 0)
    MESSAGE = "message"          # scheduled on a process and evaluated
    ASSIGNMENT = "assignment"    # an existing message assigned to another process
    WALLET = "wallet"            # delivered to a wallet: stored, never evaluated
    DROPPED = "dropped"          # an outbox entry the messenger refused, with the reason


@dataclass(slots=True)
class Message:
    """One message as the devnet saw it, with its place in the causal tree and its result."""

    seq: int
    id: str
    kind: str
    process: str                 # the process (or wallet) it was delivered to
    owner: str
    from_: str
    target: str
    data: str
    tags: tuple[Tag, ...]
    timestamp: int
    block_height: int
    slot: int | None = None      # position in the process's schedule (Nonce)
    anchor: str = ""
    parent: int | None = None    # seq of the message whose evaluation sent it
    root: str | None = None      # the user message that started the chain (Pushed-For)
    result: Evaluation | None = None
    reason: str = ""             # why it was dropped, for DROPPED records
    children: list[int] | tuple[()] = ()   # seqs of the messages it caused (a list once any)

    def tag(self, name: str, default: str | None = None) -> str | None:
        """The value of the first tag with this name."""
        return first_tag(self.tags, name, default)

    @property
    def action(self) -> str | None:
        return self.tag("Action")

    @property
    def error(self) -> str | None:
        return self.result.error if self.result is not None else None

    def fields(self) -> dict[str, Any]:
        """The root fields the compute unit hands to the process (ao-protocol.md §1.2)."""
        args = self.vm_args()
        end = 1 + 2 * args[0]
        return dict(zip(args[1:end:2], args[2:end:2], strict=True))

    def vm_args(self) -> tuple[Any, ...]:
        """The root fields and the tags in the flat form `ProcessVM.evaluate_flat` takes."""
        args: list[Any] = [
            10, "Id", self.id, "Owner", self.owner, "From", self.from_, "Target", self.target,
            "Data", self.data, "Timestamp", self.timestamp, "Block-Height", self.block_height,
            "Epoch", 0, "Nonce", self.slot if self.slot is not None else 0, "Cron", False]
        if self.from_ != self.owner:
            args += ("Forwarded-By", self.owner)
            args[0] += 1
        if self.anchor:
            args += ("Anchor", self.anchor)
            args[0] += 1
        if self.kind == Kind.ASSIGNMENT:
            args += ("Message", self.id)
            args[0] += 1
        for name, value in self.tags:
            args += (name, value)
        return tuple(args)   # kept by the VM for replays: a tuple of strings costs the GC nothing
