"""Handlers.receive / ao.send().receive(): a handler waits for a reply inside a coroutine."""

ASKER = """
Handlers.add("ask", "Ask", function(m)
  local reply = Send({Target = m.Oracle, Action = "Question"}).receive()
  Answer = reply.Data
  m.reply({Action = "Answered", Data = reply.Data})
end)
Handlers.add("boom", "Boom", function() Answer = "broken"; error("boom") end)
"""

ORACLE = 'Handlers.add("q", "Question", function(m) m.reply({Action = "Reply", Data = "42"}) end)'


def test_a_handler_can_wait_for_a_reply_from_another_process(devnet, deployer, alice):
    asker = devnet.spawn(deployer, ASKER)
    oracle = devnet.spawn(deployer, ORACLE)

    r = devnet.send(alice, asker, tags={"Action": "Ask", "Oracle": oracle})

    assert r.first("Answered").data == "42"
    assert devnet.eval(deployer, asker, "return Answer").result.output == "42"


def test_an_error_while_a_handler_waits_rolls_back_exactly(devnet, deployer, alice):
    asker = devnet.spawn(deployer, ASKER)
    quiet = devnet.spawn(deployer, "")  # never replies: the asker stays suspended
    devnet.send(alice, asker, tags={"Action": "Ask", "Oracle": quiet})

    r = devnet.send(alice, asker, tags={"Action": "Boom"})

    assert "boom" in r.error
    out = devnet.eval(deployer, asker, "return tostring(Answer) .. ' ' .. #Handlers.coroutines")
    assert out.result.output == "nil 1"


def test_the_inbox_keeps_the_newest_ten_thousand_messages(devnet, deployer, alice):
    pid = devnet.spawn(deployer, "")
    devnet.eval(deployer, pid, "for i = #Inbox + 1, 9999 do Inbox[i] = {Action = 'Old' .. i} end")

    for n in range(3):
        devnet.send(alice, pid, tags={"Action": f"New{n}"})

    out = devnet.eval(deployer, pid, "return #Inbox .. ' ' .. Inbox[1].Action .. ' ' .. Inbox[#Inbox].Action")
    assert out.result.output == "10000 Old3 New2"


def test_assign_from_process_code_delivers_a_message_to_more_processes(devnet, deployer, alice):
    src = 'ao.addAssignable("any", function() return true end)\nHandlers.add("x", "X", function(m) Got = m.Id end)'
    a, b, c = (devnet.spawn(deployer, src) for _ in range(3))
    sent = devnet.send(alice, a, tags={"Action": "X"})

    r = devnet.eval(deployer, a, f"Assign({{Processes = {{'{b}', '{c}'}}, Message = '{sent.id}'}})")

    assigned = [m for m in r.messages if m.kind == "assignment"]
    assert {m.process for m in assigned} == {b, c}
    for pid in (b, c):
        assert devnet.eval(deployer, pid, "return Got").result.output == sent.id
