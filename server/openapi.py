"""The OpenAPI 3.1 description of the counsellor REST API."""

from __future__ import annotations

from typing import Any

ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _op(
    summary: str,
    ok: dict[str, Any] | None = None,
    body: dict[str, Any] | None = None,
    status: str = "200",
    errors: tuple[str, ...] = ("401",),
    path_id: bool = False,
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "responses": {
            status: {"description": "OK", **_json(ok or {"type": "object"})},
            **{code: {"description": "Error", **_json(ERROR)} for code in errors},
        },
    }
    if body is not None:
        op["requestBody"] = {"required": True, **_json(body)}
    if path_id:
        op["parameters"] = [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
        ]
    return op


def _obj(required: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props}


STR, INT, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
NULLABLE_STR = {"type": ["string", "null"]}
CONV_ERRORS = ("401", "404", "409")

SCHEMAS: dict[str, Any] = {
    "Error": _obj(["error"], error=_obj(["code", "message"], code=STR, message=STR)),
    "Message": _obj(
        ["id", "direction", "author", "channel", "text", "internal", "status", "at"],
        id=INT,
        direction={"enum": ["in", "out"]},
        author=STR,
        author_name=NULLABLE_STR,
        channel=STR,
        text=STR,
        internal=BOOL,
        status=STR,
        at=STR,
    ),
    "QueueItem": _obj(
        ["conversation_id", "channel", "urgent", "level", "priority", "waiting_since", "position"],
        conversation_id=INT,
        channel=STR,
        urgent=BOOL,
        level=NULLABLE_STR,
        priority=INT,
        waiting_since=STR,
        position=INT,
        estimated_wait_s=INT,
        preview=STR,
    ),
    "ConversationSummary": _obj(
        ["conversation_id", "channel", "status"],
        conversation_id=INT,
        channel=STR,
        status={"enum": ["bot", "waiting", "active", "pending", "closed"]},
        urgent=BOOL,
        level=NULLABLE_STR,
        priority=INT,
        assignee_id={"type": ["integer", "null"]},
    ),
}


REFERRAL_STATUS = {"enum": ["proposed", "booked", "attended", "no_show", "cancelled"]}
REFERRAL = _obj(
    ["id", "conversation_id", "service_id", "status"],
    id=INT,
    conversation_id=INT,
    service_id=STR,
    slot=NULLABLE_STR,
    status=REFERRAL_STATUS,
    service={"type": ["object", "null"]},
)
REFERRAL_RESULT = _obj(["referral"], referral=REFERRAL, message={"type": ["object", "null"]})


def _referral_paths() -> dict[str, Any]:
    query = [{"name": n, "in": "query", "schema": STR} for n in ("refer_to", "age", "postcode")]
    items = _obj(["items"], items={"type": "array", "items": REFERRAL})
    return {
        "/api/referral-services": {
            "get": {**_op("Referral services, the best match first"), "parameters": query}
        },
        "/api/conversations/{id}/referral-proposal": {
            "get": _op(
                "The service triage points to, its alternatives and free slots",
                _obj(["service", "alternatives", "slots"]),
                errors=("401", "404"),
                path_id=True,
            )
        },
        "/api/conversations/{id}/referrals": {
            "post": _op(
                "Propose a service, or book it when a slot is given (409: slot taken)",
                REFERRAL_RESULT,
                _obj(["service_id"], service_id=STR, slot=STR),
                status="201",
                errors=("400", "401", "404", "409"),
                path_id=True,
            )
        },
        "/api/referrals/{id}": {
            "put": _op(
                "Change status: proposed→booked|cancelled, booked→attended|no_show|cancelled",
                REFERRAL_RESULT,
                _obj(["status"], status=REFERRAL_STATUS, slot=STR),
                errors=("400", "401", "404", "409"),
                path_id=True,
            )
        },
        "/api/referrals/follow-ups": {
            "get": _op("Booked referrals due a follow-up (all of them for supervisors)", items)
        },
    }


