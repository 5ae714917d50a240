"""Configure: send a process its settings as JSON `Data` (as the deployment guide learned).

    with Session.open(env, owner_wallet) as s:
        configure(s, "tim3")                              # Usda-Process, Denomination from env
        configure(s, "tim3", {"Max-Deposit": "1000000000000000"})

For TIM3 it is `Set-Config` (all or nothing; `Set-Config-Notice` or `Set-Config-Error`). For the
coordinator it is `SetProcessConfig`, after the Token Manager authorized the coordinator as a
minter (the guide's "each process needs explicit coordinator authorization").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from tim3.errors import ConfigError
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
    if role.config_action is None:
        raise ConfigError(f"The {role.name} process takes no configuration from tim3; "
                          "configure the processes that use it instead.")
    pid = env.process(role.name)
    settings = dict(role.settings(env) if (defaults and role.settings) else {})
    settings.update(overrides or {})
    if not settings:
        raise ConfigError("Nothing to configure: pass --set NAME=VALUE.")
    steps: list[str] = []
    if role.name == "coordinator":
        # The guide's lesson: each process needs explicit coordinator authorization. The id
        # goes in JSON Data too, as the managers read it there whatever the client adds.
        for manager, as_what in (("token_manager", "a minter"), ("state_manager", "a writer")):
            if manager == "state_manager" and "stateManagerProcess" not in settings:
                continue
            session.send(env.process(manager), {"Action": "Authorize", "Process-Id": pid},
                         json.dumps({"processId": pid}), expect="Authorize-Notice",
                         error="Authorize-Error")
            steps.append(f"{manager} authorized {pid} as {as_what}")
    mid, result = session.send(pid, {"Action": role.config_action}, json.dumps(settings),
                               expect=role.config_reply, error=role.config_error)
    reply = next((m.tags for m in result.messages
                  if m.tags.get("Action") == role.config_reply), {})
    steps.append(f"{role.config_action} accepted ({role.config_reply})")
    return Configuration(role.name, pid, settings, mid, dict(reply), steps)
