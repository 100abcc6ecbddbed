"""The OpenAPI path items of the counsellor API routes this channel owns."""

from __future__ import annotations

from typing import Any

from server.openapi import INT, NULLABLE_STR, STR, obj, operation

ACTION = {"enum": ["connect", "call_back"]}


def paths() -> dict[str, Any]:
    placed = obj(["call_sid", "action", "to"], call_sid=STR, action=ACTION, to=STR)
    state = obj(
        ["action", "call_sid", "last_event"],
        action=ACTION,
        call_sid=NULLABLE_STR,
        last_event=NULLABLE_STR,
    )
    target = {"type": "string", "description": "E.164 phone number or client:<identity>"}
    return {
        "/api/conversations/{id}/call": {
            "get": operation(
                "Whether taking this phone conversation connects a waiting caller or "
                "calls them back",
                state,
                path_id=True,
            ),
            "post": operation(
                "Connect the waiting caller to the counsellor's phone or browser client, "
                "or call the person back (claim the conversation first)",
                placed,
                obj(["to"], to=target),
                status="201",
                errors=("400", "401", "404", "409", "502"),
                path_id=True,
            ),
        },
        "/api/twilio/client-token": {
            "get": operation(
                "A Twilio Access Token (VoiceGrant) for the counsellor's browser phone; "
                "409 in sandbox mode or without an API key",
                obj(
                    ["token", "identity", "to", "ttl_s"],
                    token=STR,
                    identity=STR,
                    to=STR,
                    ttl_s=INT,
                ),
                errors=("401", "409"),
            )
        },
    }
