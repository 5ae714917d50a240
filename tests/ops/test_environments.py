"""Environments: the shipped ids, the user file merged over them, local filled from the devnet."""

import json

import pytest

from tim3.errors import ConfigError
from tim3.ops.environments import environment, load_environments, record_environment
from tim3.ops.local import start_local

SEED = {
    "production": {"usda": "FBt9A5GA_KXMMSxA2DJ0xZbAq8sLLU2ak-YJe9zDvg8",
                   "state_manager": "K2FjwiTmncglx0pISNMft5-SngxW-HUjs9sctzmXtU4",
                   "lock_manager": "MWxRVsCDoSzQ0MhG4_BWkYs0fhcULB-OO3f2t1RlBAs",
                   "token_manager": "BUhWwGfuD1GUHVIIWF_Jhm1mfcyAYHOJS6W90ur2Bb0"},
    "test": {"usda": "u8DzisIMWnrfGa6nlQvf1J79kYkv8uWjDeXZ489UMXQ",
             "orchestrator": "uNhmrUij4u6ZZr_39BDI5E2G2afkit8oC7q4vAtRskM"},
}


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """No TIM3_* variables and no ./tim3-environments.json from the caller."""
    for name in ("TIM3_ENVIRONMENTS", "TIM3_DEVNET_DATA", "TIM3_NODE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("name", ["production", "test"])
def test_shipped_environments_hold_every_process_id_of_the_guide(name):
    env = environment(name)

    assert dict(env.processes) == SEED[name]
    assert env.kind == "legacy" and env.denomination == 12
    assert env.scheduler == "_GQ33BkPtZrqxA84vM8Zk-N2aO0toNNu_C-l-rawrBA"
    assert env.authority == "fcoN_xJeisVsPXA-trzVAuIiqO3ydLQxM-L4XbrQKzY"
    assert env.mu_url == "https://mu.ao-testnet.xyz" and env.cu_url == "https://cu.ao-testnet.xyz"


def test_only_production_is_marked_as_real_value():
    envs = load_environments()

    assert [n for n, e in envs.items() if e.production] == ["production"]


def test_an_unknown_name_gets_a_suggestion_and_the_list():
    with pytest.raises(ConfigError, match=r"Did you mean 'production'\? Known: local, production, test"):
        environment("prodution")


def test_local_reads_the_devnet_data_folder(tmp_path):
    net = start_local(tmp_path / "d", ())
    net.devnet.close()

    env = environment("local", data_dir=tmp_path / "d")

    assert env.processes == {"usda": net.processes["USDA"], "tim3": net.processes["TIM3"]}
    assert env.authority == net.devnet.mu.address and env.owner == net.deployer.address
    assert env.mu_url == "http://127.0.0.1:8734"


def test_local_without_a_devnet_has_no_processes(tmp_path):
    assert environment("local", data_dir=tmp_path / "none").processes == {}


def test_the_user_file_merges_role_by_role_and_null_removes(tmp_path):
    user = tmp_path / "mine.json"
    user.write_text(json.dumps({"environments": {
        "production": {"processes": {"tim3": "t" * 43, "lock_manager": None}},
        "staging": {"kind": "legacy", "mu_url": "https://mu.example", "cu_url": "https://cu.example",
                    "gateway_url": "https://gw.example"}}}))

    envs = load_environments(user)

    assert envs["production"].processes["tim3"] == "t" * 43
    assert "lock_manager" not in envs["production"].processes
    assert envs["production"].processes["usda"] == SEED["production"]["usda"]
    assert envs["staging"].processes == {}


def test_the_user_file_is_found_through_the_environment_variable(tmp_path, monkeypatch):
    user = tmp_path / "mine.json"
    user.write_text(json.dumps({"environments": {"test": {"denomination": 6}}}))
    monkeypatch.setenv("TIM3_ENVIRONMENTS", str(user))

    assert environment("test").denomination == 6


@pytest.mark.parametrize("entry, message", [
    ({"processes": {"usda": "short"}}, "not a 43-character process id"),
    ({"kind": "mainnet"}, "use 'local' or 'legacy'"),
    ({"mu_url": "mu.example"}, "must start with http"),
    ({"denomnation": 6}, "Did you mean 'denomination'"),
], ids=["bad-id", "bad-kind", "bad-url", "misspelt-key"])
def test_a_bad_user_file_is_one_clear_error(tmp_path, entry, message):
    user = tmp_path / "mine.json"
    user.write_text(json.dumps({"environments": {"test": entry}}))

    with pytest.raises(ConfigError, match=message):
        load_environments(user)


def test_to_json_is_what_the_browser_needs():
    data = environment("production").to_json()

    assert data["processes"]["usda"] == SEED["production"]["usda"]
    assert {"mu_url", "cu_url", "gateway_url", "authority", "scheduler", "denomination"} <= set(data)
    json.dumps(data)


def test_recording_a_legacy_deployment_writes_the_user_file_not_the_shipped_one(tmp_path):
    env = environment("test")

    path = record_environment(env, processes={"tim3": "n" * 43},
                              history={"tim3": ["o" * 43]}, owner="w" * 43)

    assert path == tmp_path / "tim3-environments.json"
    again = environment("test")
    assert again.processes["tim3"] == "n" * 43 and again.history["tim3"] == ["o" * 43]
    assert again.owner == "w" * 43 and again.processes["usda"] == SEED["test"]["usda"]
