"""Fault injection for the messenger: lose, hold back or duplicate pushed messages.

A fault is a callable `(sender_process_id, outbox_message) -> verdict`; the first fault that
returns a verdict decides. Verdicts: "drop" (lost for good), "hold" (kept in `Devnet.held`
until `Devnet.release(i)`, so deliveries can be reordered), "duplicate" (delivered twice),
None (no opinion). Dropped and held messages leave a `dropped` record in the trace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from tim3.runtime.vm import OutMessage

__all__ = ["Fault", "Held", "Verdict", "once", "to_process"]

Verdict = Literal["drop", "hold", "duplicate"] | None
Fault = Callable[[str, OutMessage], Verdict]


@dataclass(frozen=True)
class Held:
    """A pushed message held back by a fault, with what is needed to deliver it later."""

    sender: Any            # ProcessInfo of the sending process
    parent: Any            # the Message record whose evaluation sent it
    out: OutMessage
    root: str              # Pushed-For: the user message that started the chain


def once(predicate: Callable[[str, OutMessage], bool], verdict: Verdict) -> Fault:
    """A fault that strikes the first matching message only."""
    fired = False

    def fault(sender: str, out: OutMessage) -> Verdict:
        nonlocal fired
        if not fired and predicate(sender, out):
            fired = True
            return verdict
        return None

    return fault


def to_process(target: str, action: str,
               sender: str | None = None) -> Callable[[str, OutMessage], bool]:
    """Match messages with this Action delivered to target (and sent by sender)."""
    return lambda s, out: (out.target == target and out.tag("Action") == action
                           and (sender is None or s == sender))
