"""Redeems: burn first, one USDA Transfer per payout, settle once on the matching Debit-Notice,
restore on Transfer-Error, surface payouts that stay pending."""

from __future__ import annotations

import json

import pytest
from tim3_harness import BAD_QUANTITIES, Swap, emit, error_of, once, sent_by, to_process, usda_mint

from tim3.arweave import random_id

FUNDS = 10**15


def _payout_transfer(r, swap: Swap):  # noqa: ANN001, ANN202
    found = [m for m in r.messages if m.from_ == swap.tim3 and m.action == "Transfer"]
    assert len(found) == 1, r.tree.render()
    return found[0]


def test_a_redeem_burns_pays_usda_and_settles(swap: Swap) -> None:
    swap.deposit(swap.alice, 1000)

    r = swap.redeem(swap.alice, 400, **{"X-Swap-Id": "r-1"})

    s = swap.check()
    assert (s.balances, s.supply, s.reserve, s.pending, s.payouts) == (
        {swap.alice.address: 600},
        600,
        600,
        0,
        {},
    )
    transfer = _payout_transfer(r, swap)
    assert (transfer.process, transfer.tag("Recipient"), transfer.tag("Quantity")) == (
        swap.usda,
        swap.alice.address,
        "400",
    )
    assert transfer.tag("X-Payout-Id") == r.id and transfer.tag("X-Swap-Id") == "r-1"
    notice = r.first("Redeem-Notice")
    assert (notice.process, notice.tag("Payout-Id"), notice.tag("Quantity")) == (
        swap.alice.address,
        r.id,
        "400",
    )
    assert swap.usda_of(swap.alice) == FUNDS - 600 and swap.usda_of(swap.tim3) == 600
    assert r.first("Credit-Notice", sender=swap.usda).tag("X-Swap-Id") == "r-1"


def test_a_redeem_can_pay_another_recipient(swap: Swap) -> None:
    swap.deposit(swap.alice, 1000)
    carol = random_id()

    r = swap.redeem(swap.alice, 1000, Recipient=carol)

    assert swap.usda_of(carol) == 1000 and r.first("Redeem-Notice").process == swap.alice.address
    assert swap.check().balances == {}


def test_a_transfer_to_burn_redeems_to_the_sender(swap: Swap) -> None:
    swap.deposit(swap.alice, 1000)

    r = swap.transfer(swap.alice, "burn", 250)

    assert _payout_transfer(r, swap).tag("Recipient") == swap.alice.address
    s = swap.check()
    assert (s.supply, s.reserve) == (750, 750) and swap.usda_of(swap.tim3) == 750


def test_redeeming_exactly_the_balance_removes_the_holder(swap: Swap) -> None:
    swap.deposit(swap.alice, 1000)
    swap.deposit(swap.bob, 5)

    swap.redeem(swap.alice, 1000)

    assert swap.check().balances == {swap.bob.address: 5}


def test_redeeming_more_than_the_balance_is_refused(swap: Swap) -> None:
    swap.deposit(swap.alice, 1000)
    before = swap.state().comparable()

    r = swap.redeem(swap.alice, 1001)

    assert swap.state().comparable() == before
    assert error_of(r, "Redeem-Error") == "Insufficient balance: has 1000, needs 1001"
    assert sent_by(r, swap.tim3) == [("Redeem-Error", swap.alice.address)]


def test_two_redeems_summing_over_the_balance_pay_only_the_first(swap: Swap) -> None:
    swap.deposit(swap.alice, 1000)
    swap.net.faults.append(lambda s, out: "hold" if out.target == swap.usda else None)

    first = swap.redeem(swap.alice, 600)
    second = swap.redeem(swap.alice, 600)
    swap.net.faults.clear()
    swap.net.release()

    assert first.find("Redeem-Error") == [] and second.first("Redeem-Error")
    s = swap.check()
    assert (s.supply, s.reserve, s.pending) == (400, 400, 0)


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_a_redeem_with_a_bad_quantity_is_refused(swap: Swap, quantity: str) -> None:
    swap.deposit(swap.alice, 1000)
    before = swap.state().comparable()

    r = swap.redeem(swap.alice, quantity)

    assert swap.state().comparable() == before
    assert error_of(r, "Redeem-Error").startswith("Quantity")


@pytest.mark.parametrize("recipient", ["tim3", "usda", "short", ""])
def test_a_redeem_to_an_unusable_recipient_is_refused(swap: Swap, recipient: str) -> None:
    swap.deposit(swap.alice, 1000)
    before = swap.state().comparable()

    r = swap.redeem(swap.alice, 1, Recipient=getattr(swap, recipient, recipient))

    assert swap.state().comparable() == before
    assert "Recipient" in error_of(r, "Redeem-Error")


def test_redeeming_while_paused_is_refused_in_both_forms(swap: Swap) -> None:
    swap.deposit(swap.alice, 1000)
    swap.owner("Pause-Redeem")
    before = swap.state().comparable()

    redeem = swap.redeem(swap.alice, 1)
    burn = swap.transfer(swap.alice, "burn", 1)

    assert swap.state().comparable() == before
    assert error_of(redeem, "Redeem-Error") == "Redeeming is paused; try again later"
    assert error_of(burn, "Transfer-Error") == "Redeeming is paused; try again later"


