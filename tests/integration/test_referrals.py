"""Referrals on real databases: booking in one transaction, one booking per slot,
status transitions, and follow-ups that fall due after 14 days."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from server import intake, referrals, views
from server import tables as t
from server.accounts import Identity
from server.centre import ContactCentre
from server.errors import Conflict
from server.messages import InboundMessage
from server.metrics import Metrics
from server.models import utcnow
from server.realtime import Notifier
from server.referral_notices import calendar_uid
from server.referrals import ReferralDesk
from server.settings import Settings
from tests.integration.test_intake import DAY
from tests.integration.test_queue_claims import make_counsellors
from triage import load_config


class RecordingNotifier(Notifier):
    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    async def _emit(self, event: str, data: Any, *, room: str, namespace: str) -> None:
        self.events.append((event, data))

    def named(self, event: str) -> list[Any]:
        return [data for name, data in self.events if name == event]


class Desk:
    def __init__(self, centre: ContactCentre, notifier: RecordingNotifier, people: list[int]):
        self.centre, self.notifier = centre, notifier
        self.desk = ReferralDesk(centre, load_config(centre.settings.config_dir))
        self.anna = Identity(people[0], "c0@example.org", "Anna", "counsellor")
        self.bo = Identity(people[1], "c1@example.org", "Bo", "counsellor")
        self.sara = Identity(people[2], "c2@example.org", "Sara", "supervisor")
        self.woken = 0

    async def conversation(
        self,
        n: int,
        language: str = "da",
        postcode: str | None = "8000",
        state: dict[str, Any] | None = None,
    ) -> int:
        """A chat conversation that triage sent to youth guidance, from Aarhus."""
        engine = self.centre.engine
        async with engine.begin() as conn:
            receipt = await intake.store_inbound(
                conn, InboundMessage("chat", f"v-{n}", f"v{n}:1", "hej"), utcnow(), DAY
            )
            await conn.execute(
                update(t.conversations)
                .where(t.conversations.c.id == receipt.conversation_id)
                .values(
                    level="face_to_face",
                    refer_to="youth_guidance",
                    language=language,
                    triage_state={"age": 18, **(state or {})},
                )
            )
            await conn.execute(
                update(t.contacts)
                .where(t.contacts.c.id == receipt.contact_id)
                .values(postcode=postcode)
            )
        return receipt.conversation_id

    async def proposal(self, conversation_id: int) -> dict[str, Any]:
        return await referrals.proposal(self.centre.engine, self.desk.config, conversation_id)


@pytest.fixture
async def desk(engine: AsyncEngine, settings: Settings) -> AsyncIterator[Desk]:
    notifier = RecordingNotifier()
    people = await make_counsellors(engine, 3)
    centre = ContactCentre(engine, notifier, settings, Metrics(), wake_outbox=lambda: None)
    made = Desk(centre, notifier, people)
    centre.wake_outbox = lambda: setattr(made, "woken", made.woken + 1)
    yield made
    await centre.queue_broadcast.stop()


async def count(engine: AsyncEngine, table: Any) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def test_a_booking_writes_referral_confirmation_outbox_and_audit_together(
    desk: Desk,
) -> None:
    conversation_id = await desk.conversation(1)
    proposal = await desk.proposal(conversation_id)
    assert proposal["service"]["id"] == "uu-aarhus"
    assert proposal["refer_to"] == "youth_guidance" and proposal["slots"]
    assert {s["kind"] for s in proposal["alternatives"]} == {"youth_guidance"}
    slot = proposal["slots"][0]

    result = await desk.desk.create(
        conversation_id, desk.anna, {"service_id": "uu-aarhus", "slot": slot}
    )
    referral, message = result["referral"], result["message"]
    assert referral["status"] == "booked" and referral["slot"] == slot
    assert referral["service"]["name"] == "Ungdommens Uddannelsesvejledning Aarhus"
    assert message["author"] == "system" and "Værkmestergade 15" in message["text"]
    assert "Din tid er booket" in message["text"] and message["status"] == "queued"
    engine = desk.centre.engine
    async with engine.connect() as conn:
        meta = (
            await conn.execute(select(t.messages.c.meta).where(t.messages.c.id == message["id"]))
        ).scalar_one()
        outbox = (
            await conn.execute(
                select(t.outbox_items).where(t.outbox_items.c.message_id == message["id"])
            )
        ).one()
        actions = (await conn.execute(select(t.audit_events.c.action))).scalars().all()
        shown = await views.conversation(conn, conversation_id)
    assert meta["calendar"]["filename"] == "vejledning.ics"
    assert meta["calendar"]["content"].startswith("BEGIN:VCALENDAR\r\n")
    assert outbox.state == "queued" and outbox.channel == "chat"
    assert "referral_created" in actions and "claim" in actions
    assert [r["status"] for r in shown["referrals"]] == ["booked"]
    assert desk.woken == 1
    assert desk.notifier.named("referral.updated")[0]["referral"]["id"] == referral["id"]
    assert desk.notifier.named("message.created")[0]["message"]["id"] == message["id"]
    assert desk.notifier.named("conversation.updated")[0]["assignee_id"] == desk.anna.id
    assert slot not in (await desk.proposal(conversation_id))["slots"]


async def test_a_taken_slot_is_a_conflict_and_leaves_nothing_behind(desk: Desk) -> None:
    first, second = await desk.conversation(1), await desk.conversation(2)
    slot = (await desk.proposal(first))["slots"][0]
    body = {"service_id": "uu-aarhus", "slot": slot}
    await desk.desk.create(first, desk.anna, body)
    before = [await count(desk.centre.engine, x) for x in (t.referrals, t.messages)]
    with pytest.raises(Conflict) as caught:
        await desk.desk.create(second, desk.bo, body)
    assert caught.value.code == "slot_taken"
    assert [await count(desk.centre.engine, x) for x in (t.referrals, t.messages)] == before


async def test_two_counsellors_booking_one_slot_at_once_get_one_booking(desk: Desk) -> None:
    first, second = await desk.conversation(1), await desk.conversation(2)
    slot = (await desk.proposal(first))["slots"][1]
    body = {"service_id": "uu-aarhus", "slot": slot}
    results = await asyncio.gather(
        desk.desk.create(first, desk.anna, body),
        desk.desk.create(second, desk.bo, body),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "dict"]
    async with desk.centre.engine.connect() as conn:
        booked = (await conn.execute(select(t.referrals.c.slot))).scalars().all()
    assert booked == [slot]


async def test_status_moves_only_along_the_allowed_transitions(desk: Desk) -> None:
    conversation_id = await desk.conversation(1, language="en")
    proposed = (await desk.desk.create(conversation_id, desk.anna, {"service_id": "uu-aarhus"}))[
        "referral"
    ]
    assert proposed["status"] == "proposed" and proposed["slot"] is None
    with pytest.raises(Conflict):
        await desk.desk.change(proposed["id"], desk.anna, {"status": "attended"})
    slot = (await desk.proposal(conversation_id))["slots"][0]
    booked = await desk.desk.change(proposed["id"], desk.anna, {"status": "booked", "slot": slot})
    assert booked["referral"]["status"] == "booked"
    assert booked["message"]["text"].startswith("Your appointment is booked")
    attended = await desk.desk.change(proposed["id"], desk.anna, {"status": "attended"})
    assert attended["referral"]["status"] == "attended" and attended["message"] is None
    with pytest.raises(Conflict) as caught:
        await desk.desk.change(proposed["id"], desk.anna, {"status": "cancelled"})
    assert caught.value.code == "invalid_transition"


async def backdate(engine: AsyncEngine, referral_id: int, days: int, slot: str | None) -> None:
    then = utcnow() - timedelta(days=days)
    values: dict[str, Any] = {"created_at": then, "updated_at": then}
    if slot is not None:
        values["slot"] = slot
    async with engine.begin() as conn:
        await conn.execute(
            update(t.referrals).where(t.referrals.c.id == referral_id).values(**values)
        )


async def test_follow_ups_fall_due_14_days_after_booking(desk: Desk) -> None:
    engine = desk.centre.engine
    made = []
    for n, who in enumerate((desk.anna, desk.anna, desk.bo, desk.anna), start=1):
        conversation_id = await desk.conversation(n)
        slot = (await desk.proposal(conversation_id))["slots"][0]
        body = {"service_id": "uu-aarhus", "slot": slot}
        made.append((await desk.desk.create(conversation_id, who, body))["referral"]["id"])
    old, recent, bos, cancelled = made
    await backdate(engine, old, 20, (utcnow() - timedelta(days=16)).isoformat())
    await backdate(engine, bos, 15, None)
    await desk.desk.change(cancelled, desk.anna, {"status": "cancelled"})
    await backdate(engine, cancelled, 30, None)

    annas = await desk.desk.follow_ups(desk.anna)
    assert [item["id"] for item in annas] == [old]
    assert annas[0]["follow_up_due"] and annas[0]["service"]["id"] == "uu-aarhus"
    assert [item["id"] for item in await desk.desk.follow_ups(desk.bo)] == [bos]
    assert [item["id"] for item in await desk.desk.follow_ups(desk.sara)] == [old, bos]
    later = utcnow() + timedelta(days=15)
    assert recent in [item["id"] for item in await desk.desk.follow_ups(desk.anna, later)]


async def test_a_booking_the_slot_check_missed_is_refused_by_the_index_as_slot_taken(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another node booked the slot after this one read the booked slots: the unique
    index refuses the second booking, and the answer is the same 409."""
    first, second = await desk.conversation(1), await desk.conversation(2)
    slot = (await desk.proposal(first))["slots"][0]
    body = {"service_id": "uu-aarhus", "slot": slot}
    await desk.desk.create(first, desk.anna, body)
    before = [await count(desk.centre.engine, x) for x in (t.referrals, t.messages)]

    async def nothing_booked(conn: Any, service_id: str) -> list[str]:
        return []

    monkeypatch.setattr(referrals, "taken_slots", nothing_booked)
    with pytest.raises(Conflict) as caught:
        await desk.desk.create(second, desk.bo, body)
    assert caught.value.code == "slot_taken"
    assert [await count(desk.centre.engine, x) for x in (t.referrals, t.messages)] == before


