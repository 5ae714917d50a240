"""Devnet routing as the messenger does it, quiescence, the chain bound, dry-run, trace."""

import pytest

from tim3.devnet import Devnet, DevnetConfig, Kind
from tim3.errors import DevnetError, MessageLimitReached, ProcessNotFound

RELAY = """
Handlers.add("relay", "Relay", function(m)
  if m.Next and m.Next ~= "" then
    local rest = m.Rest or ""
    local nxt, tail = rest:match("^([^,]*),?(.*)$")
    Send({Target = m.Next, Action = "Relay", Next = nxt, Rest = tail, Hop = tostring((tonumber(m.Hop) or 0) + 1)})
  else
    Got = m.Hop
    m.reply({Action = "Done", Hop = m.Hop})
  end
end)
"""

PINGPONG = """
Handlers.add("ping", "Ping", function(m) Send({Target = m.From, Action = "Ping"}) end)
"""


def test_pushed_messages_carry_the_messenger_fields(devnet, deployer, alice):
    a = devnet.spawn(deployer, RELAY)
    b = devnet.spawn(deployer, RELAY)

    r = devnet.send(alice, a, tags={"Action": "Relay", "Next": b, "Hop": "0"})

    pushed = r.first("Relay", target=b)
    assert pushed.owner == devnet.mu.address
    assert pushed.from_ == a
    assert pushed.tag("From-Process") == a
    assert pushed.tag("From-Module") == devnet.process(a).module
    assert pushed.tag("Pushed-For") == r.id
    assert pushed.tag("Reference") == "1"


def test_send_returns_when_the_whole_chain_is_delivered(devnet, deployer, alice):
    a, b, c = (devnet.spawn(deployer, RELAY) for _ in range(3))

    r = devnet.send(alice, a, tags={"Action": "Relay", "Next": b, "Rest": c, "Hop": "0"})

    assert [m.process for m in r.messages] == [b, c, b]  # b then c, c replies Done to b
    assert r.messages[-1].action == "Done"
    assert devnet.eval(deployer, c, "return Got").result.output == "2"


def test_messages_to_wallets_are_stored_not_evaluated(devnet, deployer, alice):
    a = devnet.spawn(deployer, RELAY)

    r = devnet.send(alice, a, tags={"Action": "Relay", "Hop": "0"})

    done = r.first("Done")
    assert done.kind == Kind.WALLET and done.process == alice.address
    assert done.result is None


def test_untargeted_messages_are_dropped_with_a_reason(devnet, deployer):
    a = devnet.spawn(deployer, "")

    r = devnet.eval(deployer, a, "Send({Action = 'Lost'})")

    (dropped,) = r.messages
    assert dropped.kind == Kind.DROPPED and "no Target" in dropped.reason


def test_a_ping_pong_stops_at_the_chain_limit(deployer):
    net = Devnet(config=DevnetConfig.for_tests(max_chain=50))
    deployer = net.wallet("deployer")
    a = net.spawn(deployer, PINGPONG)
    b = net.spawn(deployer, PINGPONG)

    with pytest.raises(MessageLimitReached) as info:
        net.eval(deployer, a, f"Send({{Target = '{b}', Action = 'Ping'}})")

    receipt = info.value.receipt
    assert receipt.limit_reached
    assert sum(1 for m in receipt.messages if m.kind == Kind.MESSAGE) == 50
    assert receipt.messages[-1].kind == Kind.DROPPED
    assert "50" in str(info.value)


def test_sending_to_an_unknown_process_is_a_clear_error(devnet, alice):
    with pytest.raises(ProcessNotFound, match="is not on this devnet"):
        devnet.send(alice, "x" * 43, tags={"Action": "Hi"})


def test_slots_timestamps_and_block_heights_only_move_forward(devnet, deployer, alice):
    a = devnet.spawn(deployer, RELAY)

    for _ in range(3):
        devnet.send(alice, a, tags={"Action": "Relay", "Hop": "0"})
    devnet.advance(10 * 60_000)
    devnet.send(alice, a, tags={"Action": "Relay", "Hop": "0"})

    records = devnet.messages(a)
    assert [m.slot for m in records] == list(range(len(records)))
    stamps = [m.timestamp for m in records]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    heights = [m.block_height for m in records]
    assert heights == sorted(heights) and heights[-1] > heights[0]


def test_dry_run_reads_without_scheduling(devnet, deployer, alice):
    a = devnet.spawn(deployer, 'Handlers.add("b", "Balance", function(m) m.reply({Balance = "7"}) end)')
    before = len(devnet.messages(a))

    result = devnet.dryrun(a, tags={"Action": "Balance"}, sender=alice)

    assert result.messages[0].tag("Balance") == "7"
    assert result.messages[0].action is None
    assert result.messages[0].target == alice.address
    assert len(devnet.messages(a)) == before


def test_the_trace_tree_reads_back_in_causal_order(devnet, deployer, alice):
    a, b = devnet.spawn(deployer, RELAY), devnet.spawn(deployer, RELAY)
    r = devnet.send(alice, a, tags={"Action": "Relay", "Next": b, "Hop": "0"})

    tree = devnet.trace(r.id)

    assert [m.action for m in tree.walk()] == ["Relay", "Relay", "Done"]
    assert tree.children[0].children[0].message.process == a
    text = tree.render({alice.address: "alice", a: "A", b: "B"})
    assert text.splitlines() == [
        "alice → A  Relay",
        "  A → B  Relay",
        "    B → A  Done",
    ]


def test_the_trace_of_a_long_chain_does_not_recurse(deployer):
    net = Devnet(config=DevnetConfig.for_tests(max_chain=3000))
    deployer = net.wallet("deployer")
    a, b = net.spawn(deployer, PINGPONG), net.spawn(deployer, PINGPONG)

    with pytest.raises(MessageLimitReached) as info:
        net.eval(deployer, a, f"Send({{Target = '{b}', Action = 'Ping'}})")

    assert len(info.value.receipt.tree.render().splitlines()) > 3000


@pytest.mark.parametrize(("tags", "data", "says"), [
    ({"Action": "Relay", "Hop": 5}, "", "Tag 'Hop' has a int value"),
    ({"Action": "Relay"}, "\udc80", "cannot be sent as UTF-8"),
    ({"Action": "Relay\ud800"}, "", "cannot be sent as UTF-8"),
    ({"Action": "Relay"}, b"bytes", "data must be text"),
])
def test_a_message_ao_cannot_carry_is_refused_before_it_is_scheduled(
        devnet, deployer, alice, tags, data, says):
    pid = devnet.spawn(deployer, RELAY)
    before = devnet.messages(pid)

    with pytest.raises(DevnetError, match=says):
        devnet.send(alice, pid, tags=tags, data=data)
    with pytest.raises(DevnetError, match=says):
        devnet.dryrun(pid, tags=tags, data=data)

    assert devnet.messages(pid) == before
    assert devnet.send(alice, pid, tags={"Action": "Relay"}).ok
    assert devnet.messages(pid)[-1].slot == before[-1].slot + 1


def test_a_spawn_ao_cannot_carry_is_refused(devnet, deployer):
    count = len(devnet.processes())

    with pytest.raises(DevnetError, match="Tag 'Name' has a int value"):
        devnet.spawn(deployer, RELAY, tags={"Name": 7})

    assert len(devnet.processes()) == count
