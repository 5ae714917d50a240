"""Durable devnets: reopening replays the log into exactly the same state; crashes lose nothing stored."""

import gc
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from tim3.devnet import Devnet, DevnetConfig
from tim3.devnet import network as network_module
from tim3.errors import DevnetError

COUNTER = """
Counts = Counts or {}
Handlers.add("inc", "Inc", function(m)
  Counts[m.From] = (Counts[m.From] or 0) + 1
  m.reply({Action = "Counted", Count = tostring(Counts[m.From])})
end)
Handlers.add("fail", "Fail", function() Counts.poison = true; error("no") end)
"""


def snapshot(net, owner, pid):
    return net.eval(owner, pid, "local k = {} for a, n in pairs(Counts) do k[#k+1] = a .. '=' .. tostring(n) end "
                    "table.sort(k) return table.concat(k, ',') .. ' ref=' .. ao.reference").result.output


def test_reopening_a_devnet_replays_to_the_same_state(tmp_path):
    path = tmp_path / "net.sqlite"
    net = Devnet(path, DevnetConfig.for_tests())
    owner, alice, bob = net.wallet("deployer"), net.wallet("alice"), net.wallet("bob")
    pid = net.spawn(owner, COUNTER)
    for i in range(20):
        net.send(alice if i % 3 else bob, pid, tags={"Action": "Fail" if i % 5 == 0 else "Inc"})
    before = snapshot(net, owner, pid)
    last = net.send(alice, pid, tags={"Action": "Inc"})
    net.close()

    again = Devnet(path, DevnetConfig.for_tests())

    assert snapshot(again, owner, pid) == snapshot_after(before, alice.address)
    stored = again.message(last.id)
    assert stored.result == last.result  # outbox equal, Reference included
    assert [m.id for m in again.messages(pid)][:-1] == [m.id for m in net.messages(pid)]


def snapshot_after(before: str, alice: str) -> str:
    # The snapshot eval itself and one more Inc by alice happened after `before`.
    parts, ref = before.split(" ref=")
    counts = dict(p.split("=") for p in parts.split(","))
    counts[alice] = str(int(counts[alice]) + 1)
    return ",".join(f"{k}={v}" for k, v in sorted(counts.items())) + f" ref={int(ref) + 1}"


def test_a_reopened_devnet_keeps_counting_slots_and_time(tmp_path):
    path = tmp_path / "net.sqlite"
    net = Devnet(path, DevnetConfig.for_tests())
    owner = net.wallet("deployer")
    pid = net.spawn(owner, COUNTER)
    first = net.send(owner, pid, tags={"Action": "Inc"})
    net.close()

    again = Devnet(path, DevnetConfig.for_tests())
    second = again.send(owner, pid, tags={"Action": "Inc"})

    assert second.message.slot == first.message.slot + 1
    assert second.message.timestamp > first.message.timestamp
    assert second.id != first.id
    assert second.result.messages[0].tag("Count") == "2"


def test_a_corrupt_file_is_a_clear_error(tmp_path):
    path = tmp_path / "net.sqlite"
    path.write_bytes(b"this is not a database" * 100)

    with pytest.raises(DevnetError, match="Cannot open devnet storage"):
        Devnet(path, DevnetConfig.for_tests())


CRASHER = textwrap.dedent("""
    import sys
    from tim3.devnet import Devnet, DevnetConfig
    net = Devnet(sys.argv[1], DevnetConfig.for_tests())
    owner = net.wallet("deployer")
    pid = net.spawn(owner, sys.argv[2])
    print(pid, flush=True)
    i = 0
    while True:
        net.send(owner, pid, tags={"Action": "Inc"})
        i += 1
        if i == 50:
            print("ready", flush=True)
""")


def test_a_killed_devnet_loses_nothing_it_stored(tmp_path):
    path = tmp_path / "net.sqlite"
    proc = subprocess.Popen([sys.executable, "-c", CRASHER, str(path), COUNTER],
                            stdout=subprocess.PIPE, text=True)
    pid = proc.stdout.readline().strip()
    assert proc.stdout.readline().strip() == "ready"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()

    net = Devnet(path, DevnetConfig.for_tests())
    owner = net.wallet("deployer")
    stored = [m for m in net.messages(pid) if m.action == "Inc"]

    assert len(stored) >= 50
    count = net.eval(owner, pid, f"return Counts['{owner.address}']").result.output
    assert count == str(len(stored))


