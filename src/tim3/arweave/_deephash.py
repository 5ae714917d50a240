"""Arweave's deep hash: SHA-384 over nested lists of byte strings, what a data item signs."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TypeAlias, cast

DeepHashable: TypeAlias = "bytes | bytearray | memoryview | Sequence[DeepHashable]"


def deep_hash(value: DeepHashable) -> bytes:
    """Return the 48-byte deep hash of a byte string or a (nested) list of byte strings.

    A blob hashes as SHA384(SHA384("blob" + ascii(len)) + SHA384(blob)); a list starts from
    SHA384("list" + ascii(len)) and folds in each element as acc = SHA384(acc + deep_hash(elem)).
    """
    if isinstance(value, bytes | bytearray | memoryview):
        blob = bytes(value)
        tag = _sha384(b"blob" + str(len(blob)).encode("ascii"))
        return _sha384(tag + _sha384(blob))
    if isinstance(value, str):
        raise TypeError("deep_hash takes bytes, not str; encode the text first (s.encode())")
    if not isinstance(value, Sequence):
        raise TypeError(f"deep_hash takes bytes or a list of them, got {type(value).__name__}")
    elements = cast("Sequence[DeepHashable]", value)
    acc = _sha384(b"list" + str(len(elements)).encode("ascii"))
    for element in elements:
        acc = _sha384(acc + deep_hash(element))
    return acc


def _sha384(data: bytes) -> bytes:
    return hashlib.sha384(data).digest()
