"""The service layer's delivery side: status reports on messages we sent, media a
channel fetched after storing a message, and opt-outs. A part of ContactCentre
(server/centre.py), kept apart so each file reads as one concern.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from server import tables as t
from server import views
from server.centre_bot_failure import queue_after_bot_failure
from server.messages import Blob
from server.models import Author, Delivery, utcnow
from server.outbox import advance_message_status
from server.realtime import Notifier


class DeliveryDesk:
    """Mixed into ContactCentre, which provides these attributes and the method."""

    engine: AsyncEngine
    notifier: Notifier

    async def _conversation_changed(self, conversation_id: int, left_queue: bool) -> dict[str, Any]:
        raise NotImplementedError

    async def delivery_changed(self, conversation_id: int, message_id: int) -> None:
        """The outbox moved a message's status: show it (a final failure above all).
        A bot message that failed may have queued its conversation for a counsellor
        (server/centre_bot_failure.py, in the failure's transaction): show that too."""
        async with self.engine.connect() as conn:
            message = await views.message(conn, message_id)
        await self.notifier.to_counsellors(
            "message.updated", {"conversation_id": conversation_id, "message": message}
        )
        if message["author"] == Author.BOT.value and message["status"] == Delivery.FAILED.value:
            await self._conversation_changed(conversation_id, left_queue=False)

    async def delivery_report(
        self, channel: str, provider_id: str, status: str, error: str | None = None
    ) -> bool:
        """A provider's report on a message we sent. False when no such message exists;
        a report that would move the status backwards is accepted and ignored."""
        m = t.messages
        async with self.engine.begin() as conn:
            row = (
                await conn.execute(
                    select(m.c.id, m.c.conversation_id).where(
                        m.c.channel == channel,
                        m.c.provider_id == provider_id,
                        m.c.direction == "out",
                    )
                )
            ).first()
            if row is None:
                return False
            moved = await advance_message_status(conn, row.id, status, error=error)
            if moved and status == Delivery.FAILED.value:
                # A dead number or a bounce is as final as a refused send.
                await queue_after_bot_failure(conn, row.id, error or status, utcnow())
        if moved:
            await self.delivery_changed(row.conversation_id, row.id)
        return True

    async def add_attachments(self, message_id: int, fetched: Mapping[int, Blob]) -> bool:
        """Bytes a channel fetched after storing a message (MMS media), keyed by the
        position of their entry in the message's attachments: kept as attachment
        blobs, each entry given its download `index`. Entries that have one are left
        alone, so a repeated fetch adds nothing. False when the message is gone."""
        m, b = t.messages, t.message_blobs
        async with self.engine.begin() as conn:
            row = (
                await conn.execute(
                    select(m.c.conversation_id, m.c.attachments).where(m.c.id == message_id)
                )
            ).first()
            if row is None:
                return False
            listing = [dict(entry) for entry in row.attachments or []]
            kept = (
                await conn.execute(
                    select(func.count()).where(
                        b.c.message_id == message_id, b.c.kind == "attachment"
                    )
                )
            ).scalar_one()
            for position, blob in sorted(fetched.items()):
                if position >= len(listing) or "index" in listing[position]:
                    continue
                await conn.execute(
                    insert(b).values(
                        message_id=message_id,
                        kind="attachment",
                        filename=blob.filename,
                        content_type=blob.content_type,
                        size=len(blob.data),
                        data=blob.data,
                        created_at=utcnow(),
                    )
                )
                listing[position].update(
                    index=kept, size=len(blob.data), content_type=blob.content_type
                )
                if blob.filename:
                    listing[position]["filename"] = blob.filename
                kept += 1
            await conn.execute(update(m).where(m.c.id == message_id).values(attachments=listing))
        await self.delivery_changed(row.conversation_id, message_id)
        return True

    async def set_opt_out(self, channel: str, address: str, opted_out: bool) -> bool:
        """Record that a person stopped (or resumed) messages on an address."""
        a = t.contact_addresses
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(a)
                .where(a.c.channel == channel, a.c.address == address)
                .values(opted_out=opted_out, opted_out_at=utcnow() if opted_out else None)
            )
        return bool(result.rowcount)
