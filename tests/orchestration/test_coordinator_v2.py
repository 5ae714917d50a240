"""Coordinator v2 (coordinator.lua) end to end on the devnet: configuration, deposit → mint,
RedeemTIM3 → burn → payout, and every failure the seed recorded, each asserted on the causal
trace message by message."""

from __future__ import annotations

import json
import random

import pytest
from orchestration_harness import (
    V2,
    actions,
    authorize,
    build_v2,
    duplicate,
    hops,
    lose,
    read,
    revoke,
)

from tim3.arweave import Wallet, random_id
from tim3.devnet import Devnet, Kind
from tim3.processes import source

# -- configuration -------------------------------------------------------------------------------


def test_seed_tag_spellings_configure_the_coordinator_and_each_sub_process_is_checked(
        devnet: Devnet, deployer: Wallet, alice: Wallet, bob: Wallet, usda: str) -> None:
    s = build_v2(devnet, deployer, alice, bob, usda, configure=False)

    r = s.configure(TokenManagerProcess=s.tm, StateManagerProcess=s.sm, AllowedUSDAProcess=usda,
                    CollateralRatio="1.0", SystemActive="true")

    assert hops(r, s.names, indent=True) == [
        "deployer → Coordinator: SetProcessConfig",
        "  Coordinator → deployer: Configure-Response",
        "  Coordinator → TokenManager: CheckAuthorization Process-Id=Coordinator",
        "    TokenManager → Coordinator: Authorization-Status Process-Id=Coordinator Role=Minter Authorized=true",
        "  Coordinator → StateManager: CheckAuthorization Process-Id=Coordinator",
        "    StateManager → Coordinator: Authorization-Status Process-Id=Coordinator Role=Writer Authorized=true",
    ]
    response = r.first("Configure-Response")
    assert {n: response.tag(n) for n in ("Token-Manager-Process", "State-Manager-Process",
                                         "Allowed-Usda-Process", "Collateral-Ratio", "System-Active")} == {
        "Token-Manager-Process": s.tm, "State-Manager-Process": s.sm, "Allowed-Usda-Process": usda,
        "Collateral-Ratio": "1.0", "System-Active": "true"}
    assert (response.tag("Token-Manager-Status"), response.tag("Ready")) == ("pending", "false")
    config = s.config()
    assert (config["tokenManagerProcess"], config["stateManagerProcess"], config["allowedUSDAProcess"],
            config["collateralRatio"], config["systemActive"]) == (s.tm, s.sm, usda, "1.0", True)
    assert (config["tokenManagerStatus"], config["stateManagerStatus"], config["ready"]) == (
        "verified", "verified", True)


def test_json_data_configures_the_coordinator_with_the_seeds_keys(
        devnet: Devnet, deployer: Wallet, alice: Wallet, bob: Wallet, usda: str) -> None:
    s = build_v2(devnet, deployer, alice, bob, usda, configure=False)
    body = {"tokenManagerProcess": s.tm, "stateManagerProcess": s.sm, "allowedUSDAProcess": usda,
            "collateralRatio": 1, "systemActive": True}

    r = devnet.send(deployer, s.coord, tags={"Action": "SetProcessConfig"}, data=json.dumps(body))

    assert r.first("Configure-Response").tag("System-Active") == "true"
    config = s.config()
    assert (config["tokenManagerProcess"], config["collateralRatio"], config["ready"]) == (s.tm, "1.0", True)


def test_configure_response_and_get_config_carry_the_same_configuration(v2: V2) -> None:
    r = v2.configure(SystemActive="true")

    response = json.loads(r.first("Configure-Response").data)
    reply = read(v2.net, v2.coord, "GetConfig")

    # The checks are answered after the response: only their outcome differs.
    checks = ("tokenManagerStatus", "stateManagerStatus", "ready", "notReadyReason")
    assert reply.tag("Action") is None
    assert {k: v for k, v in json.loads(reply.data).items() if k not in checks} == {
        k: v for k, v in response.items() if k not in checks}
    assert response["tokenManagerStatus"] == "pending"


