"""The counsellor REST API under /api/ (JSON; bearer token or session cookie)."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from server import accounts, inbox_socket, keys, stats, triage_override, views, views_history
from server import tables as t
from server.auth import CSRF_COOKIE, SESSION_COOKIE
from server.errors import Forbidden, Invalid, NotAuthenticated, TooManyRequests
from server.models import utcnow
from server.openapi import openapi_document
from server.web_helpers import client_address, current_counsellor, json_body, path_id

routes = web.RouteTableDef()


@routes.post("/api/auth/login")
async def login(request: web.Request) -> web.Response:
    body = await json_body(request, "email", "password")
    email, password = body["email"], body["password"]
    if not isinstance(email, str) or not isinstance(password, str):
        raise Invalid("email and password must be strings")
    limiter = request.app[keys.login_limiter]
    if not (
        limiter.allow(f"ip:{client_address(request)}")
        and limiter.allow(f"email:{accounts.normalise_email(email)}")
    ):
        raise TooManyRequests("too many login attempts; wait a minute and try again")
    engine, settings = request.app[keys.engine], request.app[keys.settings]
    who = await accounts.authenticate(engine, email, password)
    if who is None:
        raise NotAuthenticated("wrong e-mail or password", "invalid_credentials")
    session_id = await accounts.open_session(
        engine,
        who.id,
        settings.auth.session_ttl_s,
        request.headers.get("User-Agent", ""),
        client_address(request),
    )
    signer = request.app[keys.signer]
    token = signer.counsellor_token(who.id, session_id)
    csrf = signer.csrf_token(token)
    response = web.json_response({"token": token, "csrf_token": csrf, "counsellor": who.as_dict()})
    secure = settings.server.public_url.startswith("https://")
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="Lax",
        secure=secure,
        max_age=settings.auth.session_ttl_s,
        path="/",
    )
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        httponly=False,
        samesite="Strict",
        secure=secure,
        max_age=settings.auth.session_ttl_s,
        path="/",
    )
    return response


@routes.post("/api/auth/logout")
async def logout(request: web.Request) -> web.Response:
    """Ends this session only: the counsellor's other devices stay signed in."""
    who = await current_counsellor(request)
    engine, session_id = request.app[keys.engine], who.session_id
    if session_id is None:  # current_counsellor always names it; this keeps mypy sure
        raise NotAuthenticated("log in first")
    await accounts.end_session(engine, session_id)
    # This node's sockets of the session close now (and set presence as their last
    # socket closes); other nodes close theirs at their next session re-check.
    inbox = inbox_socket.namespace(request.app)
    if not await inbox.end_session(session_id) and not inbox.connected(who.id):
        await accounts.set_presence(engine, who.id, "offline")
        await accounts.announce_team(engine, request.app[keys.notifier])
    response = web.json_response({"ok": True})
    response.del_cookie(SESSION_COOKIE, path="/")
    response.del_cookie(CSRF_COOKIE, path="/")
    return response


@routes.get("/api/me")
async def me(request: web.Request) -> web.Response:
    return web.json_response((await current_counsellor(request)).as_dict())


@routes.put("/api/me/presence")
async def presence(request: web.Request) -> web.Response:
    who = await current_counsellor(request)
    body = await json_body(request, "presence")
    await accounts.set_presence(request.app[keys.engine], who.id, str(body["presence"]))
    request.app[keys.centre].queue_broadcast.changed()
    await accounts.announce_team(request.app[keys.engine], request.app[keys.notifier])
    return web.json_response({"presence": body["presence"]})


@routes.get("/api/counsellors")
async def counsellors(request: web.Request) -> web.Response:
    await current_counsellor(request)
    async with request.app[keys.engine].connect() as conn:
        rows = (
            await conn.execute(select(t.counsellors).where(t.counsellors.c.active.is_(True)))
        ).all()
    return web.json_response(
        {
            "items": [
                {
                    "id": r.id,
                    "name": r.name,
                    "email": r.email,
                    "role": r.role,
                    "presence": r.presence,
                    "capacity": r.capacity,
                }
                for r in rows
            ]
        }
    )


