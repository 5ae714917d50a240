"""The TIM3 swap entirely over HTTP through the Python client: spawn, fund, swap, redeem."""

from tim3.client import HttpNetwork
from tim3.devnet import MODULE_ID
from tim3.processes import source

USDA = 10**12


def balance(net: HttpNetwork, token: str, address: str) -> int:
    result = net.dry_run(token, {"Action": "Balance", "Recipient": address})
    return int(result.messages[0].tag("Balance"))


def test_a_swap_and_a_redeem_over_http_move_exactly_the_amounts(node, devnet, deployer, alice):
    owner = HttpNetwork.for_node(node.url, wallet=deployer)
    user = HttpNetwork.for_node(node.url, wallet=alice)
    boot = {"Authority": devnet.mu.address, "On-Boot": "Data"}
    usda = owner.spawn(MODULE_ID, devnet.su.address, {**boot, "Name": "USDA"}, source("usda_mock"))
    tim3 = owner.spawn(MODULE_ID, devnet.su.address, {**boot, "Name": "TIM3", "Usda-Process": usda},
                       source("tim3"))
    owner.message(usda, {"Action": "Mint", "Recipient": alice.address, "Quantity": str(10 * USDA)})

    swap = user.message(usda, {"Action": "Transfer", "Recipient": tim3,
                               "Quantity": str(5 * USDA), "X-Swap": "s1"})
    minted = balance(user, tim3, alice.address)
    redeem = user.message(tim3, {"Action": "Redeem", "Quantity": str(2 * USDA)})

    assert user.result(usda, swap).find("Debit-Notice") is not None
    assert minted == 5 * USDA
    assert user.result(tim3, redeem).ok
    assert balance(user, tim3, alice.address) == 3 * USDA
    assert balance(user, usda, alice.address) == 7 * USDA
    reserves = user.dry_run(tim3, {"Action": "Reserves"}).messages[0]
    assert reserves.tag("Reserve") == str(3 * USDA)
    assert reserves.tag("Invariant") == "ok"
    owner.close()
    user.close()
