"""Serve the gateway with uvicorn on 127.0.0.1, in the foreground or in a background thread."""

from __future__ import annotations

import socket
import threading

import uvicorn

from tim3.app.app import create_gateway
from tim3.app.chain import Chain
from tim3.app.errors import GatewayError

__all__ = ["GatewayServer"]


class GatewayServer:
    """The gateway bound to host:port (port 0 takes a free one); `url` is known once bound."""

    def __init__(self, chain: Chain, host: str = "127.0.0.1", port: int = 8735) -> None:
        self.chain = chain
        try:
            self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._socket.bind((host, port))
            # Listening before uvicorn starts: early connections wait in the backlog.
            self._socket.listen(64)
        except OSError as exc:
            self._socket.close()
            raise GatewayError(f"Port {port} on {host} is in use or not allowed "
                               f"({exc.strerror}). Pass --gateway-port 0 to take a free one."
                               ) from exc
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        self.app = create_gateway(chain)
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off",
                                timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted."""
        self._server.run(sockets=[self._socket])

    def start(self) -> GatewayServer:
        """Serve in a background thread. The socket already listens, so requests made right
        away wait in its backlog until uvicorn takes them."""
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._socket]}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> GatewayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