LEGACY_SCHEMA = """
CREATE TABLE processes (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, options TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE messages (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL, kind TEXT NOT NULL, process TEXT NOT NULL,
    owner TEXT NOT NULL, from_ TEXT NOT NULL, target TEXT NOT NULL, data TEXT NOT NULL,
    tags TEXT NOT NULL, timestamp INTEGER NOT NULL, block_height INTEGER NOT NULL,
    slot INTEGER, anchor TEXT NOT NULL, parent INTEGER, root TEXT, result TEXT,
    reason TEXT NOT NULL);
"""


def rewrite_as_one_row_per_message(path):
    """Turn a file into the first storage format: tables `processes` and `messages`."""
    db = sqlite3.connect(path)
    db.executescript(LEGACY_SCHEMA)
    for (body,) in db.execute("SELECT body FROM chains ORDER BY first").fetchall():
        doc = json.loads(body)
        first = doc["messages"][0][0]
        for pid, owner, options in doc["processes"]:
            db.execute("INSERT INTO processes VALUES (?, ?, ?, ?)",
                       (pid, owner, json.dumps(options), first))
        for row in doc["messages"]:
            row = list(row)
            row[8] = json.dumps(row[8])
            row[15] = None if row[15] is None else json.dumps(row[15])
            db.execute("INSERT INTO messages VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", row)
    db.execute("DROP TABLE chains")
    db.commit()
    db.close()


def counter_net(tmp_path):
    """A durable devnet running COUNTER: (path, devnet, owner, alice, process id)."""
    path = tmp_path / "net.sqlite"
    net = Devnet(path, DevnetConfig.for_tests())
    owner, alice = net.wallet("deployer"), net.wallet("alice")
    return path, net, owner, alice, net.spawn(owner, COUNTER)


def test_a_file_in_the_first_storage_format_still_opens(tmp_path):
    path, net, owner, alice, pid = counter_net(tmp_path)
    last = [net.send(alice, pid, tags={"Action": "Inc"}) for _ in range(3)][-1]
    net.send(alice, pid, tags={"Action": "Fail"})
    net.close()
    rewrite_as_one_row_per_message(path)

    again = Devnet(path, DevnetConfig.for_tests())
    more = again.send(alice, pid, tags={"Action": "Inc"})
    again.close()
    third = Devnet(path, DevnetConfig.for_tests())

    assert again.message(last.id).result == last.result
    assert more.result.messages[0].tag("Count") == "4"
    assert [m.id for m in third.messages()] == [m.id for m in again.messages()]
    assert third.message(more.id).result == more.result


def test_the_store_counts_its_records_in_either_format_without_reading_them(tmp_path):
    path, net, owner, alice, pid = counter_net(tmp_path)
    for _ in range(3):
        net.send(alice, pid, tags={"Action": "Inc"})
    count = len(net.messages())
    assert net.store.record_count() == count
    net.close()
    rewrite_as_one_row_per_message(path)

    again = Devnet(path, DevnetConfig.for_tests())
    assert again.store.record_count() == count
    again.send(alice, pid, tags={"Action": "Inc"})      # old rows, then a new-format chain
    assert again.store.record_count() == len(again.messages()) > count
    again.close()
    assert Devnet(None).store.record_count() == 0


def test_a_long_replay_reports_its_progress_and_a_short_one_says_nothing(tmp_path, monkeypatch):
    path, net, owner, alice, pid = counter_net(tmp_path)
    for _ in range(5):
        net.send(alice, pid, tags={"Action": "Inc"})
    total = len(net.messages())
    net.close()

    monkeypatch.setattr(network_module, "REPLAY_REPORT_S", 3600.0)   # replays "fast"
    quiet: list[tuple[int, int]] = []
    Devnet(path, DevnetConfig.for_tests(), on_replay=lambda *a: quiet.append(a)).close()
    monkeypatch.setattr(network_module, "REPLAY_REPORT_S", 0.0)      # replays "slowly"
    heard: list[tuple[int, int]] = []
    Devnet(path, DevnetConfig.for_tests(), on_replay=lambda *a: heard.append(a)).close()

    assert quiet == []
    assert heard[-1] == (total, total)
    done = [d for d, _ in heard]
    assert done == sorted(set(done)) and done[0] < total    # rising, never the same twice
    assert {t for _, t in heard} == {total}


