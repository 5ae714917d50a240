"""ANS-104 tags as Avro: an array of records {name: bytes, value: bytes}.

Longs are ZigZag-encoded and then written as a VInt (7 bits a byte, least significant first,
high bit set on every byte but the last). An array is a series of blocks, each a count followed by
that many items, ended by a zero count; a negative count means "-count items, preceded by the
block's size in bytes". arbundles writes one positive block, and so does `encode_tags`.
"""

from __future__ import annotations

from collections.abc import Iterable

from tim3.errors import DataItemError

Tag = tuple[str, str]

# A long is 64 bits: ten 7-bit groups are enough, an eleventh byte means the input is garbage.
_MAX_VARINT_BYTES = 10


def encode_tags(tags: Iterable[Tag]) -> bytes:
    """Serialize (name, value) pairs as one Avro block; no tags gives b"" as in a data item."""
    pairs = list(tags)
    if not pairs:
        return b""
    out = bytearray(_encode_long(len(pairs)))
    for index, pair in enumerate(pairs):
        name, value = _check_pair(index, pair)
        for field in (name.encode("utf-8"), value.encode("utf-8")):
            out += _encode_long(len(field))
            out += field
    out += _encode_long(0)
    return bytes(out)


def decode_tags(raw: bytes) -> list[Tag]:
    """Parse an Avro tag block back into (name, value) pairs; b"" means no tags.

    Raises DataItemError naming the byte offset where the block stops making sense. Bytes that are
    not UTF-8 are replaced by U+FFFD, as arbundles and Node do when they read tags.
    """
    data = bytes(raw)
    if not data:
        return []
    reader = _Reader(data)
    tags: list[Tag] = []
    while True:
        count = reader.long("block count")
        if count == 0:
            break
        if count < 0:
            count = -count
            size = reader.long("block size")
            if size < 0:
                raise DataItemError(
                    f"Avro tag block at byte {reader.last} has a negative byte size ({size}). "
                    "The tag bytes are corrupt; rebuild the item with encode_tags."
                )
        for _ in range(count):
            name = reader.blob(f"name of tag {len(tags) + 1}")
            value = reader.blob(f"value of tag {len(tags) + 1}")
            tags.append(
                (name.decode("utf-8", errors="replace"), value.decode("utf-8", errors="replace"))
            )
    if reader.pos != len(data):
        extra = len(data) - reader.pos
        raise DataItemError(
            f"Avro tag block ends at byte {reader.pos} but {extra} more byte"
            f"{'s' if extra != 1 else ''} follow (block is {len(data)} bytes). "
            "The tag byte count in the header is wrong."
        )
    return tags


def _check_pair(index: int, pair: object) -> Tag:
    if not isinstance(pair, tuple | list) or len(pair) != 2:
        raise TypeError(f"tag {index + 1} must be a (name, value) pair, got {pair!r}")
    name, value = pair
    if not isinstance(name, str) or not isinstance(value, str):
        raise TypeError(
            f"tag {index + 1} must be a pair of str, got ({type(name).__name__}, "
            f"{type(value).__name__}): {pair!r}; convert numbers with str()"
        )
    return name, value


def _encode_long(n: int) -> bytes:
    zigzag = (n << 1) ^ (n >> 63)
    out = bytearray()
    while zigzag > 0x7F:
        out.append((zigzag & 0x7F) | 0x80)
        zigzag >>= 7
    out.append(zigzag)
    return bytes(out)


class _Reader:
    """A cursor over Avro bytes that reports where it ran out."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.last = 0

    def long(self, what: str) -> int:
        self.last = self.pos
        shift = 0
        zigzag = 0
        for i in range(_MAX_VARINT_BYTES):
            if self.pos >= len(self.data):
                raise DataItemError(
                    f"Avro tag block is truncated in the {what} at byte {self.pos} "
                    f"(block is {len(self.data)} bytes). The tag byte count or the tags are wrong."
                )
            byte = self.data[self.pos]
            self.pos += 1
            zigzag |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return (zigzag >> 1) ^ -(zigzag & 1)
            if i == _MAX_VARINT_BYTES - 1:
                break
        raise DataItemError(
            f"Avro tag block has a {what} at byte {self.last} longer than "
            f"{_MAX_VARINT_BYTES} bytes. The tag bytes are corrupt."
        )

    def blob(self, what: str) -> bytes:
        length = self.long(f"length of the {what}")
        if length < 0:
            raise DataItemError(
                f"Avro tag block gives the {what} a negative length ({length}) at byte "
                f"{self.last}. The tag bytes are corrupt."
            )
        end = self.pos + length
        if end > len(self.data):
            raise DataItemError(
                f"Avro tag block is truncated in the {what}: it needs {length} bytes from byte "
                f"{self.pos} but the block is {len(self.data)} bytes."
            )
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk
