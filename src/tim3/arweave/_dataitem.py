"""ANS-104 data items (signature type 1, Arweave RSA-4096): build, sign, parse and verify.

Layout (integers little-endian):

    signature type u16 | signature 512 | owner 512 | target flag 1 [+ 32] | anchor flag 1 [+ 32]
    | tag count u64 | tag byte count u64 | Avro tags | data (the rest)

The signature covers deep_hash(["dataitem", "1", "1", owner, target, anchor, tag bytes, data]),
as arbundles, aoconnect, the MU and the SU compute it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tim3.arweave._avro import Tag, decode_tags, encode_tags
from tim3.arweave._b64 import b64url_decode, b64url_encode
from tim3.arweave._deephash import deep_hash
from tim3.arweave._ids import address_of
from tim3.errors import DataItemError

if TYPE_CHECKING:
    from tim3.arweave._wallet import Wallet

SIGNATURE_TYPE_ARWEAVE = 1
SIGNATURE_LENGTH = 512
OWNER_LENGTH = 512
TARGET_LENGTH = 32
ANCHOR_LENGTH = 32
MAX_TAGS = 128
MAX_TAG_NAME_BYTES = 1024
MAX_TAG_VALUE_BYTES = 3072
MAX_TAG_BYTES = 4096

# Names of the other types in arbundles' SIG_CONFIG, only to say what an item was signed with.
_OTHER_SIGNATURE_TYPES = {
    2: "ed25519",
    3: "ethereum",
    4: "solana",
    5: "injectedAptos",
    6: "multiAptos",
    7: "typedEthereum",
}
_PSS_VERIFY = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)
_PUBLIC_EXPONENT = 65537


class DataItem:
    """A parsed ANS-104 data item; `raw` is exactly the bytes that were signed or received."""

    __slots__ = (
        "_raw",
        "_signature_type",
        "_signature",
        "_owner",
        "_target",
        "_anchor",
        "_tags",
        "_tag_bytes",
        "_data",
    )

    def __init__(
        self,
        *,
        raw: bytes,
        signature_type: int,
        signature: bytes,
        owner: bytes,
        target: bytes | None,
        anchor: bytes | None,
        tags: list[Tag],
        tag_bytes: bytes,
        data: bytes,
    ) -> None:
        """Hold already-parsed fields; use `DataItem.create` or `DataItem.decode` instead."""
        self._raw = raw
        self._signature_type = signature_type
        self._signature = signature
        self._owner = owner
        self._target = target
        self._anchor = anchor
        self._tags = tuple(tags)
        self._tag_bytes = tag_bytes
        self._data = data

    @classmethod
    def create(
        cls,
        wallet: Wallet,
        data: bytes | str = b"",
        tags: Iterable[Tag] = (),
        target: str | None = None,
        anchor: str | bytes | None = None,
    ) -> DataItem:
        """Build and sign a data item with `wallet`.

        Parameters:
            wallet: the signer; its owner key goes into the item.
            data: the payload; str is encoded as UTF-8.
            tags: (name, value) pairs in order; names must be non-empty, values may be empty.
            target: a 43-char b64url id (process or wallet), or None for no target.
            anchor: exactly 32 bytes (str is UTF-8 encoded, e.g. aos's 32-digit reference),
                or None for no anchor.
        """
        payload = _data_bytes(data)
        tag_list = list(tags)
        tag_bytes = encode_tags(tag_list)
        for problem in _tag_problems(tag_list, len(tag_bytes)):
            raise DataItemError(f"Cannot create data item: {problem}")
        target_raw = _target_bytes(target)
        anchor_raw = _anchor_bytes(anchor)
        owner = bytes(wallet.owner)
        if len(owner) != OWNER_LENGTH:
            raise DataItemError(
                f"Cannot create data item: the wallet's owner key is {len(owner)} bytes, not "
                f"{OWNER_LENGTH}. Signature type 1 needs an RSA-4096 wallet."
            )
        message = _signed_message(owner, target_raw, anchor_raw, tag_bytes, payload)
        signature = bytes(wallet.sign(message))
        raw = b"".join(
            (
                SIGNATURE_TYPE_ARWEAVE.to_bytes(2, "little"),
                signature,
                owner,
                _optional(target_raw),
                _optional(anchor_raw),
                len(tag_list).to_bytes(8, "little"),
                len(tag_bytes).to_bytes(8, "little"),
                tag_bytes,
                payload,
            )
        )
        return cls.decode(raw)

    @classmethod
    def decode(cls, raw: bytes) -> DataItem:
        """Parse the binary form; raise DataItemError naming the field that is wrong.

        This checks the structure (as arbundles does before it verifies), not the signature:
        call `verify()` or `check()` for that.
        """
        if not isinstance(raw, bytes | bytearray | memoryview):
            raise TypeError(f"DataItem.decode expects bytes, got {type(raw).__name__}")
        reader = _Reader(bytes(raw))
        signature_type = int.from_bytes(reader.take(2, "signature type"), "little")
        if signature_type != SIGNATURE_TYPE_ARWEAVE:
            known = _OTHER_SIGNATURE_TYPES.get(signature_type, "unknown")
            raise DataItemError(
                f"Data item signature type {signature_type} is not supported ({known}); "
                "tim3 reads only signature type 1 (Arweave RSA-4096)."
            )
        signature = reader.take(SIGNATURE_LENGTH, "signature")
        owner = reader.take(OWNER_LENGTH, "owner")
        target = reader.optional(TARGET_LENGTH, "target")
        anchor = reader.optional(ANCHOR_LENGTH, "anchor")
        tag_count = int.from_bytes(reader.take(8, "tag count"), "little")
        tag_byte_count = int.from_bytes(reader.take(8, "tag byte count"), "little")
        if tag_byte_count > MAX_TAG_BYTES:
            raise DataItemError(
                f"Data item declares {tag_byte_count} tag bytes; at most {MAX_TAG_BYTES} are "
                "allowed. Send fewer or shorter tags."
            )
        tag_bytes = reader.take(tag_byte_count, "tags")
        try:
            tags = decode_tags(tag_bytes)
        except DataItemError as exc:
            raise DataItemError(f"Data item tags are malformed: {exc}") from exc
        if len(tags) != tag_count:
            raise DataItemError(
                f"Data item header says {tag_count} tags but its {tag_byte_count} tag bytes hold "
                f"{len(tags)}. The item is corrupt; sign it again."
            )
        return cls(
            raw=reader.data,
            signature_type=signature_type,
            signature=signature,
            owner=owner,
            target=target,
            anchor=anchor,
            tags=tags,
            tag_bytes=tag_bytes,
            data=reader.rest(),
        )

    @property
    def raw(self) -> bytes:
        """The whole item in its binary form."""
        return self._raw

    @property
    def id(self) -> str:
        """The item id: b64url(SHA-256(signature)), 43 characters."""
        return b64url_encode(hashlib.sha256(self._signature).digest())

    @property
    def signature_type(self) -> int:
        """The signature type; always 1 (Arweave RSA-4096) for items tim3 can read."""
        return self._signature_type

    @property
    def signature(self) -> bytes:
        """The 512-byte RSA-PSS signature."""
        return self._signature

    @property
    def owner(self) -> bytes:
        """The signer's RSA modulus n, 512 bytes big-endian."""
        return self._owner

    @property
    def owner_address(self) -> str:
        """The signer's address, b64url(SHA-256(owner)); aos calls it `Owner`."""
        return address_of(self._owner)

    @property
    def target(self) -> str | None:
        """The target id as 43-char b64url, or None when the item has no target."""
        return None if self._target is None else b64url_encode(self._target)

    @property
    def anchor(self) -> bytes | None:
        """The raw 32-byte anchor, or None when the item has no anchor."""
        return self._anchor

    @property
    def tags(self) -> list[Tag]:
        """The tags as (name, value) pairs, in signed order, duplicates kept."""
        return list(self._tags)

    @property
    def data(self) -> bytes:
        """The payload."""
        return self._data

    @property
    def signed_message(self) -> bytes:
        """The 48-byte deep hash that the signature covers."""
        return _signed_message(self._owner, self._target, self._anchor, self._tag_bytes, self._data)

    def tag(self, name: str) -> str | None:
        """Return the value of the first tag called `name` (exact case), or None."""
        return next((value for tag_name, value in self._tags if tag_name == name), None)

    def verify(self) -> bool:
        """Return whether the signature verifies against the owner key (any PSS salt length)."""
        try:
            key = rsa.RSAPublicNumbers(
                _PUBLIC_EXPONENT, int.from_bytes(self._owner, "big")
            ).public_key()
            key.verify(self._signature, self.signed_message, _PSS_VERIFY, hashes.SHA256())
        except (InvalidSignature, ValueError):
            return False
        return True

    def check(self) -> None:
        """Raise DataItemError saying why the item is invalid: ANS-104 tag limits, signature."""
        for problem in _tag_problems(list(self._tags), len(self._tag_bytes)):
            raise DataItemError(f"Data item {self.id} is invalid: {problem}")
        if not self.verify():
            raise DataItemError(
                f"Data item {self.id} signature does not verify against its owner "
                f"{self.owner_address}. It was changed after signing or signed with another key."
            )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DataItem):
            return NotImplemented
        return self._raw == other._raw

    def __hash__(self) -> int:
        return hash(self._raw)

    def __repr__(self) -> str:
        return (
            f"DataItem(id='{self.id}', owner='{self.owner_address}', target={self.target!r}, "
            f"tags={len(self._tags)}, data={len(self._data)} bytes)"
        )


