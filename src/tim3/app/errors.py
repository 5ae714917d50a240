"""The gateway's errors and its one error handler: `{"error": message}` with a fitting status.

* Tim3Error                       (tim3.errors)
  + GatewayError                  (status 400 unless a subclass says otherwise)
    x BadInput                    400: a field the page sent is missing or malformed
    x NotFound                    404: no such message, process or wallet
    x WrongMediaType              415: a JSON body not sent as application/json
    x NotSupported                501: this environment cannot do it (dev wallets on a real network)
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from tim3.errors import (
    ClientError,
    ConfigError,
    DataItemError,
    DevnetError,
    ProcessNotFound,
    Tim3Error,
)

__all__ = ["BadInput", "GatewayError", "NotFound", "NotSupported", "WrongMediaType", "handle_error",
           "status_of"]


class GatewayError(Tim3Error):
    """A request the gateway cannot serve."""

    status = 400


class BadInput(GatewayError):
    """A field of the request is missing or malformed."""

    status = 400


class NotFound(GatewayError):
    """The message, process or wallet asked for does not exist."""

    status = 404


class WrongMediaType(GatewayError):
    """A body arrived with a content type the endpoint does not take."""

    status = 415


class NotSupported(GatewayError):
    """The environment the gateway serves cannot do this."""

    status = 501


def status_of(exc: Tim3Error) -> int:
    """The HTTP status for an error: the gateway's own, 404 for unknown ids, 502 for the network."""
    if isinstance(exc, GatewayError):
        return exc.status
    if isinstance(exc, ProcessNotFound):
        return 404
    if isinstance(exc, ClientError):
        status = getattr(exc, "status", None)
        return 404 if status == 404 else 502
    if isinstance(exc, (ConfigError, DataItemError, DevnetError)):
        return 400
    return 400


async def handle_error(request: Request, exc: Exception) -> JSONResponse:
    """The gateway's one error handler: every Tim3Error, and starlette's 404 and 405 for
    unknown paths and methods, become `{"error": message}`."""
    if isinstance(exc, HTTPException):
        return JSONResponse({"error": f"{exc.detail}: {request.method} {request.url.path}"},
                            status_code=exc.status_code, headers=exc.headers)
    assert isinstance(exc, Tim3Error)
    return JSONResponse({"error": str(exc)}, status_code=status_of(exc))
