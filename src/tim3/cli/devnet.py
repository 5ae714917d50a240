"""`tim3 devnet`: the local AO network, as a local Ethereum node starts."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Annotated

import typer

from tim3.ops.environments import NODE_FILE, devnet_data_dir

app = typer.Typer()


@app.command()
def devnet(
    data: Annotated[Path | None, typer.Option(
        help="Folder that keeps the devnet between runs. Default: $TIM3_DEVNET_DATA or "
             ".tim3/devnet.", rich_help_panel="Storage")] = None,
    fresh: Annotated[bool, typer.Option(help="Delete the folder's devnet and start over.",
                                        rich_help_panel="Storage")] = False,
    wallets: Annotated[str, typer.Option(help="Comma-separated dev wallet names to fund.",
                                         rich_help_panel="Wallets")] = "alice,bob,carol,dave",
    fund: Annotated[str, typer.Option(help="USDA each dev wallet receives on first start.",
                                      rich_help_panel="Wallets")] = "1000",
    port: Annotated[int, typer.Option(
        help="Port of the HTTP node on 127.0.0.1 (0 takes a free one).",
        rich_help_panel="Network")] = 8734,
    gateway_port: Annotated[int, typer.Option(
        help="Port of the web gateway (swap page, flow diagrams) on 127.0.0.1 (0 takes a free "
             "one).", rich_help_panel="Network")] = 8735,
    allow_host: Annotated[list[str] | None, typer.Option(
        help="Another name the web gateway answers to besides 127.0.0.1 and localhost "
             "(repeatable), e.g. the host name of a forwarded port. Any other name gets a 421, "
             "so that other web sites cannot use the dev wallets.",
        rich_help_panel="Network")] = None,
    serve: Annotated[bool, typer.Option(help="Serve the HTTP node until Ctrl-C; --no-serve "
                                        "prints the devnet and exits.",
                                        rich_help_panel="Network")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.",
                                          rich_help_panel="Output")] = False,
) -> None:
    """Start the local AO devnet: deploy the mock USDA, fund dev wallets, serve the node."""
    from tim3.cli.options import progress
    from tim3.ops.local import USDA_DENOMINATION, start_local
    from tim3.units import parse_amount

    folder = devnet_data_dir(data)
    if fresh:
        for name in ("devnet.sqlite", "devnet.sqlite-wal", "devnet.sqlite-shm", "deployment.json",
                     NODE_FILE):
            (folder / name).unlink(missing_ok=True)
    names = tuple(n.strip() for n in wallets.split(",") if n.strip())
    net = start_local(folder, names, parse_amount(fund, USDA_DENOMINATION), progress=progress)
    server = None
    gateway = None
    node_file = folder / NODE_FILE
    try:
        if serve:
            from tim3.node import NodeServer

            server = NodeServer(net.devnet, port=port)
            net.endpoints = {"MU": server.url, "CU": server.url, "SU": server.url,
                             "Gateway": server.url}
            from tim3.app import GatewayServer, LocalChain

            # One lock for node and gateway: the devnet is single-threaded.
            chain = LocalChain.from_localnet(net, lock=server.app.state.node.lock)
            gateway = GatewayServer(chain, port=gateway_port, allow=allow_host or ())
            net.endpoints["Web app"] = gateway.url + "/"
        if as_json:
            typer.echo(json.dumps(net.to_json(), indent=2))
        else:
            typer.echo(net.to_text())
        if server is not None:
            # Other tim3 commands on this folder then go through the node, never the file.
            node_file.write_text(json.dumps({"url": server.url, "pid": os.getpid()}))
            typer.echo(f"aoconnect: connect({{MU_URL: '{server.url}', CU_URL: '{server.url}', "
                       f"GATEWAY_URL: '{server.url}'}})")
            if gateway is not None:
                gateway.start()
                typer.echo(f"Web app: swap, flows, explorer at {gateway.url}/")
            typer.echo(f"Listening on {server.url}  (Ctrl-C to stop)")
            with contextlib.suppress(KeyboardInterrupt):
                server.serve_forever()
    finally:
        if gateway is not None:
            gateway.stop()
        if server is not None:
            node_file.unlink(missing_ok=True)
        net.devnet.close()
