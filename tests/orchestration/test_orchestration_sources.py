"""The orchestration processes as source files: no clock, and no global besides each file's state
block (the helpers they share are lib/orchestration.lua, bundled in by tim3.processes.source)."""

from __future__ import annotations

import re

import pytest
from orchestration_harness import V1, V2

from tim3.arweave import Wallet
from tim3.devnet import Devnet
from tim3.processes import file_source, source

SHARED = ["coordinator", "orchestrator", "token_manager", "state_manager", "lock_manager"]
OWNED = [*SHARED, "usda_lockable"]

# Each process's state block: the only globals it may add to a bare aos process.
STATE = {
    "coordinator": {"Config", "Components", "Deposits", "Redemptions", "Ledger", "Processed"},
    "orchestrator": {"Config", "Components", "Flows", "Collateral", "Processed"},
    "token_manager": {"Balances", "TotalSupply", "Authorized", "Operations", "Processed", "Ticker",
                      "Denomination"},
    "state_manager": {"Positions", "Authorized", "Updates", "Processed"},
    "lock_manager": {"Config", "UsdaStatus", "Authorized", "Operations", "Processed"},
    "usda_lockable": {"Balances", "TotalSupply", "Ticker", "Denomination", "Logo", "Lockers", "Locks",
                      "LockOps"},
}
GLOBALS_LUA = 'local t = {} for k in pairs(_G) do t[#t + 1] = tostring(k) end return table.concat(t, ",")'


def code_of(text: str) -> str:
    """Lua source without comments."""
    text = re.sub(r"--\[(=*)\[.*?\]\1\]", "", text, flags=re.S)
    return re.sub(r"--[^\n]*", "", text)


@pytest.mark.parametrize("name", OWNED)
def test_no_process_reads_the_clock(name: str) -> None:
    code = code_of(source(name))

    assert not re.search(r"\bos\s*\.\s*(time|date|clock)\b", code), (
        f"{name}.lua uses os.time/os.date/os.clock: take time from msg.Timestamp")


def globals_of(net: Devnet, owner: Wallet, pid: str) -> set[str]:
    r = net.eval(owner, pid, GLOBALS_LUA)
    assert r.ok, r.error
    return set(r.result.output.split(","))


def test_no_process_leaks_a_global_beyond_its_state_block(v2: V2, v1: V1) -> None:
    v2.deposit(v2.alice, 100)
    v2.redeem(v2.alice, 40)
    v1.mint(v1.alice, 100)
    v1.burn(v1.alice, 40)
    bare = v2.net.spawn(v2.deployer, "-- a bare aos process")
    v2.net.send(v2.deployer, bare, tags={"Action": "Anything"})
    baseline = globals_of(v2.net, v2.deployer, bare)
    processes = {"coordinator": v2.coord, "orchestrator": v1.orch, "token_manager": v2.tm,
                 "state_manager": v2.sm, "lock_manager": v1.lm, "usda_lockable": v1.usda}

    added = {name: globals_of(v2.net, v2.deployer, pid) - baseline for name, pid in processes.items()}

    assert added == STATE


@pytest.mark.parametrize("name", OWNED)
def test_the_header_lists_the_state_block(name: str) -> None:
    header = file_source(name).split("]]", 1)[0]

    missing = {g for g in STATE[name] if g not in header}
    assert not missing, f"{name}.lua's header does not mention its state {sorted(missing)}"


def test_an_unknown_action_gets_no_reply_and_is_not_kept(v2: V2, v1: V1) -> None:
    pids = [v2.coord, v2.tm, v2.sm, v1.orch, v1.lm]
    inbox = [v2.net.eval(v2.deployer, pid, "return #Inbox").result.output for pid in pids]

    receipts = [v2.net.send(v2.alice, pid, tags={"Action": "Credit-Notic", "Quantity": "5"}) for pid in pids]

    assert [r.messages for r in receipts] == [[]] * len(pids)
    assert [v2.net.eval(v2.deployer, pid, "return #Inbox").result.output for pid in pids] == inbox
