"""The Token Manager (token_manager.lua): a standard token whose supply only authorized minters
change, idempotently by Purpose."""

from __future__ import annotations

import json

import pytest
from orchestration_harness import authorize, balances, read, revoke, supply

from tim3.arweave import Wallet, random_id
from tim3.devnet import Devnet, Receipt
from tim3.processes import source


@pytest.fixture
def tm(devnet: Devnet, deployer: Wallet) -> str:
    """A Token Manager owned by the deployer, with bob's wallet as an authorized minter."""
    pid = devnet.spawn(deployer, source("token_manager"), tags={"Name": "TokenManager"})
    authorize(devnet, deployer, pid, devnet.wallet("bob").address)
    return pid


def mint(net: Devnet, minter: Wallet, tm: str, to: Wallet, amount: str, purpose: str = "p-1", **extra: str) -> Receipt:
    return net.send(minter, tm, tags={"Action": "Mint", "Recipient": to.address, "Amount": amount,
                                      "Purpose": purpose, **extra})


def test_info_and_reads_follow_the_token_standard(devnet: Devnet, tm: str, bob: Wallet, alice: Wallet) -> None:
    mint(devnet, bob, tm, alice, "250")

    info = read(devnet, tm, "Info")
    balance = read(devnet, tm, "Balance", Recipient=alice.address)

    assert (info.tag("Name"), info.tag("Ticker"), info.tag("Denomination"), info.tag("Total-Supply")) == (
        "TokenManager", "TIM3", "12", "250")
    assert (balance.tag("Balance"), balance.tag("Account"), balance.data) == ("250", alice.address, "250")
    assert balances(devnet, tm) == {alice.address: 250} and supply(devnet, tm) == 250


def test_an_authorized_minter_mints_with_a_notice_to_it_and_a_credit_notice_to_the_recipient(
        devnet: Devnet, tm: str, bob: Wallet, alice: Wallet) -> None:
    r = mint(devnet, bob, tm, alice, "100", "TIM3-mint-abc")

    notice = r.first("Mint-Notice", target=bob.address)
    credit = r.first("Credit-Notice", target=alice.address)
    assert (notice.tag("Recipient"), notice.tag("Quantity"), notice.tag("Amount"), notice.tag("Purpose")) == (
        alice.address, "100", "100", "TIM3-mint-abc")
    assert (credit.tag("Sender"), credit.tag("Quantity"), credit.tag("Purpose")) == (tm, "100", "TIM3-mint-abc")


def test_mint_from_a_process_that_is_not_an_allowed_minter_is_refused_with_the_fix(
        devnet: Devnet, tm: str, alice: Wallet) -> None:
    r = mint(devnet, alice, tm, alice, "100")

    error = r.first("Mint-Error").tag("Error") or ""
    assert "is not an allowed minter of TIM3" in error and f"Process-Id = {alice.address}" in error
    assert r.first("Mint-Error").tag("Purpose") == "p-1"
    assert supply(devnet, tm) == 0


def test_a_repeated_purpose_mints_once_and_is_answered_again(devnet: Devnet, tm: str, bob: Wallet,
                                                              alice: Wallet) -> None:
    mint(devnet, bob, tm, alice, "100")

    again = mint(devnet, bob, tm, alice, "100")

    assert again.first("Mint-Notice").tag("Duplicate") == "true"
    assert not again.find("Credit-Notice")
    assert supply(devnet, tm) == 100


def test_a_purpose_reused_for_a_different_mint_is_refused(devnet: Devnet, tm: str, bob: Wallet,
                                                          alice: Wallet) -> None:
    mint(devnet, bob, tm, alice, "100")

    r = mint(devnet, bob, tm, alice, "101")

    assert "Purpose was used before for a different operation" in (r.first("Mint-Error").tag("Error") or "")
    assert supply(devnet, tm) == 100


def test_purposes_are_per_minter(devnet: Devnet, deployer: Wallet, tm: str, bob: Wallet, alice: Wallet) -> None:
    authorize(devnet, deployer, tm, alice.address)
    mint(devnet, bob, tm, alice, "100")

    mint(devnet, alice, tm, alice, "100")

    assert supply(devnet, tm) == 200


