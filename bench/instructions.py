"""Machine instructions per token Transfer on the devnet, counted by valgrind's callgrind.

Wall-clock figures on a shared 2-core machine vary ±25 % from run to run; instruction counts
do not, so this is the figure to compare when changing the hot path. It runs bench/devnet.py
in memory twice under callgrind — with 0 and with N transfers, same setup — and divides the
difference by N. Needs valgrind (Debian: `apt-get install valgrind`); takes about a minute.

Run: .venv/bin/python bench/instructions.py [--transfers N] [--accounts N]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH = Path(__file__).with_name("devnet.py")


def instructions(transfers: int, accounts: int) -> int:
    """Instructions callgrind counts for the whole in-memory bench run."""
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
         str(BENCH), "--memory-only", "--transfers", str(transfers), "--accounts", str(accounts)],
        capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"})     # same dict layouts on every run
    found = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
    if found is None:
        raise SystemExit(f"callgrind printed no instruction count:\n{run.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transfers", type=int, default=500)
    parser.add_argument("--accounts", type=int, default=100)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind).")
    with ThreadPoolExecutor(max_workers=2) as pool:
        base, full = pool.map(lambda n: instructions(n, args.accounts), (0, args.transfers))
    per = (full - base) / args.transfers
    print(f"instructions per transfer: {per:,.0f}  ({args.transfers} transfers among "
          f"{args.accounts} accounts, in memory; setup alone {base:,})")


if __name__ == "__main__":
    main()
