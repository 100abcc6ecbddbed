"""OpenAPI path items of the inbox's own REST endpoints (counsellor_ui/api.py), for
/api/openapi.json."""

from __future__ import annotations

from typing import Any

from server.openapi import BOOL, INT, STR, obj, operation

NULLABLE_STR = {"type": ["string", "null"]}
SUPERVISORS = ("401", "403")


def _items(schema: dict[str, Any]) -> dict[str, Any]:
    return obj(["items"], items={"type": "array", "items": schema})


def _strings() -> dict[str, Any]:
    return {"type": "array", "items": STR}


def _counsellor() -> dict[str, Any]:
    return obj(
        ["id", "name", "email", "role", "presence", "capacity", "handling", "active"],
        id=INT,
        name=STR,
        email=STR,
        role={"enum": ["counsellor", "supervisor", "admin"]},
        presence={"enum": ["available", "away", "offline"]},
        capacity=INT,
        handling=INT,
        languages={"type": "array", "items": STR},
        channels={"type": "array", "items": STR},
        active=BOOL,
    )


def _contact() -> dict[str, Any]:
    address = obj(["channel", "address"], channel=STR, address=STR, opted_out=BOOL)
    earlier = obj(
        ["id", "channel", "status"],
        id=INT,
        channel=STR,
        status=STR,
        level=NULLABLE_STR,
        urgent=BOOL,
        created_at=STR,
        preview=STR,
    )
    return obj(
        ["id", "name", "profile", "postcode", "addresses", "conversations"],
        id=INT,
        name=NULLABLE_STR,
        language=NULLABLE_STR,
        profile=STR,
        postcode={**NULLABLE_STR, "pattern": "^[0-9]{4}$"},
        created_at=STR,
        addresses={"type": "array", "items": address},
        conversations={"type": "array", "items": earlier},
    )


def paths() -> dict[str, Any]:
    contact = _contact()
    counsellor = _counsellor()
    canned = obj(
        ["id", "title", "text", "language"],
        id=STR,
        title=STR,
        text=STR,
        language={"enum": ["da", "en"], "description": "the other one when untranslated"},
    )
    language = [{"name": "language", "in": "query", "schema": {"enum": ["da", "en"]}}]
    return {
        "/api/queue/take-next": {
            "post": operation(
                "Claim the first waiting conversation this counsellor can serve "
                "(their languages and channels); 409 at_capacity when they already handle "
                "as many as their capacity, 404 queue_empty when there is none",
                obj(["conversation"], conversation={"type": "object"}),
                errors=("401", "403", "404", "409"),
            )
        },
        "/api/counsellors/workload": {
            "get": operation(
                "Active counsellors with presence, capacity and conversations handled",
                _items(counsellor),
            )
        },
        "/api/canned-replies": {
            "get": {
                **operation(
                    "Canned replies from config/ in one language (the inbox asks for the "
                    "conversation's)",
                    obj(
                        ["language", "items"],
                        language=STR,
                        items={"type": "array", "items": canned},
                    ),
                    errors=("400", "401"),
                ),
                "parameters": language,
            }
        },
        "/api/contacts/{id}": {
            "get": operation(
                "A contact: name, profile, postcode, addresses, earlier conversations",
                contact,
                errors=("401", "404"),
                path_id=True,
            ),
            "patch": operation(
                "Change a contact's name, profile or postcode (four digits, or empty to clear)",
                contact,
                obj([], name=NULLABLE_STR, profile=STR, postcode=NULLABLE_STR),
                errors=("400", "401", "403", "404"),
                path_id=True,
            ),
        },
        "/api/contacts/{id}/merge": {
            "post": operation(
                "Merge another contact (other_id) into this one: addresses, conversations "
                "and profile move here, the other is deleted",
                contact,
                obj(["other_id"], other_id=INT),
                errors=("400", "401", "403", "404"),
                path_id=True,
            )
        },
        "/api/dashboard": {
            "get": operation(
                "Supervisors: live queue, today's volumes, first-response times, triage "
                "outcomes, override and referral rates, contacts per hour, counsellors",
                errors=SUPERVISORS,
            )
        },
        "/api/users": {
            "get": operation(
                "Supervisors: every account, the deactivated too",
                _items(counsellor),
                errors=SUPERVISORS,
            ),
            "post": operation(
                "Admins: create an account; without a password one is generated and returned once",
                obj(
                    ["id", "email", "name", "role"],
                    id=INT,
                    email=STR,
                    name=STR,
                    role=STR,
                    password=STR,
                ),
                obj(["email", "role"], email=STR, role=STR, name=STR, password=STR),
                status="201",
                errors=("400", "401", "403", "409"),
            ),
        },
        "/api/users/{id}": {
            "patch": operation(
                "Admins: change an account's name, role, languages (da, en; at least one), "
                "channels (chat, sms, email, voice; none means all) or capacity (0-50); "
                "audited, and pushed to the inbox as counsellors.updated",
                counsellor,
                obj(
                    [],
                    name=STR,
                    role={"enum": ["counsellor", "supervisor", "admin"]},
                    languages={"type": "array", "items": {"enum": ["da", "en"]}},
                    channels={
                        "type": "array",
                        "items": {"enum": ["chat", "sms", "email", "voice"]},
                    },
                    capacity={"type": "integer", "minimum": 0, "maximum": 50},
                ),
                errors=("400", "401", "403", "404"),
                path_id=True,
            )
        },
        "/api/referral-services/{id}": {
            "get": {
                **operation(
                    "One referral service and its free appointment slots (the inbox shows "
                    "them when the counsellor picks another service than the proposed one)",
                    obj(["id", "name", "free_slots"], id=STR, name=STR, free_slots=_strings()),
                    errors=("401", "404"),
                ),
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
            }
        },
        "/api/users/{id}/deactivate": {
            "post": operation(
                "Admins: deactivate an account (it can no longer sign in)",
                obj(["id", "active"], id=INT, active=BOOL),
                errors=("400", "401", "403", "404"),
                path_id=True,
            )
        },
    }
