"""Tests for processes/usda_mock.lua, the standard-token mock USDA, driven through a Devnet."""

from __future__ import annotations

import json

import pytest

from tim3.arweave import Wallet, random_id
from tim3.devnet import Devnet, Kind, Receipt
from tim3.errors import DevnetError
from tim3.processes import source

START = 10**60 - 1  # the largest quantity a single message may carry (60 digits)


def balances(net: Devnet, token: str) -> dict[str, int]:
    """The token's ledger as exact ints, read with a dry-run Balances."""
    reply = net.dryrun(token, tags={"Action": "Balances"}).messages[0]
    return {k: int(v) for k, v in json.loads(reply.data).items()}


def supply(net: Devnet, token: str) -> int:
    return int(net.dryrun(token, tags={"Action": "Total-Supply"}).messages[0].data)


def mint(net: Devnet, owner: Wallet, token: str, to: str, quantity: int) -> None:
    r = net.send(owner, token, tags={"Action": "Mint", "Recipient": to, "Quantity": str(quantity)})
    assert r.first("Mint-Notice")


def transfer(net: Devnet, sender: Wallet | str, token: str, to: str, quantity: str,
             **extra: str) -> Receipt:
    tags = {"Action": "Transfer", "Recipient": to, "Quantity": quantity, **extra}
    return net.send(sender, token, tags=tags)


def assert_nothing_dropped(r: Receipt) -> None:
    """Every message the token sent had string tags and a target (the messenger kept it)."""
    dropped = [m for m in r.messages if m.kind == Kind.DROPPED]
    assert not dropped, [m.reason for m in dropped]


@pytest.fixture
def funded(devnet: Devnet, deployer: Wallet, usda: str, alice: Wallet) -> str:
    """The usda token with START base units minted to alice."""
    mint(devnet, deployer, usda, alice.address, START)
    return usda


# -- spawn and Info ---------------------------------------------------------------------------


def test_info_replies_name_ticker_logo_denomination_and_supply(
        devnet: Devnet, funded: str, alice: Wallet) -> None:
    r = devnet.send(alice, funded, tags={"Action": "Info"})

    reply = r.result.messages[0]
    assert reply.target == alice.address
    assert (reply.tag("Name"), reply.tag("Ticker"), reply.tag("Denomination")) == (
        "USDA", "USDA", "12")
    assert reply.tag("Logo") == ""
    assert reply.tag("Total-Supply") == str(START)
    assert reply.data == ""


def test_info_through_dryrun_shows_the_spawn_tags(devnet: Devnet, deployer: Wallet) -> None:
    tags = {"Name": "Test Dollar", "Ticker": "TUSD", "Denomination": "6", "Logo": "logo-tx"}
    token = devnet.spawn(deployer, source("usda_mock"), tags=tags)

    reply = devnet.dryrun(token, tags={"Action": "Info"}).messages[0]

    shown = {k: reply.tag(k) for k in ("Name", "Ticker", "Denomination", "Logo", "Total-Supply")}
    assert shown == {**tags, "Total-Supply": "0"}


def test_token_spawned_without_a_name_is_called_usda(devnet: Devnet, deployer: Wallet) -> None:
    token = devnet.spawn(deployer, source("usda_mock"))

    reply = devnet.dryrun(token, tags={"Action": "Info"}).messages[0]

    assert reply.tag("Name") == "USDA"


@pytest.mark.parametrize("denomination", ["twelve", "-1", "1.5", "123"],
                         ids=["word", "negative", "fraction", "three-digits"])
def test_token_with_a_bad_denomination_fails_to_boot(
        devnet: Devnet, deployer: Wallet, denomination: str) -> None:
    with pytest.raises(DevnetError, match="Denomination must be a whole number"):
        devnet.spawn(deployer, source("usda_mock"), tags={"Denomination": denomination})


def test_token_defines_only_its_state_globals(devnet: Devnet, deployer: Wallet) -> None:
    listing = ("local t = {} for k in pairs(_G) do t[#t + 1] = k end "
               "table.sort(t) return table.concat(t, ' ')")
    plain = devnet.spawn(deployer, "")
    token = devnet.spawn(deployer, source("usda_mock"))

    before = set(devnet.process(plain).vm.eval_host(listing).split())
    after = set(devnet.process(token).vm.eval_host(listing).split())

    assert after - before == {"Balances", "Denomination", "Logo", "Ticker", "TotalSupply"}


