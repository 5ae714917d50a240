"""Paging through a process's schedule, shared by the CU's `/results` and the SU's schedule.

A schedule is in slot order, and slots, timestamps and (timestamp, slot) only grow along it:
the cursor is found by bisection and a page costs the page, not the history.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from typing import Any

from tim3.devnet import Message

__all__ = ["window"]


def window(schedule: Sequence[Message], key: Callable[[Message], Any], after: Any, upto: Any,
           limit: int, keep: Callable[[Message], bool], *, descending: bool = False,
           ) -> tuple[list[Message], bool]:
    """The first `limit` kept messages past `after` and up to `upto` (both by `key`, either
    may be None), walking up — or down with `descending`; and whether more follow."""
    if descending:
        i = (len(schedule) if after is None else bisect_left(schedule, after, key=key)) - 1
        step = -1
    else:
        i = 0 if after is None else bisect_right(schedule, after, key=key)
        step = 1
    chosen: list[Message] = []
    while 0 <= i < len(schedule) and len(chosen) <= limit:
        m = schedule[i]
        if upto is not None and (key(m) < upto if descending else key(m) > upto):
            break
        if keep(m):
            chosen.append(m)
        i += step
    return chosen[:limit], len(chosen) > limit
