"""Serve an ASGI app with uvicorn on 127.0.0.1, in the foreground or in a background thread.

`LocalServer` binds first (so the URL is known and early requests wait in the backlog), then
serves; `NodeServer` is the devnet node on it, and the web gateway builds its server on it too.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any, Self

import uvicorn

from tim3.devnet import Devnet
from tim3.errors import NodeError, Tim3Error
from tim3.node.app import create_app

__all__ = ["LocalServer", "NodeServer"]


class LocalServer:
    """An app bound to host:port (port 0 takes a free one); `url` is known once bound."""

    #: the CLI option that sets the port, named in the error when the port is taken
    port_option = "--port"
    #: the error raised when the port cannot be bound
    error: type[Tim3Error] = NodeError

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        # IPPROTO_TCP explicitly: asyncio only switches Nagle off (TCP_NODELAY) on sockets
        # whose protocol it can see, and with Nagle every keep-alive reply waits ~40 ms.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._socket.bind((host, port))
            # Listening before uvicorn starts: early connections wait in the backlog.
            self._socket.listen(128)
        except OSError as exc:
            self._socket.close()
            raise self.error(f"Port {port} on {host} is in use or not allowed ({exc.strerror}). "
                             f"Pass {self.port_option} 0 to take a free one.") from exc
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def _serve_app(self, app: Any) -> None:
        # No access log: at level warning it prints nothing anyway, but uvicorn would still
        # format each request's client and quoted path for it. No proxy headers: on 127.0.0.1
        # there is no proxy, so X-Forwarded-For could only let a local client spoof its
        # address, and nothing reads the address anyway.
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False,
                                proxy_headers=False, timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(config)

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted."""
        assert self._server is not None, "no app to serve"
        self._server.run(sockets=[self._socket])

    def start(self) -> Self:
        """Serve in a background thread; returns once uvicorn has started."""
        assert self._server is not None, "no app to serve"
        server = self._server
        self._thread = threading.Thread(target=server.run,
                                        kwargs={"sockets": [self._socket]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise self.error(f"The server did not start on {self.url}.")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class NodeServer(LocalServer):
    """The devnet node (MU, CU, SU and gateway routes) on 127.0.0.1."""

    def __init__(self, devnet: Devnet, host: str = "127.0.0.1", port: int = 8734) -> None:
        super().__init__(host, port)
        self.devnet = devnet
        self.app = create_app(devnet, self.url)
        self._serve_app(self.app)
