"""The JSON a compute unit answers, with readers: `Result`, `ResultMessage`, `Page` (§3.6).

Both are plain dicts (what `json.loads` gave, or what the local network built), so they
serialise as they came; the properties only read them.

    page = net.results(pid, limit=10)
    for result in page.results:
        for m in result.messages:
            print(m.target, m.tags.get("Action"), m.data)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tim3.types import Tag

__all__ = ["Page", "Result", "ResultMessage"]


@dataclass(frozen=True)
class ResultMessage:
    """One outbox message of a result: `Target`, `Anchor`, `Data` and `Tags`."""

    target: str
    anchor: str
    data: str
    tag_list: list[Tag]

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ResultMessage:
        tags = [(str(t.get("name", "")), str(t.get("value", ""))) for t in raw.get("Tags") or []]
        return cls(str(raw.get("Target") or ""), str(raw.get("Anchor") or ""),
                   str(raw.get("Data") or ""), tags)

    @property
    def tags(self) -> dict[str, str]:
        """The tags by name; for a name given twice, the first value wins (as aos reads them)."""
        out: dict[str, str] = {}
        for name, value in self.tag_list:
            out.setdefault(name, value)
        return out

    def tag(self, name: str, default: str | None = None) -> str | None:
        """The value of the first tag called `name`."""
        return self.tags.get(name, default)


class Result(dict[str, Any]):
    """A CU result: `{Output, Messages, Spawns, Assignments}`, or with `Error` if it failed."""

    @property
    def error(self) -> str | None:
        value = self.get("Error")
        return None if value in (None, "") else str(value)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def output(self) -> str:
        """What the process printed (`Output.data`, or `Output` when it is a bare string)."""
        out = self.get("Output")
        if isinstance(out, dict):
            return str(out.get("data") or "")
        return "" if out is None else str(out)

    @property
    def messages(self) -> list[ResultMessage]:
        return [ResultMessage.from_json(m) for m in self.get("Messages") or []]

    @property
    def spawns(self) -> list[ResultMessage]:
        return [ResultMessage.from_json(s) for s in self.get("Spawns") or []]

    @property
    def assignments(self) -> list[dict[str, Any]]:
        return list(self.get("Assignments") or [])

    def find(self, action: str) -> ResultMessage | None:
        """The first outbox message with this `Action` tag, or None."""
        return next((m for m in self.messages if m.tags.get("Action") == action), None)


class Page(dict[str, Any]):
    """A page of `/results`: `{pageInfo: {hasNextPage}, edges: [{cursor, node}]}`."""

    @property
    def has_next_page(self) -> bool:
        return bool((self.get("pageInfo") or {}).get("hasNextPage"))

    @property
    def edges(self) -> list[dict[str, Any]]:
        return list(self.get("edges") or [])

    @property
    def results(self) -> list[Result]:
        return [Result(edge.get("node") or {}) for edge in self.edges]

    @property
    def cursors(self) -> list[str]:
        return [str(edge.get("cursor")) for edge in self.edges]

    @property
    def last_cursor(self) -> str | None:
        """The cursor to pass as `from_` for the next page, or None on an empty page."""
        cursors = self.cursors
        return cursors[-1] if cursors else None