@pytest.mark.parametrize("tag", ["TokenManager", "Token-Manager-Pid", "UsdaProcess"])
def test_an_unknown_setting_tag_is_an_error_never_silently_ignored(v2: V2, tag: str) -> None:
    before = v2.config()

    r = v2.configure(**{tag: random_id()})

    error = r.first("SetProcessConfig-Error").tag("Error") or ""
    assert "Unknown tag" in error and "Tokenmanagerprocess" in error
    assert v2.config() == before


@pytest.mark.parametrize("ratio", ["1.5", "2", "0.5", "1.00", "", "one", "1e0"])
def test_collateral_ratio_other_than_one_is_refused_with_a_clear_error(v2: V2, ratio: str) -> None:
    r = v2.configure(CollateralRatio=ratio)

    error = r.first("SetProcessConfig-Error").tag("Error") or ""
    assert error.startswith('CollateralRatio must be "1.0"')
    assert v2.config()["collateralRatio"] == "1.0"


def test_collateral_ratio_as_a_json_number_other_than_one_is_refused(v2: V2) -> None:
    r = v2.net.send(v2.deployer, v2.coord, tags={"Action": "SetProcessConfig"},
                    data='{"collateralRatio": 1.5}')

    assert "CollateralRatio must be" in (r.first("SetProcessConfig-Error").tag("Error") or "")


def test_set_process_config_from_anyone_but_the_owner_is_refused(v2: V2) -> None:
    r = v2.net.send(v2.alice, v2.coord, tags={"Action": "SetProcessConfig", "SystemActive": "false"})

    assert r.first("SetProcessConfig-Error").tag("Error") == "Only the process owner may use SetProcessConfig"
    assert v2.config()["systemActive"] is True


def test_one_process_cannot_serve_two_roles(v2: V2) -> None:
    r = v2.configure(StateManagerProcess=v2.tm)

    assert "are the same process" in (r.first("SetProcessConfig-Error").tag("Error") or "")


def test_token_manager_and_usda_cannot_change_while_usda_is_held(v2: V2) -> None:
    v2.deposit(v2.alice, 100)

    r = v2.configure(TokenManagerProcess=random_id())

    assert "cannot change while this coordinator holds USDA" in (
        r.first("SetProcessConfig-Error").tag("Error") or "")


# -- deposit → mint ------------------------------------------------------------------------------


def test_deposit_trace_is_credit_notice_mint_update_position_then_user_notices(v2: V2) -> None:
    r = v2.deposit(v2.alice, 100)

    deposit = r.first("Credit-Notice", target=v2.coord).id
    assert hops(r, v2.names, {deposit: "<deposit>"}, indent=True) == [
        "alice → USDA: Transfer Recipient=Coordinator Quantity=100",
        "  USDA → alice: Debit-Notice Recipient=Coordinator Quantity=100",
        "  USDA → Coordinator: Credit-Notice Sender=alice Quantity=100",
        "    Coordinator → TokenManager: Mint Recipient=alice Amount=100 Purpose=TIM3-mint-<deposit>",
        "      TokenManager → Coordinator: Mint-Notice Recipient=alice Quantity=100 Amount=100 Purpose=TIM3-mint-<deposit>",
        "        Coordinator → StateManager: UpdatePosition User=alice Update-Id=deposit-<deposit> Deposited=100 Minted=100",
        "          StateManager → Coordinator: Position-Updated User=alice Update-Id=deposit-<deposit> Deposited=100 Minted=100 Redeemed=0",
        "        Coordinator → alice: Deposit-Complete Quantity=100 Minted=100 Deposit-Id=<deposit>",
        "      TokenManager → alice: Credit-Notice Sender=TokenManager Quantity=100 Purpose=TIM3-mint-<deposit>",
        "    Coordinator → alice: Deposit-Progress Quantity=100 Stage=Minting Deposit-Id=<deposit>",
    ]
    assert (v2.tim3_of(v2.alice), v2.position(v2.alice)) == (100, {"deposited": 100, "minted": 100, "redeemed": 0})
    assert v2.flow(deposit)["Status"] == "Minted" and v2.flow(deposit)["Position"] == "Recorded"
    assert v2.check()["Reserve"] == 100


