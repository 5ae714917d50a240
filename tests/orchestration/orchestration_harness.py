"""Helpers for the orchestration tests: build the Coordinator v2 and V1 systems on a devnet, read
their state through their public read actions, render causal traces as text and check the
solvency invariants (security.md) of both designs."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from tim3.arweave import Wallet
from tim3.devnet import Devnet, Kind, Message, Receipt, once, to_process
from tim3.processes import source
from tim3.runtime.vm import OutMessage

Sender = Wallet | str
FUNDS = 1_000_000  # USDA base units minted to alice and bob

# Tags shown in a rendered hop, in this order: who sent what to whom, with which tags.
SHOWN_TAGS = [
    "Recipient", "Sender", "Account", "User", "Quantity", "Amount", "Purpose", "Lock-Id",
    "Unlock-Id", "Update-Id", "Deposited", "Minted", "Redeemed", "Process-Id", "Role",
    "Authorized", "Stage", "Position", "Duplicate", "Deposit-Id", "Redeem-Id", "Flow-Id",
    "X-Payout-Id", "X-Refund-Of",
]
_ID = re.compile(r"[A-Za-z0-9_-]{43}")


def address(who: Sender) -> str:
    return who if isinstance(who, str) else who.address


def canonical(text: str | None) -> int:
    """An amount a process reported: must be a canonical decimal string."""
    assert isinstance(text, str), f"amount {text!r} is not a string"
    assert text == "0" or (text.isascii() and text.isdigit() and text[0] != "0"), (
        f"amount {text!r} is not canonical")
    return int(text)


# -- rendering traces ----------------------------------------------------------------------------


def symbolic(value: str, names: dict[str, str], ids: dict[str, str]) -> str:
    """A tag value with known addresses replaced by names and known message ids by labels; any
    other id that is the whole value becomes <id>."""
    for key, label in {**names, **ids}.items():
        value = value.replace(key, label)
    return "<id>" if _ID.fullmatch(value) else value


def hop(m: Message, names: dict[str, str], ids: dict[str, str] | None = None) -> str:
    """One message as `From → To: Action Tag=value ...` (names instead of addresses)."""
    ids = ids or {}
    who = f"{names.get(m.from_, m.from_[:6])} → {names.get(m.process, m.process[:6])}"
    if m.kind == Kind.DROPPED:
        return f"{who}: {m.action} LOST"
    parts = [f"{who}: {m.action or '(no Action)'}"]
    for name in SHOWN_TAGS:
        value = m.tag(name)
        if value is not None:
            parts.append(f"{name}={symbolic(value, names, ids)}")
    if m.error:
        parts.append("ERROR")
    return " ".join(parts)


def hops(r: Receipt, names: dict[str, str], ids: dict[str, str] | None = None,
         indent: bool = False) -> list[str]:
    """Every message of the chain, first one included, in causal (depth-first) order."""
    ids = {r.id: "<request>", **(ids or {})}
    out: list[str] = []
    depth = {r.message.seq: 0}
    for m in r.tree.walk():
        level = depth[m.parent] + 1 if m.parent in depth and m is not r.message else 0
        depth[m.seq] = level
        line = hop(m, names, ids)
        out.append(("  " * level + line) if indent else line)
    return out


def actions(r: Receipt, names: dict[str, str]) -> list[str]:
    """`From → To: Action` of every message of the chain, in causal order."""
    return [f"{names.get(m.from_, '?')} → {names.get(m.process, '?')}: {m.action}"
            + (" LOST" if m.kind == Kind.DROPPED else "") for m in r.tree.walk()]


def lose(net: Devnet, target: str, action: str) -> None:
    """The next message with this Action to target is lost by the messenger."""
    net.faults.append(once(to_process(target, action), "drop"))


def duplicate(net: Devnet, target: str, action: str) -> None:
    """The next message with this Action to target is delivered twice."""
    net.faults.append(once(to_process(target, action), "duplicate"))


# -- reading processes -----------------------------------------------------------------------------


def read(net: Devnet, pid: str, action: str, **tags: str) -> OutMessage:
    """The reply of a read-only action (a dry run: nothing changes)."""
    ev = net.dryrun(pid, tags={"Action": action, **tags})
    assert ev.ok and len(ev.messages) == 1, (action, ev.error, ev.messages)
    return ev.messages[0]


def read_json(net: Devnet, pid: str, action: str, **tags: str) -> Any:
    return json.loads(read(net, pid, action, **tags).data)


def balances(net: Devnet, token: str) -> dict[str, int]:
    return {k: canonical(v) for k, v in read_json(net, token, "Balances").items()}


def supply(net: Devnet, token: str) -> int:
    return canonical(read(net, token, "Total-Supply").tag("Total-Supply"))


def locks(net: Devnet, usda: str) -> dict[str, int]:
    return {k: canonical(v) for k, v in read_json(net, usda, "Locks").items()}


def position(net: Devnet, sm: str, user: Sender) -> dict[str, int]:
    data = read_json(net, sm, "GetPosition", User=address(user))
    return {k: canonical(data[k]) for k in ("deposited", "minted", "redeemed")}


def authorize(net: Devnet, owner: Wallet, pid: str, who: str) -> None:
    r = net.send(owner, pid, tags={"Action": "Authorize", "Process-Id": who})
    assert r.first("Authorize-Notice").tag("Authorized") == "true", r.tree.render()


def revoke(net: Devnet, owner: Wallet, pid: str, who: str) -> None:
    r = net.send(owner, pid, tags={"Action": "Revoke", "Process-Id": who})
    assert r.first("Revoke-Notice").tag("Authorized") == "false", r.tree.render()


def fund(net: Devnet, owner: Wallet, usda: str, who: Sender, quantity: int = FUNDS) -> None:
    r = net.send(owner, usda, tags={"Action": "Mint", "Recipient": address(who),
                                    "Quantity": str(quantity), "Cast": "true"})
    assert r.first("Mint-Notice"), r.tree.render()


# -- Coordinator v2 ------------------------------------------------------------------------------


@dataclass
class V2:
    """Coordinator v2 with its Token Manager, State Manager and the mock USDA."""

    net: Devnet
    deployer: Wallet
    alice: Wallet
    bob: Wallet
    usda: str
    tm: str
    sm: str
    coord: str
    names: dict[str, str] = field(default_factory=dict)

    def configure(self, **tags: str) -> Receipt:
        return self.net.send(self.deployer, self.coord, tags={"Action": "SetProcessConfig", **tags})

    def deposit(self, who: Sender, quantity: int | str, **extra: str) -> Receipt:
        return self.net.send(who, self.usda, tags={"Action": "Transfer", "Recipient": self.coord,
                                                   "Quantity": str(quantity), **extra})

    def redeem(self, who: Sender, quantity: int | str) -> Receipt:
        return self.net.send(who, self.coord, tags={"Action": "RedeemTIM3", "Quantity": str(quantity)})

    def retry(self, who: Sender, flow_id: str) -> Receipt:
        return self.net.send(who, self.coord, tags={"Action": "RetryFlow", "Flow-Id": flow_id})

    def config(self) -> dict[str, Any]:
        data: dict[str, Any] = read_json(self.net, self.coord, "GetConfig")
        return data

    def ledger(self) -> dict[str, int]:
        return {k: canonical(v) for k, v in self.config()["ledger"].items()}

    def flow(self, flow_id: str) -> dict[str, str]:
        data: dict[str, str] = read_json(self.net, self.coord, "GetFlow", **{"Flow-Id": flow_id})
        return data

    def usda_of(self, who: Sender) -> int:
        return balances(self.net, self.usda).get(address(who), 0)

    def tim3_of(self, who: Sender) -> int:
        return balances(self.net, self.tm).get(address(who), 0)

    def position(self, who: Sender) -> dict[str, int]:
        return position(self.net, self.sm, who)

    def check(self) -> dict[str, int]:
        """The solvency invariants of Coordinator v2, once the network is quiet."""
        led = self.ledger()
        usda = balances(self.net, self.usda)
        tim3 = balances(self.net, self.tm)
        assert sum(usda.values()) == supply(self.net, self.usda), "USDA ledger broken"
        assert sum(tim3.values()) == supply(self.net, self.tm), "Token Manager: supply != Σ balances"
        assert all(v > 0 for v in tim3.values())
        assert usda.get(self.coord, 0) == led["Reserve"] + led["Pending-Mints"] + led["Surplus"], (
            f"custody: coordinator holds {usda.get(self.coord, 0)} USDA, ledger says {led}")
        assert supply(self.net, self.tm) == (
            led["Reserve"] - led["Pending-Payouts"] - led["Pending-Restores"]), (
            f"backing: TIM3 supply {supply(self.net, self.tm)} vs ledger {led}")
        assert usda.get(self.coord, 0) >= supply(self.net, self.tm), "insolvent"
        return led


def build_v2(net: Devnet, deployer: Wallet, alice: Wallet, bob: Wallet, usda: str, *,
             authorize_tm: bool = True, authorize_sm: bool = True, configure: bool = True) -> V2:
    """Spawn the Token Manager, State Manager and coordinator; authorize and configure them."""
    tm = net.spawn(deployer, source("token_manager"), tags={"Name": "TokenManager"})
    sm = net.spawn(deployer, source("state_manager"), tags={"Name": "StateManager"})
    coord = net.spawn(deployer, source("coordinator"), tags={"Name": "Coordinator"})
    names = {usda: "USDA", tm: "TokenManager", sm: "StateManager", coord: "Coordinator",
             deployer.address: "deployer", alice.address: "alice", bob.address: "bob"}
    system = V2(net, deployer, alice, bob, usda, tm, sm, coord, names)
    if authorize_tm:
        authorize(net, deployer, tm, coord)
    if authorize_sm:
        authorize(net, deployer, sm, coord)
    for who in (alice, bob):
        fund(net, deployer, usda, who)
    if configure:
        r = system.configure(TokenManagerProcess=tm, StateManagerProcess=sm,
                             AllowedUSDAProcess=usda, CollateralRatio="1.0", SystemActive="true")
        assert r.first("Configure-Response"), r.tree.render()
    return system


# -- V1 ------------------------------------------------------------------------------------------


@dataclass
class V1:
    """The V1 orchestrator with Lock Manager, Token Manager, State Manager and lockable USDA."""

    net: Devnet
    deployer: Wallet
    alice: Wallet
    bob: Wallet
    usda: str
    lm: str
    tm: str
    sm: str
    orch: str
    names: dict[str, str] = field(default_factory=dict)

    def set(self, action: str, pid: str, **extra: str) -> Receipt:
        return self.net.send(self.deployer, self.orch, tags={"Action": action, "ProcessId": pid, **extra})

    def mint(self, who: Sender, quantity: int | str) -> Receipt:
        return self.net.send(who, self.orch, tags={"Action": "MintTIM3", "Quantity": str(quantity)})

    def burn(self, who: Sender, quantity: int | str) -> Receipt:
        return self.net.send(who, self.orch, tags={"Action": "BurnTIM3", "Quantity": str(quantity)})

    def retry(self, who: Sender, flow_id: str) -> Receipt:
        return self.net.send(who, self.orch, tags={"Action": "RetryFlow", "Flow-Id": flow_id})

    def config(self) -> dict[str, Any]:
        data: dict[str, Any] = read_json(self.net, self.orch, "GetConfig")
        return data

    def flow(self, flow_id: str) -> dict[str, str]:
        data: dict[str, str] = read_json(self.net, self.orch, "GetFlow", **{"Flow-Id": flow_id})
        return data

    def state(self, flow_id: str) -> str:
        return self.flow(flow_id)["State"]

    def collateral(self, who: Sender) -> int:
        return canonical(read(self.net, self.orch, "GetCollateral", User=address(who)).tag("Collateral"))

    def usda_of(self, who: Sender) -> int:
        return balances(self.net, self.usda).get(address(who), 0)

    def locked_of(self, who: Sender) -> int:
        return locks(self.net, self.usda).get(address(who), 0)

    def tim3_of(self, who: Sender) -> int:
        return balances(self.net, self.tm).get(address(who), 0)

    def position(self, who: Sender) -> dict[str, int]:
        return position(self.net, self.sm, who)

    def check(self) -> None:
        """The V1 invariants: locked USDA == TIM3 supply == collateral, USDA conserved."""
        usda = balances(self.net, self.usda)
        locked = locks(self.net, self.usda)
        assert sum(usda.values()) + sum(locked.values()) == supply(self.net, self.usda), (
            "USDA ledger broken: free + locked != supply")
        tim3 = supply(self.net, self.tm)
        assert sum(balances(self.net, self.tm).values()) == tim3
        assert sum(locked.values()) == tim3, (
            f"locked USDA {sum(locked.values())} != TIM3 supply {tim3}: "
            "locked USDA without TIM3 or TIM3 without locked USDA")
        for user, amount in locked.items():
            assert self.collateral(user) == amount, f"collateral of {user} != its locked USDA"


def build_v1(net: Devnet, deployer: Wallet, alice: Wallet, bob: Wallet, *,
             skip: tuple[str, ...] = (), configure: bool = True) -> V1:
    """Spawn the five processes, authorize each link (unless named in skip) and configure."""
    usda = net.spawn(deployer, source("usda_lockable"), tags={"Name": "USDA"})
    lm = net.spawn(deployer, source("lock_manager"), tags={"Name": "LockManager"})
    tm = net.spawn(deployer, source("token_manager"), tags={"Name": "TokenManager"})
    sm = net.spawn(deployer, source("state_manager"), tags={"Name": "StateManager"})
    orch = net.spawn(deployer, source("orchestrator"), tags={"Name": "Orchestrator"})
    names = {usda: "USDA", lm: "LockManager", tm: "TokenManager", sm: "StateManager",
             orch: "Orchestrator", deployer.address: "deployer", alice.address: "alice",
             bob.address: "bob"}
    system = V1(net, deployer, alice, bob, usda, lm, tm, sm, orch, names)
    if "usda" not in skip:
        authorize(net, deployer, usda, lm)
    r = net.send(deployer, lm, tags={"Action": "SetMockUsdaProcess", "ProcessId": usda})
    assert r.first("Configure-Response"), r.tree.render()
    for key, pid in (("lm", lm), ("tm", tm), ("sm", sm)):
        if key not in skip:
            authorize(net, deployer, pid, orch)
    for who in (alice, bob):
        fund(net, deployer, usda, who)
    if configure:
        for action, pid in (("SetMockUsdaProcess", usda), ("SetStateManagerProcess", sm),
                            ("SetLockManagerProcess", lm), ("SetTokenManagerProcess", tm)):
            assert system.set(action, pid).first("Configure-Response")
    return system
