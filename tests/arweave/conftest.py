"""Shared wallets for the arweave tests."""

from __future__ import annotations

import pytest

from tim3.arweave import Wallet


@pytest.fixture(scope="session")
def alice() -> Wallet:
    """The dev wallet named alice."""
    return Wallet.from_name("alice")


@pytest.fixture(scope="session")
def bob() -> Wallet:
    """The dev wallet named bob."""
    return Wallet.from_name("bob")