def test_deposit_while_the_system_is_inactive_is_refunded_with_the_reason(v2: V2) -> None:
    v2.configure(SystemActive="false")

    r = v2.deposit(v2.alice, 100)

    assert actions(r, v2.names) == [
        "alice → USDA: Transfer", "USDA → alice: Debit-Notice", "USDA → Coordinator: Credit-Notice",
        "Coordinator → USDA: Transfer", "USDA → Coordinator: Debit-Notice", "USDA → alice: Credit-Notice",
        "Coordinator → alice: Deposit-Error",
    ]
    refund = r.first("Transfer", target=v2.usda, sender=v2.coord)
    assert (refund.tag("Recipient"), refund.tag("Quantity")) == (v2.alice.address, "100")
    assert "the system is inactive" in (refund.tag("X-Refund-Reason") or "")
    assert "the system is inactive" in (r.first("Deposit-Error").tag("Error") or "")
    assert (v2.usda_of(v2.alice), v2.tim3_of(v2.alice)) == (1_000_000, 0)
    v2.check()


def test_a_redelivered_credit_notice_mints_once(v2: V2) -> None:
    duplicate(v2.net, v2.coord, "Credit-Notice")

    r = v2.deposit(v2.alice, 100)

    notices = r.find("Credit-Notice", target=v2.coord)
    assert len(notices) == 2 and [len(v2.net.trace(n.id).children) for n in notices] == [2, 0]
    assert len(r.find("Mint")) == 1
    assert v2.tim3_of(v2.alice) == 100
    v2.check()


def test_two_deposits_of_the_same_amount_mint_twice(v2: V2) -> None:
    v2.deposit(v2.alice, 100)

    v2.deposit(v2.alice, 100)

    assert v2.tim3_of(v2.alice) == 200
    assert v2.position(v2.alice)["minted"] == 200
    v2.check()


def test_the_state_manager_is_called_during_mint_and_redeem(v2: V2) -> None:
    deposit = v2.deposit(v2.alice, 300)
    redeem = v2.redeem(v2.alice, 120)

    for r, update in ((deposit, {"Deposited": "300", "Minted": "300"}), (redeem, {"Redeemed": "120"})):
        sent = r.first("UpdatePosition", target=v2.sm, sender=v2.coord)
        assert {k: sent.tag(k) for k in update} == update
        assert r.first("Position-Updated", target=v2.coord, sender=v2.sm)
    assert v2.position(v2.alice) == {"deposited": 300, "minted": 300, "redeemed": 120}


def test_without_a_state_manager_no_position_is_sent(
        devnet: Devnet, deployer: Wallet, alice: Wallet, bob: Wallet, usda: str) -> None:
    s = build_v2(devnet, deployer, alice, bob, usda, configure=False)
    s.configure(TokenManagerProcess=s.tm, AllowedUSDAProcess=usda, SystemActive="true")

    r = s.deposit(alice, 100)

    assert not r.find("UpdatePosition")
    assert s.flow(r.first("Credit-Notice", target=s.coord).id)["Position"] == "None"
    assert s.config()["stateManagerStatus"] == "unconfigured"
    s.check()


# -- the V1 failure modes, in v2 ---------------------------------------------------------------


def test_a_token_manager_that_does_not_authorize_the_coordinator_is_caught_at_configuration(
        devnet: Devnet, deployer: Wallet, alice: Wallet, bob: Wallet, usda: str) -> None:
    s = build_v2(devnet, deployer, alice, bob, usda, authorize_tm=False, configure=False)

    r = s.configure(TokenManagerProcess=s.tm, StateManagerProcess=s.sm, AllowedUSDAProcess=usda,
                    SystemActive="true")
    deposit = s.deposit(alice, 100)

    warning = r.first("Configure-Warning", target=deployer.address)
    assert "has not authorized this coordinator as a Minter" in (warning.tag("Error") or "")
    assert not deposit.find("Mint")
    assert "has not authorized this coordinator" in (deposit.first("Deposit-Error").tag("Error") or "")
    assert s.usda_of(alice) == 1_000_000
    s.check()


