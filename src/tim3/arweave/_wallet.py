"""Arweave wallets: 4096-bit RSA keys kept as JWK, signing with RSA-PSS over SHA-256."""

from __future__ import annotations

import functools
import json
import math
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tim3.arweave._b64 import b64url_decode, b64url_encode
from tim3.arweave._devkey import dev_private_key
from tim3.arweave._ids import address_of
from tim3.errors import WalletError

KEY_BITS = 4096
PUBLIC_EXPONENT = 65537
OWNER_LENGTH = KEY_BITS // 8

_PSS_SIGN = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH)
_JWK_PRIVATE_FIELDS = ("n", "e", "d", "p", "q")


class Wallet:
    """An Arweave wallet: an RSA-4096 private key with e = 65537, its owner bytes and address."""

    __slots__ = ("_key", "_owner", "_address")

    def __init__(self, key: rsa.RSAPrivateKey) -> None:
        numbers = key.private_numbers().public_numbers
        if key.key_size != KEY_BITS or numbers.e != PUBLIC_EXPONENT:
            raise WalletError(
                f"An Arweave wallet needs a {KEY_BITS}-bit RSA key with e = {PUBLIC_EXPONENT}, "
                f"got {key.key_size} bits with e = {numbers.e}. Create one with Wallet.generate()."
            )
        self._key = key
        self._owner = numbers.n.to_bytes(OWNER_LENGTH, "big")
        self._address = address_of(self._owner)

    @classmethod
    def generate(cls) -> Wallet:
        """Create a wallet with a new random 4096-bit RSA key (takes a second or so)."""
        return cls(rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=KEY_BITS))

    @classmethod
    def from_name(cls, name: str) -> Wallet:
        """Return the dev wallet derived from `name`: the same real RSA-4096 key on every machine.

        These keys are public knowledge — anyone who knows the name can sign as this wallet — so
        use them only on a local devnet and never let them hold anything of value.

        The derivation is spelled out in `tim3.arweave._devkey`: two 2048-bit primes, each the
        first prime at or above a SHA-256 counter-mode stream seeded with
        b"tim3-dev-wallet:v1:" + name. A new name costs about a second of prime search (common
        names are memoized in `dev_wallets.json`); every result is cached for the process.
        """
        if not isinstance(name, str):
            raise TypeError(f"Wallet.from_name expects a str name, got {type(name).__name__}")
        if not name:
            raise WalletError("A dev wallet name must not be empty. Pass a name such as 'alice'.")
        return _dev_wallet(name)

    @classmethod
    def from_jwk(cls, jwk: dict[str, Any]) -> Wallet:
        """Build a wallet from an Arweave JWK dict ({kty: "RSA", e, n, d, p, q, dp, dq, qi})."""
        if not isinstance(jwk, dict):
            raise WalletError(
                f"A JWK must be a JSON object, got {type(jwk).__name__}. "
                "Pass the parsed contents of an Arweave key file."
            )
        if jwk.get("kty") != "RSA":
            raise WalletError(
                f"JWK has kty {jwk.get('kty')!r}, but an Arweave wallet is an RSA key (kty 'RSA')."
            )
        missing = [field for field in _JWK_PRIVATE_FIELDS if field not in jwk]
        if missing:
            raise WalletError(
                f"JWK lacks {', '.join(repr(m) for m in missing)}; a wallet needs the private key "
                f"fields {', '.join(_JWK_PRIVATE_FIELDS)}. Is this a public key only?"
            )
        n, e, d, p, q = (_jwk_int(jwk, field) for field in _JWK_PRIVATE_FIELDS)
        dp = _jwk_int(jwk, "dp") if "dp" in jwk else rsa.rsa_crt_dmp1(d, p)
        dq = _jwk_int(jwk, "dq") if "dq" in jwk else rsa.rsa_crt_dmq1(d, q)
        qi = _jwk_int(jwk, "qi") if "qi" in jwk else rsa.rsa_crt_iqmp(p, q)
        problem = _jwk_inconsistency(n, e, d, p, q, dp, dq, qi)
        if problem:
            raise WalletError(
                f"JWK is not a valid RSA private key: {problem}. The file is damaged."
            )
        numbers = rsa.RSAPrivateNumbers(
            p=p, q=q, d=d, dmp1=dp, dmq1=dq, iqmp=qi, public_numbers=rsa.RSAPublicNumbers(e=e, n=n)
        )
        # OpenSSL's own check re-tests p and q for primality (~0.5 s for RSA-4096); the
        # arithmetic checks above plus a signature self-test catch a damaged file in ~5 ms.
        try:
            key = numbers.private_key(unsafe_skip_rsa_key_validation=True)
            _self_test(key)
        except (ValueError, InvalidSignature) as exc:
            raise WalletError(
                f"JWK is not a valid RSA private key ({exc or 'signature self-test failed'}). "
                "The file is damaged."
            ) from exc
        return cls(key)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Wallet:
        """Read a wallet from a JWK JSON file, as written by `save` or by Arweave tools."""
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise WalletError(
                f"No wallet file at '{file}'. Create one with Wallet.generate().save(path)."
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise WalletError(f"Cannot read wallet file '{file}': {exc}") from exc
        try:
            jwk = json.loads(text)
        except json.JSONDecodeError as exc:
            raise WalletError(
                f"Wallet file '{file}' is not JSON ({exc.msg} at line {exc.lineno}, column "
                f"{exc.colno}). It should hold one Arweave JWK object."
            ) from exc
        try:
            return cls.from_jwk(jwk)
        except WalletError as exc:
            raise WalletError(f"Wallet file '{file}': {exc}") from exc

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the wallet as a JWK JSON file readable only by its owner (mode 0600)."""
        file = Path(path)
        data = json.dumps(self.to_jwk(), indent=2).encode("utf-8") + b"\n"
        try:
            fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        except OSError as exc:
            raise WalletError(f"Cannot write wallet file '{file}': {exc}") from exc
        try:
            os.fchmod(fd, 0o600)  # the mode passed to open is ignored if the file already exists
            os.write(fd, data)
        finally:
            os.close(fd)

    def to_jwk(self) -> dict[str, str]:
        """Return the key as an Arweave JWK dict with b64url fields (private: keep it secret)."""
        private = self._key.private_numbers()
        public = private.public_numbers
        return {
            "kty": "RSA",
            "e": _b64_int(public.e),
            "n": b64url_encode(self._owner),
            "d": _b64_int(private.d),
            "p": _b64_int(private.p),
            "q": _b64_int(private.q),
            "dp": _b64_int(private.dmp1),
            "dq": _b64_int(private.dmq1),
            "qi": _b64_int(private.iqmp),
        }

    @property
    def address(self) -> str:
        """The 43-char wallet address, b64url(SHA-256(owner))."""
        return self._address

    @property
    def owner(self) -> bytes:
        """The RSA modulus n as 512 big-endian bytes, the `owner` field of a data item."""
        return self._owner

    def sign(self, message: bytes) -> bytes:
        """Sign with RSA-PSS (SHA-256, MGF1-SHA-256, maximum salt length, as Node signs)."""
        return self._key.sign(bytes(message), _PSS_SIGN, hashes.SHA256())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Wallet):
            return NotImplemented
        return self._owner == other._owner

    def __hash__(self) -> int:
        return hash(self._owner)

    def __repr__(self) -> str:
        return f"Wallet(address='{self._address}')"


@functools.cache
def _dev_wallet(name: str) -> Wallet:
    return Wallet(dev_private_key(name))


def _jwk_inconsistency(n: int, e: int, d: int, p: int, q: int, dp: int, dq: int, qi: int) -> str:
    """Return what is arithmetically wrong with an RSA private key, or "" if nothing is."""
    if p * q != n:
        return "p * q is not n"
    if p < 3 or q < 3 or p == q:
        return "p and q must be two distinct primes"
    if (e * d) % math.lcm(p - 1, q - 1) != 1:
        return "d is not the inverse of e"
    if dp != d % (p - 1) or dq != d % (q - 1) or (qi * q) % p != 1:
        return "the CRT fields dp, dq, qi do not match p, q and d"
    return ""


def _self_test(key: rsa.RSAPrivateKey) -> None:
    message = b"tim3 wallet self-test"
    key.public_key().verify(
        key.sign(message, _PSS_SIGN, hashes.SHA256()), message, _PSS_SIGN, hashes.SHA256()
    )


def _jwk_int(jwk: dict[str, Any], field: str) -> int:
    value = jwk[field]
    if not isinstance(value, str):
        raise WalletError(
            f"JWK field '{field}' must be a base64url string, got {type(value).__name__}."
        )
    try:
        raw = b64url_decode(value)
    except ValueError as exc:
        raise WalletError(f"JWK field '{field}': {exc}") from exc
    if not raw:
        raise WalletError(f"JWK field '{field}' is empty; the key file is damaged.")
    return int.from_bytes(raw, "big")


def _b64_int(value: int) -> str:
    return b64url_encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))
