"""`create_gateway`: the web gateway as a Starlette app over a `Chain`."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware

from tim3.app.chain import Chain
from tim3.app.errors import handle_error
from tim3.app.hosts import LOCAL_HOSTS, LocalHostsOnly
from tim3.app.routes import routes
from tim3.errors import Tim3Error

__all__ = ["create_gateway"]


def create_gateway(chain: Chain, debug: bool = False,
                   hosts: Iterable[str] = LOCAL_HOSTS) -> Starlette:
    """The gateway app: the page at `/`, its JSON API under `/api/`.

    Parameters:
        chain: the network to serve (`LocalChain` for a devnet, `LegacyChain` for real AO).
        debug: show tracebacks for unexpected errors (never for tim3 errors).
        hosts: the host names it answers to (`Host` header, port ignored); any other is
            refused with 421, which keeps DNS-rebinding pages out (`tim3.app.hosts`).
    """
    allowed = frozenset(host.lower() for host in ([hosts] if isinstance(hosts, str) else hosts))
    app = Starlette(debug=debug, routes=routes,
                    middleware=[Middleware(LocalHostsOnly, allowed=allowed)],
                    exception_handlers={Tim3Error: handle_error, HTTPException: handle_error})
    app.state.chain = chain
    return app
