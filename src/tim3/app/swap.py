"""What a swap or a redeem signs: the exact message, planned from an amount the user typed.

`plan("swap", "5", tokens)` is `Transfer(Recipient=TIM3, Quantity=5000000000000)` to USDA;
`plan("redeem", "5", tokens)` is `Redeem(Quantity=5000000000000)` to TIM3. The page shows the
plan's summary in the confirmation and signs (or has the server sign) exactly its message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tim3.app.chain import Token
from tim3.app.errors import BadInput
from tim3.errors import ConfigError
from tim3.types import Tag
from tim3.units import format_amount, parse_amount

__all__ = ["ACTIONS", "PROTOCOL_TAGS", "Plan", "plan"]

ACTIONS = ("swap", "redeem")
PROTOCOL_TAGS: list[Tag] = [("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Message")]
MAX_DIGITS = 60          # TIM3 and USDA refuse longer quantities
_DECIMAL = re.compile(r"^[0-9]+\.[0-9]+$")
_PLAIN = re.compile(r"^[0-9]+(\.[0-9]+)?$")


@dataclass(frozen=True)
class Plan:
    """A swap (USDA → TIM3) or a redeem (TIM3 → USDA) of `quantity` base units."""

    action: str
    quantity: int
    pay: Token
    receive: Token
    target: str
    tags: list[Tag]

    def amount(self, token: Token) -> str:
        return f"{format_amount(self.quantity, token.denomination)} {token.ticker}"

    @property
    def message_tags(self) -> list[Tag]:
        """Every tag the wallet signs: the plan's, then the AO protocol tags."""
        return [*self.tags, *PROTOCOL_TAGS]

    @property
    def summary(self) -> str:
        """What the wallet signs, in one sentence."""
        if self.action == "swap":
            return (f"Transfer {self.amount(self.pay)} to the {self.receive.ticker} process "
                    f"{self.receive.process}")
        return f"Redeem {self.amount(self.pay)} at the {self.pay.ticker} process {self.target}"

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "quantity": str(self.quantity),
            "pay": {"ticker": self.pay.ticker, "amount": self.amount(self.pay)},
            "receive": {"ticker": self.receive.ticker, "amount": self.amount(self.receive)},
            "text": f"You will receive {self.amount(self.receive)}",
            "summary": self.summary,
            "message": {"target": self.target,
                        "tags": [[n, v] for n, v in self.message_tags], "data": ""},
        }


def plan(action: str, amount: str, tokens: dict[str, Token]) -> Plan:
    """The message that swaps or redeems `amount` (human units, e.g. "5.25")."""
    if action not in ACTIONS:
        raise BadInput(f"'action' must be 'swap' or 'redeem', got '{action[:40]}'.")
    usda, tim3 = tokens["USDA"], tokens["TIM3"]
    pay, receive = (usda, tim3) if action == "swap" else (tim3, usda)
    text = (amount or "").strip()
    if not text:
        raise BadInput(f"Enter an amount of {pay.ticker} to {action}.")
    if not _PLAIN.match(text):
        # parse_amount drops commas as thousands separators; here "1,5" would be 15, not 1.5.
        raise BadInput(f"'{text[:40]}' is not an amount: write digits with an optional '.', "
                       "like 5.25.")
    try:
        quantity = parse_amount(text, pay.denomination)
    except ConfigError as exc:
        decimals = len(text.partition(".")[2])
        if _DECIMAL.match(text) and decimals > pay.denomination:
            raise BadInput(f"'{text[:80]}' has {decimals} decimals; {pay.ticker} has at most "
                           f"{pay.denomination}.") from exc
        raise BadInput(f"'{text[:40]}' is not an amount: write digits with an optional '.', "
                       "like 5.25.") from exc
    if quantity <= 0:
        raise BadInput(f"Enter an amount of {pay.ticker} above 0.")
    if len(str(quantity)) > MAX_DIGITS:
        raise BadInput(f"'{text[:40]}' is too large: {pay.ticker} amounts have at most "
                       f"{MAX_DIGITS} digits in base units.")
    if action == "swap":
        tags = [("Action", "Transfer"), ("Recipient", tim3.process), ("Quantity", str(quantity))]
        return Plan(action, quantity, pay, receive, usda.process, tags)
    tags = [("Action", "Redeem"), ("Quantity", str(quantity))]
    return Plan(action, quantity, pay, receive, tim3.process, tags)
