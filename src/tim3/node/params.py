"""Reading and checking request input: query parameters, bodies, ids."""

from __future__ import annotations

import re

from starlette.requests import Request

from tim3.node.errors import BadRequest, TooLarge

__all__ = ["ID", "read_body", "require_id", "query_int"]

ID = re.compile(r"^[A-Za-z0-9_-]{43}$")
MAX_ITEM_BYTES = 10 * 1024 * 1024       # the MU's limit
MAX_JSON_BYTES = 1024 * 1024            # the CU's dry-run limit


def require_id(value: str | None, what: str) -> str:
    if not value:
        raise BadRequest(f"The '{what}' parameter is required.")
    if not ID.match(value):
        raise BadRequest(f"'{value[:60]}' is not a valid {what}: expected 43 base64url characters.")
    return value


def query_int(request: Request, name: str, default: int | None, low: int, high: int) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"-?[0-9]{1,18}", raw):
        raise BadRequest(f"'{name}' must be a whole number, got '{raw[:40]}'.")
    value = int(raw)
    if not low <= value <= high:
        raise BadRequest(f"'{name}' must be between {low} and {high}, got {value}.")
    return value


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refusing (413) once it passes `limit` bytes, before reading it all."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"The body is {int(declared):,} bytes; this node accepts at most {limit:,}.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"The body is larger than {limit:,} bytes, the most this node accepts.")
        chunks.append(chunk)
    return b"".join(chunks)
