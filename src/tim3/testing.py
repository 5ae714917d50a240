"""The tim3 pytest plugin: fixtures that give a test a fresh devnet with funded wallets.

Enable it with `pytest_plugins = ["tim3.testing"]` in a conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tim3.arweave import Wallet
from tim3.devnet import Devnet, DevnetConfig
from tim3.processes import source

USDA_DENOMINATION = 12


@pytest.fixture
def devnet() -> Iterator[Devnet]:
    """A fresh in-memory devnet with a fixed clock."""
    net = Devnet(config=DevnetConfig.for_tests())
    yield net
    net.close()


@pytest.fixture
def deployer(devnet: Devnet) -> Wallet:
    """The wallet that spawns and owns the test processes."""
    return devnet.wallet("deployer")


@pytest.fixture
def alice(devnet: Devnet) -> Wallet:
    """A user wallet."""
    return devnet.wallet("alice")


@pytest.fixture
def bob(devnet: Devnet) -> Wallet:
    """A second user wallet."""
    return devnet.wallet("bob")


@pytest.fixture
def usda(devnet: Devnet, deployer: Wallet) -> str:
    """A mock USDA token (12 decimals) owned by the deployer; returns its process id."""
    return devnet.spawn(deployer, source("usda_mock"), tags={"Name": "USDA"})
