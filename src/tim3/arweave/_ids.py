"""Arweave ids: the address of an owner key, and random ids for things nobody signs."""

from __future__ import annotations

import hashlib
import secrets

from tim3.arweave._b64 import b64url_encode


def address_of(owner: bytes) -> str:
    """Return the 43-char address of an owner key: b64url(SHA-256(modulus n, big-endian))."""
    if not isinstance(owner, bytes | bytearray | memoryview):
        raise TypeError(
            f"address_of expects the owner's modulus as bytes, got {type(owner).__name__}; "
            "decode a JWK 'n' with b64url_decode first"
        )
    return b64url_encode(hashlib.sha256(bytes(owner)).digest())


def random_id() -> str:
    """Return a random 43-char b64url id (32 random bytes) for things that are not signed."""
    return b64url_encode(secrets.token_bytes(32))
