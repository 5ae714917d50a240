"""Base64url without padding, the text form of every Arweave id, key and signature."""

from __future__ import annotations

import base64
import binascii
import re

_ALPHABET = re.compile(r"[A-Za-z0-9_-]*={0,2}")


def b64url_encode(data: bytes) -> str:
    """Encode bytes as base64url without '=' padding (RFC 4648 §5, as Arweave writes it)."""
    return base64.urlsafe_b64encode(bytes(data)).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url text, with or without '=' padding; raise ValueError on anything else."""
    if not isinstance(text, str):
        raise TypeError(f"b64url_decode expects str, got {type(text).__name__}")
    if not _ALPHABET.fullmatch(text):
        raise ValueError(
            f"'{_shorten(text)}' is not base64url text. "
            "Use only A-Z, a-z, 0-9, '-' and '_' (standard base64 '+' and '/' are not accepted)."
        )
    body = text.rstrip("=")
    if len(body) % 4 == 1:
        raise ValueError(
            f"'{_shorten(text)}' is not base64url text: {len(body)} characters cannot encode "
            "whole bytes. Check that the value was not cut short."
        )
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except binascii.Error as exc:  # pragma: no cover - the checks above leave nothing to fail
        raise ValueError(f"'{_shorten(text)}' is not base64url text: {exc}") from exc


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