async def test_the_database_refuses_a_second_booked_row_for_a_service_and_slot(
    desk: Desk,
) -> None:
    conversation_id = await desk.conversation(1)
    slot = "2030-01-07T09:00:00+01:00"
    now = utcnow()

    def row(service_id: str, status: str) -> dict[str, Any]:
        return {
            "conversation_id": conversation_id,
            "service_id": service_id,
            "slot": slot,
            "status": status,
            "created_at": now,
            "updated_at": now,
        }

    async with desk.centre.engine.begin() as conn:
        await conn.execute(insert(t.referrals), [row("uu-aarhus", "booked")])
        # Cancelled bookings and other services may share the time.
        await conn.execute(
            insert(t.referrals),
            [
                row("uu-aarhus", "cancelled"),
                row("uu-aarhus", "cancelled"),
                row("uu-odense", "booked"),
            ],
        )
    with pytest.raises(IntegrityError):
        async with desk.centre.engine.begin() as conn:
            await conn.execute(insert(t.referrals), [row("uu-aarhus", "booked")])
    assert await count(desk.centre.engine, t.referrals) == 4


async def test_the_proposal_picks_the_local_service_by_the_persons_postcode(desk: Desk) -> None:
    aarhus = await desk.proposal(await desk.conversation(1, postcode="8000"))
    assert aarhus["service"]["id"] == "uu-aarhus" and aarhus["postcode"] == "8000"

    unknown = await desk.proposal(await desk.conversation(2, postcode=None))
    assert unknown["postcode"] is None
    assert unknown["service"]["id"] == "kuu-koebenhavn"  # the default youth guidance
    assert "uu-aarhus" in [s["id"] for s in unknown["alternatives"]]

    said_in_chat = await desk.conversation(3, postcode=None, state={"postcode": "5000"})
    assert (await desk.proposal(said_in_chat))["service"]["id"] == "uu-odense"
    # The contact's own postcode goes before what triage read in one conversation.
    both = await desk.conversation(4, postcode="8000", state={"postcode": "5000"})
    assert (await desk.proposal(both))["service"]["id"] == "uu-aarhus"
    # Not a postcode any service covers: the default again.
    elsewhere = await desk.conversation(5, postcode="3700")
    assert (await desk.proposal(elsewhere))["service"]["id"] == "kuu-koebenhavn"