def test_a_replay_that_reported_says_when_it_is_done(tmp_path, monkeypatch):
    path, net, owner, alice, pid = counter_net(tmp_path)
    for _ in range(6):                  # seven chains with the spawn
        net.send(alice, pid, tags={"Action": "Inc"})
    total = len(net.messages())
    net.close()

    class Clock:                        # 0.6 s per look: reports after chains 2, 4 and 6
        now = 0.0

        def monotonic(self) -> float:
            self.now += 0.6
            return self.now
    monkeypatch.setattr(network_module, "time", Clock())
    heard: list[tuple[int, int]] = []
    Devnet(path, DevnetConfig.for_tests(), on_replay=lambda *a: heard.append(a)).close()

    assert len(heard) == 4 and heard[2][0] < total      # the seventh chain went unreported …
    assert heard[-1] == (total, total)                  # … until the replay was done


@pytest.mark.parametrize("enabled", [True, False])
def test_reopening_leaves_pythons_gc_setting_as_it_was(tmp_path, enabled):
    path = tmp_path / "net.sqlite"
    net = Devnet(path, DevnetConfig.for_tests())
    net.spawn(net.wallet("deployer"), COUNTER)
    net.close()
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        Devnet(path, DevnetConfig.for_tests()).close()
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_one_file_serves_one_devnet_at_a_time(tmp_path):
    path = tmp_path / "net.sqlite"
    first = Devnet(path, DevnetConfig.for_tests())
    pid = first.spawn(first.wallet("deployer"), COUNTER)

    with pytest.raises(DevnetError, match="in use by another devnet"):
        Devnet(path, DevnetConfig.for_tests())
    first.send(first.wallet("alice"), pid, tags={"Action": "Inc"})
    first.close()

    again = Devnet(path, DevnetConfig.for_tests())
    assert [m.action for m in again.messages(pid)] == [None, "Inc"]
    again.close()


def test_a_chain_cut_short_by_an_exception_is_stored_as_far_as_it_went(tmp_path):
    path, net, owner, alice, pid = counter_net(tmp_path)

    def broken(sender, out):
        raise RuntimeError("a fault function with a bug")

    net.faults.append(broken)
    with pytest.raises(RuntimeError, match="with a bug"):
        net.send(alice, pid, tags={"Action": "Inc"})       # evaluated, then its reply fails
    net.faults.clear()
    after = net.send(alice, pid, tags={"Action": "Inc"})
    before = [(m.seq, m.id, m.kind, m.parent) for m in net.messages()]
    net.close()

    again = Devnet(path, DevnetConfig.for_tests())

    assert [(m.seq, m.id, m.kind, m.parent) for m in again.messages()] == before
    assert again.trace(after.id).children[0].message.action == "Counted"
    assert again.message(after.id).result == after.result


@pytest.mark.parametrize("durable", [False, True])
def test_the_signed_item_a_message_came_from_is_kept_with_it(tmp_path, durable):
    net = Devnet(tmp_path / "net.sqlite" if durable else None, DevnetConfig.for_tests())
    owner, alice = net.wallet("deployer"), net.wallet("alice")
    pid = net.spawn_item(owner, [("On-Boot", "Data"), ("Data-Protocol", "ao"),
                                 ("Type", "Process")], COUNTER, signed=b"spawn item \x00\xff")
    sent = net.send(alice, pid, tags={"Action": "Inc"}, signed=b"message item \x00\xff")
    plain = net.send(alice, pid, tags={"Action": "Inc"})

    assert net.signed_item(pid) == b"spawn item \x00\xff"
    assert net.signed_item(sent.id) == b"message item \x00\xff"
    assert net.signed_item(plain.id) is None            # not sent as an item
    reply = net.trace(sent.id).children[0].message
    assert net.signed_item(reply.id) is None            # pushed by the messenger, never signed
    assert net.signed_item("no-such-id") is None
    net.close()


def test_a_durable_devnet_keeps_signed_items_in_its_file_across_a_reopen(tmp_path):
    path, net, owner, alice, pid = counter_net(tmp_path)
    sent = net.send(alice, pid, tags={"Action": "Inc"}, signed=b"item bytes")
    net.close()

    db = sqlite3.connect(path)          # written with the chain, not held in memory
    assert db.execute("SELECT id, raw FROM items").fetchall() == [(sent.id, b"item bytes")]
    db.close()
    again = Devnet(path, DevnetConfig.for_tests())
    assert again.signed_item(sent.id) == b"item bytes"
    again.close()
