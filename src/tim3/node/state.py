"""What the node keeps besides the devnet: the processes it monitors, and a lock."""

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
    """The devnet behind the node, serialised by one lock (the devnet is single-threaded).

    The lock is shared with whatever else drives the same devnet from another thread (the web
    gateway of `tim3 devnet`).
    """

    devnet: Devnet
    base_url: str = "http://127.0.0.1"
    monitored: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def item(self, item_id: str) -> DataItem | None:
        """The signed item a message or process came from, as the devnet keeps it; None for
        one that was not sent as an item (a pushed message, a devnet-side send). Call it
        under the lock (`run`): a durable devnet reads the item from its file."""
        raw = self.devnet.signed_item(item_id)
        return None if raw is None else DataItem.decode(raw)

    async def run(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        """Run a devnet call under the lock, one at a time.

        When the lock is free the call runs right here, on the event loop: every devnet call
        holds the lock for its whole length anyway, so a worker thread would only add two
        thread wake-ups (measured at 0.2–1 ms a request on a 2-core machine, more than the
        call itself). When another thread holds the lock, the call waits for it in a worker
        thread instead, so the event loop never blocks on someone else's call.
        """
        if self.lock.acquire(blocking=False):
            try:
                return fn(*args, **kwargs)
            finally:
                self.lock.release()

        def call() -> T:
            with self.lock:
                return fn(*args, **kwargs)
        return await anyio.to_thread.run_sync(call)
