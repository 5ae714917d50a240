"""What the node keeps besides the devnet: the signed items it accepted, and a lock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import anyio.to_thread

from tim3.arweave import DataItem
from tim3.devnet import Devnet

__all__ = ["NodeState"]

T = TypeVar("T")


@dataclass
class NodeState:
    """The devnet behind the node, serialised by one lock (the devnet is single-threaded)."""

    devnet: Devnet
    base_url: str = "http://127.0.0.1"
    items: dict[str, DataItem] = field(default_factory=dict)
    monitored: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def run(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        """Run a devnet call in a worker thread, one at a time, off the event loop."""
        def call() -> T:
            with self.lock:
                return fn(*args, **kwargs)
        return await anyio.to_thread.run_sync(call)
