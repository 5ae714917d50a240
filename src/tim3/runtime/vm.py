"""One sandboxed Lua 5.3 VM per AO process, with aos semantics and CU-style atomic messages.

A message whose result is an `Error` leaves no trace (ao-protocol.md §1.4): the VM restores
the last snapshot in place and replays the successful messages since then. Snapshots are
taken right after boot and then whenever the work done since the last one outweighs its
cost, so the happy path pays a few percent and a flood of failing messages costs one
in-place restore each — never a replay from genesis.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from lupa import lua53

from tim3.errors import RuntimeLimitError
from tim3.types import Tag, first_tag

__all__ = ["Evaluation", "OutMessage", "OutSpawn", "ProcessVM", "Tag"]



DEFAULT_MEMORY_LIMIT = 512 * 1024 * 1024
DEFAULT_INSTRUCTION_LIMIT = 500_000_000
_MIN_MEMORY = 1024 * 1024

# Re-snapshot once evaluation time since the last snapshot exceeds this many snapshot costs.
_SNAPSHOT_RATIO = 20.0

_LUA_DIR = resources.files("tim3.runtime") / "lua"
_MODULES = {
    p.name[:-4]: p.read_text(encoding="utf-8")
    for p in _LUA_DIR.iterdir()
    if p.name.endswith(".lua") and p.name != "host.lua"
}
_HOST = (_LUA_DIR / "host.lua").read_text(encoding="utf-8")


def _deny(obj: Any, name: Any, is_setting: bool) -> Any:
    raise AttributeError("process code cannot reach Python objects")


# The result records below are made for every message evaluated; they are plain (not frozen)
# dataclasses because a frozen one costs four times as much to build. Treat them as values.


@dataclass(slots=True)
class OutMessage:
    """A message in a result's outbox; `problem` says why the messenger would drop it."""

    target: str
    anchor: str
    data: str
    tags: tuple[Tag, ...]
    problem: str = ""

    def tag(self, name: str, default: str | None = None) -> str | None:
        """The value of the first tag with this name."""
        return first_tag(self.tags, name, default)

    @property
    def action(self) -> str | None:
        return self.tag("Action")


@dataclass(slots=True)
class OutSpawn:
    """A spawn request in a result's outbox."""

    anchor: str
    data: str
    tags: list[Tag]


@dataclass(slots=True)
class Evaluation:
    """What one message did: an error, or output and outbox."""

    error: str | None = None
    output: str = ""
    prompt: str = ""
    messages: list[OutMessage] = field(default_factory=list)
    spawns: list[OutSpawn] = field(default_factory=list)
    assignments: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


def _parse(flat: Sequence[Any]) -> Evaluation:
    if flat[0] == "error":
        return Evaluation(error=str(flat[1]))
    i = 4
    messages: list[OutMessage] = []
    for _ in range(flat[3]):
        end = i + 5 + 2 * flat[i + 3]
        messages.append(OutMessage(flat[i], flat[i + 1], flat[i + 2],
                                   tuple(zip(flat[i + 5:end:2], flat[i + 6:end:2], strict=True)),
                                   flat[i + 4]))
        i = end
    spawns: list[OutSpawn] = []
    for _ in range(flat[i]):
        anchor, data, ntags = flat[i + 1], flat[i + 2], flat[i + 3]
        i += 3
        tags = [(flat[i + 1 + 2 * k], flat[i + 2 + 2 * k]) for k in range(ntags)]
        i += 2 * ntags
        spawns.append(OutSpawn(anchor, data, tags))
    i += 1
    assignments: list[tuple[str, list[str]]] = []
    for _ in range(flat[i]):
        message, nproc = flat[i + 1], flat[i + 2]
        i += 2
        assignments.append((message, list(flat[i + 1: i + 1 + nproc])))
        i += nproc
    return Evaluation(None, flat[1], flat[2], messages, spawns, assignments)


