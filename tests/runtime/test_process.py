"""process.handle: normalisation, trust and assignment gates, Eval, boot, replies (§1.4–1.8)."""

import json

from tim3.devnet import Kind


def ev(devnet, owner, pid, code):
    r = devnet.eval(owner, pid, code)
    assert r.ok, r.error
    return r.result.output


def test_tag_names_and_root_keys_are_normalised(devnet, deployer, alice):
    pid = devnet.spawn(deployer, 'Handlers.add("n", "Note", function(m) Got = m["X-Ref"] .. "|" .. m.Tags["X-Order-Id"] end)')

    devnet.send(alice, pid, tags=[("action", "Note"), ("x_ref", "r1"), ("X-Order-ID", "o1")])

    assert ev(devnet, deployer, pid, "return Got") == "r1|o1"


def test_first_duplicate_tag_wins_in_tags_and_last_at_the_root(devnet, deployer, alice):
    pid = devnet.spawn(deployer, 'Handlers.add("d", "Dup", function(m) Got = m.Tags.K .. m.K .. #m.TagArray end)')

    devnet.send(alice, pid, tags=[("Action", "Dup"), ("K", "first"), ("K", "last")])

    assert ev(devnet, deployer, pid, "return Got") == "firstlast6"  # 3 + 3 protocol tags


def test_json_data_is_decoded_when_content_type_says_so(devnet, deployer, alice):
    pid = devnet.spawn(deployer, 'Handlers.add("j", "J", function(m) Got = m.Data.a.b end)')

    devnet.send(alice, pid, tags={"Action": "J", "Content-Type": "application/json"},
                data=json.dumps({"a": {"b": "deep"}}))

    assert ev(devnet, deployer, pid, "return Got") == "deep"


def test_a_wallet_cannot_forge_from_process(devnet, deployer, alice):
    pid = devnet.spawn(deployer, 'Handlers.add("x", "X", function(m) Got = m.From end)')

    r = devnet.send(alice, pid, tags={"Action": "X", "From-Process": pid})

    assert "not trusted" in r.result.output
    assert ev(devnet, deployer, pid, "return tostring(Got)") == "nil"


def test_messages_between_processes_need_the_messenger_as_authority(devnet, deployer, alice):
    src = 'Handlers.add("x", "X", function(m) Got = m.From end)'
    trusting = devnet.spawn(deployer, src)
    deaf = devnet.spawn(deployer, src, authority=None)
    sender = devnet.spawn(deployer, "")

    ev(devnet, deployer, sender, f'Send({{Target = "{trusting}", Action = "X"}})')
    ev(devnet, deployer, sender, f'Send({{Target = "{deaf}", Action = "X"}})')

    assert ev(devnet, deployer, trusting, "return Got") == sender
    assert ev(devnet, deployer, deaf, "return tostring(Got)") == "nil"


def test_assignments_are_refused_unless_assignable(devnet, deployer, alice):
    src = 'Handlers.add("x", "X", function(m) Got = (Got or 0) + 1 end)'
    a = devnet.spawn(deployer, src)
    b = devnet.spawn(deployer, src)
    sent = devnet.send(alice, a, tags={"Action": "X"})

    refused = devnet.assign(b, sent.id)
    ev(devnet, deployer, b, 'ao.addAssignable("all", function() return true end)')
    devnet.assign(b, sent.id)

    assert refused.result.messages[0].data == "Assignment is not trusted by this process!"
    assert ev(devnet, deployer, b, "return Got") == "1"


def test_eval_runs_only_for_the_owner(devnet, deployer, alice):
    pid = devnet.spawn(deployer, "Secret = 'kept'")

    r = devnet.eval(alice, pid, "Secret = 'stolen'")

    assert r.ok and "New Message" in r.result.output  # the default handler took it
    assert ev(devnet, deployer, pid, "return Secret") == "kept"


def test_eval_output_and_errors(devnet, deployer):
    pid = devnet.spawn(deployer, "")

    printed = devnet.eval(deployer, pid, "print('hi'); return 1 + 1")
    broken = devnet.eval(deployer, pid, "this is not lua")

    assert printed.result.output == "hi\n2"
    assert broken.error is not None and "aos" in broken.error


def test_boot_sets_owner_and_name_and_runs_on_boot_code(devnet, deployer):
    pid = devnet.spawn(deployer, "Booted = true", tags={"Name": "Sample"})

    out = ev(devnet, deployer, pid, "return Owner .. ' ' .. Name .. ' ' .. tostring(Booted)")

    assert out == f"{deployer.address} Sample true"


