"""Operations: owner-only settings, pauses, ownership, quarantine release; nobody else."""

from __future__ import annotations

import json

import pytest
from tim3_harness import Swap, error_of

from tim3.arweave import random_id

OWNER_ACTIONS = [
    "Set-Config",
    "Pause-Mint",
    "Resume-Mint",
    "Pause-Redeem",
    "Resume-Redeem",
    "Resolve-Payout",
    "Release-Quarantine",
    "Transfer-Ownership",
    "Renounce-Ownership",
]


@pytest.mark.parametrize("action", OWNER_ACTIONS)
def test_admin_actions_from_anyone_but_the_owner_are_refused(swap: Swap, action: str) -> None:
    swap.deposit(swap.alice, 100)
    before = swap.state().comparable()

    r = swap.send(
        swap.alice,
        action,
        data='{"Mint-Paused": "true"}',
        **{"Mint-Paused": "true", "New-Owner": swap.alice.address, "Confirm": "Renounce-Ownership"},
    )

    assert swap.state().comparable() == before
    assert error_of(r, f"{action}-Error") == f"Only the process owner may use {action}"


def test_eval_from_anyone_but_the_owner_changes_nothing(swap: Swap) -> None:
    before = swap.state().comparable()

    r = swap.net.send(
        swap.alice,
        swap.tim3,
        tags={"Action": "Eval"},
        data=f'Balances["{swap.alice.address}"] = "1000000"; TotalSupply = "1000000"',
    )

    assert r.messages == [] and swap.state().comparable() == before


def test_set_config_takes_json_data_and_tags(swap: Swap) -> None:
    r = swap.owner(
        "Set-Config",
        data='{"max_deposit": "500", "Mint-Paused": true}',
        **{"Max-Supply": "9000", "Logo": "logo-tx"},
    )

    notice = r.first("Set-Config-Notice")
    config = swap.state().config
    assert (config["Max-Deposit"], config["Mint-Paused"], config["Max-Supply"], config["Logo"]) == (
        "500",
        "true",
        "9000",
        "logo-tx",
    )
    assert json.loads(notice.data) == config and notice.tag("Max-Deposit") == "500"


def test_set_config_clears_a_cap_with_none_or_empty(swap: Swap) -> None:
    swap.owner("Set-Config", **{"Max-Deposit": "5", "Max-Supply": "5"})

    swap.owner("Set-Config", data='{"Max-Deposit": "none", "Max-Supply": ""}')

    assert swap.state().config["Max-Deposit"] == "" == swap.state().config["Max-Supply"]
    swap.deposit(swap.alice, 50)
    assert swap.check().supply == 50


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ('{"Max-Deposit": 500}', "must be a string"),
        ('{"Max-Deposit": "5.5"}', "Max-Deposit must be a positive whole number"),
        ('{"Max-Supply": "-1"}', "Max-Supply must be a positive whole number"),
        ('{"Mint-Paused": "yes"}', 'Mint-Paused must be "true" or "false"'),
        ('{"Payout-Timeout": "0"}', "Payout-Timeout must be a positive whole number"),
        ('{"Denomination": "100"}', "Denomination must be a whole number"),
        ('{"Usda-Process": "abc"}', "Usda-Process must be a 43-character process id"),
        ('{"Logo": "a b"}', "Logo must be a transaction id"),
        ('{"Owner": "x"}', "Unknown setting 'Owner'"),
        ("[1, 2]", "Data must be a JSON object"),
        ("{not json", "Data must be a JSON object"),
        ("", "No settings given"),
    ],
)
def test_set_config_with_bad_values_changes_nothing(swap: Swap, data: str, error: str) -> None:
    before = swap.state().comparable()

    r = swap.owner("Set-Config", data=data)

    assert swap.state().comparable() == before
    assert error in error_of(r, "Set-Config-Error")


def test_set_config_applies_all_settings_or_none(swap: Swap) -> None:
    before = swap.state().comparable()

    swap.owner("Set-Config", data='{"Mint-Paused": "true", "Max-Deposit": "bad"}')

    assert swap.state().comparable() == before


def test_the_usda_process_is_fixed_once_tim3_holds_usda(swap: Swap) -> None:
    other = random_id()
    swap.deposit(swap.alice, 1)

    r = swap.owner("Set-Config", **{"Usda-Process": other, "Denomination": "6"})

    assert "cannot change while the process holds USDA" in error_of(r, "Set-Config-Error")
    assert swap.state().config["Usda-Process"] == swap.usda


def test_the_usda_process_can_be_set_before_any_deposit(swap: Swap) -> None:
    other = random_id()

    swap.owner("Set-Config", **{"Usda-Process": other})

    assert swap.state().config["Usda-Process"] == other