# -- Balance, Balances, Total-Supply ----------------------------------------------------------


@pytest.mark.parametrize("via", ["send", "dryrun"])
def test_balance_of_the_sender(devnet: Devnet, funded: str, alice: Wallet, via: str) -> None:
    tags = {"Action": "Balance"}

    if via == "send":
        reply = devnet.send(alice, funded, tags=tags).result.messages[0]
    else:
        reply = devnet.dryrun(funded, tags=tags, sender=alice).messages[0]

    assert reply.tag("Balance") == reply.data == str(START)
    assert reply.tag("Account") == alice.address
    assert reply.tag("Ticker") == "USDA"


@pytest.mark.parametrize("tag", ["Recipient", "Target"])
def test_balance_of_another_account_named_by_tag(
        devnet: Devnet, funded: str, alice: Wallet, bob: Wallet, tag: str) -> None:
    reply = devnet.dryrun(funded, tags={"Action": "Balance", tag: alice.address},
                          sender=bob).messages[0]

    assert reply.target == bob.address
    assert reply.tag("Account") == alice.address
    assert reply.data == str(START)


def test_balance_prefers_recipient_over_target(
        devnet: Devnet, funded: str, alice: Wallet, bob: Wallet) -> None:
    tags = {"Action": "Balance", "Recipient": bob.address, "Target": alice.address}

    reply = devnet.dryrun(funded, tags=tags, sender=alice).messages[0]

    assert (reply.tag("Account"), reply.data) == (bob.address, "0")


def test_balance_of_an_unknown_account_is_zero(devnet: Devnet, usda: str) -> None:
    stranger = random_id()

    reply = devnet.dryrun(usda, tags={"Action": "Balance"}, sender=stranger).messages[0]

    assert reply.tag("Balance") == reply.data == "0"
    assert reply.tag("Account") == stranger


def test_balances_of_a_new_token_is_an_empty_json_object(devnet: Devnet, usda: str) -> None:
    reply = devnet.dryrun(usda, tags={"Action": "Balances"}).messages[0]

    assert reply.data == "{}"


def test_balances_lists_every_holder_as_decimal_strings(
        devnet: Devnet, funded: str, alice: Wallet, bob: Wallet) -> None:
    transfer(devnet, alice, funded, bob.address, "7")

    reply = devnet.send(bob, funded, tags={"Action": "Balances"}).result.messages[0]

    assert json.loads(reply.data) == {alice.address: str(START - 7), bob.address: "7"}


def test_a_spent_balance_leaves_the_ledger(
        devnet: Devnet, funded: str, alice: Wallet, bob: Wallet) -> None:
    transfer(devnet, alice, funded, bob.address, str(START))

    assert balances(devnet, funded) == {bob.address: START}


@pytest.mark.parametrize("via", ["send", "dryrun"])
def test_total_supply_replies_action_ticker_and_supply(
        devnet: Devnet, funded: str, alice: Wallet, via: str) -> None:
    tags = {"Action": "Total-Supply"}

    if via == "send":
        reply = devnet.send(alice, funded, tags=tags).result.messages[0]
    else:
        reply = devnet.dryrun(funded, tags=tags, sender=alice).messages[0]

    assert reply.tag("Action") == "Total-Supply"
    assert reply.tag("Ticker") == "USDA"
    assert reply.tag("Total-Supply") == reply.data == str(START)


def test_total_supply_answer_sent_on_to_another_token_gets_no_reply(
        devnet: Devnet, deployer: Wallet, usda: str, alice: Wallet) -> None:
    other = devnet.spawn(deployer, source("usda_mock"), tags={"Name": "Other"})

    r = devnet.send(alice, usda, tags={"Action": "Total-Supply", "Reply-To": other})

    assert [(m.action, m.process) for m in r.messages] == [("Total-Supply", other)]
    assert r.messages[0].result is not None and r.messages[0].result.messages == []


@pytest.mark.parametrize("action", ["Info", "Balance", "Balances", "Total-Supply"])
def test_read_only_actions_change_nothing(
        devnet: Devnet, funded: str, alice: Wallet, bob: Wallet, action: str) -> None:
    transfer(devnet, alice, funded, bob.address, "5")
    before = (balances(devnet, funded), supply(devnet, funded))

    r = devnet.send(bob, funded, tags={"Action": action, "Recipient": alice.address})

    assert r.ok
    assert (balances(devnet, funded), supply(devnet, funded)) == before


