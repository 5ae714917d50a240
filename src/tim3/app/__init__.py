"""The web gateway: swap and redeem, wallets, live progress, the Process Flow Diagram,
reserves, explorer and environment, served by Starlette with a plain ES-module page.

from tim3.app import GatewayServer, LocalChain
from tim3.ops import start_local
net = start_local(".tim3/devnet")
with GatewayServer(LocalChain.from_localnet(net), port=0) as gateway:
    print(gateway.url)                                   # open it in a browser
"""

from tim3.app.app import create_gateway
from tim3.app.chain import Chain, Record, Token
from tim3.app.errors import BadInput, GatewayError, NotFound, NotSupported
from tim3.app.flow import build_flow, plain_error
from tim3.app.legacy import LegacyChain
from tim3.app.local import LocalChain
from tim3.app.server import GatewayServer
from tim3.app.swap import Plan, plan

__all__ = [
    "BadInput",
    "Chain",
    "GatewayError",
    "GatewayServer",
    "LegacyChain",
    "LocalChain",
    "NotFound",
    "NotSupported",
    "Plan",
    "Record",
    "Token",
    "build_flow",
    "create_gateway",
    "plain_error",
    "plan",
]
