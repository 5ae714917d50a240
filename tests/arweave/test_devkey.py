"""The dev-wallet derivation behind Wallet.from_name (tim3.arweave._devkey)."""

from __future__ import annotations

import random

import gmpy2
import pytest

from tim3.arweave._devkey import PUBLIC_EXPONENT, _search, _start, _table, dev_primes, table_entry

# The names memoized in dev_wallets.json (the devnet's own wallets and the test fixtures).
MEMO_NAMES = ["alice", "bob", "carol", "dave", "deployer", "tim3-devnet-mu", "tim3-devnet-su"]


def _reference_search(start: int) -> int:
    """The definition, done the slow way: the next prime >= start not 1 mod 65537."""
    x = gmpy2.mpz(start)
    if not gmpy2.is_prime(x):
        x = gmpy2.next_prime(x)
    while x % PUBLIC_EXPONENT == 1:
        x = gmpy2.next_prime(x)
    return int(x)


@pytest.mark.parametrize("seed", range(8), ids=[f"seed-{i}" for i in range(8)])
def test_search_finds_the_same_prime_as_next_prime(seed: int) -> None:
    start = random.Random(seed).getrandbits(512) | (1 << 511) | 1

    assert _search(start) == _reference_search(start)


def test_search_skips_a_prime_that_is_1_mod_65537() -> None:
    k = 1 << 300
    while not gmpy2.is_prime(k * PUBLIC_EXPONENT + 1):
        k += 1
    unusable = k * PUBLIC_EXPONENT + 1

    found = _search(unusable)

    assert found > unusable
    assert found == _reference_search(unusable)


def test_search_returns_start_when_start_is_a_usable_prime() -> None:
    prime = int(gmpy2.next_prime(1 << 400))

    assert _search(prime) == prime


def test_start_is_a_2048_bit_odd_number_with_the_top_two_bits_set() -> None:
    start = _start("alice", b"p")

    assert start.bit_length() == 2048
    assert start >> 2046 == 0b11
    assert start & 1


def test_dev_primes_are_distinct_usable_2048_bit_primes() -> None:
    p, q = dev_primes("alice")

    assert p != q
    for prime in (p, q):
        assert prime.bit_length() == 2048
        assert gmpy2.is_prime(prime)
        assert prime % PUBLIC_EXPONENT != 1
    assert (p * q).bit_length() == 4096


def test_memo_table_lists_exactly_the_names_checked_below() -> None:
    assert sorted(_table()) == MEMO_NAMES


@pytest.mark.slow
@pytest.mark.parametrize("name", MEMO_NAMES, ids=MEMO_NAMES)
def test_memo_table_entry_equals_the_searched_primes(name: str) -> None:
    assert _table()[name] == table_entry(name)