class _Reader:
    """A cursor over an item's bytes that names the field it ran out in."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, size: int, field: str) -> bytes:
        end = self.pos + size
        if end > len(self.data):
            raise DataItemError(
                f"Data item is truncated in the {field}: it needs bytes {self.pos} to {end} but "
                f"has only {len(self.data)} bytes. Send the whole item."
            )
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def optional(self, size: int, field: str) -> bytes | None:
        offset = self.pos
        flag = self.take(1, f"{field} presence byte")[0]
        if flag == 0:
            return None
        if flag != 1:
            raise DataItemError(
                f"Data item has {flag} as its {field} presence byte (offset {offset}); it must "
                f"be 0 (no {field}) or 1 ({size}-byte {field} follows). The item is corrupt."
            )
        return self.take(size, field)

    def rest(self) -> bytes:
        return self.data[self.pos :]


def _signed_message(
    owner: bytes, target: bytes | None, anchor: bytes | None, tag_bytes: bytes, data: bytes
) -> bytes:
    return deep_hash(
        [
            b"dataitem",
            b"1",
            str(SIGNATURE_TYPE_ARWEAVE).encode("ascii"),
            owner,
            target or b"",
            anchor or b"",
            tag_bytes,
            data,
        ]
    )


def _tag_problems(tags: list[Tag], tag_byte_count: int) -> Iterable[str]:
    """Yield what breaks the ANS-104 tag limits (empty values are allowed, as in arbundles)."""
    if len(tags) > MAX_TAGS:
        yield f"it has {len(tags)} tags; at most {MAX_TAGS} are allowed."
    for index, (name, value) in enumerate(tags, start=1):
        name_size, value_size = len(name.encode("utf-8")), len(value.encode("utf-8"))
        if not name:
            yield f"tag {index} has an empty name (value {_quote(value)}). Give every tag a name."
        if name_size > MAX_TAG_NAME_BYTES:
            yield (
                f"tag {index} name {_quote(name)} is {name_size} bytes; at most "
                f"{MAX_TAG_NAME_BYTES} are allowed."
            )
        if value_size > MAX_TAG_VALUE_BYTES:
            yield (
                f"tag {index} ({_quote(name)}) has a {value_size}-byte value; at most "
                f"{MAX_TAG_VALUE_BYTES} are allowed. Put large values in the data instead."
            )
    if tag_byte_count > MAX_TAG_BYTES:
        yield (
            f"the tags take {tag_byte_count} bytes encoded; at most {MAX_TAG_BYTES} are allowed. "
            "Send fewer or shorter tags, or move values into the data."
        )


def _data_bytes(data: bytes | str) -> bytes:
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    raise TypeError(f"data must be bytes or str, got {type(data).__name__}")


def _target_bytes(target: str | None) -> bytes | None:
    if target is None:
        return None
    if not isinstance(target, str):
        raise TypeError(f"target must be a b64url id (str) or None, got {type(target).__name__}")
    try:
        raw = b64url_decode(target)
    except ValueError as exc:
        raise DataItemError(f"Cannot create data item: target {exc}") from exc
    if len(raw) != TARGET_LENGTH:
        raise DataItemError(
            f"Cannot create data item: target '{target}' decodes to {len(raw)} bytes, not "
            f"{TARGET_LENGTH}. Pass a 43-character process or wallet id."
        )
    return raw


def _anchor_bytes(anchor: str | bytes | None) -> bytes | None:
    if anchor is None:
        return None
    if isinstance(anchor, str):
        raw = anchor.encode("utf-8")
    elif isinstance(anchor, bytes | bytearray | memoryview):
        raw = bytes(anchor)
    else:
        raise TypeError(f"anchor must be str, bytes or None, got {type(anchor).__name__}")
    if len(raw) != ANCHOR_LENGTH:
        raise DataItemError(
            f"Cannot create data item: anchor {anchor!r} is {len(raw)} bytes; it must be exactly "
            f"{ANCHOR_LENGTH} (aos uses 32 decimal digits, e.g. '{'7':0>32}')."
        )
    return raw


def _optional(field: bytes | None) -> bytes:
    return b"\x00" if field is None else b"\x01" + field


def _quote(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