# -- Transfer ---------------------------------------------------------------------------------


def test_transfer_moves_the_quantity_and_sends_both_notices(
        devnet: Devnet, funded: str, alice: Wallet, bob: Wallet) -> None:
    r = transfer(devnet, alice, funded, bob.address, "250")

    debit, credit = r.first("Debit-Notice"), r.first("Credit-Notice")
    assert (debit.process, debit.from_) == (alice.address, funded)
    assert (debit.tag("Recipient"), debit.tag("Quantity")) == (bob.address, "250")
    assert (credit.process, credit.from_) == (bob.address, funded)
    assert (credit.tag("Sender"), credit.tag("Quantity")) == (alice.address, "250")
    assert "250" in debit.data and "250" in credit.data
    assert balances(devnet, funded) == {alice.address: START - 250, bob.address: 250}
    assert supply(devnet, funded) == START
    assert_nothing_dropped(r)


def test_transfer_forwards_x_tags_into_both_notices(
        devnet: Devnet, funded: str, alice: Wallet, bob: Wallet) -> None:
    r = transfer(devnet, alice, funded, bob.address, "1",
                 **{"X-Payout-Id": "p-17", "x-memo": "rent", "X-Order-ID": "A1"})

    for notice in (r.first("Debit-Notice"), r.first("Credit-Notice")):
        assert notice.tag("X-Payout-Id") == "p-17"
        assert notice.tag("X-Memo") == "rent"
        assert notice.tag("X-Order-Id") == "A1"
        assert notice.tag("x-memo") is None


def test_transfer_does_not_forward_other_tags(
        devnet: Devnet, funded: str, alice: Wallet, bob: Wallet) -> None:
    r = transfer(devnet, alice, funded, bob.address, "1", Memo="not forwarded")

    assert r.first("Credit-Notice").tag("Memo") is None
    assert r.first("Debit-Notice").tag("Memo") is None


def test_debit_notice_carries_the_request_reference_as_x_reference(
        devnet: Devnet, funded: str, alice: Wallet, bob: Wallet) -> None:
    r = transfer(devnet, alice, funded, bob.address, "1", Reference="42")

    assert r.first("Debit-Notice").tag("X-Reference") == "42"


def test_transfer_with_duplicate_tags_uses_the_first_of_each(
        devnet: Devnet, funded: str, alice: Wallet, bob: Wallet) -> None:
    tags = [("Action", "Transfer"), ("Recipient", bob.address), ("Quantity", "1"),
            ("Quantity", "999"), ("Recipient", alice.address)]

    r = devnet.send(alice, funded, tags=tags)

    assert r.first("Credit-Notice").tag("Quantity") == "1"
    assert balances(devnet, funded) == {alice.address: START - 1, bob.address: 1}


@pytest.mark.parametrize("cast", ["true", "false", ""], ids=["true", "false", "empty"])
def test_transfer_with_cast_moves_tokens_without_notices(
        devnet: Devnet, funded: str, alice: Wallet, bob: Wallet, cast: str) -> None:
    r = transfer(devnet, alice, funded, bob.address, "3", Cast=cast)

    assert r.messages == []
    assert balances(devnet, funded)[bob.address] == 3


def test_transfer_to_self_keeps_the_balance_and_sends_both_notices(
        devnet: Devnet, funded: str, alice: Wallet) -> None:
    r = transfer(devnet, alice, funded, alice.address, "9")

    assert [m.action for m in r.messages] == ["Debit-Notice", "Credit-Notice"]
    assert balances(devnet, funded) == {alice.address: START}


def test_transfer_of_the_whole_balance_to_self_keeps_it(
        devnet: Devnet, funded: str, alice: Wallet) -> None:
    transfer(devnet, alice, funded, alice.address, str(START))

    assert balances(devnet, funded) == {alice.address: START}