def test_a_transfer_error_from_usda_restores_the_tim3(swap: Swap) -> None:
    swap.deposit(swap.alice, 1000)
    eth = "0x" + "ab" * 20  # the mock USDA pays only 43-character addresses

    r = swap.redeem(swap.alice, 300, Recipient=eth)

    assert r.first("Transfer-Error", sender=swap.usda).process == swap.tim3
    error = r.first("Redeem-Error")
    assert (error.process, error.tag("Payout-Id"), error.tag("Quantity")) == (
        swap.alice.address,
        r.id,
        "300",
    )
    assert "your TIM3 was restored" in error.tag("Error")
    s = swap.check()
    assert (s.balances, s.supply, s.reserve, s.pending) == (
        {swap.alice.address: 1000},
        1000,
        1000,
        0,
    )
    assert s.payouts[r.id]["Status"] == "Failed"


def test_a_payout_usda_never_answers_stays_pending_and_turns_stale(swap: Swap) -> None:
    swap.deposit(swap.alice, 1000)
    swap.net.faults.append(once(to_process(swap.usda, "Transfer", swap.tim3), "drop"))

    r = swap.redeem(swap.alice, 100)

    s = swap.check()
    assert (s.supply, s.pending, s.reserve) == (900, 100, 1000)
    fresh = json.loads(swap.send(swap.bob, "Payouts").result.messages[0].data)
    assert [(p["Id"], p["Status"], p["Stale"], p["Quantity"]) for p in fresh] == [
        (r.id, "Pending", "false", "100")
    ]
    swap.net.advance(3_600_001)
    stale = json.loads(swap.send(swap.bob, "Payouts").result.messages[0].data)
    assert stale[0]["Stale"] == "true"
    reserves = swap.send(swap.bob, "Reserves").result.messages[0]
    assert (reserves.tag("Payouts-Pending"), reserves.tag("Payouts-Stale")) == ("1", "1")
    assert reserves.tag("Invariant") == "ok"


@pytest.mark.parametrize(
    ("outcome", "alice_tim3", "reserve"), [("Paid", 900, 900), ("Failed", 1000, 1000)]
)
def test_the_owner_resolves_a_stale_payout(
    swap: Swap, outcome: str, alice_tim3: int, reserve: int
) -> None:
    swap.deposit(swap.alice, 1000)
    swap.net.faults.append(once(to_process(swap.usda, "Transfer", swap.tim3), "drop"))
    r = swap.redeem(swap.alice, 100)
    early = swap.owner("Resolve-Payout", **{"Payout-Id": r.id, "Outcome": outcome})
    swap.net.advance(3_600_001)

    done = swap.owner("Resolve-Payout", **{"Payout-Id": r.id, "Outcome": outcome})

    assert "not stale yet" in error_of(early, "Resolve-Payout-Error")
    assert done.first("Resolve-Payout-Notice").tag("Outcome") == outcome
    s = swap.state()
    assert (s.balances.get(swap.alice.address), s.reserve, s.pending) == (alice_tim3, reserve, 0)


def test_debit_notices_for_unknown_payouts_or_other_amounts_settle_nothing(
    swap_hostile: Swap,
) -> None:
    swap = swap_hostile
    swap.deposit(swap.alice, 1000)
    swap.net.faults.append(once(to_process(swap.tim3, "Debit-Notice", swap.usda), "hold"))
    r = swap.redeem(swap.alice, 100)
    pending = swap.state().comparable()
    forged = [
        {"X-Payout-Id": random_id(), "Recipient": swap.alice.address, "Quantity": "100"},
        {"X-Payout-Id": r.id, "Recipient": swap.alice.address, "Quantity": "99"},
        {"X-Payout-Id": r.id, "Recipient": swap.alice.address, "Quantity": "0100"},
        {"X-Payout-Id": r.id, "Recipient": swap.bob.address, "Quantity": "100"},
        {"X-Reference": r.id, "Recipient": swap.bob.address, "Quantity": "100"},
    ]

    for tags in forged:
        emit(swap.net, swap.deployer, swap.usda, swap.tim3, {"Action": "Debit-Notice", **tags})

    assert swap.state().comparable() == pending
    swap.net.release()
    s = swap.check()
    assert (s.supply, s.reserve, s.pending, s.payouts) == (900, 900, 0, {})


def test_the_same_debit_notice_twice_settles_once(swap: Swap) -> None:
    swap.deposit(swap.alice, 1000)
    r = swap.redeem(swap.alice, 100)

    again = swap.net.assign(swap.tim3, r.first("Debit-Notice", target=swap.tim3).id)

    assert again.messages == []
    s = swap.check()
    assert (s.reserve, s.supply) == (900, 900) and swap.usda_of(swap.tim3) == 900


