"""Deep-hash vectors from ao-protocol.md §4.3 (arbundles src/__tests__/deepHash.spec.ts)."""

from __future__ import annotations

import hashlib

import pytest

from tim3.arweave import deep_hash


@pytest.mark.parametrize(
    ("value", "prefix", "suffix"),
    [
        pytest.param(bytes([1, 2, 3]), "41300af7", "faea9ae8", id="blob-1-2-3"),
        pytest.param(b"", "fbf00cc4", "3c2e4a38", id="empty-blob"),
        pytest.param([bytes([1, 2, 3]), bytes([4, 5, 6])], "4dacdcc8", "717c9896", id="list"),
    ],
)
def test_deep_hash_matches_the_arbundles_vectors(value: bytes, prefix: str, suffix: str) -> None:
    digest = deep_hash(value).hex()

    assert len(digest) == 96
    assert digest.startswith(prefix)
    assert digest.endswith(suffix)


def test_deep_hash_of_a_blob_follows_the_definition() -> None:
    blob = b"hello"
    sha = hashlib.sha384

    expected = sha(sha(b"blob5").digest() + sha(blob).digest()).digest()

    assert deep_hash(blob) == expected


def test_deep_hash_of_nested_lists_folds_each_element() -> None:
    sha = hashlib.sha384
    inner = [b"a", b"bc"]

    acc = sha(b"list2").digest()
    acc = sha(acc + deep_hash(b"x")).digest()
    acc = sha(acc + deep_hash(inner)).digest()

    assert deep_hash([b"x", inner]) == acc


def test_deep_hash_accepts_bytearray_memoryview_and_tuples() -> None:
    assert deep_hash((bytearray(b"ab"), memoryview(b"cd"))) == deep_hash([b"ab", b"cd"])


def test_deep_hash_of_an_empty_list_differs_from_an_empty_blob() -> None:
    assert deep_hash([]) != deep_hash(b"")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param("text", "encode the text first", id="str"),
        pytest.param([b"ok", 3], "got int", id="int-in-list"),
    ],
)
def test_deep_hash_rejects_values_that_are_not_bytes(value: object, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        deep_hash(value)  # type: ignore[arg-type]
