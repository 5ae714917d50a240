"""An Error result leaves no trace: state and outbox roll back (§1.4, the CU's rule)."""

from tim3.devnet import Kind

SOURCE = """
Counter = Counter or 0
Nested = Nested or { a = { b = 1 }, list = { 1, 2, 3 } }
local hidden = 0
function Hidden() return hidden end
Handlers.add("ok", "Ok", function(m) Counter = Counter + 1; hidden = hidden + 1 end)
Handlers.add("boom", "Boom", function(m)
  Counter = 1000
  hidden = 1000
  Nested.a.b = 42
  Nested.a.new = {}
  table.insert(Nested.list, 4)
  Nested.list[1] = nil
  setmetatable(Nested, { __index = function() return "poisoned" end })
  Handlers.add("intruder", "Intrude", function() Counter = -1 end)
  NewGlobal = true
  Send({ Target = m.From, Action = "Should-Not-Arrive" })
  error("boom")
end)
"""

STATE = "return Counter .. ' ' .. Hidden() .. ' ' .. Nested.a.b .. ' ' .. tostring(Nested.a.new) .. ' ' .. #Nested.list .. ' ' .. tostring(Nested.zzz) .. ' ' .. tostring(NewGlobal)"


def state(devnet, owner, pid):
    return devnet.eval(owner, pid, STATE).result.output


def test_globals_nested_tables_upvalues_and_metatables_roll_back(devnet, deployer, alice):
    pid = devnet.spawn(deployer, SOURCE)
    devnet.send(alice, pid, tags={"Action": "Ok"})

    r = devnet.send(alice, pid, tags={"Action": "Boom"})

    assert "boom" in r.error
    assert state(devnet, deployer, pid) == "1 1 1 nil 3 nil nil"


def test_an_erroring_message_sends_nothing(devnet, deployer, alice):
    pid = devnet.spawn(deployer, SOURCE)

    r = devnet.send(alice, pid, tags={"Action": "Boom"})

    assert r.result.messages == [] and r.messages == []


def test_handlers_added_by_a_failing_message_are_gone(devnet, deployer, alice):
    pid = devnet.spawn(deployer, SOURCE)
    devnet.send(alice, pid, tags={"Action": "Boom"})

    devnet.send(alice, pid, tags={"Action": "Intrude"})

    assert state(devnet, deployer, pid).startswith("0 ")


def test_reference_counter_rolls_back_with_the_outbox(devnet, deployer, alice):
    pid = devnet.spawn(deployer, SOURCE)
    devnet.send(alice, pid, tags={"Action": "Boom"})

    r = devnet.eval(deployer, pid, "Send({Target = 'x'}); return ao.reference")

    assert r.result.output == "1"


def test_state_is_right_after_errors_interleaved_with_many_successes(devnet, deployer, alice):
    pid = devnet.spawn(deployer, SOURCE)

    for i in range(300):
        devnet.send(alice, pid, tags={"Action": "Boom" if i % 7 == 3 else "Ok"})

    ok_count = sum(1 for i in range(300) if i % 7 != 3)
    assert state(devnet, deployer, pid) == f"{ok_count} {ok_count} 1 nil 3 nil nil"


def test_a_flood_of_failing_messages_changes_nothing(devnet, deployer, alice):
    pid = devnet.spawn(deployer, SOURCE)
    devnet.send(alice, pid, tags={"Action": "Ok"})

    errors = [devnet.send(alice, pid, tags={"Action": "Boom"}).error for _ in range(200)]

    assert all(errors)
    assert state(devnet, deployer, pid) == "1 1 1 nil 3 nil nil"
    assert devnet.process(pid).vm.stats["replayed"] <= 5  # no replay per error


def test_dry_run_changes_nothing(devnet, deployer, alice):
    pid = devnet.spawn(deployer, SOURCE)

    result = devnet.dryrun(pid, tags={"Action": "Ok"}, sender=alice)
    devnet.dryrun(pid, tags={"Action": "Eval"}, data="Send({Target = 'x'})", sender=deployer)

    assert result.ok
    assert state(devnet, deployer, pid) == "0 0 1 nil 3 nil nil"
    r = devnet.eval(deployer, pid, "Send({Target = 'x'}); return ao.reference")
    assert r.result.output == "1"
    assert not [m for m in r.messages if m.kind == Kind.DROPPED]


def test_rollback_keeps_a_process_trusting_the_messenger(devnet, deployer):
    # Regression: the first snapshot predates boot; a restore used to leave the process with no
    # authorities (env had been rewritten in place), so it dropped every later pushed message.
    holder = devnet.spawn(deployer, 'Handlers.add("c", "Credit-Notice", function(m) Got = m.From end)',
                          tags={"Name": "holder"})
    sender = devnet.spawn(deployer, "")
    devnet.dryrun(holder, tags={"Action": "Anything"})
    devnet.eval(deployer, holder, "error('roll me back')")

    devnet.eval(deployer, sender, f"Send({{Target = '{holder}', Action = 'Credit-Notice'}})")

    out = devnet.eval(deployer, holder, "return Got .. ' ' .. Name .. ' ' .. #ao.authorities").result.output
    assert out == f"{sender} holder 1"


def test_a_state_too_big_to_copy_still_rolls_back(devnet, deployer):
    # 200,000 small tables fill most of 48 MiB: a snapshot's copy of them does not fit.
    pid = devnet.spawn(deployer, "Big = {}", memory_limit=48 * 1024 * 1024)

    filled = devnet.eval(deployer, pid, "for i = 1, 200000 do Big[i] = {i, tostring(i)} end "
                                        "return #Big")
    failed = devnet.eval(deployer, pid, "Big[1] = nil; Big[2] = nil; error('no')")
    kept = devnet.eval(deployer, pid, "return tostring(#Big) .. ' ' .. Big[1][2]")

    assert filled.result.output == "200000"
    assert failed.error is not None
    assert kept.result.output == "200000 1"
    assert devnet.process(pid).vm.stats["snapshots_skipped"] >= 1
