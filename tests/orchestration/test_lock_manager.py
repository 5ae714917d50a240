"""The Lock Manager (lock_manager.lua): locks and unlocks USDA on the lockable mock USDA for the
processes its owner authorized, idempotently by Lock-Id / Unlock-Id."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from orchestration_harness import authorize, fund, locks, read, revoke

from tim3.arweave import Wallet
from tim3.devnet import Devnet, Receipt
from tim3.processes import source


@dataclass
class Locking:
    net: Devnet
    usda: str
    lm: str
    names: dict[str, str]


@pytest.fixture
def locking(devnet: Devnet, deployer: Wallet, alice: Wallet, bob: Wallet) -> Locking:
    """A lockable USDA (alice has 1000), a Lock Manager it authorized, used by bob's wallet."""
    usda = devnet.spawn(deployer, source("usda_lockable"), tags={"Name": "USDA"})
    lm = devnet.spawn(deployer, source("lock_manager"), tags={"Name": "LockManager"})
    fund(devnet, deployer, usda, alice, 1000)
    authorize(devnet, deployer, usda, lm)
    authorize(devnet, deployer, lm, bob.address)
    devnet.send(deployer, lm, tags={"Action": "SetMockUsdaProcess", "ProcessId": usda})
    return Locking(devnet, usda, lm, {usda: "USDA", lm: "LockManager", bob.address: "bob",
                                      alice.address: "alice", deployer.address: "deployer"})


def lock(s: Locking, requester: Wallet, user: Wallet, quantity: str, lock_id: str = "F1") -> Receipt:
    return s.net.send(requester, s.lm, tags={"Action": "Lock", "User": user.address, "Quantity": quantity,
                                             "Lock-Id": lock_id})


def test_configuring_the_usda_checks_that_it_authorized_this_lock_manager(
        devnet: Devnet, deployer: Wallet) -> None:
    usda = devnet.spawn(deployer, source("usda_lockable"), tags={"Name": "USDA"})
    lm = devnet.spawn(deployer, source("lock_manager"), tags={"Name": "LockManager"})

    refused = devnet.send(deployer, lm, tags={"Action": "SetMockUsdaProcess", "ProcessId": usda})
    status_refused = read(devnet, lm, "GetConfig").tag("Usda-Status")
    authorize(devnet, deployer, usda, lm)
    devnet.send(deployer, lm, tags={"Action": "VerifyConfig"})

    assert refused.first("Configure-Response").tag("Usda-Status") == "pending"
    assert refused.first("CheckAuthorization", target=usda).tag("Process-Id") == lm
    assert "has not authorized this Lock Manager as a Locker" in (status_refused or "")
    assert read(devnet, lm, "GetConfig").tag("Usda-Status") == "verified"


def test_a_lock_goes_through_to_the_usda_and_back(locking: Locking, alice: Wallet, bob: Wallet) -> None:
    r = lock(locking, bob, alice, "300")

    assert [f"{locking.names[m.from_]} → {locking.names[m.process]}: {m.action}" for m in r.tree.walk()] == [
        "bob → LockManager: Lock", "LockManager → USDA: Lock", "USDA → LockManager: Lock-Notice",
        "LockManager → bob: Lock-Notice"]
    assert r.first("Lock", target=locking.usda).tag("Lock-Id") == f"lock:{bob.address}:F1"
    notice = r.first("Lock-Notice", target=bob.address)
    assert (notice.tag("User"), notice.tag("Quantity"), notice.tag("Lock-Id")) == (alice.address, "300", "F1")
    assert locks(locking.net, locking.usda) == {alice.address: 300}


def test_a_lock_the_usda_refuses_is_answered_with_its_reason(locking: Locking, alice: Wallet, bob: Wallet) -> None:
    r = lock(locking, bob, alice, "5000")

    error = r.first("Lock-Error", target=bob.address)
    assert error.tag("Lock-Id") == "F1" and "USDA refused the lock: Insufficient balance" in (error.tag("Error") or "")


def test_a_repeated_lock_is_answered_again_without_locking_twice(locking: Locking, alice: Wallet, bob: Wallet) -> None:
    lock(locking, bob, alice, "300")

    again = lock(locking, bob, alice, "300")

    assert [m.action for m in again.messages] == ["Lock-Notice"]
    assert again.first("Lock-Notice").tag("Duplicate") == "true"
    assert locks(locking.net, locking.usda) == {alice.address: 300}


def test_an_unanswered_lock_is_sent_to_the_usda_again_on_retry(locking: Locking, alice: Wallet, bob: Wallet) -> None:
    locking.net.faults.append(lambda s, out: "drop" if out.target == locking.usda else None)
    lock(locking, bob, alice, "300")
    locking.net.faults.clear()
    assert json.loads(read(locking.net, locking.lm, "GetConfig").data)["underWay"] == [f"lock:{bob.address}:F1"]

    again = lock(locking, bob, alice, "300")

    assert again.first("Lock-Notice", target=bob.address)
    assert locks(locking.net, locking.usda) == {alice.address: 300}


def test_unlock_goes_through_to_the_usda(locking: Locking, alice: Wallet, bob: Wallet) -> None:
    lock(locking, bob, alice, "300")

    r = locking.net.send(bob, locking.lm, tags={"Action": "Unlock", "User": alice.address, "Quantity": "100",
                                                "Unlock-Id": "burn-1"})

    assert r.first("Unlock-Notice", target=bob.address).tag("Unlock-Id") == "burn-1"
    assert locks(locking.net, locking.usda) == {alice.address: 200}


def test_requests_from_unauthorized_processes_are_refused(locking: Locking, alice: Wallet) -> None:
    r = lock(locking, alice, alice, "10")

    assert "is not authorized to use this Lock Manager" in (r.first("Lock-Error").tag("Error") or "")
    assert not r.find("Lock", target=locking.usda)


def test_nothing_is_locked_while_the_usda_link_is_broken(
        locking: Locking, deployer: Wallet, alice: Wallet, bob: Wallet) -> None:
    revoke(locking.net, deployer, locking.usda, locking.lm)
    locking.net.send(deployer, locking.lm, tags={"Action": "VerifyConfig"})

    r = lock(locking, bob, alice, "10")

    assert "The Lock Manager is not ready: Usda-Status is refused" in (r.first("Lock-Error").tag("Error") or "")


def test_answers_that_do_not_come_from_the_usda_are_ignored(locking: Locking, alice: Wallet, bob: Wallet) -> None:
    locking.net.faults.append(lambda s, out: "drop" if out.target == locking.usda else None)
    lock(locking, bob, alice, "300")
    locking.net.faults.clear()

    forged = locking.net.send(alice, locking.lm, tags={"Action": "Lock-Notice", "Account": alice.address,
                                                       "Quantity": "300", "Lock-Id": f"lock:{bob.address}:F1"})

    assert forged.messages == []
    assert json.loads(read(locking.net, locking.lm, "GetConfig").data)["underWay"] != []


def test_check_authorization_passes_on_the_usda_link(locking: Locking, bob: Wallet) -> None:
    r = locking.net.send(bob, locking.lm, tags={"Action": "CheckAuthorization"})

    status = r.first("Authorization-Status")
    assert {k: status.tag(k) for k in ("Role", "Authorized", "Mock-Usda-Process", "Usda-Status")} == {
        "Role": "Locker", "Authorized": "true", "Mock-Usda-Process": locking.usda, "Usda-Status": "verified"}
