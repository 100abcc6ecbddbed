"""The counsellor inbox pages."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from server import keys
from server.auth import SESSION_COOKIE, InvalidToken

STATIC = Path(__file__).resolve().parent / "static"


async def inbox_page(request: web.Request) -> web.Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    signer = request.app[keys.signer]
    csrf = ""
    if token:
        try:
            signer.counsellor_id(token)
            csrf = signer.csrf_token(token)
        except InvalidToken:
            csrf = ""
    language = request.query.get("language", "da")
    html = (
        request.app[keys.templates]
        .get_template("inbox.html")
        .render(csrf_token=csrf, language=language if language in ("da", "en") else "da")
    )
    return web.Response(text=html, content_type="text/html", headers={"Cache-Control": "no-store"})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/inbox", inbox_page)
    app.router.add_static("/static/ui/", STATIC)
