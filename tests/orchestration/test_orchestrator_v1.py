"""The V1 orchestrator (orchestrator.lua) end to end on the devnet: the seed's configuration
handlers, mint = lock → mint → record, burn = burn → unlock → record, the failure modes that
broke V1 (tag mismatches, missing authorizations, a State Manager never called), every
compensating step, and an interruption at every step of both flows."""

from __future__ import annotations

import json

import pytest
from orchestration_harness import V1, actions, authorize, build_v1, duplicate, hops, lose, revoke

from tim3.arweave import Wallet, random_id
from tim3.devnet import Devnet
from tim3.processes import source

SEED_SETTERS = ["SetMockUsdaProcess", "SetStateManagerProcess", "SetLockManagerProcess",
                "SetTokenManagerProcess"]

# -- configuration -------------------------------------------------------------------------------


def test_the_seeds_four_setters_with_a_processid_tag_make_the_orchestrator_ready(
        devnet: Devnet, deployer: Wallet, alice: Wallet, bob: Wallet) -> None:
    s = build_v1(devnet, deployer, alice, bob, configure=False)
    pids = [s.usda, s.sm, s.lm, s.tm]

    receipts = [s.set(action, pid) for action, pid in zip(SEED_SETTERS, pids, strict=True)]

    settings = ["Mock-Usda-Process", "State-Manager-Process", "Lock-Manager-Process", "Token-Manager-Process"]
    for r, setting, pid in zip(receipts, settings, pids, strict=True):
        assert r.first("Configure-Response").tag(setting) == pid
    assert hops(receipts[-1], s.names) == [
        "deployer → Orchestrator: SetTokenManagerProcess",
        "Orchestrator → deployer: Configure-Response",
        "Orchestrator → LockManager: CheckAuthorization Process-Id=Orchestrator",
        "LockManager → Orchestrator: Authorization-Status Process-Id=Orchestrator Role=Locker Authorized=true",
        "Orchestrator → TokenManager: CheckAuthorization Process-Id=Orchestrator",
        "TokenManager → Orchestrator: Authorization-Status Process-Id=Orchestrator Role=Minter Authorized=true",
        "Orchestrator → StateManager: CheckAuthorization Process-Id=Orchestrator",
        "StateManager → Orchestrator: Authorization-Status Process-Id=Orchestrator Role=Writer Authorized=true",
    ]
    config = s.config()
    assert (config["mockUsdaProcess"], config["stateManagerProcess"], config["lockManagerProcess"],
            config["tokenManagerProcess"]) == tuple(pids)
    assert config["ready"] is True


@pytest.mark.parametrize("form", ["json", "json-any-spelling", "bare-id", "canonical-tag"])
def test_a_setter_takes_the_process_id_as_json_data_a_bare_id_or_the_canonical_tag(
        devnet: Devnet, deployer: Wallet, alice: Wallet, bob: Wallet, form: str) -> None:
    s = build_v1(devnet, deployer, alice, bob, configure=False)
    send = {
        "json": ({}, json.dumps({"processId": s.tm})),
        "json-any-spelling": ({}, json.dumps({"Process-Id": s.tm})),
        "bare-id": ({}, s.tm),
        "canonical-tag": ({"Process-Id": s.tm}, ""),
    }[form]

    r = devnet.send(deployer, s.orch, tags={"Action": "SetTokenManagerProcess", **send[0]}, data=send[1])

    assert r.first("Configure-Response").tag("Token-Manager-Process") == s.tm


def test_a_setter_without_a_process_id_says_how_to_give_one(v1: V1) -> None:
    r = v1.net.send(v1.deployer, v1.orch, tags={"Action": "SetTokenManagerProcess"})

    error = r.first("SetTokenManagerProcess-Error").tag("Error") or ""
    assert "Process-Id is required" in error and "ProcessId" in error


