"""`AoNetwork`: what the rest of tim3 needs from "a network", whichever network it is.

Two implementations: `HttpNetwork` speaks the legacy AO protocol to any node (the tim3 devnet
node, or a real MU/CU/gateway), `LocalNetwork` calls an in-process `Devnet` directly. Both
answer with the same JSON shapes (`Result`, `Page`) and raise `ClientError` when the network
refuses a request or cannot be reached.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Literal, Self

from tim3.arweave import DataItem, Wallet
from tim3.client.result import Page, Result
from tim3.types import MessageId, ProcessId, TagsLike

__all__ = ["AoNetwork", "Sort"]

Sort = Literal["ASC", "DESC"]


class AoNetwork(ABC):
    """A legacy AO network seen by one wallet: spawn, message, result, results, dry-run."""

    wallet: Wallet

    @abstractmethod
    def spawn(self, module: str, scheduler: str, tags: TagsLike = None,
              data: str | bytes = "") -> ProcessId:
        """Spawn a process from `module` on `scheduler`; returns the process id.

        Parameters:
            module: the module id (the devnet's is `tim3.devnet.MODULE_ID`).
            scheduler: the scheduler's wallet address (the devnet's is `devnet.su.address`).
            tags: the process's own tags, e.g. `{"Name": …, "Authority": …, "On-Boot": "Data"}`;
                the protocol tags (`Data-Protocol`, `Variant`, `Type`, `Module`, `Scheduler`,
                `SDK`) are added. Nothing else is: pass `Authority` yourself.
            data: the process's data (its Lua source, with `On-Boot: Data`).
        """

    @abstractmethod
    def message(self, process: ProcessId, tags: TagsLike = None, data: str | bytes = "",
                anchor: str | None = None) -> MessageId:
        """Send a message signed by this wallet to `process`; returns the message id.

        Parameters:
            process: the target process id.
            tags: the message's tags (`Action` …); the protocol tags are added.
            data: the payload; empty data is sent as " " with `Content-Type: text/plain`.
            anchor: 32 characters (aos's zero-padded reference), or None.
        """

    @abstractmethod
    def send_signed(self, item: DataItem) -> MessageId:
        """Send a data item signed elsewhere (a message or a spawn) as it is; returns its id.

        The network checks it as a messenger unit does: a bad signature, a missing
        `Data-Protocol: ao`, an unknown target or an id already received is refused
        (ClientError 400 or 404) and changes nothing.
        """

    @abstractmethod
    def result(self, process: ProcessId, message_id: MessageId) -> Result:
        """The result of a message evaluated by `process`."""

    @abstractmethod
    def results(self, process: ProcessId, from_: str | None = None, to: str | None = None,
                sort: Sort = "ASC", limit: int = 25) -> Page:
        """A page of `process`'s successful results; pass `page.last_cursor` as `from_` next."""

    @abstractmethod
    def dry_run(self, process: ProcessId, tags: TagsLike = None, data: str = "",
                owner: str | None = None) -> Result:
        """Evaluate a message against `process` without changing it (as `owner`, default us)."""

    def eval(self, process: ProcessId, code: str) -> MessageId:
        """Send `Action: Eval` with Lua code (only the process owner's Eval runs)."""
        return self.message(process, {"Action": "Eval"}, code)

    def close(self) -> None:  # noqa: B027 - a network without connections has nothing to do
        """Release connections; the network object is unusable afterwards."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
