"""Benchmark runtime/lua/bint.lua on the work a token Transfer does; prints operations per second.

Run: .venv/bin/python bench/bint.py [--rounds 5] [--n 200000]

Each figure is the median of several rounds of a pure Lua loop (timed with os.clock, so it is
CPU time) over decimal strings like the ones in `Quantity` tags and `Balances`.
The brief's target: tostring(bint(a) + bint(b)) on ~20-digit strings at >= 100,000 per second.
"""

from __future__ import annotations

import argparse
import random
import statistics
from pathlib import Path
from typing import Any

from lupa import lua53

BINT_LUA = Path(__file__).resolve().parents[1] / "src" / "tim3" / "runtime" / "lua" / "bint.lua"

CASES = {
    "tostring(bint(a) + bint(b)), 20 digits": """
        for i = 1, n do local s = tostring(bint(A[i % m + 1]) + bint(B[i % m + 1])) end
    """,
    "transfer (compare, subtract, add), 1-30 digits": """
        for i = 1, n do
          local q, from, to = Q[i % m + 1], A[i % m + 1], B[i % m + 1]
          if bint(q) <= bint(from) then
            local f = tostring(bint(from) - bint(q))
            local t = tostring(bint(to) + bint(q))
          end
        end
    """,
    "bint(s), 20 digits": """
        for i = 1, n do local x = bint(A[i % m + 1]) end
    """,
    "x + y": """
        local x, y = bint(A[1]), bint(B[1])
        for i = 1, n do local z = x + y end
    """,
    "tostring(x), 20 digits": """
        local x = bint(A[1])
        for i = 1, n do local s = tostring(x) end
    """,
    "x < y": """
        local x, y = bint(A[1]), bint(B[1])
        for i = 1, n do local z = x < y end
    """,
    "x * y // z, 20 digits": """
        local x, y, z = bint(A[1]), bint(B[1]), bint('10000')
        for i = 1, n do local w = x * y // z end
    """,
}


def digits(rng: random.Random, low: int, high: int) -> str:
    """A random decimal string with between low and high digits and no leading zero."""
    size = rng.randint(low, high)
    return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(size - 1))


def measure(lua: Any, bint: Any, body: str, n: int, tables: dict[str, Any]) -> float:
    """Run one case once; return operations per second."""
    fn = lua.eval(
        "function(bint, n, A, B, Q)\n"
        "  local tostring, m = tostring, #A\n"
        "  local t0 = os.clock()\n"
        f"  {body}\n"
        "  return n / (os.clock() - t0)\n"
        "end"
    )
    return float(fn(bint, n, tables["A"], tables["B"], tables["Q"]))


def main() -> None:
    """Print the median operations per second of each case."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds per case (median shown)")
    parser.add_argument("--n", type=int, default=200_000, help="operations per round")
    args = parser.parse_args()

    lua = lua53.LuaRuntime(register_eval=False, register_builtins=False)
    bint = lua.execute(BINT_LUA.read_text())(256)
    rng = random.Random(42)
    twenty = [digits(rng, 20, 20) for _ in range(1000)]
    tables = {
        "A": lua.table_from(twenty),
        "B": lua.table_from([digits(rng, 20, 20) for _ in range(1000)]),
        "Q": lua.table_from([digits(rng, 1, 30) for _ in range(1000)]),
    }
    mixed = {
        "A": lua.table_from([digits(rng, 1, 30) for _ in range(1000)]),
        "B": lua.table_from([digits(rng, 1, 30) for _ in range(1000)]),
        "Q": tables["Q"],
    }

    print(f"bint.lua, Lua 5.3 via lupa, {args.rounds} rounds x {args.n:,} ops (median)")
    for name, body in CASES.items():
        data = mixed if "1-30" in name else tables
        rates = [measure(lua, bint, body, args.n, data) for _ in range(args.rounds)]
        print(f"  {name:<50} {statistics.median(rates):>12,.0f} ops/s")


if __name__ == "__main__":
    main()
