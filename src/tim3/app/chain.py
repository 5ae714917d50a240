"""`Chain`: what the gateway needs from the network it serves, local devnet or real AO.

Two implementations: `LocalChain` (an in-process devnet; the server signs for dev wallets and
reads the exact causal trace) and `LegacyChain` (a legacy AO network: the browser's wallet signs,
the server forwards the signed item and follows the messages it caused on the gateway).
Every method blocks; the routes call them from a worker thread.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from tim3.client import Result
from tim3.types import Tag, TagsLike

__all__ = ["Chain", "Record", "Token"]


@dataclass(frozen=True)
class Token:
    """A token the gateway swaps: its ticker, process id and number of decimals."""

    ticker: str
    process: str
    denomination: int

    def to_json(self) -> dict[str, Any]:
        return {"ticker": self.ticker, "process": self.process,
                "denomination": self.denomination}


@dataclass(frozen=True)
class Record:
    """One message as the gateway shows it: who sent it to whom, its tags, data and outcome.

    `key` is unique per delivery (an assigned message has one id and several deliveries);
    `parent` is the key of the message whose evaluation sent it, None for a user message.
    """

    key: str
    id: str
    kind: str                       # process | message | assignment | wallet | dropped
    sender: str                     # From: the process that sent it, or the signing wallet
    recipient: str                  # the process or wallet it was delivered to
    tags: list[Tag] = field(default_factory=list)
    data: str = ""
    timestamp: int = 0
    parent: str | None = None
    root: str | None = None
    error: str | None = None        # the evaluation failed (the process state was rolled back)
    reason: str = ""                # why the messenger dropped it

    def tag(self, name: str, default: str | None = None) -> str | None:
        """The value of the first tag with this name."""
        return next((v for n, v in self.tags if n == name), default)

    @property
    def action(self) -> str | None:
        return self.tag("Action")


class Chain(ABC):
    """The network behind the gateway."""

    #: "local" or "legacy", as the environment says.
    kind: str
    #: The tokens by ticker ("USDA", "TIM3").
    tokens: dict[str, Token]

    @abstractmethod
    def environment(self) -> dict[str, Any]:
        """The environment's JSON: name, kind, endpoints, process ids, denomination."""

    @abstractmethod
    def wallets(self) -> list[dict[str, str]]:
        """Wallets the server can sign for, `[{name, address}]`; empty on a real network."""

    @abstractmethod
    def send_as(self, wallet: str, target: str, tags: TagsLike, data: str = "") -> str:
        """Sign a message with the named dev wallet and send it; returns its id."""

    @abstractmethod
    def submit(self, raw: bytes) -> str:
        """Send a data item the browser's wallet signed; returns its id."""

    @abstractmethod
    def dry_run(self, process: str, tags: TagsLike, owner: str | None = None) -> Result:
        """Evaluate a read-only message against a process."""

    @abstractmethod
    def trace(self, message_id: str) -> tuple[list[Record], bool]:
        """The message and everything it caused, in delivery order; and whether that is all."""

    @abstractmethod
    def recent(self, query: str = "", process: str | None = None,
               limit: int = 50) -> list[Record]:
        """The newest messages, optionally those whose id, sender or recipient contains query."""

    @abstractmethod
    def processes(self, query: str = "") -> list[dict[str, Any]]:
        """The processes known to the gateway: `[{id, name, owner, messages}]`."""

    @abstractmethod
    def name_of(self, address: str) -> str | None:
        """A short name for an address (a dev wallet or a named process), if known."""

    def close(self) -> None:  # noqa: B027 - a chain without connections has nothing to do
        """Release connections."""
