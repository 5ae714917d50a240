"""The node over HTTP against the devnet in process: signed messages per second accepted and
evaluated, and latency from POST to a readable result.

Workload: a counter process answering every Ping with a Pong; each message is POSTed to the
node (which verifies, schedules, evaluates and cranks it before its 202), then its result is
read with GET /result. Several client threads share the work. Items are signed before the
clock starts (RSA-4096 signing costs milliseconds in Python and would hide the node); a smaller
run that signs inside the timed loop shows that cost too.

Two in-process baselines, both reading every result back:
- signed: the same work minus HTTP — each pre-signed item decoded from its bytes, verified and
  checked by the messenger's rules, scheduled and evaluated (`LocalNetwork.send_signed`);
- unsigned: `LocalNetwork.message`, which trusts its wallet (no item, no signature check).
A third row drives the node's own ASGI app in process (the same two requests, no server, no
sockets): what the node's code costs when nothing else runs between requests.

The node runs in a child process (so clients and node do not share one GIL), as NodeServer
serves it to users. Besides wall time per message, CPU time per message is reported: the
node's and the clients' together, against the in-process path's.

Target (issue 5): the HTTP path costs no more than 2× the in-process path per message.
Run: .venv/bin/python bench/node.py [--rounds N] [--messages N] [--clients N] [--signed N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection

try:
    import uvloop
except ImportError:  # pragma: no cover - not on Windows
    uvloop = None

from tim3.arweave import DataItem, Wallet
from tim3.client import AoNetwork, HttpNetwork, LocalNetwork
from tim3.devnet import MODULE_ID, Devnet, DevnetConfig
from tim3.node import NodeServer
from tim3.node.app import create_app

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


def report(label: str, count: int, took: float, latencies: list[float],
           cpu: tuple[float, ...] = ()) -> float:
    """Print one line; `cpu`: CPU seconds of each process that did the work (node, clients)."""
    rate = count / took
    cpu_text = ""
    if cpu:
        parts = " + ".join(f"{1e3 * c / count:.3f}" for c in cpu)
        cpu_text = f"  cpu {1e3 * sum(cpu) / count:6.3f} ms/msg"
        cpu_text += f" (node {parts} clients)" if len(cpu) == 2 else ""
    print(f"{label:40s} {rate:7,.0f} msg/s {1e3 * took / count:7.3f} ms/msg  "
          f"p50 {1e3 * statistics.median(latencies):6.2f} ms  "
          f"p99 {1e3 * percentile(latencies, 99):6.2f} ms{cpu_text}  ({count:,} in {took:.2f} s)")
    return took / count


def timed_run(work: list[list[Callable[[], None]]]) -> tuple[float, list[float], float]:
    """Run each list of calls in its own thread; (wall time, latency of every call, CPU time
    of this process)."""
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

    cpu = time.process_time()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(work)) as pool:
        for future in [pool.submit(worker, calls) for calls in work]:
            future.result()
    return time.perf_counter() - started, latencies, time.process_time() - cpu


def check(net: AoNetwork, pid: str, mid: str) -> None:
    result = net.result(pid, mid)
    assert result.find("Pong") is not None, dict(result)


def _serve_node(config: DevnetConfig, pipe: Connection) -> None:
    """In a child process: a devnet and its NodeServer, served until the parent goes away.
    Answers "cpu" on the pipe with this process's CPU time so far."""
    devnet = Devnet(config=config)
    server = NodeServer(devnet, port=0)
    pipe.send((server.url, devnet.su.address, devnet.mu.address))

    def answer_cpu() -> None:
        with contextlib.suppress(EOFError, OSError):
            while pipe.recv() == "cpu":
                pipe.send(time.process_time())

    threading.Thread(target=answer_cpu, daemon=True).start()
    server.serve_forever()


class ChildNode:
    """A node in its own process: `url`, `scheduler`, `messenger`, and `cpu()` (its CPU time)."""

    def __init__(self, pipe: Connection) -> None:
        self._pipe = pipe
        self.url, self.scheduler, self.messenger = pipe.recv()

    def cpu(self) -> float:
        self._pipe.send("cpu")
        seconds: float = self._pipe.recv()
        return seconds


