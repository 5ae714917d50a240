"""Build: each process's Lua and the library modules it requires, in one file aos can `.load`.

    from tim3.ops.build import build_all, build_process
    bundle = build_process("tim3")          # in memory: bundle.source, bundle.sha256
    build_all("build")                      # build/<name>.lua and build/<name>.lua.sha256

The bundling itself (requires, lib/ lookup, package.preload wrapping, sha256) lives in
tim3.processes.bundle, so that `tim3.processes.source(name)`, which every devnet spawn uses, is
the same bundle: a process spawned from it has the build's hash. This module writes and reads
the built files.
"""

from __future__ import annotations

import os
from pathlib import Path

from tim3.errors import ConfigError
from tim3.processes.bundle import (
    AOS_MODULES,
    Bundle,
    bundle_process,
    process_names,
    sha256_text,
)

__all__ = ["AOS_MODULES", "Bundle", "build_all", "build_process", "process_names",
           "read_build", "sha256_text"]


def build_process(name: str, source_dir: str | os.PathLike[str] | None = None) -> Bundle:
    """Bundle process `name` (its `.lua` file in `source_dir`, default the shipped processes)."""
    return bundle_process(name, source_dir)


def build_all(
    out_dir: str | os.PathLike[str] = "build",
    names: list[str] | None = None,
    source_dir: str | os.PathLike[str] | None = None,
) -> list[Bundle]:
    """Build `names` (default every process) into `out_dir`: `<name>.lua` and `.lua.sha256`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    built: list[Bundle] = []
    for name in names or process_names(source_dir):
        bundle = build_process(name, source_dir)
        path = out / f"{name}.lua"
        path.write_text(bundle.source, encoding="utf-8")
        (out / f"{name}.lua.sha256").write_text(f"{bundle.sha256}  {name}.lua\n",
                                                encoding="utf-8")
        built.append(Bundle(bundle.name, bundle.source, bundle.sha256, bundle.modules, path))
    return built


def read_build(name: str, build_dir: str | os.PathLike[str] | None = None) -> Bundle:
    """The build of `name`: `build_dir/<name>.lua` when given (checked against its .sha256),
    else built in memory from the shipped sources."""
    if build_dir is None:
        return build_process(name)
    path = Path(build_dir) / f"{name}.lua"
    if not path.is_file():
        raise ConfigError(f"No build of '{name}' in '{build_dir}'. Run 'tim3 build' first, or "
                          "leave out --build-dir to build from the installed sources.")
    source = path.read_text(encoding="utf-8")
    digest = sha256_text(source)
    recorded = path.with_name(path.name + ".sha256")
    if recorded.is_file():
        expected = recorded.read_text(encoding="utf-8").split()[0]
        if expected != digest:
            raise ConfigError(f"'{path}' does not match its {recorded.name} ({digest[:12]}… ≠ "
                              f"{expected[:12]}…): it was edited after the build. Run "
                              "'tim3 build' again.")
    return Bundle(name, source, digest, path=path)
