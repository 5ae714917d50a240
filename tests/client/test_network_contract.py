"""The AoNetwork contract: HttpNetwork (through the node) and LocalNetwork (in process) behave
alike — spawn, message, eval, result, results paging and dry-run, and the errors they raise."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tim3.arweave import DataItem, Wallet
from tim3.client import AoNetwork, HttpNetwork, LocalNetwork, Result
from tim3.devnet import MODULE_ID, Devnet, DevnetConfig
from tim3.errors import ClientError
from tim3.node import NodeServer

COUNTER = """
Count = Count or 0
Handlers.add("Ping", Handlers.utils.hasMatchingTag("Action", "Ping"), function(msg)
  Count = Count + 1
  msg.reply({ Action = "Pong", Count = tostring(Count), Data = "pong " .. tostring(Count) })
end)
Handlers.add("Count", Handlers.utils.hasMatchingTag("Action", "Count"), function(msg)
  msg.reply({ Action = "Count-Notice", Data = tostring(Count) })
end)
Handlers.add("Whoami", Handlers.utils.hasMatchingTag("Action", "Whoami"), function(msg)
  msg.reply({ Action = "You-Are", Data = msg.From })
end)
Handlers.add("Fail", Handlers.utils.hasMatchingTag("Action", "Fail"), function(msg)
  error("asked to fail")
end)
"""

UNKNOWN = "A" * 43


def _network(kind: str, devnet: Devnet, wallet: Wallet, node: NodeServer | None) -> AoNetwork:
    if kind == "local":
        return LocalNetwork(devnet, wallet)
    assert node is not None
    return HttpNetwork.for_node(node.url, wallet, timeout=10, retries=0)


@pytest.fixture(params=["local", "http"])
def net(request: pytest.FixtureRequest, devnet: Devnet, alice: Wallet) -> Iterator[AoNetwork]:
    """Alice's view of the test devnet: in process, or over HTTP through a node."""
    node = request.getfixturevalue("node") if request.param == "http" else None
    with _network(request.param, devnet, alice, node) as network:
        yield network


def _spawn(net: AoNetwork, devnet: Devnet) -> str:
    return net.spawn(MODULE_ID, devnet.su.address,
                     {"Name": "counter", "Authority": devnet.mu.address, "On-Boot": "Data"},
                     COUNTER)


def _signed_ping(wallet: Wallet, pid: str, data: str = "signed elsewhere") -> DataItem:
    return DataItem.create(wallet, data, target=pid, tags=[
        ("Action", "Ping"), ("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Message")])


def _count(result: Result) -> str | None:
    pong = result.find("Pong")
    return pong.tags["Count"] if pong else None


def test_spawn_boots_the_lua_source_given_as_data(net: AoNetwork, devnet: Devnet) -> None:
    pid = _spawn(net, devnet)

    answer = net.dry_run(pid, {"Action": "Count"})

    assert devnet.is_process(pid)
    assert devnet.process(pid).tag("Authority") == devnet.mu.address
    assert answer.messages[0].data == "0"


def test_message_result_holds_the_handler_reply(net: AoNetwork, devnet: Devnet,
                                                alice: Wallet) -> None:
    pid = _spawn(net, devnet)

    mid = net.message(pid, {"Action": "Ping"})
    result = net.result(pid, mid)

    assert result.ok
    reply = result.messages[0]
    assert reply.target == alice.address
    assert reply.tags["Action"] == "Pong"
    assert reply.tags["Count"] == "1"
    assert reply.data == "pong 1"


def test_message_carries_the_user_tags_and_the_protocol_tags(net: AoNetwork,
                                                             devnet: Devnet) -> None:
    pid = _spawn(net, devnet)

    mid = net.message(pid, {"Action": "Ping", "X-Memo": "hello"}, data="payload")

    record = devnet.message(mid, pid)
    assert list(record.tags[:2]) == [("Action", "Ping"), ("X-Memo", "hello")]
    assert ("Data-Protocol", "ao") in record.tags
    assert ("Type", "Message") in record.tags
    assert record.data == "payload"


