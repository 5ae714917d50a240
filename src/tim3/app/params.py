"""Reading and checking what the page sends: ids, query parameters, JSON and binary bodies."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request

from tim3.app.errors import BadInput, WrongMediaType

__all__ = ["MAX_ITEM_BYTES", "json_body", "query_int", "query_text", "raw_body", "require_id"]

ID = re.compile(r"^[A-Za-z0-9_-]{43}$")
SEARCH = re.compile(r"^[A-Za-z0-9_. -]{0,64}$")
MAX_JSON_BYTES = 64 * 1024
MAX_ITEM_BYTES = 1024 * 1024    # a swap or redeem item is a few kilobytes


def require_id(value: str | None, what: str) -> str:
    """A 43-character base64url id."""
    if not value:
        raise BadInput(f"The {what} is required.")
    if not ID.match(value):
        raise BadInput(f"'{value[:60]}' is not a {what}: expected 43 base64url characters.")
    return value


def query_text(request: Request, name: str) -> str:
    """A search text: letters, digits, '-', '_', '.', spaces; at most 64 characters."""
    value = request.query_params.get(name, "").strip()
    if not SEARCH.match(value):
        raise BadInput(f"'{name}' may hold only letters, digits, '-', '_', '.' and spaces "
                       f"(at most 64), got '{value[:40]}'.")
    return value


def query_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name, "")
    if raw == "":
        return default
    if not re.fullmatch(r"[0-9]{1,6}", raw) or not low <= int(raw) <= high:
        raise BadInput(f"'{name}' must be a whole number from {low} to {high}, got '{raw[:20]}'.")
    return int(raw)


async def raw_body(request: Request, limit: int) -> bytes:
    """The body, refused once it passes `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadInput(f"The body is larger than {limit:,} bytes, the most this gateway "
                           "accepts.")
        chunks.append(chunk)
    return b"".join(chunks)


async def json_body(request: Request, *fields: str) -> dict[str, str]:
    """A JSON object whose `fields` are all strings, sent as application/json.

    The content type matters: a page on another site can post a form (text/plain) to this
    server without asking, but not application/json, so no other site can make a dev wallet
    swap behind the user's back.
    """
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise WrongMediaType(f"Send the body as application/json, not '{kind[:60] or 'nothing'}'.")
    raw = await raw_body(request, MAX_JSON_BYTES)
    try:
        body: Any = json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"The body is not JSON: {exc}.") from exc
    if not isinstance(body, dict):
        raise BadInput(f"The body must be a JSON object with {', '.join(fields)}.")
    for name in fields:
        if not isinstance(body.get(name), str):
            raise BadInput(f"The body needs '{name}' as a string.")
    return {name: body[name] for name in fields}
