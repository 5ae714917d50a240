"""JSON shapes of the legacy AO protocol: results, cursors, SU message records (§1.7, §3.5–3.6)."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any

from tim3.arweave import DataItem, b64url_encode
from tim3.devnet import Message
from tim3.runtime import Evaluation

__all__ = ["decode_cursor", "decode_position", "encode_cursor", "result_json",
           "su_message_json", "tags_json"]


def tags_json(tags: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": n, "value": v} for n, v in tags]


def result_json(result: Evaluation | None) -> dict[str, Any]:
    """A CU result: {Output, Messages, Spawns, Assignments} or {Error, …empty}."""
    if result is None:
        return {"Output": "", "Messages": [], "Spawns": [], "Assignments": []}
    if result.error is not None:
        return {"Error": result.error, "Output": "", "Messages": [], "Spawns": [],
                "Assignments": []}
    return {
        "Output": {"data": result.output, "prompt": result.prompt, "print": True},
        "Messages": [{"Target": m.target, "Anchor": m.anchor, "Data": m.data,
                      "Tags": tags_json(m.tags)} for m in result.messages],
        "Spawns": [{"Anchor": s.anchor, "Data": s.data, "Tags": tags_json(s.tags)}
                   for s in result.spawns],
        "Assignments": [{"Processes": ps, "Message": m} for m, ps in result.assignments],
    }


def encode_cursor(message: Message, sort: str) -> str:
    """The CU's cursor: standard base64 of {timestamp, ordinate, cron, sort}."""
    raw = json.dumps({"timestamp": message.timestamp, "ordinate": str(message.slot),
                      "cron": None, "sort": sort}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def decode_cursor(text: str) -> int:
    """A cursor or a raw timestamp → the timestamp it stands for; ValueError otherwise."""
    if text.isdigit():
        return int(text)
    try:
        data = json.loads(base64.b64decode(text + "=" * (-len(text) % 4)).decode())
        return int(data["timestamp"])
    except Exception as exc:  # noqa: BLE001 - any malformed cursor is the caller's error
        raise ValueError(f"'{text}' is neither a cursor nor a timestamp") from exc


def decode_position(text: str, raw_ordinate: float) -> tuple[int, float]:
    """A cursor → (timestamp, ordinate); a raw timestamp → (timestamp, raw_ordinate).

    Results that share a millisecond differ by ordinate (the slot), so paging compares both.
    """
    if text.isdigit():
        return int(text), raw_ordinate
    try:
        data = json.loads(base64.b64decode(text + "=" * (-len(text) % 4)).decode())
        return int(data["timestamp"]), float(data["ordinate"])
    except Exception as exc:  # noqa: BLE001 - any malformed cursor is the caller's error
        raise ValueError(f"'{text}' is neither a cursor nor a timestamp") from exc


def _owner(address: str, item: DataItem | None) -> dict[str, str]:
    return {"address": address, "key": b64url_encode(item.owner) if item else ""}


def su_message_json(message: Message, item: DataItem | None, su_address: str) -> dict[str, Any]:
    """An SU `{message, assignment}` record for one scheduled message."""
    assignment_tags = [
        ("Process", message.process), ("Epoch", "0"), ("Nonce", str(message.slot)),
        ("Block-Height", str(message.block_height)), ("Timestamp", str(message.timestamp)),
        ("Data-Protocol", "ao"), ("Type", "Assignment"), ("Variant", "ao.TN.1"),
    ]
    if message.kind != "process":
        assignment_tags.append(("Message", message.id))
    return {
        "message": {
            "id": message.id,
            "owner": _owner(message.owner, item),
            "data": message.data,
            "tags": tags_json(message.tags),
            "signature": b64url_encode(item.signature) if item else "",
            "anchor": message.anchor or None,
            "target": message.target if message.kind != "process" else None,
        },
        "assignment": {
            "id": f"{message.process}:{message.slot}",
            "owner": {"address": su_address, "key": ""},
            "tags": tags_json(assignment_tags),
            "signature": "",
            "anchor": None,
            "target": "",
        },
    }