def test_transfer_to_a_process_delivers_a_credit_notice_from_the_token(
        devnet: Devnet, funded: str, alice: Wallet, token_holder: str) -> None:
    r = transfer(devnet, alice, funded, token_holder, "12", **{"X-Deposit": "d1"})

    credit = r.first("Credit-Notice")
    assert credit.kind == Kind.MESSAGE and credit.process == token_holder
    assert credit.error is None
    seen = json.loads(devnet.dryrun(token_holder, tags={"Action": "Credits"}).messages[0].data)
    assert seen == [{"From": funded, "Sender": alice.address, "Quantity": "12"}]
    assert balances(devnet, funded)[token_holder] == 12


def test_a_process_can_spend_what_it_received(
        devnet: Devnet, funded: str, deployer: Wallet, alice: Wallet, bob: Wallet,
        token_holder: str) -> None:
    transfer(devnet, alice, funded, token_holder, "12")

    r = devnet.send(deployer, token_holder,
                    tags={"Action": "Pay", "Token": funded, "Recipient": bob.address,
                          "Quantity": "5"})

    assert r.first("Debit-Notice").process == token_holder
    assert r.first("Credit-Notice").tag("Sender") == token_holder
    assert balances(devnet, funded) == {
        alice.address: START - 12, token_holder: 7, bob.address: 5}


def test_transfer_over_the_balance_replies_transfer_error_and_changes_nothing(
        devnet: Devnet, funded: str, alice: Wallet, bob: Wallet) -> None:
    transfer(devnet, alice, funded, bob.address, "10")
    before = balances(devnet, funded)

    r = transfer(devnet, bob, funded, alice.address, "11")

    error = r.first("Transfer-Error")
    assert error.process == bob.address
    assert error.tag("Error") == "Insufficient balance: has 10, needs 11"
    assert error.tag("Message-Id") == r.id
    assert [m.action for m in r.messages] == ["Transfer-Error"]
    assert balances(devnet, funded) == before


def test_transfer_from_an_account_without_balance_replies_transfer_error(
        devnet: Devnet, funded: str, bob: Wallet) -> None:
    stranger = random_id()

    r = transfer(devnet, stranger, funded, bob.address, "1")

    assert r.first("Transfer-Error").tag("Error") == "Insufficient balance: has 0, needs 1"
    assert r.first("Transfer-Error").process == stranger


def test_transfer_error_echoes_the_reference_as_x_reference(
        devnet: Devnet, funded: str, bob: Wallet, alice: Wallet) -> None:
    r = transfer(devnet, bob, funded, alice.address, "1", Reference="7", **{"X-Payout": "p"})

    error = r.first("Transfer-Error")
    assert error.tag("X-Reference") == "7"
    assert error.tag("X-Payout") is None  # like the aos blueprint: no X-* on errors


BAD_QUANTITIES = [
    pytest.param(None, id="missing"),
    pytest.param("", id="empty"),
    pytest.param("0", id="zero"),
    pytest.param("00", id="double-zero"),
    pytest.param("-0", id="minus-zero"),
    pytest.param("-5", id="negative"),
    pytest.param("-1" + "0" * 59, id="big-negative"),
    pytest.param("+5", id="plus-sign"),
    pytest.param("05", id="leading-zero"),
    pytest.param("0x10", id="hex"),
    pytest.param("0b101", id="binary"),
    pytest.param("1e3", id="exponent"),
    pytest.param("5.0", id="decimal-point"),
    pytest.param(".5", id="fraction"),
    pytest.param(" 5", id="leading-space"),
    pytest.param("5 ", id="trailing-space"),
    pytest.param("\t5", id="leading-tab"),
    pytest.param("5\n", id="trailing-newline"),
    pytest.param("1_000", id="underscore"),
    pytest.param("1,000", id="comma"),
    pytest.param("\u0665", id="arabic-indic-digit"),
    pytest.param("\uff15", id="fullwidth-digit"),
    pytest.param("inf", id="inf"),
    pytest.param("nan", id="nan"),
    pytest.param("1" + "0" * 60, id="61-digits"),
    pytest.param(str(2**255), id="2^255"),
    pytest.param(str(2**256 - 1), id="2^256-1"),
    pytest.param(str(2**256), id="2^256"),
    pytest.param("9" * 10_000, id="10000-digits"),
]


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_transfer_with_a_bad_quantity_replies_transfer_error(
        devnet: Devnet, funded: str, alice: Wallet, bob: Wallet, quantity: str | None) -> None:
    tags = {"Action": "Transfer", "Recipient": bob.address}
    if quantity is not None:
        tags["Quantity"] = quantity
    before = (balances(devnet, funded), supply(devnet, funded))

    r = devnet.send(alice, funded, tags=tags)

    assert r.ok
    assert [m.action for m in r.messages] == ["Transfer-Error"]
    error = r.messages[0].tag("Error") or ""
    assert error.startswith("Quantity ")
    assert len(error) < 200
    assert (balances(devnet, funded), supply(devnet, funded)) == before


