from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tim3.arweave import b64url_decode, b64url_encode


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        pytest.param(b"", "", id="empty"),
        pytest.param(b"\xfb", "-w", id="one-byte-uses-dash"),
        pytest.param(b"\xff\xff", "__8", id="two-bytes-uses-underscore"),
        pytest.param(b"abc", "YWJj", id="three-bytes-no-padding-needed"),
        pytest.param(bytes(32), "A" * 43, id="32-zero-bytes-is-43-chars"),
    ],
)
def test_encode_writes_url_alphabet_without_padding(raw: bytes, text: str) -> None:
    assert b64url_encode(raw) == text
    assert b64url_decode(text) == raw


def test_decode_accepts_padded_text() -> None:
    assert b64url_decode("-w==") == b"\xfb"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("ab+c", id="standard-plus"),
        pytest.param("ab/c", id="standard-slash"),
        pytest.param("ab c", id="space"),
        pytest.param("a=bc", id="padding-inside"),
        pytest.param("abcde", id="length-1-mod-4"),
    ],
)
def test_decode_rejects_text_that_is_not_base64url(text: str) -> None:
    with pytest.raises(ValueError, match="is not base64url text"):
        b64url_decode(text)


def test_decode_rejects_bytes_input() -> None:
    with pytest.raises(TypeError, match="expects str"):
        b64url_decode(b"abcd")  # type: ignore[arg-type]


@given(st.binary(max_size=200))
def test_encode_then_decode_gives_the_bytes_back(raw: bytes) -> None:
    text = b64url_encode(raw)

    assert b64url_decode(text) == raw
    assert text == base64.urlsafe_b64encode(raw).decode().rstrip("=")
