"""What the person hears about their appointment: the booking confirmation and the
cancellation notice, on their own channel through the outbox, in their language,
with a calendar file that e-mail attaches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from server import tables as t
from server.ical import Method
from server.models import Author, Direction
from server.outbox import queue_for_sending
from server.referral_rules import calendar_file, confirmation_text, parse_slot, when
from triage.services import Service


def language_of(conv: Any) -> str:
    """The conversation's language, else the contact's; Danish unless it is English."""
    language = conv.language or conv.contact_language or "da"
    return "en" if str(language).startswith("en") else "da"


def cancellation_text(service: Service, slot: str, language: str) -> str:
    at = parse_slot(slot)
    if language == "en":
        return (
            f"Your appointment at {service.name} on {when(at, 'en')} is cancelled.\n"
            "A counsellor will help you find another time."
        )
    return (
        f"Din tid hos {service.name} {when(at, 'da')} er aflyst.\n"
        "En vejleder hjælper dig med at finde en ny tid."
    )


async def send_confirmation(
    conn: AsyncConnection,
    conv: Any,
    referral_id: int,
    service: Service,
    slot: str,
    address: str,
    now: datetime,
) -> int:
    """The confirmation, with the appointment as a calendar file; `address` is the
    service's e-mail address (the calendar's organizer and its UID's domain)."""
    language = language_of(conv)
    calendar = calendar_file(service, slot, referral_id, _domain(address), now, organizer=address)
    meta = {
        "language": language,
        "referral_id": referral_id,
        "referral_notice": "booked",
        "calendar": calendar,
    }
    return await _system_message(conn, conv, confirmation_text(service, slot, language), meta, now)


async def send_cancellation(
    conn: AsyncConnection,
    conv: Any,
    referral_id: int,
    service: Service,
    slot: str,
    address: str,
    now: datetime,
) -> int:
    """The notice; it withdraws the booking's calendar event when the booking sent one."""
    language = language_of(conv)
    meta: dict[str, Any] = {
        "language": language,
        "referral_id": referral_id,
        "referral_notice": "cancelled",
    }
    booked = await _booking_calendar(conn, conv.id, referral_id)
    if booked is not None:
        meta["calendar"] = calendar_file(
            service,
            slot,
            referral_id,
            _domain(address),
            now,
            method=Method.CANCEL,
            uid=calendar_uid(str(booked.get("content", ""))),
            organizer=address,
        )
    return await _system_message(conn, conv, cancellation_text(service, slot, language), meta, now)


def _domain(address: str) -> str:
    return address.partition("@")[2] or "eguidance.local"


def calendar_uid(content: str) -> str | None:
    """The UID of a calendar file we wrote (unfolded first: a long UID may be folded)."""
    for line in content.replace("\r\n ", "").split("\r\n"):
        if line.startswith("UID:"):
            return line[4:]
    return None


async def _booking_calendar(
    conn: AsyncConnection, conversation_id: int, referral_id: int
) -> dict[str, Any] | None:
    m = t.messages
    rows = await conn.execute(
        select(m.c.meta)
        .where(m.c.conversation_id == conversation_id, m.c.author_kind == Author.SYSTEM.value)
        .order_by(m.c.id.desc())
    )
    for (meta,) in rows:
        if (meta or {}).get("referral_notice", "booked") != "booked":
            continue
        calendar = (meta or {}).get("calendar")
        if (meta or {}).get("referral_id") == referral_id and isinstance(calendar, dict):
            return calendar
    return None


async def _system_message(
    conn: AsyncConnection, conv: Any, body: str, meta: dict[str, Any], now: datetime
) -> int:
    """The message and its outbox item, in the caller's transaction."""
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
