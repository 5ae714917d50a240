"""Devnet throughput: 10,000 token Transfers among 1,000 accounts, in memory and durable,
then the replay rate of the durable log.

Targets (issue 2): ≥ 20,000 messages/s in memory, ≥ 10,000 durable, replay ≥ 20,000/s.
Reference: aos's own WASM runtime under its Node loader does about 1,150/s here.
Run: .venv/bin/python bench/devnet.py [--transfers N] [--accounts N]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from tim3.arweave import b64url_encode
from tim3.devnet import Devnet, DevnetConfig
from tim3.processes import source


def setup(net: Devnet, accounts: int) -> tuple[str, list[str]]:
    deployer = net.wallet("deployer")
    usda = net.spawn(deployer, source("usda_mock"), tags={"Name": "USDA"})
    # Random-looking 43-character ids, the same on every run (patterned ones collide in Lua's
    # string hash; fresh random ones move even instruction counts from run to run).
    ids = random.Random(accounts)
    holders = [b64url_encode(ids.randbytes(32)) for _ in range(accounts)]
    for h in holders:
        net.send(deployer, usda, tags={"Action": "Mint", "Recipient": h,
                                       "Quantity": str(10**18)})
    return usda, holders


def transfers(net: Devnet, usda: str, holders: list[str], n: int, rng: random.Random) -> float:
    started = time.perf_counter()
    for _ in range(n):
        a, b = rng.sample(holders, 2)
        net.send(a, usda, tags={"Action": "Transfer", "Recipient": b,
                                "Quantity": str(rng.randint(1, 10**12))})
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transfers", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=1_000)
    parser.add_argument("--memory-only", action="store_true",
                        help="only the in-memory run (bench/instructions.py uses it)")
    args = parser.parse_args()
    rng = random.Random(7)
    config = DevnetConfig(fixed_start_ms=1_750_000_000_000)

    net = Devnet(config=config)
    usda, holders = setup(net, args.accounts)
    took = transfers(net, usda, holders, args.transfers, rng)
    print(f"in memory : {args.transfers / max(took, 1e-9):10,.0f} transfers/s  ({took:.2f} s)")
    net.close()
    if args.memory_only:
        return

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite"
        net = Devnet(path, config)
        usda, holders = setup(net, args.accounts)
        took = transfers(net, usda, holders, args.transfers, rng)
        stored = len(net.messages())
        print(f"durable   : {args.transfers / took:10,.0f} transfers/s  ({took:.2f} s)")
        net.close()

        started = time.perf_counter()
        again = Devnet(path, config)
        took = time.perf_counter() - started
        evaluated = sum(1 for m in again.messages() if m.result is not None)
        print(f"replay    : {evaluated / took:10,.0f} evaluated messages/s "
              f"({evaluated:,} evaluated of {stored:,} records in {took:.2f} s)")
        again.close()


if __name__ == "__main__":
    main()