def test_eval_adds_a_handler_that_a_later_message_reaches(net: AoNetwork, devnet: Devnet) -> None:
    pid = _spawn(net, devnet)
    code = ('Handlers.add("Echo", Handlers.utils.hasMatchingTag("Action", "Echo"), '
            'function(msg) msg.reply({ Action = "Echoed", Data = msg.Data }) end)')

    evaluated = net.result(pid, net.eval(pid, code))
    echoed = net.result(pid, net.message(pid, {"Action": "Echo"}, data="say this"))

    assert evaluated.ok
    assert echoed.find("Echoed") is not None
    assert echoed.find("Echoed").data == "say this"  # type: ignore[union-attr]


def test_results_pages_forward_with_cursors_until_the_last_page(net: AoNetwork,
                                                                 devnet: Devnet) -> None:
    pid = _spawn(net, devnet)
    for _ in range(4):
        net.message(pid, {"Action": "Ping"})

    pages = [net.results(pid, limit=2)]
    while pages[-1].has_next_page:
        pages.append(net.results(pid, from_=pages[-1].last_cursor, limit=2))

    assert [len(p.edges) for p in pages] == [2, 2, 1]          # the boot, then four pings
    counts = [_count(r) for p in pages for r in p.results]
    assert counts == [None, "1", "2", "3", "4"]


def test_results_in_desc_order_start_with_the_newest(net: AoNetwork, devnet: Devnet) -> None:
    pid = _spawn(net, devnet)
    for _ in range(3):
        net.message(pid, {"Action": "Ping"})

    first = net.results(pid, sort="DESC", limit=1)
    second = net.results(pid, from_=first.last_cursor, sort="DESC", limit=1)

    assert _count(first.results[0]) == "3"
    assert _count(second.results[0]) == "2"
    assert second.has_next_page


def test_results_to_cursor_ends_the_window_at_that_result(net: AoNetwork, devnet: Devnet) -> None:
    pid = _spawn(net, devnet)
    for _ in range(4):
        net.message(pid, {"Action": "Ping"})
    everything = net.results(pid, limit=100)

    window = net.results(pid, from_=everything.cursors[0], to=everything.cursors[2])

    assert [_count(r) for r in window.results] == ["1", "2"]
    assert not window.has_next_page


def test_dry_run_answers_without_changing_the_process(net: AoNetwork, devnet: Devnet) -> None:
    pid = _spawn(net, devnet)
    before = len(devnet.messages(pid))

    pinged = net.dry_run(pid, {"Action": "Ping"})
    counted = net.dry_run(pid, {"Action": "Count"})

    assert _count(pinged) == "1"
    assert counted.messages[0].data == "0"
    assert len(devnet.messages(pid)) == before
    assert len(net.results(pid).edges) == 1


def test_dry_run_owner_is_the_sender_the_process_sees(net: AoNetwork, devnet: Devnet,
                                                      bob: Wallet) -> None:
    pid = _spawn(net, devnet)

    answer = net.dry_run(pid, {"Action": "Whoami"}, owner=bob.address)

    assert answer.find("You-Are").data == bob.address  # type: ignore[union-attr]


def test_a_failing_handler_gives_an_error_result_left_out_of_results(net: AoNetwork,
                                                                      devnet: Devnet) -> None:
    pid = _spawn(net, devnet)

    failed = net.result(pid, net.message(pid, {"Action": "Fail"}))

    assert not failed.ok
    assert "asked to fail" in (failed.error or "")
    assert failed.messages == []
    assert len(net.results(pid).edges) == 1


def test_an_item_signed_elsewhere_is_evaluated_as_signed(net: AoNetwork, devnet: Devnet,
                                                         bob: Wallet) -> None:
    pid = _spawn(net, devnet)
    item = _signed_ping(bob, pid)

    mid = net.send_signed(item)
    result = net.result(pid, mid)

    assert mid == item.id
    assert devnet.message(mid, pid).owner == bob.address
    assert devnet.message(mid, pid).data == "signed elsewhere"
    assert result.find("Pong").target == bob.address  # type: ignore[union-attr]


def test_a_spawn_item_signed_elsewhere_spawns_the_process(net: AoNetwork, devnet: Devnet,
                                                          bob: Wallet) -> None:
    item = DataItem.create(bob, "Booted = true", tags=[
        ("Name", "signed"), ("On-Boot", "Data"), ("Data-Protocol", "ao"), ("Variant", "ao.TN.1"),
        ("Type", "Process"), ("Module", MODULE_ID), ("Scheduler", devnet.su.address)])

    pid = net.send_signed(item)

    assert pid == item.id
    assert devnet.process(pid).owner == bob.address
    assert devnet.process(pid).name == "signed"


