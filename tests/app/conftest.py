"""Fixtures for the gateway tests: a local TIM3 environment served by the gateway, over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tim3.app import GatewayServer, LocalChain
from tim3.devnet import DevnetConfig
from tim3.ops import LocalNet, start_local

USDA = 10**12


@pytest.fixture
def net() -> Iterator[LocalNet]:
    """A fresh in-memory local environment: USDA and TIM3 deployed, alice and bob hold 1000 USDA."""
    local = start_local(None, ("alice", "bob"), config=DevnetConfig.for_tests())
    yield local
    local.devnet.close()


@pytest.fixture
def chain(net: LocalNet) -> LocalChain:
    """The gateway's view of that environment."""
    return LocalChain.from_localnet(net)


@pytest.fixture
def gateway(chain: LocalChain) -> Iterator[GatewayServer]:
    """The gateway served on a free port of 127.0.0.1."""
    with GatewayServer(chain, port=0) as server:
        yield server


@pytest.fixture
def api(gateway: GatewayServer) -> Iterator[httpx.Client]:
    """An HTTP client for the gateway."""
    with httpx.Client(base_url=gateway.url, timeout=30) as client:
        yield client
