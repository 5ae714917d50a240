"""Tests for the mock USDA variants: usda_no_xforward, usda_odd_notices and usda_hostile."""

from __future__ import annotations

import json

import pytest

from tim3.arweave import Wallet, random_id
from tim3.devnet import Devnet, Receipt
from tim3.processes import source

VARIANTS = ["usda_no_xforward", "usda_odd_notices", "usda_hostile"]


def balances(net: Devnet, token: str) -> dict[str, int]:
    reply = net.dryrun(token, tags={"Action": "Balances"}).messages[0]
    return {k: int(v) for k, v in json.loads(reply.data).items()}


def credits_seen(net: Devnet, holder: str) -> list[dict[str, str]]:
    """The Credit-Notices the token_holder process recorded (From, Sender, Quantity)."""
    found: list[dict[str, str]] = json.loads(
        net.dryrun(holder, tags={"Action": "Credits"}).messages[0].data)
    return found


def emit(net: Devnet, owner: Wallet | str, token: str, body: object) -> Receipt:
    return net.send(owner, token, tags={"Action": "Emit"}, data=json.dumps(body))


@pytest.fixture(params=VARIANTS)
def variant(request: pytest.FixtureRequest, devnet: Devnet, deployer: Wallet,
            alice: Wallet) -> str:
    """Each variant in turn, with 1000 base units minted to alice."""
    token = devnet.spawn(deployer, source(request.param), tags={"Name": "USDA"})
    devnet.send(deployer, token, tags={"Action": "Mint", "Recipient": alice.address,
                                       "Quantity": "1000"})
    return token


# -- what every variant keeps -----------------------------------------------------------------


def test_every_variant_answers_info_like_the_standard_token(
        devnet: Devnet, variant: str) -> None:
    reply = devnet.dryrun(variant, tags={"Action": "Info"}).messages[0]

    assert (reply.tag("Name"), reply.tag("Ticker"), reply.tag("Total-Supply")) == (
        "USDA", "USDA", "1000")


def test_every_variant_transfers_with_both_notices(
        devnet: Devnet, variant: str, alice: Wallet, bob: Wallet) -> None:
    r = devnet.send(alice, variant, tags={"Action": "Transfer", "Recipient": bob.address,
                                          "Quantity": "400"})

    assert [m.action for m in r.messages] == ["Debit-Notice", "Credit-Notice"]
    assert r.first("Credit-Notice").tag("Sender") == alice.address
    assert balances(devnet, variant) == {alice.address: 600, bob.address: 400}


def test_every_variant_rejects_a_bad_quantity(
        devnet: Devnet, variant: str, alice: Wallet, bob: Wallet) -> None:
    r = devnet.send(alice, variant, tags={"Action": "Transfer", "Recipient": bob.address,
                                          "Quantity": "0x10"})

    assert [m.action for m in r.messages] == ["Transfer-Error"]
    assert balances(devnet, variant) == {alice.address: 1000}


def test_every_variant_lets_only_the_owner_mint(
        devnet: Devnet, variant: str, alice: Wallet) -> None:
    r = devnet.send(alice, variant, tags={"Action": "Mint", "Quantity": "5"})

    assert [m.action for m in r.messages] == ["Mint-Error"]


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_defines_only_the_token_state_globals(
        devnet: Devnet, deployer: Wallet, name: str) -> None:
    listing = ("local t = {} for k in pairs(_G) do t[#t + 1] = k end "
               "table.sort(t) return table.concat(t, ' ')")
    plain = devnet.spawn(deployer, "")
    token = devnet.spawn(deployer, source(name))

    before = set(devnet.process(plain).vm.eval_host(listing).split())
    after = set(devnet.process(token).vm.eval_host(listing).split())

    assert after - before == {"Balances", "Denomination", "Logo", "Ticker", "TotalSupply"}


# -- usda_no_xforward -------------------------------------------------------------------------


def test_no_xforward_transfer_notices_carry_no_x_tags(
        devnet: Devnet, usda_no_xforward: str, deployer: Wallet, alice: Wallet,
        bob: Wallet) -> None:
    devnet.send(deployer, usda_no_xforward, tags={"Action": "Mint", "Recipient": alice.address,
                                                  "Quantity": "10"})

    r = devnet.send(alice, usda_no_xforward, tags={
        "Action": "Transfer", "Recipient": bob.address, "Quantity": "4",
        "X-Payout-Id": "p-1", "x-memo": "rent"})

    for notice in (r.first("Debit-Notice"), r.first("Credit-Notice")):
        assert [n for n, _ in notice.tags if n.startswith("X-")] == []
    assert balances(devnet, usda_no_xforward) == {alice.address: 6, bob.address: 4}


