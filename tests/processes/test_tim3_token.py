"""TIM3 as a token: Info, Balance, Balances, Total-Supply, Transfer, and what it refuses."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from tim3_harness import (
    BAD_QUANTITIES,
    TIM3_STATE_GLOBALS,
    FaultyDevnet,
    Swap,
    error_of,
    sent_by,
)

from tim3.arweave import Wallet, random_id
from tim3.errors import DevnetError
from tim3.processes import source


def test_info_reports_identity_settings_and_numbers_as_strings(swap: Swap) -> None:
    swap.deposit(swap.alice, 500)

    r = swap.send(swap.bob, "Info")

    [reply] = r.result.messages
    assert reply.target == swap.bob.address and reply.tag("Action") is None
    expected = {
        "Name": "TIM3",
        "Ticker": "TIM3",
        "Denomination": "12",
        "Total-Supply": "500",
        "Reserve": "500",
        "Pending-Payouts": "0",
        "Quarantined": "0",
        "Surplus": "0",
        "Shortfall": "0",
        "Usda-Process": swap.usda,
        "Mint-Paused": "false",
        "Redeem-Paused": "false",
        "Payout-Timeout": "3600000",
        "Owner": swap.deployer.address,
    }
    assert {k: reply.tag(k) for k in expected} == expected
    assert reply.tag("Max-Deposit") is None and reply.tag("Logo") is None  # unset: no empty tags
    data = json.loads(reply.data)
    assert {k: data[k] for k in expected} == expected
    assert data["Max-Deposit"] == "" and all(isinstance(v, str) for v in data.values())


def test_get_config_replies_what_info_replies(swap: Swap) -> None:
    info = swap.send(swap.bob, "Info").result.messages[0]

    config = swap.send(swap.bob, "Get-Config").result.messages[0]

    def strip(tags: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [t for t in tags if t[0] != "Reference"]

    assert strip(config.tags) == strip(info.tags) and config.data == info.data


def test_balance_defaults_to_the_sender_and_reads_target_or_recipient(swap: Swap) -> None:
    swap.deposit(swap.alice, 700)

    own = swap.send(swap.alice, "Balance").result.messages[0]
    by_target = swap.send(swap.bob, "Balance", Target=swap.alice.address).result.messages[0]
    by_recipient = swap.send(swap.bob, "Balance", Recipient=swap.alice.address).result.messages[0]
    unknown = swap.send(swap.bob, "Balance").result.messages[0]

    for reply in (own, by_target, by_recipient):
        assert (reply.tag("Balance"), reply.tag("Account"), reply.tag("Ticker"), reply.data) == (
            "700",
            swap.alice.address,
            "TIM3",
            "700",
        )
    assert (unknown.tag("Balance"), unknown.tag("Account")) == ("0", swap.bob.address)


def test_balances_is_a_json_object_even_when_empty(swap: Swap) -> None:
    empty = swap.send(swap.bob, "Balances").result.messages[0]
    swap.deposit(swap.alice, 9)

    full = swap.send(swap.bob, "Balances").result.messages[0]

    assert empty.data == "{}"
    assert json.loads(full.data) == {swap.alice.address: "9"}


def test_total_supply_replies_without_an_action(swap: Swap) -> None:
    swap.deposit(swap.alice, 42)

    [reply] = swap.send(swap.bob, "Total-Supply").result.messages

    assert (reply.tag("Action"), reply.tag("Total-Supply"), reply.data) == (None, "42", "42")


def test_transfer_moves_the_balance_and_notifies_both_sides_with_x_tags(swap: Swap) -> None:
    swap.deposit(swap.alice, 1000)

    r = swap.transfer(swap.alice, swap.bob.address, 300, **{"X-Order-Id": "o-1"})

    s = swap.check()
    assert s.balances == {swap.alice.address: 700, swap.bob.address: 300}
    debit, credit = r.first("Debit-Notice"), r.first("Credit-Notice")
    assert debit.process == swap.alice.address and credit.process == swap.bob.address
    assert (debit.tag("Recipient"), debit.tag("Quantity"), debit.tag("X-Order-Id")) == (
        swap.bob.address,
        "300",
        "o-1",
    )
    assert (credit.tag("Sender"), credit.tag("Quantity"), credit.tag("X-Order-Id")) == (
        swap.alice.address,
        "300",
        "o-1",
    )
    assert "X-Order-Id" not in json.dumps(s.raw)  # forwarded, never stored


def test_transfer_with_cast_sends_no_notices(swap: Swap) -> None:
    swap.deposit(swap.alice, 1000)

    r = swap.transfer(swap.alice, swap.bob.address, 1, Cast="true")

    assert r.ok and r.messages == []
    assert swap.check().balances[swap.bob.address] == 1


def test_transfer_to_self_keeps_the_balance(swap: Swap) -> None:
    swap.deposit(swap.alice, 1000)

    r = swap.transfer(swap.alice, swap.alice.address, 1000)

    assert swap.check().balances == {swap.alice.address: 1000}
    assert [m.action for m in r.messages] == ["Debit-Notice", "Credit-Notice"]


@pytest.mark.parametrize("which", ["tim3", "usda"])
def test_transfer_to_the_tim3_or_usda_process_is_refused(swap: Swap, which: str) -> None:
    swap.deposit(swap.alice, 1000)
    before = swap.state().comparable()

    r = swap.transfer(swap.alice, getattr(swap, which), 10)

    assert swap.state().comparable() == before
    assert sent_by(r, swap.tim3) == [("Transfer-Error", swap.alice.address)]
    assert "Recipient cannot be the" in error_of(r, "Transfer-Error")


@pytest.mark.parametrize(
    "recipient",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("abc", id="short"),
        pytest.param("a" * 44, id="44-chars"),
        pytest.param("a" * 42 + " ", id="space"),
        pytest.param("BURN", id="BURN"),
        pytest.param("0x" + "g" * 40, id="bad-0x"),
    ],
)
def test_transfer_with_a_malformed_recipient_replies_transfer_error(
    swap: Swap, recipient: str | None
) -> None:
    swap.deposit(swap.alice, 1000)
    before = swap.state().comparable()
    tags = {"Action": "Transfer", "Quantity": "1"}
    if recipient is not None:
        tags["Recipient"] = recipient

    r = swap.net.send(swap.alice, swap.tim3, tags=tags)

    assert swap.state().comparable() == before
    assert "Recipient must be an address" in error_of(r, "Transfer-Error")


def test_transfer_to_an_ethereum_address_is_accepted(swap: Swap) -> None:
    swap.deposit(swap.alice, 1000)
    eth = "0x" + "aB" * 20

    swap.transfer(swap.alice, eth, 5)

    assert swap.check().balances[eth] == 5


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_transfer_with_a_bad_quantity_replies_transfer_error(swap: Swap, quantity: str) -> None:
    swap.deposit(swap.alice, 1000)
    before = swap.state().comparable()

    r = swap.transfer(swap.alice, swap.bob.address, quantity)

    assert r.ok and swap.state().comparable() == before
    assert sent_by(r, swap.tim3) == [("Transfer-Error", swap.alice.address)]
    assert error_of(r, "Transfer-Error").startswith("Quantity")


def test_transfer_without_quantity_replies_transfer_error(swap: Swap) -> None:
    r = swap.net.send(
        swap.alice, swap.tim3, tags={"Action": "Transfer", "Recipient": swap.bob.address}
    )

    assert error_of(r, "Transfer-Error") == (
        "Quantity is required: a positive whole number of base units"
    )


@pytest.mark.parametrize("quantity", [str(2**53 + 1), str(2**63), str(2**64)])
def test_transfer_of_more_than_the_balance_is_refused_exactly(swap: Swap, quantity: str) -> None:
    swap.deposit(swap.alice, 1000)
    before = swap.state().comparable()

    r = swap.transfer(swap.alice, swap.bob.address, quantity)

    assert swap.state().comparable() == before
    assert error_of(r, "Transfer-Error") == f"Insufficient balance: has 1000, needs {quantity}"


def test_transfer_error_carries_the_message_id(swap: Swap) -> None:
    r = swap.transfer(swap.alice, swap.bob.address, 1)

    assert r.first("Transfer-Error").tag("Message-Id") == r.id


def test_replies_go_to_the_sender_never_to_reply_to(swap: Swap) -> None:
    swap.deposit(swap.alice, 10)
    elsewhere = random_id()

    balance = swap.send(swap.alice, "Balance", **{"Reply-To": elsewhere})
    moved = swap.transfer(swap.alice, swap.bob.address, 1, **{"Reply-To": elsewhere})
    failed = swap.transfer(swap.alice, swap.bob.address, 99, **{"Reply-To": elsewhere})

    assert [m.process for m in balance.messages] == [swap.alice.address]
    assert moved.first("Debit-Notice").process == swap.alice.address
    assert failed.first("Transfer-Error").process == swap.alice.address
    assert not any(m.process == elsewhere for r in (balance, moved, failed) for m in r.messages)


def test_replies_echo_the_request_reference(swap: Swap) -> None:
    r = swap.send(swap.alice, "Balance", **{"X-Reference": "ref-7"})

    assert r.result.messages[0].tag("X-Reference") == "ref-7"


@pytest.mark.parametrize(
    "action", ["Info", "Balance", "Balances", "Total-Supply", "Reserves", "Payouts", "Get-Config"]
)
def test_read_only_actions_never_change_state(swap: Swap, action: str) -> None:
    swap.deposit(swap.alice, 1000)
    swap.redeem(swap.alice, 10)
    before = swap.state().raw

    r = swap.send(swap.bob, action, Timestamp="1", Quantity="5", Recipient=swap.bob.address)

    assert r.ok and len(r.result.messages) == 1
    assert swap.state().raw == before


@pytest.mark.parametrize(
    "tags",
    [
        pytest.param({"Action": "Nonsense"}, id="unknown"),
        pytest.param({}, id="missing"),
        pytest.param(
            {"Action": "transfer", "Recipient": "x" * 43, "Quantity": "1"}, id="lower-case"
        ),
        pytest.param({"Action": "CREDIT-NOTICE", "Sender": "x" * 43, "Quantity": "1"}, id="upper"),
        pytest.param({"Action": "Eval"}, id="eval-from-a-stranger"),
    ],
)
def test_unknown_or_missing_action_gets_no_reply_and_leaves_no_trace(
    swap: Swap, tags: dict[str, str]
) -> None:
    swap.deposit(swap.alice, 1000)
    before = swap.state().raw

    r = swap.net.send(swap.bob, swap.tim3, tags=tags, data="Balances['x'] = '1'")

    assert r.ok and r.messages == []
    assert swap.state().raw == before  # not even an Inbox entry


@pytest.mark.parametrize("action", ["Mint", "Burn"])
@pytest.mark.parametrize("who", ["deployer", "alice"])
def test_mint_and_burn_are_refused_even_for_the_owner(swap: Swap, action: str, who: str) -> None:
    swap.deposit(swap.alice, 1000)
    before = swap.state().comparable()

    r = swap.send(getattr(swap, who), action, Quantity="1000", Recipient=swap.bob.address)

    assert swap.state().comparable() == before
    assert sent_by(r, swap.tim3) == [(f"{action}-Error", getattr(swap, who).address)]


@pytest.mark.parametrize("action", ["Transfer", "Redeem"])
def test_a_request_carrying_an_id_tag_is_refused(swap: Swap, action: str) -> None:
    swap.deposit(swap.alice, 1000)
    before = swap.state().comparable()

    r = swap.send(swap.alice, action, Quantity="1", Recipient=swap.bob.address, Id=random_id())

    assert swap.state().comparable() == before
    assert "The Id tag is reserved" in error_of(r, f"{action}-Error")


# -- the process itself --------------------------------------------------------------------------


def _globals(net: FaultyDevnet, pid: str) -> set[str]:
    keys = net.process(pid).vm.eval_host(
        "local t = {} for k in pairs(_G) do t[#t + 1] = tostring(k) end return table.concat(t, ' ')"
    )
    return set(keys.split())


def test_the_process_defines_only_the_globals_of_its_state_block(
    devnet: FaultyDevnet, deployer: Wallet, tim3: str
) -> None:
    bare = devnet.spawn(deployer, None)

    added = _globals(devnet, tim3) - _globals(devnet, bare)

    assert added == set(TIM3_STATE_GLOBALS)
    text = source("tim3")
    state_block = text.split("-- State ---")[1].split("-- Helpers ---")[0]
    documented = [
        line.split(" = ")[0]
        for line in state_block.splitlines()
        if " = " in line and not line.startswith("--")
    ]
    assert documented == TIM3_STATE_GLOBALS


def test_spawning_without_an_authority_is_refused(
    devnet: FaultyDevnet, deployer: Wallet, usda: str
) -> None:
    with pytest.raises(DevnetError, match="Authority spawn tag"):
        devnet.spawn(deployer, source("tim3"), tags={"Usda-Process": usda}, authority=None)


@pytest.mark.parametrize(
    "tags",
    [
        pytest.param({"Usda-Process": "short"}, id="usda-process"),
        pytest.param({"Mint-Paused": "yes"}, id="mint-paused"),
        pytest.param({"Max-Deposit": "1.5"}, id="max-deposit"),
        pytest.param({"Denomination": "-1"}, id="denomination"),
    ],
)
def test_spawning_with_a_bad_setting_is_refused(
    spawn_tim3: Callable[..., str], tags: dict[str, str]
) -> None:
    with pytest.raises(DevnetError, match="TIM3 spawn tags"):
        spawn_tim3(**tags)


def test_spawn_tags_are_read_in_any_spelling(
    spawn_tim3: Callable[..., str], usda: str, devnet: FaultyDevnet
) -> None:
    pid = spawn_tim3(
        None,
        **{"USDA-Process": usda, "mint_paused": "true", "MAX-DEPOSIT": "500", "Denomination": "6"},
    )

    config = Swap(devnet, usda, pid, *(devnet.wallet(n) for n in ("deployer", "alice", "bob")))
    assert config.state().config == {
        "Usda-Process": usda,
        "Mint-Paused": "true",
        "Max-Deposit": "500",
        "Denomination": "6",
        "Redeem-Paused": "false",
        "Max-Supply": "",
        "Logo": "",
        "Payout-Timeout": "3600000",
    }
