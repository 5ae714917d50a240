"""A snapshot taken while a handler waits in Receive cannot hold the coroutine's stack; an error
then rebuilds the VM from its history instead of restoring in place."""

ASKER = """
Handlers.add("ask", "Ask", function(m)
  Waiting = true
  local reply = Send({Target = m.Oracle, Action = "Question"}).receive()
  Answer = reply.Data
end)
Handlers.add("boom", "Boom", function() Answer = "broken"; error("boom") end)
"""


def test_an_error_after_a_snapshot_of_a_waiting_handler_rebuilds_exactly(devnet, deployer, alice):
    asker = devnet.spawn(deployer, ASKER)
    quiet = devnet.spawn(deployer, 'Handlers.add("q", "Question", function() end)')
    devnet.send(alice, asker, tags={"Action": "Ask", "Oracle": quiet})
    vm = devnet.process(asker).vm
    vm._take_snapshot()  # now the snapshot holds a suspended coroutine: it is not exact
    assert not vm._snapshot_exact

    r = devnet.send(alice, asker, tags={"Action": "Boom"})

    assert "boom" in r.error
    out = devnet.eval(deployer, asker, "return tostring(Answer) .. ' ' .. tostring(Waiting) .. ' ' .. #Handlers.coroutines")
    assert out.result.output == "nil true 1"
    assert vm.stats["replayed"] >= 2  # the spawn and the Ask were replayed into a fresh VM
