"""The deployment guide's procedure on the local devnet, through the CLI: deploy, configure,
verify, a small mint, reconcile, rollback — and the failures it must catch."""

import json

import pytest

from tim3.errors import DevnetError
from tim3.ops.local import start_local
from tim3.processes import source

USDA = 10**12


@pytest.fixture
def deployed(devnet_dir, tim3):
    """A second TIM3 deployed and configured through the CLI; returns (old id, new id)."""
    old = tim3.json("env", "show", "local")["processes"]["tim3"]
    new = tim3.json("deploy")["process_id"]
    assert tim3("configure").exit_code == 0
    return old, new


def write_user_env(path, **local):
    path.write_text(json.dumps({"environments": {"local": local}}))
    return path


def test_deploy_records_the_new_tim3_and_keeps_the_old_for_rollback(devnet_dir, tim3):
    old = tim3.json("env", "show", "local")["processes"]["tim3"]

    d = tim3.json("deploy")

    assert d["previous"] == old and d["process_id"] != old
    assert tim3.json("env", "show", "local")["processes"]["tim3"] == d["process_id"]
    assert json.loads((devnet_dir / "deployment.json").read_text())["history"]["tim3"] == [old]


def test_verify_after_deploy_and_configure_matches_everything(deployed, tim3):
    result = tim3("verify")

    assert result.exit_code == 0, result.output
    assert "✗" not in result.stdout
    for check in ("Authority", "code sha256", "USDA process", "Denomination = USDA's", "Owner"):
        assert check in result.stdout


def test_a_small_mint_then_reconcile_shows_exact_backing(deployed, tim3):
    swap = tim3.json("swap", "5.25", "--wallet", "alice")
    balances = tim3.json("balance", "--wallet", "alice")["balances"]
    report = tim3.json("reconcile")

    assert swap["done"] and swap["quantity"] == str(5_250_000_000_000)
    assert {b["token"]: b["balance"] for b in balances}["tim3"] == "5250000000000"
    assert report["ok"] and report["deficit"] == "0" and report["surplus"] == "0"
    assert report["usda_balance"] == report["total_supply"] == "5250000000000"


