"""docs/orchestration.md tells the truth: every message sequence it shows is the causal trace the
devnet records for that flow today, and its table of tag spellings is what aos delivers.

Print the current sequences (to paste into the doc after a deliberate change) with
    .venv/bin/python tests/orchestration/test_orchestration_flows.py
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from orchestration_harness import V1, V2, build_v1, build_v2, hops, lose, revoke

from tim3.arweave import Wallet
from tim3.devnet import Devnet, DevnetConfig
from tim3.processes import source

DOC = Path(__file__).resolve().parents[2] / "docs" / "orchestration.md"

# -- the flows the doc shows ---------------------------------------------------------------------


def v2_configure(s: V2) -> list[str]:
    return hops(s.configure(TokenManagerProcess=s.tm, StateManagerProcess=s.sm, AllowedUSDAProcess=s.usda,
                            CollateralRatio="1.0", SystemActive="true"), s.names, indent=True)


def v2_deposit(s: V2) -> list[str]:
    r = s.deposit(s.alice, 100)
    return hops(r, s.names, {r.first("Credit-Notice", target=s.coord).id: "<deposit>"}, indent=True)


def v2_redeem(s: V2) -> list[str]:
    s.deposit(s.alice, 100)
    return hops(s.redeem(s.alice, 40), s.names, indent=True)


def v2_deposit_inactive(s: V2) -> list[str]:
    s.configure(SystemActive="false")
    r = s.deposit(s.alice, 100)
    return hops(r, s.names, {r.first("Credit-Notice", target=s.coord).id: "<deposit>"}, indent=True)


def v2_mint_refused(s: V2) -> list[str]:
    revoke(s.net, s.deployer, s.tm, s.coord)
    r = s.deposit(s.alice, 100)
    return hops(r, s.names, {r.first("Credit-Notice", target=s.coord).id: "<deposit>"}, indent=True)


def v2_payout_refused(s: V2) -> list[str]:
    s.deposit(s.alice, 100)
    s.net.eval(s.deployer, s.usda, f"""
Handlers.prepend("refuse", function(msg) return msg.Action == "Transfer" and msg.From == "{s.coord}" end,
  function(msg) msg.reply({{ Action = "Transfer-Error", Error = "Account frozen" }}) end)""")
    return hops(s.redeem(s.alice, 40), s.names, indent=True)


def v1_mint(s: V1) -> list[str]:
    return hops(s.mint(s.alice, 100), s.names, indent=True)


def v1_burn(s: V1) -> list[str]:
    s.mint(s.alice, 100)
    return hops(s.burn(s.alice, 40), s.names, indent=True)


def v1_mint_refused(s: V1) -> list[str]:
    revoke(s.net, s.deployer, s.tm, s.orch)
    return hops(s.mint(s.alice, 100), s.names, indent=True)


def v1_unlock_refused(s: V1) -> list[str]:
    s.mint(s.alice, 100)
    revoke(s.net, s.deployer, s.usda, s.lm)
    return hops(s.burn(s.alice, 40), s.names, indent=True)


def v1_interrupted(s: V1) -> list[str]:
    lose(s.net, s.orch, "Mint-Notice")
    r = s.mint(s.alice, 100)
    retry = s.retry(s.alice, r.id)
    return hops(r, s.names, {r.id: "<mint>"}, indent=True) + hops(retry, s.names, {r.id: "<mint>"}, indent=True)


V2_FLOWS: dict[str, Callable[[V2], list[str]]] = {
    "v2-configure": v2_configure, "v2-deposit": v2_deposit, "v2-redeem": v2_redeem,
    "v2-deposit-inactive": v2_deposit_inactive, "v2-mint-refused": v2_mint_refused,
    "v2-payout-refused": v2_payout_refused,
}
V1_FLOWS: dict[str, Callable[[V1], list[str]]] = {
    "v1-mint": v1_mint, "v1-burn": v1_burn, "v1-mint-refused": v1_mint_refused,
    "v1-unlock-refused": v1_unlock_refused, "v1-interrupted": v1_interrupted,
}

# What aos delivers for the tag names the seed uses (ao-protocol.md §1.5).
SEED_TAGS = ["TokenManagerProcess", "StateManagerProcess", "AllowedUSDAProcess", "CollateralRatio",
             "SystemActive", "ProcessId", "Process-Id", "Token-Manager-Process", "Lock-Id", "X-Payout-Id"]

PROBE_LUA = """
-- Answers every message with the names of its tags as they arrived (after aos normalised them).
Handlers.add("probe", function() return true end, function(msg)
  local names = {}
  for _, t in ipairs(msg.TagArray) do names[#names + 1] = t.name end
  msg.reply({ Data = table.concat(names, ",") })
end)
"""


def flow_block(name: str, devnet: Devnet, deployer: Wallet, alice: Wallet, bob: Wallet) -> str:
    """The rendered sequence of one documented flow, built on a fresh system."""
    if name in V2_FLOWS:
        usda = devnet.spawn(deployer, source("usda_mock"), tags={"Name": "USDA"})
        lines = V2_FLOWS[name](build_v2(devnet, deployer, alice, bob, usda))
    else:
        lines = V1_FLOWS[name](build_v1(devnet, deployer, alice, bob))
    return "\n".join(lines)


def arrived_names(devnet: Devnet, deployer: Wallet, tags: list[str]) -> list[str]:
    """The names the given tags have when a process reads them (the Action tag comes first)."""
    probe = devnet.spawn(deployer, PROBE_LUA, tags={"Name": "probe"})
    r = devnet.send(deployer, probe, tags={"Action": "Probe", **{t: "x" for t in tags}})
    return r.messages[0].data.split(",")[1:1 + len(tags)]


# -- tests ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*V2_FLOWS, *V1_FLOWS])
def test_the_doc_shows_the_sequence_the_devnet_records(
        name: str, devnet: Devnet, deployer: Wallet, alice: Wallet, bob: Wallet) -> None:
    block = flow_block(name, devnet, deployer, alice, bob)

    assert f"<!-- flow: {name} -->\n```text\n{block}\n```" in DOC.read_text(encoding="utf-8"), (
        f"docs/orchestration.md shows another sequence for {name}; today's is:\n{block}")


def test_the_docs_spelling_table_is_what_aos_delivers(devnet: Devnet, deployer: Wallet) -> None:
    arrived = arrived_names(devnet, deployer, SEED_TAGS)

    doc = DOC.read_text(encoding="utf-8")
    for sent, got in zip(SEED_TAGS, arrived, strict=True):
        assert f"| `{sent}` | `{got}` |" in doc, f"the table should say `{sent}` arrives as `{got}`"


def test_tag_names_are_normalised_but_action_values_are_not(devnet: Devnet, deployer: Wallet) -> None:
    assert arrived_names(devnet, deployer, ["TokenManagerProcess", "ProcessId"]) == [
        "Tokenmanagerprocess", "Processid"]
    probe = devnet.spawn(deployer, PROBE_LUA.replace("t.name", "t.name .. '=' .. t.value"))
    r = devnet.send(deployer, probe, tags={"Action": "SetProcessConfig"})
    assert r.messages[0].data.split(",")[0] == "Action=SetProcessConfig"


if __name__ == "__main__":  # print every documented sequence as it is today
    for flow in [*V2_FLOWS, *V1_FLOWS]:
        net = Devnet(config=DevnetConfig.for_tests())
        who = [net.wallet(n) for n in ("deployer", "alice", "bob")]
        sys.stdout.write(f"<!-- flow: {flow} -->\n```text\n{flow_block(flow, net, *who)}\n```\n\n")
        net.close()
