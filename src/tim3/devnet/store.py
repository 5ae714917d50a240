"""Durable storage for the devnet: a SQLite file in WAL mode, or nothing (in memory).

The devnet keeps its working set in memory; the store is its log. Each user message and
everything it caused are written in one transaction once the chain is done, so a crash
loses at most the chain being evaluated, never a stored message.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tim3.devnet.message import Message
from tim3.errors import DevnetError
from tim3.runtime.vm import Evaluation, OutMessage, OutSpawn

__all__ = ["Store"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS processes (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, options TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL, kind TEXT NOT NULL, process TEXT NOT NULL,
    owner TEXT NOT NULL, from_ TEXT NOT NULL, target TEXT NOT NULL, data TEXT NOT NULL,
    tags TEXT NOT NULL, timestamp INTEGER NOT NULL, block_height INTEGER NOT NULL,
    slot INTEGER, anchor TEXT NOT NULL, parent INTEGER, root TEXT, result TEXT,
    reason TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS messages_id ON messages (id);
"""


def _result_to_json(r: Evaluation | None) -> str | None:
    if r is None:
        return None
    if r.error is not None:
        return json.dumps({"error": r.error})
    return json.dumps({
        "output": r.output,
        "prompt": r.prompt,
        "messages": [[m.target, m.anchor, m.data, m.tags, m.problem] for m in r.messages],
        "spawns": [[s.anchor, s.data, s.tags] for s in r.spawns],
        "assignments": [[m, ps] for m, ps in r.assignments],
    })


def _result_from_json(text: str | None) -> Evaluation | None:
    if text is None:
        return None
    d = json.loads(text)
    if "error" in d:
        return Evaluation(error=d["error"])
    return Evaluation(
        None,
        d["output"],
        d["prompt"],
        [OutMessage(t, a, data, [tuple(x) for x in tags], p)
         for t, a, data, tags, p in d["messages"]],
        [OutSpawn(a, data, [tuple(x) for x in tags]) for a, data, tags in d["spawns"]],
        [(m, list(ps)) for m, ps in d["assignments"]],
    )


class Store:
    """The devnet's log. `Store(None)` keeps nothing; `Store(path)` writes SQLite (WAL)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self._db: sqlite3.Connection | None = None
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
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

    def processes(self) -> list[tuple[str, str, dict[str, Any]]]:
        if self._db is None:
            return []
        rows = self._db.execute("SELECT id, owner, options FROM processes ORDER BY seq")
        return [(pid, owner, json.loads(options)) for pid, owner, options in rows]

    def messages(self) -> Iterator[Message]:
        if self._db is None:
            return
        rows = self._db.execute(
            "SELECT seq, id, kind, process, owner, from_, target, data, tags, timestamp, "
            "block_height, slot, anchor, parent, root, result, reason FROM messages ORDER BY seq")
        for row in rows:
            (seq, mid, kind, process, owner, from_, target, data, tags, ts, height, slot,
             anchor, parent, root, result, reason) = row
            yield Message(
                seq, mid, kind, process, owner, from_, target, data,
                [tuple(t) for t in json.loads(tags)], ts, height, slot, anchor, parent, root,
                _result_from_json(result), reason)

    def commit(
        self,
        messages: list[Message],
        processes: list[tuple[str, str, dict[str, Any], int]] = (),  # type: ignore[assignment]
        meta: dict[str, Any] | None = None,
    ) -> None:
        """Write one chain of messages (and any processes it created) atomically."""
        if self._db is None:
            return
        db = self._db
        db.execute("BEGIN")
        try:
            for pid, owner, options, seq in processes:
                db.execute("INSERT INTO processes VALUES (?, ?, ?, ?)",
                           (pid, owner, json.dumps(options), seq))
            db.executemany(
                "INSERT INTO messages VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(m.seq, m.id, m.kind, m.process, m.owner, m.from_, m.target, m.data,
                  json.dumps(m.tags), m.timestamp, m.block_height, m.slot, m.anchor, m.parent,
                  m.root, _result_to_json(m.result), m.reason) for m in messages])
            for key, value in (meta or {}).items():
                db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
