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