def openapi_document(public_url: str) -> dict[str, Any]:
    ref = {name: {"$ref": f"#/components/schemas/{name}"} for name in SCHEMAS}
    items = lambda schema: _obj(["items"], items={"type": "array", "items": schema})  # noqa: E731
    conversation = {
        "type": "object",
        "properties": {
            "id": INT,
            "contact": {"type": "object"},
            "triage": {"type": "object"},
            "messages": {"type": "array", "items": ref["Message"]},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "eGuidance counsellor API", "version": "1"},
        "servers": [{"url": public_url}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "eg_session"},
            },
        },
        "security": [{"bearer": []}, {"cookie": []}],
        "paths": {
            **_referral_paths(),
            "/api/auth/login": {
                "post": {
                    **_op(
                        "Log in; returns a bearer token and sets the session cookie",
                        _obj(["token"], token=STR, csrf_token=STR, counsellor={"type": "object"}),
                        _obj(["email", "password"], email=STR, password=STR),
                        errors=("400", "401", "429"),
                    ),
                    "security": [],
                }
            },
            "/api/auth/logout": {"post": _op("Log out")},
            "/api/me": {"get": _op("The signed-in counsellor")},
            "/api/me/presence": {
                "put": _op(
                    "Set presence",
                    body=_obj(["presence"], presence={"enum": ["available", "away", "offline"]}),
                )
            },
            "/api/counsellors": {"get": _op("Active counsellors")},
            "/api/queue": {"get": _op("The waiting queue in order", items(ref["QueueItem"]))},
            "/api/conversations": {
                "get": {
                    **_op(
                        "Conversations, newest activity first", items(ref["ConversationSummary"])
                    ),
                    "parameters": [
                        {"name": "status", "in": "query", "schema": STR},
                        {"name": "mine", "in": "query", "schema": STR},
                    ],
                }
            },
            "/api/conversations/{id}": {
                "get": _op(
                    "One conversation with contact, triage and messages",
                    conversation,
                    errors=("401", "404"),
                    path_id=True,
                )
            },
            "/api/conversations/{id}/claim": {
                "post": _op(
                    "Claim (409 when someone else has it)",
                    ref["ConversationSummary"],
                    errors=CONV_ERRORS,
                    path_id=True,
                )
            },
            "/api/conversations/{id}/release": {
                "post": _op(
                    "Put back in the queue",
                    ref["ConversationSummary"],
                    errors=CONV_ERRORS,
                    path_id=True,
                )
            },
            "/api/conversations/{id}/transfer": {
                "post": _op(
                    "Hand to a colleague",
                    ref["ConversationSummary"],
                    _obj(["to"], to=INT),
                    errors=CONV_ERRORS,
                    path_id=True,
                )
            },
            "/api/conversations/{id}/close": {
                "post": _op("Close", ref["ConversationSummary"], errors=CONV_ERRORS, path_id=True)
            },
            "/api/conversations/{id}/messages": {
                "post": _op(
                    "Reply, or write an internal note",
                    _obj(["message"], message=ref["Message"]),
                    _obj(["text"], text=STR, internal=BOOL),
                    status="201",
                    errors=("400", "401", "404", "409"),
                    path_id=True,
                )
            },
            "/api/stats": {
                "get": {
                    **_op(
                        "Supervisors: volumes, first-response times, triage override rate per rule",
                        errors=("401", "403"),
                    ),
                    "parameters": [{"name": "days", "in": "query", "schema": INT}],
                }
            },
            "/api/conversations/{id}/triage": {
                "put": _op(
                    "Override the triage, with a reason",
                    ref["ConversationSummary"],
                    _obj(
                        ["reason"],
                        reason=STR,
                        urgent=BOOL,
                        level={"enum": ["self_help", "brief", "face_to_face"]},
                        refer_to={
                            "enum": [
                                "youth_guidance",
                                "study_guidance",
                                "jobcentre",
                                "health_social",
                                None,
                            ]
                        },
                    ),
                    errors=("400", "401", "404"),
                    path_id=True,
                )
            },
        },
    }
