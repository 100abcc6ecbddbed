"""Face-to-face referrals: propose, book and confirm on the person's channel, track the
status, list follow-ups. Each command is one transaction, then its events."""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server import tables as t
from server import views
from server.accounts import Identity
from server.centre import ContactCentre
from server.errors import Conflict, Invalid, NotFound
from server.models import Author, Direction, utcnow
from server.outbox import queue_for_sending
from server.referral_rules import (
    ReferralStatus,
    bookable_slot,
    calendar_file,
    check_status,
    check_transition,
    confirmation_text,
    find_service,
    follow_up_due,
    free_slots,
    service_view,
    services_for,
)
from triage.services import HasServices, Service


async def taken_slots(conn: AsyncConnection, service_id: str) -> list[str]:
    r = t.referrals
    rows = await conn.execute(
        select(r.c.slot).where(
            r.c.service_id == service_id,
            r.c.status == ReferralStatus.BOOKED.value,
            r.c.slot.is_not(None),
        )
    )
    return [row.slot for row in rows]


async def _conversation(conn: AsyncConnection, conversation_id: int) -> Any:
    c = t.conversations
    row = (
        await conn.execute(
            select(c, t.contacts.c.language.label("contact_language"))
            .join(t.contacts, t.contacts.c.id == c.c.contact_id)
            .where(c.c.id == conversation_id)
        )
    ).first()
    if row is None:
        raise NotFound(f"conversation {conversation_id} does not exist")
    return row


def _language(conv: Any) -> str:
    language = conv.language or conv.contact_language or "da"
    return "en" if str(language).startswith("en") else "da"


async def proposal(
    engine: AsyncEngine, config: HasServices, conversation_id: int, postcode: str | None = None
) -> dict[str, Any]:
    """The service triage points to for this person, the others of its kind, its free slots."""
    async with engine.connect() as conn:
        conv = await _conversation(conn, conversation_id)
        age = (conv.triage_state or {}).get("age")
        postcode = postcode or (conv.meta or {}).get("postcode")
        choices = services_for(config, conv.refer_to, age, postcode) if conv.refer_to else []
        slots = await taken_slots(conn, choices[0].id) if choices else []
    return {
        "conversation_id": conversation_id,
        "refer_to": conv.refer_to,
        "service": service_view(choices[0]) if choices else None,
        "alternatives": [service_view(s) for s in choices[1:]],
        "slots": free_slots(choices[0], slots, utcnow()) if choices else [],
    }


async def slots_for(engine: AsyncEngine, service: Service) -> list[str]:
    async with engine.connect() as conn:
        return free_slots(service, await taken_slots(conn, service.id), utcnow())