def test_bad_quantity_error_quotes_the_value(
        devnet: Devnet, funded: str, alice: Wallet, bob: Wallet) -> None:
    r = transfer(devnet, alice, funded, bob.address, "0x10")

    assert r.first("Transfer-Error").tag("Error") == (
        "Quantity must be a positive whole number of base units, got '0x10'")


@pytest.mark.parametrize("quantity", [2**53 + 1, 2**63, 2**64, 10**60 - 1],
                         ids=["2^53+1", "2^63", "2^64", "60-nines"])
def test_large_quantities_transfer_exactly(
        devnet: Devnet, funded: str, alice: Wallet, bob: Wallet, quantity: int) -> None:
    r = transfer(devnet, alice, funded, bob.address, str(quantity))

    assert r.first("Credit-Notice").tag("Quantity") == str(quantity)
    expected = {alice.address: START - quantity, bob.address: quantity}
    assert balances(devnet, funded) == {k: v for k, v in expected.items() if v}


BAD_RECIPIENTS = [
    pytest.param(None, id="missing"),
    pytest.param("", id="empty"),
    pytest.param("a" * 42, id="42-chars"),
    pytest.param("a" * 44, id="44-chars"),
    pytest.param("a" * 42 + "+", id="plus"),
    pytest.param("a" * 42 + "/", id="slash"),
    pytest.param("a" * 42 + "=", id="padding"),
    pytest.param(" " + "a" * 42, id="space"),
    pytest.param("a" * 41 + "\u00e9", id="non-ascii"),
]


@pytest.mark.parametrize("recipient", BAD_RECIPIENTS)
def test_transfer_to_a_bad_recipient_replies_transfer_error(
        devnet: Devnet, funded: str, alice: Wallet, recipient: str | None) -> None:
    tags = {"Action": "Transfer", "Quantity": "1"}
    if recipient is not None:
        tags["Recipient"] = recipient
    before = balances(devnet, funded)

    r = devnet.send(alice, funded, tags=tags)

    assert [m.action for m in r.messages] == ["Transfer-Error"]
    assert (r.messages[0].tag("Error") or "").startswith("Recipient must be a 43-character")
    assert balances(devnet, funded) == before


# -- Mint and Burn ----------------------------------------------------------------------------


def test_mint_by_the_owner_credits_the_recipient_and_raises_the_supply(
        devnet: Devnet, deployer: Wallet, usda: str, bob: Wallet) -> None:
    r = devnet.send(deployer, usda, tags={"Action": "Mint", "Recipient": bob.address,
                                          "Quantity": "500", "X-Why": "faucet"})

    notice = r.first("Mint-Notice")
    assert (notice.process, notice.tag("Recipient"), notice.tag("Quantity")) == (
        deployer.address, bob.address, "500")
    credit = r.first("Credit-Notice")
    assert (credit.process, credit.tag("Sender"), credit.tag("Quantity")) == (
        bob.address, usda, "500")
    assert credit.tag("X-Why") == "faucet"
    assert balances(devnet, usda) == {bob.address: 500}
    assert supply(devnet, usda) == 500
    assert_nothing_dropped(r)


def test_mint_without_recipient_credits_the_owner(
        devnet: Devnet, deployer: Wallet, usda: str) -> None:
    devnet.send(deployer, usda, tags={"Action": "Mint", "Quantity": "8"})

    assert balances(devnet, usda) == {deployer.address: 8}


def test_mint_to_a_process_delivers_a_credit_notice(
        devnet: Devnet, deployer: Wallet, usda: str, token_holder: str) -> None:
    mint(devnet, deployer, usda, token_holder, 30)

    seen = json.loads(devnet.dryrun(token_holder, tags={"Action": "Credits"}).messages[0].data)
    assert seen == [{"From": usda, "Sender": usda, "Quantity": "30"}]