def test_a_mistyped_tag_is_an_error_naming_what_arrived(v1: V1) -> None:
    r = v1.net.send(v1.deployer, v1.orch, tags={"Action": "SetTokenManagerProcess", "Process": v1.tm})

    assert "Unknown tag 'Process'" in (r.first("SetTokenManagerProcess-Error").tag("Error") or "")


def test_setters_are_owner_only(v1: V1) -> None:
    r = v1.net.send(v1.alice, v1.orch, tags={"Action": "SetTokenManagerProcess", "ProcessId": random_id()})

    assert r.first("SetTokenManagerProcess-Error").tag("Error") == "Only the process owner may use SetTokenManagerProcess"
    assert v1.config()["tokenManagerProcess"] == v1.tm


def test_one_process_cannot_serve_two_roles(v1: V1) -> None:
    r = v1.set("SetStateManagerProcess", v1.tm)

    assert "one process cannot serve two roles" in (r.first("SetStateManagerProcess-Error").tag("Error") or "")


def test_a_sub_process_cannot_change_while_usda_is_locked(v1: V1) -> None:
    v1.mint(v1.alice, 100)

    r = v1.set("SetTokenManagerProcess", random_id())

    assert "cannot change while" in (r.first("SetTokenManagerProcess-Error").tag("Error") or "")


# -- mint and burn -------------------------------------------------------------------------------


def test_mint_trace_is_lock_then_mint_then_record(v1: V1) -> None:
    r = v1.mint(v1.alice, 100)

    assert hops(r, v1.names, indent=True) == [
        "alice → Orchestrator: MintTIM3 Quantity=100",
        "  Orchestrator → LockManager: Lock User=alice Quantity=100 Lock-Id=<request>",
        "    LockManager → USDA: Lock Account=alice Quantity=100 Lock-Id=lock:Orchestrator:<request>",
        "      USDA → LockManager: Lock-Notice Account=alice Quantity=100 Lock-Id=lock:Orchestrator:<request>",
        "        LockManager → Orchestrator: Lock-Notice User=alice Quantity=100 Lock-Id=<request>",
        "          Orchestrator → TokenManager: Mint Recipient=alice Amount=100 Purpose=TIM3-mint-<request>",
        "            TokenManager → Orchestrator: Mint-Notice Recipient=alice Quantity=100 Amount=100 Purpose=TIM3-mint-<request>",
        "              Orchestrator → StateManager: UpdatePosition User=alice Update-Id=mint-<request> Deposited=100 Minted=100",
        "                StateManager → Orchestrator: Position-Updated User=alice Update-Id=mint-<request> Deposited=100 Minted=100 Redeemed=0",
        "                  Orchestrator → alice: MintTIM3-Complete Quantity=100 Position=Recorded Flow-Id=<request>",
        "            TokenManager → alice: Credit-Notice Sender=TokenManager Quantity=100 Purpose=TIM3-mint-<request>",
    ]
    assert (v1.usda_of(v1.alice), v1.locked_of(v1.alice), v1.tim3_of(v1.alice)) == (1_000_000 - 100, 100, 100)
    assert v1.state(r.id) == "Complete"
    v1.check()