@pytest.mark.parametrize("tags", [
    {"Amount": "0"}, {"Amount": "007"}, {"Amount": "1.5"}, {"Quantity": "-3"}, {"Amount": str(2**256)},
    {"Amount": "5", "Quantity": "6"}, {}, {"Amount": "5", "Purpose": ""}, {"Amount": "5", "Purpose": "a b"},
    {"Amount": "5", "Recipient": "nobody"},
], ids=["zero", "leading-zero", "decimal", "negative", "2^256", "amount-and-quantity-differ", "no-amount",
        "empty-purpose", "purpose-with-space", "bad-recipient"])
def test_mint_with_bad_arguments_is_refused_and_changes_nothing(
        devnet: Devnet, tm: str, bob: Wallet, alice: Wallet, tags: dict[str, str]) -> None:
    base = {"Action": "Mint", "Recipient": alice.address, "Purpose": "p-1"}

    r = devnet.send(bob, tm, tags={**base, **tags})

    assert r.first("Mint-Error").tag("Error")
    assert supply(devnet, tm) == 0


def test_quantity_works_as_well_as_amount(devnet: Devnet, tm: str, bob: Wallet, alice: Wallet) -> None:
    devnet.send(bob, tm, tags={"Action": "Mint", "Recipient": alice.address, "Quantity": "7", "Purpose": "q"})

    assert balances(devnet, tm) == {alice.address: 7}


def test_a_holder_burns_its_own_tokens_without_a_purpose(devnet: Devnet, tm: str, bob: Wallet, alice: Wallet) -> None:
    mint(devnet, bob, tm, alice, "100")

    r = devnet.send(alice, tm, tags={"Action": "Burn", "Quantity": "30"})

    notice = r.first("Burn-Notice", target=alice.address)
    assert (notice.tag("Account"), notice.tag("Quantity")) == (alice.address, "30")
    assert balances(devnet, tm) == {alice.address: 70} and supply(devnet, tm) == 70


def test_a_minter_burns_from_an_account_with_a_purpose_once(devnet: Devnet, tm: str, bob: Wallet,
                                                            alice: Wallet) -> None:
    mint(devnet, bob, tm, alice, "100")
    burn = {"Action": "Burn", "Account": alice.address, "Quantity": "40", "Purpose": "TIM3-redeem-1"}

    first = devnet.send(bob, tm, tags=burn)
    second = devnet.send(bob, tm, tags=burn)

    assert first.first("Burn-Notice").tag("Duplicate") is None
    assert second.first("Burn-Notice").tag("Duplicate") == "true"
    assert supply(devnet, tm) == 60


def test_burning_from_another_account_needs_a_minter_and_a_purpose(
        devnet: Devnet, tm: str, bob: Wallet, alice: Wallet, deployer: Wallet) -> None:
    mint(devnet, bob, tm, alice, "100")

    stranger = devnet.send(deployer, tm, tags={"Action": "Burn", "Account": alice.address, "Quantity": "1"})
    no_purpose = devnet.send(bob, tm, tags={"Action": "Burn", "Account": alice.address, "Quantity": "1"})

    assert "may not burn from another account" in (stranger.first("Burn-Error").tag("Error") or "")
    assert no_purpose.first("Burn-Error").tag("Error") == "Purpose is required"
    assert supply(devnet, tm) == 100


def test_burning_more_than_the_balance_is_refused(devnet: Devnet, tm: str, bob: Wallet, alice: Wallet) -> None:
    mint(devnet, bob, tm, alice, "100")

    r = devnet.send(bob, tm, tags={"Action": "Burn", "Account": alice.address, "Quantity": "101", "Purpose": "x"})

    assert "Insufficient balance" in (r.first("Burn-Error").tag("Error") or "")
    assert r.first("Burn-Error").tag("Purpose") == "x"


