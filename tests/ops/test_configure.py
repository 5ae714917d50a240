"""configure and the role data it follows: who authorizes a process first, which setters take
which role's id, and the reply that says whether it can work."""

from dataclasses import replace

import pytest

from tim3.arweave import Wallet
from tim3.client import LocalNetwork
from tim3.devnet import Devnet, DevnetConfig
from tim3.errors import ConfigError, OperationError
from tim3.ops import Session, configure, deploy, environment, start_local
from tim3.ops.build import process_names
from tim3.ops.configure import _authorize, _check_ready
from tim3.ops.roles import ROLES, Authorization, process_of


@pytest.fixture
def data(tmp_path):
    """A local devnet's data folder with the mock USDA and TIM3 deployed."""
    start_local(tmp_path / "d", ()).devnet.close()
    return tmp_path / "d"


def deployed(data, *roles):
    """Deploy `roles` as the deployer."""
    for name in roles:
        with Session.open(environment("local", data_dir=data), Wallet.from_name("deployer")) as s:
            deploy(s, name)
    return environment("local", data_dir=data)


def test_the_coordinator_is_authorized_by_the_same_managers_as_before():
    assert ROLES["coordinator"].authorized_by == (
        Authorization("token_manager", "a minter"),
        Authorization("state_manager", "a writer", when_setting="stateManagerProcess"))
    assert not ROLES["coordinator"].setters


def test_every_setter_and_authorizer_names_a_known_role():
    for r in ROLES.values():
        for name in [s.target for s in r.setters] + [a.by for a in r.authorized_by]:
            assert name in ROLES, (r.name, name)


def test_tim3_build_builds_the_lockable_usda():
    assert ROLES["usda_lockable"].process in process_names()


def test_v1_uses_the_environments_usda_where_it_names_no_usda_with_locks():
    # The guide's test environment names its orchestrator's mock USDA `usda`.
    test = environment("test")
    mine = replace(test, processes={**test.processes, "usda_lockable": "L" * 43})

    assert process_of(test, "usda_lockable") == test.processes["usda"]
    assert process_of(mine, "usda_lockable") == "L" * 43
    assert process_of(mine, "usda") == test.processes["usda"]


def test_the_v1_processes_configure_as_python_calls(data):
    env = deployed(data, "usda_lockable", "lock_manager", "token_manager", "state_manager",
                   "orchestrator")

    with Session.open(env, Wallet.from_name("deployer")) as s:
        locks = configure(s, "lock_manager")
        orchestrates = configure(s, "orchestrator")

    assert locks.reply["Usda-Status"] == "verified"
    assert orchestrates.reply["Ready"] == "true"
    assert orchestrates.settings["Lock-Manager-Process"] == env.processes["lock_manager"]


def test_a_setter_role_refuses_settings_and_names_its_roles(data):
    env = deployed(data, "lock_manager")

    refused = pytest.raises(ConfigError,
                            match=r"takes the environment's process ids \(usda_lockable\)")

    with Session.open(env, Wallet.from_name("deployer")) as s, refused:
        configure(s, "lock_manager", {"Mock-Usda-Process": "x" * 43})


def production_session() -> Session:
    return Session(environment("production"),
                   LocalNetwork(Devnet(config=DevnetConfig.for_tests()),
                                Wallet.from_name("deployer")))


def test_deploying_the_lockable_usda_to_production_is_refused():
    with pytest.raises(ConfigError, match="real USDA"):
        deploy(production_session(), "usda_lockable")


@pytest.mark.parametrize("role", ["lock_manager", "orchestrator"])
def test_v1_is_not_configured_against_the_real_usda(role):
    session = production_session()
    before = len(session.network.devnet.messages())     # type: ignore[attr-defined]

    with pytest.raises(ConfigError, match="the real USDA, which has none"):
        configure(session, role)

    assert len(session.network.devnet.messages()) == before     # type: ignore[attr-defined]


def test_a_check_still_pending_at_the_timeout_says_to_verify_later():
    # A process whose configuration keeps reading "pending", as a lock manager does on a real
    # network while its USDA has not answered yet.
    devnet = Devnet(config=DevnetConfig.for_tests())
    deployer = Wallet.from_name("deployer")
    pid = devnet.spawn(deployer, 'Handlers.add("c", "GetConfig", function(m) '
                                 'm.reply({ ["Usda-Status"] = "pending" }) end)')
    waits: list[float] = []
    session = Session(environment("test"), LocalNetwork(devnet, deployer), poll_timeout=0.0,
                      poll_interval=0.5, sleep=waits.append)

    with pytest.raises(OperationError, match=r"after 0 s it still waits for answers "
                                             r"\(Usda-Status pending\)") as err:
        _check_ready(session, ROLES["lock_manager"], pid, [])

    assert "check with 'tim3 verify lock_manager' later" in str(err.value)
    assert waits == []          # past the deadline at the first read: no more waiting


def test_an_authorization_answered_false_is_an_error_naming_the_process():
    # A manager that answers Authorize but refuses it in its notice (Authorized = false).
    devnet = Devnet(config=DevnetConfig.for_tests())
    deployer = Wallet.from_name("deployer")
    manager = devnet.spawn(deployer, 'Handlers.add("a", "Authorize", function(m) '
                                     'm.reply({ Action = "Authorize-Notice", '
                                     'Authorized = "false" }) end)')
    test = environment("test")
    env = replace(test, processes={**test.processes, "token_manager": manager})
    session = Session(env, LocalNetwork(devnet, deployer))

    with pytest.raises(OperationError, match=r"token_manager answered Authorize for 'C{43}' "
                                             r"with Authorized = 'false'; check that this "
                                             r"wallet owns it"):
        _authorize(session, "C" * 43, Authorization("token_manager", "a minter"))