def test_a_minter_revoked_later_gets_mint_error_and_the_deposit_is_refunded(v2: V2) -> None:
    revoke(v2.net, v2.deployer, v2.tm, v2.coord)

    r = v2.deposit(v2.alice, 100)

    assert actions(r, v2.names)[3:] == [
        "Coordinator → TokenManager: Mint", "TokenManager → Coordinator: Mint-Error",
        "Coordinator → USDA: Transfer", "USDA → Coordinator: Debit-Notice", "USDA → alice: Credit-Notice",
        "Coordinator → alice: Deposit-Error", "Coordinator → deployer: Configure-Warning",
        "Coordinator → alice: Deposit-Progress",
    ]
    assert "is not an allowed minter" in (r.first("Deposit-Error").tag("Error") or "")
    assert v2.config()["tokenManagerStatus"].startswith("refused: Mint-Error")
    assert (v2.usda_of(v2.alice), v2.tim3_of(v2.alice)) == (1_000_000, 0)
    v2.check()


def test_after_fixing_the_authorization_verify_config_makes_deposits_mint_again(v2: V2) -> None:
    revoke(v2.net, v2.deployer, v2.tm, v2.coord)
    v2.deposit(v2.alice, 100)
    authorize(v2.net, v2.deployer, v2.tm, v2.coord)

    v2.net.send(v2.deployer, v2.coord, tags={"Action": "VerifyConfig"})
    v2.deposit(v2.alice, 100)

    assert v2.tim3_of(v2.alice) == 100
    v2.check()


@pytest.mark.parametrize("wrong", ["state-manager", "unknown-id"])
def test_a_misconfigured_token_manager_id_is_reported_and_deposits_are_refunded(
        devnet: Devnet, deployer: Wallet, alice: Wallet, bob: Wallet, usda: str, wrong: str) -> None:
    s = build_v2(devnet, deployer, alice, bob, usda, configure=False)
    other = devnet.spawn(deployer, source("state_manager"), tags={"Name": "other"})
    authorize(devnet, deployer, other, s.coord)
    pid = other if wrong == "state-manager" else random_id()

    r = s.configure(TokenManagerProcess=pid, AllowedUSDAProcess=usda, SystemActive="true")
    deposit = s.deposit(alice, 100)

    status = s.config()["tokenManagerStatus"]
    if wrong == "state-manager":
        assert "answers as a 'Writer', not as a Minter" in status
        assert r.first("Configure-Warning")
    else:
        assert status == "pending"
        assert r.first("CheckAuthorization").kind == Kind.WALLET   # nobody there to answer
    assert not deposit.find("Mint")
    error = deposit.first("Deposit-Error").tag("Error") or ""
    assert ("has not answered CheckAuthorization" in error) == (wrong == "unknown-id")
    assert s.usda_of(alice) == 1_000_000
    s.check()


def test_usda_of_another_token_is_returned_and_never_minted(
        devnet: Devnet, deployer: Wallet, alice: Wallet, bob: Wallet, usda: str) -> None:
    s = build_v2(devnet, deployer, alice, bob, usda, configure=False)
    real = devnet.spawn(deployer, source("usda_mock"), tags={"Name": "USDA2"})
    s.names[real] = "OtherToken"
    s.configure(TokenManagerProcess=s.tm, AllowedUSDAProcess=real, SystemActive="true")

    r = s.deposit(alice, 100)

    assert actions(r, s.names)[2:] == [
        "USDA → Coordinator: Credit-Notice", "Coordinator → USDA: Transfer",
        "USDA → Coordinator: Debit-Notice", "USDA → alice: Credit-Notice"]
    assert "accepts only USDA from" in (r.first("Transfer", sender=s.coord).tag("X-Refund-Reason") or "")
    assert s.usda_of(alice) == 1_000_000 and s.tim3_of(alice) == 0


def test_state_manager_refusing_is_reported_and_retry_records_the_position(v2: V2) -> None:
    revoke(v2.net, v2.deployer, v2.sm, v2.coord)
    r = v2.deposit(v2.alice, 100)
    deposit = r.first("Credit-Notice", target=v2.coord).id

    assert r.first("UpdatePosition-Error", target=v2.coord)
    warning = r.first("Flow-Warning", target=v2.deployer.address)
    assert warning.tag("Flow-Id") == deposit and "did not record the position" in (warning.tag("Error") or "")
    assert v2.flow(deposit)["Position"].startswith("Failed:")
    assert v2.config()["needsAttention"] == [deposit]
    assert v2.tim3_of(v2.alice) == 100

    authorize(v2.net, v2.deployer, v2.sm, v2.coord)
    retry = v2.retry(v2.deployer, deposit)

    assert actions(retry, v2.names) == [
        "deployer → Coordinator: RetryFlow", "Coordinator → deployer: RetryFlow-Notice",
        "Coordinator → StateManager: UpdatePosition", "StateManager → Coordinator: Position-Updated"]
    assert v2.flow(deposit)["Position"] == "Recorded"
    assert v2.position(v2.alice)["minted"] == 100 and v2.config()["needsAttention"] == []