def test_burn_trace_is_burn_then_unlock_then_record(v1: V1) -> None:
    v1.mint(v1.alice, 100)

    r = v1.burn(v1.alice, 40)

    assert hops(r, v1.names, indent=True) == [
        "alice → Orchestrator: BurnTIM3 Quantity=40",
        "  Orchestrator → TokenManager: Burn Account=alice Quantity=40 Purpose=TIM3-burn-<request>",
        "    TokenManager → Orchestrator: Burn-Notice Account=alice Quantity=40 Amount=40 Purpose=TIM3-burn-<request>",
        "      Orchestrator → LockManager: Unlock User=alice Quantity=40 Unlock-Id=burn-<request>",
        "        LockManager → USDA: Unlock Account=alice Quantity=40 Unlock-Id=unlock:Orchestrator:burn-<request>",
        "          USDA → LockManager: Unlock-Notice Account=alice Quantity=40 Unlock-Id=unlock:Orchestrator:burn-<request>",
        "            LockManager → Orchestrator: Unlock-Notice User=alice Quantity=40 Unlock-Id=burn-<request>",
        "              Orchestrator → StateManager: UpdatePosition User=alice Update-Id=burn-<request> Redeemed=40",
        "                StateManager → Orchestrator: Position-Updated User=alice Update-Id=burn-<request> Deposited=100 Minted=100 Redeemed=40",
        "                  Orchestrator → alice: BurnTIM3-Complete Quantity=40 Position=Recorded Flow-Id=<request>",
    ]
    assert (v1.usda_of(v1.alice), v1.locked_of(v1.alice), v1.tim3_of(v1.alice)) == (1_000_000 - 60, 60, 60)
    v1.check()


def test_the_state_manager_is_active_during_mint_and_burn(v1: V1) -> None:
    mint = v1.mint(v1.alice, 300)
    burn = v1.burn(v1.alice, 100)

    for r in (mint, burn):
        assert r.first("UpdatePosition", target=v1.sm, sender=v1.orch)
        assert r.first("Position-Updated", target=v1.orch, sender=v1.sm)
    assert v1.position(v1.alice) == {"deposited": 300, "minted": 300, "redeemed": 100}


def test_burning_more_than_the_usda_locked_for_you_is_refused(v1: V1) -> None:
    v1.mint(v1.alice, 100)
    v1.net.send(v1.alice, v1.tm, tags={"Action": "Transfer", "Recipient": v1.bob.address, "Quantity": "50"})

    r = v1.burn(v1.bob, 50)

    assert actions(r, v1.names) == ["bob → Orchestrator: BurnTIM3", "Orchestrator → bob: BurnTIM3-Error"]
    assert "You have 0 USDA base units locked" in (r.first("BurnTIM3-Error").tag("Error") or "")
    v1.check()


# -- the V1 failure modes: caught at configuration ---------------------------------------------


@pytest.mark.parametrize(("skip", "component", "why"), [
    ("lm", "Lock-Manager", "has not authorized this orchestrator as a Locker"),
    ("tm", "Token-Manager", "has not authorized this orchestrator as a Minter"),
    ("sm", "State-Manager", "has not authorized this orchestrator as a Writer"),
    ("usda", "Lock-Manager", "cannot lock on the USDA"),
], ids=["lock-manager", "token-manager", "state-manager", "usda-to-lock-manager"])
def test_a_missing_authorization_is_caught_before_any_money_moves(
        devnet: Devnet, deployer: Wallet, alice: Wallet, bob: Wallet, skip: str, component: str,
        why: str) -> None:
    s = build_v1(devnet, deployer, alice, bob, skip=(skip,), configure=False)

    receipts = [s.set(action, pid) for action, pid in zip(SEED_SETTERS, [s.usda, s.sm, s.lm, s.tm], strict=True)]
    r = s.mint(alice, 100)

    warning = receipts[-1].first("Configure-Warning", target=deployer.address)
    assert warning.tag("Component") == component and why in (warning.tag("Error") or "")
    assert actions(r, s.names) == ["alice → Orchestrator: MintTIM3", "Orchestrator → alice: MintTIM3-Error"]
    assert why in (r.first("MintTIM3-Error").tag("Error") or "")
    assert (s.usda_of(alice), s.locked_of(alice), s.tim3_of(alice)) == (1_000_000, 0, 0)


def test_swapped_process_ids_are_caught_by_the_role_each_answers_with(
        devnet: Devnet, deployer: Wallet, alice: Wallet, bob: Wallet) -> None:
    s = build_v1(devnet, deployer, alice, bob, configure=False)
    s.set("SetMockUsdaProcess", s.usda)
    s.set("SetLockManagerProcess", s.lm)

    s.set("SetTokenManagerProcess", s.sm)
    r = s.set("SetStateManagerProcess", s.tm)

    config = s.config()
    assert "answers as a 'Writer', not as a Minter" in config["tokenManagerStatus"]
    assert "answers as a 'Minter', not as a Writer" in config["stateManagerStatus"]
    assert len(r.find("Configure-Warning")) == 2
    assert not s.mint(alice, 100).find("Lock")


