"""Fixtures for the client tests: a node over a devnet, small stand-in servers, dead ports."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest
import uvicorn
from starlette.applications import Starlette

from tim3.devnet import Devnet
from tim3.node import NodeServer


@pytest.fixture
def node(devnet: Devnet) -> Iterator[NodeServer]:
    """The test devnet served over HTTP on a free port of 127.0.0.1."""
    with NodeServer(devnet, port=0) as server:
        yield server


@pytest.fixture
def serve() -> Iterator[Callable[[Starlette], str]]:
    """Serve a small starlette app on a free port of 127.0.0.1; returns its URL."""
    running: list[tuple[uvicorn.Server, threading.Thread, socket.socket]] = []

    def start(app: Starlette) -> str:
        # IPPROTO_TCP, so asyncio turns Nagle off (a proto-0 socket delays replies ~40 ms).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind(("127.0.0.1", 0))
        # Listening before uvicorn starts: early connections wait in the backlog, so no
        # test has to wait for the server to come up.
        sock.listen(16)
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        running.append((server, thread, sock))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"

    yield start
    for server, thread, sock in running:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def closed_port() -> int:
    """A port of 127.0.0.1 that nothing listens on (connections are refused)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port of 127.0.0.1 that accepts connections but never answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield sock.getsockname()[1]
    sock.close()
