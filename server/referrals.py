"""Face-to-face referrals: propose, book and confirm on the person's channel, track the
status, list follow-ups. Each command is one transaction, then its events."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server import tables as t
from server import views
from server.accounts import Identity
from server.centre import ContactCentre
from server.errors import Conflict, Invalid, NotFound
from server.models import utcnow
from server.referral_notices import send_cancellation, send_confirmation
from server.referral_rules import (
    ReferralStatus,
    bookable_slot,
    check_status,
    check_transition,
    find_service,
    follow_up_due,
    free_slots,
    parse_slot,
    service_view,
    services_for,
    slot_taken,
)
from triage.services import HasServices, Service

log = logging.getLogger(__name__)


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
            select(
                c,
                t.contacts.c.language.label("contact_language"),
                t.contacts.c.postcode.label("contact_postcode"),
            )
            .join(t.contacts, t.contacts.c.id == c.c.contact_id)
            .where(c.c.id == conversation_id)
        )
    ).first()
    if row is None:
        raise NotFound(f"conversation {conversation_id} does not exist")
    return row


def postcode_of(conv: Any) -> str | None:
    """Where the person lives: the contact's postcode, else the one triage read in this
    conversation."""
    postcode = conv.contact_postcode or (conv.triage_state or {}).get("postcode")
    return str(postcode) if postcode else None


async def proposal(
    engine: AsyncEngine, config: HasServices, conversation_id: int, postcode: str | None = None
) -> dict[str, Any]:
    """The service triage points to for this person, the others of its kind, its free slots."""
    async with engine.connect() as conn:
        conv = await _conversation(conn, conversation_id)
        age = (conv.triage_state or {}).get("age")
        postcode = postcode or postcode_of(conv)
        choices = services_for(config, conv.refer_to, age, postcode) if conv.refer_to else []
        slots = await taken_slots(conn, choices[0].id) if choices else []
    return {
        "conversation_id": conversation_id,
        "refer_to": conv.refer_to,
        "postcode": postcode,
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
                if status == ReferralStatus.CANCELLED and referral.status == ReferralStatus.BOOKED:
                    message_id = await self._cancel_notice(conn, referral, now)
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
        """Referral booked, confirmation message and its outbox item: one transaction.

        The check against the booked slots gives the usual answer; the unique index on
        booked (service, slot) decides a race between nodes, and its refusal is the
        same 409."""
        key = bookable_slot(service, slot, await taken_slots(conn, service.id), now)
        try:
            await _move(conn, referral_id, ReferralStatus.PROPOSED, ReferralStatus.BOOKED, now, key)
        except IntegrityError as exc:
            raise slot_taken() from exc
        address = self.centre.settings.email.address
        return await send_confirmation(conn, conv, referral_id, service, key, address, now)

    async def _cancel_notice(
        self, conn: AsyncConnection, referral: Any, now: datetime
    ) -> int | None:
        """The person hears that a booked appointment still ahead is off (one already
        past is only recorded)."""
        if not referral.slot or parse_slot(referral.slot) <= now:
            return None
        found = [s for s in self.config.services if s.id == referral.service_id]
        if not found:
            log.warning(
                "referral %s: service %r is gone; no notice", referral.id, referral.service_id
            )
            return None
        conv = await _conversation(conn, referral.conversation_id)
        address = self.centre.settings.email.address
        return await send_cancellation(
            conn, conv, referral.id, found[0], referral.slot, address, now
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
