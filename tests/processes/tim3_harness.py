"""Helpers for the TIM3 tests: read a process's state, drive deposits and redeems, and a devnet
that can lose, hold back and later deliver messages (delivery faults)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from tim3.arweave import Wallet
from tim3.devnet import Devnet, Kind, Receipt, once, to_process  # noqa: F401 - re-exported

Sender = Wallet | str

# Quantities no user operation may accept (security.md, "Bad quantities").
BAD_QUANTITIES = [
    pytest.param("", id="empty"),
    pytest.param("0", id="zero"),
    pytest.param("00", id="double-zero"),
    pytest.param("-0", id="minus-zero"),
    pytest.param("-5", id="negative"),
    pytest.param("+5", id="plus"),
    pytest.param("05", id="leading-zero"),
    pytest.param("0x10", id="hex"),
    pytest.param("0b101", id="binary"),
    pytest.param("1e3", id="exponent"),
    pytest.param("5.0", id="decimal"),
    pytest.param(".5", id="fraction"),
    pytest.param(" 5", id="space-before"),
    pytest.param("5 ", id="space-after"),
    pytest.param("\t5", id="tab"),
    pytest.param("1_000", id="underscore"),
    pytest.param("1,000", id="comma"),
    pytest.param("\uff15", id="fullwidth-digit"),
    pytest.param("\u0665", id="arabic-indic-digit"),
    pytest.param("inf", id="inf"),
    pytest.param("nan", id="nan"),
    pytest.param(str(2**255), id="2^255"),
    pytest.param(str(2**256 - 1), id="2^256-1"),
    pytest.param("9" * 10_000, id="10000-digits"),
]


# The globals tim3.lua documents in its state block, in its order.
TIM3_STATE_GLOBALS = [
    "Balances",
    "TotalSupply",
    "Reserve",
    "PendingPayouts",
    "Quarantined",
    "Surplus",
    "Shortfall",
    "Payouts",
    "Quarantine",
    "Processed",
    "Config",
    "PendingOwner",
    "LastTimestamp",
]

_READ_TIM3 = """
local json = require("json")
local function obj(t) if next(t) == nil then return {} end return t end
local payouts = {}
for id, p in pairs(Payouts) do
  payouts[id] = { Holder = p.Holder, Recipient = p.Recipient, Quantity = p.Quantity,
    Created = tostring(p.Created), Status = p.Status, Root = p.Root }
