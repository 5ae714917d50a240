"""Roles: what each kind of TIM3 process is called, how it is configured, paused and read.

The environment names processes by role (`tim3`, `coordinator`, `token_manager` …); this module
knows, per role, its Lua file, its `Name` tag, the action that reports its configuration, the
action (and JSON `Data`, as the deployment guide learned) that configures it, the switch that
stops new deposits (the rollback plan's "pause the new one"), and for the processes of the
orchestrated designs: which processes must authorize it first (the guide's "each process needs
explicit authorization"), the setters that each take another role's process id, and the tag of
its configuration reply that says whether it can work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tim3.errors import ConfigError
from tim3.ops.environments import Environment

__all__ = ["ROLES", "Authorization", "Readiness", "Role", "Setter", "env_role", "process_of",
           "role"]

Settings = Callable[[Environment], dict[str, str]]


def _tim3_settings(env: Environment) -> dict[str, str]:
    return {"Usda-Process": env.process("usda"), "Denomination": str(env.denomination)}


def _coordinator_settings(env: Environment) -> dict[str, str]:
    settings = {"allowedUSDAProcess": env.process("usda"),
                "tokenManagerProcess": env.process("token_manager"),
                "collateralRatio": "1.0", "systemActive": "true"}
    if env.processes.get("state_manager"):
        settings["stateManagerProcess"] = env.processes["state_manager"]
    return settings


@dataclass(frozen=True)
class Authorization:
    """`by` (a role) must authorize the process with `Authorize`, `Process-Id` = its id."""

    by: str
    as_what: str                         # the role it is given there, in words: "a minter"
    when_setting: str | None = None      # only when the settings sent include this one
    if_silent: str | None = None         # what it means when `by` does not answer


@dataclass(frozen=True)
class Setter:
    """An owner action that takes the process id of `target` (a role) in `Process-Id`."""

    action: str                          # e.g. SetMockUsdaProcess
    target: str                          # e.g. usda
    setting: str                         # the configuration tag that then holds the id


@dataclass(frozen=True)
class Readiness:
    """The configuration tag that says whether the process can work, and why not."""

    tag: str                             # e.g. Ready
    value: str                           # what it reads when the process can work
    reason: str | None = None            # the tag that says why not
    pending: tuple[str, ...] = ()        # read "pending" until answered, then "verified"


@dataclass(frozen=True)
class Role:
    """How to deploy, configure, read and pause one kind of process."""

    name: str
    process: str                         # the .lua file (and build) name
    title: str                           # its Name tag
    info_action: str = "Info"            # read-only: reports configuration and Owner
    config_action: str | None = None     # owner: takes JSON settings in Data
    config_reply: str | None = None
    config_error: str | None = None
    settings: Settings | None = None     # what configure sends by default
    usda_setting: str | None = None      # reply tag holding the USDA process id
    pause: tuple[str, dict[str, str], str] | None = None    # action, JSON data, reply
    resume: tuple[str, dict[str, str], str] | None = None
    is_token: bool = False               # answers Balance / Transfer
    spawn_tags: dict[str, str] = field(default_factory=dict)
    usda_role: str = "usda"              # the environment role of the USDA it works with
    authorized_by: tuple[Authorization, ...] = ()
    setters: tuple[Setter, ...] = ()     # sent in this order, each answered config_reply
    readiness: Readiness | None = None


def env_role(env: Environment, role_name: str) -> str:
    """The environment role that holds `role_name`'s process. V1's USDA with locks
    (`usda_lockable`) is the environment's `usda` where it has no `usda_lockable` of its own:
    the guide's test environment names the mock USDA its orchestrator uses as `usda`."""
    if role_name == "usda_lockable" and not env.processes.get(role_name):
        return "usda"
    return role_name


def process_of(env: Environment, role_name: str) -> str:
    """The process id of `role_name` in `env` (see `env_role`), ConfigError if it has none."""
    return env.process(env_role(env, role_name))