class ProcessVM:
    """A Lua VM running the aos-compatible runtime for one process.

    Parameters:
        process_id: the process's id (`ao.id`).
        owner: the address that spawned it.
        process_tags: the spawn item's tags (`Authority`, `Module`, `Name`, `On-Boot` …).
        module_id / module_owner / module_tags: the module record (`env.Module`).
        memory_limit: bytes the VM may allocate; past it a message fails with an Error.
        instruction_limit: Lua instructions one message may run; past it, an Error.
    """

    def __init__(
        self,
        process_id: str,
        owner: str,
        process_tags: Sequence[Tag],
        *,
        module_id: str = "",
        module_owner: str = "",
        module_tags: Sequence[Tag] = (),
        memory_limit: int = DEFAULT_MEMORY_LIMIT,
        instruction_limit: int = DEFAULT_INSTRUCTION_LIMIT,
    ) -> None:
        self.process_id = process_id
        self.instruction_limit = instruction_limit
        self._memory_limit = memory_limit
        env: list[Any] = [process_id, owner, len(process_tags)]
        for name, value in process_tags:
            env += [name, value]
        env += [module_id, module_owner, len(module_tags)]
        for name, value in module_tags:
            env += [name, value]
        self._env = env
        self._since: list[tuple[int, Sequence[Any]]] = []
        self._history: list[tuple[int, Sequence[Any]]] = []
        self._snapshot_cost = 0.0
        self._work_since = 0.0
        self._snapshot_exact = True
        self.stats = {"messages": 0, "errors": 0, "restores": 0, "replayed": 0, "snapshots": 0,
                      "snapshots_skipped": 0}
        self._start()

    def _start(self) -> None:
        too_small = RuntimeLimitError(
            f"The runtime does not fit in a memory limit of {self._memory_limit:,} bytes "
            f"(process '{self.process_id}'); give it a few MiB at least.")
        if self._memory_limit < _MIN_MEMORY:
            # Below this, lupa runs out while copying the runtime's sources in, outside any
            # protected call, and Lua's panic aborts the whole Python process.
            raise too_small
        self._lua = lua53.LuaRuntime(
            register_eval=False,
            register_builtins=False,
            unpack_returned_tuples=True,
            max_memory=self._memory_limit,
            attribute_filter=_deny,
        )
        try:
            self._host = self._lua.execute(_HOST, self._lua.table_from(_MODULES))
            self._c_sethook = self._host.sethook
            self._host.setEnv(*self._env)
            self._host.boot()
        except lua53.LuaMemoryError:
            raise too_small from None
        self._take_snapshot()

    # -- evaluation -------------------------------------------------------------------------

    def evaluate(self, fields: dict[str, Any], tags: Iterable[Tag]) -> Evaluation:
        """Evaluate one message atomically: an Error result leaves the state untouched."""
        return self.evaluate_flat(int(fields.get("Timestamp") or 0),
                                  tuple(self.flatten(fields, tags)))

    def evaluate_flat(self, timestamp: int, args: Sequence[Any]) -> Evaluation:
        """`evaluate` for a message already in the form `flatten` gives (the devnet's path)."""
        started = time.perf_counter()
        result = self._call(timestamp, args)
        self._work_since += time.perf_counter() - started
        self.stats["messages"] += 1
        if result.error is None:
            self._since.append((timestamp, args))
            self._history.append((timestamp, args))
            if self._work_since > _SNAPSHOT_RATIO * self._snapshot_cost:
                self._take_snapshot()
        else:
            self.stats["errors"] += 1
            self._rollback()
        return result

    def dry_run(self, fields: dict[str, Any], tags: Iterable[Tag]) -> Evaluation:
        """Evaluate a message and then forget it, whatever its result."""
        result = self._call(int(fields.get("Timestamp") or 0), self.flatten(fields, tags))
        self._rollback()
        return result

    def eval_host(self, source: str) -> Any:
        """Run Lua with the host's full view (tests and tools only, never process input)."""
        return self._host.eval(source)

    def state_json(self, limit: int = 16 * 1024 * 1024) -> str:
        """The process's own globals (not the runtime's) as JSON text; functions left out."""
        try:
            return str(self._host.stateJson(limit))
        except lua53.LuaError as exc:
            raise RuntimeLimitError(f"The state of process '{self.process_id}' cannot be "
                                    f"read: {exc}.") from exc

    def memory_used(self) -> int:
        """Bytes the Lua heap holds now."""
        return int(self._lua.get_memory_used() or 0)

    # -- internals --------------------------------------------------------------------------

    @staticmethod
    def flatten(fields: dict[str, Any], tags: Iterable[Tag]) -> list[Any]:
        """A message as the host's `run` takes it: [n, key1, value1, … keyn, valuen,
        tag name, tag value, …]."""
        args: list[Any] = [len(fields)]
        for key, value in fields.items():
            args += (key, value)
        for name, value in tags:
            args += (name, value)
        return args

    def _call(self, timestamp: int, args: Sequence[Any]) -> Evaluation:
        try:
            try:
                flat = self._host.run(self.instruction_limit, timestamp, *args)
            except UnicodeDecodeError:
                # The message ran; its result holds bytes that are not UTF-8. Read it again
                # with those bytes replaced, as the SU's lossy UTF-8 would show them.
                flat = self._host.reflatten()
        except lua53.LuaMemoryError:
            self._c_sethook()
            return Evaluation(error="not enough memory: the process exceeded its memory limit")
        except lua53.LuaError as exc:
            self._c_sethook()
            tripped, _used = self._host.status()
            if tripped:
                return Evaluation(error="instruction budget exceeded")
            return Evaluation(error=f"runtime error: {exc}")
        if not isinstance(flat, tuple):
            flat = (flat,)
        if flat[0] == "error":
            self._c_sethook()  # a tripped budget leaves the every-instruction hook armed
            if "not enough memory" in str(flat[1]):
                return Evaluation(error=f"not enough memory: {flat[1]}")
        return _parse(flat)

    def _take_snapshot(self) -> None:
        started = time.perf_counter()
        try:
            exact = bool(self._host.snapshot())
        except lua53.LuaMemoryError:
            # The copy does not fit under the memory cap (the state holds more than about
            # half of it): keep the last snapshot and the messages since, which is all a
            # rollback needs, and try again after as much work again.
            self._work_since = 0.0
            self.stats["snapshots_skipped"] += 1
            return
        self._snapshot_exact = exact
        self._snapshot_cost = time.perf_counter() - started
        self._work_since = 0.0
        self._since.clear()
        self.stats["snapshots"] += 1

    def _rollback(self) -> None:
        self.stats["restores"] += 1
        if not self._snapshot_exact:
            self._rebuild()
            return
        self._host.restore()
        if self._since:
            for timestamp, args in self._since:
                self._replay(timestamp, args)
            self._take_snapshot()

    def _replay(self, timestamp: int, args: Sequence[Any]) -> None:
        self.stats["replayed"] += 1
        result = self._call(timestamp, args)
        if not result.ok:
            raise RuntimeLimitError(
                f"Replaying a message of process '{self.process_id}' failed where it had "
                f"succeeded before: {result.error}"
            )

    def _rebuild(self) -> None:
        # A suspended coroutine's stack cannot be snapshotted: start over from genesis.
        self._start()
        for timestamp, args in self._history:
            self._replay(timestamp, args)
        self._take_snapshot()