def test_a_lock_manager_that_locks_on_another_usda_is_caught(
        devnet: Devnet, deployer: Wallet, alice: Wallet, bob: Wallet) -> None:
    s = build_v1(devnet, deployer, alice, bob, configure=False)
    other = devnet.spawn(deployer, source("usda_lockable"), tags={"Name": "USDA2"})
    for action, pid in zip(SEED_SETTERS, [other, s.sm, s.lm, s.tm], strict=True):
        s.set(action, pid)

    assert "the Lock Manager locks on USDA" in s.config()["lockManagerStatus"]


def test_a_process_id_nobody_answers_for_stays_pending_and_blocks_flows(v1: V1) -> None:
    r = v1.net.send(v1.deployer, v1.orch, tags={"Action": "VerifyConfig"})
    assert not r.find("Configure-Warning") and v1.config()["ready"] is True
    wrong = random_id()
    v1.net.eval(v1.deployer, v1.orch, f'Config["State-Manager-Process"] = "{wrong}"')

    v1.net.send(v1.deployer, v1.orch, tags={"Action": "VerifyConfig"})
    mint = v1.mint(v1.alice, 100)

    assert v1.config()["stateManagerStatus"] == "pending"
    assert "has not answered CheckAuthorization" in (mint.first("MintTIM3-Error").tag("Error") or "")


# -- compensation: a sub-process answers with an error ------------------------------------------


def test_a_refused_lock_ends_the_mint_with_nothing_moved(v1: V1) -> None:
    r = v1.mint(v1.alice, 2_000_000)

    assert actions(r, v1.names) == [
        "alice → Orchestrator: MintTIM3", "Orchestrator → LockManager: Lock", "LockManager → USDA: Lock",
        "USDA → LockManager: Lock-Error", "LockManager → Orchestrator: Lock-Error",
        "Orchestrator → alice: MintTIM3-Error"]
    assert "Insufficient balance" in (r.first("MintTIM3-Error").tag("Error") or "")
    assert v1.state(r.id) == "Failed"
    v1.check()


def test_a_refused_mint_unlocks_the_usda_again(v1: V1) -> None:
    revoke(v1.net, v1.deployer, v1.tm, v1.orch)

    r = v1.mint(v1.alice, 100)

    assert actions(r, v1.names)[5:] == [
        "Orchestrator → TokenManager: Mint", "TokenManager → Orchestrator: Mint-Error",
        "Orchestrator → LockManager: Unlock", "LockManager → USDA: Unlock",
        "USDA → LockManager: Unlock-Notice", "LockManager → Orchestrator: Unlock-Notice",
        "Orchestrator → alice: MintTIM3-Error"]
    assert r.first("Unlock", target=v1.lm).tag("Unlock-Id") == f"revert-{r.id}"
    error = r.first("MintTIM3-Error").tag("Error") or ""
    assert "not an allowed minter" in error and "your USDA was unlocked again" in error
    assert v1.state(r.id) == "Reverted"
    assert (v1.usda_of(v1.alice), v1.locked_of(v1.alice), v1.tim3_of(v1.alice)) == (1_000_000, 0, 0)
    v1.check()


