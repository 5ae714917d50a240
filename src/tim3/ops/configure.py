"""Configure: send a process its settings as JSON `Data` (as the deployment guide learned).

    with Session.open(env, owner_wallet) as s:
        configure(s, "tim3")                              # Usda-Process, Denomination from env
        configure(s, "tim3", {"Max-Deposit": "1000000000000000"})
        configure(s, "lock_manager"); configure(s, "orchestrator")     # the V1 system

For TIM3 it is `Set-Config` (all or nothing; `Set-Config-Notice` or `Set-Config-Error`). For the
coordinator it is `SetProcessConfig`, after the Token Manager authorized the coordinator as a
minter (the guide's "each process needs explicit coordinator authorization"). The V1 processes
take one process id per setter instead: the Lock Manager, once the USDA authorized it as a
locker, `SetMockUsdaProcess`; the orchestrator, once the Lock, Token and State Managers
authorized it, the guide's four `Set…Process` messages. Each role's authorizations, setters and
readiness tag are data in `tim3.ops.roles`; a process whose configuration reply then says it
cannot work (the orchestrator's `Ready` = false) is an OperationError with its reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from tim3.client import Result
from tim3.errors import ConfigError, OperationError
from tim3.ops.environments import Environment
from tim3.ops.roles import ROLES, Authorization, Role, process_of
from tim3.ops.roles import role as get_role
from tim3.ops.session import Session

__all__ = ["Configuration", "configure"]


@dataclass(frozen=True)
class Configuration:
    """What configure sent and what the process answered."""

    role: str
    process_id: str
    settings: dict[str, str]
    message_id: str
    reply: dict[str, str] = field(default_factory=dict)
    steps: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"role": self.role, "process_id": self.process_id, "settings": self.settings,
                "message_id": self.message_id, "reply": self.reply, "steps": self.steps}


def configure(session: Session, role_name: str,
              overrides: dict[str, str] | None = None, *, defaults: bool = True
              ) -> Configuration:
    """Send `role_name` its settings: the environment's (unless `defaults=False`) + `overrides`."""
    env = session.env
    role = get_role(role_name)
    if role.config_action is None and not role.setters:
        raise ConfigError(f"The {role.name} process takes no configuration from tim3; "
                          "configure the processes that use it instead.")
    if role.usda_role == "usda_lockable" and env.production:
        # Nothing would be sent that could work: Authorize to the real USDA goes unanswered.
        raise ConfigError(f"The V1 {role.name} needs a USDA with locks, and '{env.name}' uses "
                          "the real USDA, which has none (the reason V1 was abandoned); tim3 "
                          "does not configure V1 there.")
    pid = env.process(role.name)
    settings = _settings(role, env, overrides or {}, defaults)
    if not settings:
        raise ConfigError("Nothing to configure: pass --set NAME=VALUE.")
    steps = [_authorize(session, pid, a) for a in role.authorized_by
             if a.when_setting is None or a.when_setting in settings]
    if role.setters:
        mid, reply = _send_setters(session, role, pid, settings, steps)
    else:
        assert role.config_action is not None
        mid, result = session.send(pid, {"Action": role.config_action}, json.dumps(settings),
                                   expect=role.config_reply, error=role.config_error)
        reply = _reply_tags(result, role.config_reply)
        steps.append(f"{role.config_action} accepted ({role.config_reply})")
    if role.readiness is not None:
        reply = _check_ready(session, role, pid, steps)
    return Configuration(role.name, pid, settings, mid, reply, steps)


def _settings(role: Role, env: Environment, overrides: dict[str, str],
              defaults: bool) -> dict[str, str]:
    if not role.setters:
        settings = dict(role.settings(env) if (defaults and role.settings) else {})
        settings.update(overrides)
        return settings
    if overrides or not defaults:
        # The same ids are the ones that authorize it: one place, the environment, holds them.
        raise ConfigError(f"The {role.name} process takes the environment's process ids "
                          f"({', '.join(s.target for s in role.setters)}), not --set; change "
                          "them there ('tim3 deploy ROLE', or your environments file).")
    settings = {s.setting: process_of(env, s.target) for s in role.setters}
    # Caught here, before anything is sent: the process would take the first and refuse the
    # second ("one process cannot serve two roles"), and be left half configured.
    seen: dict[str, str] = {}
    for setter in role.setters:
        pid = settings[setter.setting]
        if pid in seen:
            raise ConfigError(f"The environment gives {seen[pid]} and {setter.target} the same "
                              f"process id '{pid}'; each needs its own process. Fix the "
                              f"environment ('tim3 env show {env.name}'), then configure "
                              f"{role.name} again.")
        seen[pid] = setter.target
    return settings