@contextlib.contextmanager
def node_process(config: DevnetConfig) -> Iterator[ChildNode]:
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_serve_node, args=(config, child), daemon=True)
    proc.start()
    try:
        yield ChildNode(parent)
    finally:
        proc.terminate()
        proc.join(timeout=10)


def bench_node_in_thread(config: DevnetConfig, wallet: Wallet, messages: int) -> None:
    with Devnet(config=config) as devnet, NodeServer(devnet, port=0) as node, \
            HttpNetwork.for_node(node.url, wallet, timeout=60) as net:
        pid = spawn(net, devnet.su.address, devnet.mu.address)
        items = [DataItem.create(wallet, " ", tags=PING, target=pid) for _ in range(messages)]
        took, latencies, _ = timed_run([[lambda item=item: check(net, pid, net.send_signed(item))
                                         for item in items]])
        report("HTTP, node in this process, 1 client", messages, took, latencies)


def bench_http(config: DevnetConfig, wallets: list[Wallet], messages: int, clients: int,
               signed: int) -> tuple[float, float, float]:
    """(wall s/msg with `clients` clients, wall s/msg with one, CPU s/msg with `clients`)."""
    with node_process(config) as node:
        nets = [HttpNetwork.for_node(node.url, wallets[i % len(wallets)], timeout=60)
                for i in range(clients)]
        pid = spawn(nets[0], node.scheduler, node.messenger)
        for net in nets:
            check(net, pid, net.message(pid, {"Action": "Ping"}))        # warm connections

        started = time.perf_counter()
        items = [[DataItem.create(net.wallet, " ", tags=PING, target=pid)
                  for _ in range(messages // clients)] for net in nets]
        signing = time.perf_counter() - started
        count = sum(len(batch) for batch in items)
        print(f"{'signing (before the clock)':40s} {count / signing:7,.0f} items/s "
              f"{1e3 * signing / count:7.3f} ms/item (RSA-4096, {count:,} items, one thread)")

        def post_then_read(net: HttpNetwork, item: DataItem) -> Callable[[], None]:
            return lambda: check(net, pid, net.send_signed(item))

        node_cpu = node.cpu()
        took, latencies, client_cpu = timed_run(
            [[post_then_read(net, item) for item in batch]
             for net, batch in zip(nets, items, strict=True)])
        cpu = (node.cpu() - node_cpu, client_cpu)
        per_http = report(f"HTTP, pre-signed, {clients} clients", count, took, latencies, cpu)

        def sign_post_read(net: HttpNetwork) -> Callable[[], None]:
            return lambda: check(net, pid, net.message(pid, {"Action": "Ping"}))

        per_client = max(1, signed // clients)
        took, latencies, _ = timed_run([[sign_post_read(net)] * per_client for net in nets])
        report(f"HTTP, signing inside, {clients} clients", per_client * clients, took,
               latencies)

        one = [post_then_read(nets[0], DataItem.create(wallets[0], " ", tags=PING, target=pid))
               for _ in range(min(500, messages))]
        node_cpu = node.cpu()
        took, latencies, client_cpu = timed_run([one])
        cpu_one = (node.cpu() - node_cpu, client_cpu)
        per_http_one = report("HTTP, pre-signed, 1 client", len(one), took, latencies, cpu_one)
        for net in nets:
            net.close()
    return per_http, per_http_one, sum(cpu) / count


def bench_local(config: DevnetConfig, wallet: Wallet, messages: int) -> tuple[float, float]:
    """(s/msg signed, s/msg unsigned) in process; wall time = CPU time here (one thread)."""
    with Devnet(config=config) as devnet:
        net = LocalNetwork(devnet, wallet)
        pid = spawn(net, devnet.su.address, devnet.mu.address)
        check(net, pid, net.message(pid, {"Action": "Ping"}))
        raws = [DataItem.create(wallet, " ", tags=PING, target=pid).raw for _ in range(messages)]

        def decode_verify_send_read(raw: bytes) -> Callable[[], None]:
            return lambda: check(net, pid, net.send_signed(DataItem.decode(raw)))

        def send_then_read() -> None:
            check(net, pid, net.message(pid, {"Action": "Ping"}))

        took, latencies, cpu = timed_run([[decode_verify_send_read(raw) for raw in raws]])
        per_signed = report("in process, signed items (send_signed)", messages, took,
                            latencies, (cpu,))
        took, latencies, cpu = timed_run([[send_then_read] * messages])
        per_unsigned = report("in process, unsigned (message)", messages, took, latencies,
                              (cpu,))
    return per_signed, per_unsigned


def bench_app(config: DevnetConfig, wallet: Wallet, messages: int) -> None:
    """The node's ASGI app called in process: POST / then GET /result/:id per message."""
    with Devnet(config=config) as devnet:
        app = create_app(devnet)
        net = LocalNetwork(devnet, wallet)
        pid = spawn(net, devnet.su.address, devnet.mu.address)
        check(net, pid, net.message(pid, {"Action": "Ping"}))
        items = [DataItem.create(wallet, " ", tags=PING, target=pid) for _ in range(messages)]

        async def call(method: str, path: str, query: bytes, body: bytes) -> bytes:
            scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                     "method": method, "scheme": "http", "path": path,
                     "raw_path": path.encode(), "query_string": query, "root_path": "",
                     "headers": [(b"host", b"127.0.0.1"),
                                 (b"content-length", str(len(body)).encode())],
                     "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8734)}

            async def receive() -> dict[str, object]:
                return {"type": "http.request", "body": body, "more_body": False}

            sent: list[bytes] = []

            async def send(message: dict[str, object]) -> None:
                if message["type"] == "http.response.body":
                    sent.append(message["body"])  # type: ignore[arg-type]

            await app(scope, receive, send)
            return b"".join(sent)

        async def run() -> list[float]:
            latencies = []
            for item in items:
                t0 = time.perf_counter()
                taken = await call("POST", "/", b"", item.raw)
                assert item.id.encode() in taken, taken
                answer = await call("GET", f"/result/{item.id}", f"process-id={pid}".encode(),
                                    b"")
                assert b"Pong" in answer, answer
                latencies.append(time.perf_counter() - t0)
            return latencies

        cpu, started = time.process_time(), time.perf_counter()
        # The served node runs on uvloop (uvicorn picks it when installed); so does this.
        latencies = asyncio.run(run()) if uvloop is None else uvloop.run(run())
        took, cpu = time.perf_counter() - started, time.process_time() - cpu
        report("the node's app in process, no sockets", messages, took, latencies, (cpu,))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000, help="messages per round")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of in process then HTTP; the ratios are each round's own")
    parser.add_argument("--signed", type=int, default=200,
                        help="messages in the run that signs inside the timed loop")
    args = parser.parse_args()
    config = DevnetConfig(fixed_start_ms=1_750_000_000_000)
    wallets = [Wallet.from_name(name) for name in WALLETS]

    # Each round measures both paths within a minute of each other, so that a noisy machine
    # (other work, frequency changes) moves both sides of a ratio rather than one.
    ratios: dict[str, list[float]] = {}
    for round_number in range(1, args.rounds + 1):
        print(f"-- round {round_number} of {args.rounds}")
        per_signed, per_unsigned = bench_local(config, wallets[0], args.messages)
        bench_app(config, wallets[0], args.messages)
        per_http, per_http_one, cpu_http = bench_http(config, wallets, args.messages,
                                                      args.clients, args.signed)
        for key, value in {
            f"signed, wall, {args.clients} clients": per_http / per_signed,
            "signed, wall, 1 client": per_http_one / per_signed,
            f"signed, CPU (node + clients), {args.clients} clients": cpu_http / per_signed,
            f"unsigned, wall, {args.clients} clients": per_http / per_unsigned,
            "unsigned, wall, 1 client": per_http_one / per_unsigned,
            f"unsigned, CPU (node + clients), {args.clients} clients": cpu_http / per_unsigned,
        }.items():
            ratios.setdefault(key, []).append(value)
    bench_node_in_thread(config, wallets[0], min(200, args.messages))

    print("HTTP cost per message over in process (target ≤ 2×); median, then each round.\n"
          "'signed' is the same work minus HTTP; 'unsigned' skips the signature check too.")
    for key, values in ratios.items():
        rounds = ", ".join(f"{v:.1f}" for v in values)
        print(f"  {key:45s} {statistics.median(values):4.1f}×   ({rounds})")


if __name__ == "__main__":
    main()
