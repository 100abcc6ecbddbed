"""Face-to-face referral through the real server process: triage proposes a service,
the counsellor books a slot, the person gets the confirmation on their channel."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update

from server import db
from server import tables as t
from server.models import utcnow
from server.settings import load_settings
from tests.e2e.test_email_support import (
    PASSWORD,
    email_conversation,
    logged_in,
    mail_node,
    person_mail,
)
from tests.support.clients import Counsellor, Visitor
from tests.support.server import ServerProcess

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


def uid_of(ics: bytes) -> bytes:
    (uid,) = [
        line for line in ics.replace(b"\r\n ", b"").split(b"\r\n") if line.startswith(b"UID:")
    ]
    return uid


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
        status, booked = await book(
            anna, conversation["id"], offer["service"]["id"], offer["slots"][0]
        )
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

        path = f"/api/referrals/{booked['referral']['id']}"
        status, _ = await anna.request("PUT", path, json={"status": "cancelled"})
        assert status == 200
        mails = await node.sink.wait_count("mette.aero@example.dk", 3)
        body = mails[-1].get_body(("plain",))
        assert body is not None and "er aflyst" in body.get_content()
        (cancel,) = [p for p in mails[-1].walk() if p.get_content_type() == "text/calendar"]
        withdrawn = cancel.get_payload(decode=True)
        assert isinstance(withdrawn, bytes) and b"METHOD:CANCEL\r\n" in withdrawn
        assert b"STATUS:CANCELLED\r\n" in withdrawn
        assert uid_of(withdrawn) == uid_of(ics)


async def test_a_cancelled_booking_is_announced_on_the_persons_chat(
    visitors: Callable[..., Visitor], counsellors: Callable[[str], Counsellor]
) -> None:
    anna = await counsellors("anna@example.org").login()
    person = await visitors("en").connect()
    ack = await person.send(
        "I'm 19, dropped out of upper secondary, I'm dyslexic and in debt and I don't "
        "know what to do. I'd like to meet someone in person."
    )
    await face_to_face(anna, ack["conversation_id"])
    offer = await proposal(anna, ack["conversation_id"])
    service, slot = offer["service"], offer["slots"][0]
    status, booked = await book(anna, ack["conversation_id"], service["id"], slot)
    assert status == 201, booked
    await person.message(lambda m: m["text"].startswith("Your appointment is booked"))

    path = f"/api/referrals/{booked['referral']['id']}"
    status, body = await anna.request("PUT", path, json={"status": "cancelled"})
    assert status == 200 and body["referral"]["status"] == "cancelled"
    notice = await person.message(lambda m: "cancelled" in m["text"])
    assert notice["author"] == "system"
    assert notice["text"].startswith(f"Your appointment at {service['name']} on ")
    assert "A counsellor will help you find another time." in notice["text"]
    assert slot in (await proposal(anna, ack["conversation_id"]))["slots"]


async def backdate_booking(node: ServerProcess, referral_id: int, days: int) -> None:
    """Straight in the node's database: the booking was made `days` ago."""
    engine = db.create_engine(load_settings(environ=node.env))
    try:
        async with engine.begin() as conn:
            await conn.execute(
                update(t.referrals)
                .where(t.referrals.c.id == referral_id)
                .values(updated_at=utcnow() - timedelta(days=days))
            )
    finally:
        await engine.dispose()


async def test_a_due_follow_up_is_pushed_once_to_the_counsellor_and_the_supervisors(
    tmp_path: Path,
) -> None:
    # The follow-up worker polls every POLL_FACTOR outbox intervals: 1.5 s here.
    node = ServerProcess(tmp_path / "node", {"EGUIDANCE_OUTBOX__POLL_INTERVAL_S": "0.1"})
    for email, role in (("anna", "counsellor"), ("bo", "counsellor"), ("sara", "supervisor")):
        node.add_user(f"{email}@example.org", PASSWORD, role)
    await asyncio.to_thread(node.start)
    people = [Counsellor(node.url, f"{n}@example.org", PASSWORD) for n in ("anna", "bo", "sara")]
    visitors = [Visitor(node.url), Visitor(node.url)]
    try:
        anna, bo, sara = [await (await c.login()).connect_inbox() for c in people]
        booked = []
        for visitor in visitors:
            ack = await (await visitor.connect()).send(NEEDS_A_MEETING)
            await face_to_face(anna, ack["conversation_id"])
            offer = await proposal(anna, ack["conversation_id"])
            status, body = await book(
                anna, ack["conversation_id"], offer["service"]["id"], offer["slots"][0]
            )
            assert status == 201, body
            booked.append((ack["conversation_id"], body["referral"]))
        (first_conversation, first), (_, second) = booked

        await backdate_booking(node, first["id"], 15)
        reminder = await anna.log.wait_for(
            "referral.follow_up", lambda e: e["referral_id"] == first["id"]
        )
        assert reminder["conversation_id"] == first_conversation
        assert reminder["service_id"] == first["service_id"] == "kuu-koebenhavn"
        assert reminder["service_name"] == first["service"]["name"]
        assert reminder["slot"] == first["slot"] and reminder["counsellor_id"] == anna_id(first)
        assert reminder["due_at"]
        await sara.log.wait_for("referral.follow_up", lambda e: e["referral_id"] == first["id"])

        # The next poll after that one pushes the second booking, and not the first again.
        await backdate_booking(node, second["id"], 15)
        for counsellor in (anna, sara):
            await counsellor.log.wait_for(
                "referral.follow_up", lambda e: e["referral_id"] == second["id"]
            )
        for counsellor in (anna, sara):
            pushed = [e["referral_id"] for e in counsellor.log.events["referral.follow_up"]]
            assert pushed == [first["id"], second["id"]]
        assert bo.log.events["referral.follow_up"] == []
        status, listed = await anna.request("GET", "/api/referrals/follow-ups")
        assert status == 200 and [i["id"] for i in listed["items"]] == [first["id"], second["id"]]
    finally:
        for visitor in visitors:
            await visitor.disconnect()
        for counsellor in people:
            await counsellor.close()
        node.stop()


def anna_id(referral: dict[str, Any]) -> int:
    """The booking counsellor, as the referral records them."""
    return int(referral["counsellor_id"])
