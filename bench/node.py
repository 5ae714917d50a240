"""The node over HTTP against the devnet in process: signed messages per second accepted and
evaluated, and latency from POST to a readable result.

Workload: a counter process answering every Ping with a Pong; each message is POSTed to the
node (which schedules, evaluates and cranks it before its 202), then its result is read with
GET /result. Several client threads share the work. Items are signed before the clock starts
(RSA-4096 signing costs milliseconds in Python and would hide the node); a smaller run that
signs inside the timed loop shows that cost too. The same workload through LocalNetwork is
the in-process baseline.

Target (issue 5): the HTTP path costs no more than 2× the in-process path per message.
Run: .venv/bin/python bench/node.py [--messages N] [--clients N] [--signed N]
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import socket
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection

import uvicorn

from tim3.arweave import DataItem, Wallet
from tim3.client import AoNetwork, HttpNetwork, LocalNetwork
from tim3.devnet import MODULE_ID, Devnet, DevnetConfig
from tim3.node import NodeServer, create_app

COUNTER = """
Count = Count or 0
Handlers.add("Ping", Handlers.utils.hasMatchingTag("Action", "Ping"), function(msg)
  Count = Count + 1
  msg.reply({ Action = "Pong", Count = tostring(Count) })
end)
"""
PING = [("Action", "Ping"), ("SDK", "tim3"), ("Data-Protocol", "ao"), ("Variant", "ao.TN.1"),
        ("Type", "Message")]
WALLETS = ("alice", "bob", "carol", "dave")


def spawn(net: AoNetwork, scheduler: str, messenger: str) -> str:
    return net.spawn(MODULE_ID, scheduler,
                     {"Name": "counter", "Authority": messenger, "On-Boot": "Data"}, COUNTER)


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(label: str, count: int, took: float, latencies: list[float]) -> float:
    rate = count / took
    print(f"{label:34s} {rate:8,.0f} msg/s  {1e3 * took / count:7.3f} ms/msg  "
          f"p50 {1e3 * statistics.median(latencies):7.2f} ms  "
          f"p99 {1e3 * percentile(latencies, 99):7.2f} ms  ({count:,} in {took:.2f} s)")
    return took / count


def timed_run(work: list[list[Callable[[], None]]]) -> tuple[float, list[float]]:
    """Run each list of calls in its own thread; (wall time, latency of every call)."""
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(calls: list[Callable[[], None]]) -> None:
        mine = []
        for call in calls:
            t0 = time.perf_counter()
            call()
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(work)) as pool:
        for future in [pool.submit(worker, calls) for calls in work]:
            future.result()
    return time.perf_counter() - started, latencies


def check(net: AoNetwork, pid: str, mid: str) -> None:
    result = net.result(pid, mid)
    assert result.find("Pong") is not None, dict(result)


def _serve_node(config: DevnetConfig, pipe: Connection) -> None:
    """In a child process: a devnet and its node app, served until the parent goes away.

    The socket is made with IPPROTO_TCP, so asyncio turns Nagle off on its connections
    (NodeServer's proto-0 socket leaves it on, and every keep-alive response then waits
    ~40 ms for a delayed ACK)."""
    devnet = Devnet(config=config)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    pipe.send((url, devnet.su.address, devnet.mu.address))
    uvicorn.Server(uvicorn.Config(create_app(devnet, url), log_level="warning",
                                  lifespan="off")).run(sockets=[sock])


@contextlib.contextmanager
def node_process(config: DevnetConfig) -> Iterator[tuple[str, str, str]]:
    """A node in its own process (so clients and node do not share one GIL):
    yields (url, scheduler address, messenger address)."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_serve_node, args=(config, child), daemon=True)
    proc.start()
    try:
        yield parent.recv()
    finally:
        proc.terminate()
        proc.join(timeout=10)


