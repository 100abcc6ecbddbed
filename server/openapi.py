"""The OpenAPI 3.1 description of the counsellor REST API."""

from __future__ import annotations

from typing import Any

ERROR = {"$ref": "#/components/schemas/Error"}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def operation(
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
            status: {"description": "OK", **json_content(ok or {"type": "object"})},
            **{code: {"description": "Error", **json_content(ERROR)} for code in errors},
        },
    }
    if body is not None:
        op["requestBody"] = {"required": True, **json_content(body)}
    if path_id:
        op["parameters"] = [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
        ]
    return op


def obj(required: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props}


STR, INT, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
NULLABLE_STR = {"type": ["string", "null"]}
CONV_ERRORS = ("401", "404", "409")

SCHEMAS: dict[str, Any] = {
    "Error": obj(["error"], error=obj(["code", "message"], code=STR, message=STR)),
    "Message": obj(
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
    "ReplyAddress": obj(
        ["id", "channel", "address", "opted_out", "default", "subject", "sendable"],
        id=INT,
        channel=STR,
        address=STR,
        opted_out=BOOL,
        default=BOOL,
        subject={**BOOL, "description": "the channel takes a subject (e-mail)"},
        sendable={**BOOL, "description": "a reply can go there now"},
    ),
    "QueueItem": obj(
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
        language=NULLABLE_STR,
        contact_name=NULLABLE_STR,
        reasons={"type": "array", "items": STR, "description": "triage's reasons, English"},
        reasons_da={"type": "array", "items": STR, "description": "the same in Danish"},
    ),
    "ConversationSummary": obj(
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


def openapi_document(public_url: str, extra_paths: dict[str, Any]) -> dict[str, Any]:
    """The document; extra_paths are the path items channels add for their own routes."""
    from server.openapi_referrals import referral_paths  # it builds on the helpers here

    ref = {name: {"$ref": f"#/components/schemas/{name}"} for name in SCHEMAS}
    items = lambda schema: obj(["items"], items={"type": "array", "items": schema})  # noqa: E731
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
            **extra_paths,
            **referral_paths(),
            "/api/auth/login": {
                "post": {
                    **operation(
                        "Log in; returns a bearer token and sets the session cookie",
                        obj(["token"], token=STR, csrf_token=STR, counsellor={"type": "object"}),
                        obj(["email", "password"], email=STR, password=STR),
                        errors=("400", "401", "429"),
                    ),
                    "security": [],
                }
            },
            "/api/auth/logout": {"post": operation("Log out")},
            "/api/me": {"get": operation("The signed-in counsellor")},
            "/api/me/presence": {
                "put": operation(
                    "Set presence",
                    body=obj(["presence"], presence={"enum": ["available", "away", "offline"]}),
                )
            },
            "/api/counsellors": {"get": operation("Active counsellors")},
            "/api/queue": {"get": operation("The waiting queue in order", items(ref["QueueItem"]))},
            "/api/conversations": {
                "get": {
                    **operation(
                        "Conversations, newest activity first", items(ref["ConversationSummary"])
                    ),
                    "parameters": [
                        {"name": "status", "in": "query", "schema": STR},
                        {"name": "mine", "in": "query", "schema": STR},
                    ],
                }
            },
            "/api/conversations/{id}": {
                "get": operation(
                    "One conversation with contact, triage and messages",
                    conversation,
                    errors=("401", "404"),
                    path_id=True,
                )
            },
            "/api/conversations/{id}/claim": {
                "post": operation(
                    "Claim (409 when someone else has it)",
                    ref["ConversationSummary"],
                    errors=CONV_ERRORS,
                    path_id=True,
                )
            },
            "/api/conversations/{id}/release": {
                "post": operation(
                    "Put back in the queue",
                    ref["ConversationSummary"],
                    errors=CONV_ERRORS,
                    path_id=True,
                )
            },
            "/api/conversations/{id}/transfer": {
                "post": operation(
                    "Hand to a colleague",
                    ref["ConversationSummary"],
                    obj(["to"], to=INT),
                    errors=CONV_ERRORS,
                    path_id=True,
                )
            },
            "/api/conversations/{id}/close": {
                "post": operation(
                    "Close", ref["ConversationSummary"], errors=CONV_ERRORS, path_id=True
                )
            },
            "/api/conversations/{id}/messages": {
                "post": operation(
                    "Reply, or write an internal note. address_id sends the reply to "
                    "another known address of the contact, on that address's channel "
                    "(400 when it is not the contact's, 409 when the person opted out "
                    "there); subject replaces an e-mail's default 'Re: …' (400 on other "
                    "channels). The channel's own limits apply (400 too_long)",
                    obj(["message"], message=ref["Message"]),
                    obj(
                        ["text"],
                        text=STR,
                        internal=BOOL,
                        address_id={**INT, "description": "an id from .../addresses"},
                        subject={"type": "string", "maxLength": 200},
                    ),
                    status="201",
                    errors=("400", "401", "404", "409"),
                    path_id=True,
                )
            },
            "/api/conversations/{id}/addresses": {
                "get": operation(
                    "Where a reply can go: the contact's addresses, the conversation's "
                    "own (a reply without address_id) marked default",
                    obj(
                        ["items"],
                        items={"type": "array", "items": ref["ReplyAddress"]},
                    ),
                    errors=("401", "404"),
                    path_id=True,
                )
            },
            "/api/stats": {
                "get": {
                    **operation(
                        "Supervisors: volumes, first-response times, triage override rate per rule",
                        errors=("401", "403"),
                    ),
                    "parameters": [{"name": "days", "in": "query", "schema": INT}],
                }
            },
            "/api/conversations/{id}/triage": {
                "put": operation(
                    "Override the triage, with a reason",
                    ref["ConversationSummary"],
                    obj(
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
