"""`tim3 build`: one loadable Lua file per process, with its sha256."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tim3.cli.options import JsonOption, Target
from tim3.ops.build import build_all

app = typer.Typer()


@app.command()
def build(
    names: Annotated[list[str] | None, typer.Argument(
        help="Processes to build (tim3, coordinator …). Default: all of them.")] = None,
    out: Annotated[Path, typer.Option(help="Folder to write the builds to.")] = Path("build"),
    source: Annotated[Path | None, typer.Option(
        help="Folder of the process sources. Default: the installed tim3 processes.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Bundle each process with the Lua modules it requires into build/<name>.lua."""
    bundles = build_all(out, names or None, source)
    lines = [f"{b.sha256}  {b.path}" + (f"  (+ {', '.join(b.modules)})" if b.modules else "")
             for b in bundles]
    Target(as_json=as_json).out("\n".join(lines), [b.to_json() for b in bundles])
