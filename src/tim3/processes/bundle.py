"""Bundling: a process's Lua and the library modules it requires, in one file aos can `.load`.

    from tim3.processes.bundle import bundle_process
    bundle = bundle_process("tim3")         # bundle.source, bundle.sha256, bundle.modules

A module the process requires that aos's runtime does not provide (`require("lib.token")` →
`processes/lib/token.lua`) is put in front of the process's code as a `package.preload` entry,
so `require` finds it inside the one file, whether the file is the spawn's `On-Boot` data or
the `Data` of an `Eval`. A process that requires only runtime modules is its source, byte for
byte. `tim3.processes.source(name)` is this bundle, so what the devnet and the tests spawn is
exactly what `tim3 build` writes (tim3.ops.build) and what is deployed to AO.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from tim3.errors import ConfigError

__all__ = ["AOS_MODULES", "Bundle", "bundle_process", "process_names", "sha256_text",
           "source_dir"]

# What aos's runtime itself provides to `require` (ao-protocol.md §1.1): never bundled.
AOS_MODULES = frozenset({
    "json", "process", "handlers", "handlers-utils", "handlers_utils", "utils", "ao", "bint",
    "base64", "crypto", "pretty", "stringify", "chance", "boot", "default", "eval",
    "assignment", "dump", "string", "table", "math", "coroutine", "utf8", "os", "debug",
    "bit32", ".crypto.init",
})
_REQUIRE = re.compile(r"""\brequire\s*\(?\s*(["'])([^"'\n]+)\1""")
_LONG_BRACKET = re.compile(r"\[(=*)\[.*?\]\1\]", re.S)
_COMMENT = re.compile(r"--[^\n]*")


@dataclass(frozen=True)
class Bundle:
    """One built process: its name, the code to load, its sha256 and the modules inlined."""

    name: str
    source: str
    sha256: str
    modules: tuple[str, ...] = ()
    path: Path | None = None

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "sha256": self.sha256, "bytes": len(self.source.encode()),
                "modules": list(self.modules), "path": str(self.path) if self.path else None}


def sha256_text(text: str) -> str:
    """The hex sha256 of text as UTF-8 (what a process's boot data hashes to)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def source_dir(folder: str | os.PathLike[str] | None = None) -> Path:
    """The folder of process sources: `folder`, or the processes shipped with tim3."""
    if folder is not None:
        return Path(folder)
    return Path(str(resources.files("tim3.processes")))


def process_names(folder: str | os.PathLike[str] | None = None) -> list[str]:
    """Every process that can be built: the .lua files at the top of the source folder (the
    library modules under lib/ are not processes)."""
    return sorted(p.stem for p in source_dir(folder).glob("*.lua"))


def _requires(source: str) -> list[str]:
    # Ignore commented-out requires (a header may mention require("x") in prose).
    stripped = _COMMENT.sub("", _LONG_BRACKET.sub("", source))
    seen: list[str] = []
    for m in _REQUIRE.finditer(stripped):
        if m.group(2) not in seen:
            seen.append(m.group(2))
    return seen


def _is_runtime(name: str) -> bool:
    bare = name.lstrip(".")
    return bare in AOS_MODULES or bare.split(".")[0] == "crypto"


def _module_file(root: Path, name: str) -> Path | None:
    rel = name.lstrip(".").replace(".", "/")
    for candidate in (root / f"{rel}.lua", root / rel / "init.lua",
                      root / f"{rel.replace('-', '_')}.lua"):
        if candidate.is_file():
            return candidate
    return None


def bundle_process(name: str, folder: str | os.PathLike[str] | None = None) -> Bundle:
    """Bundle process `name` (its `.lua` file in `folder`, default the shipped processes)."""
    root = source_dir(folder)
    main = root / f"{name}.lua"
    if not main.is_file():
        known = ", ".join(process_names(root)) or "none"
        raise ConfigError(f"No process named '{name}' in '{root}'. Known: {known}.")
    source = main.read_text(encoding="utf-8")
    modules: dict[str, str] = {}
    pending = [(name, r) for r in _requires(source)]
    while pending:
        who, req = pending.pop(0)
        if _is_runtime(req) or req in modules:
            continue
        path = _module_file(root, req)
        if path is None:
            raise ConfigError(
                f"'{who}' requires '{req}', which is neither an aos runtime module nor a file "
                f"under '{root}' (looked for {req.lstrip('.').replace('.', '/')}.lua). Add the "
                "file, or fix the require.")
        text = path.read_text(encoding="utf-8")
        modules[req] = text
        pending += [(req, r) for r in _requires(text)]
    if not modules:
        return Bundle(name, source, sha256_text(source))
    parts = [f"-- tim3 build of {name}.lua with {', '.join(modules)} "
             "(package.preload; loading it again reloads them)\n"]
    for req, text in modules.items():
        parts.append(
            f"package.loaded[{_lua_string(req)}] = nil\n"
            f"package.preload[{_lua_string(req)}] = function(...)\n{text.rstrip()}\nend\n")
    parts.append(source)
    bundled = "".join(parts)
    return Bundle(name, bundled, sha256_text(bundled), tuple(modules))


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
