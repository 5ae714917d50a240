"""Reads by dry-run: a wallet's balances, TIM3's reserves and settings, checked against USDA."""

from __future__ import annotations

import re
from typing import Any

from tim3.app.chain import Chain
from tim3.app.errors import BadInput
from tim3.client import Result
from tim3.units import format_amount

__all__ = ["RESERVE_FIGURES", "balances", "check_address", "reserves"]

ADDRESS = re.compile(r"^(?:[A-Za-z0-9_-]{43}|0x[0-9a-fA-F]{40})$")
RESERVE_FIGURES = ("Total-Supply", "Reserve", "Pending-Payouts", "Quarantined", "Surplus",
                   "Shortfall", "Liabilities")
_COUNTS = ("Payouts-Pending", "Payouts-Stale")


def check_address(address: str | None) -> str:
    """An AO address (43 base64url characters, or 0x and 40 hex digits); BadInput otherwise."""
    if not address:
        raise BadInput("The 'address' parameter is required: a wallet address.")
    if not ADDRESS.match(address):
        raise BadInput(f"'{address[:60]}' is not an address: expected 43 base64url characters "
                       "or 0x and 40 hex digits.")
    return address


def _reply_tag(result: Result, name: str) -> str | None:
    if result.error:
        return None
    return next((m.tag(name) for m in result.messages if m.tag(name) is not None), None)


def _base_units(value: str | None) -> int:
    return int(value) if value is not None and value.isdigit() else 0


def balances(chain: Chain, address: str) -> dict[str, Any]:
    """The USDA and TIM3 balances of an address, in base units and formatted."""
    check_address(address)
    out: dict[str, Any] = {"address": address, "name": chain.name_of(address) or "",
                           "balances": {}, "formatted": {}}
    for ticker, token in chain.tokens.items():
        result = chain.dry_run(token.process, {"Action": "Balance", "Recipient": address})
        value = _base_units(_reply_tag(result, "Balance"))
        out["balances"][ticker] = str(value)
        out["formatted"][ticker] = format_amount(value, token.denomination)
    return out


def reserves(chain: Chain) -> dict[str, Any]:
    """TIM3's `Reserves` and pause settings, and the USDA that USDA says TIM3 holds."""
    tim3, usda = chain.tokens["TIM3"], chain.tokens["USDA"]
    report = chain.dry_run(tim3.process, {"Action": "Reserves"})
    if report.error or not report.messages:
        raise BadInput(f"TIM3 ({tim3.process}) did not answer Reserves: "
                       f"{report.error or 'no reply'}.")
    figures = {k: str(_base_units(_reply_tag(report, k))) for k in RESERVE_FIGURES}
    info = chain.dry_run(tim3.process, {"Action": "Info"})
    held = _base_units(_reply_tag(chain.dry_run(usda.process, {"Action": "Balance",
                                                               "Recipient": tim3.process}),
                                  "Balance"))
    backing = int(figures["Total-Supply"]) + int(figures["Quarantined"])
    return {
        "figures": figures,
        "formatted": {k: format_amount(int(v), tim3.denomination) for k, v in figures.items()},
        "counts": {k: _reply_tag(report, k) or "0" for k in _COUNTS},
        "invariant": _reply_tag(report, "Invariant") or "unknown",
        "usda_held": str(held),
        "usda_held_formatted": format_amount(held, usda.denomination),
        "backed": held >= backing,
        "mint_paused": _reply_tag(info, "Mint-Paused") == "true",
        "redeem_paused": _reply_tag(info, "Redeem-Paused") == "true",
    }
