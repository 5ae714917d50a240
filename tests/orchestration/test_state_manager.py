"""The State Manager (state_manager.lua): per-user positions written only by authorized
processes, idempotently by Update-Id, readable by anyone."""

from __future__ import annotations

import json

import pytest
from orchestration_harness import authorize, position, read

from tim3.arweave import Wallet
from tim3.devnet import Devnet, Receipt
from tim3.processes import source


@pytest.fixture
def sm(devnet: Devnet, deployer: Wallet) -> str:
    """A State Manager owned by the deployer, with bob's wallet as an authorized writer."""
    pid = devnet.spawn(deployer, source("state_manager"), tags={"Name": "StateManager"})
    authorize(devnet, deployer, pid, devnet.wallet("bob").address)
    return pid


def update(net: Devnet, writer: Wallet, sm: str, user: Wallet, update_id: str = "u-1", **amounts: str) -> Receipt:
    return net.send(writer, sm, tags={"Action": "UpdatePosition", "User": user.address,
                                      "Update-Id": update_id, **amounts})


def test_a_writer_updates_a_position_and_gets_the_new_totals(devnet: Devnet, sm: str, bob: Wallet,
                                                             alice: Wallet) -> None:
    update(devnet, bob, sm, alice, "deposit-1", Deposited="100", Minted="100")

    r = update(devnet, bob, sm, alice, "redeem-1", Redeemed="30")

    notice = r.first("Position-Updated", target=bob.address)
    assert {k: notice.tag(k) for k in ("User", "Update-Id", "Deposited", "Minted", "Redeemed")} == {
        "User": alice.address, "Update-Id": "redeem-1", "Deposited": "100", "Minted": "100", "Redeemed": "30"}
    assert position(devnet, sm, alice) == {"deposited": 100, "minted": 100, "redeemed": 30}


def test_the_update_can_be_json_data_in_any_spelling(devnet: Devnet, sm: str, bob: Wallet, alice: Wallet) -> None:
    body = {"user": alice.address, "updateId": "mint-9", "deposited": "5", "MINTED": "5"}

    r = devnet.send(bob, sm, tags={"Action": "UpdatePosition"}, data=json.dumps(body))

    assert r.first("Position-Updated").tag("Minted") == "5"


def test_only_authorized_writers_change_positions(devnet: Devnet, sm: str, alice: Wallet) -> None:
    r = update(devnet, alice, sm, alice, Minted="1000")

    error = r.first("UpdatePosition-Error")
    assert "is not an authorized writer" in (error.tag("Error") or "") and error.tag("Update-Id") == "u-1"
    assert position(devnet, sm, alice) == {"deposited": 0, "minted": 0, "redeemed": 0}


def test_a_repeated_update_id_changes_nothing_and_is_answered_again(devnet: Devnet, sm: str, bob: Wallet,
                                                                     alice: Wallet) -> None:
    update(devnet, bob, sm, alice, Minted="10")

    again = update(devnet, bob, sm, alice, Minted="10")
    different = update(devnet, bob, sm, alice, Minted="11")

    assert again.first("Position-Updated").tag("Duplicate") == "true"
    assert "was used before for a different update" in (different.first("UpdatePosition-Error").tag("Error") or "")
    assert position(devnet, sm, alice)["minted"] == 10


@pytest.mark.parametrize(("tags", "data", "why"), [
    ({}, "", "Give at least one of"),
    ({"Minted": "0"}, "", "Minted must be a positive whole number"),
    ({"Minted": "1.5"}, "", "Minted must be a positive whole number"),
    ({"Minted": "5", "Fee": "1"}, "", "Unknown tag 'Fee'"),
    ({}, '{"minted": 5}', "Minted must be a string of digits"),
    ({}, "[1, 2]", "Data must be a JSON object"),
], ids=["nothing", "zero", "decimal", "unknown-tag", "json-number", "json-array"])
def test_a_bad_update_is_refused_with_the_reason(devnet: Devnet, sm: str, bob: Wallet, alice: Wallet,
                                                 tags: dict[str, str], data: str, why: str) -> None:
    r = devnet.send(bob, sm, tags={"Action": "UpdatePosition", "User": alice.address, "Update-Id": "u", **tags},
                    data=data)

    assert why in (r.first("UpdatePosition-Error").tag("Error") or "")


def test_get_position_defaults_to_the_sender_and_unknown_users_have_zeros(
        devnet: Devnet, sm: str, bob: Wallet, alice: Wallet) -> None:
    update(devnet, bob, sm, alice, Deposited="3", Minted="3")

    reply = devnet.dryrun(sm, tags={"Action": "GetPosition"}, sender=alice.address).messages[0]
    nobody = read(devnet, sm, "GetPosition", User=bob.address)

    assert (reply.tag("User"), reply.tag("Deposited"), reply.tag("Updates")) == (alice.address, "3", "1")
    assert (nobody.tag("Deposited"), nobody.tag("Minted"), nobody.tag("Redeemed")) == ("0", "0", "0")


def test_get_positions_lists_every_user(devnet: Devnet, sm: str, bob: Wallet, alice: Wallet) -> None:
    update(devnet, bob, sm, alice, "1", Minted="3")
    update(devnet, bob, sm, bob, "2", Minted="4", Redeemed="1")

    reply = read(devnet, sm, "GetPositions")

    assert reply.tag("Count") == "2"
    assert json.loads(reply.data) == {
        alice.address: {"deposited": "0", "minted": "3", "redeemed": "0", "updates": "1"},
        bob.address: {"deposited": "0", "minted": "4", "redeemed": "1", "updates": "1"}}


def test_check_authorization_reports_the_writer_role(devnet: Devnet, sm: str, bob: Wallet) -> None:
    r = devnet.send(bob, sm, tags={"Action": "CheckAuthorization"})

    status = r.first("Authorization-Status")
    assert (status.tag("Process-Id"), status.tag("Role"), status.tag("Authorized")) == (bob.address, "Writer", "true")
