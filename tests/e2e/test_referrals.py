"""Face-to-face referral through the real server process: triage proposes a service,
the counsellor books a slot, the person gets the confirmation on their channel."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.e2e.test_email_support import (
    email_conversation,
    logged_in,
    mail_node,
    person_mail,
)
from tests.support.clients import Counsellor, Visitor

NEEDS_A_MEETING = (
    "Jeg er 18 år og er droppet ud af gymnasiet. Jeg er ordblind og har gæld, "
    "og jeg ved ikke hvad jeg skal"
)


async def face_to_face(anna: Counsellor, conversation_id: int) -> dict[str, Any]:
    """The conversation once triage has decided it needs a meeting."""
    async with asyncio.timeout(10):
        while True:
            status, detail = await anna.request("GET", f"/api/conversations/{conversation_id}")
            assert status == 200
            if detail["level"] == "face_to_face":
                return dict(detail)
            await asyncio.sleep(0.1)


async def proposal(anna: Counsellor, conversation_id: int) -> dict[str, Any]:
    path = f"/api/conversations/{conversation_id}/referral-proposal"
    status, body = await anna.request("GET", path)
    assert status == 200, body
    return dict(body)


async def book(anna: Counsellor, conversation_id: int, service_id: str, slot: str) -> Any:
    return await anna.request(
        "POST",
        f"/api/conversations/{conversation_id}/referrals",
        json={"service_id": service_id, "slot": slot},
    )


async def test_a_referral_is_booked_and_confirmed_on_the_persons_channel(
    visitors: Callable[..., Visitor], counsellors: Callable[[str], Counsellor]
) -> None:
    anna = await (await counsellors("anna@example.org").login()).connect_inbox()
    person = await visitors("da").connect()
    ack = await person.send(NEEDS_A_MEETING)
    detail = await face_to_face(anna, ack["conversation_id"])
    assert detail["triage"]["refer_to"] == "youth_guidance"

    offer = await proposal(anna, ack["conversation_id"])
    service = offer["service"]
    assert service["id"] == "kuu-koebenhavn" and service["kind"] == "youth_guidance"
    assert offer["slots"] and all(a["kind"] == "youth_guidance" for a in offer["alternatives"])
    status, booked = await book(anna, ack["conversation_id"], service["id"], offer["slots"][0])
    assert status == 201, booked
    assert booked["referral"]["status"] == "booked"

    confirmation = await person.message(lambda m: m["author"] == "system")
    assert "Din tid er booket" in confirmation["text"]
    assert service["address"] in confirmation["text"] and service["phone"] in confirmation["text"]
    event = await anna.log.wait_for("referral.updated")
    assert event["referral"]["id"] == booked["referral"]["id"]
    status, detail = await anna.request("GET", f"/api/conversations/{ack['conversation_id']}")
    assert [r["status"] for r in detail["referrals"]] == ["booked"]
    assert offer["slots"][0] not in (await proposal(anna, ack["conversation_id"]))["slots"]


async def test_a_taken_slot_and_a_wrong_transition_are_conflicts(
    visitors: Callable[..., Visitor], counsellors: Callable[[str], Counsellor]
) -> None:
    anna = await counsellors("anna@example.org").login()
    bo = await counsellors("bo@example.org").login()
    first = await (await visitors("da").connect()).send(NEEDS_A_MEETING)
    second = await (await visitors("da").connect()).send(NEEDS_A_MEETING)
    await face_to_face(anna, first["conversation_id"])
    await face_to_face(bo, second["conversation_id"])
    offer = await proposal(anna, first["conversation_id"])
    slot = offer["slots"][0]
    status, booked = await book(anna, first["conversation_id"], "kuu-koebenhavn", slot)
    assert status == 201
    status, body = await book(bo, second["conversation_id"], "kuu-koebenhavn", slot)
    assert status == 409 and body["error"]["code"] == "slot_taken"
    status, body = await book(bo, second["conversation_id"], "kuu-koebenhavn", "tomorrow")
    assert status == 400

    path = f"/api/referrals/{booked['referral']['id']}"
    status, body = await anna.request("PUT", path, json={"status": "proposed"})
    assert status == 409 and body["error"]["code"] == "invalid_transition"
    status, body = await anna.request("PUT", path, json={"status": "no_show"})
    assert status == 200 and body["referral"]["status"] == "no_show"
    status, body = await anna.request("PUT", path, json={"status": "attended"})
    assert status == 409
    status, body = await anna.request("GET", "/api/referrals/follow-ups")
    assert status == 200 and body["items"] == []
    status, body = await anna.request("GET", "/api/referral-services?refer_to=jobcentre&age=30")
    assert status == 200 and body["items"][0]["id"] == "jobcenter-koebenhavn"
    assert body["items"][0]["free_slots"]
    status, document = await anna.request("GET", "/api/openapi.json")
    assert "/api/conversations/{id}/referrals" in document["paths"]


async def test_an_email_booking_arrives_with_the_calendar_file(tmp_path: Path) -> None:
    async with mail_node(tmp_path / "node") as node, logged_in(node) as anna:
        await node.send(person_mail(NEEDS_A_MEETING))
        await node.sink.wait_count("mette.aero@example.dk", 1)
        conversation = await email_conversation(anna)
        await face_to_face(anna, conversation["id"])
        offer = await proposal(anna, conversation["id"])
        status, _ = await book(anna, conversation["id"], offer["service"]["id"], offer["slots"][0])
        assert status == 201

        mails = await node.sink.wait_count("mette.aero@example.dk", 2)
        parts = [p for p in mails[-1].walk() if p.get_content_type() == "text/calendar"]
        assert len(parts) == 1 and parts[0].get_filename() == "vejledning.ics"
        ics = parts[0].get_payload(decode=True)
        assert isinstance(ics, bytes)
        assert ics.startswith(b"BEGIN:VCALENDAR\r\n") and b"BEGIN:VEVENT\r\n" in ics
        assert b"LOCATION:Gyldenl\xc3\xb8vesgade 15\\, 1600 K\xc3\xb8benhavn V" in ics
        body = mails[-1].get_body(("plain",))
        assert body is not None and "Din tid er booket" in body.get_content()
