"""HTTP plumbing shared by the API and the views: errors, JSON bodies, who is signed in."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from server import accounts, keys
from server.accounts import Identity
from server.auth import SESSION_COOKIE, InvalidToken
from server.errors import (
    DomainError,
    Forbidden,
    Invalid,
    NotAuthenticated,
    UnsupportedMediaType,
)

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def error_response(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Domain errors become JSON answers; nothing escapes as a bare 500 page."""
    started = time.perf_counter()
    route = request.match_info.route.resource
    label = route.canonical if route is not None else "unmatched"
    try:
        return await handler(request)
    except DomainError as exc:
        log.info("%s %s -> %s %s", request.method, request.path, exc.status, exc.message)
        return error_response(exc.status, exc.code, exc.message)
    except web.HTTPException as exc:
        if not request.path.startswith("/api/") or exc.status < 400:
            raise
        log.info("%s %s -> %s", request.method, request.path, exc.status)
        return error_response(exc.status, exc.reason.lower().replace(" ", "_"), exc.reason)
    except Exception:
        log.exception("%s %s failed", request.method, request.path)
        return error_response(500, "internal_error", "something went wrong; it was logged")
    finally:
        request.app[keys.metrics].http_latency.labels(label).observe(time.perf_counter() - started)


@web.middleware
async def security_headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.content_type == "text/html":
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self' ws: wss:; frame-ancestors 'self'; base-uri 'none'",
        )
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    return response


async def json_body(request: web.Request, *required: str) -> dict[str, Any]:
    """The request's JSON object; 415 for another content type, 400 for bad JSON."""
    if request.content_type != "application/json":
        raise UnsupportedMediaType("send the body as application/json")
    try:
        data = await request.json(loads=json.loads)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid("the body is not valid JSON", "invalid_json") from exc
    if not isinstance(data, dict):
        raise Invalid("the body must be a JSON object", "invalid_json")
    missing = [name for name in required if name not in data]
    if missing:
        raise Invalid(f"missing field(s): {', '.join(missing)}", "missing_field")
    return data


def path_id(request: web.Request, name: str = "id") -> int:
    try:
        return int(request.match_info[name])
    except ValueError as exc:
        raise Invalid(f"{name} must be a number") from exc


def session_token(request: web.Request) -> tuple[str | None, bool]:
    """The token and whether it came from the cookie (cookie requests need CSRF)."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[7:].strip(), False
    return request.cookies.get(SESSION_COOKIE), True


async def current_counsellor(request: web.Request) -> Identity:
    """The signed-in counsellor: a validly signed token whose session row lives."""
    token, from_cookie = session_token(request)
    if not token:
        raise NotAuthenticated("log in first")
    signer = request.app[keys.signer]
    try:
        counsellor_id, session_id = signer.counsellor_session(token)
    except InvalidToken as exc:
        raise NotAuthenticated(f"your session is not valid: {exc}") from exc
    if from_cookie and request.method in UNSAFE_METHODS:
        csrf = request.headers.get("X-CSRF-Token", "")
        if not signer.check_csrf(token, csrf):
            raise Forbidden("missing or wrong X-CSRF-Token header", "csrf")
    who = await accounts.session_identity(request.app[keys.engine], counsellor_id, session_id)
    if who is None:
        raise NotAuthenticated("your session has ended; log in again", "session_ended")
    return who


def client_address(request: web.Request) -> str:
    return request.remote or "unknown"