def test_a_process_can_deposit_and_redeem(swap: Swap, token_holder: str) -> None:
    usda_mint(swap.net, swap.deployer, swap.usda, token_holder, 500)
    pay = {"Action": "Pay", "Token": swap.usda, "Recipient": swap.tim3, "Quantity": "500"}
    swap.net.send(swap.deployer, token_holder, tags=pay)

    r = swap.net.send(
        swap.deployer,
        token_holder,
        tags={**pay, "Token": swap.tim3, "Recipient": "burn", "Quantity": "200"},
    )

    assert r.first("Redeem-Notice").process == token_holder
    assert swap.check().balances == {token_holder: 300}
    assert swap.usda_of(token_holder) == 200


def test_a_forged_transfer_error_routed_by_reply_to_restores_nothing(swap: Swap) -> None:
    swap.deposit(swap.alice, 1000)
    swap.net.faults.append(once(to_process(swap.usda, "Transfer", swap.tim3), "hold"))
    r = swap.redeem(swap.alice, 1000)

    # alice makes USDA answer a failing transfer of hers to TIM3, with the payout's reference
    fake = swap.net.send(
        swap.alice,
        swap.usda,
        tags={
            "Action": "Transfer",
            "Recipient": swap.bob.address,
            "Quantity": str(10**18),
            "Reply-To": swap.tim3,
            "X-Reference": r.id,
            "X-Payout-Id": r.id,
        },
    )
    swap.net.release()

    assert fake.first("Transfer-Error").process == swap.tim3
    s = swap.check()
    assert (s.balances, s.supply, s.reserve) == ({}, 0, 0)
    assert swap.usda_of(swap.alice) == FUNDS


def test_a_debit_notice_routed_by_reply_to_settles_only_at_the_senders_expense(swap: Swap) -> None:
    swap.deposit(swap.alice, 1000)
    swap.net.faults.append(once(to_process(swap.usda, "Transfer", swap.tim3), "hold"))
    r = swap.redeem(swap.alice, 100)

    swap.net.send(
        swap.bob,
        swap.usda,
        tags={
            "Action": "Transfer",
            "Recipient": swap.alice.address,
            "Quantity": "100",
            "Reply-To": swap.tim3,
            "X-Payout-Id": r.id,
        },
    )
    swap.net.release()

    s = swap.check()
    assert (s.supply, s.reserve, s.pending, s.payouts) == (900, 900, 0, {})
    assert swap.usda_of(swap.alice) == FUNDS - 1000 + 200  # paid twice: once by bob


def test_a_redeem_cannot_smuggle_its_own_payout_tags(swap: Swap) -> None:
    swap.deposit(swap.alice, 1000)

    r = swap.redeem(
        swap.alice, 10, **{"X-Payout-Id": "mine", "X-Reference": "mine", "X-Refund-Of": "x"}
    )

    transfer = _payout_transfer(r, swap)
    assert transfer.tag("X-Payout-Id") == r.id and transfer.tag("X-Reference") == r.id
    assert transfer.tag("X-Refund-Of") is None


def test_a_usda_without_x_forwarding_settles_by_reference(swap_no_xforward: Swap) -> None:
    swap = swap_no_xforward
    swap.deposit(swap.alice, 1000)

    r = swap.redeem(swap.alice, 100)

    assert r.first("Debit-Notice", target=swap.tim3).tag("X-Payout-Id") is None
    assert r.first("Redeem-Notice")
    s = swap.check()
    assert (s.reserve, s.pending, s.payouts) == (900, 0, {})


def test_a_payout_that_happens_after_it_was_restored_is_taken_back(swap: Swap) -> None:
    swap.deposit(swap.alice, 1000)
    swap.net.faults.append(once(to_process(swap.usda, "Transfer", swap.tim3), "hold"))
    r = swap.redeem(swap.alice, 100)
    swap.net.advance(3_600_001)
    swap.owner("Resolve-Payout", **{"Payout-Id": r.id, "Outcome": "Failed"})

    late = swap.net.release()

    assert "burned again" in late.first("Redeem-Notice").data
    s = swap.check()
    assert (s.balances, s.supply, s.reserve, s.payouts) == ({swap.alice.address: 900}, 900, 900, {})


def test_a_late_payout_of_restored_tim3_already_spent_is_reported_as_shortfall(swap: Swap) -> None:
    swap.deposit(swap.alice, 1000)
    swap.net.faults.append(once(to_process(swap.usda, "Transfer", swap.tim3), "hold"))
    r = swap.redeem(swap.alice, 100)
    swap.net.advance(3_600_001)
    swap.owner("Resolve-Payout", **{"Payout-Id": r.id, "Outcome": "Failed"})
    swap.transfer(swap.alice, swap.bob.address, 1000)

    swap.net.release()

    reserves = swap.send(swap.bob, "Reserves").result.messages[0]
    assert (reserves.tag("Shortfall"), reserves.tag("Invariant")) == ("100", "broken")
    s = swap.state()
    assert s.reserve + s.shortfall == s.supply + s.pending + s.quarantined