def _authorize(session: Session, pid: str, auth: Authorization) -> str:
    """`auth.by` authorizes `pid`; the step done, in words."""
    by = process_of(session.env, auth.by)
    # The id goes in JSON Data too, as the managers read it there whatever the client adds.
    # Without if_silent, Session.send's own "did not answer" sentence is the error.
    mid, result = session.send(by, {"Action": "Authorize", "Process-Id": pid},
                               json.dumps({"processId": pid}), error="Authorize-Error",
                               expect=None if auth.if_silent else "Authorize-Notice")
    found = result.find("Authorize-Notice")
    if found is None:
        raise OperationError(f"The {auth.by} process '{by}' did not answer Authorize (message "
                             f"{mid}); {auth.if_silent}.")
    if found.tags.get("Authorized", "true") != "true":
        raise OperationError(f"{auth.by} answered Authorize for '{pid}' with Authorized = "
                             f"{found.tags.get('Authorized')!r}; check that this wallet owns it.")
    return f"{auth.by} authorized {pid} as {auth.as_what}"


def _send_setters(session: Session, role: Role, pid: str, settings: dict[str, str],
                  steps: list[str]) -> tuple[str, dict[str, str]]:
    """Send each setter its process id, in order; the last message id and reply."""
    mid, reply = "", {}
    for setter in role.setters:
        target = settings[setter.setting]
        mid, result = session.send(pid, {"Action": setter.action, "Process-Id": target},
                                   json.dumps({"processId": target}), expect=role.config_reply,
                                   error=f"{setter.action}-Error")
        reply = _reply_tags(result, role.config_reply)
        steps.append(f"{setter.action} accepted ({role.config_reply})")
    return mid, reply


def _check_ready(session: Session, role: Role, pid: str, steps: list[str]) -> dict[str, str]:
    """Read the configuration once the checks it started are answered; OperationError with
    the process's own reason when it cannot work."""
    ready = role.readiness
    assert ready is not None
    tags: dict[str, str] = {}

    def settled() -> bool:
        tags.clear()
        tags.update(session.query(pid, role.info_action))
        return not any(tags.get(t) == "pending" for t in ready.pending)

    if not session.wait_until(f"{role.name} to hear from the processes it checks", settled):
        waiting = ", ".join(t for t in ready.pending if tags.get(t) == "pending")
        raise OperationError(f"The {role.name} '{pid}' is configured, but after "
                             f"{session.poll_timeout:g} s it still waits for answers ({waiting} "
                             f"pending). They may still come: check with 'tim3 verify "
                             f"{role.name}' later.")
    value = tags.get(ready.tag)
    if value != ready.value:
        why = (tags.get(ready.reason) if ready.reason else None) or f"{ready.tag} is {value!r}"
        raise OperationError(f"The {role.name} '{pid}' is configured but cannot work: {why}. "
                             f"{_unready_first(session, role)}Fix that, then run 'tim3 configure "
                             f"{role.name}' again.")
    steps.append(f"{role.info_action}: {ready.tag} = {value}")
    return tags


def _unready_first(session: Session, role: Role) -> str:
    """A hint naming the processes `role` relies on that cannot work themselves, if any."""
    unready = [auth.by for auth in role.authorized_by if _is_unready(session, ROLES[auth.by])]
    if not unready:
        return ""
    return (f"The {' and '.join(unready)} cannot work either: run 'tim3 configure "
            f"{unready[0]}' first. ")


def _is_unready(session: Session, role: Role) -> bool:
    """Whether `role` says it cannot work (False for a role with no such tag)."""
    if role.readiness is None:
        return False
    tags = session.query(process_of(session.env, role.name), role.info_action)
    return tags.get(role.readiness.tag) != role.readiness.value


def _reply_tags(result: Result, action: str | None) -> dict[str, str]:
    """The tags of the first reply with this Action, or none."""
    reply = result.find(action) if action is not None else None
    return dict(reply.tags) if reply is not None else {}
