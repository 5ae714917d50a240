"""The Process Flow Diagram's data: lanes, numbered arrows, a sentence per step, the outcome.

`build_flow(records, tokens, name_of)` turns the messages of one causal chain (in delivery
order) into what the page draws: one lane per process or wallet, in order of appearance; one
arrow per message, labelled with its Action and Quantity, marked `error`, `refund` or
`dropped`; a plain sentence per arrow ("USDA notified TIM3 of 5 USDA"); and for swaps and
redeems the outcome in plain words ("Minted 5 TIM3", "Refunded: Minting is paused …").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tim3.app.chain import Record, Token
from tim3.units import format_amount

__all__ = ["build_flow", "describe", "plain_error"]

NameOf = Callable[[str], str | None]
_INSUFFICIENT = re.compile(r"^Insufficient balance: has (\d+), needs (\d+)")
_HIDDEN_TAGS = {"Data-Protocol", "Variant", "Type", "From-Module", "SDK"}


class _Context:
    """What every sentence needs: token ids, names and amount formatting."""

    def __init__(self, tokens: dict[str, Token], name_of: NameOf) -> None:
        self.tokens = tokens
        self.usda = tokens["USDA"].process if "USDA" in tokens else ""
        self.tim3 = tokens["TIM3"].process if "TIM3" in tokens else ""
        self._name_of = name_of

    def name(self, address: str) -> str:
        known = self._name_of(address)
        if known:
            return known
        return address[:6] + "…" if len(address) > 8 else address

    def ticker_of(self, r: Record) -> str | None:
        """Which token a message's Quantity counts."""
        if self.usda in (r.sender, r.recipient):
            return "USDA"
        if r.sender == self.tim3 and r.action in ("Deposit-Error", "Redeem-Notice"):
            return "USDA"
        if self.tim3 in (r.sender, r.recipient):
            return "TIM3"
        return None

    def amount(self, quantity: str | None, ticker: str | None) -> str:
        if quantity is None:
            return ""
        if ticker is None or ticker not in self.tokens or not quantity.isdigit():
            return quantity
        return f"{format_amount(int(quantity), self.tokens[ticker].denomination)} {ticker}"


def plain_error(text: str, ticker: str, decimals: int, who: str = "the wallet") -> str:
    """A process's error in plain words: amounts in tokens, not base units."""
    m = _INSUFFICIENT.match(text)
    if m:
        has, needs = (format_amount(int(g), decimals) for g in m.groups())
        return (f"Not enough {ticker}: {who} has {has} {ticker} and tried to send "
                f"{needs} {ticker}.")
    return text


def _tone(r: Record) -> str:
    if r.kind == "dropped":
        return "dropped"
    if r.error:
        return "error"
    if r.tag("X-Refund-Reason") is not None or r.tag("X-Refund-Of") is not None \
            or r.action == "Deposit-Error":
        return "refund"
    if (r.action or "").endswith("-Error"):
        return "error"
    return "ok"