class ReferralDesk:
    """The referral commands; events go out through the centre after each commit."""

    def __init__(self, centre: ContactCentre, config: HasServices) -> None:
        self.centre = centre
        self.config = config

    async def create(
        self, conversation_id: int, who: Identity, body: dict[str, Any]
    ) -> dict[str, Any]:
        service = find_service(self.config, body.get("service_id"))
        now = utcnow()
        async with self.centre.engine.begin() as conn:
            conv = await _conversation(conn, conversation_id)
            claimed = await self.centre._ensure_may_answer(conn, conv, who, now)
            referral_id = (
                await conn.execute(
                    insert(t.referrals)
                    .values(
                        conversation_id=conversation_id,
                        service_id=service.id,
                        status=ReferralStatus.PROPOSED.value,
                        counsellor_id=who.id,
                        created_at=now,
                        updated_at=now,
                    )
                    .returning(t.referrals.c.id)
                )
            ).scalar_one()
            message_id = None
            if body.get("slot") is not None:
                message_id = await self._book(conn, conv, referral_id, service, body["slot"], now)
            data = {**body, "referral_id": referral_id}
            await _audit(conn, who, "referral_created", conversation_id, data)
        return await self._announce(conversation_id, referral_id, message_id, claimed)

    async def change(self, referral_id: int, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
        status = check_status(body.get("status"))
        now = utcnow()
        message_id, claimed = None, False
        async with self.centre.engine.begin() as conn:
            referral = await _referral(conn, referral_id)
            check_transition(referral.status, status)
            if status == ReferralStatus.BOOKED:
                if body.get("slot") is None:
                    raise Invalid("give the slot to book", "slot_required")
                conv = await _conversation(conn, referral.conversation_id)
                claimed = await self.centre._ensure_may_answer(conn, conv, who, now)
                service = find_service(self.config, referral.service_id)
                message_id = await self._book(conn, conv, referral_id, service, body["slot"], now)
            else:
                await _move(conn, referral_id, referral.status, status, now)
            data = {**body, "from": referral.status, "referral_id": referral_id}
            await _audit(conn, who, "referral_status", referral.conversation_id, data)
        return await self._announce(referral.conversation_id, referral_id, message_id, claimed)

    async def _book(
        self,
        conn: AsyncConnection,
        conv: Any,
        referral_id: int,
        service: Service,
        slot: object,
        now: datetime,
    ) -> int:
        """Referral booked, confirmation message and its outbox item: one transaction."""
        await _lock_service(conn, service.id)
        key = bookable_slot(service, slot, await taken_slots(conn, service.id), now)
        await _move(conn, referral_id, ReferralStatus.PROPOSED, ReferralStatus.BOOKED, now, key)
        language = _language(conv)
        domain = self.centre.settings.email.address.partition("@")[2] or "eguidance.local"
        meta = {
            "language": language,
            "referral_id": referral_id,
            "calendar": calendar_file(service, key, referral_id, domain, now),
        }
        return await _system_message(
            conn, conv, confirmation_text(service, key, language), meta, now
        )

    async def _announce(
        self, conversation_id: int, referral_id: int, message_id: int | None, claimed: bool
    ) -> dict[str, Any]:
        async with self.centre.engine.connect() as conn:
            referral = await self.view(conn, referral_id)
            message = await views.message(conn, message_id) if message_id else None
        notifier = self.centre.notifier
        if message is not None:
            self.centre.wake_outbox()
            await notifier.to_counsellors(
                "message.created", {"conversation_id": conversation_id, "message": message}
            )
        await notifier.to_counsellors(
            "referral.updated", {"conversation_id": conversation_id, "referral": referral}
        )
        await self.centre._conversation_changed(conversation_id, left_queue=claimed)
        return {"referral": referral, "message": message}

    async def view(self, conn: AsyncConnection, referral_id: int) -> dict[str, Any]:
        return self.with_service(views.referral_view(await _referral(conn, referral_id)))

    def with_service(self, referral: dict[str, Any]) -> dict[str, Any]:
        found = [s for s in self.config.services if s.id == referral["service_id"]]
        return {**referral, "service": service_view(found[0]) if found else None}

    async def follow_ups(self, who: Identity, now: datetime | None = None) -> list[dict[str, Any]]:
        """Booked referrals whose follow-up is due: the counsellor's, or all for supervisors."""
        now = now or utcnow()
        r = t.referrals
        query = select(r).where(r.c.status == ReferralStatus.BOOKED.value).order_by(r.c.id)
        if not who.is_supervisor:
            query = query.where(r.c.counsellor_id == who.id)
        async with self.centre.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        items = []
        for row in rows:
            due = follow_up_due(row.updated_at, row.slot)
            if due <= now:
                item = self.with_service(views.referral_view(row))
                items.append({**item, "follow_up_due": views.iso(due)})
        return items


async def _referral(conn: AsyncConnection, referral_id: int) -> Any:
    row = (await conn.execute(select(t.referrals).where(t.referrals.c.id == referral_id))).first()
    if row is None:
        raise NotFound(f"referral {referral_id} does not exist")
    return row


async def _move(
    conn: AsyncConnection,
    referral_id: int,
    current: str,
    new: str,
    now: datetime,
    slot: str | None = None,
) -> None:
    r = t.referrals
    values: dict[str, Any] = {"status": new, "updated_at": now}
    if slot is not None:
        values["slot"] = slot
    # Conditional on the status read: a concurrent change makes this one a 409.
    result = await conn.execute(
        update(r).where(r.c.id == referral_id, r.c.status == current).values(**values)
    )
    if not result.rowcount:
        raise Conflict("the referral changed meanwhile; reload it", "referral_changed")


async def _lock_service(conn: AsyncConnection, service_id: str) -> None:
    """Serialise bookings of one service. SQLite transactions already are serial
    (BEGIN IMMEDIATE); PostgreSQL takes a transaction-scoped advisory lock."""
    if conn.dialect.name == "postgresql":
        key = zlib.crc32(f"referral:{service_id}".encode())
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


async def _system_message(
    conn: AsyncConnection, conv: Any, body: str, meta: dict[str, Any], now: datetime
) -> int:
    message_id: int = (
        await conn.execute(
            insert(t.messages)
            .values(
                conversation_id=conv.id,
                direction=Direction.OUT.value,
                channel=conv.channel,
                author_kind=Author.SYSTEM.value,
                body=body,
                internal=False,
                status="queued",
                attachments=[],
                meta=meta,
                created_at=now,
            )
            .returning(t.messages.c.id)
        )
    ).scalar_one()
    await queue_for_sending(conn, message_id, conv.channel, now)
    return message_id


async def _audit(
    conn: AsyncConnection, who: Identity, action: str, conversation_id: int, data: dict[str, Any]
) -> None:
    fields = ("referral_id", "service_id", "slot", "status", "from")
    await conn.execute(
        insert(t.audit_events).values(
            at=utcnow(),
            actor_kind="counsellor",
            actor_id=who.id,
            action=action,
            conversation_id=conversation_id,
            data={k: data[k] for k in fields if k in data},
        )
    )
