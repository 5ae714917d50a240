"""The node: the devnet over HTTP, speaking the legacy AO protocol (MU, CU, SU, gateway)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tim3.devnet import MODULE_ID, Devnet
from tim3.errors import Tim3Error
from tim3.node.errors import handle_tim3_error
from tim3.node.fastpath import NodeApp
from tim3.node.routes import cu, gateway, mu, su
from tim3.node.state import NodeState

__all__ = ["create_app"]


async def info(request: Request) -> Response:
    state: NodeState = request.app.state.node
    net = state.devnet
    return JSONResponse({
        "name": "tim3 devnet node",
        "address": net.su.address,
        "messenger": net.mu.address,
        "timestamp": net.clock.peek(),
        "module": MODULE_ID,
        "processes": len(net.processes()),
    })


def create_app(
    devnet: Devnet, base_url: str = "http://127.0.0.1", debug: bool = False
) -> Starlette:
    """An ASGI app serving `devnet` to any origin (CORS); `base_url` is what
    Scheduler-Location records point to."""
    routes = [Route("/", info, methods=["GET"]), *mu.routes, *cu.routes, *gateway.routes,
              *su.routes]
    return NodeApp(NodeState(devnet, base_url), debug=debug, routes=routes,
                   exception_handlers={Tim3Error: handle_tim3_error})
