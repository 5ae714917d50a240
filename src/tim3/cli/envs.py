"""`tim3 env list | show`: the environments the CLI and the web gateway share."""

from __future__ import annotations

from typing import Annotated

import typer

from tim3.cli.options import DataOption, EnvFileOption, JsonOption, Target
from tim3.ops.environments import load_environments

app = typer.Typer(help="Show the environments (network URLs and process ids).",
                  no_args_is_help=True)


@app.command("list")
def list_(environments: EnvFileOption = None, data: DataOption = None,
          as_json: JsonOption = False) -> None:
    """List every environment: name, kind and what it is for."""
    envs = load_environments(environments, data_dir=data)
    text = "\n".join(f"{e.name:<12} {e.kind:<7} {'production ' if e.production else ''}"
                     f"{e.description}".rstrip() for e in envs.values())
    Target(as_json=as_json).out(text, {n: e.to_json() for n, e in envs.items()})


@app.command()
def show(
    name: Annotated[str, typer.Argument(help="The environment, e.g. production.")] = "local",
    environments: EnvFileOption = None, data: DataOption = None, as_json: JsonOption = False,
) -> None:
    """Show one environment: URLs, authority, owner and every process id."""
    target = Target(name, environments, data, as_json=as_json)
    target.out(target.env.to_text(), target.env.to_json())
