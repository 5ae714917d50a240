"""The `tim3` command line: a thin shell over the library."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from tim3 import __version__
from tim3.errors import Tim3Error

app = typer.Typer(
    name="tim3",
    help="TIM3: a USDA-backed token on AO, with a local AO devnet.",
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
    """TIM3: a USDA-backed token on AO, with a local AO devnet."""


@app.command()
def devnet(
    data: Annotated[Path, typer.Option(help="Folder that keeps the devnet between runs.",
                                       rich_help_panel="Storage")] = Path(".tim3/devnet"),
    fresh: Annotated[bool, typer.Option(help="Delete the folder's devnet and start over.",
                                        rich_help_panel="Storage")] = False,
    wallets: Annotated[str, typer.Option(help="Comma-separated dev wallet names to fund.",
                                         rich_help_panel="Wallets")] = "alice,bob,carol,dave",
    fund: Annotated[str, typer.Option(help="USDA each dev wallet receives on first start.",
                                      rich_help_panel="Wallets")] = "1000",
    port: Annotated[int, typer.Option(
        help="Port of the HTTP node on 127.0.0.1 (0 takes a free one).",
        rich_help_panel="Network")] = 8734,
    serve: Annotated[bool, typer.Option(help="Serve the HTTP node until Ctrl-C; --no-serve "
                                        "prints the devnet and exits.",
                                        rich_help_panel="Network")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.",
                                          rich_help_panel="Output")] = False,
) -> None:
    """Start the local AO devnet: deploy the mock USDA, fund dev wallets, serve the node."""
    from tim3.ops.local import USDA_DENOMINATION, start_local
    from tim3.units import parse_amount

    if fresh:
        for name in ("devnet.sqlite", "devnet.sqlite-wal", "devnet.sqlite-shm", "deployment.json"):
            (data / name).unlink(missing_ok=True)
    names = tuple(n.strip() for n in wallets.split(",") if n.strip())
    net = start_local(data, names, parse_amount(fund, USDA_DENOMINATION))
    server = None
    try:
        if serve:
            from tim3.node import NodeServer

            server = NodeServer(net.devnet, port=port)
            net.endpoints = {"MU": server.url, "CU": server.url, "SU": server.url,
                             "Gateway": server.url}
        if as_json:
            typer.echo(json.dumps(net.to_json(), indent=2))
        else:
            typer.echo(net.to_text())
        if server is not None:
            typer.echo(f"aoconnect: connect({{MU_URL: '{server.url}', CU_URL: '{server.url}', "
                       f"GATEWAY_URL: '{server.url}'}})")
            typer.echo(f"Listening on {server.url}  (Ctrl-C to stop)")
            with contextlib.suppress(KeyboardInterrupt):
                server.serve_forever()
    finally:
        net.devnet.close()


def main() -> None:
    """Entry point: Tim3Error becomes one red line and exit 1; anything else is a bug."""
    try:
        app(standalone_mode=True)
    except Tim3Error as exc:
        typer.secho(f"Error: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
