"""Fixtures for the node tests: a node over the test devnet, an HTTP client, a counter process."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from tim3.arweave import DataItem, Wallet
from tim3.devnet import Devnet
from tim3.node import NodeServer

COUNTER = """
Count = Count or 0
Handlers.add("Ping", Handlers.utils.hasMatchingTag("Action", "Ping"), function(msg)
  Count = Count + 1
  msg.reply({ Action = "Pong", Count = tostring(Count), Data = "pong " .. tostring(Count) })
end)
"""


@pytest.fixture
def node(devnet: Devnet) -> Iterator[NodeServer]:
    """The test devnet served over HTTP on a free port of 127.0.0.1."""
    with NodeServer(devnet, port=0) as server:
        yield server


@pytest.fixture
def http(node: NodeServer) -> Iterator[httpx.Client]:
    """An HTTP client for the node."""
    with httpx.Client(base_url=node.url, timeout=30) as client:
        yield client


@pytest.fixture
def counter(devnet: Devnet, deployer: Wallet) -> str:
    """A process counting Ping messages and answering each with a Pong; returns its id."""
    return devnet.spawn(deployer, COUNTER, tags={"Name": "counter"})


def _ping(wallet: Wallet, process: str, **tags: str) -> DataItem:
    return DataItem.create(wallet, " ", target=process, tags=[
        ("Action", "Ping"), *tags.items(), ("Data-Protocol", "ao"), ("Variant", "ao.TN.1"),
        ("Type", "Message")])


@pytest.fixture
def ping() -> Callable[..., DataItem]:
    """Sign a Ping message: ping(wallet, process, **extra_tags), as aoconnect builds one."""
    return _ping
