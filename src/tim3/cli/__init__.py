"""The `tim3` command line: a thin shell over the library (`tim3.ops`).

One file per group of commands, each with its own `typer.Typer()`, mounted here with
`add_typer`. A `Tim3Error` anywhere becomes one red line on stderr and exit 1; usage errors
are Click's (exit 2); anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from tim3 import __version__
from tim3.cli import build, checks, deploy, devnet, envs, flow, rollback, user
from tim3.errors import Tim3Error

__all__ = ["app", "main"]


class _Group(TyperGroup):
    """Runs a command; a Tim3Error becomes `Error: <message>` and exit 1."""

    def invoke(self, ctx: Any) -> Any:  # a Context of the click that typer vendors
        try:
            return super().invoke(ctx)
        except Tim3Error as exc:
            typer.secho(f"Error: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    name="tim3",
    cls=_Group,
    help="TIM3: a USDA-backed token on AO, with a local AO devnet and the operator tooling.",
    no_args_is_help=True,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tim3 {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """TIM3: a USDA-backed token on AO, with a local AO devnet and the operator tooling."""


for module in (devnet, build, deploy, checks, rollback, user, flow):
    app.add_typer(module.app)
app.add_typer(envs.app, name="env")


def main() -> None:
    """Entry point: Tim3Error becomes one red line and exit 1; anything else is a bug."""
    try:
        app(standalone_mode=True)
    except Tim3Error as exc:
        typer.secho(f"Error: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
