"""The ceiling under bench/devnet.py: the same token Transfers run by `process.handle` alone.

One VM, the mock USDA with 1,000 funded accounts, and a Lua loop that builds each Transfer
message as the host does and calls aos's `process.handle` on it — no devnet, no Python↔Lua
crossing, no records, no routing. Whatever the devnet does around a message, it cannot beat
this rate; bench/devnet.py's figure over this one is the share left to the devnet.

Run: .venv/bin/python bench/ceiling.py [--transfers N] [--accounts N] [--rounds N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any

from devnet import setup  # bench/devnet.py: the same process and accounts
from tim3.devnet import Devnet, DevnetConfig

# Builds every message the way host.lua's buildMsg does (root fields, then a Tags array),
# then hands it to process.handle with the process's env. Returns how many ended in Error.
LOOP = """
local process = require('.process')
return function(fields, tags, n)
  local errors = 0
  for i = 1, n do
    local msg, tagList = {}, {}
    local f = fields[i]
    for j = 1, #f, 2 do msg[f[j]] = f[j + 1] end
    local t = tags[i]
    for j = 1, #t, 2 do tagList[#tagList + 1] = { name = t[j], value = t[j + 1] } end
    msg.Tags = tagList
    local result = process.handle(msg, ao.env)
    if result.Error then errors = errors + 1 end
  end
  return errors
end
"""


def messages(net: Devnet, usda: str, holders: list[str], n: int,
             rng: random.Random) -> tuple[list[list[Any]], list[list[str]]]:
    """n Transfer messages in the devnet's own shape (fields from a real record's vm_args)."""
    template = net.messages(usda)[-1]
    fields, tags = [], []
    for i in range(n):
        a, b = rng.sample(holders, 2)
        fields.append(["Id", f"{i:043d}", "Owner", a, "From", a, "Target", usda, "Data", "",
                       "Timestamp", template.timestamp + i, "Block-Height", template.block_height,
                       "Epoch", 0, "Nonce", template.slot + 1 + i, "Cron", False])
        tags.append(["Action", "Transfer", "Recipient", b,
                     "Quantity", str(rng.randint(1, 10**12)),
                     "Data-Protocol", "ao", "Variant", "ao.TN.1", "Type", "Message"])
    return fields, tags


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transfers", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(7)
    rates = []
    for _ in range(args.rounds):
        net = Devnet(config=DevnetConfig(fixed_start_ms=1_750_000_000_000))
        usda, holders = setup(net, args.accounts)
        vm = net.process(usda).vm
        fields, tags = messages(net, usda, holders, args.transfers, rng)
        lua = vm._lua
        lua_fields = lua.table_from([lua.table_from(f) for f in fields])
        lua_tags = lua.table_from([lua.table_from(t) for t in tags])
        loop = vm.eval_host(LOOP)
        started = time.perf_counter()
        errors = loop(lua_fields, lua_tags, args.transfers)
        took = time.perf_counter() - started
        if errors:
            raise SystemExit(f"{errors} of the transfers ended in Error; the figure would lie.")
        rates.append(args.transfers / took)
        net.close()
    print(f"process.handle alone: {statistics.median(rates):10,.0f} transfers/s "
          f"(median of {args.rounds}; range {min(rates):,.0f}–{max(rates):,.0f}; "
          f"{args.transfers:,} transfers among {args.accounts:,} accounts)")


if __name__ == "__main__":
    main()