def test_transfer_moves_tokens_with_both_notices_and_forwards_x_tags(
        devnet: Devnet, tm: str, bob: Wallet, alice: Wallet) -> None:
    mint(devnet, bob, tm, alice, "100")

    r = devnet.send(alice, tm, tags={"Action": "Transfer", "Recipient": bob.address, "Quantity": "25",
                                     "X-Memo": "rent"})

    assert [m.action for m in r.messages] == ["Debit-Notice", "Credit-Notice"]
    assert r.first("Credit-Notice").tag("X-Memo") == "rent" and r.first("Debit-Notice").tag("X-Memo") == "rent"
    assert balances(devnet, tm) == {alice.address: 75, bob.address: 25}


def test_the_same_transfer_delivered_twice_moves_tokens_once(
        devnet: Devnet, tm: str, bob: Wallet, alice: Wallet) -> None:
    mint(devnet, bob, tm, alice, "100")
    transfer = {"Action": "Transfer", "Recipient": bob.address, "Quantity": "25"}
    mid = random_id()

    devnet.send(alice, tm, tags=transfer, id=mid)
    devnet.send(alice, tm, tags=transfer, id=mid)

    assert balances(devnet, tm) == {alice.address: 75, bob.address: 25}


@pytest.mark.parametrize("recipient", ["self-process", "not-an-address"])
def test_transfer_to_the_token_itself_or_to_garbage_is_refused(
        devnet: Devnet, tm: str, bob: Wallet, alice: Wallet, recipient: str) -> None:
    mint(devnet, bob, tm, alice, "100")
    to = tm if recipient == "self-process" else "x"

    r = devnet.send(alice, tm, tags={"Action": "Transfer", "Recipient": to, "Quantity": "1"})

    assert r.first("Transfer-Error")
    assert balances(devnet, tm) == {alice.address: 100}


@pytest.mark.parametrize("form", ["ProcessId-tag", "Process-Id-tag", "json", "bare-id"])
def test_authorize_takes_the_process_id_in_any_documented_form(
        devnet: Devnet, deployer: Wallet, tm: str, form: str) -> None:
    pid = random_id()
    tags, data = {
        "ProcessId-tag": ({"ProcessId": pid}, ""), "Process-Id-tag": ({"Process-Id": pid}, ""),
        "json": ({}, json.dumps({"processId": pid})), "bare-id": ({}, pid),
    }[form]

    r = devnet.send(deployer, tm, tags={"Action": "Authorize", **tags}, data=data)

    assert r.first("Authorize-Notice").tag("Process-Id") == pid
    assert pid in json.loads(read(devnet, tm, "GetConfig").data)["allowedMinters"]


def test_authorize_from_anyone_but_the_owner_is_refused(devnet: Devnet, tm: str, alice: Wallet) -> None:
    r = devnet.send(alice, tm, tags={"Action": "Authorize", "Process-Id": alice.address})

    assert r.first("Authorize-Error").tag("Error") == "Only the process owner may use Authorize"


def test_check_authorization_reports_the_minter_role(devnet: Devnet, deployer: Wallet, tm: str,
                                                     bob: Wallet) -> None:
    before = devnet.send(deployer, tm, tags={"Action": "CheckAuthorization", "Process-Id": bob.address})
    revoke(devnet, deployer, tm, bob.address)
    after = devnet.send(deployer, tm, tags={"Action": "CheckAuthorization", "Process-Id": bob.address})

    status = before.first("Authorization-Status")
    assert (status.tag("Role"), status.tag("Authorized")) == ("Minter", "true")
    assert after.first("Authorization-Status").tag("Authorized") == "false"


def test_an_unknown_action_gets_no_reply(devnet: Devnet, tm: str, alice: Wallet) -> None:
    r = devnet.send(alice, tm, tags={"Action": "Steal", "Quantity": "1"})

    assert r.messages == []


def test_authorize_by_tag_works_with_the_blank_data_ao_clients_send(devnet, deployer):
    from tim3.processes import source

    tm = devnet.spawn(deployer, source("token_manager"))
    other = devnet.spawn(deployer, source("usda_mock"))

    r = devnet.send(deployer, tm, tags={"Action": "Authorize", "Process-Id": other}, data=" ")

    assert r.ok and not [m for m in r.result.messages if m.tag("Error")]
