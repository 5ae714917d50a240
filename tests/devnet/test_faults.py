"""Fault injection: the messenger can lose, hold back (reorder) or duplicate pushed messages."""

import pytest

from tim3.devnet import Kind, once, to_process
from tim3.errors import DevnetError

COUNTER = 'Handlers.add("n", "Note", function(m) Seen = (Seen or "") .. m.N end)'


def setup(devnet, deployer):
    sink = devnet.spawn(deployer, COUNTER)
    source = devnet.spawn(deployer, "")
    return source, sink


def emit(devnet, deployer, source, sink, *ns):
    code = " ".join(f"Send({{Target = '{sink}', Action = 'Note', N = '{n}'}})" for n in ns)
    return devnet.eval(deployer, source, code)


def seen(devnet, deployer, sink):
    return devnet.eval(deployer, sink, "return Seen or ''").result.output


def test_a_dropped_message_never_arrives_and_says_why(devnet, deployer):
    source, sink = setup(devnet, deployer)
    devnet.faults.append(once(to_process(sink, "Note"), "drop"))

    r = emit(devnet, deployer, source, sink, 1, 2)

    assert seen(devnet, deployer, sink) == "2"
    assert [m.reason for m in r.messages if m.kind == Kind.DROPPED] == ["fault injected: drop"]


def test_held_messages_arrive_when_released_in_any_order(devnet, deployer):
    source, sink = setup(devnet, deployer)
    devnet.faults.append(lambda sender, out: "hold" if out.target == sink else None)
    emit(devnet, deployer, source, sink, 1, 2, 3)
    devnet.faults.clear()

    devnet.release(2)
    devnet.release(0)
    devnet.release(0)

    assert seen(devnet, deployer, sink) == "312"
    assert devnet.held == []


def test_a_duplicated_message_is_delivered_twice(devnet, deployer):
    source, sink = setup(devnet, deployer)
    devnet.faults.append(once(to_process(sink, "Note"), "duplicate"))

    r = emit(devnet, deployer, source, sink, 7)

    assert seen(devnet, deployer, sink) == "77"
    assert len(r.find("Note", target=sink)) == 2


def test_releasing_nothing_is_a_clear_error(devnet):
    with pytest.raises(DevnetError, match="No held message number 0"):
        devnet.release()