def test_a_lost_mint_is_retried_by_the_user_and_mints_once(v2: V2) -> None:
    lose(v2.net, v2.tm, "Mint")
    r = v2.deposit(v2.alice, 100)
    deposit = r.first("Credit-Notice", target=v2.coord).id
    assert "Coordinator → TokenManager: Mint LOST" in actions(r, v2.names)
    assert v2.flow(deposit)["Status"] == "Minting" and v2.ledger()["Pending-Mints"] == 100
    v2.check()

    v2.retry(v2.alice, deposit)

    assert v2.flow(deposit)["Status"] == "Minted" and v2.tim3_of(v2.alice) == 100
    v2.check()


def test_a_lost_mint_notice_is_retried_and_the_token_manager_answers_without_minting_again(v2: V2) -> None:
    lose(v2.net, v2.coord, "Mint-Notice")
    r = v2.deposit(v2.alice, 100)
    deposit = r.first("Credit-Notice", target=v2.coord).id
    assert v2.tim3_of(v2.alice) == 100 and v2.flow(deposit)["Status"] == "Minting"

    retry = v2.retry(v2.alice, deposit)

    assert retry.first("Mint-Notice").tag("Duplicate") == "true"
    assert not retry.find("Credit-Notice")
    assert v2.tim3_of(v2.alice) == 100 and v2.flow(deposit)["Status"] == "Minted"
    v2.check()


BAD_QUANTITIES = ["007", "+5", "0x10", "1.5", "0", "-5", " 5", str(2**256)]


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_a_usda_notice_with_a_bad_quantity_is_refunded_with_the_raw_string_and_never_minted(
        devnet: Devnet, deployer: Wallet, alice: Wallet, bob: Wallet, usda_hostile: str,
        quantity: str) -> None:
    s = build_v2(devnet, deployer, alice, bob, usda_hostile)
    body = {"Target": s.coord, "Tags": {"Action": "Credit-Notice", "Sender": alice.address,
                                        "Quantity": quantity}}

    r = devnet.send(deployer, usda_hostile, tags={"Action": "Emit"}, data=json.dumps(body))

    refund = r.first("Transfer", sender=s.coord)
    assert (refund.tag("Recipient"), refund.tag("Quantity")) == (alice.address, quantity)
    assert not r.find("Mint")


def test_a_usda_notice_without_a_usable_sender_is_counted_as_surplus(
        devnet: Devnet, deployer: Wallet, alice: Wallet, bob: Wallet, usda_hostile: str) -> None:
    s = build_v2(devnet, deployer, alice, bob, usda_hostile)
    body = {"Target": s.coord, "Tags": {"Action": "Credit-Notice", "Quantity": "50"}}

    r = devnet.send(deployer, usda_hostile, tags={"Action": "Emit"}, data=json.dumps(body))

    assert actions(r, s.names)[-1] == "USDA → Coordinator: Credit-Notice"
    assert s.ledger()["Surplus"] == 50


def test_a_wallet_signed_credit_notice_mints_nothing(v2: V2) -> None:
    r = v2.net.send(v2.alice, v2.coord, tags={"Action": "Credit-Notice", "Sender": v2.alice.address,
                                              "Quantity": "100"})

    assert r.messages == []
    assert v2.tim3_of(v2.alice) == 0


def test_tim3_sent_to_the_coordinator_by_mistake_is_returned(v2: V2) -> None:
    v2.deposit(v2.alice, 100)

    r = v2.net.send(v2.alice, v2.tm, tags={"Action": "Transfer", "Recipient": v2.coord, "Quantity": "30"})

    returned = r.first("Transfer", sender=v2.coord)
    assert (returned.process, returned.tag("Recipient"), returned.tag("Quantity")) == (
        v2.tm, v2.alice.address, "30")
    assert v2.tim3_of(v2.alice) == 100
    v2.check()