def test_a_refused_unlock_mints_the_burned_tim3_back(v1: V1) -> None:
    v1.mint(v1.alice, 100)
    revoke(v1.net, v1.deployer, v1.usda, v1.lm)

    r = v1.burn(v1.alice, 40)

    assert actions(r, v1.names)[:9] == [
        "alice → Orchestrator: BurnTIM3", "Orchestrator → TokenManager: Burn",
        "TokenManager → Orchestrator: Burn-Notice", "Orchestrator → LockManager: Unlock",
        "LockManager → USDA: Unlock", "USDA → LockManager: Unlock-Error",
        "LockManager → Orchestrator: Unlock-Error", "Orchestrator → TokenManager: Mint",
        "TokenManager → Orchestrator: Mint-Notice"]
    assert r.first("Mint", target=v1.tm).tag("Purpose") == f"TIM3-restore-{r.id}"
    assert "your TIM3 was minted back" in (r.first("BurnTIM3-Error").tag("Error") or "")
    assert (v1.locked_of(v1.alice), v1.tim3_of(v1.alice), v1.collateral(v1.alice)) == (100, 100, 100)
    assert v1.state(r.id) == "Reverted"
    v1.check()


def test_a_refused_burn_keeps_the_usda_locked(v1: V1) -> None:
    v1.mint(v1.alice, 100)
    v1.net.send(v1.alice, v1.tm, tags={"Action": "Transfer", "Recipient": v1.bob.address, "Quantity": "80"})

    r = v1.burn(v1.alice, 50)

    assert actions(r, v1.names) == [
        "alice → Orchestrator: BurnTIM3", "Orchestrator → TokenManager: Burn",
        "TokenManager → Orchestrator: Burn-Error", "Orchestrator → alice: BurnTIM3-Error"]
    assert v1.state(r.id) == "Failed" and v1.collateral(v1.alice) == 100
    v1.check()


def test_a_state_manager_that_refuses_is_reported_and_retry_records_the_position(v1: V1) -> None:
    revoke(v1.net, v1.deployer, v1.sm, v1.orch)
    r = v1.mint(v1.alice, 100)

    assert actions(r, v1.names)[-5:] == [
        "Orchestrator → StateManager: UpdatePosition", "StateManager → Orchestrator: UpdatePosition-Error",
        "Orchestrator → deployer: Flow-Warning", "Orchestrator → alice: MintTIM3-Complete",
        "TokenManager → alice: Credit-Notice"]
    assert (r.first("MintTIM3-Complete").tag("Position") or "").startswith("Failed:")
    assert v1.state(r.id) == "Unrecorded" and v1.config()["needsAttention"] == [r.id]
    v1.check()

    authorize(v1.net, v1.deployer, v1.sm, v1.orch)
    retry = v1.retry(v1.deployer, r.id)

    assert actions(retry, v1.names) == [
        "deployer → Orchestrator: RetryFlow", "Orchestrator → deployer: RetryFlow-Notice",
        "Orchestrator → StateManager: UpdatePosition", "StateManager → Orchestrator: Position-Updated"]
    assert v1.state(r.id) == "Complete" and v1.position(v1.alice)["minted"] == 100


def test_a_revert_the_lock_manager_refuses_is_flagged_and_retry_finishes_it(v1: V1) -> None:
    revoke(v1.net, v1.deployer, v1.tm, v1.orch)
    v1.net.faults.append(lambda s, out: "hold" if out.target == v1.tm and out.tag("Action") == "Mint" else None)
    r = v1.mint(v1.alice, 100)
    v1.net.faults.clear()
    revoke(v1.net, v1.deployer, v1.lm, v1.orch)

    released = v1.net.release()

    assert actions(released, v1.names) == [
        "Orchestrator → TokenManager: Mint", "TokenManager → Orchestrator: Mint-Error",
        "Orchestrator → LockManager: Unlock", "LockManager → Orchestrator: Unlock-Error",
        "Orchestrator → deployer: Flow-Warning"]
    assert v1.state(r.id) == "Revert-Failed" and v1.locked_of(v1.alice) == 100 and v1.tim3_of(v1.alice) == 0
    authorize(v1.net, v1.deployer, v1.lm, v1.orch)

    v1.retry(v1.alice, r.id)

    assert v1.state(r.id) == "Reverted" and v1.locked_of(v1.alice) == 0
    v1.check()


