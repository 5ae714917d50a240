"""The gateway answers only requests addressed to this machine by name or loopback address.

The gateway moves money for the local devnet's dev wallets on a plain POST, so a page from
another site must never be able to use it. A cross-site page cannot read its answers, and
cannot send it JSON without a preflight that the gateway never grants; but with DNS
rebinding, a site's own name is pointed at 127.0.0.1 after the page has loaded, and the page
then talks to the gateway as its "same origin". What gives it away is the `Host` header: it
still names the attacker's site. Starlette's `TrustedHostMiddleware` makes the same check;
this one answers in the gateway's `{"error": …}` form and says what to use instead.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["LOCAL_HOSTS", "LocalHostsOnly", "host_name"]

#: the names a browser on this machine uses for a server bound to 127.0.0.1
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "localhost."})


def host_name(host: str) -> str:
    """The name in a `Host` header, without its port, in lower case."""
    host = host.strip().lower()
    if host.startswith("["):                       # [::1]:8735
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class LocalHostsOnly:
    """Refuse (421) any HTTP request whose `Host` is not one of `allowed` (port ignored)."""

    def __init__(self, app: ASGIApp, allowed: frozenset[str] = LOCAL_HOSTS) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        hosts = [value.decode("latin-1") for name, value in scope["headers"] if name == b"host"]
        # Two Host headers are malformed (RFC 9112 §3.2): whichever one is read, refuse.
        host = hosts[0] if len(hosts) == 1 else ", ".join(hosts)
        if len(hosts) == 1 and host_name(host) in self.allowed:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})     # policy violation
        else:
            names = " or ".join(sorted(name for name in self.allowed if not name.endswith(".")))
            response = JSONResponse(
                {"error": f"This gateway only answers requests addressed to {names}; this one "
                          f"was addressed to '{host[:100] or '(none)'}'. Open it by one of "
                          f"those names; other names are refused so that other web sites "
                          f"cannot use it."},
                status_code=421)
            await response(scope, receive, send)
