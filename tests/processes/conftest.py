"""Fixtures for the TIM3 process tests: a devnet that can inject delivery faults, a TIM3
configured with the mock USDA, and wallets funded with USDA."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from tim3_harness import FaultyDevnet, Swap, usda_mint

from tim3.arweave import Wallet
from tim3.devnet import DevnetConfig
from tim3.processes import source

FUNDS = 1_000_000_000_000_000  # 1000 USDA at 12 decimals, for alice and bob


@pytest.fixture
def devnet() -> Iterator[FaultyDevnet]:
    """A fresh in-memory devnet whose messenger can lose or hold back messages (no faults set)."""
    net = FaultyDevnet(config=DevnetConfig.for_tests())
    yield net
    net.close()


@pytest.fixture
def spawn_tim3(devnet: FaultyDevnet, deployer: Wallet) -> Callable[..., str]:
    """A function that spawns tim3.lua owned by the deployer with the given spawn tags."""

    def spawn(usda: str | None = None, **tags: str) -> str:
        all_tags = {"Name": "TIM3", **({"Usda-Process": usda} if usda else {}), **tags}
        return devnet.spawn(deployer, source("tim3"), tags=all_tags)

    return spawn


@pytest.fixture
def tim3(spawn_tim3: Callable[..., str], usda: str) -> str:
    """TIM3 configured with the standard mock USDA; returns its process id."""
    return spawn_tim3(usda)


@pytest.fixture
def swap(
    devnet: FaultyDevnet, deployer: Wallet, alice: Wallet, bob: Wallet, usda: str, tim3: str
) -> Swap:
    """TIM3 and the standard mock USDA, with FUNDS USDA minted to alice and to bob."""
    for who in (alice, bob):
        usda_mint(devnet, deployer, usda, who, FUNDS)
    return Swap(devnet, usda, tim3, deployer, alice, bob)


def make_swap(
    devnet: FaultyDevnet,
    deployer: Wallet,
    alice: Wallet,
    bob: Wallet,
    spawn_tim3: Callable[..., str],
    usda: str,
    **tags: str,
) -> Swap:
    """A Swap around another USDA variant (or with other spawn tags)."""
    for who in (alice, bob):
        usda_mint(devnet, deployer, usda, who, FUNDS)
    return Swap(devnet, usda, spawn_tim3(usda, **tags), deployer, alice, bob)


@pytest.fixture
def swap_no_xforward(
    devnet: FaultyDevnet,
    deployer: Wallet,
    alice: Wallet,
    bob: Wallet,
    spawn_tim3: Callable[..., str],
    usda_no_xforward: str,
) -> Swap:
    """TIM3 against a USDA that forwards no X- tags."""
    return make_swap(devnet, deployer, alice, bob, spawn_tim3, usda_no_xforward)


@pytest.fixture
def swap_hostile(
    devnet: FaultyDevnet,
    deployer: Wallet,
    alice: Wallet,
    bob: Wallet,
    spawn_tim3: Callable[..., str],
    usda_hostile: str,
) -> Swap:
    """TIM3 against a USDA whose owner can make it send anything (Emit)."""
    return make_swap(devnet, deployer, alice, bob, spawn_tim3, usda_hostile)


@pytest.fixture
def swap_odd(
    devnet: FaultyDevnet,
    deployer: Wallet,
    alice: Wallet,
    bob: Wallet,
    spawn_tim3: Callable[..., str],
    usda_odd_notices: str,
) -> Swap:
    """TIM3 against a USDA whose owner can make it emit odd Credit-Notices (Emit-Odd)."""
    return make_swap(devnet, deployer, alice, bob, spawn_tim3, usda_odd_notices)
