"""`tim3 deploy` and `tim3 configure`: spawn a process from its build, then send its settings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tim3.cli.options import (
    DataOption,
    EnvFileOption,
    EnvOption,
    JsonOption,
    Target,
    WaitOption,
    WalletOption,
    YesOption,
)
from tim3.errors import ConfigError
from tim3.ops.build import read_build
from tim3.ops.configure import configure as configure_process
from tim3.ops.deploy import deploy as deploy_process
from tim3.ops.roles import role as get_role

app = typer.Typer()

RoleArgument = Annotated[str, typer.Argument(
    help="Which process: tim3 (the single-process TIM3), coordinator, token_manager, "
         "state_manager, lock_manager, orchestrator, usda (mock only), usda_lockable (the mock "
         "with locks that V1 needs).")]


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"'{item}' is not NAME=VALUE.", param_hint=option)
        out[name.strip()] = value
    return out


def _next_step(role: str) -> str:
    spec = get_role(role)
    if spec.config_action is None and not spec.setters:
        return f"tim3 verify {role}"
    return f"tim3 configure {role}"


@app.command()
def deploy(
    role: RoleArgument = "tim3",
    tag: Annotated[list[str] | None, typer.Option(
        help="Another spawn tag NAME=VALUE (repeatable); Authority, Module and Scheduler "
             "always come from the environment.")] = None,
    build_dir: Annotated[Path | None, typer.Option(
        help="Deploy build/<process>.lua from this folder ('tim3 build'). Default: build "
             "from the installed sources.")] = None,
    env: EnvOption = "local", environments: EnvFileOption = None, data: DataOption = None,
    wallet: WalletOption = None, as_json: JsonOption = False, yes: YesOption = False,
    wait: WaitOption = None,
) -> None:
    """Spawn a process from its build, trusted by the environment's messenger, and record it."""
    target = Target(env, environments, data, wallet, as_json, yes, wait)
    extra_tags = _pairs(tag, "--tag")
    spec = get_role(role)
    bundle = read_build(spec.process, build_dir)
    target.confirm(f"Deploy {spec.name} ({bundle.name}, {bundle.sha256[:12]}…)")
    with target.session() as session:
        d = deploy_process(session, spec.name, bundle, tags=extra_tags,
                           extra=environments)
    text = (f"Deployed {d.role}: {d.process_id}\n"
            f"  code sha256  {d.sha256}  ({bundle.name}.lua)\n"
            f"  Authority    {d.authority}\n"
            f"  owner        {d.owner}  (can Eval anything until it renounces: security.md "
            "rule 7)\n"
            + (f"  previous     {d.previous}  (kept for 'tim3 rollback')\n" if d.previous else "")
            + f"  recorded in  {d.recorded_in}\n"
            f"Next: {_next_step(d.role)} --env {target.env.name}")
    target.out(text, d.to_json())


@app.command()
def configure(
    role: RoleArgument = "tim3",
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="A setting NAME=VALUE to send besides the environment's (repeatable), "
                      "e.g. --set Max-Deposit=1000000000000000 (tim3 and coordinator "
                      "only).")] = None,
    only: Annotated[bool, typer.Option(
        help="Send only the --set settings, not the environment's process ids.")] = False,
    env: EnvOption = "local", environments: EnvFileOption = None, data: DataOption = None,
    wallet: WalletOption = None, as_json: JsonOption = False, yes: YesOption = False,
    wait: WaitOption = None,
) -> None:
    """Send a process its configuration (USDA process id, denomination …) as JSON Data.

    tim3 and coordinator take JSON settings (the coordinator after the token and state managers
    authorized it). lock_manager: the USDA authorizes it as a locker, then SetMockUsdaProcess.
    orchestrator: the lock, token and state managers authorize it, then the four Set…Process
    messages; exit 1 with its Not-Ready-Reason unless GetConfig then says Ready.
    """
    target = Target(env, environments, data, wallet, as_json, yes, wait)
    overrides = _pairs(set_, "--set")
    if only and not overrides:
        raise ConfigError("--only sends only the --set settings, and none were given.")
    target.confirm(f"Configure {role}")
    with target.session() as session:
        c = configure_process(session, role, overrides, defaults=not only)
    lines = [f"Configured {c.role} ({c.process_id}), message {c.message_id}:"]
    lines += [f"  {k} = {v}" for k, v in c.settings.items()]
    lines += [f"  ✓ {s}" for s in c.steps]
    lines.append(f"Next: tim3 verify --env {target.env.name}")
    target.out("\n".join(lines), c.to_json())
