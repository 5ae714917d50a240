from __future__ import annotations

import base64
import hashlib

from tim3.arweave import address_of, b64url_decode, random_id


def test_address_of_is_b64url_sha256_of_the_owner() -> None:
    owner = bytes(range(256)) * 2
    digest = hashlib.sha256(owner).digest()

    address = address_of(owner)

    assert address == base64.urlsafe_b64encode(digest).decode().rstrip("=")
    assert len(address) == 43


def test_address_of_a_jwk_n_hashes_the_decoded_modulus(alice) -> None:
    n = alice.to_jwk()["n"]

    assert address_of(b64url_decode(n)) == alice.address


def test_random_id_is_43_chars_of_32_random_bytes() -> None:
    ids = {random_id() for _ in range(100)}

    assert len(ids) == 100
    assert all(len(i) == 43 and len(b64url_decode(i)) == 32 for i in ids)