def test_a_restore_the_token_manager_refuses_is_flagged_and_retry_finishes_it(v1: V1) -> None:
    v1.mint(v1.alice, 100)
    revoke(v1.net, v1.deployer, v1.usda, v1.lm)
    v1.net.faults.append(lambda s, out: "hold" if out.target == v1.usda and out.tag("Action") == "Unlock" else None)
    r = v1.burn(v1.alice, 40)
    v1.net.faults.clear()
    revoke(v1.net, v1.deployer, v1.tm, v1.orch)

    released = v1.net.release()

    assert actions(released, v1.names)[-3:] == [
        "Orchestrator → TokenManager: Mint", "TokenManager → Orchestrator: Mint-Error",
        "Orchestrator → deployer: Flow-Warning"]
    assert v1.state(r.id) == "Restore-Failed" and v1.config()["needsAttention"] == [r.id]
    authorize(v1.net, v1.deployer, v1.tm, v1.orch)

    v1.retry(v1.deployer, r.id)

    assert v1.state(r.id) == "Reverted" and v1.tim3_of(v1.alice) == 100
    v1.check()


# -- interruptions: a message lost at every step, then RetryFlow --------------------------------

MINT_STEPS = [
    ("LockManager", "Lock", "Locking"),
    ("USDA", "Lock", "Locking"),
    ("LockManager", "Lock-Notice", "Locking"),
    ("Orchestrator", "Lock-Notice", "Locking"),
    ("TokenManager", "Mint", "Minting"),
    ("Orchestrator", "Mint-Notice", "Minting"),
    ("StateManager", "UpdatePosition", "Recording"),
    ("Orchestrator", "Position-Updated", "Recording"),
]
BURN_STEPS = [
    ("TokenManager", "Burn", "Burning"),
    ("Orchestrator", "Burn-Notice", "Burning"),
    ("LockManager", "Unlock", "Unlocking"),
    ("USDA", "Unlock", "Unlocking"),
    ("LockManager", "Unlock-Notice", "Unlocking"),
    ("Orchestrator", "Unlock-Notice", "Unlocking"),
    ("StateManager", "UpdatePosition", "Recording"),
    ("Orchestrator", "Position-Updated", "Recording"),
]


def pid_of(s: V1, name: str) -> str:
    return {"Orchestrator": s.orch, "USDA": s.usda, "LockManager": s.lm, "TokenManager": s.tm,
            "StateManager": s.sm}[name]


def step_id(step: tuple[str, str, str]) -> str:
    return f"{step[1]}-to-{step[0]}"


@pytest.mark.parametrize("step", MINT_STEPS, ids=step_id)
def test_a_mint_interrupted_at_any_step_is_finished_by_retry_without_double_effects(
        v1: V1, step: tuple[str, str, str]) -> None:
    target, action, stuck = step
    lose(v1.net, pid_of(v1, target), action)
    r = v1.mint(v1.alice, 100)
    assert any(line.endswith(f"→ {target}: {action} LOST") for line in actions(r, v1.names))
    assert v1.state(r.id) == stuck

    retry = v1.retry(v1.alice, r.id)

    assert retry.first("RetryFlow-Notice").tag("State") == stuck
    assert v1.state(r.id) == "Complete"
    assert (v1.locked_of(v1.alice), v1.tim3_of(v1.alice)) == (100, 100)
    assert v1.position(v1.alice) == {"deposited": 100, "minted": 100, "redeemed": 0}
    v1.check()


