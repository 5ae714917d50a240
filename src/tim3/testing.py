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


# -- mock USDA variants and a token-holding process (security tests) --------------------------

TOKEN_HOLDER_LUA = """
-- A test process that holds tokens. It records every Credit-Notice it gets (From, Sender,
-- Quantity), answers Action = Credits with them as JSON, and on Action = Pay from its owner
-- sends Transfer(Recipient, Quantity) to the Token tag's process, passing Quantity unchanged.
local json = require("json")
Credits = Credits or {}

Handlers.add("Pay", Handlers.utils.hasMatchingTag("Action", "Pay"), function(msg)
  if msg.From ~= Owner then return end
  ao.send({ Target = msg.Tags.Token, Action = "Transfer",
    Recipient = msg.Tags.Recipient, Quantity = msg.Tags.Quantity })
end)

local isCredit = Handlers.utils.hasMatchingTag("Action", "Credit-Notice")
Handlers.add("Credit-Notice", isCredit, function(msg)
  table.insert(Credits, { From = msg.From, Sender = msg.Tags.Sender or "",
    Quantity = msg.Tags.Quantity or "" })
end)

Handlers.add("Credits", Handlers.utils.hasMatchingTag("Action", "Credits"), function(msg)
  msg.reply({ Data = #Credits == 0 and "[]" or json.encode(Credits) })
end)
"""


@pytest.fixture
def usda_no_xforward(devnet: Devnet, deployer: Wallet) -> str:
    """A mock USDA that does not forward X- tags into its notices; returns its process id."""
    return devnet.spawn(deployer, source("usda_no_xforward"), tags={"Name": "USDA"})


@pytest.fixture
def usda_odd_notices(devnet: Devnet, deployer: Wallet) -> str:
    """A mock USDA whose owner (the deployer) can make it emit odd Credit-Notices (Emit-Odd)."""
    return devnet.spawn(deployer, source("usda_odd_notices"), tags={"Name": "USDA"})


@pytest.fixture
def usda_hostile(devnet: Devnet, deployer: Wallet) -> str:
    """A mock USDA whose owner (the deployer) can make it send any message (Emit)."""
    return devnet.spawn(deployer, source("usda_hostile"), tags={"Name": "USDA"})


@pytest.fixture
def token_holder(devnet: Devnet, deployer: Wallet) -> str:
    """A process owned by the deployer that records Credit-Notices and pays on Action = Pay."""
    return devnet.spawn(deployer, TOKEN_HOLDER_LUA, tags={"Name": "holder"})
