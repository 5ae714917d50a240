"""A small reference model of TIM3 and its USDA with exact integers, for the stateful test.

It models outcomes per operation (not per message): what the USDA ledger and TIM3's ledger
must be once the devnet is quiet, given which deliveries were lost or held back.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Payout:
    """A redeem TIM3 has burned and not yet settled."""

    holder: str
    recipient: str
    quantity: int
    executed: bool  # USDA has moved the money (its Transfer was delivered)


@dataclass
class Model:
    """What TIM3 and the USDA ledger must hold."""

    tim3: str
    usda_ledger: dict[str, int]
    balances: dict[str, int] = field(default_factory=dict)
    reserve: int = 0
    payouts: dict[str, Payout] = field(default_factory=dict)
    mint_paused: bool = False
    redeem_paused: bool = False
    # one entry per message the devnet holds back, in the devnet's order:
    # ("notice", sender, quantity) | ("transfer", payout id) | ("debit", payout id)
    held: list[tuple[str, str, int] | tuple[str, str]] = field(default_factory=list)

    # -- queries ---------------------------------------------------------------------------

    @property
    def supply(self) -> int:
        return sum(self.balances.values())

    @property
    def pending(self) -> int:
        return sum(p.quantity for p in self.payouts.values())

    @property
    def unexecuted(self) -> int:
        return sum(p.quantity for p in self.payouts.values() if not p.executed)

    def usda(self, who: str) -> int:
        return self.usda_ledger.get(who, 0)

    def tim3_of(self, who: str) -> int:
        return self.balances.get(who, 0)

    # -- USDA ------------------------------------------------------------------------------

    def usda_move(self, sender: str, recipient: str, quantity: int) -> bool:
        if quantity <= 0 or self.usda(sender) < quantity:
            return False
        self.usda_ledger[sender] -= quantity
        self.usda_ledger[recipient] = self.usda(recipient) + quantity
        self.usda_ledger = {k: v for k, v in self.usda_ledger.items() if v}
        return True

    # -- TIM3 ------------------------------------------------------------------------------

    def _credit(self, who: str, quantity: int) -> None:
        self.balances[who] = self.tim3_of(who) + quantity

    def _debit(self, who: str, quantity: int) -> None:
        left = self.tim3_of(who) - quantity
        assert left >= 0
        if left:
            self.balances[who] = left
        else:
            self.balances.pop(who, None)

    def credit_notice(self, sender: str, quantity: int) -> None:
        """TIM3 receives USDA's Credit-Notice for a deposit that has already moved."""
        if self.mint_paused:
            assert self.usda_move(self.tim3, sender, quantity), "a refund must always succeed"
            return
        self._credit(sender, quantity)
        self.reserve += quantity

    def can_redeem(self, who: str, quantity: int) -> bool:
        return not self.redeem_paused and 0 < quantity <= self.tim3_of(who)

    def start_payout(self, pid: str, holder: str, recipient: str, quantity: int) -> None:
        self._debit(holder, quantity)
        self.payouts[pid] = Payout(holder, recipient, quantity, executed=False)

    def execute(self, pid: str) -> bool:
        """USDA receives the payout Transfer; True if it paid (else it answers Transfer-Error)."""
        p = self.payouts[pid]
        if len(p.recipient) != 43 or not self.usda_move(self.tim3, p.recipient, p.quantity):
            return False
        p.executed = True
        return True

    def settle(self, pid: str) -> None:
        p = self.payouts.pop(pid)
        assert p.executed
        self.reserve -= p.quantity

    def fail(self, pid: str) -> None:
        p = self.payouts.pop(pid)
        self._credit(p.holder, p.quantity)

    def transfer(self, sender: str, recipient: str, quantity: int) -> bool:
        if not 0 < quantity <= self.tim3_of(sender):
            return False
        self._debit(sender, quantity)
        self._credit(recipient, quantity)
        return True

    def resolve_paid(self, pid: str) -> None:
        """The owner declares a payout paid: TIM3 stops counting it (USDA may still hold it)."""
        p = self.payouts.pop(pid)
        self.reserve -= p.quantity
