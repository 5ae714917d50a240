"""The Process Flow Diagram's data: arrows in delivery order, tones, sentences, outcomes."""

from __future__ import annotations

import pytest

from tim3.app import LocalChain, build_flow, plain_error
from tim3.ops import LocalNet

USDA = 10**12


def flow_of(chain: LocalChain, message_id: str) -> dict:
    records, complete = chain.trace(message_id)
    return build_flow(records, chain.tokens, chain.name_of, complete)


def deposit(net: LocalNet, wallet: str, quantity: int) -> str:
    return net.devnet.send(net.wallets[wallet], net.processes["USDA"], tags={
        "Action": "Transfer", "Recipient": net.processes["TIM3"],
        "Quantity": str(quantity)}).id


def test_a_paused_deposit_is_drawn_as_a_refund_with_its_reason(net, chain):
    net.devnet.send(net.deployer, net.processes["TIM3"], tags={"Action": "Pause-Mint"})

    flow = flow_of(chain, deposit(net, "alice", 1 * USDA))

    assert flow["outcome"] == {"kind": "deposit", "status": "refunded",
                               "title": "Refunded: Minting is paused; your USDA was returned",
                               "detail": "USDA returned 1 USDA to alice."}
    tones = {(a["action"], a["from"] == net.processes["TIM3"]): a["tone"] for a in flow["arrows"]}
    assert tones[("Transfer", True)] == "refund"
    assert tones[("Deposit-Error", True)] == "refund"
    steps = [a["step"] for a in flow["arrows"]]
    assert ("TIM3 refused the deposit (Minting is paused; your USDA was returned) and asked "
            "USDA to return 1 USDA") in steps
    assert "Refund: USDA returned 1 USDA to alice" in steps


def test_a_redeem_is_drawn_from_the_burn_to_the_payout(net, chain):
    deposit(net, "alice", 5 * USDA)
    redeem = net.devnet.send(net.wallets["alice"], net.processes["TIM3"],
                             tags={"Action": "Redeem", "Quantity": str(2 * USDA)})

    flow = flow_of(chain, redeem.id)

    assert [(a["action"], a["amount"]) for a in flow["arrows"]] == [
        ("Redeem", "2 TIM3"), ("Transfer", "2 USDA"), ("Debit-Notice", "2 USDA"),
        ("Credit-Notice", "2 USDA"), ("Redeem-Notice", "2 USDA")]
    assert flow["arrows"][1]["step"] == "TIM3 burned 2 TIM3 and asked USDA to pay alice 2 USDA"
    assert flow["outcome"]["status"] == "redeemed"
    assert flow["outcome"]["title"] == "Redeemed 2 TIM3 for 2 USDA"


def test_a_paused_redeem_fails_in_plain_words(net, chain):
    deposit(net, "alice", 5 * USDA)
    net.devnet.send(net.deployer, net.processes["TIM3"], tags={"Action": "Pause-Redeem"})
    redeem = net.devnet.send(net.wallets["alice"], net.processes["TIM3"],
                             tags={"Action": "Redeem", "Quantity": str(2 * USDA)})

    flow = flow_of(chain, redeem.id)

    assert flow["outcome"]["status"] == "failed"
    assert flow["outcome"]["title"] == "Redeeming is paused; try again later"
    assert flow["outcome"]["detail"] == "No TIM3 was burned."
    assert flow["arrows"][1]["tone"] == "error"


def test_redeeming_more_than_the_balance_says_not_enough_tim3(net, chain):
    redeem = net.devnet.send(net.wallets["bob"], net.processes["TIM3"],
                             tags={"Action": "Redeem", "Quantity": str(3 * USDA)})

    flow = flow_of(chain, redeem.id)

    assert flow["outcome"]["title"] == "Not enough TIM3: bob has 0 TIM3 and tried to send 3 TIM3."


def test_a_message_that_is_neither_swap_nor_redeem_gets_a_neutral_outcome(net, chain):
    receipt = net.devnet.send(net.wallets["alice"], net.processes["USDA"], tags={
        "Action": "Transfer", "Recipient": net.wallets["bob"].address, "Quantity": "7"})

    flow = flow_of(chain, receipt.id)

    assert flow["outcome"]["kind"] == "message"
    assert flow["outcome"]["status"] == "done"
    assert [lane["name"] for lane in flow["lanes"]] == ["alice", "USDA", "bob"]
    assert flow["lanes"][2]["kind"] == "wallet"


def test_an_evaluation_error_is_an_error_arrow(net, chain):
    receipt = net.devnet.eval(net.deployer, net.processes["USDA"], "error('boom')")

    flow = flow_of(chain, receipt.id)

    assert flow["arrows"][0]["tone"] == "error"
    assert "boom" in flow["arrows"][0]["error"]
    assert flow["outcome"]["status"] == "failed"


def test_protocol_tags_are_left_out_of_the_details(net, chain):
    flow = flow_of(chain, deposit(net, "alice", USDA))

    names = {name for arrow in flow["arrows"] for name, _ in arrow["tags"]}
    assert "Data-Protocol" not in names and "Variant" not in names
    assert {"Action", "Quantity", "Pushed-For"} <= names


@pytest.mark.parametrize(("text", "plain"), [
    ("Insufficient balance: has 995000000000000, needs 5000000000000000",
     "Not enough USDA: alice has 995 USDA and tried to send 5000 USDA."),
    ("Minting is paused; your USDA was returned", "Minting is paused; your USDA was returned"),
], ids=["insufficient", "other-words-unchanged"])
def test_plain_error_turns_base_units_into_tokens(text, plain):
    assert plain_error(text, "USDA", 12, "alice") == plain
