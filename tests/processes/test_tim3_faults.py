"""Faults: lost, duplicated and reordered deliveries, oversized input, and 10,000 users."""

from __future__ import annotations

import random
import time

from tim3_harness import Swap, once, to_process, token_balances

from tim3.arweave import random_id


def test_a_lost_credit_notice_leaves_usda_as_unminted_surplus(swap: Swap) -> None:
    swap.net.faults.append(once(to_process(swap.tim3, "Credit-Notice", swap.usda), "drop"))

    swap.deposit(swap.alice, 500)
    swap.deposit(swap.alice, 20)

    s = swap.check()
    assert (s.supply, s.reserve) == (20, 20)
    assert swap.usda_of(swap.tim3) - (s.supply + s.pending + s.quarantined) == 500  # from outside


def test_every_message_kind_delivered_twice_changes_nothing(swap: Swap) -> None:
    deposit = swap.deposit(swap.alice, 1000)
    transfer = swap.transfer(swap.alice, swap.bob.address, 100)
    redeem = swap.redeem(swap.alice, 100)
    burn = swap.transfer(swap.bob, "burn", 50)
    failed = swap.redeem(swap.alice, 7, Recipient="0x" + "ab" * 20)
    config = swap.owner("Set-Config", **{"Max-Deposit": "999999"})
    before = swap.state().raw
    ids = [
        deposit.first("Credit-Notice", target=swap.tim3).id,
        transfer.id,
        redeem.id,
        burn.id,
        redeem.first("Debit-Notice", target=swap.tim3).id,
        failed.id,
        failed.first("Transfer-Error", target=swap.tim3).id,
        config.id,
    ]

    for message_id in ids:
        again = swap.net.assign(swap.tim3, message_id)
        assert again.ok and not again.find("Transfer") and not again.find("Credit-Notice")

    after = swap.state().raw
    assert after == before
    swap.check()


def test_debit_notices_arriving_in_reverse_order_settle_each_payout(swap: Swap) -> None:
    swap.deposit(swap.alice, 1000)
    swap.net.faults.append(
        lambda s, out: (
            "hold" if out.tag("Action") == "Debit-Notice" and out.target == swap.tim3 else None
        )
    )
    first, second = swap.redeem(swap.alice, 100), swap.redeem(swap.alice, 200)
    swap.net.faults.clear()
    assert set(swap.state().pending_payouts()) == {first.id, second.id}

    swap.net.release(1)
    swap.net.release(0)

    s = swap.check()
    assert (s.supply, s.reserve, s.pending, s.payouts) == (700, 700, 0, {})


def test_credit_notices_delivered_late_and_out_of_order_mint_once_each(swap: Swap) -> None:
    swap.net.faults.append(
        lambda s, out: (
            "hold" if out.tag("Action") == "Credit-Notice" and out.target == swap.tim3 else None
        )
    )
    for q in (1, 2, 3):
        swap.deposit(swap.alice, q)
    swap.deposit(swap.bob, 10)
    swap.net.faults.clear()
    assert swap.state().supply == 0

    for index in (3, 1, 0, 0):
        swap.net.release(index)

    s = swap.check()
    assert s.balances == {swap.alice.address: 6, swap.bob.address: 10}


def test_a_debit_notice_before_a_later_redeem_of_the_same_holder(swap: Swap) -> None:
    swap.deposit(swap.alice, 1000)
    swap.net.faults.append(once(to_process(swap.tim3, "Debit-Notice"), "hold"))
    held = swap.redeem(swap.alice, 300)
    swap.redeem(swap.alice, 700)

    swap.net.release()

    s = swap.check()
    assert (s.balances, s.reserve, s.pending) == ({}, 0, 0)
    assert held.id not in s.payouts


def test_oversized_tags_and_data_are_handled_and_never_forwarded_whole(swap: Swap) -> None:
    many = {f"X-Tag-{i:03d}": "v" * 10 for i in range(100)}
    huge = {"X-Huge": "h" * 100_000}

    r = swap.deposit(swap.alice, 1000, **many, **huge)
    t = swap.net.send(
        swap.alice,
        swap.tim3,
        data="d" * 1_000_000,
        tags={"Action": "Transfer", "Recipient": swap.bob.address, "Quantity": "1", **huge},
    )
    e = swap.transfer(swap.alice, "r" * 10_000, 1)

    notice = r.first("Credit-Notice", sender=swap.tim3)
    assert len([n for n, _ in notice.tags if n.startswith("X-")]) == 16
    assert notice.tag("X-Huge") is None and t.first("Credit-Notice").tag("X-Huge") is None
    assert len(e.first("Transfer-Error").tag("Error")) < 200
    assert swap.check().balances == {swap.alice.address: 999, swap.bob.address: 1}


def test_ten_thousand_depositors_and_ten_thousand_redeems_end_exactly_right(swap: Swap) -> None:
    rng = random.Random(3)
    users = [random_id() for _ in range(10_000)]
    funds = {u: rng.randrange(1, 10**20) for u in users}
    lines = "\n".join(f'b["{u}"] = "{q}"' for u, q in funds.items())
    total = sum(funds.values()) + 2 * 10**15
    assert swap.net.eval(
        swap.deployer, swap.usda, f'local b = Balances\n{lines}\nTotalSupply = "{total}"'
    ).ok
    started = time.perf_counter()

    for u in users:
        swap.deposit(u, funds[u])
    mid = swap.check()
    redeemed = {u: rng.randrange(1, funds[u] + 1) for u in users}
    for u in users:
        swap.redeem(u, redeemed[u])

    s = swap.check()
    assert mid.supply == mid.reserve == sum(funds.values())
    left = {u: funds[u] - redeemed[u] for u in users if funds[u] > redeemed[u]}
    assert s.balances == left and s.supply == s.reserve == sum(left.values())
    assert (s.pending, s.payouts) == (0, {})
    usda = token_balances(swap.net, swap.usda)
    assert all(usda.get(u, 0) == redeemed[u] for u in users)
    assert usda[swap.tim3] == s.reserve
    assert swap.net.process(swap.tim3).vm.memory_used() < 64 * 1024 * 1024
    print(f"20,000 swaps in {time.perf_counter() - started:.1f} s")