end
local quarantine = {}
for id, e in pairs(Quarantine) do quarantine[id] = { Sender = e.Sender, Quantity = e.Quantity } end
local processed = 0
for _ in pairs(Processed) do processed = processed + 1 end
local types = {}
for k, v in pairs(Balances) do
  if type(v) ~= "string" or math.type(v) == "float" then types[#types + 1] = k end
end
return json.encode({
  Balances = obj(Balances), TotalSupply = TotalSupply, Reserve = Reserve,
  PendingPayouts = PendingPayouts, Quarantined = Quarantined, Surplus = Surplus,
  Shortfall = Shortfall, Payouts = obj(payouts), Quarantine = obj(quarantine),
  Config = obj(Config), Owner = Owner, PendingOwner = PendingOwner, Processed = processed,
  BadTypes = types, Inbox = #Inbox,
})
"""

_READ_TOKEN = """
local json = require("json")
if next(Balances) == nil then return "{}" end
return json.encode(Balances)
"""


@dataclass
class Tim3State:
    """A snapshot of TIM3's globals, with amounts as exact ints."""

    balances: dict[str, int]
    supply: int
    reserve: int
    pending: int
    quarantined: int
    surplus: int
    shortfall: int
    payouts: dict[str, dict[str, str]]
    quarantine: dict[str, dict[str, str]]
    config: dict[str, str]
    owner: str
    pending_owner: str
    processed: int
    inbox: int
    raw: dict[str, Any]

    def pending_payouts(self) -> dict[str, dict[str, str]]:
        return {k: p for k, p in self.payouts.items() if p["Status"] == "Pending"}

    def comparable(self) -> dict[str, Any]:
        """Everything that a rejected or read-only message must leave unchanged."""
        raw = dict(self.raw)
        raw.pop("Processed", None)
        return raw


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def canonical(text: str) -> int:
    """An amount stored by a process: must be a canonical decimal string."""
    assert isinstance(text, str), f"stored amount {text!r} is not a string"
    assert text == "0" or (text.isdigit() and text.isascii() and text[0] != "0"), (
        f"stored amount {text!r} is not canonical"
    )
    return int(text)


def tim3_state(net: Devnet, pid: str) -> Tim3State:
    """Read TIM3's state directly from its VM (no message, nothing rolled back)."""
    raw = json.loads(net.process(pid).vm.eval_host(_READ_TIM3))
    assert raw["BadTypes"] == [], f"non-string balances: {raw['BadTypes']}"
    return Tim3State(
        balances={k: canonical(v) for k, v in _obj(raw["Balances"]).items()},
        supply=canonical(raw["TotalSupply"]),
        reserve=canonical(raw["Reserve"]),
        pending=canonical(raw["PendingPayouts"]),
        quarantined=canonical(raw["Quarantined"]),
        surplus=canonical(raw["Surplus"]),
        shortfall=canonical(raw["Shortfall"]),
        payouts=_obj(raw["Payouts"]),
        quarantine=_obj(raw["Quarantine"]),
        config=_obj(raw["Config"]),
        owner=raw.get("Owner") or "",
        pending_owner=raw["PendingOwner"],
        processed=raw["Processed"],
        inbox=raw["Inbox"],
        raw=raw,
    )


def token_balances(net: Devnet, token: str) -> dict[str, int]:
    """A standard token's ledger, read directly from its VM."""
    data = json.loads(net.process(token).vm.eval_host(_READ_TOKEN))
    return {k: canonical(v) for k, v in data.items()}


def check_invariants(net: Devnet, tim3: str, usda: str, unexecuted: int = 0) -> Tim3State:
    """Assert every ledger invariant of security.md; return the state read."""
    s = tim3_state(net, tim3)
    assert all(v > 0 for v in s.balances.values()), "zero or negative balances are kept"
    assert s.supply == sum(s.balances.values()), "TotalSupply != sum of Balances"
    assert all(v <= s.supply for v in s.balances.values())
    pending = sum(canonical(p["Quantity"]) for p in s.pending_payouts().values())
    assert s.pending == pending, "PendingPayouts != sum of pending payouts"
    assert s.quarantined == sum(canonical(e["Quantity"]) for e in s.quarantine.values())
    assert s.shortfall == 0
    assert s.reserve == s.supply + s.pending + s.quarantined, "ledger backing broken"
    held = token_balances(net, usda).get(tim3, 0)
    assert held >= s.supply + s.quarantined + unexecuted, (
        f"insolvent: USDA holds {held} for TIM3, owes {s.supply + s.quarantined + unexecuted}"
    )
    return s


# -- driving the processes ---------------------------------------------------------------------


def address(who: Sender) -> str:
    return who if isinstance(who, str) else who.address


def usda_mint(net: Devnet, owner: Wallet, usda: str, to: Sender, quantity: int) -> None:
    r = net.send(
        owner,
        usda,
        tags={
            "Action": "Mint",
            "Recipient": address(to),
            "Quantity": str(quantity),
            "Cast": "true",
        },
    )
    assert r.ok and r.first("Mint-Notice"), r.tree.render()


def deposit(
    net: Devnet, who: Sender, usda: str, tim3: str, quantity: int | str, **extra: str
) -> Receipt:
    """Transfer USDA to TIM3 (a swap)."""
    return net.send(
        who,
        usda,
        tags={"Action": "Transfer", "Recipient": tim3, "Quantity": str(quantity), **extra},
    )


def redeem(net: Devnet, who: Sender, tim3: str, quantity: int | str, **extra: str) -> Receipt:
    return net.send(who, tim3, tags={"Action": "Redeem", "Quantity": str(quantity), **extra})


def transfer(
    net: Devnet, who: Sender, tim3: str, to: str, quantity: int | str, **extra: str
) -> Receipt:
    return net.send(
        who, tim3, tags={"Action": "Transfer", "Recipient": to, "Quantity": str(quantity), **extra}
    )


def emit(
    net: Devnet,
    owner: Wallet,
    hostile: str,
    target: str,
    tags: dict[str, str] | list,
    data: str = "",
) -> Receipt:
    """Make usda_hostile send one message verbatim (From = the hostile token)."""
    body = {"Target": target, "Tags": tags, "Data": data}
    r = net.send(owner, hostile, tags={"Action": "Emit"}, data=json.dumps(body))
    assert r.ok and not r.find("Emit-Error"), r.tree.render()
    return r


def sent_by(r: Receipt, process: str) -> list[tuple[str | None, str]]:
    """(Action, delivered-to) of every message `process` sent in the chain, in order."""
    return [(m.action, m.process) for m in r.messages if m.from_ == process]


def error_of(r: Receipt, action: str) -> str:
    """The Error tag of the single <action> message of the chain."""
    found = r.find(action)
    assert len(found) == 1, r.tree.render()
    return found[0].tag("Error") or ""


# -- delivery faults ---------------------------------------------------------------------------



# Fault injection lives in the devnet itself (Devnet.faults / .held / .release).
FaultyDevnet = Devnet


def dropped(r: Receipt) -> list[str]:
    return [m.reason for m in r.messages if m.kind == Kind.DROPPED]


@dataclass
class Swap:
    """A TIM3 process and its USDA on one devnet, with the wallets that use them."""

    net: FaultyDevnet
    usda: str
    tim3: str
    deployer: Wallet
    alice: Wallet
    bob: Wallet

    def deposit(self, who: Sender, quantity: int | str, **extra: str) -> Receipt:
        return deposit(self.net, who, self.usda, self.tim3, quantity, **extra)

    def redeem(self, who: Sender, quantity: int | str, **extra: str) -> Receipt:
        return redeem(self.net, who, self.tim3, quantity, **extra)

    def transfer(self, who: Sender, to: str, quantity: int | str, **extra: str) -> Receipt:
        return transfer(self.net, who, self.tim3, to, quantity, **extra)

    def send(self, who: Sender, action: str, data: str = "", **tags: str) -> Receipt:
        return self.net.send(who, self.tim3, tags={"Action": action, **tags}, data=data)

    def owner(self, action: str, data: str = "", **tags: str) -> Receipt:
        return self.send(self.deployer, action, data, **tags)

    def state(self) -> Tim3State:
        return tim3_state(self.net, self.tim3)

    def usda_of(self, who: Sender) -> int:
        return token_balances(self.net, self.usda).get(address(who), 0)

    def check(self, unexecuted: int = 0) -> Tim3State:
        return check_invariants(self.net, self.tim3, self.usda, unexecuted)