_NO_LOCKS = ("V1 needs a USDA with locks (usda_lockable.lua), not the plain mock USDA: deploy "
             "one with 'tim3 deploy usda_lockable' and run 'tim3 configure lock_manager' again")
_V1_READY = Readiness("Ready", "true", "Not-Ready-Reason",
                      ("Lock-Manager-Status", "Token-Manager-Status", "State-Manager-Status"))


ROLES: dict[str, Role] = {r.name: r for r in (
    Role("tim3", "tim3", "TIM3", info_action="Get-Config", config_action="Set-Config",
         config_reply="Set-Config-Notice", config_error="Set-Config-Error",
         settings=_tim3_settings, usda_setting="Usda-Process",
         pause=("Pause-Mint", {}, "Pause-Mint-Notice"),
         resume=("Resume-Mint", {}, "Resume-Mint-Notice"), is_token=True),
    Role("coordinator", "coordinator", "TIM3 Coordinator", info_action="GetConfig",
         config_action="SetProcessConfig", config_reply="Configure-Response",
         config_error="SetProcessConfig-Error", settings=_coordinator_settings,
         usda_setting="Allowed-Usda-Process",
         authorized_by=(Authorization("token_manager", "a minter"),
                        Authorization("state_manager", "a writer",
                                      when_setting="stateManagerProcess")),
         pause=("SetProcessConfig", {"systemActive": "false"}, "Configure-Response"),
         resume=("SetProcessConfig", {"systemActive": "true"}, "Configure-Response")),
    Role("token_manager", "token_manager", "TIM3", info_action="GetConfig", is_token=True),
    Role("state_manager", "state_manager", "TIM3 State Manager", info_action="GetConfig"),
    Role("lock_manager", "lock_manager", "TIM3 Lock Manager", info_action="GetConfig",
         config_reply="Configure-Response", usda_setting="Mock-Usda-Process",
         usda_role="usda_lockable",
         authorized_by=(Authorization("usda_lockable", "a locker", if_silent=_NO_LOCKS),),
         setters=(Setter("SetMockUsdaProcess", "usda_lockable", "Mock-Usda-Process"),),
         readiness=Readiness("Usda-Status", "verified", pending=("Usda-Status",))),
    Role("orchestrator", "orchestrator", "TIM3 Orchestrator", info_action="GetConfig",
         config_reply="Configure-Response", usda_setting="Mock-Usda-Process",
         usda_role="usda_lockable",
         authorized_by=(Authorization("lock_manager", "a locker"),
                        Authorization("token_manager", "a minter"),
                        Authorization("state_manager", "a writer")),
         setters=(Setter("SetMockUsdaProcess", "usda_lockable", "Mock-Usda-Process"),
                  Setter("SetStateManagerProcess", "state_manager", "State-Manager-Process"),
                  Setter("SetLockManagerProcess", "lock_manager", "Lock-Manager-Process"),
                  Setter("SetTokenManagerProcess", "token_manager", "Token-Manager-Process")),
         readiness=_V1_READY),
    Role("usda", "usda_mock", "USDA", info_action="Info", is_token=True,
         spawn_tags={"Ticker": "USDA"}),
    # The mock USDA with locks that V1 needs (the real USDA has none: the reason V1 was
    # abandoned), kept apart from `usda` so that TIM3 and V1 can share one devnet.
    Role("usda_lockable", "usda_lockable", "USDA", info_action="Info", is_token=True,
         spawn_tags={"Ticker": "USDA"}),
)}


def role(name: str) -> Role:
    """The role called `name`; ConfigError listing the roles otherwise."""
    if name in ROLES:
        return ROLES[name]
    import difflib

    close = difflib.get_close_matches(name, list(ROLES), n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise ConfigError(f"No role named '{name}'.{hint} Roles: {', '.join(ROLES)}.")