def _sentence(r: Record, ctx: _Context) -> str:
    """One plain sentence for one message of a swap or redeem."""
    a, src, dst = r.action, ctx.name(r.sender), ctx.name(r.recipient)
    q = ctx.amount(r.tag("Quantity"), ctx.ticker_of(r))
    if r.kind == "dropped":
        return f"The messenger dropped {src}'s {a or 'message'} to {dst}: {r.reason}"
    if r.error:
        return f"{dst} failed on {a or 'a message'} from {src}: {r.error.splitlines()[-1]}"
    refund = r.tag("X-Refund-Reason")
    if r.recipient == ctx.usda and a == "Transfer":
        if r.sender == ctx.tim3 and refund is not None:
            return f"TIM3 refused the deposit ({refund}) and asked USDA to return {q}"
        if r.sender == ctx.tim3 and r.tag("X-Payout-Id") is not None:
            burned = ctx.amount(r.tag("Quantity"), "TIM3")
            return f"TIM3 burned {burned} and asked USDA to pay " \
                   f"{ctx.name(r.tag('Recipient') or '')} {q}"
        return f"Transfer sent: {q} from {src} to {ctx.name(r.tag('Recipient') or '')}"
    if r.sender == ctx.usda:
        if a == "Debit-Notice":
            return f"USDA took {q} from {dst}"
        if a == "Credit-Notice" and r.recipient == ctx.tim3:
            return f"USDA notified TIM3 of {q} from {ctx.name(r.tag('Sender') or '')}"
        if a == "Credit-Notice" and refund is not None:
            return f"Refund: USDA returned {q} to {dst}"
        if a == "Credit-Notice":
            return f"USDA paid {q} to {dst}"
        if a == "Transfer-Error":
            return "USDA refused the transfer: " + plain_error(
                r.tag("Error") or "", "USDA", ctx.tokens["USDA"].denomination, dst)
    if r.sender == ctx.tim3:
        if a == "Credit-Notice" and r.tag("Deposit-Id") is not None:
            return f"TIM3 minted {q} to {dst}"
        if a == "Deposit-Error":
            return f"TIM3 told {dst}: {r.tag('Error')}"
        if a == "Redeem-Notice":
            return f"TIM3 settled the payout: {q} paid to {ctx.name(r.tag('Recipient') or '')}"
        if a == "Redeem-Error":
            return "TIM3 refused the redeem: " + plain_error(
                r.tag("Error") or "", "TIM3", ctx.tokens["TIM3"].denomination, dst)
    if r.recipient == ctx.tim3 and a == "Redeem":
        return f"{src} asked TIM3 to redeem {q}"
    text = f"{src} → {dst}: {a or '(no Action)'}"
    if q:
        text += f" {q}"
    if r.tag("Error"):
        text += f" ({r.tag('Error')})"
    return text


def arrow_json(r: Record, n: int, parent: int | None, ctx: _Context) -> dict[str, Any]:
    """One arrow of the diagram, with everything its details panel shows."""
    ticker = ctx.ticker_of(r)
    tone = _tone(r)
    error = r.error or (r.reason if r.kind == "dropped" else None) \
        or (r.tag("Error") if tone in ("error", "refund") else None)
    return {
        "n": n, "key": r.key, "id": r.id, "kind": r.kind, "from": r.sender, "to": r.recipient,
        "action": r.action or "", "quantity": r.tag("Quantity") or "",
        "amount": ctx.amount(r.tag("Quantity"), ticker), "parent": parent, "tone": tone,
        "error": error or "", "step": _sentence(r, ctx), "timestamp": r.timestamp,
        "tags": [[k, v] for k, v in r.tags if k not in _HIDDEN_TAGS], "data": r.data,
    }


def _lanes(records: list[Record], ctx: _Context) -> list[dict[str, str]]:
    processes = {r.recipient for r in records if r.kind in ("message", "assignment", "process")}
    processes |= {r.sender for r in records if r.parent is not None}
    order: list[str] = []
    for r in records:
        for address in (r.sender, r.recipient):
            if address not in order:
                order.append(address)
    return [{"id": a, "name": ctx.name(a), "kind": "process" if a in processes else "wallet"}
            for a in order]


def _outcome(records: list[Record], ctx: _Context, complete: bool) -> dict[str, str]:
    root = records[0]
    sender = ctx.name(root.sender)
    q = root.tag("Quantity")
    if root.recipient == ctx.usda and root.action == "Transfer" \
            and root.tag("Recipient") == ctx.tim3:
        return _deposit_outcome(records, ctx, complete, sender, q)
    if root.recipient == ctx.tim3 and (root.action == "Redeem" or (
            root.action == "Transfer" and root.tag("Recipient") == "burn")):
        return _redeem_outcome(records, ctx, complete, sender, q)
    status = "failed" if root.error else ("done" if complete else "pending")
    return {"kind": "message", "status": status,
            "title": _sentence(root, ctx) if not root.error else f"Failed: {root.error}",
            "detail": ""}


