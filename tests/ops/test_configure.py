"""configure and the role data it follows: who authorizes a process first, which setters take
which role's id, and the reply that says whether it can work."""

import pytest

from tim3.arweave import Wallet
from tim3.client import LocalNetwork
from tim3.devnet import Devnet, DevnetConfig
from tim3.errors import ConfigError
from tim3.ops import Session, configure, deploy, environment, start_local
from tim3.ops.build import process_names
from tim3.ops.roles import ROLES, Authorization


@pytest.fixture
def data(tmp_path):
    """A local devnet's data folder with the mock USDA and TIM3 deployed."""
    start_local(tmp_path / "d", ()).devnet.close()
    return tmp_path / "d"


def deployed(data, *roles, lockable=False):
    """Deploy `roles` (and, with `lockable`, a lockable USDA first) as the deployer."""
    if lockable:
        with Session.open(environment("local", data_dir=data), Wallet.from_name("deployer")) as s:
            deploy(s, "usda", lockable=True)
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
    assert ROLES["usda"].source_name(lockable=True) in process_names()


def test_the_v1_processes_configure_as_python_calls(data):
    env = deployed(data, "lock_manager", "token_manager", "state_manager", "orchestrator",
                   lockable=True)

    with Session.open(env, Wallet.from_name("deployer")) as s:
        locks = configure(s, "lock_manager")
        orchestrates = configure(s, "orchestrator")

    assert locks.reply["Usda-Status"] == "verified"
    assert orchestrates.reply["Ready"] == "true"
    assert orchestrates.settings["Lock-Manager-Process"] == env.processes["lock_manager"]


def test_a_setter_role_refuses_settings_and_names_its_roles(data):
    env = deployed(data, "lock_manager")

    refused = pytest.raises(ConfigError, match=r"takes the environment's process ids \(usda\)")

    with Session.open(env, Wallet.from_name("deployer")) as s, refused:
        configure(s, "lock_manager", {"Mock-Usda-Process": "x" * 43})


def test_deploying_the_lockable_usda_to_production_is_refused():
    env = environment("production")
    session = Session(env, LocalNetwork(Devnet(config=DevnetConfig.for_tests()),
                                        Wallet.from_name("deployer")))

    with pytest.raises(ConfigError, match="real USDA"):
        deploy(session, "usda", lockable=True)
