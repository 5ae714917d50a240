"""Run the node with uvicorn on 127.0.0.1, in the foreground or in a background thread."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn

from tim3.devnet import Devnet
from tim3.errors import NodeError
from tim3.node.app import create_app

__all__ = ["NodeServer"]


class NodeServer:
    """A node bound to host:port (port 0 takes a free one); `url` is known once bound."""

    def __init__(self, devnet: Devnet, host: str = "127.0.0.1", port: int = 8734) -> None:
        self.devnet = devnet
        self.host = host
        # IPPROTO_TCP explicitly: asyncio only switches Nagle off (TCP_NODELAY) on sockets
        # whose protocol it can see, and with Nagle every keep-alive reply waits ~40 ms.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._socket.bind((host, port))
        except OSError as exc:
            self._socket.close()
            raise NodeError(f"Port {port} on {host} is in use or not allowed ({exc.strerror}). "
                            "Pass --port 0 to take a free one.") from exc
        self.port = self._socket.getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        self.app = create_app(devnet, self.url)
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted."""
        self._server.run(sockets=[self._socket])

    def start(self) -> NodeServer:
        """Serve in a background thread; returns once the node accepts connections."""
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._socket]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise NodeError(f"The node did not start on {self.url}.")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> NodeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
