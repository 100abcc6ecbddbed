"""The OpenAPI path items of face-to-face referrals."""

from __future__ import annotations

from typing import Any

from server.openapi import INT, NULLABLE_STR, STR, obj, operation

REFERRAL_STATUS = {"enum": ["proposed", "booked", "attended", "no_show", "cancelled"]}
REFERRAL = obj(
    ["id", "conversation_id", "service_id", "status"],
    id=INT,
    conversation_id=INT,
    service_id=STR,
    slot=NULLABLE_STR,
    status=REFERRAL_STATUS,
    service={"type": ["object", "null"]},
)
REFERRAL_RESULT = obj(["referral"], referral=REFERRAL, message={"type": ["object", "null"]})


def referral_paths() -> dict[str, Any]:
    query = [{"name": n, "in": "query", "schema": STR} for n in ("refer_to", "age", "postcode")]
    items = obj(["items"], items={"type": "array", "items": REFERRAL})
    return {
        "/api/referral-services": {
            "get": {**operation("Referral services, the best match first"), "parameters": query}
        },
        "/api/conversations/{id}/referral-proposal": {
            "get": operation(
                "The service triage points to, its alternatives and free slots",
                obj(["service", "alternatives", "slots"]),
                errors=("401", "404"),
                path_id=True,
            )
        },
        "/api/conversations/{id}/referrals": {
            "post": operation(
                "Propose a service, or book it when a slot is given (409: slot taken)",
                REFERRAL_RESULT,
                obj(["service_id"], service_id=STR, slot=STR),
                status="201",
                errors=("400", "401", "404", "409"),
                path_id=True,
            )
        },
        "/api/referrals/{id}": {
            "put": operation(
                "Change status: proposed→booked|cancelled, booked→attended|no_show|cancelled",
                REFERRAL_RESULT,
                obj(["status"], status=REFERRAL_STATUS, slot=STR),
                errors=("400", "401", "404", "409"),
                path_id=True,
            )
        },
        "/api/referrals/follow-ups": {
            "get": operation(
                "Booked referrals due a follow-up (all of them for supervisors)", items
            )
        },
    }