def _tampered(item: DataItem) -> DataItem:
    """The same item with its last data byte changed after signing."""
    return DataItem.decode(item.raw[:-1] + bytes([item.raw[-1] ^ 1]))


@pytest.mark.parametrize(
    ("make", "status", "phrase"),
    [
        pytest.param(lambda w, pid: _tampered(_signed_ping(w, pid)), 400,
                     "signature does not verify", id="bad-signature"),
        pytest.param(lambda w, pid: DataItem.create(w, "x", target=pid, tags=[
            ("Action", "Ping"), ("Type", "Message")]), 400, "Data-Protocol", id="not-ao"),
        pytest.param(lambda w, pid: _signed_ping(w, UNKNOWN), 404, UNKNOWN, id="unknown-target"),
        pytest.param(lambda w, pid: DataItem.create(w, "x", target=pid, tags=[
            ("Data-Protocol", "ao"), ("Type", "Assignment")]), 400, "Type tag",
            id="bad-type"),
    ],
)
def test_a_refused_signed_item_is_a_client_error_and_changes_nothing(
        net: AoNetwork, devnet: Devnet, bob: Wallet, make, status: int, phrase: str) -> None:
    pid = _spawn(net, devnet)
    item = make(bob, pid)
    before = len(devnet.messages())

    with pytest.raises(ClientError, match=phrase) as caught:
        net.send_signed(item)

    assert caught.value.status == status  # type: ignore[attr-defined]
    assert len(devnet.messages()) == before


def test_an_item_sent_twice_is_refused_the_second_time(net: AoNetwork, devnet: Devnet,
                                                       bob: Wallet) -> None:
    pid = _spawn(net, devnet)
    item = _signed_ping(bob, pid)
    net.send_signed(item)
    before = len(devnet.messages())

    with pytest.raises(ClientError, match="already received") as caught:
        net.send_signed(item)

    assert caught.value.status == 400  # type: ignore[attr-defined]
    assert len(devnet.messages()) == before


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda net: net.result(UNKNOWN, UNKNOWN), id="result"),
        pytest.param(lambda net: net.results(UNKNOWN), id="results"),
        pytest.param(lambda net: net.dry_run(UNKNOWN, {"Action": "Count"}), id="dry-run"),
        pytest.param(lambda net: net.message(UNKNOWN, {"Action": "Ping"}), id="message"),
    ],
)
def test_an_unknown_process_is_a_client_error_with_status_404(net: AoNetwork, call) -> None:
    with pytest.raises(ClientError, match=UNKNOWN) as caught:
        call(net)

    assert caught.value.status == 404  # type: ignore[attr-defined]


def test_the_result_of_an_unknown_message_is_a_client_error_with_status_404(
        net: AoNetwork, devnet: Devnet) -> None:
    pid = _spawn(net, devnet)

    with pytest.raises(ClientError, match="was not scheduled") as caught:
        net.result(pid, UNKNOWN)

    assert caught.value.status == 404  # type: ignore[attr-defined]


def test_a_bad_cursor_is_a_client_error_with_status_400(net: AoNetwork, devnet: Devnet) -> None:
    pid = _spawn(net, devnet)

    with pytest.raises(ClientError, match="not-a-cursor") as caught:
        net.results(pid, from_="not-a-cursor")

    assert caught.value.status == 400  # type: ignore[attr-defined]


def test_both_networks_answer_one_workload_with_the_same_json(alice: Wallet) -> None:
    answers = []
    for kind in ("local", "http"):
        with Devnet(config=DevnetConfig.for_tests()) as devnet, \
                NodeServer(devnet, port=0) as node, \
                _network(kind, devnet, alice, node) as net:
            pid = _spawn(net, devnet)
            ids = [net.message(pid, {"Action": a}) for a in ("Ping", "Ping", "Fail", "Count")]
            answers.append({
                "results": dict(net.results(pid, limit=10)),
                "desc": dict(net.results(pid, sort="DESC", limit=2)),
                "result": [dict(net.result(pid, mid)) for mid in ids],
                "dry-run": dict(net.dry_run(pid, {"Action": "Count"})),
            })

    local, http = answers

    assert local == http
