from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tim3.arweave import Wallet, address_of, b64url_decode, b64url_encode
from tim3.errors import WalletError

# Pinned so that any change in the dev-wallet derivation is noticed: every devnet, test and doc
# that mentions these addresses would silently change with it.
PINNED_ADDRESSES = {
    "alice": "jfBP6noxOc-GVyz2EvWFfbUXMSPF-IIL1teiqDsjUMI",
    "bob": "RaVIZGhVDw39PmkF0xtrfpR0FWrxJazHJHB4JhNo-I8",
    "tim3-devnet-mu": "tKsw9cj40hOjyajtJNYZGAvNHWHgICvVIeKinthKrdM",
    "zed": "qFbbAe-GqGStufdDz33gZjV-1_D38IzRPkepKCOKpdM",  # not in the memo table: searched
}

PSS_AUTO = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)


def _verify(wallet: Wallet, message: bytes, signature: bytes) -> None:
    n = int.from_bytes(wallet.owner, "big")
    key = rsa.RSAPublicNumbers(65537, n).public_key()
    key.verify(signature, message, PSS_AUTO, hashes.SHA256())


@pytest.mark.parametrize("name", sorted(PINNED_ADDRESSES), ids=sorted(PINNED_ADDRESSES))
def test_from_name_gives_the_pinned_address(name: str) -> None:
    assert Wallet.from_name(name).address == PINNED_ADDRESSES[name]


def test_from_name_twice_gives_the_same_key(alice: Wallet) -> None:
    again = Wallet.from_name("alice")

    assert again.to_jwk() == alice.to_jwk()


def test_different_names_give_different_keys(alice: Wallet, bob: Wallet) -> None:
    assert alice.address != bob.address
    assert alice.owner != bob.owner


def test_from_name_key_is_rsa_4096_with_e_65537(alice: Wallet) -> None:
    jwk = alice.to_jwk()

    assert len(alice.owner) == 512
    assert alice.owner[0] & 0x80
    assert jwk["e"] == "AQAB"
    assert int.from_bytes(b64url_decode(jwk["p"]), "big").bit_length() == 2048
    assert int.from_bytes(b64url_decode(jwk["q"]), "big").bit_length() == 2048


def test_from_name_key_signs_and_the_signature_verifies(alice: Wallet) -> None:
    signature = alice.sign(b"message")

    assert len(signature) == 512
    _verify(alice, b"message", signature)


