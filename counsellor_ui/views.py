"""The counsellor inbox pages: the HTML shell, its texts and its static files."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import jinja2
from aiohttp import web

from counsellor_ui import i18n
from server import keys, reason_views
from server.auth import SESSION_COOKIE, InvalidToken

STATIC = Path(__file__).resolve().parent / "static"
LANGUAGE_COOKIE = "eg_inbox_language"


@functools.cache
def _environment(language: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("counsellor_ui"),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
    return env


def request_language(request: web.Request) -> str:
    return i18n.pick_language(request.query.get("language") or request.cookies.get(LANGUAGE_COOKIE))


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
    language = request_language(request)
    html = (
        _environment(language).get_template("inbox.html").render(csrf_token=csrf, language=language)
    )
    response = web.Response(
        text=html, content_type="text/html", headers={"Cache-Control": "no-store"}
    )
    if "language" in request.query:
        response.set_cookie(
            LANGUAGE_COOKIE, language, samesite="Lax", max_age=365 * 86400, path="/inbox"
        )
    return response


async def texts_script(request: web.Request) -> web.Response:
    """The translated interface texts as a script (a CSP forbids inline ones)."""
    language = i18n.pick_language(request.match_info["language"])
    payload = json.dumps(
        {"language": language, "messages": i18n.js_catalogue(language)}, ensure_ascii=False
    ).replace("<", "\\u003c")
    return web.Response(
        text=f"window.EG_TEXTS = {payload};\n",
        content_type="application/javascript",
        headers={"Cache-Control": "no-cache"},
    )


def add_routes(app: web.Application) -> None:
    # The inbox's read models serve the triage reasons in Danish too (server/reason_views.py).
    app.on_startup.append(reason_views.register_app)
    app.router.add_get("/inbox", inbox_page)
    app.router.add_get("/inbox/texts/{language}.js", texts_script)
    app.router.add_static("/static/ui/", STATIC)


def add_api_routes(app: web.Application) -> None:
    """The inbox's own REST endpoints (counsellor_ui/api.py)."""
    from counsellor_ui import api

    api.add_routes(app)
