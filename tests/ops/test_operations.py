"""The operator library without the CLI: a session on the local devnet, in process or through a
serving node, and the procedure's steps as Python calls."""

import json
import os

import pytest

from tim3.arweave import Wallet
from tim3.client import HttpNetwork, LocalNetwork
from tim3.devnet import Devnet, DevnetConfig
from tim3.errors import ConfigError
from tim3.node import NodeServer
from tim3.ops import Session, configure, deploy, environment, reconcile, start_local, swap, verify
from tim3.ops.environments import NODE_FILE

USDA = 10**12


@pytest.fixture
def data(tmp_path):
    """A local devnet's data folder with USDA and TIM3 deployed and alice funded."""
    start_local(tmp_path / "d", ("alice",)).devnet.close()
    return tmp_path / "d"


def test_deploy_configure_verify_swap_reconcile_as_python_calls(data):
    env = environment("local", data_dir=data)
    with Session.open(env, Wallet.from_name("deployer")) as s:
        d = deploy(s, "tim3")
    env = environment("local", data_dir=data)
    with Session.open(env, Wallet.from_name("deployer")) as s:
        configure(s, "tim3")
        report = verify(s)
    with Session.open(env, Wallet.from_name("alice")) as s:
        moved = swap(s, 2 * USDA)
        backing = reconcile(s)

    assert env.processes["tim3"] == d.process_id
    assert report.ok, report.to_text()
    assert moved.done and backing.ok and backing.usda_balance == 2 * USDA


def test_a_session_opens_the_data_folder_in_process_when_no_node_serves_it(data):
    with Session.open(environment("local", data_dir=data), Wallet.from_name("alice")) as s:
        assert isinstance(s.network, LocalNetwork)


def test_a_session_goes_through_the_node_that_serves_the_folder(data):
    net = start_local(data, ())
    with NodeServer(net.devnet, port=0) as server:
        (data / NODE_FILE).write_text(json.dumps({"url": server.url, "pid": os.getpid()}))
        env = environment("local", data_dir=data)
        with Session.open(env, Wallet.from_name("alice")) as s:
            usda = s.balance(env.processes["usda"], s.wallet.address)

    assert env.mu_url == server.url and isinstance(s.network, HttpNetwork)
    assert usda == 1000 * USDA
    net.devnet.close()


def test_a_node_file_of_a_dead_process_is_ignored(data):
    (data / NODE_FILE).write_text(json.dumps({"url": "http://127.0.0.1:1", "pid": 2**22 + 7}))

    assert environment("local", data_dir=data).mu_url == "http://127.0.0.1:8734"


def test_deploying_the_mock_usda_to_production_is_refused():
    env = environment("production")
    session = Session(env, LocalNetwork(Devnet(config=DevnetConfig.for_tests()),
                                        Wallet.from_name("deployer")))

    with pytest.raises(ConfigError, match="real USDA"):
        deploy(session, "usda")