async def messages_of(engine: AsyncEngine, conversation_id: int) -> list[Any]:
    m = t.messages
    async with engine.connect() as conn:
        query = select(m).where(m.c.conversation_id == conversation_id).order_by(m.c.id)
        return list((await conn.execute(query)).all())


async def test_cancelling_a_booking_tells_the_person_and_withdraws_the_calendar_event(
    desk: Desk,
) -> None:
    engine = desk.centre.engine
    conversation_id = await desk.conversation(1)
    slot = (await desk.proposal(conversation_id))["slots"][0]
    booked = await desk.desk.create(
        conversation_id, desk.anna, {"service_id": "uu-aarhus", "slot": slot}
    )
    referral_id = booked["referral"]["id"]
    result = await desk.desk.change(referral_id, desk.bo, {"status": "cancelled"})

    assert result["referral"]["status"] == "cancelled"
    notice = result["message"]
    assert notice["author"] == "system" and notice["status"] == "queued"
    assert "Din tid hos Ungdommens Uddannelsesvejledning Aarhus" in notice["text"]
    assert "er aflyst" in notice["text"] and "ny tid" in notice["text"]
    confirmation, cancellation = [
        row.meta
        for row in await messages_of(engine, conversation_id)
        if row.author_kind == "system"
    ]
    uid = calendar_uid(confirmation["calendar"]["content"])
    assert uid is not None and uid.startswith(f"referral-{referral_id}@")
    assert cancellation["calendar"]["method"] == "CANCEL"
    assert calendar_uid(cancellation["calendar"]["content"]) == uid
    assert "METHOD:CANCEL\r\n" in cancellation["calendar"]["content"]
    async with engine.connect() as conn:
        outbox = (
            await conn.execute(
                select(t.outbox_items.c.state).where(t.outbox_items.c.message_id == notice["id"])
            )
        ).scalar_one()
    assert outbox == "queued" and desk.woken == 2
    assert desk.notifier.named("message.created")[-1]["message"]["id"] == notice["id"]
    # The slot is free again.
    assert slot in (await desk.proposal(conversation_id))["slots"]


async def test_a_cancelled_proposal_sends_nothing_and_english_gets_english(desk: Desk) -> None:
    conversation_id = await desk.conversation(1, language="en")
    proposed = await desk.desk.create(conversation_id, desk.anna, {"service_id": "uu-aarhus"})
    dropped = await desk.desk.change(proposed["referral"]["id"], desk.anna, {"status": "cancelled"})
    assert dropped["message"] is None and await messages_of(desk.centre.engine, conversation_id)

    slot = (await desk.proposal(conversation_id))["slots"][0]
    booked = await desk.desk.create(
        conversation_id, desk.anna, {"service_id": "uu-aarhus", "slot": slot}
    )
    cancelled = await desk.desk.change(booked["referral"]["id"], desk.anna, {"status": "cancelled"})
    assert cancelled["message"]["text"].startswith(
        "Your appointment at Ungdommens Uddannelsesvejledning Aarhus on "
    )
    assert "is cancelled" in cancelled["message"]["text"]