def test_no_xforward_debit_notice_still_echoes_the_reference(
        devnet: Devnet, usda_no_xforward: str, deployer: Wallet, bob: Wallet) -> None:
    devnet.send(deployer, usda_no_xforward, tags={"Action": "Mint", "Quantity": "10"})

    r = devnet.send(deployer, usda_no_xforward, tags={
        "Action": "Transfer", "Recipient": bob.address, "Quantity": "1", "Reference": "9",
        "X-Payout-Id": "p-1"})

    debit = r.first("Debit-Notice")
    assert debit.tag("X-Reference") == "9"
    assert debit.tag("X-Payout-Id") is None


def test_no_xforward_mint_credit_notice_carries_no_x_tags(
        devnet: Devnet, usda_no_xforward: str, deployer: Wallet, token_holder: str) -> None:
    r = devnet.send(deployer, usda_no_xforward, tags={
        "Action": "Mint", "Recipient": token_holder, "Quantity": "3", "X-Deposit": "d"})

    assert r.first("Credit-Notice").tag("X-Deposit") is None
    assert credits_seen(devnet, token_holder) == [
        {"From": usda_no_xforward, "Sender": usda_no_xforward, "Quantity": "3"}]


# -- usda_odd_notices -------------------------------------------------------------------------

ODD_KINDS = [
    pytest.param("zero-quantity", "0", "sender", id="zero-quantity"),
    pytest.param("missing-sender", "25", None, id="missing-sender"),
    pytest.param("empty-sender", "25", "", id="empty-sender"),
    pytest.param("negative", "-25", "sender", id="negative"),
    pytest.param("float", "1.5", "sender", id="float"),
    pytest.param("huge", "1" + "0" * 99, "sender", id="huge"),
]


@pytest.mark.parametrize(("kind", "quantity", "sender"), ODD_KINDS)
def test_emit_odd_sends_one_odd_credit_notice_from_the_token(
        devnet: Devnet, usda_odd_notices: str, deployer: Wallet, alice: Wallet,
        token_holder: str, kind: str, quantity: str, sender: str | None) -> None:
    expected_sender = alice.address if sender == "sender" else sender

    r = devnet.send(deployer, usda_odd_notices, tags={
        "Action": "Emit-Odd", "Kind": kind, "Target": token_holder, "Quantity": "25",
        "Sender": alice.address, "X-Deposit-Id": "d-9"})

    assert [m.action for m in r.messages] == ["Credit-Notice"]
    notice = r.messages[0]
    assert (notice.process, notice.from_) == (token_holder, usda_odd_notices)
    assert notice.tag("Quantity") == quantity
    assert notice.tag("Sender") == expected_sender
    assert notice.tag("X-Deposit-Id") == "d-9"
    assert notice.error is None
    assert credits_seen(devnet, token_holder) == [
        {"From": usda_odd_notices, "Sender": expected_sender or "", "Quantity": quantity}]


def test_emit_odd_moves_no_balance(
        devnet: Devnet, usda_odd_notices: str, deployer: Wallet, token_holder: str) -> None:
    devnet.send(deployer, usda_odd_notices, tags={"Action": "Mint", "Quantity": "10"})

    devnet.send(deployer, usda_odd_notices, tags={
        "Action": "Emit-Odd", "Kind": "huge", "Target": token_holder})

    assert balances(devnet, usda_odd_notices) == {deployer.address: 10}


def test_emit_odd_defaults_to_quantity_one_from_the_owner(
        devnet: Devnet, usda_odd_notices: str, deployer: Wallet, token_holder: str) -> None:
    r = devnet.send(deployer, usda_odd_notices, tags={
        "Action": "Emit-Odd", "Kind": "empty-sender", "Target": token_holder})

    notice = r.first("Credit-Notice")
    assert (notice.tag("Quantity"), notice.tag("Sender")) == ("1", "")


@pytest.mark.parametrize(("tags", "words"), [
    pytest.param({"Kind": "sideways"}, "Kind must be one of", id="unknown-kind"),
    pytest.param({"Kind": "float", "Target": "short"}, "Target must be", id="bad-target"),
    pytest.param({"Kind": "float", "Sender": "nobody"}, "Sender must be", id="bad-sender"),
    pytest.param({"Kind": "float", "Quantity": "0x1"}, "Quantity must be", id="bad-quantity"),
])
def test_emit_odd_with_bad_input_replies_emit_odd_error(
        devnet: Devnet, usda_odd_notices: str, deployer: Wallet, tags: dict[str, str],
        words: str) -> None:
    request = {"Action": "Emit-Odd", "Target": random_id(), **tags}

    r = devnet.send(deployer, usda_odd_notices, tags=request)

    assert [m.action for m in r.messages] == ["Emit-Odd-Error"]
    assert words in (r.messages[0].tag("Error") or "")


