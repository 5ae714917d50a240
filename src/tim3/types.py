"""Shared type aliases (as starlette/types.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

ProcessId = str
MessageId = str
Address = str
Tag = tuple[str, str]
TagsLike = Mapping[str, str] | Sequence[Tag] | None


def first_tag(tags: Sequence[Tag], name: str, default: str | None = None) -> str | None:
    """The value of the first tag called `name` (aos's `msg.Tags[name]`: first one wins)."""
    for n, v in tags:
        if n == name:
            return v
    return default


def tag_list(tags: TagsLike) -> list[Tag]:
    """Turn a mapping or a sequence of (name, value) pairs into a list of pairs."""
    if tags is None:
        return []
    if isinstance(tags, Mapping):
        return [(str(k), v) for k, v in tags.items()]
    return [(str(k), v) for k, v in tags]