def _deposit_outcome(records: list[Record], ctx: _Context, complete: bool, sender: str,
                     q: str | None) -> dict[str, str]:
    usda = ctx.tokens["USDA"]
    done = {"kind": "deposit"}
    if records[0].error:
        return {**done, "status": "failed", "title": f"USDA failed: {records[0].error}",
                "detail": ""}
    for r in records:
        if r.sender == ctx.usda and r.action == "Transfer-Error" and r.parent == records[0].key:
            why = plain_error(r.tag("Error") or "", "USDA", usda.denomination, sender)
            return {**done, "status": "failed", "title": why,
                    "detail": "Nothing was transferred and no TIM3 was minted."}
        if r.sender == ctx.tim3 and r.action == "Credit-Notice" and r.tag("Deposit-Id"):
            return {**done, "status": "minted",
                    "title": f"Minted {ctx.amount(r.tag('Quantity'), 'TIM3')} to {sender}",
                    "detail": f"{ctx.amount(q, 'USDA')} is now held by TIM3 as reserve."}
        if r.sender == ctx.tim3 and r.action == "Deposit-Error":
            returned = any(x.sender == ctx.usda and x.action == "Credit-Notice"
                           and x.tag("X-Refund-Of") for x in records)
            detail = (f"USDA returned {ctx.amount(q, 'USDA')} to {sender}." if returned
                      else "The refund is on its way.")
            return {**done, "status": "refunded", "title": f"Refunded: {r.tag('Error')}",
                    "detail": detail}
    if not complete:
        return {**done, "status": "pending", "title": "Waiting for TIM3 to mint…", "detail": ""}
    return {**done, "status": "unknown", "title": "TIM3 did not mint or refund this deposit",
            "detail": "Open the flow's messages for details, or ask TIM3 for Reserves."}


def _redeem_outcome(records: list[Record], ctx: _Context, complete: bool, sender: str,
                    q: str | None) -> dict[str, str]:
    tim3 = ctx.tokens["TIM3"]
    done = {"kind": "redeem"}
    if records[0].error:
        return {**done, "status": "failed", "title": f"TIM3 failed: {records[0].error}",
                "detail": ""}
    for r in records:
        if r.sender == ctx.tim3 and r.action in ("Redeem-Error", "Transfer-Error"):
            why = plain_error(r.tag("Error") or "", "TIM3", tim3.denomination, sender)
            return {**done, "status": "failed", "title": why,
                    "detail": "No TIM3 was burned." if r.parent == records[0].key
                    else "Your TIM3 was restored."}
        if r.sender == ctx.tim3 and r.action == "Redeem-Notice":
            to = ctx.name(r.tag("Recipient") or records[0].sender)
            return {**done, "status": "redeemed",
                    "title": f"Redeemed {ctx.amount(q, 'TIM3')} for "
                             f"{ctx.amount(r.tag('Quantity'), 'USDA')}",
                    "detail": f"TIM3 burned {ctx.amount(q, 'TIM3')}; USDA paid "
                              f"{ctx.amount(r.tag('Quantity'), 'USDA')} to {to}."}
    if not complete:
        return {**done, "status": "pending", "title": "Waiting for USDA to pay…", "detail": ""}
    return {**done, "status": "pending", "title": "Payout pending: USDA has not answered yet",
            "detail": f"TIM3 burned {ctx.amount(q, 'TIM3')} and keeps the payout until USDA "
                      "confirms it."}


def build_flow(records: list[Record], tokens: dict[str, Token], name_of: NameOf,
               complete: bool = True) -> dict[str, Any]:
    """The diagram of one causal chain: lanes, numbered arrows, the outcome."""
    assert records, "a flow needs at least its first message"
    ctx = _Context(tokens, name_of)
    numbers = {r.key: n for n, r in enumerate(records, start=1)}
    arrows = [arrow_json(r, n, numbers.get(r.parent) if r.parent else None, ctx)
              for n, r in enumerate(records, start=1)]
    root = records[0]
    return {
        "id": root.id,
        "root": root.root if root.root and root.root != root.id else None,
        "sender": root.sender,
        "lanes": _lanes(records, ctx),
        "arrows": arrows,
        "outcome": _outcome(records, ctx, complete),
        "complete": complete,
    }


def describe(records: list[Record], tokens: dict[str, Token], name_of: NameOf
             ) -> list[dict[str, Any]]:
    """Messages for the explorer: each as an arrow, with names and the chain it belongs to."""
    ctx = _Context(tokens, name_of)
    return [{**arrow_json(r, 0, None, ctx), "root": r.root or r.id,
             "from_name": ctx.name(r.sender), "to_name": ctx.name(r.recipient)}
            for r in records]
