"""Flow: the causal tree of a message — what it caused, and what that caused — for the terminal.

    tree = flow(session, message_id)
    print(tree.render(session.name))

On an in-process devnet this is the devnet's own trace. Over HTTP it is rebuilt from the
network: the message's result (its outbox), then, for each outbox message to a process, the
message the messenger pushed for it — found in the target's schedule at the scheduler (`su_url`)
by `Pushed-For` = the first message, `From-Process` = the sender and the outbox `Anchor` — and
its result, and so on. Without a scheduler URL only the first level can be shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from tim3.client import Result
from tim3.errors import ClientError, ConfigError
from tim3.ops.session import Session
from tim3.types import Tag

__all__ = ["FlowNode", "flow"]

MAX_NODES = 500


@dataclass
class FlowNode:
    """One message of a flow: where it went, from whom, and the messages it caused."""

    id: str | None
    process: str
    from_: str
    tags: list[Tag]
    kind: str = "message"            # message | wallet | dropped | unknown
    error: str | None = None
    note: str = ""
    children: list[FlowNode] = field(default_factory=list)

    def tag(self, name: str) -> str | None:
        return next((v for n, v in self.tags if n == name), None)

    @property
    def action(self) -> str | None:
        return self.tag("Action")

    def walk(self) -> Iterator[FlowNode]:
        """Every node, parents before children."""
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, action: str) -> list[FlowNode]:
        return [n for n in self.walk() if n.action == action]

    def render(self, name: Callable[[str], str] | None = None) -> str:
        """The tree as indented lines: `from → to  Action  Quantity=…  [notes]`."""
        label = name or (lambda a: a)
        lines: list[str] = []

        def visit(node: FlowNode, depth: int) -> None:
            parts = [f"{label(node.from_)} → {label(node.process)}",
                     node.action or "(no Action)"]
            for tag in ("Quantity", "Error", "X-Refund-Reason"):
                if node.tag(tag) is not None:
                    parts.append(f"{tag}={node.tag(tag)}")
            if node.kind == "wallet":
                parts.append("(to wallet)")
            if node.kind == "dropped":
                parts.append(f"DROPPED: {node.note}")
            elif node.note:
                parts.append(f"({node.note})")
            if node.error:
                parts.append("ERROR: " + node.error.strip().splitlines()[-1])
            lines.append("  " * depth + "  ".join(parts))
            for child in node.children:
                visit(child, depth + 1)

        visit(self, 0)
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "process": self.process, "from": self.from_,
                "action": self.action, "kind": self.kind, "error": self.error,
                "note": self.note, "tags": [{"name": n, "value": v} for n, v in self.tags],
                "children": [c.to_json() for c in self.children]}


def flow(session: Session, message_id: str, process: str | None = None) -> FlowNode:
    """The causal tree under `message_id` (sent to `process`, default: found among the
    environment's processes)."""
    devnet = session.devnet
    if devnet is not None:
        from tim3.errors import DevnetError

        try:
            return _from_trace(devnet.trace(message_id))
        except DevnetError as exc:
            raise ConfigError(f"No message '{message_id}' on the local devnet. Copy the id "
                              "that the command printed.") from exc
    return _HttpFlow(session).build(message_id, process)


def _from_trace(node: Any) -> FlowNode:
    m = node.message
    return FlowNode(m.id, m.process, m.from_, list(m.tags), kind=m.kind if m.kind in
                    ("wallet", "dropped") else "message", error=m.error, note=m.reason,
                    children=[_from_trace(c) for c in node.children])


class _HttpFlow:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.su = session.env.su_url
        self.schedules: dict[str, list[dict[str, Any]] | None] = {}
        self.count = 0
        self.since = 0

    def build(self, message_id: str, process: str | None) -> FlowNode:
        s = self.session
        candidates = [process] if process else list(dict.fromkeys(s.env.processes.values()))
        for pid in candidates:
            try:
                result = s.network.result(pid, message_id)
            except ClientError:
                continue
            s.progress(f"Found {message_id} on {s.name(pid)}; following its messages")
            record = self._scheduled(pid, message_id)
            tags = [(t["name"], t["value"]) for t in (record or {}).get("tags", [])]
            owner = ((record or {}).get("owner") or {}).get("address", "?")
            sender = next((v for n, v in tags if n == "From-Process"), owner)
            self.since = _timestamp(record) - 1 if record else 0
            root = FlowNode(message_id, pid, sender, tags, error=result.error)
            self._expand(root, result, message_id, 0)
            return root
        raise ConfigError(f"No process of '{s.env.name}' has a message '{message_id}'. Pass "
                          "--process with the id of the process it was sent to.")

    def _expand(self, node: FlowNode, result: Result, root: str, depth: int) -> None:
        for out in result.messages:
            self.count += 1
            child = FlowNode(None, out.target, node.process, list(out.tag_list))
            node.children.append(child)
            if self.count > MAX_NODES or depth > 50:
                child.note = "not followed: the flow is too large"
                continue
            schedule = self._schedule(out.target)
            if schedule is None:
                child.kind = "wallet" if self.su else "unknown"
                if not self.su:
                    child.note = "not followed: the environment has no su_url"
                continue
            pushed = next((e for e in schedule
                           if _tag(e, "Pushed-For") == root
                           and _tag(e, "From-Process") == node.process
                           and (e.get("anchor") or "") == (out.anchor or "")
                           and not any(c.id == e.get("id") for c in node.children)), None)
            if pushed is None:
                child.note = "not delivered yet"
                continue
            child.id = str(pushed["id"])
            child.tags = [(t["name"], t["value"]) for t in pushed.get("tags", [])]
            try:
                child_result = self.session.network.result(out.target, child.id)
            except ClientError as exc:
                child.note = f"result unavailable: {exc}"
                continue
            child.error = child_result.error
            self._expand(child, child_result, root, depth + 1)

    def _get(self, path: str, params: dict[str, str]) -> Any:
        with self.session.http() as http:
            answer = http.get(f"{self.su}/{path}", params=params)
        if answer.status_code in (400, 404):
            return None
        answer.raise_for_status()
        return answer.json()

    def _scheduled(self, pid: str, mid: str) -> dict[str, Any] | None:
        if not self.su:
            return None
        try:
            body = self._get(mid, {"process-id": pid})
        except (httpx.HTTPError, ValueError):
            return None
        if not body:
            return None
        message = dict(body.get("message") or {})
        message["_timestamp"] = _tag({"tags": (body.get("assignment") or {}).get("tags", [])},
                                     "Timestamp")
        return message

    def _schedule(self, pid: str) -> list[dict[str, Any]] | None:
        """Messages scheduled on `pid` since the flow began; None when `pid` is no process."""
        if not self.su:
            return None
        if pid not in self.schedules:
            entries: list[dict[str, Any]] = []
            cursor = str(self.since)
            try:
                while True:
                    page = self._get(pid, {"process-id": pid, "from": cursor, "limit": "1000"})
                    if page is None:
                        self.schedules[pid] = None
                        return None
                    edges = page.get("edges") or []
                    entries += [e["node"]["message"] for e in edges if e.get("node")]
                    if not (page.get("page_info") or {}).get("has_next_page") or not edges:
                        break
                    cursor = str(edges[-1]["cursor"])
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                raise ClientError(f"Could not read the schedule of '{pid}' from {self.su} "
                                  f"({exc}). Check su_url in the environment.") from exc
            self.schedules[pid] = entries
        return self.schedules[pid]


def _tag(entry: dict[str, Any], name: str) -> str | None:
    return next((t["value"] for t in entry.get("tags") or [] if t.get("name") == name), None)


def _timestamp(record: dict[str, Any]) -> int:
    value = record.get("_timestamp")
    return int(value) if isinstance(value, str) and value.isdigit() else 1
