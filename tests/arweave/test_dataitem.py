"""ANS-104 data items (ao-protocol.md §4.1, §4.4, §4.5)."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from tim3.arweave import (
    DataItem,
    Wallet,
    b64url_decode,
    b64url_encode,
    deep_hash,
    encode_tags,
    random_id,
)
from tim3.errors import DataItemError

TARGET = b64url_encode(bytes(range(32)))
ANCHOR = "00000000000000000000000000000007"  # aos's 32-digit reference
TAGS = [("Data-Protocol", "ao"), ("Type", "Message"), ("Action", "Transfer"), ("Type", "dup")]


def _private_key(wallet: Wallet) -> rsa.RSAPrivateKey:
    jwk = {
        k: int.from_bytes(b64url_decode(v), "big") for k, v in wallet.to_jwk().items() if k != "kty"
    }
    public = rsa.RSAPublicNumbers(jwk["e"], jwk["n"])
    numbers = rsa.RSAPrivateNumbers(
        jwk["p"], jwk["q"], jwk["d"], jwk["dp"], jwk["dq"], jwk["qi"], public
    )
    return numbers.private_key()


def _build(
    wallet: Wallet,
    *,
    tags: list[tuple[str, str]] | None = None,
    tag_bytes: bytes | None = None,
    tag_count: int | None = None,
    target: bytes | None = None,
    anchor: bytes | None = None,
    data: bytes = b"",
    salt_length: int | None = None,
) -> bytes:
    """Assemble and sign an item by hand, straight from the layout in §4.1."""
    tags = tags or []
    tag_bytes = encode_tags(tags) if tag_bytes is None else tag_bytes
    tag_count = len(tags) if tag_count is None else tag_count
    message = deep_hash(
        [b"dataitem", b"1", b"1", wallet.owner, target or b"", anchor or b"", tag_bytes, data]
    )
    if salt_length is None:
        signature = wallet.sign(message)
    else:
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=salt_length)
        signature = _private_key(wallet).sign(message, pss, hashes.SHA256())
    return b"".join(
        [
            (1).to_bytes(2, "little"),
            signature,
            wallet.owner,
            b"\x00" if target is None else b"\x01" + target,
            b"\x00" if anchor is None else b"\x01" + anchor,
            tag_count.to_bytes(8, "little"),
            len(tag_bytes).to_bytes(8, "little"),
            tag_bytes,
            data,
        ]
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({}, id="empty"),
        pytest.param({"data": b"\x00\xffbinary"}, id="binary-data"),
        pytest.param({"data": "héllo"}, id="text-data"),
        pytest.param({"tags": TAGS}, id="tags"),
        pytest.param({"target": TARGET}, id="target"),
        pytest.param({"anchor": ANCHOR}, id="anchor-str"),
        pytest.param({"anchor": bytes(range(32))}, id="anchor-bytes"),
        pytest.param(
            {"data": "1234", "tags": TAGS, "target": TARGET, "anchor": ANCHOR}, id="everything"
        ),
    ],
)
def test_create_encode_decode_verify_round_trip(alice: Wallet, kwargs: dict) -> None:
    item = DataItem.create(alice, **kwargs)

    decoded = DataItem.decode(item.raw)

    assert decoded == item
    assert decoded.verify()
    decoded.check()
    data = kwargs.get("data", b"")
    assert decoded.data == (data.encode() if isinstance(data, str) else data)
    assert decoded.tags == kwargs.get("tags", [])
    assert decoded.target == kwargs.get("target")
    anchor = kwargs.get("anchor")
    assert decoded.anchor == (anchor.encode() if isinstance(anchor, str) else anchor)
    assert decoded.owner == alice.owner
    assert decoded.owner_address == alice.address
    assert decoded.signature_type == 1


def test_create_writes_the_documented_layout(alice: Wallet) -> None:
    item = DataItem.create(alice, "data", tags=TAGS, target=TARGET, anchor=ANCHOR)
    raw = item.raw
    tag_bytes = encode_tags(TAGS)

    assert raw[0:2] == b"\x01\x00"
    assert raw[2:514] == item.signature
    assert raw[514:1026] == alice.owner
    assert raw[1026:1059] == b"\x01" + b64url_decode(TARGET)
    assert raw[1059:1092] == b"\x01" + ANCHOR.encode()
    assert raw[1092:1100] == len(TAGS).to_bytes(8, "little")
    assert raw[1100:1108] == len(tag_bytes).to_bytes(8, "little")
    assert raw[1108 : 1108 + len(tag_bytes)] == tag_bytes
    assert raw[1108 + len(tag_bytes) :] == b"data"


def test_item_without_tags_has_zero_counts_and_no_tag_bytes(alice: Wallet) -> None:
    raw = DataItem.create(alice, b"x").raw

    assert raw[1028:] == bytes(16) + b"x"


def test_signature_covers_the_deep_hash_of_section_4_4(alice: Wallet) -> None:
    item = DataItem.create(alice, "d", tags=TAGS, target=TARGET, anchor=ANCHOR)
    expected = deep_hash(
        [
            b"dataitem",
            b"1",
            b"1",
            alice.owner,
            b64url_decode(TARGET),
            ANCHOR.encode(),
            encode_tags(TAGS),
            b"d",
        ]
    )

    assert item.signed_message == expected


def test_id_is_b64url_of_sha256_of_the_signature(alice: Wallet) -> None:
    item = DataItem.create(alice, "x")

    assert item.id == b64url_encode(hashlib.sha256(item.signature).digest())
    assert len(item.id) == 43


def test_two_items_with_the_same_content_get_different_ids(alice: Wallet) -> None:
    assert DataItem.create(alice, "x").id != DataItem.create(alice, "x").id


def test_a_hand_built_item_decodes_to_the_same_fields(alice: Wallet) -> None:
    raw = _build(alice, tags=TAGS, target=bytes(32), anchor=b"a" * 32, data=b"payload")

    item = DataItem.decode(raw)

    assert item.verify()
    assert item.tags == TAGS
    assert item.target == "A" * 43
    assert item.anchor == b"a" * 32
    assert item.data == b"payload"


@pytest.mark.parametrize("salt_length", [0, 32, 478], ids=["salt-0", "salt-32", "salt-max"])
def test_verify_accepts_any_pss_salt_length(alice: Wallet, salt_length: int) -> None:
    raw = _build(alice, data=b"x", salt_length=salt_length)

    assert DataItem.decode(raw).verify()


def test_verify_accepts_avro_tags_written_in_several_blocks(alice: Wallet) -> None:
    tag_bytes = encode_tags([("a", "1")])[:-1] + encode_tags([("b", "2")])
    raw = _build(alice, tag_bytes=tag_bytes, tag_count=2)

    item = DataItem.decode(raw)

    assert item.tags == [("a", "1"), ("b", "2")]
    assert item.verify()


def test_decode_accepts_empty_tag_values(alice: Wallet) -> None:
    item = DataItem.decode(_build(alice, tags=[("Memo", "")]))

    assert item.tags == [("Memo", "")]
    item.check()


def _flip(raw: bytes, offset: int) -> bytes:
    return raw[:offset] + bytes([raw[offset] ^ 0x01]) + raw[offset + 1 :]


@pytest.mark.parametrize(
    "where",
    ["signature", "owner", "target", "anchor", "tags", "data"],
)
def test_a_flipped_byte_makes_verify_false(alice: Wallet, where: str) -> None:
    item = DataItem.create(alice, "payload", tags=TAGS, target=TARGET, anchor=ANCHOR)
    tags_at = 1108
    offset = {
        "signature": 100,
        "owner": 600,
        "target": 1030,
        "anchor": 1070,
        "tags": tags_at + 3,  # inside the first tag name, so the Avro block stays well formed
        "data": len(item.raw) - 1,
    }[where]

    tampered = DataItem.decode(_flip(item.raw, offset))

    assert not tampered.verify()
    with pytest.raises(DataItemError, match="signature does not verify"):
        tampered.check()


def test_an_item_signed_by_another_key_does_not_verify(alice: Wallet, bob: Wallet) -> None:
    item = DataItem.create(alice, "x")
    swapped = item.raw[:514] + bob.owner + item.raw[1026:]

    assert not DataItem.decode(swapped).verify()


def _boundaries() -> list:
    # (length to keep, field named in the error) for an item with target, anchor, tags, data.
    tag_bytes = len(encode_tags(TAGS))
    return [
        pytest.param(0, "signature type", id="empty"),
        pytest.param(1, "signature type", id="half-signature-type"),
        pytest.param(2, "signature", id="no-signature"),
        pytest.param(513, "signature", id="short-signature"),
        pytest.param(514, "owner", id="no-owner"),
        pytest.param(1025, "owner", id="short-owner"),
        pytest.param(1026, "target presence byte", id="no-target-flag"),
        pytest.param(1027, "target", id="no-target"),
        pytest.param(1058, "target", id="short-target"),
        pytest.param(1059, "anchor presence byte", id="no-anchor-flag"),
        pytest.param(1060, "anchor", id="no-anchor"),
        pytest.param(1091, "anchor", id="short-anchor"),
        pytest.param(1092, "tag count", id="no-tag-count"),
        pytest.param(1099, "tag count", id="short-tag-count"),
        pytest.param(1100, "tag byte count", id="no-tag-byte-count"),
        pytest.param(1107, "tag byte count", id="short-tag-byte-count"),
        pytest.param(1108, "tags", id="no-tags"),
        pytest.param(1108 + tag_bytes - 1, "tags", id="short-tags"),
    ]


@pytest.mark.parametrize(("keep", "field"), _boundaries())
def test_a_truncated_item_names_the_field_it_ends_in(alice: Wallet, keep: int, field: str) -> None:
    raw = DataItem.create(alice, "data", tags=TAGS, target=TARGET, anchor=ANCHOR).raw

    with pytest.raises(DataItemError, match=f"truncated in the {field}: ") as caught:
        DataItem.decode(raw[:keep])

    assert f"has only {keep} bytes" in str(caught.value)


def test_an_item_cut_right_after_its_tags_has_empty_data(alice: Wallet) -> None:
    raw = DataItem.create(alice, "data", tags=TAGS).raw

    item = DataItem.decode(raw[:-4])

    assert item.data == b""
    assert not item.verify()


@pytest.mark.parametrize(
    ("offset", "field"), [(1026, "target"), (1027, "anchor")], ids=["target", "anchor"]
)
def test_a_presence_byte_other_than_0_or_1_is_rejected(
    alice: Wallet, offset: int, field: str
) -> None:
    raw = bytearray(DataItem.create(alice, "x").raw)
    raw[offset] = 2

    with pytest.raises(DataItemError, match=f"has 2 as its {field} presence byte"):
        DataItem.decode(bytes(raw))


@pytest.mark.parametrize("header_count", [0, 1, 3], ids=["zero", "fewer", "more"])
def test_a_tag_count_that_disagrees_with_the_tags_is_rejected(
    alice: Wallet, header_count: int
) -> None:
    raw = _build(alice, tags=[("a", "1"), ("b", "2")], tag_count=header_count)

    with pytest.raises(DataItemError, match=f"header says {header_count} tags .* hold 2"):
        DataItem.decode(raw)


def test_tag_bytes_over_4096_are_rejected(alice: Wallet) -> None:
    big = [(f"n{i}", "v" * 100) for i in range(40)]
    raw = _build(alice, tags=big)

    with pytest.raises(DataItemError, match="declares 4.* tag bytes; at most 4096"):
        DataItem.decode(raw)


def test_malformed_avro_tags_are_rejected_saying_why(alice: Wallet) -> None:
    raw = _build(alice, tag_bytes=b"\x02\x02a", tag_count=1)

    with pytest.raises(DataItemError, match="tags are malformed: .*truncated"):
        DataItem.decode(raw)


@pytest.mark.parametrize(
    ("signature_type", "name"),
    [(2, "ed25519"), (3, "ethereum"), (99, "unknown")],
    ids=["ed25519", "ethereum", "unknown"],
)
def test_other_signature_types_are_not_supported(signature_type: int, name: str) -> None:
    raw = signature_type.to_bytes(2, "little") + bytes(200)

    with pytest.raises(DataItemError, match=f"signature type {signature_type} is not supported"):
        DataItem.decode(raw)


def test_check_rejects_more_than_128_tags(alice: Wallet) -> None:
    item = DataItem.decode(_build(alice, tags=[("a", "")] * 129))

    assert item.verify()
    with pytest.raises(DataItemError, match="129 tags; at most 128"):
        item.check()


def test_check_rejects_an_empty_tag_name(alice: Wallet) -> None:
    item = DataItem.decode(_build(alice, tags=[("", "v")]))

    with pytest.raises(DataItemError, match="tag 1 has an empty name"):
        item.check()


def test_check_rejects_a_tag_value_over_3072_bytes(alice: Wallet) -> None:
    item = DataItem.decode(_build(alice, tags=[("Big", "v" * 3073)]))

    with pytest.raises(DataItemError, match="3073-byte value; at most 3072"):
        item.check()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"tags": [("a", "")] * 129}, "129 tags; at most 128", id="129-tags"),
        pytest.param({"tags": [("", "v")]}, "tag 1 has an empty name", id="empty-name"),
        pytest.param({"tags": [("n" * 1025, "")]}, "is 1025 bytes; at most 1024", id="long-name"),
        pytest.param({"tags": [("v", "é" * 1537)]}, "3074-byte value", id="long-value"),
        pytest.param(
            {"tags": [(f"n{i}", "v" * 200) for i in range(25)]},
            "at most 4096 are allowed",
            id="tag-block-too-big",
        ),
        pytest.param({"target": "abc"}, "decodes to 2 bytes, not 32", id="short-target"),
        pytest.param({"target": "not an id!"}, "target 'not an id!' is not base64url", id="junk"),
        pytest.param({"anchor": "7"}, "anchor '7' is 1 bytes; it must be exactly 32", id="anchor"),
        pytest.param({"anchor": b"x" * 33}, "is 33 bytes", id="long-anchor"),
    ],
)
def test_create_rejects_invalid_items_with_the_reason(
    alice: Wallet, kwargs: dict, message: str
) -> None:
    with pytest.raises(DataItemError, match=message):
        DataItem.create(alice, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"data": 5}, "data must be bytes or str", id="int-data"),
        pytest.param({"tags": [("Quantity", 5)]}, "convert numbers with str", id="int-tag"),
        pytest.param({"target": b"x" * 32}, "target must be a b64url id", id="bytes-target"),
        pytest.param({"anchor": 7}, "anchor must be str, bytes or None", id="int-anchor"),
    ],
)
def test_create_rejects_wrong_argument_types(alice: Wallet, kwargs: dict, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        DataItem.create(alice, **kwargs)


def test_decode_rejects_text() -> None:
    with pytest.raises(TypeError, match="expects bytes, got str"):
        DataItem.decode("raw")  # type: ignore[arg-type]


def test_tag_returns_the_first_value_with_that_name(alice: Wallet) -> None:
    item = DataItem.create(alice, tags=TAGS)

    assert item.tag("Type") == "Message"
    assert item.tag("type") is None


def test_repr_names_id_owner_and_sizes(alice: Wallet) -> None:
    item = DataItem.create(alice, "abc", tags=TAGS, target=TARGET)

    assert repr(item) == (
        f"DataItem(id='{item.id}', owner='{alice.address}', target='{TARGET}', "
        "tags=4, data=3 bytes)"
    )


tag_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
_WALLET = Wallet.from_name("alice")


@settings(max_examples=40, deadline=None)
@given(
    tags=st.lists(st.tuples(tag_text.filter(bool), tag_text), max_size=12),
    data=st.binary(max_size=300),
    with_target=st.booleans(),
    anchor=st.none() | st.binary(min_size=32, max_size=32),
)
def test_random_items_round_trip_and_verify(
    tags: list[tuple[str, str]], data: bytes, with_target: bool, anchor: bytes | None
) -> None:
    target = random_id() if with_target else None

    item = DataItem.decode(
        DataItem.create(_WALLET, data, tags=tags, target=target, anchor=anchor).raw
    )

    assert (item.tags, item.data, item.target, item.anchor) == (tags, data, target, anchor)
    item.check()
