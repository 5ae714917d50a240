"""NodeState.run: devnet calls one at a time under the lock; on the event loop when the lock is
free, in a worker thread while someone else holds it. And the node under concurrent clients."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import anyio
import httpx

from tim3.arweave import DataItem, Wallet
from tim3.devnet import Devnet
from tim3.node import NodeServer
from tim3.node.state import NodeState

Ping = Callable[..., DataItem]


def test_a_call_runs_on_the_event_loop_when_the_lock_is_free(devnet: Devnet) -> None:
    state = NodeState(devnet)

    ran_on = anyio.run(state.run, threading.get_ident)

    assert ran_on == threading.get_ident()
    assert not state.lock.locked()


def test_a_call_holds_the_lock_while_it_runs(devnet: Devnet) -> None:
    state = NodeState(devnet)

    held = anyio.run(state.run, state.lock.locked)

    assert held is True


def test_a_call_waits_for_a_held_lock_in_a_worker_thread_and_the_loop_keeps_running(
        devnet: Devnet) -> None:
    state = NodeState(devnet)
    state.lock.acquire()           # as the web gateway would, from its own thread
    ticks = 0

    async def main() -> int:
        nonlocal ticks
        async with anyio.create_task_group() as tasks:
            answer: list[int] = []

            async def call() -> None:
                answer.append(await state.run(threading.get_ident))

            tasks.start_soon(call)
            for _ in range(3):     # the loop is free while the call waits
                await anyio.sleep(0)
                ticks += 1
            state.lock.release()
        return answer[0]

    ran_on = anyio.run(main)

    assert ticks == 3
    assert ran_on != threading.get_ident()
    assert not state.lock.locked()


def test_concurrent_clients_each_get_their_own_evaluated_message(
        node: NodeServer, devnet: Devnet, counter: str, alice: Wallet, bob: Wallet,
        ping: Ping) -> None:
    items = [ping(alice if i % 2 else bob, counter) for i in range(16)]

    def post_then_read(item: DataItem) -> str:
        with httpx.Client(base_url=node.url, timeout=30) as http:
            assert http.post("/", content=item.raw).status_code == 202
            result = http.get(f"/result/{item.id}", params={"process-id": counter}).json()
        tags = {t["name"]: t["value"] for t in result["Messages"][0]["Tags"]}
        return tags["Count"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = list(pool.map(post_then_read, items))

    scheduled = devnet.messages(counter)[1:]          # after the boot message
    assert sorted(counts, key=int) == [str(n) for n in range(1, 17)]
    assert {m.id for m in scheduled} == {item.id for item in items}
    assert [m.slot for m in scheduled] == list(range(1, 17))
