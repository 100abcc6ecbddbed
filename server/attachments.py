"""Downloads of a message's kept attachments, whatever channel brought them (an
e-mail's files, an MMS's pictures): GET /api/messages/{id}/attachments/{n}.

Attachments are what a stranger sent: they are always served as a download
(Content-Disposition: attachment), never sniffed, and a type a browser would run
(HTML, SVG, XML) goes out as application/octet-stream, so nothing renders inline
on the service's origin.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from aiohttp import web
from sqlalchemy import select

from server import keys
from server import tables as t
from server.errors import NotFound
from server.openapi import INT, operation
from server.web_helpers import current_counsellor, path_id

OCTET_STREAM = "application/octet-stream"
# Types a browser would render or run, whatever the Content-Disposition says.
ACTIVE_TYPES = {
    "text/html",
    "image/svg+xml",
    "application/xhtml+xml",
    "text/xml",
    "application/xml",
    "text/javascript",
    "application/javascript",
}
CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")
UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def served_type(stored: str | None) -> str:
    """The stored content type when it is well-formed and inert, else octet-stream."""
    value = (stored or "").split(";")[0].strip().lower()
    if not CONTENT_TYPE.fullmatch(value) or value in ACTIVE_TYPES:
        return OCTET_STREAM
    return value


def safe_filename(name: str | None, fallback: str) -> str:
    cleaned = UNSAFE_FILENAME.sub("_", name or "").strip(" .")
    return cleaned[:200] or fallback


def content_disposition(filename: str) -> str:
    """RFC 6266 with an RFC 5987 filename* for any language, and an ASCII fallback."""
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    ascii_name = ascii_name.replace("%", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download(data: bytes, content_type: str, filename: str) -> web.Response:
    response = web.Response(body=data)
    # Set directly: web.Response would append a charset to text types.
    response.headers["Content-Type"] = content_type
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response


async def blobs(request: web.Request, kind: str) -> list[Any]:
    b = t.message_blobs
    async with request.app[keys.engine].connect() as conn:
        rows = await conn.execute(
            select(b.c.id, b.c.filename, b.c.content_type, b.c.data)
            .where(b.c.message_id == path_id(request), b.c.kind == kind)
            .order_by(b.c.id)
        )
        return list(rows)


async def attachment(request: web.Request) -> web.Response:
    """GET /api/messages/{id}/attachments/{n}: the n-th stored attachment, from 0."""
    await current_counsellor(request)
    index = path_id(request, "n")
    rows = await blobs(request, "attachment")
    if not 0 <= index < len(rows):
        raise NotFound("no such attachment", "attachment_not_found")
    row = rows[index]
    name = safe_filename(row.filename, f"attachment-{path_id(request)}-{index}")
    return download(bytes(row.data), served_type(row.content_type), name)


def download_operation(summary: str, media_types: tuple[str, ...], n: bool) -> dict[str, Any]:
    """The OpenAPI operation of a download route (binary answer, id and maybe n)."""
    op = operation(summary, errors=("401", "403", "404"), path_id=True)
    binary = {"schema": {"type": "string", "format": "binary"}}
    op["responses"]["200"] = {
        "description": "The bytes, as a download (Content-Disposition: attachment)",
        "content": {media_type: binary for media_type in media_types},
    }
    if n:
        op["parameters"].append(
            {"name": "n", "in": "path", "required": True, "schema": {**INT, "minimum": 0}}
        )
    return op


def openapi_paths() -> dict[str, Any]:
    """The path item of the route for /api/openapi.json."""
    return {
        "/api/messages/{id}/attachments/{n}": {
            "get": download_operation(
                "A received message's n-th kept attachment (its `index` in the message's "
                "attachments: an e-mail's file, an MMS picture), as its own type when inert, "
                "else application/octet-stream",
                ("application/octet-stream", "*/*"),
                n=True,
            )
        },
    }


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/messages/{id:\\d+}/attachments/{n:\\d+}", attachment)
    app[keys.openapi_paths].update(openapi_paths())
