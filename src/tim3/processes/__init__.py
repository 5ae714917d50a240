"""The on-chain code: AO processes in Lua, shipped with the package, and the library modules
under lib/ that they require (bundled into each process by tim3.processes.bundle)."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

from tim3.processes.bundle import bundle_process

__all__ = ["file_source", "source"]


def _path(name: str) -> Traversable:
    path = resources.files("tim3.processes") / f"{name}.lua"
    if not path.is_file():
        known = sorted(p.name[:-4] for p in resources.files("tim3.processes").iterdir()
                       if p.name.endswith(".lua"))
        raise FileNotFoundError(f"No process named '{name}'. Known: {', '.join(known)}.")
    return path


def source(name: str) -> str:
    """The loadable Lua of a process shipped with tim3, e.g. source("usda_mock"): its file with
    every lib/ module it requires in front (the bundle `tim3 build` writes and AO runs)."""
    _path(name)
    return bundle_process(name).source


def file_source(name: str) -> str:
    """The process's own .lua file as written, without the modules it requires."""
    return _path(name).read_text(encoding="utf-8")