def test_emit_odd_from_anyone_but_the_owner_replies_emit_odd_error(
        devnet: Devnet, usda_odd_notices: str, alice: Wallet, token_holder: str) -> None:
    r = devnet.send(alice, usda_odd_notices, tags={
        "Action": "Emit-Odd", "Kind": "float", "Target": token_holder})

    assert [(m.action, m.process) for m in r.messages] == [("Emit-Odd-Error", alice.address)]
    assert credits_seen(devnet, token_holder) == []


# -- usda_hostile -----------------------------------------------------------------------------


def test_emit_sends_a_forged_credit_notice_from_the_token(
        devnet: Devnet, usda_hostile: str, deployer: Wallet, alice: Wallet,
        token_holder: str) -> None:
    body = {"Target": token_holder, "Data": "free money",
            "Tags": {"Action": "Credit-Notice", "Sender": alice.address, "Quantity": "5000"}}

    r = emit(devnet, deployer, usda_hostile, body)

    notice = r.first("Credit-Notice")
    assert (notice.process, notice.from_, notice.data) == (token_holder, usda_hostile,
                                                           "free money")
    assert credits_seen(devnet, token_holder) == [
        {"From": usda_hostile, "Sender": alice.address, "Quantity": "5000"}]
    assert balances(devnet, usda_hostile) == {}


def test_emit_sends_tags_in_order_with_duplicates(
        devnet: Devnet, usda_hostile: str, deployer: Wallet) -> None:
    target = random_id()
    tags = [{"name": "Action", "value": "Debit-Notice"}, {"name": "Quantity", "value": "1"},
            {"name": "Quantity", "value": "9" * 100}, {"name": "lower-case", "value": ""}]

    r = emit(devnet, deployer, usda_hostile, {"Target": target, "Tags": tags})

    sent = r.result.messages[0]
    assert sent.target == target
    assert list(sent.tags[4:]) == [(t["name"], t["value"]) for t in tags]


def test_emit_sends_a_list_of_messages_in_order(
        devnet: Devnet, usda_hostile: str, deployer: Wallet, token_holder: str) -> None:
    notice = {"Target": token_holder,
              "Tags": {"Action": "Credit-Notice", "Sender": random_id(), "Quantity": "7"}}

    r = emit(devnet, deployer, usda_hostile, [notice, notice, notice])

    assert [m.action for m in r.messages] == ["Credit-Notice"] * 3
    assert len(credits_seen(devnet, token_holder)) == 3


def test_emit_accepts_a_json_content_type(
        devnet: Devnet, usda_hostile: str, deployer: Wallet) -> None:
    body = {"Target": random_id(), "Tags": {"Action": "Credit-Notice"}}

    r = devnet.send(deployer, usda_hostile, data=json.dumps(body),
                    tags={"Action": "Emit", "Content-Type": "application/json"})

    assert [m.action for m in r.messages] == ["Credit-Notice"]


@pytest.mark.parametrize(("data", "words"), [
    pytest.param("not json", "Data must be JSON", id="not-json"),
    pytest.param("5", "Data must be a JSON object", id="number"),
    pytest.param(json.dumps({"Tags": {}}), "Target must be", id="no-target"),
    pytest.param(json.dumps({"Target": "x" * 43, "Tags": {"Quantity": 5}}),
                 "must have a string value", id="number-tag-value"),
    pytest.param(json.dumps({"Target": "x" * 43, "Tags": [{"name": "A"}]}),
                 "tag 1 must be", id="tag-without-value"),
    pytest.param(json.dumps({"Target": "x" * 43, "Data": {"a": 1}}),
                 "Data must be a string", id="table-data"),
    pytest.param(json.dumps([{"Target": "x" * 43}, {"Target": "y"}]),
                 "message 2: Target", id="second-message-bad"),
])
def test_emit_with_bad_data_replies_emit_error_and_sends_nothing(
        devnet: Devnet, usda_hostile: str, deployer: Wallet, data: str, words: str) -> None:
    r = devnet.send(deployer, usda_hostile, tags={"Action": "Emit"}, data=data)

    assert [m.action for m in r.messages] == ["Emit-Error"]
    assert words in (r.messages[0].tag("Error") or "")


def test_emit_from_anyone_but_the_owner_replies_emit_error(
        devnet: Devnet, usda_hostile: str, alice: Wallet, token_holder: str) -> None:
    body = {"Target": token_holder, "Tags": {"Action": "Credit-Notice", "Quantity": "1"}}

    r = emit(devnet, alice, usda_hostile, body)

    assert [(m.action, m.process) for m in r.messages] == [("Emit-Error", alice.address)]
    assert credits_seen(devnet, token_holder) == []
