"""Machine instructions per message over HTTP and in process, counted by valgrind's callgrind.

bench/node.py's wall and CPU figures move ±25–50 % on a shared 2-core machine; instruction
counts do not, so this is the figure to compare when changing the node or the client. It
measures the same work as bench/node.py — a counter process answering Ping with Pong, each
message pre-signed, sent, then its result read — three ways, each under callgrind with
collection switched on only around the measured loop (`callgrind_control -i on/off`):

- in process: `LocalNetwork.send_signed` (decode, verify, schedule, evaluate) + `result`;
- the node: a NodeServer in its own process, counting only its instructions;
- the client: `HttpNetwork` in its own process, counting only its instructions.

Callgrind counts user-space instructions only: the kernel's share of each socket call, and the
cache misses of two processes trading the cores, are not in these figures (they are in
bench/node.py's CPU times). Needs valgrind (Debian: `apt-get install valgrind`); takes a few
minutes.

Run: .venv/bin/python bench/node_instructions.py [--messages N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from node import PING, check, spawn  # bench/node.py: the same process and messages
from tim3.arweave import DataItem, Wallet
from tim3.client import AoNetwork, HttpNetwork, LocalNetwork
from tim3.devnet import Devnet, DevnetConfig
from tim3.node import NodeServer

CONFIG = DevnetConfig(fixed_start_ms=1_750_000_000_000)
WARM_UP = 20


def _collect(on: bool, pid: int) -> None:
    subprocess.run(["callgrind_control", "-i", "on" if on else "off", str(pid)], check=True,
                   capture_output=True)


def _warm_up(net: AoNetwork, pid: str) -> None:
    for _ in range(WARM_UP):
        check(net, pid, net.message(pid, {"Action": "Ping"}))


def serve() -> None:
    """In the node's process: serve a devnet, print url, scheduler, messenger, serve on."""
    devnet = Devnet(config=CONFIG)
    server = NodeServer(devnet, port=0)
    print(server.url, devnet.su.address, devnet.mu.address, flush=True)
    server.serve_forever()


def in_process(messages: int) -> None:
    with Devnet(config=CONFIG) as devnet:
        wallet = Wallet.from_name("alice")
        net = LocalNetwork(devnet, wallet)
        pid = spawn(net, devnet.su.address, devnet.mu.address)
        _warm_up(net, pid)
        raws = [DataItem.create(wallet, " ", tags=PING, target=pid).raw
                for _ in range(messages)]
        _collect(True, os.getpid())
        for raw in raws:     # as the node gets them: bytes, decoded and verified here
            check(net, pid, net.send_signed(DataItem.decode(raw)))
        _collect(False, os.getpid())


def client(messages: int, url: str, scheduler: str, messenger: str, counted: int) -> None:
    """Drive the node at `url`, collecting in the process `counted` (this one or the node)."""
    wallet = Wallet.from_name("alice")
    with HttpNetwork.for_node(url, wallet, timeout=600) as net:
        pid = spawn(net, scheduler, messenger)
        _warm_up(net, pid)
        items = [DataItem.create(wallet, " ", tags=PING, target=pid) for _ in range(messages)]
        _collect(True, counted)
        for item in items:
            check(net, pid, net.send_signed(item))
        _collect(False, counted)


def _valgrind(out: Path, *args: str) -> list[str]:
    return ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
            sys.executable, __file__, *args]


def _total(out: Path) -> int:
    """The instructions a callgrind run collected (its dump files' largest total)."""
    total = 0
    for dump in out.parent.glob(out.name + "*"):
        for line in dump.read_text(errors="replace").splitlines():
            if line.startswith(("summary:", "totals:")):
                total = max(total, int(line.split()[1]))
    return total


def over_http(messages: int, tmp: Path, count_node: bool) -> int:
    """Instructions collected in the node (count_node) or in the client over one run."""
    out = tmp / ("node.out" if count_node else "client.out")
    node_cmd = (_valgrind(out, "--serve") if count_node
                else [sys.executable, __file__, "--serve"])
    node = subprocess.Popen(node_cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    try:
        assert node.stdout is not None
        url, scheduler, messenger = node.stdout.readline().split()
        args = ["--client", str(messages), url, scheduler, messenger]
        if count_node:
            subprocess.run([sys.executable, __file__, *args, str(node.pid)], check=True)
            subprocess.run(["callgrind_control", "-d", str(node.pid)], check=True,
                           capture_output=True)
        else:
            subprocess.run(_valgrind(out, *args, "0"), check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    finally:
        node.terminate()
        node.wait(timeout=60)
    return _total(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--local", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--client", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    if args.local:
        in_process(args.messages)
        return
    if args.client:
        n, url, scheduler, messenger, counted = args.client
        client(int(n), url, scheduler, messenger, int(counted) or os.getpid())
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind).")

    n = args.messages
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        out = tmp / "local.out"
        subprocess.run(_valgrind(out, "--local", "--messages", str(n)), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        local = _total(out) / n
        node = over_http(n, tmp, count_node=True) / n
        client_side = over_http(n, tmp, count_node=False) / n
    print(f"in process (send_signed + result): {local:12,.0f} instructions/message")
    print(f"over HTTP, node                  : {node:12,.0f} instructions/message")
    print(f"over HTTP, client                : {client_side:12,.0f} instructions/message")
    print(f"HTTP (node + client) / in process: {(node + client_side) / local:12.2f}×   "
          f"(target ≤ 2×; {n} pre-signed messages, one client, user-space instructions)")


if __name__ == "__main__":
    main()
