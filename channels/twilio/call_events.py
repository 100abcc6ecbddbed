"""Call events: what a call did, stored as messages on channel "voice", and read back.

Each event's meta carries the CallSid and its kind (plus the queue and language
while a caller waits), so the conversation itself tells whether its caller is still
in a Twilio queue or has to be called back; no state lives in one node's memory.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from channels.twilio.phone import normalise_number
from channels.twilio.signature import Form
from channels.twilio.sms import SMS, VOICE
from server import keys
from server import tables as t
from server.messages import InboundMessage

log = logging.getLogger(__name__)
URGENT_REASON = "Caller chose 'I need to talk to someone now' in the phone menu"
# What the caller did that asks for a counsellor: queued as it is, never asked a
# triage question (over SMS, to someone who may only have a landline).
QUEUE_REASONS = {
    "queued": "Caller is waiting in the phone queue",
    "urgent": "Caller is waiting in the phone queue",
    "callback": "Caller asked to be called back",
    "voicemail": "Caller left a voicemail",
    "transcript": "Caller left a voicemail",
}
# A caller with one of these as the last event of their call is still in a queue.
WAITING_KINDS = frozenset({"queued", "urgent", "requeued"})
# A key pressed in the wait loop, stored as the event of this kind.
WAIT_CHOICES = {"voicemail": "chose_voicemail", "callback": "chose_callback"}


class StoreFailed(Exception):
    """The call event was not stored; Twilio should try again."""


def person_number(form: Mapping[str, str] | Form) -> str:
    """The caller's number: From on their call, To on a call the service placed."""
    if (form.get("Direction") or "").startswith("outbound"):
        return form.get("To") or ""
    return form.get("From") or form.get("Caller") or ""


async def store_call_event(
    app: web.Application,
    form: Mapping[str, str] | Form,
    kind: str,
    text: str,
    *,
    provider_id: str | None = None,
    attachments: list[dict[str, Any]] | None = None,
    author: str = "system",
    meta: dict[str, Any] | None = None,
    number: str | None = None,
) -> None:
    caller = number or person_number(form)
    call_sid = form.get("CallSid") or ""
    if not caller or not call_sid:
        log.warning("call event %s without a number/CallSid not stored", kind)
        return
    inbound = InboundMessage(
        channel=VOICE,
        address=normalise_number(caller),
        provider_id=provider_id or f"{call_sid}:{kind}",
        text=text,
        attachments=attachments or [],
        meta={"call_sid": call_sid, "kind": kind, **(meta or {})},
        author=author,
        urgent_reason=URGENT_REASON if kind == "urgent" else None,
        queue_reason=QUEUE_REASONS.get(kind),
        linked_channels=(SMS,),
    )
    try:
        await app[keys.centre].receive(inbound)
    except Exception as exc:
        log.exception("storing call event %s for %s failed", kind, call_sid)
        raise StoreFailed(kind) from exc


@dataclass(frozen=True)
class CallState:
    """The conversation's latest call, as its stored events tell it."""

    call_sid: str | None = None
    kind: str | None = None
    queue: str | None = None
    lang: str = "da"

    @property
    def waiting(self) -> bool:
        return self.call_sid is not None and self.kind in WAITING_KINDS and bool(self.queue)

    def as_dict(self) -> dict[str, Any]:
        action = "connect" if self.waiting else "call_back"
        return {"action": action, "call_sid": self.call_sid, "last_event": self.kind}


async def call_state(engine: AsyncEngine, conversation_id: int) -> CallState:
    m = t.messages
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(m.c.meta)
            .where(m.c.conversation_id == conversation_id, m.c.channel == VOICE)
            .order_by(m.c.id)
        )
        metas = [row.meta or {} for row in rows]
    state = CallState()
    for meta in metas:
        kind, call_sid = meta.get("kind"), meta.get("call_sid")
        if not kind or not call_sid or kind.startswith("outbound"):
            continue  # the service's own calls do not change where the caller is
        same = call_sid == state.call_sid
        state = CallState(
            call_sid,
            kind,
            meta.get("queue") or (state.queue if same else None),
            meta.get("lang") or (state.lang if same else "da"),
        )
    return state


async def wait_choice_of(engine: AsyncEngine, call_sid: str) -> str | None:
    """What the caller last pressed in the wait loop of this call, if anything."""
    if not call_sid:
        return None
    choices = {f"{call_sid}:{kind}": choice for choice, kind in WAIT_CHOICES.items()}
    m = t.messages
    async with engine.connect() as conn:
        provider_id = (
            await conn.execute(
                select(m.c.provider_id)
                .where(m.c.channel == VOICE, m.c.provider_id.in_(choices))
                .order_by(m.c.id.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
    return choices.get(provider_id) if provider_id else None