def test_a_failing_boot_is_reported(devnet, deployer):
    import pytest

    from tim3.errors import DevnetError

    with pytest.raises(DevnetError, match="boot failed"):
        devnet.spawn(deployer, "error('no good')")


def test_reply_goes_to_sender_or_reply_to_with_x_reference(devnet, deployer, alice, bob):
    pid = devnet.spawn(deployer, 'Handlers.add("r", "R", function(m) m.reply({Action = "Ok"}) end)')

    plain = devnet.send(alice, pid, tags={"Action": "R", "Reference": "7"})
    redirected = devnet.send(alice, pid, tags={"Action": "R", "Reply-To": bob.address})

    assert plain.result.messages[0].target == alice.address
    assert plain.result.messages[0].tag("X-Reference") == "7"
    assert redirected.result.messages[0].target == bob.address


def test_forward_keeps_the_origin_and_sets_reply_to(devnet, deployer, alice):
    relay = devnet.spawn(deployer, "")
    sink = devnet.spawn(deployer, 'Handlers.add("f", "F", function(m) Got = m["Reply-To"] .. "|" .. m["X-Origin"] end)')
    ev(devnet, deployer, relay, f'Handlers.add("fw", "F", function(m) m.forward("{sink}") end)')

    devnet.send(alice, relay, tags={"Action": "F"})

    assert ev(devnet, deployer, sink, "return Got") == f"{alice.address}|{alice.address}"


def test_reference_counts_up_and_anchors_are_32_digits(devnet, deployer):
    pid = devnet.spawn(deployer, "")

    r = devnet.eval(deployer, pid, 'Send({Target = "x", Data = "1"}); Send({Target = "x", Data = "2"})')

    refs = [m.tag("Reference") for m in r.result.messages]
    assert refs == ["1", "2"]
    assert r.result.messages[1].anchor == "0" * 31 + "2"


def test_os_time_is_the_message_timestamp_and_random_is_deterministic(devnet, deployer, alice):
    src = 'Handlers.add("t", "T", function(m) Got = tostring(os.time() == m.Timestamp) .. " " .. math.random(1000000) end)'
    a = devnet.spawn(deployer, src, id="A" * 43)
    r = devnet.send(alice, a, tags={"Action": "T"})

    first = ev(devnet, deployer, a, "return Got")

    assert first.startswith("true ")
    assert r.ok


def test_non_string_tag_values_are_dropped_by_the_messenger(devnet, deployer, alice):
    pid = devnet.spawn(deployer, "")

    r = devnet.eval(deployer, pid, f'Send({{Target = "{alice.address}", Amount = 5}})')

    dropped = [m for m in r.messages if m.kind == Kind.DROPPED]
    assert len(dropped) == 1 and "number" in dropped[0].reason


def test_spawn_creates_a_child_and_notifies_the_parent(devnet, deployer):
    parent = devnet.spawn(deployer, 'Handlers.add("s", "Spawned", function(m) Child = m.Process end)')

    r = devnet.eval(deployer, parent, 'Spawn(ao._module, {Data = "Kid = true", ["On-Boot"] = "Data", '
                                      'Authority = ao.authorities[1]})')

    child = ev(devnet, deployer, parent, "return Child")
    assert devnet.is_process(child)
    assert devnet.process(child).vm is not None
    assert r.find("Spawned")[0].tag("Process") == child
    info = devnet.dryrun(child, tags={"Action": "Eval"}, data="return Owner .. tostring(Kid)",
                         sender=parent)
    assert info.output == parent + "true"


def test_a_child_spawned_without_authority_ignores_its_own_boot(devnet, deployer):
    parent = devnet.spawn(deployer, 'Handlers.add("s", "Spawned", function(m) Child = m.Process end)')

    devnet.eval(deployer, parent, 'Spawn(ao._module, {Data = "Kid = true", ["On-Boot"] = "Data"})')

    child = ev(devnet, deployer, parent, "return Child")
    info = devnet.dryrun(child, tags={"Action": "Eval"}, data="return tostring(Kid)", sender=parent)
    assert info.output == "nil"


def test_bytes_that_are_not_utf8_reach_python_replaced(devnet, deployer, alice):
    pid = devnet.spawn(deployer, 'Handlers.add("b", "Bytes", function(m) m.reply({Data = "ok\\255", Note = "\\200x"}) end)')

    r = devnet.send(alice, pid, tags={"Action": "Bytes"})

    reply = r.result.messages[0]
    assert reply.data == "ok\ufffd"
    assert reply.tag("Note") == "\ufffdx"
