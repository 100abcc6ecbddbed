"""The e-mail channel's own download: a received mail's full original source.

Attachments (of mail and MMS alike) are served by server/attachments.py; this
module keeps what only e-mail has, with the same download headers.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from server.attachments import (
    blobs,
    content_disposition,
    download,
    download_operation,
    safe_filename,
    served_type,
)
from server.errors import NotFound
from server.web_helpers import current_counsellor, path_id

# The download helpers moved to server/attachments.py; still importable from here.
__all__ = ["add_routes", "content_disposition", "openapi_paths", "safe_filename", "served_type"]


async def raw_source(request: web.Request) -> web.Response:
    """GET /api/messages/{id}/raw: the message exactly as it arrived."""
    await current_counsellor(request)
    rows = await blobs(request, "raw")
    if not rows:
        raise NotFound("this message has no stored original", "raw_not_found")
    return download(bytes(rows[0].data), "message/rfc822", f"message-{path_id(request)}.eml")


def openapi_paths() -> dict[str, Any]:
    """The path item of the route for /api/openapi.json."""
    return {
        "/api/messages/{id}/raw": {
            "get": download_operation(
                "A received mail exactly as it arrived", ("message/rfc822",), n=False
            )
        },
    }


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/messages/{id:\\d+}/raw", raw_source)
