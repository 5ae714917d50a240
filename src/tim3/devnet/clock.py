"""Devnet time: millisecond timestamps and block heights that only move forward."""

from __future__ import annotations

import time

__all__ = ["Clock"]

_BLOCK_MS = 120_000           # Arweave's two-minute blocks
_FIRST_BLOCK = 1_500_000


class Clock:
    """Wall-clock time by default; with `fixed_start_ms`, time moves only when told to.

    In fixed mode every reading advances one millisecond, so two messages never share a
    timestamp and tests are reproducible.
    """

    def __init__(self, fixed_start_ms: int | None = None, genesis_ms: int | None = None) -> None:
        self.fixed = fixed_start_ms is not None
        self._last = fixed_start_ms if fixed_start_ms is not None else 0
        self.genesis_ms = genesis_ms if genesis_ms is not None else (
            fixed_start_ms if fixed_start_ms is not None else int(time.time() * 1000))

    def now(self) -> int:
        """The next timestamp (ms): never earlier than the last one handed out."""
        if self.fixed:
            self._last += 1
        else:
            self._last = max(self._last, int(time.time() * 1000))
        return self._last

    def peek(self) -> int:
        return self._last

    def advance(self, ms: int) -> None:
        """Move time forward by `ms` milliseconds."""
        if ms < 0:
            raise ValueError(f"Time only moves forward; got advance({ms}).")
        self._last += ms

    def catch_up(self, timestamp: int) -> None:
        """Never hand out a timestamp earlier than one already stored."""
        self._last = max(self._last, timestamp)

    def block_height(self, timestamp: int) -> int:
        return _FIRST_BLOCK + max(0, timestamp - self.genesis_ms) // _BLOCK_MS
