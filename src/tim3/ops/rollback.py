"""Rollback: the deployment guide's plan, as one recorded step that can be undone.

    rb = rollback(session, "tim3")           # point back to the previous TIM3, pause the new one
    undo_rollback(session, "tim3")           # resume it and point to it again

Rolling back (1) checks that the previous process still answers (the guide's "verify the old
coordinator is still functional"), (2) pauses new deposits at the current one (TIM3:
`Pause-Mint`, so deposits are refunded while holders can still redeem; the coordinator:
`systemActive = false`), (3) points the environment's role back to the previous id — the
environment is what the CLI and the web gateway serve to the front end, so deposits go to the
previous process at once — and (4) appends the rollback to the environment's `rollbacks`, with
what was paused. `undo_rollback` reverses the last rollback of the role that is not undone.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tim3.errors import ConfigError, OperationError
from tim3.ops.environments import record_environment
from tim3.ops.roles import Role
from tim3.ops.roles import role as get_role
from tim3.ops.session import Session

__all__ = ["Rollback", "rollback", "undo_rollback"]


@dataclass(frozen=True)
class Rollback:
    """A rollback (or its undoing) as recorded."""

    role: str
    from_id: str
    to_id: str
    paused: str | None
    resumed: str | None
    undo: bool
    recorded_in: Path
    record: dict[str, Any]

    def to_json(self) -> dict[str, object]:
        return {"role": self.role, "from": self.from_id, "to": self.to_id,
                "paused": self.paused, "resumed": self.resumed, "undo": self.undo,
                "recorded_in": str(self.recorded_in), "record": self.record}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _switch(session: Session, pid: str, switch: tuple[str, dict[str, str], str]) -> str:
    action, data, reply = switch
    session.send(pid, {"Action": action}, json.dumps(data) if data else "", expect=reply,
                 error=f"{action}-Error")
    return action + (f" {json.dumps(data)}" if data else "")


def _still_answers(session: Session, role: Role, pid: str) -> None:
    session.progress(f"Checking that the previous {role.name} ({pid}) still answers")
    try:
        tags = session.query(pid, role.info_action)
    except OperationError as exc:
        raise OperationError(f"The previous {role.name} '{pid}' fails ({exc}); not rolling "
                             "back to it.") from exc
    if not tags:
        raise OperationError(f"The previous {role.name} '{pid}' does not answer "
                             f"{role.info_action}; not rolling back to it. Check the id in the "
                             "environment's history.")


def rollback(session: Session, role_name: str = "tim3", *, pause: bool = True,
             extra: str | os.PathLike[str] | None = None) -> Rollback:
    """Point `role_name` back to its previous process and pause the current one."""
    env = session.env
    role = get_role(role_name)
    current = env.process(role.name)
    history = list(env.history.get(role.name, []))
    if not history:
        raise ConfigError(f"'{env.name}' has no earlier {role.name} to roll back to (its "
                          "history is empty): rollback needs a deployment before the current "
                          "one.")
    previous = history.pop()
    _still_answers(session, role, previous)
    paused = None
    if pause and role.pause is not None:
        paused = _switch(session, current, role.pause)
    record = {"role": role.name, "from": current, "to": previous, "paused": paused,
              "at": _now(), "by": session.wallet.address, "undone": False}
    path = record_environment(env, processes={role.name: previous},
                              history={role.name: history},
                              rollbacks=[*env.rollbacks, record], extra=extra)
    return Rollback(role.name, current, previous, paused, None, False, path, record)


def undo_rollback(session: Session, role_name: str = "tim3", *,
                  extra: str | os.PathLike[str] | None = None) -> Rollback:
    """Undo the last rollback of `role_name`: resume what it paused and point to it again."""
    env = session.env
    role = get_role(role_name)
    rollbacks = [dict(r) for r in env.rollbacks]
    index = next((i for i in range(len(rollbacks) - 1, -1, -1)
                  if rollbacks[i].get("role") == role.name and not rollbacks[i].get("undone")),
                 None)
    if index is None:
        raise ConfigError(f"'{env.name}' has no rollback of {role.name} to undo.")
    last = rollbacks[index]
    if env.processes.get(role.name) != last["to"]:
        raise ConfigError(f"{role.name} on '{env.name}' is '{env.processes.get(role.name)}', "
                          f"not '{last['to']}' as the last rollback left it; it changed since, "
                          "so tim3 will not undo it. Deploy or edit the environment instead.")
    resumed = None
    if last.get("paused") and role.resume is not None:
        resumed = _switch(session, last["from"], role.resume)
    last.update({"undone": True, "undone_at": _now(), "undone_by": session.wallet.address,
                 "resumed": resumed})
    rollbacks[index] = last
    history = [*env.history.get(role.name, []), last["to"]]
    path = record_environment(env, processes={role.name: last["from"]},
                              history={role.name: history}, rollbacks=rollbacks, extra=extra)
    return Rollback(role.name, last["to"], last["from"], None, resumed, True, path, last)