def bench_node_server(devnet: Devnet, wallet: Wallet, messages: int) -> float:
    with NodeServer(devnet, port=0) as node, \
            HttpNetwork.for_node(node.url, wallet, timeout=60) as net:
        pid = spawn(net, devnet.su.address, devnet.mu.address)
        items = [DataItem.create(wallet, " ", tags=PING, target=pid) for _ in range(messages)]
        took, latencies = timed_run([[lambda item=item: check(net, pid, net.send_signed(item))
                                      for item in items]])
        return report("NodeServer as is, 1 client", messages, took, latencies)


def bench_http(config: DevnetConfig, wallets: list[Wallet], messages: int, clients: int,
               signed: int) -> tuple[float, float]:
    with node_process(config) as (url, scheduler, messenger):
        nets = [HttpNetwork.for_node(url, wallets[i % len(wallets)], timeout=60)
                for i in range(clients)]
        pid = spawn(nets[0], scheduler, messenger)
        for net in nets:
            check(net, pid, net.message(pid, {"Action": "Ping"}))        # warm connections

        started = time.perf_counter()
        items = [[DataItem.create(net.wallet, " ", tags=PING, target=pid)
                  for _ in range(messages // clients)] for net in nets]
        signing = time.perf_counter() - started
        count = sum(len(batch) for batch in items)
        print(f"{'signing (before the clock)':34s} {count / signing:8,.0f} items/s "
              f"{1e3 * signing / count:7.3f} ms/item (RSA-4096, {count:,} items, one thread)")

        def post_then_read(net: HttpNetwork, item: DataItem) -> Callable[[], None]:
            return lambda: check(net, pid, net.send_signed(item))

        took, latencies = timed_run([[post_then_read(net, item) for item in batch]
                                     for net, batch in zip(nets, items, strict=True)])
        per_http = report(f"HTTP, pre-signed, {clients} clients", count, took, latencies)

        def sign_post_read(net: HttpNetwork) -> Callable[[], None]:
            return lambda: check(net, pid, net.message(pid, {"Action": "Ping"}))

        per_client = max(1, signed // clients)
        took, latencies = timed_run([[sign_post_read(net)] * per_client for net in nets])
        report(f"HTTP, signing inside, {clients} clients", per_client * clients, took,
               latencies)

        one = [post_then_read(nets[0], DataItem.create(wallets[0], " ", tags=PING, target=pid))
               for _ in range(min(500, messages))]
        took, latencies = timed_run([one])
        per_http_one = report("HTTP, pre-signed, 1 client", len(one), took, latencies)
        for net in nets:
            net.close()
    return per_http, per_http_one


def bench_local(devnet: Devnet, wallet: Wallet, messages: int) -> float:
    net = LocalNetwork(devnet, wallet)
    pid = spawn(net, devnet.su.address, devnet.mu.address)
    check(net, pid, net.message(pid, {"Action": "Ping"}))

    def send_then_read() -> None:
        check(net, pid, net.message(pid, {"Action": "Ping"}))

    took, latencies = timed_run([[send_then_read] * messages])
    return report("in process (LocalNetwork)", messages, took, latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--signed", type=int, default=200,
                        help="messages in the run that signs inside the timed loop")
    args = parser.parse_args()
    config = DevnetConfig(fixed_start_ms=1_750_000_000_000)

    with Devnet(config=config) as devnet:
        wallets = [devnet.wallet(name) for name in WALLETS]
        per_local = bench_local(devnet, wallets[0], args.messages)
    wallets = [Wallet.from_name(name) for name in WALLETS]
    per_http, per_http_one = bench_http(config, wallets, args.messages, args.clients,
                                        args.signed)
    with Devnet(config=config) as devnet:
        bench_node_server(devnet, devnet.wallet("alice"), min(100, args.messages))

    print("(the HTTP runs above NodeServer's line serve the node app from a child process, "
          "on a socket with Nagle off)")
    print(f"HTTP cost per message vs in process: {per_http / per_local:.1f}× with "
          f"{args.clients} clients, {per_http_one / per_local:.1f}× with 1 client "
          "(target ≤ 2×)")


if __name__ == "__main__":
    main()
