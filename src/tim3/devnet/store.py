"""Durable storage for the devnet: a SQLite file in WAL mode, or nothing (in memory).

The devnet keeps its working set in memory; the store is its log. Each user message and
everything it caused (a chain) are written as one row — one JSON document (UTF-8 bytes),
one statement —
once the chain is done, so a crash loses at most the chain being evaluated, never a stored
message. One row per chain keeps a send to a single write: the log is only read back in
order, when a devnet reopens. A message that came as a signed ANS-104 item (through the
node) has the item's bytes in `items`, written in the same transaction as its chain and read
back one at a time, by id.

Files written before chains were stored whole (tables `messages` and `processes`, one row
each) are still read; new chains go to `chains`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from tim3.devnet.message import Message
from tim3.errors import DevnetError
from tim3.runtime.vm import Evaluation, OutMessage, OutSpawn

__all__ = ["Chain", "Store", "StoredProcess"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chains (first INTEGER PRIMARY KEY, body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, raw BLOB NOT NULL);
"""

_LOCK_WAIT_S = 1.0     # how long opening waits for another devnet to let go of the file

StoredProcess = tuple[str, str, dict[str, Any]]      # id, owner, options (with "tags")


@dataclass
class Chain:
    """What one commit stored: the processes it created and its message records, in order."""

    processes: list[StoredProcess]
    messages: list[Message]


def _result_to_plain(r: Evaluation | None) -> Any:
    if r is None:
        return None
    if r.error is not None:
        return {"error": r.error}
    return {
        "output": r.output,
        "prompt": r.prompt,
        "messages": [[m.target, m.anchor, m.data, m.tags, m.problem] for m in r.messages],
        "spawns": [[s.anchor, s.data, s.tags] for s in r.spawns],
        "assignments": [[m, ps] for m, ps in r.assignments],
    }


def _result_from_plain(d: Any) -> Evaluation | None:
    if d is None:
        return None
    if "error" in d:
        return Evaluation(error=d["error"])
    return Evaluation(
        None,
        d["output"],
        d["prompt"],
        [OutMessage(t, a, data, tuple([(x[0], x[1]) for x in tags]), p)
         for t, a, data, tags, p in d["messages"]],
        [OutSpawn(a, data, [(x[0], x[1]) for x in tags]) for a, data, tags in d["spawns"]],
        [(m, list(ps)) for m, ps in d["assignments"]],
    )


def _record_to_plain(m: Message) -> list[Any]:
    return [m.seq, m.id, m.kind, m.process, m.owner, m.from_, m.target, m.data, m.tags,
            m.timestamp, m.block_height, m.slot, m.anchor, m.parent, m.root,
            _result_to_plain(m.result), m.reason]


def _record_from_row(row: Any, result: Evaluation | None, tags: Any) -> Message:
    (seq, mid, kind, process, owner, from_, target, data, _tags, ts, height, slot, anchor,
     parent, root, _result, reason) = row
    return Message(seq, mid, kind, process, owner, from_, target, data,
                   tuple([(t[0], t[1]) for t in tags]), ts, height, slot, anchor, parent, root,
                   result, reason)


class Store:
    """The devnet's log. `Store(None)` keeps nothing; `Store(path)` writes SQLite (WAL)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self._db: sqlite3.Connection | None = None
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                       timeout=_LOCK_WAIT_S)
            # One devnet per file: two would both append to the log. The exclusive lock is
            # taken now and held until close (the OS drops it if the process dies), and it
            # also spares every commit the shared-memory locking of WAL.
            self._db.execute("PRAGMA locking_mode=EXCLUSIVE")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("BEGIN EXCLUSIVE")
            self._db.execute("COMMIT")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            if self._db is not None:
                self._db.close()
                self._db = None
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise DevnetError(
                    f"Devnet storage '{self.path}' is in use by another devnet (a `tim3 "
                    "devnet` or another Python process has it open). Stop that one first, "
                    "or pass another path."
                ) from exc
            raise DevnetError(
                f"Cannot open devnet storage '{self.path}': {exc}. "
                "Pass another path, or delete the file to start a new devnet."
            ) from exc

    @property
    def durable(self) -> bool:
        return self._db is not None

    def describe(self) -> str:
        return str(self.path) if self.path is not None else "in memory"

    def meta(self) -> dict[str, Any]:
        if self._db is None:
            return {}
        return {k: json.loads(v) for k, v in self._db.execute("SELECT key, value FROM meta")}

    def record_count(self) -> int:
        """How many message records the file holds (sequence numbers have no gaps, so the last
        chain's first number plus its length), without reading the others."""
        if self._db is None:
            return 0
        last = self._db.execute("SELECT first, body FROM chains ORDER BY first DESC LIMIT 1")
        row = last.fetchone()
        if row is not None:
            return int(row[0]) + len(orjson.loads(row[1])["messages"])
        if not self._has_legacy():
            return 0
        return int(self._db.execute("SELECT count(*) FROM messages").fetchone()[0])

    def chains(self) -> Iterator[Chain]:
        """Everything stored, chain by chain, in the order it was written."""
        if self._db is None:
            return
        yield from self._legacy()
        for (body,) in self._db.execute("SELECT body FROM chains ORDER BY first"):
            doc = orjson.loads(body)
            yield Chain(
                [(pid, owner, options) for pid, owner, options in doc["processes"]],
                [_record_from_row(row, _result_from_plain(row[15]), row[8])
                 for row in doc["messages"]])

    def _has_legacy(self) -> bool:
        """Whether the file has rows of the first storage format (one per message)."""
        assert self._db is not None
        return self._db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                "AND name = 'messages'").fetchone() is not None

    def _legacy(self) -> Iterator[Chain]:
        assert self._db is not None
        if not self._has_legacy():
            return
        processes = [(pid, owner, json.loads(options)) for pid, owner, options in
                     self._db.execute("SELECT id, owner, options FROM processes ORDER BY seq")]
        rows = self._db.execute(
            "SELECT seq, id, kind, process, owner, from_, target, data, tags, timestamp, "
            "block_height, slot, anchor, parent, root, result, reason FROM messages ORDER BY seq")
        messages = [_record_from_row(row, _result_from_plain(json.loads(row[15]) if row[15]
                                                             else None), json.loads(row[8]))
                    for row in rows]
        yield Chain(processes, messages)

    def commit(
        self,
        messages: list[Message],
        processes: list[StoredProcess] = (),  # type: ignore[assignment]
        meta: dict[str, Any] | None = None,
        items: list[tuple[str, bytes]] = (),  # type: ignore[assignment]
    ) -> None:
        """Write one chain of messages (and any processes it created, and the signed items
        its messages came from) atomically."""
        if self._db is None or not (messages or meta):
            return
        doc = {"processes": processes, "messages": [_record_to_plain(m) for m in messages]}
        body = orjson.dumps(doc)
        db = self._db
        if not meta and not items:      # one statement is one transaction
            db.execute("INSERT INTO chains VALUES (?, ?)", (messages[0].seq, body))
            return
        db.execute("BEGIN")
        try:
            if messages:
                db.execute("INSERT INTO chains VALUES (?, ?)", (messages[0].seq, body))
                db.executemany("INSERT OR REPLACE INTO items VALUES (?, ?)", items)
            for key, value in (meta or {}).items():
                db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def item(self, item_id: str) -> bytes | None:
        """The signed item stored for a message id, or None."""
        if self._db is None:
            return None
        row = self._db.execute("SELECT raw FROM items WHERE id = ?", (item_id,)).fetchone()
        return None if row is None else bytes(row[0])

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