# -- RedeemTIM3: burn first, then USDA -----------------------------------------------------------


def test_redeem_trace_burns_first_then_transfers_usda_then_records(v2: V2) -> None:
    v2.deposit(v2.alice, 100)

    r = v2.redeem(v2.alice, 40)

    assert hops(r, v2.names, indent=True) == [
        "alice → Coordinator: RedeemTIM3 Quantity=40",
        "  Coordinator → TokenManager: Burn Account=alice Quantity=40 Purpose=TIM3-redeem-<request>",
        "    TokenManager → Coordinator: Burn-Notice Account=alice Quantity=40 Amount=40 Purpose=TIM3-redeem-<request>",
        "      Coordinator → USDA: Transfer Recipient=alice Quantity=40 X-Payout-Id=<request>",
        "        USDA → Coordinator: Debit-Notice Recipient=alice Quantity=40 X-Payout-Id=<request>",
        "          Coordinator → StateManager: UpdatePosition User=alice Update-Id=redeem-<request> Redeemed=40",
        "            StateManager → Coordinator: Position-Updated User=alice Update-Id=redeem-<request> Deposited=100 Minted=100 Redeemed=40",
        "          Coordinator → alice: Redeem-Complete Quantity=40 Redeem-Id=<request>",
        "        USDA → alice: Credit-Notice Sender=Coordinator Quantity=40 X-Payout-Id=<request>",
        "  Coordinator → alice: Redeem-Progress Quantity=40 Stage=Burning Redeem-Id=<request>",
    ]
    assert (v2.tim3_of(v2.alice), v2.usda_of(v2.alice)) == (60, 1_000_000 - 60)
    assert v2.flow(r.id)["Status"] == "Complete"
    assert v2.check()["Reserve"] == 60


def test_redeem_of_more_tim3_than_the_user_holds_gets_the_token_managers_error(v2: V2) -> None:
    v2.deposit(v2.alice, 100)
    v2.deposit(v2.bob, 100)

    r = v2.redeem(v2.alice, 150)

    assert actions(r, v2.names) == [
        "alice → Coordinator: RedeemTIM3", "Coordinator → TokenManager: Burn",
        "TokenManager → Coordinator: Burn-Error", "Coordinator → alice: RedeemTIM3-Error",
        "Coordinator → alice: Redeem-Progress"]
    assert "Insufficient balance" in (r.first("RedeemTIM3-Error").tag("Error") or "")
    assert v2.flow(r.id)["Status"] == "Failed"
    assert (v2.tim3_of(v2.alice), v2.usda_of(v2.alice)) == (100, 1_000_000 - 100)
    v2.check()


def test_redeem_more_than_the_coordinator_backs_is_refused_before_burning(v2: V2) -> None:
    v2.deposit(v2.alice, 100)

    r = v2.redeem(v2.alice, 101)

    assert actions(r, v2.names) == ["alice → Coordinator: RedeemTIM3", "Coordinator → alice: RedeemTIM3-Error"]


@pytest.mark.parametrize("quantity", ["0", "007", "1.5", "", "-1", "0x10"])
def test_redeem_with_a_bad_quantity_is_refused(v2: V2, quantity: str) -> None:
    v2.deposit(v2.alice, 100)

    r = v2.redeem(v2.alice, quantity)

    assert "Quantity" in (r.first("RedeemTIM3-Error").tag("Error") or "")
    assert not r.find("Burn")


def test_redeem_while_inactive_is_refused(v2: V2) -> None:
    v2.deposit(v2.alice, 100)
    v2.configure(SystemActive="false")

    r = v2.redeem(v2.alice, 50)

    assert "the system is inactive" in (r.first("RedeemTIM3-Error").tag("Error") or "")
    assert v2.tim3_of(v2.alice) == 100


