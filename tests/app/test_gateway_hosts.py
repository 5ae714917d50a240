"""The gateway answers only requests addressed to 127.0.0.1 or localhost (DNS rebinding)."""

from __future__ import annotations

import socket

import anyio
import httpx
import pytest

from tim3.app import create_gateway
from tim3.app.hosts import host_name
from tim3.ops import LocalNet


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}",
                                  "127.0.0.1", "localhost"],
                         ids=["address", "name", "upper-case", "address-no-port", "name-no-port"])
def test_requests_addressed_to_this_machine_are_served(api, gateway, host):
    answer = api.get("/api/environment", headers={"host": host.format(port=gateway.port)})

    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("host", ["attacker.example:{port}", "attacker.example",
                                  "127.0.0.1.attacker.example:{port}", "localhost.evil:{port}",
                                  "[::1]:{port}", "0.0.0.0:{port}"],
                         ids=["rebinding-name", "no-port", "suffix", "localhost-prefix", "ipv6",
                              "any-address"])
def test_requests_addressed_to_another_name_are_refused(api, gateway, host):
    answer = api.get("/api/environment", headers={"host": host.format(port=gateway.port)})

    assert answer.status_code == 421
    error = answer.json()["error"]
    assert "127.0.0.1" in error and "other web sites" in error


def test_a_rebinding_page_cannot_swap_with_a_dev_wallet(api, gateway, net: LocalNet):
    alice = net.wallets["alice"].address
    before = (len(net.devnet.messages()), net.balance("USDA", alice))

    answer = api.post("/api/swap", json={"wallet": "alice", "amount": "5"},
                      headers={"host": f"attacker.example:{gateway.port}",
                               "origin": f"http://attacker.example:{gateway.port}"})

    assert answer.status_code == 421
    assert (len(net.devnet.messages()), net.balance("USDA", alice)) == before


def test_the_page_itself_is_refused_under_another_name(api, gateway):
    answer = api.get("/", headers={"host": f"attacker.example:{gateway.port}"})

    assert answer.status_code == 421
    assert "<html" not in answer.text.lower()


def test_a_second_host_header_is_refused(gateway):
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=10) as sock:
        sock.sendall(b"GET /api/environment HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Host: attacker.example\r\nConnection: close\r\n\r\n")
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk

    assert reply.startswith(b"HTTP/1.1 421 ")


def test_a_request_without_host_is_refused(gateway):
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=10) as sock:
        sock.sendall(b"GET /api/environment HTTP/1.0\r\n\r\n")
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk

    assert reply.startswith(b"HTTP/1.1 421 ")
    assert b"(none)" in reply


def test_the_names_a_gateway_answers_to_can_be_chosen(chain):
    # For a gateway served under its own name (behind a proxy): that name, and only it.
    app = create_gateway(chain, hosts="Tim3.Example")      # one name may be given bare

    async def ask(url: str) -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
            return await client.get(url)

    named = anyio.run(ask, "http://tim3.example/api/environment")
    local = anyio.run(ask, "http://127.0.0.1/api/environment")

    assert named.status_code == 200
    assert local.status_code == 421
    assert "tim3.example" in local.json()["error"]


@pytest.mark.parametrize(("header", "name"), [
    ("127.0.0.1:8735", "127.0.0.1"), ("LocalHost:80", "localhost"), ("localhost", "localhost"),
    ("[::1]:8735", "[::1]"), ("[::1]", "[::1]"), (" example.org ", "example.org"), ("", ""),
    ("a:b:c", "a:b:c"),
])
def test_host_name_drops_the_port(header, name):
    assert host_name(header) == name


def test_a_websocket_under_another_name_is_closed_before_the_app(chain):
    app = create_gateway(chain)
    scope = {"type": "websocket", "path": "/", "raw_path": b"/", "query_string": b"",
             "root_path": "", "headers": [(b"host", b"attacker.example")], "subprotocols": []}
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "websocket.connect"}

    async def send(message: dict) -> None:
        sent.append(message)

    anyio.run(app, scope, receive, send)

    assert sent == [{"type": "websocket.close", "code": 1008}]
