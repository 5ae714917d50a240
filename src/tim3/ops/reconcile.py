"""Reconcile: TIM3's liabilities against the USDA the USDA ledger says TIM3 holds.

    r = reconcile(session)
    r.deficit, r.surplus, r.ok

TIM3 owes `Total-Supply + Pending-Payouts + Quarantined` (its `Reserves`). The truth about the
backing is USDA's `Balance` of the TIM3 process, asked of USDA, not of TIM3 (security.md rule 6
and invariant 3). Above the liabilities is surplus (reported, never minted). Below
`Total-Supply + Quarantined` is a deficit: TIM3 is under-backed (an owner `Eval` that minted
without USDA, rule 7, looks exactly like this). In between, the difference is payouts USDA has
already made whose `Debit-Notice` TIM3 has not processed yet: a deficit only with `strict`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tim3.errors import OperationError
from tim3.ops.session import Session
from tim3.units import format_amount

__all__ = ["Reconciliation", "reconcile"]


@dataclass(frozen=True)
class Reconciliation:
    """The figures, in base units, and the verdict."""

    environment: str
    tim3: str
    usda: str
    denomination: int
    usda_balance: int
    total_supply: int
    pending_payouts: int
    quarantined: int
    invariant: str
    strict: bool = False

    @property
    def liabilities(self) -> int:
        return self.total_supply + self.pending_payouts + self.quarantined

    @property
    def floor(self) -> int:
        """The least USDA TIM3 must hold: everything but payouts possibly in flight."""
        return self.liabilities if self.strict else self.total_supply + self.quarantined

    @property
    def surplus(self) -> int:
        return max(0, self.usda_balance - self.liabilities)

    @property
    def deficit(self) -> int:
        return max(0, self.floor - self.usda_balance)

    @property
    def in_flight(self) -> int:
        """Pending payouts that USDA seems to have paid already (not a deficit)."""
        if self.strict:
            return 0
        return max(0, self.liabilities - max(self.usda_balance, self.floor))

    @property
    def ok(self) -> bool:
        return self.deficit == 0 and self.invariant == "ok"

    def to_json(self) -> dict[str, object]:
        return {"environment": self.environment, "tim3": self.tim3, "usda": self.usda,
                "usda_balance": str(self.usda_balance), "total_supply": str(self.total_supply),
                "pending_payouts": str(self.pending_payouts),
                "quarantined": str(self.quarantined), "liabilities": str(self.liabilities),
                "surplus": str(self.surplus), "deficit": str(self.deficit),
                "in_flight": str(self.in_flight), "invariant": self.invariant, "ok": self.ok}

    def to_text(self) -> str:
        d = self.denomination

        def amount(v: int, unit: str = "USDA") -> str:
            return f"{format_amount(v, d):>24} {unit:<4}  ({v})"

        lines = [
            f"Reconciliation on '{self.environment}'",
            f"  USDA held by TIM3 (USDA ledger)  {amount(self.usda_balance)}",
            f"  TIM3 total supply                {amount(self.total_supply, 'TIM3')}",
            f"  Pending payouts                  {amount(self.pending_payouts)}",
            f"  Quarantined deposits             {amount(self.quarantined)}",
            f"  Liabilities                      {amount(self.liabilities)}",
            f"  Surplus                          {amount(self.surplus)}",
            f"  Deficit                          {amount(self.deficit)}",
            f"  TIM3's own ledger invariant      {self.invariant:>24}",
            "",
        ]
        if self.deficit:
            lines.append(f"DEFICIT: TIM3 owes {format_amount(self.floor, d)} USDA but holds "
                         f"{format_amount(self.usda_balance, d)}. Pause minting "
                         "('tim3 rollback') and find where the unbacked TIM3 came from "
                         "('tim3 flow').")
        elif self.invariant != "ok":
            lines.append("TIM3 reports its own ledger as broken (Invariant = "
                         f"{self.invariant}); ask it for 'Reserves' and investigate.")
        elif self.in_flight:
            lines.append(f"Backed; {format_amount(self.in_flight, d)} USDA of pending payouts "
                         "look paid already (their Debit-Notice is on its way).")
        else:
            lines.append("Backed: USDA held ≥ TIM3 liabilities.")
        return "\n".join(lines)


def _whole(tags: dict[str, str], name: str, who: str) -> int:
    value = tags.get(name, "0") or "0"
    if not value.isdigit():
        raise OperationError(f"{who} answered {name} = {value!r}, not a whole number of base "
                             "units. Is the environment's process id right?")
    return int(value)


def reconcile(session: Session, *, strict: bool = False) -> Reconciliation:
    """Read TIM3's `Reserves` and USDA's balance of TIM3, and compare them."""
    env = session.env
    tim3, usda = env.process("tim3"), env.process("usda")
    session.progress(f"Reading TIM3's Reserves ({tim3})")
    reserves = session.query(tim3, "Reserves")
    if "Total-Supply" not in reserves:
        raise OperationError(f"Process '{tim3}' did not answer Reserves with a Total-Supply; "
                             "is environment's 'tim3' id a TIM3 process?")
    session.progress(f"Asking USDA ({usda}) for TIM3's balance")
    held = session.balance(usda, tim3)
    return Reconciliation(
        env.name, tim3, usda, env.denomination, held,
        _whole(reserves, "Total-Supply", "TIM3"), _whole(reserves, "Pending-Payouts", "TIM3"),
        _whole(reserves, "Quarantined", "TIM3"), reserves.get("Invariant", "(not reported)"),
        strict)