@routes.get("/api/queue")
async def get_queue(request: web.Request) -> web.Response:
    await current_counsellor(request)
    return web.json_response({"items": await request.app[keys.centre].queue_items()})


@routes.get("/api/conversations")
async def list_conversations(request: web.Request) -> web.Response:
    who = await current_counsellor(request)
    status = request.query.get("status") or None
    mine = request.query.get("mine") in {"1", "true", "yes"}
    async with request.app[keys.engine].connect() as conn:
        items = await views.conversation_list(
            conn, status=status, assignee_id=who.id if mine else None
        )
    return web.json_response({"items": items})


@routes.get("/api/conversations/{id}")
async def get_conversation(request: web.Request) -> web.Response:
    await current_counsellor(request)
    async with request.app[keys.engine].connect() as conn:
        conversation = await views.conversation(conn, path_id(request))
    services = request.app[keys.triage_config].services
    conversation["referrals"] = views_history.name_services(conversation["referrals"], services)
    return web.json_response(conversation)


@routes.post("/api/conversations/{id}/claim")
async def claim(request: web.Request) -> web.Response:
    who = await current_counsellor(request)
    return web.json_response(await request.app[keys.centre].claim(path_id(request), who))


@routes.post("/api/conversations/{id}/release")
async def release(request: web.Request) -> web.Response:
    who = await current_counsellor(request)
    return web.json_response(await request.app[keys.centre].release(path_id(request), who))


@routes.post("/api/conversations/{id}/transfer")
async def transfer(request: web.Request) -> web.Response:
    who = await current_counsellor(request)
    body = await json_body(request, "to")
    if (
        not isinstance(body["to"], int)
        or await accounts.identity(request.app[keys.engine], body["to"]) is None
    ):
        raise Invalid("'to' must be the id of an active counsellor")
    return web.json_response(
        await request.app[keys.centre].transfer(path_id(request), who, body["to"])
    )


@routes.post("/api/conversations/{id}/close")
async def close(request: web.Request) -> web.Response:
    who = await current_counsellor(request)
    return web.json_response(await request.app[keys.centre].close(path_id(request), who))


@routes.post("/api/conversations/{id}/messages")
async def post_message(request: web.Request) -> web.Response:
    who = await current_counsellor(request)
    body = await json_body(request, "text")
    if not isinstance(body["text"], str):
        raise Invalid("text must be a string")
    internal = bool(body.get("internal", False))
    address_id = body.get("address_id")
    if address_id is not None and (not isinstance(address_id, int) or isinstance(address_id, bool)):
        raise Invalid("address_id must be the id of one of the contact's addresses")
    message = await request.app[keys.centre].reply(
        path_id(request),
        who,
        body["text"],
        internal,
        address_id=address_id,
        subject=body.get("subject"),
    )
    return web.json_response({"message": message}, status=201)


@routes.get("/api/conversations/{id}/addresses")
async def reply_addresses(request: web.Request) -> web.Response:
    """Where the composer may send a reply: the contact's addresses, the default marked."""
    await current_counsellor(request)
    items = await request.app[keys.centre].reply_addresses(path_id(request))
    return web.json_response({"items": items})


@routes.put("/api/conversations/{id}/triage")
async def override_triage(request: web.Request) -> web.Response:
    who = await current_counsellor(request)
    body = await json_body(request)
    result = await triage_override.override(request.app[keys.centre], path_id(request), who, body)
    return web.json_response(result)


@routes.get("/api/stats")
async def get_stats(request: web.Request) -> web.Response:
    """Supervisors only: volumes, first-response times, triage override rates."""
    who = await current_counsellor(request)
    if not who.is_supervisor:
        raise Forbidden("statistics are for supervisors and admins", "supervisors_only")
    try:
        days = int(request.query.get("days", "30"))
    except ValueError as exc:
        raise Invalid("days must be a whole number") from exc
    if not 1 <= days <= 366:
        raise Invalid("days must be between 1 and 366")
    async with request.app[keys.engine].connect() as conn:
        result = await stats.statistics_since(conn, stats.since_days(days, utcnow()))
    return web.json_response(result)


@routes.get("/api/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return web.json_response(
        openapi_document(
            request.app[keys.settings].server.public_url, request.app[keys.openapi_paths]
        )
    )
