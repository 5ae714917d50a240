"""Flow: over HTTP, the causal tree rebuilt from results and schedules equals the devnet's trace."""

from dataclasses import replace

import pytest

from tim3.client import HttpNetwork, LocalNetwork
from tim3.node import NodeServer
from tim3.ops.environments import environment
from tim3.ops.flow import flow
from tim3.ops.local import start_local
from tim3.ops.session import Session

USDA = 10**12


def shape(node):
    return (node.action, node.process, node.from_, node.kind,
            [shape(c) for c in node.children])


@pytest.fixture
def swapped(tmp_path):
    """A local devnet where alice swapped 3 USDA, once refused (paused) and once minted."""
    net = start_local(tmp_path / "d", ("alice",))
    alice, usda, tim3 = net.wallets["alice"], net.processes["USDA"], net.processes["TIM3"]
    ok = net.devnet.send(alice, usda, tags={"Action": "Transfer", "Recipient": tim3,
                                            "Quantity": str(3 * USDA)})
    net.devnet.send(net.deployer, tim3, tags={"Action": "Pause-Mint"})
    refused = net.devnet.send(alice, usda, tags={"Action": "Transfer", "Recipient": tim3,
                                                 "Quantity": str(USDA)})
    yield net, {"ok": ok.id, "refused": refused.id}
    net.devnet.close()


@pytest.mark.parametrize("which", ["ok", "refused"])
def test_the_http_flow_equals_the_devnet_trace(swapped, tmp_path, which):
    net, ids = swapped
    env = environment("local", data_dir=tmp_path / "d")
    local = flow(Session(env, LocalNetwork(net.devnet, net.deployer)), ids[which])

    with NodeServer(net.devnet, port=0) as server:
        http_env = replace(env, kind="legacy", mu_url=server.url, cu_url=server.url,
                           gateway_url=server.url, su_url=server.url)
        with HttpNetwork.for_node(server.url, wallet=net.deployer) as client:
            remote = flow(Session(http_env, client), ids[which])

    assert shape(remote) == shape(local)
    assert [n.id for n in remote.walk() if n.kind == "message"] == \
        [n.id for n in local.walk() if n.kind == "message"]


def test_a_refused_deposit_shows_the_refund_and_its_reason(swapped, tmp_path):
    net, ids = swapped
    env = environment("local", data_dir=tmp_path / "d")

    tree = flow(Session(env, LocalNetwork(net.devnet, net.deployer)), ids["refused"])

    assert tree.find("Deposit-Error")[0].tag("Error").startswith("Minting is paused")
    assert "X-Refund-Reason=Minting is paused" in tree.render()
