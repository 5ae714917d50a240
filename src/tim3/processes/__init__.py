"""The on-chain code: AO processes in Lua, shipped with the package."""

from __future__ import annotations

from importlib import resources

__all__ = ["source"]


def source(name: str) -> str:
    """The Lua source of a process shipped with tim3, e.g. source("usda_mock")."""
    path = resources.files("tim3.processes") / f"{name}.lua"
    if not path.is_file():
        known = sorted(p.name[:-4] for p in resources.files("tim3.processes").iterdir()
                       if p.name.endswith(".lua"))
        raise FileNotFoundError(f"No process named '{name}'. Known: {', '.join(known)}.")
    return path.read_text(encoding="utf-8")
