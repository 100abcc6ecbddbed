"""The referral endpoints of the counsellor REST API."""

from __future__ import annotations

from aiohttp import web

from server import keys, referrals
from server.errors import Invalid, NotFound
from server.referrals import ReferralDesk
from server.web_helpers import current_counsellor, json_body, path_id

routes = web.RouteTableDef()


def _desk(request: web.Request) -> ReferralDesk:
    return ReferralDesk(request.app[keys.centre], request.app[keys.triage_config])


def _age(request: web.Request) -> int | None:
    value = request.query.get("age") or None
    if value is None:
        return None
    if not value.isdigit():
        raise Invalid("age must be a whole number")
    return int(value)


@routes.get("/api/referral-services")
async def list_services(request: web.Request) -> web.Response:
    """Services of a kind (all without refer_to), the best for age and postcode first."""
    await current_counsellor(request)
    config = request.app[keys.triage_config]
    found = referrals.services_for(
        config,
        request.query.get("refer_to") or None,
        _age(request),
        request.query.get("postcode") or None,
    )
    engine = request.app[keys.engine]
    items = [
        {**referrals.service_view(s), "free_slots": await referrals.slots_for(engine, s)}
        for s in found
    ]
    return web.json_response({"items": items})


@routes.get("/api/referral-services/{id}")
async def one_service(request: web.Request) -> web.Response:
    """One service and its free slots: the counsellor picked another than the proposed."""
    await current_counsellor(request)
    service_id = request.match_info["id"]
    found = [s for s in request.app[keys.triage_config].services if s.id == service_id]
    if not found:
        raise NotFound(f"no referral service {service_id!r}", "unknown_service")
    slots = await referrals.slots_for(request.app[keys.engine], found[0])
    return web.json_response({**referrals.service_view(found[0]), "free_slots": slots})


@routes.get("/api/conversations/{id}/referral-proposal")
async def proposal(request: web.Request) -> web.Response:
    await current_counsellor(request)
    result = await referrals.proposal(
        request.app[keys.engine],
        request.app[keys.triage_config],
        path_id(request),
        request.query.get("postcode") or None,
    )
    return web.json_response(result)


@routes.post("/api/conversations/{id}/referrals")
async def create(request: web.Request) -> web.Response:
    """Propose a service, or book it at once when a slot is given."""
    who = await current_counsellor(request)
    body = await json_body(request, "service_id")
    result = await _desk(request).create(path_id(request), who, body)
    return web.json_response(result, status=201)


@routes.get("/api/referrals/follow-ups")
async def follow_ups(request: web.Request) -> web.Response:
    who = await current_counsellor(request)
    return web.json_response({"items": await _desk(request).follow_ups(who)})


@routes.put("/api/referrals/{id}")
async def change(request: web.Request) -> web.Response:
    who = await current_counsellor(request)
    body = await json_body(request, "status")
    return web.json_response(await _desk(request).change(path_id(request), who, body))
