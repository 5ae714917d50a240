"""The gateway on a legacy AO network: the browser signs, the server checks and forwards, reads
are dry-runs and flows are read back from the scheduler — here against the devnet's HTTP node."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tim3.app import GatewayServer, LegacyChain
from tim3.arweave import DataItem
from tim3.errors import ConfigError
from tim3.node import NodeServer
from tim3.ops import LocalNet
from tim3.ops.environments import Environment

USDA = 10**12


@pytest.fixture
def remote(net: LocalNet) -> Iterator[httpx.Client]:
    """A gateway for an environment whose MU, CU and SU are the devnet's node over HTTP."""
    with NodeServer(net.devnet, port=0) as node:
        url = node.url
        env = Environment(name="node", kind="legacy", mu_url=url, cu_url=url, gateway_url=url,
                          su_url=url, processes={"usda": net.processes["USDA"],
                                                 "tim3": net.processes["TIM3"]})
        chain = LegacyChain(env)
        with GatewayServer(chain, port=0) as gateway, \
                httpx.Client(base_url=gateway.url, timeout=30) as client:
            yield client
        chain.close()


def signed(net: LocalNet, client: httpx.Client, wallet: str, action: str, amount: str) -> bytes:
    message = client.get("/api/quote", params={"action": action, "amount": amount}).json()
    item = DataItem.create(net.wallets[wallet], message["message"]["data"],
                           tags=[tuple(t) for t in message["message"]["tags"]],
                           target=message["message"]["target"])
    return item.raw


def test_a_signed_swap_is_forwarded_and_its_flow_read_back_from_the_network(net, remote):
    alice = net.wallets["alice"].address

    sent = remote.post("/api/submit", content=signed(net, remote, "alice", "swap", "5")).json()
    flow = remote.get(f"/api/flow/{sent['id']}").json()

    assert net.balance("TIM3", alice) == 5 * USDA
    assert [(a["n"], a["parent"], a["action"]) for a in flow["arrows"]] == [
        (1, None, "Transfer"), (2, 1, "Debit-Notice"), (3, 1, "Credit-Notice"),
        (4, 3, "Credit-Notice")]
    assert flow["outcome"]["status"] == "minted"
    assert flow["complete"] is True


def test_balances_and_reserves_are_dry_runs_over_http(net, remote):
    remote.post("/api/submit", content=signed(net, remote, "bob", "swap", "2"))

    balances = remote.get("/api/balances",
                          params={"address": net.wallets["bob"].address}).json()
    reserves = remote.get("/api/reserves").json()

    assert balances["balances"] == {"USDA": str(998 * USDA), "TIM3": str(2 * USDA)}
    assert reserves["figures"]["Reserve"] == str(2 * USDA) and reserves["invariant"] == "ok"


def test_dev_wallets_do_not_exist_on_a_real_network(remote):
    wallets = remote.get("/api/wallets").json()
    answer = remote.post("/api/swap", json={"wallet": "alice", "amount": "1"})

    assert wallets == {"wallets": []}
    assert answer.status_code == 501
    assert "sign with Wander" in answer.json()["error"]


def test_the_environment_served_is_the_environment_file_entry(remote, net):
    body = remote.get("/api/environment").json()

    assert body["environment"]["name"] == "node"
    assert body["environment"]["kind"] == "legacy"
    assert body["dev_wallets"] is False
    assert body["tokens"]["USDA"]["process"] == net.processes["USDA"]


def test_an_unknown_message_is_a_404(remote):
    answer = remote.get("/api/flow/" + "Q" * 43)

    assert answer.status_code == 404


def test_the_explorer_finds_a_message_by_its_full_id(net, remote):
    sent = remote.post("/api/submit", content=signed(net, remote, "alice", "swap", "1")).json()

    found = remote.get("/api/messages", params={"q": sent["id"]}).json()["messages"]

    assert [m["id"] for m in found] == [sent["id"]]


def test_an_environment_without_a_tim3_process_is_a_clear_error():
    env = Environment(name="half", kind="legacy", mu_url="http://127.0.0.1:9",
                      cu_url="http://127.0.0.1:9", gateway_url="http://127.0.0.1:9",
                      processes={"usda": "U" * 43})

    with pytest.raises(ConfigError, match="has no 'tim3' process"):
        LegacyChain(env)
