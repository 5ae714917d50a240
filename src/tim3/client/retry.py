"""`Retry`: which answers are worth asking again for, and how long to wait in between."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Retry"]

# 429: rate limited; 502/503/504: a proxy or the unit itself is briefly unavailable.
TRANSIENT_STATUS = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class Retry:
    """Exponential backoff: `retries` more tries after the first, waiting
    `backoff`, 2×`backoff`, 4×`backoff` … seconds, never more than `max_backoff` each."""

    retries: int = 3
    backoff: float = 0.25
    max_backoff: float = 5.0

    def __post_init__(self) -> None:
        assert self.retries >= 0, f"retries must be 0 or more, got {self.retries}"
        assert self.backoff >= 0 and self.max_backoff >= 0, "backoff must not be negative"

    @property
    def attempts(self) -> int:
        return self.retries + 1

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before try number `attempt` (1 = the first retry).

        A server's `Retry-After` is honoured, but never beyond `max_backoff`.
        """
        wait: float = self.backoff * 2.0 ** (attempt - 1)
        if retry_after is not None:
            wait = max(wait, retry_after)
        return min(wait, self.max_backoff)

    @staticmethod
    def is_transient(status: int) -> bool:
        return status in TRANSIENT_STATUS


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a `Retry-After` header given in seconds (HTTP dates are ignored)."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None
