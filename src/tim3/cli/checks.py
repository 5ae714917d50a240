"""`tim3 verify` and `tim3 reconcile`: is the deployment what the environment says, and backed?"""

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
)
from tim3.ops.reconcile import reconcile as reconcile_tim3
from tim3.ops.verify import verify as verify_processes

app = typer.Typer()


@app.command()
def verify(
    roles: Annotated[list[str] | None, typer.Argument(
        help="Processes to check (tim3, usda …). Default: every one the environment "
             "names.")] = None,
    build_dir: Annotated[Path | None, typer.Option(
        help="Compare code with build/<process>.lua from this folder. Default: build from "
             "the installed sources.")] = None,
    env: EnvOption = "local", environments: EnvFileOption = None, data: DataOption = None,
    wallet: WalletOption = None, as_json: JsonOption = False, wait: WaitOption = None,
) -> None:
    """Check each process's configuration, code and owner against the environment."""
    target = Target(env, environments, data, wallet, as_json, wait=wait)
    with target.session(read_only=True) as session:
        report = verify_processes(session, roles or None, build_dir=build_dir)
    target.out(report.to_text(), report.to_json())
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def reconcile(
    strict: Annotated[bool, typer.Option(
        help="Count pending payouts as owed even if USDA may have paid them already.")] = False,
    env: EnvOption = "local", environments: EnvFileOption = None, data: DataOption = None,
    wallet: WalletOption = None, as_json: JsonOption = False, wait: WaitOption = None,
) -> None:
    """Compare TIM3's supply and pending payouts with the USDA it holds; exit 1 on a deficit."""
    target = Target(env, environments, data, wallet, as_json, wait=wait)
    with target.session(read_only=True) as session:
        result = reconcile_tim3(session, strict=strict)
    target.out(result.to_text(), result.to_json())
    if not result.ok:
        raise typer.Exit(1)
