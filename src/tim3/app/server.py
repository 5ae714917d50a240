"""Serve the gateway with uvicorn on 127.0.0.1, in the foreground or in a background thread."""

from __future__ import annotations

from collections.abc import Iterable

from tim3.app.app import create_gateway
from tim3.app.chain import Chain
from tim3.app.errors import GatewayError
from tim3.app.hosts import LOCAL_HOSTS
from tim3.node import LocalServer

__all__ = ["GatewayServer"]


class GatewayServer(LocalServer):
    """The gateway bound to host:port (port 0 takes a free one); `url` is known once bound."""

    port_option = "--gateway-port"
    error = GatewayError

    def __init__(self, chain: Chain, host: str = "127.0.0.1", port: int = 8735,
                 allow: Iterable[str] = ()) -> None:
        super().__init__(host, port)
        self.chain = chain
        # Answers to the loopback names, to the address it is bound to (an IPv6 one in
        # brackets, as a Host header writes it), and to the names in `allow`.
        bound = f"[{host}]" if ":" in host else host
        self.app = create_gateway(chain, hosts=LOCAL_HOSTS | {bound, *allow})
        self._serve_app(self.app)
