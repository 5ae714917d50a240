"""CU `GET /state/:pid`: the process's own state as JSON, with the last message's position."""

import json

import httpx

from tim3.processes import source


def test_state_shows_the_process_globals_after_a_transfer(node, devnet, deployer, alice):
    usda = devnet.spawn(deployer, source("usda_mock"))
    devnet.send(deployer, usda, tags={"Action": "Mint", "Recipient": alice.address, "Quantity": "7"})
    last = devnet.messages(usda)[-1]

    r = httpx.get(f"{node.url}/state/{usda}", timeout=30)

    state = json.loads(r.text)
    assert r.headers["content-type"].startswith("application/json")
    assert state["Balances"] == {alice.address: "7"}
    assert state["TotalSupply"] == "7"
    assert "Handlers" not in state and "ao" not in state  # the runtime's, not the process's
    assert r.headers["Last-Timestamp"] == str(last.timestamp)
    assert r.headers["Last-Ordinate"] == str(last.slot)


def test_state_of_odd_values_is_still_valid_json(node, devnet, deployer):
    pid = devnet.spawn(deployer, 'Odd = {1, 2, x = "\\0\\"\\\\", [true] = "k", f = function() end, nan = 0/0}\n'
                                 'Odd.self = Odd\nBytes = "\\255ok"')

    state = httpx.get(f"{node.url}/state/{pid}", timeout=30).json()

    assert state["Odd"]["x"] == '\x00"\\'
    assert state["Odd"]["self"] == "<cycle>"
    assert "f" not in state["Odd"]
    assert state["Bytes"] == "\ufffdok"


def test_state_of_an_unknown_process_is_404(node):
    r = httpx.get(f"{node.url}/state/{'x' * 43}", timeout=30)

    assert r.status_code == 404 and "not on this devnet" in r.json()["error"]


HOSTILE_STATE = """
local loop = function() while true do end end
Sneaky = setmetatable({1, 2}, {__len = loop, __index = loop, __pairs = loop})
Keys = {[setmetatable({}, {__tostring = loop, __lt = loop})] = "v", plain = "w"}
string.gsub = loop; math.type = loop
"""


def test_reading_the_state_runs_no_process_code(node, devnet, deployer):
    pid = devnet.spawn(deployer, HOSTILE_STATE)

    state = httpx.get(f"{node.url}/state/{pid}", timeout=30).json()

    assert state["Sneaky"] == [1, 2]
    assert state["Keys"] == {"<table>": "v", "plain": "w"}
