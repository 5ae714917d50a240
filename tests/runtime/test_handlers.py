"""Handlers: registration order, pattern results, once/maxRuns, utils (ao-protocol.md §1.9)."""

import pytest

from tim3.devnet import Devnet


def spawn(devnet: Devnet, owner, lua: str) -> str:
    return devnet.spawn(owner, "Seen = Seen or {}\n" + lua)


def seen(devnet: Devnet, owner, pid: str) -> str:
    return devnet.eval(owner, pid, "return table.concat(Seen, ',')").result.output


def test_string_pattern_matches_action_exactly(devnet, deployer, alice):
    pid = spawn(devnet, deployer, 'Handlers.add("a", "Ping", function() table.insert(Seen, "a") end)')

    devnet.send(alice, pid, tags={"Action": "Ping"})
    devnet.send(alice, pid, tags={"Action": "ping"})

    assert seen(devnet, deployer, pid) == "a"


def test_table_pattern_is_case_insensitive_and_supports_wildcards_and_lua_patterns(
        devnet, deployer, alice):
    pid = spawn(devnet, deployer, """
Handlers.add("t", {Action = "transfer", Quantity = "_"}, function() table.insert(Seen, "t") end)
Handlers.add("p", {Action = "^Pay%-%a+$"}, function() table.insert(Seen, "p") end)
Handlers.add("f", {Action = function(v) return v == "Fn" end}, function() table.insert(Seen, "f") end)
""")

    devnet.send(alice, pid, tags={"Action": "TRANSFER", "Quantity": "1"})
    devnet.send(alice, pid, tags={"Action": "Transfer"})        # no Quantity: no match
    devnet.send(alice, pid, tags={"Action": "Pay-Now"})
    devnet.send(alice, pid, tags={"Action": "Fn"})

    assert seen(devnet, deployer, pid) == "t,p,f"


@pytest.mark.parametrize(
    ("result", "expected"),
    [("'continue'", "1,2"), ("1", "1,2"), ("'break'", "1"), ("true", "1"), ("-1", "1"),
     ("'skip'", "2"), ("0", "2"), ("false", "2")],
    ids=["continue", "one", "break", "true", "minus-one", "skip", "zero", "false"])
def test_pattern_results_decide_whether_later_handlers_run(devnet, deployer, alice, result, expected):
    pid = spawn(devnet, deployer, f"""
Handlers.add("one", function() return {result} end, function() table.insert(Seen, "1") end)
Handlers.add("two", "Go", function() table.insert(Seen, "2") end)
""")

    devnet.send(alice, pid, tags={"Action": "Go"})

    assert seen(devnet, deployer, pid) == expected


def test_pattern_returning_nil_fails_the_message(devnet, deployer, alice):
    pid = spawn(devnet, deployer, 'Handlers.add("bad", function() return nil end, function() end)')

    r = devnet.send(alice, pid, tags={"Action": "Go"})

    assert "Pattern result is not valid" in r.error


def test_add_prepend_before_after_place_handlers_in_order(devnet, deployer, alice):
    pid = spawn(devnet, deployer, """
local function mark(n) return function() table.insert(Seen, n) end end
local go = function(m) return m.Action == "Go" and "continue" or 0 end
Handlers.add("b", go, mark("b"))
Handlers.add("d", go, mark("d"))
Handlers.prepend("a", go, mark("a"))
Handlers.before("d").add("c", go, mark("c"))
Handlers.after("d").add("e", go, mark("e"))
Handlers.add("b", go, mark("B"))  -- same name: replaced in place
""")

    devnet.send(alice, pid, tags={"Action": "Go"})

    assert seen(devnet, deployer, pid) == "a,B,c,d,e"


def test_once_and_max_runs_remove_handlers_after_their_runs(devnet, deployer, alice):
    pid = spawn(devnet, deployer, """
Handlers.once("one", "Go", function() table.insert(Seen, "once") end)
Handlers.add("two", function(m) return m.Action == "Go" and "continue" or 0 end, function() table.insert(Seen, "max") end, 2)
""")

    for _ in range(3):
        devnet.send(alice, pid, tags={"Action": "Go"})

    assert seen(devnet, deployer, pid) == "once,max,max"


def test_remove_drops_a_handler_by_name(devnet, deployer, alice):
    pid = spawn(devnet, deployer, """
Handlers.add("x", "Go", function() table.insert(Seen, "x") end)
Handlers.remove("x")
Handlers.remove("not-there")
""")

    devnet.send(alice, pid, tags={"Action": "Go"})

    assert seen(devnet, deployer, pid) == ""


def test_unhandled_and_continue_only_messages_land_in_the_inbox(devnet, deployer, alice):
    pid = spawn(devnet, deployer,
                'Handlers.add("c", function() return "continue" end, function() end)\n'
                'Handlers.add("h", "Handled", function() end)')

    devnet.send(alice, pid, tags={"Action": "Unknown"})
    devnet.send(alice, pid, tags={"Action": "Handled"})

    out = devnet.eval(deployer, pid, "return #Inbox .. ' ' .. Inbox[#Inbox].Action").result.output
    assert out == "2 Unknown"  # the boot message and the unknown one


def test_handlers_utils_match_tags_data_and_reply(devnet, deployer, alice):
    pid = spawn(devnet, deployer, """
local u = Handlers.utils
Handlers.add("of", u.hasMatchingTagOf("Action", {"A1", "A2"}), u.reply("of"))
Handlers.add("data", u.hasMatchingData("ping"), u.reply({Action = "Pong"}))
Handlers.add("cont", u.continue(u.hasMatchingTag("Action", "C")), function() table.insert(Seen, "c") end)
Handlers.add("c2", u.hasMatchingTag("Action", "C"), u.reply("after"))
""")

    r1 = devnet.send(alice, pid, tags={"Action": "A2"})
    r2 = devnet.send(alice, pid, data="ping")
    r3 = devnet.send(alice, pid, tags={"Action": "C"})

    assert r1.result.messages[0].data == "of"
    assert r2.result.messages[0].tag("Action") == "Pong"
    assert r3.result.messages[0].data == "after"
    assert seen(devnet, deployer, pid) == "c"
