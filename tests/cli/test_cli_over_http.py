"""The same operator commands against the HTTP node, through the Python client: the environment
is a user file pointing at a `NodeServer` on a free port, signed with JWK wallet files."""

import json

import pytest

from tim3.devnet import MODULE_ID
from tim3.node import NodeServer
from tim3.ops.local import start_local

USDA = 10**12


@pytest.fixture
def node(tmp_path):
    """A devnet served on a free port and environments 'node' and 'node-prod' pointing at it."""
    net = start_local(tmp_path / "devnet", ("alice", "bob"))
    server = NodeServer(net.devnet, port=0).start()
    base = {
        "kind": "legacy", "mu_url": server.url, "cu_url": server.url,
        "gateway_url": server.url, "su_url": server.url,
        "authority": net.devnet.mu.address, "scheduler": net.devnet.su.address,
        "module": MODULE_ID, "owner": net.deployer.address, "denomination": 12,
        "processes": {"usda": net.processes["USDA"], "tim3": net.processes["TIM3"]},
    }
    envs = tmp_path / "envs.json"
    envs.write_text(json.dumps({"environments": {
        "node": base, "node-prod": {**base, "production": True}}}))
    net.deployer.save(tmp_path / "deployer.json")
    net.wallets["alice"].save(tmp_path / "alice.json")
    yield {"envs": envs, "deployer": tmp_path / "deployer.json",
           "alice": tmp_path / "alice.json", "tim3": net.processes["TIM3"]}
    server.stop()
    net.devnet.close()


def on(node, env="node", who="deployer"):
    return ["--env", env, "--environments", node["envs"], "--wallet", node[who], "--wait", "0"]


def test_the_seed_procedure_over_http(node, tim3):
    deployed = tim3.json("deploy", *on(node))
    configured = tim3.json("configure", *on(node))
    verified = tim3.json("verify", *on(node))
    swap = tim3.json("swap", "5.25", *on(node, who="alice"))
    reconciled = tim3.json("reconcile", *on(node))
    rolled = tim3.json("rollback", *on(node))
    undone = tim3.json("rollback", "--undo", *on(node))

    assert deployed["previous"] == node["tim3"]
    assert configured["settings"]["Denomination"] == "12"
    assert verified["ok"], [c for c in verified["checks"] if not c["ok"]]
    assert swap["done"] and swap["quantity"] == "5250000000000"
    assert reconciled["ok"] and reconciled["usda_balance"] == "5250000000000"
    assert rolled["to"] == node["tim3"] and rolled["paused"] == "Pause-Mint"
    assert undone["to"] == deployed["process_id"]
    recorded = json.loads(node["envs"].read_text())["environments"]["node"]
    assert recorded["processes"]["tim3"] == deployed["process_id"]
    assert [r["undone"] for r in recorded["rollbacks"]] == [True]


def test_flow_over_http_rebuilds_the_whole_swap(node, tim3):
    swap = tim3.json("swap", "1", *on(node, who="alice"))

    tree = tim3.json("flow", swap["message_id"], *on(node))

    assert tree["action"] == "Transfer"
    actions = [c["action"] for c in tree["children"]]
    assert actions == ["Debit-Notice", "Credit-Notice"]
    mint = tree["children"][1]
    assert mint["id"] and [c["action"] for c in mint["children"]] == ["Credit-Notice"]


def test_verify_over_http_finds_a_wrong_usda_id(node, tim3):
    data = json.loads(node["envs"].read_text())
    data["environments"]["node"]["processes"]["usda"] = node["tim3"]
    node["envs"].write_text(json.dumps(data))

    result = tim3("verify", *on(node))

    assert result.exit_code == 1
    assert "✗  tim3     USDA process" in result.stdout


def test_production_asks_before_moving_money_and_no_sends_nothing(node, tim3):
    refused = tim3("swap", "1", *on(node, "node-prod", "alice"), input="n\n")
    balances = tim3.json("balance", *on(node, "node-prod", "alice"))["balances"]

    assert refused.exit_code == 1
    assert "Swap 1 USDA (1000000000000 base units) on 'node-prod'" in refused.output
    assert "Nothing was sent." in refused.stderr
    assert {b["token"]: b["balance"] for b in balances}["tim3"] == "0"


def test_production_with_yes_does_not_ask(node, tim3):
    result = tim3.json("swap", "1", "--yes", *on(node, "node-prod", "alice"))

    assert result["done"]


def test_a_dev_wallet_name_is_refused_off_the_local_devnet(node, tim3):
    result = tim3("balance", "--env", "node", "--environments", node["envs"], "--wallet", "alice")

    assert result.exit_code == 1
    assert "No wallet file 'alice'" in result.stderr


def test_flow_takes_a_message_id_that_starts_with_a_dash(node, tim3):
    # One id in 64 starts with '-': Click used to read it as an option ("No such option: -M").
    swap = tim3.json("swap", "1", *on(node, who="alice"))
    dashed = "-" + swap["message_id"][1:]

    result = tim3("flow", dashed, *on(node))

    assert "No such option" not in result.output
    assert dashed in result.output
