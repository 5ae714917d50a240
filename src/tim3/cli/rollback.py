"""`tim3 rollback`: point back to the previous process and pause the new one (or undo that)."""

from __future__ import annotations

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
from tim3.ops.rollback import rollback as rollback_role
from tim3.ops.rollback import undo_rollback

app = typer.Typer()


@app.command()
def rollback(
    role: Annotated[str, typer.Argument(help="Which process to roll back: tim3 or "
                                              "coordinator.")] = "tim3",
    undo: Annotated[bool, typer.Option(
        help="Undo the last rollback: resume the process it paused and point to it again.")
    ] = False,
    pause: Annotated[bool, typer.Option(
        help="Pause deposits at the process rolled back from (--no-pause only repoints).")
    ] = True,
    env: EnvOption = "local", environments: EnvFileOption = None, data: DataOption = None,
    wallet: WalletOption = None, as_json: JsonOption = False, yes: YesOption = False,
    wait: WaitOption = None,
) -> None:
    """Point the environment back to the previous process and pause the current one."""
    target = Target(env, environments, data, wallet, as_json, yes, wait)
    target.confirm(("Undo the last rollback of " if undo else "Roll back ") + role)
    with target.session() as session:
        if undo:
            r = undo_rollback(session, role, extra=environments)
        else:
            r = rollback_role(session, role, pause=pause, extra=environments)
    if undo:
        text = (f"Undid the rollback of {r.role}: it is {r.to_id} again"
                + (f" (sent {r.resumed})" if r.resumed else "") + ".")
    else:
        text = (f"Rolled {r.role} back from {r.from_id} to {r.to_id}"
                + (f"; paused {r.from_id} ({r.paused})" if r.paused else "; nothing paused")
                + ".\nThe web gateway and the CLI now send deposits to the previous process.")
    again = f"'tim3 rollback {r.role}' rolls back again" if undo else \
        f"'tim3 rollback {r.role} --undo' reverses it"
    text += f"\nRecorded in {r.recorded_in}; {again}."
    target.out(text, r.to_json())