@pytest.mark.parametrize("step", BURN_STEPS, ids=step_id)
def test_a_burn_interrupted_at_any_step_is_finished_by_retry_without_double_effects(
        v1: V1, step: tuple[str, str, str]) -> None:
    target, action, stuck = step
    v1.mint(v1.alice, 100)
    lose(v1.net, pid_of(v1, target), action)
    r = v1.burn(v1.alice, 40)
    assert v1.state(r.id) == stuck

    v1.retry(v1.alice, r.id)

    assert v1.state(r.id) == "Complete"
    assert (v1.locked_of(v1.alice), v1.tim3_of(v1.alice), v1.usda_of(v1.alice)) == (60, 60, 1_000_000 - 60)
    assert v1.position(v1.alice) == {"deposited": 100, "minted": 100, "redeemed": 40}
    v1.check()


def test_an_interrupted_revert_is_finished_by_retry(v1: V1) -> None:
    revoke(v1.net, v1.deployer, v1.tm, v1.orch)
    lose(v1.net, v1.usda, "Unlock")
    r = v1.mint(v1.alice, 100)
    assert v1.state(r.id) == "Reverting" and v1.locked_of(v1.alice) == 100

    v1.retry(v1.alice, r.id)

    assert v1.state(r.id) == "Reverted" and v1.locked_of(v1.alice) == 0
    v1.check()


def test_an_interrupted_restore_is_finished_by_retry(v1: V1) -> None:
    v1.mint(v1.alice, 100)
    revoke(v1.net, v1.deployer, v1.usda, v1.lm)
    lose(v1.net, v1.tm, "Mint")
    r = v1.burn(v1.alice, 40)
    assert v1.state(r.id) == "Restoring" and v1.tim3_of(v1.alice) == 60

    v1.retry(v1.alice, r.id)

    assert v1.state(r.id) == "Reverted" and v1.tim3_of(v1.alice) == 100
    v1.check()


@pytest.mark.parametrize("step", MINT_STEPS + BURN_STEPS, ids=step_id)
def test_a_duplicated_message_at_any_step_changes_nothing_twice(v1: V1, step: tuple[str, str, str]) -> None:
    target, action, _ = step
    v1.mint(v1.alice, 100) if step in BURN_STEPS else None
    duplicate(v1.net, pid_of(v1, target), action)

    r = v1.burn(v1.alice, 40) if step in BURN_STEPS else v1.mint(v1.alice, 100)

    assert v1.state(r.id) == "Complete"
    expected = (60, 60) if step in BURN_STEPS else (100, 100)
    assert (v1.locked_of(v1.alice), v1.tim3_of(v1.alice)) == expected
    v1.check()


def test_retry_of_a_finished_flow_is_refused(v1: V1) -> None:
    r = v1.mint(v1.alice, 100)

    retry = v1.retry(v1.alice, r.id)

    assert retry.first("RetryFlow-Error").tag("Error") == "Nothing to retry: the flow is Complete"


def test_solvency_invariants_hold_after_every_step_of_a_mixed_sequence(v1: V1) -> None:
    steps = [("mint", "alice", 300), ("mint", "bob", 200), ("burn", "alice", 100), ("mint", "alice", 50),
             ("burn", "bob", 250), ("burn", "bob", 200), ("burn", "alice", 250), ("mint", "bob", 1)]
    users = {"alice": v1.alice, "bob": v1.bob}

    for kind, who, amount in steps:
        (v1.mint if kind == "mint" else v1.burn)(users[who], amount)
        v1.check()

    assert (v1.locked_of(v1.alice), v1.locked_of(v1.bob)) == (0, 1)


def test_a_late_answer_after_a_retry_changes_nothing(v1: V1) -> None:
    v1.net.faults.append(lambda s, out: "hold" if out.target == v1.orch and out.tag("Action") == "Lock-Notice" else None)
    r = v1.mint(v1.alice, 100)
    v1.net.faults.clear()
    v1.retry(v1.alice, r.id)
    assert v1.state(r.id) == "Complete"

    late = v1.net.release()

    assert actions(late, v1.names) == ["LockManager → Orchestrator: Lock-Notice"]
    assert (v1.locked_of(v1.alice), v1.tim3_of(v1.alice)) == (100, 100)
    v1.check()