@pytest.mark.parametrize(
    ("pause", "resume", "setting"),
    [
        ("Pause-Mint", "Resume-Mint", "Mint-Paused"),
        ("Pause-Redeem", "Resume-Redeem", "Redeem-Paused"),
    ],
)
def test_pause_and_resume_switch_one_setting(
    swap: Swap, pause: str, resume: str, setting: str
) -> None:
    paused = swap.owner(pause)
    during = swap.state().config
    swap.owner(resume)

    assert paused.first(f"{pause}-Notice").tag(setting) == "true"
    assert during[setting] == "true"
    assert sum(v == "true" for v in during.values()) == 1
    assert swap.state().config[setting] == "false"


def test_pausing_minting_does_not_stop_redeeming(swap: Swap) -> None:
    swap.deposit(swap.alice, 100)
    swap.owner("Pause-Mint")

    swap.redeem(swap.alice, 100)

    assert swap.check().supply == 0 and swap.usda_of(swap.tim3) == 0


def test_ownership_moves_only_when_the_new_owner_accepts(swap: Swap) -> None:
    swap.owner("Transfer-Ownership", **{"New-Owner": swap.bob.address})
    meanwhile = swap.state().owner
    wrong = swap.send(swap.alice, "Accept-Ownership")

    swap.send(swap.bob, "Accept-Ownership")

    assert meanwhile == swap.deployer.address
    assert "Only the address named" in error_of(wrong, "Accept-Ownership-Error")
    s = swap.state()
    assert (s.owner, s.pending_owner) == (swap.bob.address, "")
    assert swap.send(swap.bob, "Pause-Mint").first("Pause-Mint-Notice")
    assert swap.owner("Pause-Mint").first("Pause-Mint-Error")


@pytest.mark.parametrize("new_owner", ["", "short", "tim3", "usda"])
def test_transfer_ownership_to_an_unusable_address_is_refused(swap: Swap, new_owner: str) -> None:
    r = swap.owner("Transfer-Ownership", **{"New-Owner": getattr(swap, new_owner, new_owner)})

    assert "New-Owner must be an address" in error_of(r, "Transfer-Ownership-Error")
    assert swap.state().pending_owner == ""


def test_renouncing_needs_confirmation_and_then_ends_all_admin_and_eval(swap: Swap) -> None:
    unconfirmed = swap.owner("Renounce-Ownership")
    swap.owner("Renounce-Ownership", Confirm="Renounce-Ownership")

    assert "cannot be undone" in error_of(unconfirmed, "Renounce-Ownership-Error")
    assert swap.state().owner == ""
    assert swap.owner("Pause-Mint").first("Pause-Mint-Error")
    swap.net.eval(swap.deployer, swap.tim3, 'TotalSupply = "999"')
    assert swap.state().supply == 0
    swap.deposit(swap.alice, 10)
    swap.redeem(swap.alice, 10)
    assert swap.check().supply == 0


def test_renouncing_while_redeeming_is_paused_is_refused(swap: Swap) -> None:
    swap.owner("Pause-Redeem")

    r = swap.owner("Renounce-Ownership", Confirm="Renounce-Ownership")

    assert "Resume redeeming first" in error_of(r, "Renounce-Ownership-Error")
    assert swap.state().owner == swap.deployer.address


def test_releasing_quarantine_mints_to_the_original_sender(swap: Swap) -> None:
    swap.owner("Pause-Mint")
    r = swap.deposit(swap.alice, 90, **{"X-Refund-Of": "elsewhere"})
    deposit_id = r.first("Credit-Notice", target=swap.tim3).id

    released = swap.owner("Release-Quarantine", **{"Quarantine-Id": deposit_id})
    again = swap.owner("Release-Quarantine", **{"Quarantine-Id": deposit_id})

    assert released.first("Credit-Notice", sender=swap.tim3).process == swap.alice.address
    assert again.first("Release-Quarantine-Error")
    s = swap.check()
    assert (s.balances, s.quarantined, s.reserve) == ({swap.alice.address: 90}, 0, 90)


def test_resolve_payout_rejects_unknown_ids_and_outcomes(swap: Swap) -> None:
    swap.deposit(swap.alice, 100)
    swap.net.faults.append(lambda s, out: "drop" if out.target == swap.usda else None)
    r = swap.redeem(swap.alice, 10)
    swap.net.advance(3_600_001)
    before = swap.state().comparable()

    unknown = swap.owner("Resolve-Payout", **{"Payout-Id": random_id(), "Outcome": "Paid"})
    odd = swap.owner("Resolve-Payout", **{"Payout-Id": r.id, "Outcome": "paid"})

    assert "No pending payout" in error_of(unknown, "Resolve-Payout-Error")
    assert "Outcome must be" in error_of(odd, "Resolve-Payout-Error")
    assert swap.state().comparable() == before


def test_no_action_mints_without_usda_not_even_for_the_owner(swap: Swap) -> None:
    for action in ["Mint", "Set-Config", "Release-Quarantine", "Resolve-Payout", "Credit-Notice"]:
        swap.owner(
            action,
            data='{"Mint-Paused": "false"}',
            Quantity="1000",
            Recipient=swap.deployer.address,
            Sender=swap.deployer.address,
        )

    assert swap.check().supply == 0
