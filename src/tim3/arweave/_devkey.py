"""Dev wallet keys derived from a name: the same RSA-4096 key on every machine.

Derivation, version 1 (change the domain string if you ever change a step):

1. seed = b"tim3-dev-wallet:v1:" + utf8(name).
2. For label in (b"p", b"q"): stream = SHA-256(seed + b"/" + label + c) for c = 0..7 as 4-byte
   big-endian counters, concatenated (256 bytes); start = that number with its top two bits and
   its low bit set (so p * q has exactly 4096 bits).
3. The prime is the smallest prime x >= start with x mod 65537 != 1 (so e = 65537 is invertible);
   q must also differ from p (if it did not, q is the next such prime above it).
4. d = 65537^-1 mod lcm(p - 1, q - 1); dp, dq, qi as usual.

Searching is the slow part (a 2048-bit prime takes about 70 Fermat tests on average, and the gap to
the next prime varies a lot), so `dev_wallets.json` memoizes the search result for common names as
(x - start) / 2 per prime. The table changes nothing in the derivation: a test recomputes every
entry. To add a name, paste the output of `table_entry(name)` into the table and the test.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from importlib import resources

import gmpy2
from cryptography.hazmat.primitives.asymmetric import rsa

DOMAIN = b"tim3-dev-wallet:v1:"
PUBLIC_EXPONENT = 65537
PRIME_BITS = 2048

_SIEVE_LIMIT = 1 << 17  # strikes ~91% of odd candidates before any expensive test
_WINDOW = 4096  # odd candidates per sieve pass, about 5.8 average prime gaps


def dev_private_key(name: str) -> rsa.RSAPrivateKey:
    """Return the RSA-4096 key derived from `name` (see the module docstring)."""
    p, q = dev_primes(name)
    e = PUBLIC_EXPONENT
    d = pow(e, -1, math.lcm(p - 1, q - 1))
    numbers = rsa.RSAPrivateNumbers(
        p=p,
        q=q,
        d=d,
        dmp1=rsa.rsa_crt_dmp1(d, p),
        dmq1=rsa.rsa_crt_dmq1(d, q),
        iqmp=rsa.rsa_crt_iqmp(p, q),
        public_numbers=rsa.RSAPublicNumbers(e=e, n=p * q),
    )
    # The primes come from a primality test and d from the definition, so OpenSSL's slow
    # consistency check (which re-tests both primes) adds nothing here.
    return numbers.private_key(unsafe_skip_rsa_key_validation=True)


def dev_primes(name: str, *, use_table: bool = True) -> tuple[int, int]:
    """Return (p, q) for `name`, from the memo table when it has the name, else by searching."""
    start_p, start_q = _start(name, b"p"), _start(name, b"q")
    memo = _table().get(name) if use_table else None
    if memo is not None:
        p, q = start_p + 2 * memo[0], start_q + 2 * memo[1]
        # A cheap guard against a hand-edited table; the test suite checks minimality.
        if _fermat(p) and _fermat(q):
            return p, q
    p = _search(start_p)
    q = _search(start_q)
    if q == p:  # cannot happen for distinct SHA-256 streams; kept so the definition is total
        q = _search(q + 2)
    return p, q


def table_entry(name: str) -> list[int]:
    """Return the memo entry [p offset, q offset] for `name`, computed by searching."""
    p, q = dev_primes(name, use_table=False)
    return [(p - _start(name, b"p")) // 2, (q - _start(name, b"q")) // 2]


def _start(name: str, label: bytes) -> int:
    seed = DOMAIN + name.encode("utf-8") + b"/" + label
    stream = b"".join(hashlib.sha256(seed + c.to_bytes(4, "big")).digest() for c in range(8))
    return int.from_bytes(stream, "big") | (0b11 << (PRIME_BITS - 2)) | 1


def _search(start: int) -> int:
    base = start | 1
    while True:
        sieve = _sieve(base)
        i = sieve.find(1)
        while i != -1:
            candidate = gmpy2.mpz(base + 2 * i)
            if _fermat(candidate) and gmpy2.is_prime(candidate, 25):
                return int(candidate)
            i = sieve.find(1, i + 1)
        base += 2 * _WINDOW


def _sieve(base: int) -> bytearray:
    """Mark which of base, base + 2, … are free of small factors and not 1 mod 65537."""
    sieve = bytearray(b"\x01") * _WINDOW
    for prime, half in _small_primes():
        # base + 2i ≡ 0 (mod prime)  ⇔  i ≡ -base / 2 (mod prime)
        first = (-(base % prime) * half) % prime
        if first < _WINDOW:
            sieve[first::prime] = bytes(len(range(first, _WINDOW, prime)))
    e = PUBLIC_EXPONENT
    first = ((1 - base % e) * ((e + 1) // 2)) % e  # base + 2i ≡ 1 (mod e)
    if first < _WINDOW:
        sieve[first::e] = bytes(len(range(first, _WINDOW, e)))
    return sieve


def _fermat(candidate: int) -> bool:
    n = gmpy2.mpz(candidate)
    return bool(n > 3 and n % 2 == 1 and gmpy2.powmod(2, n - 1, n) == 1)


@functools.cache
def _small_primes() -> list[tuple[int, int]]:
    """Odd primes below the sieve limit, each with its inverse of 2, i.e. (prime + 1) / 2."""
    flags = bytearray(b"\x01") * _SIEVE_LIMIT
    flags[0:2] = b"\x00\x00"
    for i in range(2, math.isqrt(_SIEVE_LIMIT - 1) + 1):
        if flags[i]:
            flags[i * i :: i] = bytes(len(range(i * i, _SIEVE_LIMIT, i)))
    return [(p, (p + 1) // 2) for p in range(3, _SIEVE_LIMIT) if flags[p]]


@functools.cache
def _table() -> dict[str, list[int]]:
    text = resources.files("tim3.arweave").joinpath("dev_wallets.json").read_text("utf-8")
    offsets: dict[str, list[int]] = json.loads(text)["offsets"]
    return offsets