def refuse_transfers_from(net: Devnet, owner: Wallet, usda: str, sender: str) -> None:
    """Make the mock USDA answer every Transfer from `sender` with Transfer-Error (via Eval)."""
    r = net.eval(owner, usda, f"""
Handlers.prepend("refuse", function(msg) return msg.Action == "Transfer" and msg.From == "{sender}" end,
  function(msg) msg.reply({{ Action = "Transfer-Error", Error = "Account frozen" }}) end)""")
    assert r.ok, r.error


def test_a_payout_usda_refuses_restores_the_burned_tim3(v2: V2) -> None:
    v2.deposit(v2.alice, 100)
    refuse_transfers_from(v2.net, v2.deployer, v2.usda, v2.coord)

    r = v2.redeem(v2.alice, 40)

    assert actions(r, v2.names) == [
        "alice → Coordinator: RedeemTIM3", "Coordinator → TokenManager: Burn",
        "TokenManager → Coordinator: Burn-Notice", "Coordinator → USDA: Transfer",
        "USDA → Coordinator: Transfer-Error", "Coordinator → TokenManager: Mint",
        "TokenManager → Coordinator: Mint-Notice", "Coordinator → alice: RedeemTIM3-Error",
        "TokenManager → alice: Credit-Notice", "Coordinator → alice: Redeem-Progress"]
    restore = r.first("Mint", target=v2.tm)
    assert restore.tag("Purpose") == f"TIM3-restore-{r.id}"
    assert "Account frozen" in (r.first("RedeemTIM3-Error").tag("Error") or "")
    assert v2.flow(r.id)["Status"] == "Restored"
    assert (v2.tim3_of(v2.alice), v2.usda_of(v2.alice)) == (100, 1_000_000 - 100)
    v2.check()


def test_a_lost_restore_mint_is_retried_and_the_tim3_comes_back(v2: V2) -> None:
    v2.deposit(v2.alice, 100)
    refuse_transfers_from(v2.net, v2.deployer, v2.usda, v2.coord)
    lose(v2.net, v2.tm, "Mint")   # the restore's Mint is lost: an interrupted compensation
    r = v2.redeem(v2.alice, 40)
    assert v2.flow(r.id)["Status"] == "Restoring"
    assert v2.tim3_of(v2.alice) == 60 and v2.ledger()["Pending-Restores"] == 40
    v2.check()

    retry = v2.retry(v2.alice, r.id)

    assert retry.first("RetryFlow-Notice").tag("Step") == "Restore"
    assert v2.flow(r.id)["Status"] == "Restored" and v2.tim3_of(v2.alice) == 100
    v2.check()


def hold_payouts(v2: V2) -> None:
    """Hold back every message the coordinator sends to the USDA (release with net.release)."""
    v2.net.faults.append(lambda s, out: "hold" if out.target == v2.usda and s == v2.coord else None)


def test_a_restore_the_token_manager_refuses_warns_the_owner_and_retry_finishes_it(v2: V2) -> None:
    v2.deposit(v2.alice, 100)
    refuse_transfers_from(v2.net, v2.deployer, v2.usda, v2.coord)
    hold_payouts(v2)
    r = v2.redeem(v2.alice, 40)
    v2.net.faults.clear()
    revoke(v2.net, v2.deployer, v2.tm, v2.coord)

    released = v2.net.release()

    assert actions(released, v2.names) == [
        "Coordinator → USDA: Transfer", "USDA → Coordinator: Transfer-Error",
        "Coordinator → TokenManager: Mint", "TokenManager → Coordinator: Mint-Error",
        "Coordinator → deployer: Flow-Warning"]
    assert released.first("Flow-Warning").tag("Flow-Id") == r.id
    assert v2.flow(r.id)["Status"] == "Restore-Failed" and v2.config()["needsAttention"] == [r.id]
    authorize(v2.net, v2.deployer, v2.tm, v2.coord)

    v2.retry(v2.deployer, r.id)

    assert v2.flow(r.id)["Status"] == "Restored" and v2.tim3_of(v2.alice) == 100
    v2.check()


