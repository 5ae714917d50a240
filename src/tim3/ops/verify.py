"""Verify: compare what each process reports, and what the network recorded of its spawn, with
the environment and the build; one row per check.

    report = verify(session)              # every role of the environment tim3 knows
    print(report.to_text()); assert report.ok

Checks, per process: it exists and booted; its `Authority` spawn tag names the environment's
messenger; the sha256 of the code it booted with (the spawn's `Data`, from the network's
record, which the process cannot change) equals the build's; its configured USDA process is
the environment's; its `Denomination` equals USDA's `Info` and the environment's; its `Owner`
is the documented owner (security.md rule 7); TIM3's own ledger invariant holds. The V1 Lock
Manager and orchestrator also: each process id they were set to is the environment's, each
sub-process they checked is "verified", and they say they can work (`Usda-Status`, `Ready`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from tim3.errors import ClientError, ConfigError, OperationError
from tim3.ops.build import read_build
from tim3.ops.records import process_record
from tim3.ops.roles import ROLES, Role, env_role
from tim3.ops.session import Session

__all__ = ["Check", "VerifyReport", "verify"]


@dataclass(frozen=True)
class Check:
    """One comparison: `expected` against `actual` for one process."""

    role: str
    check: str
    expected: str
    actual: str
    ok: bool

    def to_json(self) -> dict[str, object]:
        return {"role": self.role, "check": self.check, "expected": self.expected,
                "actual": self.actual, "ok": self.ok}


@dataclass
class VerifyReport:
    """Every check made; `ok` when all of them matched."""

    environment: str
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def add(self, role: str, check: str, expected: object, actual: object,
            ok: bool | None = None) -> bool:
        e, a = _text(expected), _text(actual)
        passed = (e == a) if ok is None else ok
        self.checks.append(Check(role, check, e, a, passed))
        return passed

    def to_json(self) -> dict[str, object]:
        return {"environment": self.environment, "ok": self.ok,
                "checks": [c.to_json() for c in self.checks]}

    def to_text(self, width: int = 24) -> str:
        """A table: role, check, expected, actual, and ✓ or ✗."""
        def cut(s: str) -> str:
            return s if len(s) <= width else s[:width - 1] + "…"
        rows = [("", "Process", "Check", "Expected", "Actual")]
        rows += [("✓" if c.ok else "✗", c.role, c.check, cut(c.expected), cut(c.actual))
                 for c in self.checks]
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        lines = ["  ".join(v.ljust(widths[i]) for i, v in enumerate(r)).rstrip() for r in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        bad = len(self.failures)
        lines.append("")
        lines.append(f"{len(self.checks) - bad} of {len(self.checks)} checks match on "
                     f"'{self.environment}'." + (f" {bad} do not." if bad else ""))
        return "\n".join(lines)


def _text(value: object) -> str:
    if value is None:
        return "(none)"
    if value == "":
        return '""'
    return str(value)


def _reply(session: Session, pid: str, action: str) -> dict[str, str]:
    """The tags of a read reply, completed by its JSON Data (where empty values are kept)."""
    result = session.dry_run(pid, {"Action": action})
    if result.error:
        raise OperationError(result.error.strip().splitlines()[-1])
    if not result.messages:
        return {}
    first = result.messages[0]
    merged: dict[str, str] = {}
    try:
        data = json.loads(first.data)
        if isinstance(data, dict):
            merged.update({k: v for k, v in data.items() if isinstance(v, str)})
    except ValueError:
        pass
    merged.update(first.tags)
    return merged


def verify(
    session: Session,
    roles: list[str] | None = None,
    *,
    build_dir: str | os.PathLike[str] | None = None,
) -> VerifyReport:
    """Check `roles` (default: every role of the environment that tim3 knows)."""
    env = session.env
    report = VerifyReport(env.name)
    wanted = roles or [r for r in ROLES if r in env.processes]
    if not wanted:
        raise ConfigError(f"Environment '{env.name}' names no process tim3 knows; deploy one "
                          "with 'tim3 deploy tim3'.")
    usda_denomination: str | None = None
    usda = env.processes.get("usda")
    if usda:
        session.progress(f"Reading USDA's Info ({usda})")
        try:
            usda_denomination = _reply(session, usda, "Info").get("Denomination")
        except (ClientError, OperationError):
            usda_denomination = None
    for name in wanted:
        if name not in ROLES:
            raise ConfigError(f"tim3 does not know how to verify a '{name}' process. Roles: "
                              f"{', '.join(ROLES)}.")
        _verify_role(session, report, ROLES[name], usda_denomination, build_dir)
    return report


def _verify_role(session: Session, report: VerifyReport, role: Role,
                 usda_denomination: str | None, build_dir: str | os.PathLike[str] | None
                 ) -> None:
    env = session.env
    pid = env.processes.get(role.name)
    if not report.add(role.name, "process id", "in the environment", pid or "(missing)",
                      ok=bool(pid)):
        return
    assert pid is not None
    session.progress(f"Checking {role.name} ({pid})")
    record = process_record(session, pid)
    if not report.add(role.name, "process exists", pid, record.id if record else "not found"):
        return
    assert record is not None
    report.add(role.name, "boot", "no error", record.boot_error or "no error")
    ours = role.name != "usda" or not env.production
    if role.name != "usda":
        authorities = record.tag_values("Authority")
        report.add(role.name, "Authority", env.authority,
                   ", ".join(authorities) if authorities else "(no Authority tag)",
                   ok=env.authority in authorities)
        try:
            build = read_build(role.process, build_dir)
            report.add(role.name, "code sha256", build.sha256,
                       record.code_sha256 or "(not booted from its Data)")
        except ConfigError as exc:
            report.add(role.name, "code sha256", "a build", str(exc), ok=False)
    try:
        reply = _reply(session, pid, role.info_action)
    except (ClientError, OperationError) as exc:
        report.add(role.name, role.info_action, "an answer", str(exc), ok=False)
        return
    if not report.add(role.name, role.info_action, "an answer",
                      "answered" if reply else "no reply", ok=bool(reply)):
        return
    if role.usda_setting:
        report.add(role.name, "USDA process", env.processes.get(env_role(env, role.usda_role)),
                   reply.get(role.usda_setting))
    if role.is_token:
        report.add(role.name, "Denomination", str(env.denomination), reply.get("Denomination"))
        if role.name != "usda":
            report.add(role.name, "Denomination = USDA's", usda_denomination,
                       reply.get("Denomination"),
                       ok=usda_denomination is not None
                       and reply.get("Denomination") == usda_denomination)
    if ours and role.name != "usda":
        owner = reply.get("Owner", record.owner)
        report.add(role.name, "Owner", env.owner if env.owner is not None
                   else "(documented owner)", owner,
                   ok=env.owner is not None and owner == env.owner)
    for setter in role.setters:
        if setter.setting != role.usda_setting:
            report.add(role.name, setter.setting, env.processes.get(env_role(env, setter.target)),
                       reply.get(setter.setting))
    if role.readiness is not None:
        ready = role.readiness
        for status in ready.pending:
            if status != ready.tag:
                report.add(role.name, status, "verified", reply.get(status))
        report.add(role.name, ready.tag, ready.value, reply.get(ready.tag))
    if role.name == "coordinator":
        for status in ("Token-Manager-Status", "State-Manager-Status"):
            if reply.get(status.replace("Status", "Process")):
                report.add(role.name, status, "verified", reply.get(status))
        report.add(role.name, "Ready", "true", reply.get("Ready"))
    if role.name == "tim3":
        reserves = _reply(session, pid, "Reserves")
        report.add(role.name, "ledger invariant", "ok", reserves.get("Invariant"))
