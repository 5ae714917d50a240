"""The local AO network: scheduling, evaluation, messenger routing, trace, storage.

`Devnet` plays the SU (slots, timestamps), the CU (one `ProcessVM` per process, atomic
messages) and the MU (pushing every outbox entry as §3.8 of ao-protocol.md says) in one
object, synchronously: `send` returns when nothing is left to deliver.
"""

from __future__ import annotations

import binascii
import contextlib
import gc
import hashlib
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

from tim3.arweave import Wallet, b64url_encode
from tim3.devnet.clock import Clock
from tim3.devnet.faults import Fault, Held
from tim3.devnet.message import Kind, Message
from tim3.devnet.store import Store
from tim3.devnet.trace import Receipt, TraceNode
from tim3.errors import DevnetError, MessageLimitReached, ProcessNotFound
from tim3.runtime.vm import (
    DEFAULT_INSTRUCTION_LIMIT,
    DEFAULT_MEMORY_LIMIT,
    Evaluation,
    OutMessage,
    OutSpawn,
    ProcessVM,
)
from tim3.types import Tag, TagsLike, first_tag, tag_list

__all__ = ["Devnet", "DevnetConfig", "ProcessInfo"]

MU_WALLET_NAME = "tim3-devnet-mu"
SU_WALLET_NAME = "tim3-devnet-su"
MODULE_ID = b64url_encode(hashlib.sha256(b"tim3 aos-compatible runtime 2.0.4").digest())
MODULE_TAGS: list[Tag] = [
    ("Data-Protocol", "ao"),
    ("Variant", "ao.TN.1"),
    ("Type", "Module"),
    ("Module-Format", "wasm64-unknown-emscripten-draft_2024_02_15"),
    ("Input-Encoding", "JSON-1"),
    ("Output-Encoding", "JSON-1"),
    ("Memory-Limit", "1-gb"),
    ("Compute-Limit", "9000000000000"),
    ("Name", "tim3-aos"),
]
_PROTOCOL = {"Data-Protocol", "Variant", "Type"}
_MESSAGE_PROTOCOL: list[Tag] = [
    ("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Message")]
_URLSAFE = bytes.maketrans(b"+/", b"-_")
_PUSH_STRIP = {"Data-Protocol", "Type", "From-Process", "From-Module", "Assignments"}


@dataclass(frozen=True)
class DevnetConfig:
    """Settings of a devnet.

    Parameters:
        path: SQLite file for a durable devnet; None keeps everything in memory.
        fixed_start_ms: start the clock here and move it 1 ms per message (reproducible);
            None follows the wall clock.
        max_chain: how many messages one user message may cause before delivery stops.
        memory_limit / instruction_limit: defaults for every process's VM.
        seed: makes message ids reproducible; two devnets with one seed give the same ids.
    """

    path: str | Path | None = None
    fixed_start_ms: int | None = None
    max_chain: int = 10_000
    memory_limit: int = DEFAULT_MEMORY_LIMIT
    instruction_limit: int = DEFAULT_INSTRUCTION_LIMIT
    seed: str = "tim3-devnet"

    @classmethod
    def for_tests(cls, **overrides: Any) -> DevnetConfig:
        """In memory, fixed clock, small limits: fast and reproducible."""
        base: dict[str, Any] = {
            "fixed_start_ms": 1_750_000_000_000,
            "max_chain": 1_000,
            "memory_limit": 128 * 1024 * 1024,
            "instruction_limit": 50_000_000,
        }
        base.update(overrides)
        return cls(**base)


@dataclass
class ProcessInfo:
    """A process on the devnet."""

    id: str
    owner: str
    tags: list[Tag]
    vm: ProcessVM
    options: dict[str, Any]
    next_slot: int = 0
    created_seq: int = 0
    dead: bool = False
    messages: list[int] = field(default_factory=list)

    def tag(self, name: str, default: str | None = None) -> str | None:
        """The value of the first tag with this name."""
        return first_tag(self.tags, name, default)

    @property
    def name(self) -> str | None:
        return self.tag("Name")

    @property
    def module(self) -> str:
        return self._module

    def __post_init__(self) -> None:
        # Read on every push from this process: looked up once.
        self._module = self.tag("Module") or MODULE_ID

    @property
    def scheduler(self) -> str | None:
        return self.tag("Scheduler")


