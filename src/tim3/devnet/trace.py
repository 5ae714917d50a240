"""The causal trace: every message knows the message that caused it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from tim3.devnet.message import Kind, Message
from tim3.runtime.vm import Evaluation

__all__ = ["Receipt", "TraceNode"]


@dataclass
class TraceNode:
    """A message and the messages its evaluation sent, in the order they were delivered."""

    message: Message
    children: list[TraceNode] = field(default_factory=list)

    def walk(self) -> Iterator[Message]:
        """Every message of the tree, depth first, parents before children."""
        stack: list[TraceNode] = [self]
        while stack:
            node = stack.pop()
            yield node.message
            stack.extend(reversed(node.children))

    def render(self, names: dict[str, str] | None = None) -> str:
        """The tree as indented text: `From → To  Action  Quantity  [error]`."""
        names = names or {}
        lines: list[str] = []

        def label(addr: str) -> str:
            return names.get(addr, addr[:6] + "…" if len(addr) > 8 else addr)

        stack: list[tuple[TraceNode, int]] = [(self, 0)]
        while stack:
            node, depth = stack.pop()
            m = node.message
            parts = [f"{label(m.from_)} → {label(m.process)}", m.action or "(no Action)"]
            if m.tag("Quantity") is not None:
                parts.append(f"Quantity={m.tag('Quantity')}")
            if m.kind == Kind.WALLET:
                parts.append("(to wallet)")
            if m.kind == Kind.DROPPED:
                parts.append(f"DROPPED: {m.reason}")
            if m.error:
                parts.append("ERROR: " + m.error.strip().splitlines()[-1])
            if m.tag("Error") is not None:
                parts.append(f"Error={m.tag('Error')}")
            lines.append("  " * depth + "  ".join(parts))
            stack.extend((c, depth + 1) for c in reversed(node.children))
        return "\n".join(lines)


class Receipt:
    """What `Devnet.send` returns: the message, its result and everything it caused.

    The causal tree is built on first use: most callers only read the result.
    """

    def __init__(self, message: Message, tree: TraceNode | Callable[[], TraceNode],
                 limit_reached: bool = False) -> None:
        self.message = message
        self._tree = tree
        self.limit_reached = limit_reached

    @property
    def tree(self) -> TraceNode:
        if not isinstance(self._tree, TraceNode):
            self._tree = self._tree()
        return self._tree

    def __repr__(self) -> str:
        return f"Receipt(id={self.id!r}, ok={self.ok}, error={self.error!r})"

    @property
    def id(self) -> str:
        return self.message.id

    @property
    def result(self) -> Evaluation:
        assert self.message.result is not None, "the message was not evaluated"
        return self.message.result

    @property
    def ok(self) -> bool:
        return self.message.result is not None and self.message.result.ok

    @property
    def error(self) -> str | None:
        return self.message.error

    @property
    def messages(self) -> list[Message]:
        """Every message of the chain after the first, in causal order."""
        return list(self.tree.walk())[1:]

    def find(self, action: str | None = None, *, target: str | None = None,
             sender: str | None = None) -> list[Message]:
        """Messages of the chain with this Action / delivered to target / sent by sender."""
        return [
            m for m in self.messages
            if (action is None or m.action == action)
            and (target is None or m.process == target)
            and (sender is None or m.from_ == sender)
        ]

    def first(self, action: str, **kw: str) -> Message:
        """The first message with this Action; AssertionError with the chain if none."""
        found = self.find(action, **kw)
        assert found, f"no {action} in the chain:\n{self.tree.render()}"
        return found[0]
