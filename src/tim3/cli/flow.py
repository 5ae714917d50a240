"""`tim3 flow <message-id>`: the causal tree of a message, in the terminal."""

from __future__ import annotations

from typing import Annotated

import typer

from tim3.cli.options import (
    DataOption,
    EnvFileOption,
    EnvOption,
    IdArgsCommand,
    JsonOption,
    Target,
    WaitOption,
    WalletOption,
)
from tim3.ops.flow import flow as message_flow

app = typer.Typer()


@app.command(cls=IdArgsCommand)
def flow(
    message_id: Annotated[str, typer.Argument(help="The id of the message to follow.")],
    process: Annotated[str | None, typer.Option(
        help="The process it was sent to. Default: looked up among the environment's.")
    ] = None,
    env: EnvOption = "local", environments: EnvFileOption = None, data: DataOption = None,
    wallet: WalletOption = None, as_json: JsonOption = False, wait: WaitOption = None,
) -> None:
    """Draw what a message caused: every message of its chain, with errors and refunds."""
    target = Target(env, environments, data, wallet, as_json, wait=wait)
    with target.session(read_only=True) as session:
        tree = message_flow(session, message_id, process)
        text = tree.render(session.name)
    target.out(text, tree.to_json())
