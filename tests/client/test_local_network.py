"""LocalNetwork's own behaviour: what it does where the devnet and the node could differ."""

from __future__ import annotations

import pytest

from tim3.arweave import Wallet
from tim3.client import LocalNetwork
from tim3.devnet import MODULE_ID, Devnet, DevnetConfig
from tim3.errors import ClientError

PING = """
Handlers.add("Ping", Handlers.utils.hasMatchingTag("Action", "Ping"), function(msg)
  msg.reply({ Action = "Pong", Data = msg.Data })
end)
"""
LOOP = """
Handlers.add("Loop", Handlers.utils.hasMatchingTag("Action", "Loop"), function(msg)
  Send({ Target = ao.id, Action = "Loop" })
end)
"""


def _spawn(net: LocalNetwork, devnet: Devnet, source: str) -> str:
    return net.spawn(MODULE_ID, devnet.su.address,
                     {"Authority": devnet.mu.address, "On-Boot": "Data"}, source)


def test_a_process_whose_boot_fails_still_exists_with_the_error_as_first_result(
        devnet: Devnet, alice: Wallet) -> None:
    net = LocalNetwork(devnet, alice)

    pid = _spawn(net, devnet, 'error("broken boot")')

    assert devnet.is_process(pid)
    assert "broken boot" in (net.result(pid, pid).error or "")


def test_a_message_whose_chain_hits_the_limit_still_returns_its_id(alice: Wallet) -> None:
    with Devnet(config=DevnetConfig.for_tests(max_chain=5)) as devnet:
        net = LocalNetwork(devnet, alice)
        pid = _spawn(net, devnet, LOOP)

        mid = net.message(pid, {"Action": "Loop"})

        assert net.result(pid, mid).ok
        assert devnet.message(mid).root == mid


def test_bytes_data_reaches_the_process_as_text(devnet: Devnet, alice: Wallet) -> None:
    net = LocalNetwork(devnet, alice)
    pid = _spawn(net, devnet, PING)

    mid = net.message(pid, {"Action": "Ping"}, data="héllo".encode())

    assert net.result(pid, mid).find("Pong").data == "héllo"  # type: ignore[union-attr]


def test_empty_data_is_sent_as_a_space_marked_as_text(devnet: Devnet, alice: Wallet) -> None:
    net = LocalNetwork(devnet, alice)
    pid = _spawn(net, devnet, PING)

    mid = net.message(pid, {"Action": "Ping"})

    record = devnet.message(mid)
    assert record.data == " "
    assert record.tag("Content-Type") == "text/plain"
    assert record.tag("SDK") == "tim3"


def test_results_paging_keeps_results_that_share_a_millisecond(
        devnet: Devnet, alice: Wallet, monkeypatch: pytest.MonkeyPatch) -> None:
    net = LocalNetwork(devnet, alice)
    pid = _spawn(net, devnet, PING)
    monkeypatch.setattr(devnet.clock, "now", devnet.clock.peek)   # every message in one ms
    for i in range(3):
        net.message(pid, {"Action": "Ping"}, data=str(i))

    for sort, expected in (("ASC", ["", "0", "1", "2"]), ("DESC", ["2", "1", "0", ""])):
        seen: list[str] = []
        cursor = None
        while True:
            page = net.results(pid, from_=cursor, sort=sort, limit=1)  # type: ignore[arg-type]
            seen += [r.find("Pong").data if r.find("Pong") else "" for r in page.results]
            if not page.has_next_page:
                break
            cursor = page.last_cursor
        assert seen == expected, sort


def test_a_raw_timestamp_cursor_covers_its_whole_millisecond(
        devnet: Devnet, alice: Wallet, monkeypatch: pytest.MonkeyPatch) -> None:
    net = LocalNetwork(devnet, alice)
    pid = _spawn(net, devnet, PING)
    monkeypatch.setattr(devnet.clock, "now", devnet.clock.peek)
    net.message(pid, {"Action": "Ping"})
    stamp = str(devnet.clock.peek())

    after = net.results(pid, from_=stamp)
    upto = net.results(pid, to=stamp)

    assert after.edges == []
    assert len(upto.edges) == 2


@pytest.mark.parametrize(("options", "phrase"), [
    pytest.param({"sort": "SIDEWAYS"}, "'sort' must be ASC or DESC", id="sort"),
    pytest.param({"limit": 0}, "between 1 and 1000, got 0", id="limit"),
])
def test_bad_results_options_are_refused_like_the_node(devnet: Devnet, alice: Wallet,
                                                        options: dict, phrase: str) -> None:
    net = LocalNetwork(devnet, alice)
    pid = _spawn(net, devnet, PING)

    with pytest.raises(ClientError, match=phrase) as caught:
        net.results(pid, **options)

    assert caught.value.status == 400  # type: ignore[attr-defined]


def test_a_tag_value_that_is_not_a_string_is_a_type_error(devnet: Devnet, alice: Wallet) -> None:
    net = LocalNetwork(devnet, alice)
    pid = _spawn(net, devnet, PING)

    with pytest.raises(TypeError, match=r"Tag 'Quantity' must have a string value, got 5"):
        net.message(pid, {"Action": "Ping", "Quantity": 5})  # type: ignore[dict-item]
