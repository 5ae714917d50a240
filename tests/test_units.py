"""Human amounts ⇄ base units, exactly."""

import pytest

from tim3.errors import ConfigError
from tim3.units import format_amount, parse_amount


@pytest.mark.parametrize(("text", "base"), [
    ("5", 5 * 10**12), ("5.25", 5_250_000_000_000), ("0.000000000001", 1), ("0", 0),
    ("123456789012345678901234567890", 123456789012345678901234567890 * 10**12),
], ids=["whole", "decimals", "one-base-unit", "zero", "huge"])
def test_parse_amount_is_exact(text, base):
    assert parse_amount(text, 12) == base
    assert parse_amount(format_amount(base, 12), 12) == base


@pytest.mark.parametrize("text", [
    "1,5", "1,000", "5.", ".5", "-1", "+1", "1e3", "05", "0.0000000000001", "abc", "", "5 5",
], ids=["comma-decimal", "comma-thousands", "trailing-dot", "leading-dot", "negative", "plus",
        "exponent", "leading-zero", "too-many-decimals", "letters", "empty", "space"])
def test_parse_amount_rejects_anything_ambiguous(text):
    with pytest.raises(ConfigError):
        parse_amount(text, 12)


def test_format_amount_trims_zeros():
    assert format_amount(5_250_000_000_000, 12) == "5.25"
    assert format_amount(7 * 10**12, 12) == "7"
