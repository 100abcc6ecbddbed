"""From received bytes to what the core stores: a message, or a delivery report."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from channels.email.bounces import read_bounce
from channels.email.loops import automatic_reasons
from channels.email.parsing import ParsedMail, header, parse_mail, synthetic_message_id
from channels.email.reply_token import find_conversation, split_plus
from server import tables as t
from server.centre import ContactCentre
from server.messages import Blob, InboundMessage

log = logging.getLogger(__name__)
CHANNEL = "email"


@dataclass(frozen=True)
class Delivered:
    """What the SMTP answer should say."""

    code: int
    text: str

    @property
    def reply(self) -> str:
        return f"{self.code} {self.text}"


def to_inbound(
    parsed: ParsedMail, raw: bytes, envelope_sender: str, recipients: list[str], secret_key: str
) -> InboundMessage:
    reasons = automatic_reasons(parsed.message, envelope_sender)
    tags = [tag for _, tag in (split_plus(r) for r in recipients) if tag]
    for name in ("To", "Cc", "Delivered-To"):
        value = header(parsed.message, name)
        if "+" in value:
            tags.append(value)
    hint = find_conversation(secret_key, [*tags, parsed.subject])
    meta: dict[str, object] = {
        "subject": parsed.subject,
        "message_id": parsed.message_id,
        # The thread's ids up to this message, for the References of our answer.
        "references": [*parsed.references, *parsed.in_reply_to][-20:],
        "automatic": bool(reasons),
        "html_only": parsed.html_only,
    }
    if reasons:
        meta["automatic_reasons"] = reasons
    if parsed.language:
        meta["language"] = parsed.language
    if parsed.full_text != parsed.text:
        meta["full_text"] = parsed.full_text
    blobs = [Blob("raw", raw, None, "message/rfc822")]
    listing: list[dict[str, object]] = []
    for attachment in parsed.attachments:
        entry = attachment.listing()
        if not attachment.dropped:
            # Its number at GET /api/messages/{id}/attachments/{index}.
            entry["index"] = len(blobs) - 1
            blobs.append(
                Blob("attachment", attachment.data, attachment.filename, attachment.content_type)
            )
        listing.append(entry)
    return InboundMessage(
        channel=CHANNEL,
        address=parsed.address,
        provider_id=parsed.message_id,
        text=parsed.text or parsed.full_text,
        attachments=listing,
        meta=meta,
        language=parsed.language,
        name=parsed.name,
        thread_refs=parsed.thread_refs,
        conversation_hint=hint,
        blobs=blobs,
        automatic=bool(reasons),
    )


async def deliver(
    centre: ContactCentre,
    secret_key: str,
    raw: bytes,
    envelope_sender: str,
    recipients: list[str],
    *,
    max_attachment_bytes: int,
) -> Delivered:
    """Store the mail (or apply the bounce); exceptions mean "try again later".
    Attachments over max_attachment_bytes are listed, not kept."""
    parsed = parse_mail(raw, envelope_sender, max_attachment_bytes)
    bounce = read_bounce(parsed.message, envelope_sender)
    if bounce is not None:
        if bounce.original_message_id is None:
            log.warning("bounce without the original Message-ID ignored: %s", bounce.reason)
        elif bounce.permanent:
            found = await centre.delivery_report(
                CHANNEL, bounce.original_message_id, "failed", bounce.reason
            )
            log.info(
                "bounce for %s (%s): known=%s", bounce.original_message_id, bounce.reason, found
            )
        return Delivered(250, "2.0.0 OK: delivery report received")
    if not parsed.address or "@" not in parsed.address:
        return Delivered(550, "5.1.7 no sender address in From or the envelope")
    inbound = to_inbound(parsed, raw, envelope_sender, recipients, secret_key)
    if await _id_taken_by_another(centre.engine, inbound.provider_id, inbound.address):
        inbound = _with_own_id(inbound, raw)
    receipt = await centre.receive(inbound)
    if receipt.duplicate:
        return Delivered(250, "2.0.0 OK: already received")
    return Delivered(250, "2.0.0 OK: received")


async def _id_taken_by_another(engine: AsyncEngine, provider_id: str, address: str) -> bool:
    """Whether a stored message with this Message-ID is not this sender's own earlier
    mail: a client that reuses ids, or a forged id (even one of our own outgoing
    ids). Deduplication would drop such a mail as "already received"."""
    m, c, a = t.messages, t.conversations, t.contact_addresses
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(m.c.direction, a.c.address)
                .join(c, c.c.id == m.c.conversation_id)
                .outerjoin(a, (a.c.contact_id == c.c.contact_id) & (a.c.channel == CHANNEL))
                .where(m.c.channel == CHANNEL, m.c.provider_id == provider_id)
            )
        ).all()
    if not rows:
        return False
    return not any(row.direction == "in" and row.address == address for row in rows)


def _with_own_id(inbound: InboundMessage, raw: bytes) -> InboundMessage:
    """The mail under an id made from its bytes: stored as its own message, and a
    retried delivery of the same bytes still dedupes."""
    own = synthetic_message_id(raw)
    log.warning(
        "Message-ID %r already belongs to another sender; stored as %s", inbound.provider_id, own
    )
    meta = {**inbound.meta, "message_id": own, "claimed_message_id": inbound.provider_id}
    return replace(inbound, provider_id=own, meta=meta)
