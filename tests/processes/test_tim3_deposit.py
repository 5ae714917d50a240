"""Deposits: a USDA Credit-Notice mints exactly once; anything else refunds, or mints nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tim3_harness import BAD_QUANTITIES, Swap, emit, error_of, sent_by, token_balances, usda_mint

from tim3.arweave import random_id
from tim3.processes import source


def test_a_deposit_mints_exactly_the_quantity_to_the_sender(swap: Swap) -> None:
    r = swap.deposit(swap.alice, 1234, **{"X-Swap-Id": "s-1"})

    s = swap.check()
    assert (s.balances, s.supply, s.reserve) == ({swap.alice.address: 1234}, 1234, 1234)
    assert swap.usda_of(swap.tim3) == 1234
    notice = r.first("Credit-Notice", sender=swap.tim3)
    assert notice.process == swap.alice.address
    assert (notice.tag("Sender"), notice.tag("Quantity"), notice.tag("X-Swap-Id")) == (
        swap.tim3,
        "1234",
        "s-1",
    )
    assert notice.tag("Deposit-Id") == r.first("Credit-Notice", target=swap.tim3).id


@pytest.mark.parametrize("quantity", [2**53 + 1, 2**63, 2**64, 10**60 - 1])
def test_large_deposits_are_minted_exactly(swap: Swap, quantity: int) -> None:
    usda_mint(swap.net, swap.deployer, swap.usda, swap.alice, quantity)

    swap.deposit(swap.alice, quantity)
    swap.deposit(swap.alice, 1)

    s = swap.check()
    assert s.balances[swap.alice.address] == quantity + 1 and s.reserve == quantity + 1


def test_deposits_from_many_senders_add_up(swap: Swap) -> None:
    swap.deposit(swap.alice, 10)
    swap.deposit(swap.bob, 20)
    swap.deposit(swap.alice, 5)

    s = swap.check()
    assert s.balances == {swap.alice.address: 15, swap.bob.address: 20} and s.reserve == 35


def test_a_duplicated_credit_notice_mints_once(swap: Swap) -> None:
    r = swap.deposit(swap.alice, 100)
    notice = r.first("Credit-Notice", target=swap.tim3)

    again = swap.net.assign(swap.tim3, notice.id)

    assert again.ok and again.messages == []
    assert swap.check().balances == {swap.alice.address: 100}


def _refund(r, swap: Swap) -> tuple[str | None, str | None, str | None]:  # noqa: ANN001
    transfer = r.first("Transfer", sender=swap.tim3)
    assert transfer.process == swap.usda
    return transfer.tag("Recipient"), transfer.tag("Quantity"), transfer.tag("X-Refund-Reason")


def test_a_deposit_while_minting_is_paused_is_refunded_with_the_reason(swap: Swap) -> None:
    swap.owner("Pause-Mint")
    before = swap.state().comparable()

    r = swap.deposit(swap.alice, 500, **{"X-Swap-Id": "s-2"})

    assert swap.state().comparable() == before
    assert _refund(r, swap) == (
        swap.alice.address,
        "500",
        "Minting is paused; your USDA was returned",
    )
    returned = r.find("Credit-Notice", target=swap.alice.address)[0]
    assert (returned.from_, returned.tag("X-Swap-Id")) == (swap.usda, "s-2")
    assert returned.tag("X-Refund-Reason") == "Minting is paused; your USDA was returned"
    assert error_of(r, "Deposit-Error") == "Minting is paused; your USDA was returned"
    assert swap.usda_of(swap.alice) == 10**15 and swap.usda_of(swap.tim3) == 0
    swap.check()


@pytest.mark.parametrize(
    ("cap", "quantity", "minted"),
    [
        ("Max-Deposit", 1000, True),
        ("Max-Deposit", 1001, False),
        ("Max-Supply", 1000, True),
        ("Max-Supply", 1001, False),
    ],
)
def test_deposits_over_a_cap_are_refunded(
    spawn_tim3: Callable[..., str], swap: Swap, cap: str, quantity: int, minted: bool
) -> None:
    swap.owner("Set-Config", data=f'{{"{cap}": "1000"}}')

    r = swap.deposit(swap.alice, quantity)

    s = swap.check()
    assert s.supply == (quantity if minted else 0)
    assert bool(r.find("Transfer", sender=swap.tim3)) is not minted
    if not minted:
        assert cap in _refund(r, swap)[2]


def test_max_supply_counts_what_is_already_minted(swap: Swap) -> None:
    swap.owner("Set-Config", **{"Max-Supply": "1000"})
    swap.deposit(swap.alice, 600)

    r = swap.deposit(swap.bob, 401)

    assert _refund(r, swap)[1] == "401"
    assert swap.check().supply == 600


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_a_usda_notice_with_a_bad_quantity_is_refunded_with_the_raw_string(
    swap_hostile: Swap, quantity: str
) -> None:
    swap = swap_hostile
    before = swap.state().comparable()

    r = emit(
        swap.net,
        swap.deployer,
        swap.usda,
        swap.tim3,
        {"Action": "Credit-Notice", "Sender": swap.alice.address, "Quantity": quantity},
    )

    assert swap.state().comparable() == before
    if quantity == "":
        assert sent_by(r, swap.tim3) == []
    else:
        recipient, raw, reason = _refund(r, swap)
        assert (recipient, raw) == (swap.alice.address, quantity) and reason.startswith("Quantity")
        assert r.first("Deposit-Error").tag("Quantity") == quantity
    swap.check()


def test_a_usda_notice_without_quantity_mints_and_sends_nothing(swap_hostile: Swap) -> None:
    swap = swap_hostile
    before = swap.state().comparable()

    r = emit(
        swap.net,
        swap.deployer,
        swap.usda,
        swap.tim3,
        {"Action": "Credit-Notice", "Sender": swap.alice.address},
    )

    assert swap.state().comparable() == before and sent_by(r, swap.tim3) == []


@pytest.mark.parametrize(
    "sender",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("not-an-address", id="malformed"),
        pytest.param("a" * 44, id="44-chars"),
        pytest.param("tim3", id="tim3-itself"),
    ],
)
def test_a_usda_notice_with_an_unusable_sender_mints_nothing_and_counts_as_surplus(
    swap_hostile: Swap, sender: str | None
) -> None:
    swap = swap_hostile
    tags = {"Action": "Credit-Notice", "Quantity": "77"}
    if sender is not None:
        tags["Sender"] = swap.tim3 if sender == "tim3" else sender

    r = emit(swap.net, swap.deployer, swap.usda, swap.tim3, tags)

    s = swap.state()
    assert sent_by(r, swap.tim3) == []
    assert (s.supply, s.reserve, s.surplus) == (0, 0, 77)


def test_a_usda_mint_to_tim3_is_returned_to_the_usda_process(swap: Swap) -> None:
    r = swap.net.send(
        swap.deployer, swap.usda, tags={"Action": "Mint", "Recipient": swap.tim3, "Quantity": "300"}
    )

    assert _refund(r, swap)[:2] == (swap.usda, "300")
    assert swap.check().supply == 0
    assert token_balances(swap.net, swap.usda).get(swap.tim3, 0) == 0


def test_tokens_of_another_process_are_returned_once_and_never_minted(swap: Swap) -> None:
    other = swap.net.spawn(swap.deployer, source("usda_mock"), tags={"Name": "OTHER"})
    usda_mint(swap.net, swap.deployer, other, swap.alice, 1000)

    r = swap.net.send(
        swap.alice, other, tags={"Action": "Transfer", "Recipient": swap.tim3, "Quantity": "250"}
    )
    again = swap.net.assign(swap.tim3, r.first("Credit-Notice", target=swap.tim3).id)

    back = r.first("Transfer", sender=swap.tim3)
    assert (back.process, back.tag("Recipient"), back.tag("Quantity")) == (
        other,
        swap.alice.address,
        "250",
    )
    assert again.messages == []
    assert token_balances(swap.net, other) == {swap.alice.address: 1000}
    s = swap.check()
    assert (s.supply, s.reserve) == (0, 0)


def test_a_wallet_forging_from_process_usda_is_dropped_by_the_trust_gate(swap: Swap) -> None:
    before = swap.state().raw

    r = swap.net.send(
        swap.alice,
        swap.tim3,
        tags={
            "Action": "Credit-Notice",
            "From-Process": swap.usda,
            "Sender": swap.alice.address,
            "Quantity": "1000000",
        },
    )

    assert r.ok and r.messages == [] and "not trusted" in r.result.output
    assert swap.state().raw == before


def test_a_credit_notice_signed_by_a_wallet_is_ignored(swap: Swap) -> None:
    before = swap.state().raw

    r = swap.net.send(
        swap.alice,
        swap.tim3,
        tags={"Action": "Credit-Notice", "Sender": swap.alice.address, "Quantity": "1000"},
    )

    assert r.messages == [] and swap.state().raw == before


def test_a_genuine_usda_notice_assigned_to_tim3_mints_nothing(swap: Swap) -> None:
    r = swap.net.send(
        swap.alice,
        swap.usda,
        tags={"Action": "Transfer", "Recipient": swap.bob.address, "Quantity": "5"},
    )
    before = swap.state().raw

    assigned = swap.net.assign(swap.tim3, r.first("Credit-Notice").id)

    assert swap.state().raw == before
    assert [m.action for m in assigned.messages] == [None]  # aos's "Assignment is not trusted"


def test_without_a_usda_process_deposits_are_returned(
    spawn_tim3: Callable[..., str], swap: Swap
) -> None:
    lonely = spawn_tim3(None)

    r = swap.net.send(
        swap.alice, swap.usda, tags={"Action": "Transfer", "Recipient": lonely, "Quantity": "40"}
    )

    back = r.first("Transfer", sender=lonely)
    assert (back.process, back.tag("Recipient"), back.tag("Quantity")) == (
        swap.usda,
        swap.alice.address,
        "40",
    )
    assert swap.usda_of(swap.alice) == 10**15


def test_a_deposit_through_a_usda_without_x_forwarding_is_minted(swap_no_xforward: Swap) -> None:
    swap = swap_no_xforward

    r = swap.deposit(swap.alice, 64, **{"X-Swap-Id": "s-3"})

    assert swap.check().balances == {swap.alice.address: 64}
    assert r.first("Credit-Notice", sender=swap.tim3).tag("X-Swap-Id") is None


@pytest.mark.parametrize(
    ("kind", "refunded"),
    [
        ("zero-quantity", "0"),
        ("missing-sender", None),
        ("empty-sender", None),
        ("negative", "-25"),
        ("float", "1.5"),
        ("huge", "1" + "0" * 99),
    ],
)
def test_odd_notices_never_mint(swap_odd: Swap, kind: str, refunded: str | None) -> None:
    swap = swap_odd
    usda_before = token_balances(swap.net, swap.usda)

    r = swap.net.send(
        swap.deployer,
        swap.usda,
        tags={
            "Action": "Emit-Odd",
            "Kind": kind,
            "Target": swap.tim3,
            "Quantity": "25",
            "Sender": swap.alice.address,
        },
    )

    s = swap.check()
    assert (s.supply, s.reserve) == (0, 0)
    refunds = r.find("Transfer", sender=swap.tim3)
    assert [m.tag("Quantity") for m in refunds] == ([refunded] if refunded else [])
    assert s.surplus == (25 if refunded is None else 0)
    assert token_balances(swap.net, swap.usda) == usda_before  # the refunds of nothing failed


def test_a_rejected_deposit_that_is_itself_a_refund_is_quarantined(swap: Swap) -> None:
    swap.owner("Pause-Mint")

    r = swap.deposit(swap.alice, 90, **{"X-Refund-Of": "elsewhere"})

    s = swap.check()
    assert sent_by(r, swap.tim3) == []
    assert (s.quarantined, s.reserve, s.supply) == (90, 90, 0)
    deposit_id = r.first("Credit-Notice", target=swap.tim3).id
    assert s.quarantine == {deposit_id: {"Sender": swap.alice.address, "Quantity": "90"}}


def test_two_paused_swaps_on_one_usda_do_not_bounce_usda_forever(
    spawn_tim3: Callable[..., str], swap: Swap
) -> None:
    other = spawn_tim3(swap.usda)
    swap.deposit(swap.alice, 1000)
    for pid in (swap.tim3, other):
        swap.net.send(swap.deployer, pid, tags={"Action": "Pause-Mint"})

    r = swap.redeem(swap.alice, 1000, Recipient=other)

    assert len(r.messages) < 20
    s = swap.check()
    assert (s.supply, s.quarantined, s.reserve) == (0, 1000, 1000)
    assert swap.usda_of(swap.tim3) == 1000 and swap.usda_of(other) == 0


def test_an_error_inside_the_deposit_logic_refunds_the_deposit(swap: Swap) -> None:
    swap.deposit(swap.alice, 10)
    swap.net.eval(swap.deployer, swap.tim3, 'Config["Max-Deposit"] = "garbage"')
    before = swap.state().comparable()

    r = swap.deposit(swap.bob, 300, **{"X-Swap-Id": "s-4"})

    assert r.ok and swap.state().comparable() == before
    recipient, quantity, reason = _refund(r, swap)
    assert (recipient, quantity) == (swap.bob.address, "300") and "internal error" in reason
    assert r.first("Transfer", sender=swap.tim3).tag("X-Swap-Id") == "s-4"
    assert swap.usda_of(swap.bob) == 10**15


def test_a_deposit_refunded_after_an_internal_error_is_refunded_once(swap: Swap) -> None:
    swap.net.eval(swap.deployer, swap.tim3, 'TotalSupply = "corrupt"')
    r = swap.deposit(swap.bob, 300)

    again = swap.net.assign(swap.tim3, r.first("Credit-Notice", target=swap.tim3).id)

    assert len(r.find("Transfer", sender=swap.tim3)) == 1 and again.messages == []


def test_a_foreign_notice_with_a_random_sender_address_is_returned_to_that_token(
    swap_hostile: Swap,
) -> None:
    swap = swap_hostile
    someone = random_id()
    other = swap.net.spawn(swap.deployer, source("usda_hostile"), tags={"Name": "X"})

    r = emit(
        swap.net,
        swap.deployer,
        other,
        swap.tim3,
        {"Action": "Credit-Notice", "Sender": someone, "Quantity": "5"},
    )

    back = r.first("Transfer", sender=swap.tim3)
    assert (back.process, back.tag("Recipient")) == (other, someone)
    assert swap.check().supply == 0
