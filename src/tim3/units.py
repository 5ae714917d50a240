"""Human amounts ("5.25") ⇄ base units (int), exactly, with a token's denomination."""

from __future__ import annotations

import re

from tim3.errors import ConfigError

__all__ = ["format_amount", "parse_amount"]

_AMOUNT = re.compile(r"^(0|[1-9][0-9]*)(?:\.([0-9]+))?$")


def parse_amount(text: str, decimals: int) -> int:
    """'5.25' with 12 decimals → 5_250_000_000_000. No floats, no rounding."""
    m = _AMOUNT.match(text.strip() if isinstance(text, str) else "")
    if not m:
        raise ConfigError(
            f"'{text}' is not an amount. Write digits with an optional '.', like 5.25.")
    whole: str = m.group(1)
    frac: str = m.group(2) or ""
    if len(frac) > decimals:
        raise ConfigError(
            f"'{text}' has {len(frac)} decimals; this token has {decimals}. Round it yourself.")
    scale: int = 10**decimals
    return int(whole) * scale + int(frac.ljust(decimals, "0") or "0")


def format_amount(base_units: int, decimals: int) -> str:
    """5_250_000_000_000 with 12 decimals → '5.25'."""
    sign = "-" if base_units < 0 else ""
    whole, frac = divmod(abs(base_units), 10**decimals)
    if not frac:
        return f"{sign}{whole}"
    return f"{sign}{whole}." + str(frac).rjust(decimals, "0").rstrip("0")
