"""Deploy: spawn a process from its build, trusted by the environment's messenger, and record it.

    with Session.open(env, wallet) as s:
        d = deploy(s, "tim3")            # spawns build of tim3.lua, records env.processes["tim3"]

The spawn carries `Authority` = the environment's messenger (security.md rule 1: without it aos
drops every genuine Credit-Notice, so an environment without one is refused), `Module`,
`Scheduler`, `Name`, and the code as `Data` with `On-Boot = Data`, so the network's own record
of the spawn holds the exact code (what `verify` hashes). The id is written where the
environment is kept (the devnet's deployment.json, or the user's environments file), the
previous id moved to the role's history for `rollback`, and the deploying wallet recorded as
the documented owner (security.md rule 7).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tim3.errors import ConfigError, OperationError
from tim3.ops.build import Bundle, read_build
from tim3.ops.environments import record_environment
from tim3.ops.roles import role as get_role
from tim3.ops.session import Session

__all__ = ["Deployment", "deploy"]


@dataclass(frozen=True)
class Deployment:
    """A spawned and recorded process."""

    role: str
    process_id: str
    previous: str | None
    sha256: str
    owner: str
    authority: str
    recorded_in: Path | None

    def to_json(self) -> dict[str, object]:
        return {"role": self.role, "process_id": self.process_id, "previous": self.previous,
                "sha256": self.sha256, "owner": self.owner, "authority": self.authority,
                "recorded_in": str(self.recorded_in) if self.recorded_in else None}


def deploy(
    session: Session,
    role_name: str,
    bundle: Bundle | None = None,
    *,
    tags: dict[str, str] | None = None,
    record: bool = True,
    extra: str | os.PathLike[str] | None = None,
) -> Deployment:
    """Spawn `role_name` from `bundle` (default: its build) and record it in the environment.

    Parameters:
        session: where to deploy, as whom.
        role_name: `tim3`, `coordinator`, `token_manager` … (see `tim3.ops.roles`).
        bundle: the code; default `read_build(role.process)` (built from the sources).
        tags: more spawn tags (they cannot replace Authority, Module or Scheduler).
        record: write the new id into the environment (False for a dry rehearsal).
        extra: the user's environments file to record in (default as `user_file`).
    """
    env = session.env
    role = get_role(role_name)
    if role.name in ("usda", "usda_lockable") and env.production:
        raise ConfigError(f"'{env.name}' uses the real USDA; tim3 deploys only the mock USDA, "
                          "on test networks. Set processes.usda in the environment instead.")
    if not env.authority:
        raise ConfigError(
            f"Environment '{env.name}' has no 'authority' (the messenger address processes "
            "must trust). A TIM3 spawned without an Authority tag silently drops every USDA "
            "Credit-Notice, so tim3 will not deploy it. Add 'authority' to the environment.")
    for key in ("module", "scheduler"):
        if not getattr(env, key):
            raise ConfigError(f"Environment '{env.name}' has no '{key}'; add it to the "
                              "environments file before deploying.")
    assert env.module is not None and env.scheduler is not None
    bundle = bundle or read_build(role.process)
    spawn_tags = {"Name": role.title, **role.spawn_tags, **(tags or {})}
    for reserved in ("Authority", "Module", "Scheduler", "On-Boot"):
        if reserved in (tags or {}):
            raise ConfigError(f"The spawn tag '{reserved}' is set by tim3 deploy from the "
                              "environment; remove it from --tag.")
    spawn_tags.update({"Authority": env.authority, "On-Boot": "Data"})
    session.progress(f"Spawning {role.name} ({bundle.sha256[:12]}…) on '{env.name}'")
    pid = session.network.spawn(env.module, env.scheduler, spawn_tags, data=bundle.source)
    session.progress(f"Waiting for the boot of {pid}")
    boot = session.network.result(pid, pid)
    if boot.error:
        raise OperationError(
            f"{role.name} was spawned as '{pid}' but its boot failed: "
            f"{boot.error.strip().splitlines()[-1]}. It was not recorded; fix the cause and "
            "deploy again.")
    previous = env.processes.get(role.name)
    path = None
    if record:
        history = list(env.history.get(role.name, []))
        if previous and previous != pid:
            history.append(previous)
        path = record_environment(env, processes={role.name: pid},
                                  history={role.name: history},
                                  owner=session.wallet.address, extra=extra)
    return Deployment(role.name, pid, previous, bundle.sha256, session.wallet.address,
                      env.authority, path)