def test_redeem_pays_the_usda_back(deployed, tim3):
    tim3("swap", "2", "--wallet", "bob")

    redeem = tim3.json("redeem", "0.5", "--wallet", "bob")

    assert redeem["done"]
    usda = {b["token"]: b["balance"] for b in tim3.json("balance", "--wallet", "bob")["balances"]}
    assert usda["usda"] == str(998_500_000_000_000) and usda["tim3"] == str(15 * USDA // 10)


def test_transfer_moves_tim3_in_exact_base_units(deployed, tim3):
    tim3("swap", "1", "--wallet", "alice")
    bob = tim3.json("balance", "--wallet", "bob")["address"]

    moved = tim3.json("transfer", bob, "0.000000000001", "--wallet", "alice")

    assert moved["quantity"] == "1"
    tokens = {b["token"]: b["balance"] for b in tim3.json("balance", bob)["balances"]}
    assert tokens["tim3"] == "1"


def test_rollback_points_back_and_pauses_the_new_one_and_undo_reverses_it(deployed, tim3):
    old, new = deployed

    rolled = tim3.json("rollback")
    refused = tim3("swap", "1", "--env", "local", "--wallet", "alice")   # goes to the old one
    undone = tim3.json("rollback", "--undo")

    assert rolled["from"] == new and rolled["to"] == old and rolled["paused"] == "Pause-Mint"
    assert refused.exit_code == 0, refused.output
    assert undone["to"] == new and undone["resumed"] == "Resume-Mint"
    assert tim3.json("env", "show")["processes"]["tim3"] == new
    assert tim3.json("swap", "1", "--wallet", "alice")["done"]   # minting resumed


def test_the_paused_tim3_refunds_a_deposit_with_its_reason(deployed, tim3, devnet_dir):
    _, new = deployed
    tim3("rollback")
    net = start_local(devnet_dir, ("alice",))
    alice = net.wallets["alice"]
    receipt = net.devnet.send(alice, net.processes["USDA"], tags={
        "Action": "Transfer", "Recipient": new, "Quantity": str(USDA)})
    net.devnet.close()

    result = tim3("flow", receipt.id)

    assert result.exit_code == 0, result.output
    assert "Deposit-Error" in result.stdout and "Minting is paused" in result.stdout


def test_rollback_without_an_earlier_deployment_is_one_clear_error(devnet_dir, tim3):
    result = tim3("rollback")

    assert result.exit_code == 1
    assert "no earlier tim3 to roll back to" in result.stderr


def test_verify_finds_a_wrong_process_id_in_the_environment(deployed, tim3, tmp_path):
    user = write_user_env(tmp_path / "envs.json",
                          processes={"usda": "x" * 43})

    result = tim3("verify", "--environments", user)

    assert result.exit_code == 1
    assert "✗  usda     process exists" in result.stdout
    assert "✗  tim3     USDA process" in result.stdout


def test_verify_finds_a_tim3_spawned_without_authority(devnet_dir, tim3, tmp_path):
    net = start_local(devnet_dir, ())
    with pytest.raises(DevnetError):
        net.devnet.spawn(net.deployer, source("tim3"), tags={"Name": "TIM3"}, authority=None)
    bare = net.devnet.processes()[-1].id
    net.devnet.close()
    user = write_user_env(tmp_path / "envs.json", processes={"tim3": bare})

    result = tim3("verify", "tim3", "--environments", user)

    assert result.exit_code == 1
    assert "(no Authority tag)" in result.stdout
    assert "✗  tim3     boot" in result.stdout


def test_deploy_refuses_an_environment_without_authority(tim3, tmp_path):
    from tim3.arweave import Wallet

    Wallet.from_name("deployer").save(tmp_path / "deployer.json")
    user = tmp_path / "envs.json"
    user.write_text(json.dumps({"environments": {"bare": {
        "kind": "legacy", "mu_url": "http://127.0.0.1:9", "cu_url": "http://127.0.0.1:9",
        "gateway_url": "http://127.0.0.1:9", "scheduler": "a" * 43, "module": "b" * 43,
        "processes": {}}}}))

    result = tim3("deploy", "--env", "bare", "--environments", user,
                  "--wallet", tmp_path / "deployer.json")

    assert result.exit_code == 1
    assert "has no 'authority'" in result.stderr and "will not deploy" in result.stderr


def test_verify_finds_a_denomination_that_differs_from_usdas(deployed, tim3):
    tim3("configure", "--set", "Denomination=6", "--only")

    result = tim3("verify", "tim3")

    assert result.exit_code == 1
    assert "✗  tim3     Denomination = USDA's  12" in result.stdout


def test_verify_finds_an_environment_denomination_usda_does_not_have(devnet_dir, tim3, tmp_path):
    user = write_user_env(tmp_path / "envs.json", denomination=6)

    result = tim3("verify", "usda", "--environments", user)

    assert result.exit_code == 1
    assert "✗  usda     Denomination" in result.stdout


def test_reconcile_finds_unbacked_tim3_minted_by_an_owner_eval(deployed, tim3, devnet_dir):
    _, new = deployed
    tim3("swap", "1", "--wallet", "alice")
    net = start_local(devnet_dir, ("bob",))
    bob = net.wallets["bob"].address
    net.devnet.eval(net.deployer, new, f"""
        local bint = require(".bint")(256)
        Balances["{bob}"] = "{10 * USDA}"
        TotalSupply = tostring(bint(TotalSupply) + bint("{10 * USDA}"))
    """)
    net.devnet.close()

    result = tim3("reconcile")

    assert result.exit_code == 1
    assert "DEFICIT" in result.stdout
    report = json.loads(tim3("reconcile", "--json").stdout)
    assert report["deficit"] == str(10 * USDA) and not report["ok"]


def test_verify_finds_code_that_differs_from_the_build(deployed, tim3, tmp_path):
    tim3("build", "tim3", "--out", tmp_path / "build")
    lua = tmp_path / "build" / "tim3.lua"
    lua.write_text(lua.read_text() + "\n-- patched\n")
    from tim3.ops.build import sha256_text

    (tmp_path / "build" / "tim3.lua.sha256").write_text(sha256_text(lua.read_text()))

    result = tim3("verify", "tim3", "--build-dir", tmp_path / "build")

    assert result.exit_code == 1
    assert "✗  tim3     code sha256" in result.stdout


def test_swap_more_than_the_wallet_holds_is_one_sentence(deployed, tim3):
    result = tim3("swap", "5000", "--wallet", "alice")

    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith(
        "Error: Transfer was refused by usda: Insufficient balance")
    assert "Traceback" not in result.output


def test_an_unknown_environment_gets_a_suggestion(tim3):
    result = tim3("verify", "--env", "prodution")

    assert result.exit_code == 1
    assert "Did you mean 'production'?" in result.stderr


@pytest.mark.parametrize("args", [["swap"], ["deploy", "--tag", "no-equals-sign"],
                                  ["verify", "--bogus"]],
                         ids=["missing-amount", "bad-tag", "unknown-option"])
def test_usage_errors_exit_2(tim3, args):
    assert tim3(*args).exit_code == 2


def test_a_local_command_without_a_devnet_says_how_to_start_one(tim3, tmp_path):
    result = tim3("balance", "--data", tmp_path / "nothing-here")

    assert result.exit_code == 1
    assert "tim3 devnet" in result.stderr


def test_the_coordinator_system_deploys_configures_and_verifies(devnet_dir, tim3):
    for role in ("token_manager", "state_manager", "coordinator"):
        assert tim3("deploy", role).exit_code == 0

    configured = tim3.json("configure", "coordinator")
    result = tim3("verify", "coordinator", "token_manager", "state_manager")

    assert configured["steps"][0].startswith("token_manager authorized")
    assert result.exit_code == 0, result.stdout
    assert "✓  coordinator    Token-Manager-Status" in result.stdout


def test_a_coordinator_rollback_deactivates_the_new_one_and_undo_reactivates_it(
        devnet_dir, tim3):
    for role in ("token_manager", "state_manager", "coordinator"):
        assert tim3("deploy", role).exit_code == 0
    assert tim3("configure", "coordinator").exit_code == 0
    old = tim3.json("env", "show", "local")["processes"]["coordinator"]
    new = tim3.json("deploy", "coordinator")["process_id"]
    assert tim3("configure", "coordinator").exit_code == 0

    rolled = tim3.json("rollback", "coordinator")
    pointed = tim3.json("env", "show", "local")["processes"]["coordinator"]
    net = start_local(devnet_dir, ())
    paused = json.loads(net.devnet.dryrun(new, tags={"Action": "GetConfig"}).messages[0].data)
    net.devnet.close()
    undone = tim3.json("rollback", "coordinator", "--undo")
    net = start_local(devnet_dir, ())
    resumed = json.loads(net.devnet.dryrun(new, tags={"Action": "GetConfig"}).messages[0].data)
    net.devnet.close()

    assert rolled["from"] == new and rolled["to"] == old and pointed == old
    assert rolled["paused"] == 'SetProcessConfig {"systemActive": "false"}'
    assert paused["systemActive"] is False
    assert undone["to"] == new and undone["resumed"] == 'SetProcessConfig {"systemActive": "true"}'
    assert resumed["systemActive"] is True
    assert tim3.json("env", "show", "local")["processes"]["coordinator"] == new


V1_ROLES = ("lock_manager", "token_manager", "state_manager", "orchestrator")


@pytest.fixture
def v1(devnet_dir, tim3):
    """A lockable USDA and the four V1 processes deployed (not configured) through the CLI."""
    assert tim3("deploy", "usda_lockable").exit_code == 0
    for role in V1_ROLES:
        assert tim3("deploy", role).exit_code == 0
    return tim3.json("env", "show", "local")["processes"]


def test_the_v1_system_deploys_configures_verifies_and_mints(v1, tim3, devnet_dir):
    locks = tim3("configure", "lock_manager")
    orchestrates = tim3("configure", "orchestrator")
    verified = tim3("verify", *V1_ROLES, "usda_lockable")
    net = start_local(devnet_dir, ("alice",))
    alice = net.wallets["alice"]
    net.devnet.send(net.deployer, v1["usda_lockable"], tags={
        "Action": "Mint", "Recipient": alice.address, "Quantity": str(10 * USDA)})
    minted = net.devnet.send(alice, v1["orchestrator"], tags={
        "Action": "MintTIM3", "Quantity": str(3 * USDA)})
    locked = net.devnet.dryrun(v1["usda_lockable"], tags={"Action": "Locked", "Account": alice.address})
    free = net.devnet.dryrun(v1["usda_lockable"], tags={"Action": "Balance", "Recipient": alice.address})
    tim3_held = net.devnet.dryrun(v1["token_manager"], tags={
        "Action": "Balance", "Recipient": alice.address})
    net.devnet.close()

    assert locks.exit_code == 0, locks.output
    assert "✓ usda_lockable authorized" in locks.stdout and "Usda-Status = verified" in locks.stdout
    assert orchestrates.exit_code == 0, orchestrates.output
    assert "✓ GetConfig: Ready = true" in orchestrates.stdout
    assert verified.exit_code == 0, verified.stdout
    assert "✓  orchestrator   Ready" in verified.stdout
    assert "✓  lock_manager   Usda-Status" in verified.stdout
    assert minted.first("MintTIM3-Complete").tag("Position") == "Recorded"
    assert locked.messages[0].tag("Locked") == str(3 * USDA)
    assert free.messages[0].tag("Balance") == str(7 * USDA)
    assert tim3_held.messages[0].tag("Balance") == str(3 * USDA)


def test_configure_lock_manager_with_the_plain_mock_usda_says_v1_needs_locks(devnet_dir, tim3):
    assert tim3("deploy", "lock_manager").exit_code == 0

    result = tim3("configure", "lock_manager")

    assert result.exit_code == 1
    assert "did not answer Authorize (message " in result.stderr
    assert "; V1 needs a USDA with locks (usda_lockable.lua)" in result.stderr
    assert "'tim3 deploy usda_lockable'" in result.stderr
    assert "Traceback" not in result.output


def test_configure_orchestrator_before_the_lock_manager_fails_with_its_not_ready_reason(
        v1, tim3):
    result = tim3("configure", "orchestrator")

    assert result.exit_code == 1
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith(f"Error: The orchestrator '{v1['orchestrator']}' is configured but "
                           f"cannot work: the Lock-Manager {v1['lock_manager']} is not usable")
    assert "The lock_manager cannot work either: run 'tim3 configure lock_manager' first." in line
    assert line.endswith("Fix that, then run 'tim3 configure orchestrator' again.")


def test_configure_orchestrator_json_lists_each_step_and_its_ready_reply(v1, tim3):
    assert tim3("configure", "lock_manager").exit_code == 0

    c = tim3.json("configure", "orchestrator")

    assert c["role"] == "orchestrator" and c["process_id"] == v1["orchestrator"]
    assert c["settings"] == {"Mock-Usda-Process": v1["usda_lockable"],
                             "State-Manager-Process": v1["state_manager"],
                             "Lock-Manager-Process": v1["lock_manager"],
                             "Token-Manager-Process": v1["token_manager"]}
    assert c["steps"] == [
        f"lock_manager authorized {v1['orchestrator']} as a locker",
        f"token_manager authorized {v1['orchestrator']} as a minter",
        f"state_manager authorized {v1['orchestrator']} as a writer",
        "SetMockUsdaProcess accepted (Configure-Response)",
        "SetStateManagerProcess accepted (Configure-Response)",
        "SetLockManagerProcess accepted (Configure-Response)",
        "SetTokenManagerProcess accepted (Configure-Response)",
        "GetConfig: Ready = true"]
    assert c["reply"]["Ready"] == "true" and c["message_id"]


def test_configure_lock_manager_json_lists_the_usda_authorization_first(v1, tim3):
    c = tim3.json("configure", "lock_manager")

    assert c["settings"] == {"Mock-Usda-Process": v1["usda_lockable"]}
    assert c["steps"] == [f"usda_lockable authorized {v1['lock_manager']} as a locker",
                          "SetMockUsdaProcess accepted (Configure-Response)",
                          "GetConfig: Usda-Status = verified"]


def test_verify_finds_a_lock_manager_left_on_an_earlier_usda(v1, tim3):
    for role in ("lock_manager", "orchestrator"):
        assert tim3("configure", role).exit_code == 0
    assert tim3("deploy", "usda_lockable").exit_code == 0

    result = tim3("verify", "lock_manager", "orchestrator")

    assert result.exit_code == 1
    assert "✗  lock_manager  USDA process" in result.stdout
    assert "✗  orchestrator  USDA process" in result.stdout


def test_tim3_and_v1_share_one_devnet_and_both_verify(v1, tim3):
    # V1's USDA with locks is a role of its own: TIM3 keeps the plain mock it was configured
    # with, and verify finds both systems consistent.
    for role in ("lock_manager", "orchestrator"):
        assert tim3("configure", role).exit_code == 0

    result = tim3("verify")

    assert result.exit_code == 0, result.stdout
    assert v1["usda"] != v1["usda_lockable"]
    assert "✗" not in result.stdout


def test_configure_orchestrator_with_a_missing_lock_manager_names_the_role(v1, tim3, tmp_path):
    missing = "x" * 43
    user = write_user_env(tmp_path / "envs.json", processes={"lock_manager": missing})

    result = tim3("configure", "orchestrator", "--environments", user)

    assert result.exit_code == 1
    assert (f"Authorize could not be sent: the messenger of local answered 404 for '{missing}' "
            "(the lock_manager), a process it does not know.") in result.stderr
    assert "'tim3 env show local'" in result.stderr
    assert "Traceback" not in result.output


def test_configure_orchestrator_refuses_one_id_for_two_roles_before_sending(
        v1, tim3, tmp_path, devnet_dir):
    assert tim3("configure", "lock_manager").exit_code == 0
    user = write_user_env(tmp_path / "envs.json",
                          processes={"lock_manager": v1["token_manager"]})

    result = tim3("configure", "orchestrator", "--environments", user)
    net = start_local(devnet_dir, ())
    config = net.devnet.dryrun(v1["orchestrator"], tags={"Action": "GetConfig"}).messages[0]
    net.devnet.close()

    assert result.exit_code == 1
    assert (f"gives lock_manager and token_manager the same process id "
            f"'{v1['token_manager']}'") in result.stderr
    assert "Sending" not in result.stderr           # nothing was sent
    assert dict(config.tags).get("Lock-Manager-Process", "") == ""


def test_verify_finds_an_orchestrator_left_on_an_earlier_state_manager(v1, tim3):
    for role in ("lock_manager", "orchestrator"):
        assert tim3("configure", role).exit_code == 0
    assert tim3("deploy", "state_manager").exit_code == 0    # the environment moves on

    result = tim3("verify", "orchestrator")

    assert result.exit_code == 1
    assert "✗  orchestrator  State-Manager-Process" in result.stdout
    assert "✓  orchestrator  Lock-Manager-Process" in result.stdout
