"""The devnet over HTTP: the route set aoconnect and the aos CLI use (ao-protocol.md §3.10)."""

from tim3.node.app import create_app
from tim3.node.server import LocalServer, NodeServer

__all__ = ["LocalServer", "NodeServer", "create_app"]
