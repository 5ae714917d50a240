"""What a TIM3 user does: read balances, swap USDA for TIM3, redeem TIM3, transfer either token.

    with Session.open(env, alice) as s:
        swap(s, parse_amount("5.25", 12))       # amounts in base units (int), never floats
        redeem(s, 10**12)
        transfer(s, "tim3", bob.address, 10**12)

A swap is a USDA `Transfer` to the TIM3 process; it is done when the TIM3 arrives. A redeem is a
`Redeem` to TIM3; it is done when the USDA arrives. On a devnet that is at once; on AO the
session polls the balances until `poll_timeout`, then says how to follow the flow.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from tim3.errors import ConfigError, OperationError
from tim3.ops.flow import flow
from tim3.ops.roles import ROLES
from tim3.ops.session import Session
from tim3.units import format_amount

__all__ = ["Holding", "Movement", "balances", "redeem", "swap", "token_denomination",
           "transfer"]

_ADDRESS = re.compile(r"^([A-Za-z0-9_-]{43}|0x[0-9a-fA-F]{40})$")


@dataclass(frozen=True)
class Holding:
    """A balance of one token."""

    role: str
    process: str
    ticker: str
    denomination: int
    balance: int

    @property
    def human(self) -> str:
        return format_amount(self.balance, self.denomination)

    def to_json(self) -> dict[str, object]:
        return {"token": self.role, "process": self.process, "ticker": self.ticker,
                "denomination": self.denomination, "balance": str(self.balance),
                "amount": self.human}


@dataclass(frozen=True)
class Movement:
    """A swap, redeem or transfer: the message that started it and how it ended."""

    kind: str
    message_id: str
    quantity: int
    denomination: int
    ticker: str
    done: bool
    detail: str = ""

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "message_id": self.message_id,
                "quantity": str(self.quantity),
                "amount": format_amount(self.quantity, self.denomination),
                "ticker": self.ticker, "done": self.done, "detail": self.detail}

    def to_text(self) -> str:
        amount = f"{format_amount(self.quantity, self.denomination)} {self.ticker}"
        state = "done" if self.done else "sent, not settled yet"
        text = f"{self.kind} of {amount} ({self.quantity} base units): {state}.\n"
        text += f"Message {self.message_id}"
        return text + (f"\n{self.detail}" if self.detail else "")


def token_denomination(session: Session, role_name: str) -> tuple[int, str]:
    """The token's (Denomination, Ticker) from its Info; the environment's if it says none."""
    pid = session.env.process(role_name)
    tags = session.query(pid, "Info")
    value = tags.get("Denomination", "")
    denomination = int(value) if value.isdigit() else session.env.denomination
    return denomination, tags.get("Ticker") or role_name.upper()


def balances(session: Session, address: str | None = None) -> list[Holding]:
    """`address`'s (default: the wallet's) balance of every token of the environment."""
    who = address or session.wallet.address
    out = []
    for role_name in ROLES:
        if not ROLES[role_name].is_token or role_name not in session.env.processes:
            continue
        session.progress(f"Reading the {role_name} balance of {who}")
        denomination, ticker = token_denomination(session, role_name)
        pid = session.env.processes[role_name]
        out.append(Holding(role_name, pid, ticker, denomination, session.balance(pid, who)))
    return out


def _positive(quantity: int) -> None:
    if quantity <= 0:
        raise ConfigError("The amount must be more than 0.")


def _explain(session: Session, mid: str, *errors: str) -> str:
    """The first error reply in the flow of `mid`, in its own words, or ''."""
    try:
        tree = flow(session, mid)
    except Exception:  # noqa: BLE001 - an explanation is a bonus; the movement stands
        return ""
    for node in tree.walk():
        if node.action in errors:
            return node.tag("Error") or node.tag("X-Refund-Reason") or node.action or ""
    return ""


def _exchange(session: Session, kind: str, quantity: int, *, pay: str, receive: str,
              request: dict[str, str], expect: str | None, error: str, refused: str,
              refusal: str, done: str, pending: str) -> Movement:
    """Send `request` to the `pay` role and wait until `quantity` of `receive` arrives."""
    env = session.env
    target, incoming = env.process(pay), env.process(receive)
    denomination, ticker = token_denomination(session, pay)
    me = session.wallet.address
    before = session.balance(incoming, me)
    mid, _ = session.send(target, request, expect=expect, error=error)
    arrived = session.wait_until(f"the {receive.upper()} to arrive",
                                 lambda: session.balance(incoming, me) >= before + quantity)
    if arrived:
        return Movement(kind, mid, quantity, denomination, ticker, True,
                        done.format(amount=format_amount(quantity, denomination), me=me))
    why = _explain(session, mid, refused)
    if why:
        raise OperationError(f"{refusal}: {why} (message {mid}).")
    return Movement(kind, mid, quantity, denomination, ticker, False,
                    f"{pending} Follow it with 'tim3 flow {mid} --env {env.name}'.")


def swap(session: Session, quantity: int) -> Movement:
    """Send `quantity` USDA base units to TIM3 and wait for as many TIM3 base units."""
    _positive(quantity)
    return _exchange(
        session, "swap", quantity, pay="usda", receive="tim3",
        request={"Action": "Transfer", "Recipient": session.env.process("tim3"),
                 "Quantity": str(quantity), "X-Swap-Id": uuid.uuid4().hex},
        expect="Debit-Notice", error="Transfer-Error", refused="Deposit-Error",
        refusal="TIM3 refused the deposit and sent the USDA back",
        done="Minted {amount} TIM3 to {me}.",
        pending="The USDA left your wallet but no TIM3 arrived yet.")


def redeem(session: Session, quantity: int) -> Movement:
    """Redeem `quantity` TIM3 base units and wait for as many USDA base units."""
    _positive(quantity)
    return _exchange(
        session, "redeem", quantity, pay="tim3", receive="usda",
        request={"Action": "Redeem", "Quantity": str(quantity)},
        expect=None, error="Redeem-Error", refused="Redeem-Error",
        refusal="The payout failed and your TIM3 was restored",
        done="Paid {amount} USDA to {me}.",
        pending="Your TIM3 is burned and the payout is pending.")


def transfer(session: Session, token: str, recipient: str, quantity: int) -> Movement:
    """Transfer `quantity` base units of `token` (a role: tim3, usda) to `recipient`."""
    _positive(quantity)
    if token not in ROLES or not ROLES[token].is_token:
        raise ConfigError(f"'{token}' is not a token of this environment; use tim3 or usda.")
    if not _ADDRESS.match(recipient):
        raise ConfigError(f"'{recipient}' is not an address: use a 43-character id.")
    pid = session.env.process(token)
    denomination, ticker = token_denomination(session, token)
    mid, _ = session.send(pid, {"Action": "Transfer", "Recipient": recipient,
                                "Quantity": str(quantity)},
                          expect="Debit-Notice", error="Transfer-Error")
    return Movement("transfer", mid, quantity, denomination, ticker, True,
                    f"Sent to {recipient}.")
