"""Fixtures for the orchestration tests: Coordinator v2 and the V1 orchestrator, each with its
sub-processes spawned by the deployer, authorized, configured, and alice and bob funded."""

from __future__ import annotations

import pytest
from orchestration_harness import V1, V2, build_v1, build_v2

from tim3.arweave import Wallet
from tim3.devnet import Devnet


@pytest.fixture
def v2(devnet: Devnet, deployer: Wallet, alice: Wallet, bob: Wallet, usda: str) -> V2:
    """Coordinator v2, Token Manager, State Manager and the mock USDA, ready for deposits."""
    return build_v2(devnet, deployer, alice, bob, usda)


@pytest.fixture
def v1(devnet: Devnet, deployer: Wallet, alice: Wallet, bob: Wallet) -> V1:
    """The V1 orchestrator with Lock Manager, Token Manager, State Manager and lockable USDA."""
    return build_v1(devnet, deployer, alice, bob)
