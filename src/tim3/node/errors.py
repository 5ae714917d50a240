"""One error handler: tim3 errors become `{"error": message}` with a fitting status."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from tim3.errors import DataItemError, DevnetError, NodeError, ProcessNotFound, Tim3Error

__all__ = ["BadRequest", "NotFound", "TooLarge", "error_response", "handle_tim3_error"]


class BadRequest(NodeError):
    """The request is malformed (400)."""

    status = 400


class NotFound(NodeError):
    """The thing asked for does not exist (404)."""

    status = 404


class TooLarge(NodeError):
    """The body is larger than the node accepts (413)."""

    status = 413


def error_response(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def status_of(exc: Tim3Error) -> int:
    if isinstance(exc, NodeError):
        return getattr(exc, "status", 400)
    if isinstance(exc, ProcessNotFound):
        return 404
    if isinstance(exc, (DataItemError, DevnetError)):
        return 400
    return 400


async def handle_tim3_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Tim3Error)
    return error_response(str(exc), status_of(exc))
