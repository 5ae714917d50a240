"""NodeServer's connections: Nagle off (else each kept-alive answer can wait ~40 ms for a
delayed ACK), uvicorn's C parser when httptools is installed (a dependency), and no
X-Forwarded-For rewriting of the client address (there is no proxy on 127.0.0.1)."""

from __future__ import annotations

import socket

import httpx

from tim3.node import NodeServer


def test_the_node_turns_nagle_off_on_its_connections(node: NodeServer) -> None:
    with httpx.Client(base_url=node.url, timeout=30) as http:
        http.get("/timestamp")

        assert node._server is not None
        connections = list(node._server.server_state.connections)
        options = [p.transport.get_extra_info("socket").getsockopt(  # type: ignore[attr-defined]
            socket.IPPROTO_TCP, socket.TCP_NODELAY) for p in connections]

    assert options and all(options)


def test_the_node_parses_http_with_httptools(node: NodeServer) -> None:
    with httpx.Client(base_url=node.url, timeout=30) as http:
        http.get("/timestamp")

        assert node._server is not None
        kinds = {type(p).__name__ for p in node._server.server_state.connections}

    assert kinds == {"HttpToolsProtocol"}


def test_the_node_serves_its_app_without_uvicorns_proxy_headers_layer(node: NodeServer) -> None:
    assert node._server is not None

    served = node._server.config.loaded_app

    assert served is node.app
