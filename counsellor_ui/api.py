"""REST endpoints the inbox needs beyond server/api.py: take next, contacts, workload,
canned replies, the supervisors' dashboard and user administration."""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web
from sqlalchemy import insert

from counsellor_ui import canned, contacts, dashboard, openapi_paths
from server import accounts, keys, queue, team_admin
from server import tables as t
from server.accounts import Identity
from server.errors import Conflict, Forbidden, Invalid, NotFound
from server.models import Role, utcnow
from server.web_helpers import current_counsellor, json_body, path_id

routes = web.RouteTableDef()


def can_serve(
    languages: list[str], channels: list[str], language: str | None, channel: str
) -> bool:
    """A counsellor serves a language and channel they have, or any when they have none set."""
    return (not languages or language is None or language in languages) and (
        not channels or channel in channels
    )


async def require_supervisor(request: web.Request) -> Identity:
    who = await current_counsellor(request)
    if not who.is_supervisor:
        raise Forbidden("this is for supervisors and admins", "supervisors_only")
    return who


async def require_admin(request: web.Request) -> Identity:
    who = await current_counsellor(request)
    if who.role != Role.ADMIN:
        raise Forbidden("this is for admins", "admins_only")
    return who


# -- queue and presence ----------------------------------------------------------------


@routes.post("/api/queue/take-next")
async def take_next(request: web.Request) -> web.Response:
    """Claims the first conversation in queue order that this counsellor can serve: in a
    language and on a channel they have, and only while they are under their capacity."""
    who = await current_counsellor(request)
    async with request.app[keys.engine].connect() as conn:
        me = await team_admin.serving_profile(conn, who.id)
        entries = await queue.waiting_queue(conn)
    if me.handling >= me.capacity:
        raise Conflict(
            f"you are handling {me.handling} conversations, your capacity is {me.capacity}: "
            "close or transfer one before taking the next",
            "at_capacity",
        )
    centre = request.app[keys.centre]
    for entry in entries:
        if not can_serve(me.languages or [], me.channels or [], entry.language, entry.channel):
            continue
        try:
            summary = await centre.claim(entry.conversation_id, who)
        except (Conflict, NotFound):
            continue  # a colleague was quicker: try the next one
        return web.json_response({"conversation": summary})
    raise NotFound("no one is waiting whom you can serve", "queue_empty")


@routes.get("/api/counsellors/workload")
async def counsellor_workload(request: web.Request) -> web.Response:
    await current_counsellor(request)
    async with request.app[keys.engine].connect() as conn:
        return web.json_response({"items": await accounts.team(conn)})


@routes.get("/api/canned-replies")
async def canned_replies(request: web.Request) -> web.Response:
    await current_counsellor(request)
    language = request.query.get("language") or "da"
    if language not in canned.LANGUAGES:
        raise Invalid(f"language must be one of {', '.join(canned.LANGUAGES)}")
    replies = canned.load(request.app[keys.settings].config_dir)
    return web.json_response(
        {"language": language, "items": canned.for_language(replies, language)}
    )


# -- contacts --------------------------------------------------------------------------


@routes.get("/api/contacts/{id}")
async def get_contact(request: web.Request) -> web.Response:
    await current_counsellor(request)
    async with request.app[keys.engine].connect() as conn:
        return web.json_response(await contacts.contact_view(conn, path_id(request)))


@routes.patch("/api/contacts/{id}")
async def patch_contact(request: web.Request) -> web.Response:
    who = await current_counsellor(request)
    body = await json_body(request)
    return web.json_response(
        await contacts.update_contact(request.app[keys.engine], path_id(request), who, body)
    )


@routes.post("/api/contacts/{id}/merge")
async def merge_contact(request: web.Request) -> web.Response:
    who = await current_counsellor(request)
    body = await json_body(request, "other_id")
    other = body["other_id"]
    if not isinstance(other, int) or isinstance(other, bool):
        raise Invalid("other_id must be a contact id")
    merged = await contacts.merge_contacts(request.app[keys.engine], path_id(request), other, who)
    return web.json_response(merged)


# -- supervisors -----------------------------------------------------------------------


@routes.get("/api/dashboard")
async def get_dashboard(request: web.Request) -> web.Response:
    await require_supervisor(request)
    timezone = request.app[keys.settings].opening_hours.timezone
    async with request.app[keys.engine].connect() as conn:
        return web.json_response(await dashboard.dashboard(conn, timezone))


@routes.get("/api/users")
async def list_users(request: web.Request) -> web.Response:
    await require_supervisor(request)
    async with request.app[keys.engine].connect() as conn:
        return web.json_response({"items": await accounts.team(conn, include_inactive=True)})


@routes.post("/api/users")
async def create_user(request: web.Request) -> web.Response:
    who = await require_admin(request)
    body = await json_body(request, "email", "role")
    email, role = body["email"], body["role"]
    name, password = body.get("name") or None, body.get("password") or None
    if not all(isinstance(v, str) for v in (email, role)) or not all(
        v is None or isinstance(v, str) for v in (name, password)
    ):
        raise Invalid("email, role, name and password must be strings")
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    engine = request.app[keys.engine]
    created = await accounts.create_counsellor(engine, email, password, role, name)
    await _audit(engine, who, "user_create", {"counsellor_id": created.id, "role": role})
    await accounts.announce_team(engine, request.app[keys.notifier])
    answer: dict[str, Any] = dict(created.as_dict())
    if generated:
        answer["password"] = password  # shown once, to the admin who made the account
    return web.json_response(answer, status=201)


@routes.patch("/api/users/{id}")
async def edit_user(request: web.Request) -> web.Response:
    """An admin changes a counsellor's name, role, languages, channels or capacity."""
    who = await require_admin(request)
    user_id = path_id(request)
    changes = team_admin.checked_changes(await json_body(request))
    if user_id == who.id and changes.get("role", Role.ADMIN) != Role.ADMIN:
        raise Invalid("you cannot take the admin role from yourself", "self")
    engine = request.app[keys.engine]
    before = await team_admin.update_counsellor(engine, user_id, changes)
    await _audit(
        engine, who, "user_update", {"counsellor_id": user_id, "before": before, "after": changes}
    )
    request.app[keys.centre].queue_broadcast.changed()
    await accounts.announce_team(engine, request.app[keys.notifier])
    async with engine.connect() as conn:
        everyone = await accounts.team(conn, include_inactive=True)
    return web.json_response(next(c for c in everyone if c["id"] == user_id))


@routes.post("/api/users/{id}/deactivate")
async def deactivate_user(request: web.Request) -> web.Response:
    who = await require_admin(request)
    user_id = path_id(request)
    if user_id == who.id:
        raise Invalid("you cannot deactivate your own account", "self")
    engine = request.app[keys.engine]
    # Its sessions end with it, so a later reactivation brings none of them back.
    if not await accounts.deactivate_counsellor(engine, user_id):
        raise NotFound(f"counsellor {user_id} does not exist")
    await _audit(engine, who, "user_deactivate", {"counsellor_id": user_id})
    request.app[keys.centre].queue_broadcast.changed()
    await accounts.announce_team(engine, request.app[keys.notifier])
    return web.json_response({"id": user_id, "active": False})


async def _audit(engine: Any, who: Identity, action: str, data: dict[str, Any]) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            insert(t.audit_events).values(
                at=utcnow(), actor_kind="counsellor", actor_id=who.id, action=action, data=data
            )
        )


def add_routes(app: web.Application) -> None:
    app.router.add_routes(routes)
    app[keys.openapi_paths].update(openapi_paths.paths())
