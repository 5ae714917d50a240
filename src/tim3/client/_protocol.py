"""The protocol tags a client adds to what it sends, the same for every network (§3.3)."""

from __future__ import annotations

from tim3.types import Tag, TagsLike, tag_list

__all__ = ["SDK", "dry_run_tags", "message_tags", "process_tags", "text"]

SDK = "tim3"
_VARIANT = "ao.TN.1"


def text(data: str | bytes) -> str:
    """Data as the devnet keeps it: UTF-8 text (undecodable bytes replaced, as the node does)."""
    return data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data


def _split(tags: TagsLike, strip: set[str]) -> tuple[list[Tag], str]:
    """The user's tags without the protocol names in `strip`, and the Variant they chose."""
    user = tag_list(tags)
    for name, value in user:
        if not isinstance(value, str):
            raise TypeError(f"Tag '{name}' must have a string value, got {value!r}: "
                            f"pass str({value!r}).")
    variant = next((v for n, v in user if n == "Variant"), _VARIANT)
    return [(n, v) for n, v in user if n not in strip | {"Variant"}], variant


def _with_data(tags: list[Tag], data: str | bytes) -> tuple[list[Tag], str | bytes]:
    # aoconnect never sends an empty item: empty data becomes " " marked as text.
    if len(data) == 0:
        return [*tags, ("Content-Type", "text/plain")], " "
    return tags, data


def message_tags(tags: TagsLike, data: str | bytes) -> tuple[list[Tag], str | bytes]:
    """A message's tags and data: the user's tags, SDK, then Data-Protocol, Variant, Type."""
    user, variant = _split(tags, {"Data-Protocol", "Type", "SDK"})
    user, data = _with_data(user, data)
    return [*user, ("SDK", SDK), ("Data-Protocol", "ao"), ("Variant", variant),
            ("Type", "Message")], data


def process_tags(tags: TagsLike, data: str | bytes, module: str,
                 scheduler: str) -> tuple[list[Tag], str | bytes]:
    """A spawn's tags and data: the user's tags, SDK, the protocol block, Module, Scheduler."""
    user, variant = _split(tags, {"Data-Protocol", "Type", "SDK", "Module", "Scheduler"})
    user, data = _with_data(user, data)
    return [*user, ("SDK", SDK), ("Data-Protocol", "ao"), ("Variant", variant),
            ("Type", "Process"), ("Module", module), ("Scheduler", scheduler)], data


def dry_run_tags(tags: TagsLike) -> list[Tag]:
    """A dry-run's tags: the user's, then Data-Protocol, Type and Variant (as aoconnect)."""
    user, variant = _split(tags, {"Data-Protocol", "Type"})
    return [*user, ("Data-Protocol", "ao"), ("Type", "Message"), ("Variant", variant)]
