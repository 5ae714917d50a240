"""Avro tag encoding (ao-protocol.md §4.2)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tim3.arweave import decode_tags, encode_tags
from tim3.errors import DataItemError

VECTOR_TAGS = [("Hello", "Bundlr!"), ("This is a ", "Test")]
VECTOR_BYTES = bytes.fromhex(
    "04 0a 48 65 6c 6c 6f 0e 42 75 6e 64 6c 72 21"  # count 2, "Hello", "Bundlr!"
    " 14 54 68 69 73 20 69 73 20 61 20 08 54 65 73 74"  # "This is a ", "Test"
    " 00"  # end of array
)


def test_encode_tags_matches_the_arbundles_vector() -> None:
    assert encode_tags(VECTOR_TAGS) == VECTOR_BYTES


def test_decode_tags_reads_the_arbundles_vector() -> None:
    assert decode_tags(VECTOR_BYTES) == VECTOR_TAGS


def test_no_tags_encode_to_no_bytes_and_back() -> None:
    assert encode_tags([]) == b""
    assert decode_tags(b"") == []


def test_an_empty_array_block_decodes_to_no_tags() -> None:
    assert decode_tags(b"\x00") == []


def test_lengths_of_64_bytes_and_more_take_two_varint_bytes() -> None:
    name = "N" * 64  # zigzag(64) = 128 = 0x80 0x01

    raw = encode_tags([(name, "")])

    assert raw[:4] == b"\x02\x80\x01N"
    assert decode_tags(raw) == [(name, "")]


def test_decode_accepts_several_blocks() -> None:
    one = encode_tags([("a", "1")])[:-1]  # block without the terminating 0
    two = encode_tags([("b", "2")])

    assert decode_tags(one + two) == [("a", "1"), ("b", "2")]


def test_decode_accepts_a_negative_count_followed_by_a_byte_size() -> None:
    body = b"\x02a\x021" + b"\x02b\x022"  # two records, 8 bytes
    raw = b"\x03" + b"\x10" + body + b"\x00"  # zigzag(-2) = 3, zigzag(8) = 16

    assert decode_tags(raw) == [("a", "1"), ("b", "2")]


def test_duplicate_names_and_order_are_kept() -> None:
    tags = [("Type", "b"), ("Data-Protocol", "ao"), ("Type", "a")]

    assert decode_tags(encode_tags(tags)) == tags


def test_invalid_utf8_is_replaced_as_arbundles_does() -> None:
    raw = b"\x02\x02\xff\x04ok\x00"

    assert decode_tags(raw) == [("\ufffd", "ok")]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(b"\x02", "truncated in the length of the name of tag 1", id="no-name"),
        pytest.param(b"\x02\x0aHel", "truncated in the name of tag 1", id="short-name"),
        pytest.param(b"\x02\x02a", "truncated in the length of the value of tag 1", id="no-value"),
        pytest.param(b"\x02\x02a\x02b", "truncated in the block count", id="no-terminator"),
        pytest.param(b"\x02\x01", "negative length", id="negative-length"),
        pytest.param(b"\x03\x03", "negative byte size", id="negative-block-size"),
        pytest.param(b"\x80" * 11, "longer than 10 bytes", id="overlong-varint"),
        pytest.param(b"\x02\x02a\x02b\x00\x00", "1 more byte follow", id="trailing-bytes"),
    ],
)
def test_decode_rejects_malformed_blocks_saying_where(raw: bytes, message: str) -> None:
    with pytest.raises(DataItemError, match=message):
        decode_tags(raw)


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        pytest.param([("a",)], "must be a \\(name, value\\) pair", id="one-element"),
        pytest.param([("Quantity", 5)], "convert numbers with str", id="int-value"),
        pytest.param([(b"a", "b")], "pair of str", id="bytes-name"),
    ],
)
def test_encode_rejects_pairs_that_are_not_two_strings(tags: list, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        encode_tags(tags)


tag_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)


@given(st.lists(st.tuples(tag_text, tag_text), max_size=20))
def test_encode_then_decode_gives_the_tags_back(tags: list[tuple[str, str]]) -> None:
    assert decode_tags(encode_tags(tags)) == tags