def test_mint_by_anyone_else_replies_mint_error(
        devnet: Devnet, usda: str, alice: Wallet) -> None:
    r = devnet.send(alice, usda, tags={"Action": "Mint", "Recipient": alice.address,
                                       "Quantity": "1000"})

    assert [m.action for m in r.messages] == ["Mint-Error"]
    assert "Only the process owner may mint" in (r.messages[0].tag("Error") or "")
    assert balances(devnet, usda) == {}
    assert supply(devnet, usda) == 0


@pytest.mark.parametrize("tags", [
    pytest.param({"Quantity": "0"}, id="zero"),
    pytest.param({"Quantity": "1.5"}, id="fraction"),
    pytest.param({}, id="missing-quantity"),
    pytest.param({"Quantity": "1", "Recipient": "nobody"}, id="bad-recipient"),
])
def test_mint_with_bad_input_replies_mint_error(
        devnet: Devnet, deployer: Wallet, usda: str, tags: dict[str, str]) -> None:
    r = devnet.send(deployer, usda, tags={"Action": "Mint", **tags})

    assert [m.action for m in r.messages] == ["Mint-Error"]
    assert supply(devnet, usda) == 0


def test_mint_past_the_supply_cap_replies_mint_error(
        devnet: Devnet, deployer: Wallet, usda: str) -> None:
    devnet.eval(deployer, usda, 'TotalSupply = "' + "9" * 76 + '"')

    r = devnet.send(deployer, usda, tags={"Action": "Mint", "Quantity": "1"})

    assert "past 76 digits" in (r.first("Mint-Error").tag("Error") or "")
    assert supply(devnet, usda) == 10**76 - 1


def test_burn_lowers_the_balance_and_the_supply(
        devnet: Devnet, funded: str, alice: Wallet) -> None:
    r = devnet.send(alice, funded, tags={"Action": "Burn", "Quantity": "100"})

    notice = r.first("Burn-Notice")
    assert (notice.process, notice.tag("Quantity")) == (alice.address, "100")
    assert balances(devnet, funded) == {alice.address: START - 100}
    assert supply(devnet, funded) == START - 100


def test_burn_over_the_balance_replies_burn_error(
        devnet: Devnet, funded: str, bob: Wallet) -> None:
    r = devnet.send(bob, funded, tags={"Action": "Burn", "Quantity": "1"})

    assert r.first("Burn-Error").tag("Error") == "Insufficient balance: has 0, needs 1"
    assert supply(devnet, funded) == START


@pytest.mark.parametrize("quantity", ["0", "-1", "0x10", "9" * 61], ids=[
    "zero", "negative", "hex", "61-digits"])
def test_burn_with_a_bad_quantity_replies_burn_error(
        devnet: Devnet, funded: str, alice: Wallet, quantity: str) -> None:
    r = devnet.send(alice, funded, tags={"Action": "Burn", "Quantity": quantity})

    assert [m.action for m in r.messages] == ["Burn-Error"]
    assert supply(devnet, funded) == START


# -- everything else --------------------------------------------------------------------------


@pytest.mark.parametrize("tags", [
    pytest.param({"Action": "Frobnicate"}, id="unknown"),
    pytest.param({"Action": "transfer", "Recipient": "b" * 43, "Quantity": "1"}, id="lower-case"),
    pytest.param({"Action": "TRANSFER", "Recipient": "b" * 43, "Quantity": "1"}, id="upper-case"),
    pytest.param({"Action": "Credit-Notice", "Quantity": "1"}, id="credit-notice"),
    pytest.param({}, id="no-action"),
])
def test_unknown_action_gets_no_reply_and_changes_nothing(
        devnet: Devnet, funded: str, alice: Wallet, tags: dict[str, str]) -> None:
    before = balances(devnet, funded)

    r = devnet.send(alice, funded, tags=tags, data="hello")

    assert r.ok
    assert r.messages == []
    assert balances(devnet, funded) == before


def test_replies_go_to_reply_to_when_the_request_names_one(
        devnet: Devnet, funded: str, alice: Wallet) -> None:
    elsewhere = random_id()

    r = devnet.send(alice, funded, tags={"Action": "Balance", "Reply-To": elsewhere})

    assert r.result.messages[0].target == elsewhere
