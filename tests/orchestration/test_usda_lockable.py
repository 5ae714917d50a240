"""The lockable mock USDA of the V1 flow (usda_lockable.lua): the standard token (lib/token.lua)
plus a lock that only authorized lockers use."""

from __future__ import annotations

import pytest
from orchestration_harness import authorize, balances, fund, locks, read, revoke, supply

from tim3.arweave import Wallet
from tim3.devnet import Devnet, Receipt
from tim3.processes import source


@pytest.fixture
def lockable(devnet: Devnet, deployer: Wallet, alice: Wallet, bob: Wallet) -> str:
    """A lockable USDA with 1000 base units for alice and bob's wallet as an authorized locker."""
    pid = devnet.spawn(deployer, source("usda_lockable"), tags={"Name": "USDA"})
    fund(devnet, deployer, pid, alice, 1000)
    authorize(devnet, deployer, pid, bob.address)
    return pid


def lock(net: Devnet, locker: Wallet, usda: str, account: Wallet, quantity: str, lock_id: str = "L1", **extra: str) -> Receipt:
    return net.send(locker, usda, tags={"Action": "Lock", "Account": account.address, "Quantity": quantity,
                                        "Lock-Id": lock_id, **extra})


def unlock(net: Devnet, locker: Wallet, usda: str, account: Wallet, quantity: str, unlock_id: str = "U1") -> Receipt:
    return net.send(locker, usda, tags={"Action": "Unlock", "Account": account.address, "Quantity": quantity,
                                        "Unlock-Id": unlock_id})


def test_a_locker_locks_free_balance_which_then_cannot_be_transferred(
        devnet: Devnet, lockable: str, alice: Wallet, bob: Wallet) -> None:
    r = lock(devnet, bob, lockable, alice, "600")
    transfer = devnet.send(alice, lockable, tags={"Action": "Transfer", "Recipient": bob.address, "Quantity": "500"})

    notice = r.first("Lock-Notice", target=bob.address)
    assert (notice.tag("Account"), notice.tag("Quantity"), notice.tag("Lock-Id")) == (alice.address, "600", "L1")
    assert transfer.first("Transfer-Error")
    assert balances(devnet, lockable) == {alice.address: 400} and locks(devnet, lockable) == {alice.address: 600}
    assert read(devnet, lockable, "Locked", Account=alice.address).tag("Locked") == "600"
    assert supply(devnet, lockable) == 1000


def test_unlock_returns_the_amount_to_the_account(devnet: Devnet, lockable: str, alice: Wallet, bob: Wallet) -> None:
    lock(devnet, bob, lockable, alice, "600")

    r = unlock(devnet, bob, lockable, alice, "250")

    assert r.first("Unlock-Notice").tag("Unlock-Id") == "U1"
    assert balances(devnet, lockable) == {alice.address: 650} and locks(devnet, lockable) == {alice.address: 350}


def test_only_authorized_lockers_lock_and_the_error_goes_to_the_sender_not_reply_to(
        devnet: Devnet, lockable: str, alice: Wallet, bob: Wallet, deployer: Wallet) -> None:
    r = lock(devnet, alice, lockable, alice, "10", **{"Reply-To": bob.address})

    error = r.first("Lock-Error")
    assert error.process == alice.address and "is not a locker" in (error.tag("Error") or "")
    assert locks(devnet, lockable) == {}


def test_a_repeated_lock_id_locks_once_and_a_different_reuse_is_refused(
        devnet: Devnet, lockable: str, alice: Wallet, bob: Wallet) -> None:
    lock(devnet, bob, lockable, alice, "100")

    again = lock(devnet, bob, lockable, alice, "100")
    different = lock(devnet, bob, lockable, alice, "101")

    assert again.first("Lock-Notice").tag("Duplicate") == "true"
    assert "used before for a different operation" in (different.first("Lock-Error").tag("Error") or "")
    assert locks(devnet, lockable) == {alice.address: 100}


def test_a_locker_cannot_unlock_more_than_it_locked_nor_another_lockers_lock(
        devnet: Devnet, deployer: Wallet, lockable: str, alice: Wallet, bob: Wallet) -> None:
    lock(devnet, bob, lockable, alice, "100")
    authorize(devnet, deployer, lockable, deployer.address)

    too_much = unlock(devnet, bob, lockable, alice, "101")
    foreign = unlock(devnet, deployer, lockable, alice, "1")

    assert "holds 100 locked" in (too_much.first("Unlock-Error").tag("Error") or "")
    assert "holds 0 locked" in (foreign.first("Unlock-Error").tag("Error") or "")
    assert locks(devnet, lockable) == {alice.address: 100}


def test_locking_more_than_the_free_balance_is_refused(devnet: Devnet, lockable: str, alice: Wallet,
                                                      bob: Wallet) -> None:
    r = lock(devnet, bob, lockable, alice, "1001")

    assert "Insufficient balance" in (r.first("Lock-Error").tag("Error") or "")


def test_check_authorization_reports_the_locker_role(devnet: Devnet, deployer: Wallet, lockable: str,
                                                     bob: Wallet) -> None:
    revoke(devnet, deployer, lockable, bob.address)

    r = devnet.send(bob, lockable, tags={"Action": "CheckAuthorization"})

    status = r.first("Authorization-Status")
    assert (status.tag("Process-Id"), status.tag("Role"), status.tag("Authorized")) == (bob.address, "Locker", "false")