def test_a_lost_burn_notice_is_retried_and_burns_once(v2: V2) -> None:
    v2.deposit(v2.alice, 100)
    lose(v2.net, v2.coord, "Burn-Notice")
    r = v2.redeem(v2.alice, 40)
    assert v2.tim3_of(v2.alice) == 60 and v2.flow(r.id)["Status"] == "Burning"

    retry = v2.retry(v2.alice, r.id)

    assert retry.first("Burn-Notice").tag("Duplicate") == "true"
    assert (v2.tim3_of(v2.alice), v2.usda_of(v2.alice)) == (60, 1_000_000 - 60)
    assert v2.flow(r.id)["Status"] == "Complete"
    v2.check()


def test_a_payout_waiting_for_usda_is_never_sent_twice(v2: V2) -> None:
    v2.deposit(v2.alice, 100)
    hold_payouts(v2)
    r = v2.redeem(v2.alice, 40)
    v2.net.faults.clear()
    assert v2.flow(r.id)["Status"] == "Paying"

    retry = v2.retry(v2.alice, r.id)
    v2.net.release()

    assert "never sent twice" in (retry.first("RetryFlow-Error").tag("Error") or "")
    assert v2.flow(r.id)["Status"] == "Complete" and v2.usda_of(v2.alice) == 1_000_000 - 60
    v2.check()


def test_a_forged_transfer_error_for_a_payout_does_not_restore_tim3(v2: V2) -> None:
    v2.deposit(v2.alice, 100)
    hold_payouts(v2)
    r = v2.redeem(v2.alice, 40)
    v2.net.faults.clear()

    # bob makes USDA send the coordinator a Transfer-Error that names alice's payout.
    forged = v2.net.send(v2.bob, v2.usda, tags={"Action": "Transfer", "Recipient": v2.alice.address,
                                                "Quantity": "999999999", "X-Reference": r.id,
                                                "Reply-To": v2.coord})
    v2.net.release()

    assert forged.first("Transfer-Error", target=v2.coord)
    assert not forged.find("Mint")
    assert v2.flow(r.id)["Status"] == "Complete"
    assert (v2.tim3_of(v2.alice), v2.usda_of(v2.alice)) == (60, 1_000_000 - 60)
    v2.check()


def test_retry_by_a_stranger_is_refused(v2: V2) -> None:
    r = v2.deposit(v2.alice, 100)

    retry = v2.retry(v2.bob, r.first("Credit-Notice", target=v2.coord).id)

    assert retry.first("RetryFlow-Error").tag("Error") == "Only the owner or the flow's user may retry it"


# -- solvency ------------------------------------------------------------------------------------


def test_solvency_invariants_hold_after_every_step_of_a_mixed_sequence(v2: V2) -> None:
    rng = random.Random(7)
    users = [v2.alice, v2.bob]

    for _ in range(30):
        who = rng.choice(users)
        step = rng.choice(["deposit", "deposit", "redeem", "transfer"])
        if step == "deposit":
            v2.deposit(who, rng.randint(1, 500))
        elif step == "redeem":
            v2.redeem(who, rng.randint(1, 400))
        else:
            other = users[1 - users.index(who)]
            v2.net.send(who, v2.tm, tags={"Action": "Transfer", "Recipient": other.address,
                                          "Quantity": str(rng.randint(1, 200))})
        led = v2.check()
        assert all(led[k] == 0 for k in ("Pending-Mints", "Pending-Burns", "Pending-Payouts",
                                          "Pending-Restores"))

    positions = [v2.position(u) for u in users]
    assert sum(p["minted"] - p["redeemed"] for p in positions) == v2.check()["Reserve"]


@pytest.mark.parametrize("corruption", [
    'Ledger["Pending-Mints"] = "0x10"',
    'Config["Token-Manager-Process"] = {}',
    "Deposits = nil",
], ids=["corrupt-ledger", "corrupt-config", "missing-table"])
def test_an_internal_error_in_the_deposit_path_refunds_and_leaves_no_trace(v2: V2, corruption: str) -> None:
    v2.net.eval(v2.deployer, v2.coord, corruption)

    r = v2.deposit(v2.alice, 100)

    assert r.ok and all(m.error is None for m in r.messages)
    assert not r.find("Mint")
    refund = r.first("Transfer", sender=v2.coord)
    assert refund.tag("Quantity") == "100" and "internal error" in (refund.tag("X-Refund-Reason") or "")
    assert v2.usda_of(v2.alice) == 1_000_000 and v2.usda_of(v2.coord) == 0