def test_sign_uses_the_maximum_pss_salt_length_like_node(alice: Wallet) -> None:
    signature = alice.sign(b"message")
    key = rsa.RSAPublicNumbers(65537, int.from_bytes(alice.owner, "big")).public_key()
    max_salt = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=478)

    key.verify(signature, b"message", max_salt, hashes.SHA256())


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        pytest.param("", WalletError, "must not be empty", id="empty"),
        pytest.param(b"alice", TypeError, "expects a str name", id="bytes"),
    ],
)
def test_from_name_rejects_names_that_are_not_text(name: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        Wallet.from_name(name)  # type: ignore[arg-type]


def test_address_is_address_of_owner(alice: Wallet) -> None:
    assert alice.address == address_of(alice.owner)


def test_generate_gives_a_new_4096_bit_key() -> None:
    wallet = Wallet.generate()

    assert len(wallet.owner) == 512
    assert wallet.to_jwk()["e"] == "AQAB"
    _verify(wallet, b"m", wallet.sign(b"m"))


def test_to_jwk_has_the_arweave_fields(alice: Wallet) -> None:
    jwk = alice.to_jwk()

    assert set(jwk) == {"kty", "e", "n", "d", "p", "q", "dp", "dq", "qi"}
    assert jwk["kty"] == "RSA"
    assert b64url_decode(jwk["n"]) == alice.owner


def test_from_jwk_of_to_jwk_is_the_same_wallet(alice: Wallet) -> None:
    again = Wallet.from_jwk(alice.to_jwk())

    assert again == alice
    assert again.address == alice.address
    _verify(alice, b"x", again.sign(b"x"))


def test_from_jwk_fills_in_missing_crt_fields(alice: Wallet) -> None:
    jwk = {k: v for k, v in alice.to_jwk().items() if k not in ("dp", "dq", "qi")}

    assert Wallet.from_jwk(jwk).to_jwk() == alice.to_jwk()


def test_save_then_load_gives_the_same_wallet(alice: Wallet, tmp_path: Path) -> None:
    path = tmp_path / "alice.json"

    alice.save(path)

    assert Wallet.load(path) == alice
    assert json.loads(path.read_text()) == alice.to_jwk()


def test_save_makes_the_file_readable_by_its_owner_only(alice: Wallet, tmp_path: Path) -> None:
    path = tmp_path / "alice.json"

    alice.save(path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_save_over_a_world_readable_file_makes_it_private(alice: Wallet, tmp_path: Path) -> None:
    path = tmp_path / "alice.json"
    path.write_text("old")
    path.chmod(0o644)

    alice.save(path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Wallet.load(path) == alice


def test_save_into_a_missing_folder_raises_wallet_error(alice: Wallet, tmp_path: Path) -> None:
    with pytest.raises(WalletError, match="Cannot write wallet file"):
        alice.save(tmp_path / "missing" / "alice.json")


def test_load_of_a_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(WalletError, match=r"No wallet file at .*Wallet.generate\(\).save"):
        Wallet.load(tmp_path / "nope.json")


def _jwk_without(wallet: Wallet, *fields: str) -> dict:
    return {k: v for k, v in wallet.to_jwk().items() if k not in fields}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("{not json", r"is not JSON \(Expecting property name", id="not-json"),
        pytest.param("", "is not JSON", id="empty-file"),
        pytest.param("[1, 2]", "must be a JSON object, got list", id="array"),
        pytest.param('{"kty": "EC"}', "has kty 'EC'", id="wrong-kty"),
        pytest.param(
            '{"kty": "RSA", "n": "AQAB", "e": "AQAB"}',
            "Is this a public key only",
            id="public-only",
        ),
    ],
)
def test_load_of_a_malformed_file_names_the_file_and_the_problem(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)

    with pytest.raises(WalletError, match=message) as caught:
        Wallet.load(path)

    assert str(path) in str(caught.value)


def test_load_of_a_file_with_a_corrupt_field_names_the_field(alice: Wallet, tmp_path: Path) -> None:
    jwk = alice.to_jwk() | {"d": "not+base64"}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(jwk))

    with pytest.raises(WalletError, match="JWK field 'd'.*not base64url"):
        Wallet.load(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"n": 12}, "field 'n' must be a base64url string, got int", id="n-not-str"),
        pytest.param({"p": ""}, "field 'p' is empty", id="empty-p"),
        pytest.param({"q": b64url_encode(b"\x07")}, "p \\* q is not n", id="wrong-q"),
        pytest.param({"dp": b64url_encode(b"\x05")}, "CRT fields dp, dq, qi", id="wrong-dp"),
    ],
)
def test_from_jwk_rejects_damaged_keys(alice: Wallet, change: dict, message: str) -> None:
    with pytest.raises(WalletError, match=message):
        Wallet.from_jwk(alice.to_jwk() | change)


def test_from_jwk_with_a_wrong_private_exponent_is_rejected(alice: Wallet) -> None:
    jwk = _jwk_without(alice, "dp", "dq", "qi") | {"d": b64url_encode(b"\x03")}

    with pytest.raises(WalletError, match="not a valid RSA private key: d is not the inverse"):
        Wallet.from_jwk(jwk)


def test_from_jwk_rejects_a_2048_bit_key() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = key.private_numbers()
    jwk = {
        "kty": "RSA",
        "e": "AQAB",
        "n": b64url_encode(numbers.public_numbers.n.to_bytes(256, "big")),
        "d": b64url_encode(numbers.d.to_bytes(256, "big")),
        "p": b64url_encode(numbers.p.to_bytes(128, "big")),
        "q": b64url_encode(numbers.q.to_bytes(128, "big")),
    }

    with pytest.raises(WalletError, match="needs a 4096-bit RSA key.*got 2048 bits"):
        Wallet.from_jwk(jwk)


def test_repr_shows_the_address_and_not_the_key(alice: Wallet) -> None:
    assert repr(alice) == f"Wallet(address='{alice.address}')"
