"""HTTP routes of the web chat: the demo portal, the widget script and its assets."""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

from server import keys

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
REPO_ROOT = HERE.parent.parent
SOCKET_IO_CLIENT = REPO_ROOT / "node_modules" / "socket.io-client" / "dist"


async def demo_page(request: web.Request) -> web.Response:
    language = request.query.get("language", "da")
    language = language if language in ("da", "en") else "da"
    html = request.app[keys.templates].get_template("demo.html").render(language=language)
    return web.Response(text=html, content_type="text/html")


async def widget_script(request: web.Request) -> web.FileResponse:
    # Served to other sites' pages: anyone may load it, and a short cache lets a
    # new version reach visitors within minutes.
    return web.FileResponse(
        STATIC / "widget.js",
        headers={
            "Content-Type": "application/javascript; charset=utf-8",
            "Access-Control-Allow-Origin": "*",
            "Cache-Control": "public, max-age=300",
        },
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", demo_page)
    app.router.add_get("/widget.js", widget_script)
    app.router.add_static("/static/webchat/", STATIC)
    if SOCKET_IO_CLIENT.is_dir():
        app.router.add_static("/vendor/socket.io/", SOCKET_IO_CLIENT)
    else:
        log.warning(
            "the socket.io browser client is missing (%s): run `npm ci`; the widget "
            "and the inbox cannot connect without it",
            SOCKET_IO_CLIENT,
        )
