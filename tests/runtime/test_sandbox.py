"""The sandbox: no escape hatches, and limits that end a message instead of the devnet."""

import pytest

from tim3.errors import RuntimeLimitError


def ev(devnet, owner, pid, code):
    return devnet.eval(owner, pid, code)


@pytest.mark.parametrize("expr", [
    "io", "os.execute", "os.getenv", "os.remove", "debug.sethook", "debug.getinfo",
    "debug.getregistry", "python", "package.loadlib", "loadfile", "dofile", "require('io')",
], ids=lambda e: e)
def test_dangerous_globals_are_absent(devnet, deployer, expr):
    pid = devnet.spawn(deployer, "")

    r = ev(devnet, deployer, pid, f"return tostring(pcall(function() return {expr} end) and {expr} or nil)")

    assert r.result.output in ("nil", "false") or r.error is not None


def test_binary_chunks_cannot_be_loaded(devnet, deployer):
    pid = devnet.spawn(deployer, "")

    r = ev(devnet, deployer, pid, "local f, err = load(string.dump(function() return 1 end)); return tostring(f) .. ' ' .. tostring(err)")

    assert r.result.output.startswith("nil ")
    assert "binary" in r.result.output


def test_aos_compat_helpers_exist(devnet, deployer):
    pid = devnet.spawn(deployer, "")

    r = ev(devnet, deployer, pid, "return math.pow(2, 10) .. ' ' .. bit32.band(12, 10) .. ' ' .. bit32.lshift(1, 4)")

    assert r.result.output == "1024.0 8 16"


LOOP = "setmetatable({}, {__tostring = function() while true do end end})"

ENDLESS = {
    "plain": "while true do end",
    "pcall-swallowed": "while true do pcall(function() while true do end end) end",
    "coroutine": "local co = coroutine.wrap(function() while true do end end); co()",
    # the host reads these after the handler returned: a tag value it must turn into text …
    "tag-value": f"table.insert(ao.outbox.Messages, {{Target = ao.id, Tags = {{{{name = 'A', "
                 f"value = {LOOP}}}}}}})",
    "data": f"table.insert(ao.outbox.Messages, {{Target = ao.id, Data = {LOOP}}})",
    # … an outbox entry whose fields are computed, an outbox whose length is
    "entry-index": "table.insert(ao.outbox.Messages, "
                   "setmetatable({}, {__index = function() while true do end end}))",
    "outbox-length": "ao.outbox.Messages = setmetatable({}, {__len = function() while true do end end})",
    # replacing a global the host relies on does not lift the budget
    "error-replaced": "error = function() end; while true do end",
    "create-replaced": "coroutine.create = function(f) return f end; while true do end",
    "pcall-replaced": "pcall = function(f, ...) return true, f(...) end; while true do end",
}


@pytest.mark.parametrize("code", ENDLESS.values(), ids=ENDLESS.keys())
def test_endless_work_ends_the_message_with_an_error(devnet, deployer, code):
    pid = devnet.spawn(deployer, "Count = 1", instruction_limit=2_000_000)

    r = ev(devnet, deployer, pid, f"Count = 99; {code}")
    after = ev(devnet, deployer, pid, "return Count")

    assert r.error == "instruction budget exceeded"
    assert after.result.output == "1"


def test_a_memory_bomb_ends_the_message_and_the_process_lives_on(devnet, deployer):
    pid = devnet.spawn(deployer, "Count = 1", memory_limit=32 * 1024 * 1024)

    r = ev(devnet, deployer, pid, "Count = 2; local t = {}; for i = 1, 1e8 do t[i] = ('x'):rep(64) .. i end")
    after = ev(devnet, deployer, pid, "Count = Count + 1; return Count")

    assert "not enough memory" in r.error
    assert after.result.output == "2"


def test_a_snapshot_does_not_call_replaced_globals(devnet, deployer):
    pid = devnet.spawn(deployer, "Count = 1", instruction_limit=2_000_000)
    ev(devnet, deployer, pid, "coroutine.status = function() while true do end end; "
                              "collectgarbage = function() while true do end end")

    for _ in range(30):                 # enough work for the VM to take snapshots
        ev(devnet, deployer, pid, "Count = Count + 1")
    failed = ev(devnet, deployer, pid, "Count = 0; error('no')")    # a restore
    after = ev(devnet, deployer, pid, "return Count")

    assert failed.error is not None
    assert after.result.output == "31"


def test_finalizers_are_refused_so_none_can_run_outside_a_message(devnet, deployer):
    pid = devnet.spawn(deployer, "Count = 1", instruction_limit=2_000_000)

    r = ev(devnet, deployer, pid, "Count = 99; for i = 1, 100 do "
                                  "setmetatable({}, {__gc = function() while true do end end}) end")
    churn = [ev(devnet, deployer, pid, "local t = {} for i = 1, 10000 do t[i] = {i} end "
                                       "collectgarbage() return #t") for _ in range(5)]
    after = ev(devnet, deployer, pid, "return Count")

    assert "__gc metamethods are not available" in r.error
    assert all(c.result.output == "10000" for c in churn)
    assert after.result.output == "1"


def test_a_memory_limit_too_small_for_the_runtime_is_a_clear_error(devnet, deployer):
    count = len(devnet.processes())

    with pytest.raises(RuntimeLimitError, match="does not fit in a memory limit of 102,400"):
        devnet.spawn(deployer, "Count = 1", memory_limit=100 * 1024)

    assert len(devnet.processes()) == count


def test_a_send_cut_short_by_the_budget_leaves_nothing_in_the_next_send(devnet, deployer):
    pid = devnet.spawn(deployer, "", instruction_limit=2_000_000)

    # ao.send collects the message's keys in scratch space kept between calls; the budget
    # trips while it walks 200,000 of them (building them alone fits the budget), and the
    # rollback must take the half-filled scratch back with the rest of the state.
    cut = ev(devnet, deployer, pid, "local m = { Target = ao.id } "
                                    "for i = 1, 200000 do m['K' .. i] = 'v' end ao.send(m)")
    sent = ev(devnet, deployer, pid, "ao.send({ Target = ao.id, Action = 'Hi', Z = 'z' })")

    assert cut.error == "instruction budget exceeded"
    out = sent.result.messages[0]
    assert [name for name, _ in out.tags] == [
        "Data-Protocol", "Variant", "Type", "Reference", "Action", "Z"]
