"""Roles: what each kind of TIM3 process is called, how it is configured, paused and read.

The environment names processes by role (`tim3`, `coordinator`, `token_manager` …); this module
knows, per role, its Lua file, its `Name` tag, the action that reports its configuration, the
action (and JSON `Data`, as the deployment guide learned) that configures it, and the switch
that stops new deposits (the rollback plan's "pause the new one").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tim3.errors import ConfigError
from tim3.ops.environments import Environment

__all__ = ["ROLES", "Role", "role"]

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
         pause=("SetProcessConfig", {"systemActive": "false"}, "Configure-Response"),
         resume=("SetProcessConfig", {"systemActive": "true"}, "Configure-Response")),
    Role("token_manager", "token_manager", "TIM3", info_action="GetConfig", is_token=True),
    Role("state_manager", "state_manager", "TIM3 State Manager", info_action="GetConfig"),
    Role("lock_manager", "lock_manager", "TIM3 Lock Manager", info_action="GetConfig"),
    Role("orchestrator", "orchestrator", "TIM3 Orchestrator", info_action="GetConfig"),
    Role("usda", "usda_mock", "USDA", info_action="Info", is_token=True,
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