Sender = Wallet | str
# on_replay(done, total): message records replayed so far, and in the file.
ReplayProgress = Callable[[int, int], None]
REPLAY_REPORT_S = 1.0   # how often on_replay hears from a long replay


def _address(sender: Sender) -> str:
    return sender if isinstance(sender, str) else sender.address


def _checked(tags: TagsLike, data: str) -> list[Tag]:
    """The tags as a list, after checking that tags and data are text AO can carry."""
    if not isinstance(data, str):
        raise DevnetError(f"Message data must be text (str), got {type(data).__name__}.")
    listed = tag_list(tags)
    try:
        if not data.isascii():              # ASCII (the usual case) always encodes
            data.encode()
        for name, value in listed:
            if not isinstance(value, str):
                raise DevnetError(f"Tag '{name}' has a {type(value).__name__} value; AO tag "
                                  "values are strings.")
            if not (name.isascii() and value.isascii()):
                name.encode()
                value.encode()
    except UnicodeEncodeError as exc:
        raise DevnetError(f"Message text cannot be sent as UTF-8: {exc.reason} "
                          f"({exc.object[exc.start:exc.end]!r}).") from None
    return listed


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Replaying builds every record at once, and all of them live on; Python's cyclic GC
    would scan the growing heap again and again for nothing (a quarter of replay time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Schedule(Sequence[Message]):
    """A process's records in slot order, looked up in the devnet's record list."""

    __slots__ = ("_records", "_seqs")

    def __init__(self, records: list[Message], seqs: list[int]) -> None:
        self._records = records
        self._seqs = seqs

    def __len__(self) -> int:
        return len(self._seqs)

    @overload
    def __getitem__(self, index: int) -> Message: ...

    @overload
    def __getitem__(self, index: slice) -> list[Message]: ...

    def __getitem__(self, index: int | slice) -> Message | list[Message]:
        if isinstance(index, slice):
            return [self._records[s] for s in self._seqs[index]]
        return self._records[self._seqs[index]]


class Devnet:
    """A local AO network in one Python object.

    Parameters:
        path: a SQLite file to keep the network in (reopened by replay), or None.
        config: every other setting; `DevnetConfig.for_tests()` for tests.
        on_replay: called as `on_replay(done, total)` (message records) about once a second
            while an existing file is replayed, the last time with done == total: a long log
            takes minutes to replay; one replayed within a second says nothing.
    """

    def __init__(self, path: str | Path | None = None, config: DevnetConfig | None = None,
                 *, on_replay: ReplayProgress | None = None) -> None:
        config = config or DevnetConfig()
        if path is not None:
            config = DevnetConfig(**{**config.__dict__, "path": path})
        self.config = config
        self.store = Store(config.path)
        meta = self.store.meta()
        self.clock = Clock(config.fixed_start_ms, meta.get("genesis_ms"))
        self.mu = Wallet.from_name(MU_WALLET_NAME)
        self.su = Wallet.from_name(SU_WALLET_NAME)
        self._wallets: dict[str, Wallet] = {}
        self._names: dict[str, str] = {}
        self._processes: dict[str, ProcessInfo] = {}
        self._records: list[Message] = []
        self._by_id: dict[str, int] = {}            # id → seq of its first record
        self._more_ids: dict[str, list[int]] = {}   # id → seqs of its other records (assigned)
        self._seq = 0
        self._pending_processes: list[ProcessInfo] = []
        self._signed: dict[str, bytes] = {}         # message id → its item (in memory only)
        self.log: list[str] = []
        self.faults: list[Fault] = []
        self.held: list[Held] = []
        self._meta_saved = bool(meta)
        self._meta = meta or {"genesis_ms": self.clock.genesis_ms, "seed": config.seed}
        self._id_seed = f"{self._meta['seed']}:".encode()
        if meta:
            try:
                self._replay(on_replay)
            except BaseException:
                self.store.close()      # let go of the file: it may be opened again
                raise

    # -- public API -----------------------------------------------------------------------

    def wallet(self, name: str) -> Wallet:
        """The dev wallet derived from `name` (the same key on every machine)."""
        if name not in self._wallets:
            w = Wallet.from_name(name)
            self._wallets[name] = w
            self._names[w.address] = name
        return self._wallets[name]

    def name_of(self, address: str) -> str | None:
        """The wallet or process name known for an address, if any."""
        if address in self._names:
            return self._names[address]
        p = self._processes.get(address)
        return p.name if p else None

    def processes(self) -> list[ProcessInfo]:
        return list(self._processes.values())

    def process(self, process_id: str) -> ProcessInfo:
        try:
            return self._processes[process_id]
        except KeyError:
            raise ProcessNotFound(process_id) from None

    def is_process(self, address: str) -> bool:
        return address in self._processes

    def spawn(
        self,
        owner: Sender,
        source: str | None = None,
        *,
        tags: TagsLike = None,
        data: str | None = None,
        authority: str | None | bool = True,
        memory_limit: int | None = None,
        instruction_limit: int | None = None,
        id: str | None = None,
    ) -> str:
        """Spawn a process running `source` (as On-Boot = Data); returns its id.

        `authority=True` adds the devnet messenger as `Authority`, so messages from other
        processes are trusted; `authority=None` spawns without (they will all be dropped);
        a string sets that authority. Raises DevnetError if booting the source fails (the
        process then exists, as on AO, with an empty state).
        """
        user_tags = tag_list(tags)
        names = {n for n, _ in user_tags}
        process_tags = list(user_tags)
        if source is not None:
            if data is not None:
                raise DevnetError("Pass either source or data to spawn, not both.")
            data = source
            if "On-Boot" not in names:
                process_tags.append(("On-Boot", "Data"))
        if authority is True:
            authority = self.mu.address
        if authority and "Authority" not in names:
            process_tags.append(("Authority", str(authority)))
        if "Module" not in names:
            process_tags.append(("Module", MODULE_ID))
        if "Scheduler" not in names:
            process_tags.append(("Scheduler", self.su.address))
        process_tags += [("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Process")]
        return self.spawn_item(owner, process_tags, data or "", id=id, memory_limit=memory_limit,
                               instruction_limit=instruction_limit)

    def spawn_item(
        self,
        owner: Sender,
        tags: TagsLike,
        data: str = "",
        *,
        id: str | None = None,
        memory_limit: int | None = None,
        instruction_limit: int | None = None,
        signed: bytes | None = None,
    ) -> str:
        """Spawn a process from exactly these tags and data (a signed spawn item's content).

        `signed`: the ANS-104 item they came from, kept with the process's first message
        (see `signed_item`)."""
        options = {
            "memory_limit": memory_limit or self.config.memory_limit,
            "instruction_limit": instruction_limit or self.config.instruction_limit,
        }
        checked = _checked(tags, data)
        batch: list[Message] = []
        try:
            pid = self._create_process(_address(owner), checked, data, options, id, batch,
                                       parent=None, root=None)
        finally:
            self._commit(batch, signed)
        boot = self._records[self._by_id[pid]]
        if boot.error:
            raise DevnetError(
                f"Process '{pid}' was spawned but its boot failed: {boot.error.strip()}")
        return pid

    def send(
        self,
        sender: Sender,
        target: str,
        *,
        tags: TagsLike = None,
        data: str = "",
        id: str | None = None,
        anchor: str = "",
        signed: bytes | None = None,
    ) -> Receipt:
        """Send a message from a wallet and deliver everything it causes; returns a Receipt.

        `signed`: the ANS-104 item the message came from (the node passes it), kept with the
        message and read back with `signed_item`. Raises MessageLimitReached (with
        `.receipt`) when the chain grows past `config.max_chain`.
        """
        if target not in self._processes:
            raise ProcessNotFound(target)
        owner = _address(sender)
        msg_tags = _checked(tags, data)
        from_, protocol = "", False
        for name, value in msg_tags:
            if name == "Data-Protocol":
                protocol = True
            elif name == "From-Process" and value and not from_:
                from_ = value
        if not protocol:
            msg_tags += _MESSAGE_PROTOCOL
        from_ = from_ or owner
        batch: list[Message] = []
        try:
            record = self._schedule(
                id or self._new_id(), Kind.MESSAGE, target, owner, from_, target, data,
                tuple(msg_tags), anchor=anchor, parent=None, root=None, batch=batch)
            record.root = record.id
            limit_reached = self._crank(record, batch)
        finally:
            self._commit(batch, signed)
        receipt = Receipt(record, lambda: self.trace_of(record))
        if limit_reached:
            receipt.limit_reached = True
            raise MessageLimitReached(record.id, self.config.max_chain, receipt)
        return receipt

    def eval(self, owner: Sender, process_id: str, code: str) -> Receipt:
        """Send `Action = Eval` with Lua code (only the process owner's Eval runs)."""
        return self.send(owner, process_id, tags={"Action": "Eval"}, data=code)

    def assign(self, process_id: str, message_id: str) -> Receipt:
        """Assign an existing message to another process (it is evaluated there)."""
        original = self.message(message_id)
        batch: list[Message] = []
        try:
            record = self._assign(original, process_id, parent=None, root=None, batch=batch)
            record.root = record.id
            self._crank(record, batch, evaluated=True)
        finally:
            self._commit(batch)
        return Receipt(record, lambda: self.trace_of(record))

    def dryrun(
        self,
        target: str,
        *,
        tags: TagsLike = None,
        data: str = "",
        sender: Sender | None = None,
        id: str = "1234",
    ) -> Evaluation:
        """Evaluate a message against a process without changing it (CU dry-run)."""
        info = self.process(target)
        owner = _address(sender) if sender is not None else "1234"
        msg_tags = _checked(tags, data)
        if "Data-Protocol" not in {n for n, _ in msg_tags}:
            msg_tags += [("Data-Protocol", "ao"), ("Type", "Message"), ("Variant", "ao.TN.1")]
        from_ = next((v for n, v in msg_tags if n == "From-Process" and v), owner)
        ts = self.clock.peek()
        fields = {
            "Id": id, "Owner": owner, "From": from_, "Target": target, "Data": data,
            "Timestamp": ts, "Block-Height": self.clock.block_height(ts), "Cron": False,
            "Read-Only": True, "Anchor": "0",
        }
        return info.vm.dry_run(fields, msg_tags)

    def message(self, message_id: str, process_id: str | None = None) -> Message:
        """The record of a message (for assigned messages, pick the process)."""
        seqs = self._seqs(message_id)
        if not seqs:
            raise DevnetError(f"No message '{message_id}' on this devnet.")
        for s in seqs:
            m = self._records[s]
            if process_id is None or m.process == process_id:
                return m
        raise DevnetError(f"Message '{message_id}' was not delivered to '{process_id}'.")

    def signed_item(self, message_id: str) -> bytes | None:
        """The signed ANS-104 item a message came from (`send(signed=…)`), or None.

        A durable devnet keeps the items in its file, not in memory, and reads one per call."""
        raw = self._signed.get(message_id)
        return raw if raw is not None else self.store.item(message_id)

    def messages(self, process_id: str | None = None) -> list[Message]:
        """All message records, or those scheduled on one process, in order."""
        if process_id is None:
            return list(self._records)
        return [self._records[s] for s in self.process(process_id).messages]

    def schedule(self, process_id: str) -> Sequence[Message]:
        """The records scheduled on a process, in slot order, read in place (no copy): paging
        through a long schedule costs the page, not the schedule."""
        return _Schedule(self._records, self.process(process_id).messages)

    def trace(self, message_id: str) -> TraceNode:
        """The causal tree under a message."""
        return self.trace_of(self.message(message_id))

    def trace_of(self, record: Message) -> TraceNode:
        """The causal tree under a record (built without recursion: chains can be deep)."""
        root = TraceNode(record)
        stack = [root]
        while stack:
            node = stack.pop()
            node.children = [TraceNode(self._records[s]) for s in node.message.children]
            stack.extend(node.children)
        return root

    def release(self, index: int = 0) -> Receipt:
        """Deliver a message a fault held back (and everything it causes) now."""
        if not 0 <= index < len(self.held):
            raise DevnetError(f"No held message number {index}; {len(self.held)} are held.")
        held = self.held.pop(index)
        batch: list[Message] = []
        try:
            record = self._deliver(held.sender, held.parent, held.out, held.root, batch)
            if record is None:
                raise DevnetError("A held message to a wallet cannot be released.")
            self._crank(record, batch)
        finally:
            self._commit(batch)
        return Receipt(record, lambda: self.trace_of(record))

    def advance(self, ms: int) -> None:
        """Move the devnet clock forward."""
        self.clock.advance(ms)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Devnet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- scheduling and evaluation -----------------------------------------------------------

    def _new_id(self) -> str:
        digest = hashlib.sha256(self._id_seed + b"%d" % self._seq).digest()
        return binascii.b2a_base64(digest, newline=False)[:43].translate(_URLSAFE).decode()

    def _seqs(self, message_id: str) -> list[int]:
        first = self._by_id.get(message_id)
        if first is None:
            return []
        return [first, *self._more_ids.get(message_id, ())]

    def _index(self, record: Message) -> None:
        # Few lists per record: every container the devnet keeps is work for Python's GC.
        self._records.append(record)
        if self._by_id.setdefault(record.id, record.seq) != record.seq:
            self._more_ids.setdefault(record.id, []).append(record.seq)
        if record.parent is not None:
            parent = self._records[record.parent]
            if isinstance(parent.children, list):
                parent.children.append(record.seq)
            else:
                parent.children = [record.seq]

    def _add(self, record: Message, batch: list[Message]) -> Message:
        self._index(record)
        batch.append(record)
        return record

    def _schedule(
        self, mid: str, kind: str, process_id: str, owner: str, from_: str, target: str,
        data: str, tags: tuple[Tag, ...], *, anchor: str, parent: int | None,
        root: str | None, batch: list[Message],
    ) -> Message:
        info = self._processes[process_id]
        ts = self.clock.now()
        record = Message(self._seq, mid, kind, process_id, owner, from_, target, data, tags, ts,
                         self.clock.block_height(ts), info.next_slot, anchor, parent, root)
        self._seq += 1
        info.next_slot += 1
        info.messages.append(record.seq)
        self._add(record, batch)
        record.result = info.vm.evaluate_flat(ts, record.vm_args())
        return record

    def _create_process(
        self, owner: str, tags: list[Tag], data: str, options: dict[str, Any],
        pid: str | None, batch: list[Message], *, parent: int | None, root: str | None,
    ) -> str:
        pid = pid or self._new_id()
        if pid in self._processes:
            raise DevnetError(f"A process with id '{pid}' already exists.")
        from_ = next((v for n, v in tags if n == "From-Process" and v), owner)
        vm = ProcessVM(pid, owner, tags, module_id=MODULE_ID, module_owner=self.mu.address,
                       module_tags=MODULE_TAGS, memory_limit=options["memory_limit"],
                       instruction_limit=options["instruction_limit"])
        created = ProcessInfo(pid, owner, list(tags), vm, options, created_seq=self._seq)
        self._processes[pid] = created
        self._pending_processes.append(created)
        self._schedule(pid, Kind.PROCESS, pid, owner, from_, pid, data, tuple(tags), anchor="",
                       parent=parent, root=root or pid, batch=batch)
        return pid

    def _assign(self, original: Message, process_id: str, *, parent: int | None,
                root: str | None, batch: list[Message]) -> Message:
        self.process(process_id)
        return self._schedule(
            original.id, Kind.ASSIGNMENT, process_id, original.owner, original.from_,
            original.target, original.data, original.tags, anchor=original.anchor,
            parent=parent, root=root, batch=batch)

    def _crank(self, first: Message, batch: list[Message], evaluated: bool = True) -> bool:
        """Deliver the outbox of `first` and of everything it causes; True if cut short."""
        queue: deque[Message] = deque([first])
        count = 0
        root = first.root or first.id
        while queue:
            record = queue.popleft()
            result = record.result
            if result is None or not result.ok:
                continue
            sender = self._processes[record.process]
            for out in result.messages:
                if count >= self.config.max_chain:
                    self._drop(record, out, "the chain hit the devnet's message limit", batch)
                    self.log.append(f"message limit {self.config.max_chain} reached under {root}")
                    return True
                count += 1
                queue.extend(self._push(sender, record, out, root, batch))
            for spawn in result.spawns:
                count += 1
                created = self._spawn_from(sender, record, spawn, root, batch)
                if created is not None:
                    queue.extend(created)
            for message_id, targets in result.assignments:
                for pid in targets:
                    count += 1
                    if message_id not in self._by_id or pid not in self._processes:
                        self.log.append(f"assignment of {message_id} to {pid} dropped: unknown id")
                        continue
                    original = self._records[self._by_id[message_id]]
                    queue.append(self._assign(original, pid, parent=record.seq, root=root,
                                              batch=batch))
        return False

    def _drop(self, parent: Message, out: OutMessage, reason: str, batch: list[Message]) -> None:
        self.log.append(f"dropped a message from {parent.process}: {reason}")
        record = Message(
            seq=self._seq, id=self._new_id(), kind=Kind.DROPPED, process=out.target,
            owner=self.mu.address, from_=parent.process, target=out.target, data=out.data,
            tags=out.tags, timestamp=self.clock.peek(),
            block_height=self.clock.block_height(self.clock.peek()), anchor=out.anchor,
            parent=parent.seq, root=parent.root, reason=reason)
        self._seq += 1
        self._add(record, batch)

    def _push(self, sender: ProcessInfo, parent: Message, out: OutMessage, root: str,
              batch: list[Message]) -> list[Message]:
        """Push one outbox message as the messenger would, unless a fault intervenes."""
        if out.problem:
            self._drop(parent, out, f"the messenger drops it: {out.problem}", batch)
            return []
        for fault in self.faults:
            verdict = fault(sender.id, out)
            if verdict in ("drop", "hold"):
                self._drop(parent, out, f"fault injected: {verdict}", batch)
                if verdict == "hold":
                    self.held.append(Held(sender, parent, out, root))
                return []
            if verdict == "duplicate":
                first = self._deliver(sender, parent, out, root, batch)
                second = self._deliver(sender, parent, out, root, batch)
                return [r for r in (first, second) if r is not None]
        record = self._deliver(sender, parent, out, root, batch)
        return [] if record is None else [record]

    def _deliver(self, sender: ProcessInfo, parent: Message, out: OutMessage, root: str,
                 batch: list[Message]) -> Message | None:
        tags = (*[tag for tag in out.tags if tag[0] not in _PUSH_STRIP],
                ("Data-Protocol", "ao"), ("Type", "Message"), ("From-Process", sender.id),
                ("From-Module", sender.module), ("Pushed-For", root))
        if out.target not in self._processes:
            ts = self.clock.now()
            record = Message(
                self._seq, self._new_id(), Kind.WALLET, out.target, self.mu.address, sender.id,
                out.target, out.data, tags, ts, self.clock.block_height(ts), None, out.anchor,
                parent.seq, root)
            self._seq += 1
            self._add(record, batch)
            return None
        return self._schedule(
            self._new_id(), Kind.MESSAGE, out.target, self.mu.address, sender.id, out.target,
            out.data, tags, anchor=out.anchor, parent=parent.seq, root=root, batch=batch)

    def _spawn_from(self, parent_proc: ProcessInfo, parent: Message, spawn: OutSpawn, root: str,
                    batch: list[Message]) -> list[Message]:
        names = {n for n, _ in spawn.tags}
        if "Module" not in names:
            self.log.append(f"spawn from {parent_proc.id} dropped: no Module tag")
            return []
        variant = next((v for n, v in spawn.tags if n == "Variant"), "ao.TN.1")
        tags = [(n, v) for n, v in spawn.tags
                if n not in ("Data-Protocol", "Type", "Variant", "From-Module")]
        tags += [("Variant", variant if variant == "ao.N.1" else "ao.TN.1"),
                 ("Data-Protocol", "ao"), ("Type", "Process"),
                 ("From-Module", parent_proc.module), ("Pushed-For", root)]
        if "Scheduler" not in names:
            tags.append(("Scheduler", parent_proc.scheduler or self.su.address))
        pid = self._create_process(self.mu.address, tags, spawn.data, dict(parent_proc.options),
                                   None, batch, parent=parent.seq, root=root)
        boot = self._records[self._by_id[pid]]
        notice = [(n, v) for n, v in spawn.tags if n not in _PROTOCOL]
        notice += [("Data-Protocol", "ao"), ("Type", "Message"), ("Process", pid),
                   ("Action", "Spawned"), ("Variant", "ao.TN.1")]
        spawned = self._schedule(
            self._new_id(), Kind.MESSAGE, parent_proc.id, self.mu.address, parent_proc.id,
            parent_proc.id, "", tuple(notice), anchor=spawn.anchor, parent=parent.seq, root=root,
            batch=batch)
        return [boot, spawned]

    # -- storage ---------------------------------------------------------------------------

    def _commit(self, batch: list[Message], signed: bytes | None = None) -> None:
        """Store a chain — also one cut short by an exception, so that the log never has a
        gap where the devnet in memory has records (sequence numbers index them) — with the
        signed item its first message came from."""
        new, self._pending_processes = self._pending_processes, []
        items = [(batch[0].id, signed)] if signed is not None and batch else []
        if not self.store.durable:
            self._signed.update(items)
            return
        meta = None if self._meta_saved else self._meta
        self.store.commit(
            batch,
            [(p.id, p.owner, {**p.options, "tags": p.tags}) for p in new],
            meta,
            items,
        )
        self._meta_saved = True

    def _replay(self, on_replay: ReplayProgress | None) -> None:
        """Rebuild every process by replaying the stored log in order."""
        procs: dict[str, tuple[str, dict[str, Any]]] = {}
        total = self.store.record_count() if on_replay is not None else 0
        told: int | None = None             # the last `done` on_replay heard
        last = time.monotonic()
        with _cyclic_gc_paused():
            for chain in self.store.chains():
                for pid, owner, options in chain.processes:
                    procs[pid] = (owner, options)
                for record in chain.messages:
                    self._replay_record(record, procs)
                if on_replay is not None and time.monotonic() - last >= REPLAY_REPORT_S:
                    on_replay(self._seq, total)
                    told, last = self._seq, time.monotonic()
        if on_replay is not None and told is not None and told != self._seq:
            on_replay(self._seq, total)

    def _replay_record(self, record: Message, procs: dict[str, tuple[str, dict[str, Any]]]) -> None:
        if record.kind == Kind.PROCESS:
            owner, options = procs[record.id]
            tags = [(t[0], t[1]) for t in options["tags"]]
            vm = ProcessVM(record.id, owner, tags, module_id=MODULE_ID,
                           module_owner=self.mu.address, module_tags=MODULE_TAGS,
                           memory_limit=options["memory_limit"],
                           instruction_limit=options["instruction_limit"])
            self._processes[record.id] = ProcessInfo(
                record.id, owner, tags, vm,
                {k: options[k] for k in ("memory_limit", "instruction_limit")},
                created_seq=record.seq)
        stored = record.result
        record.children = ()
        self._index(record)
        if record.kind in (Kind.PROCESS, Kind.MESSAGE, Kind.ASSIGNMENT):
            info = self._processes[record.process]
            info.messages.append(record.seq)
            info.next_slot = (record.slot or 0) + 1
            if stored is not None and stored.ok:
                again = info.vm.evaluate_flat(record.timestamp, record.vm_args())
                if again != stored:
                    raise DevnetError(
                        f"Replay diverged at message '{record.id}' of process "
                        f"'{record.process}': {again.error or 'different outbox'}.")
        self._seq = record.seq + 1
        self.clock.catch_up(record.timestamp)
