"""The rows one batch of triage decisions writes, one statement per table."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from server import tables as t
from server.messages import Receipt
from triage import Decision

if TYPE_CHECKING:
    from server.triage_step import TriageOutcome


class TriageWrites:
    """Bot messages, outbox items, assessments and conversation updates of a batch."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.owners: list[int] = []
        self.assessments: list[dict[str, Any]] = []
        self.views: dict[int, dict[str, Any]] = {}
        self._keys: dict[int, list[int]] = {}

    def bot_message(
        self,
        outcome: TriageOutcome,
        conversation_id: int,
        channel: str,
        text: str,
        meta: dict[str, Any],
    ) -> None:
        self._keys.setdefault(id(outcome), []).append(len(self.messages))
        self.messages.append(
            {
                "conversation_id": conversation_id,
                "direction": "out",
                "channel": channel,
                "author_kind": "bot",
                "author_id": None,
                "body": text,
                "internal": False,
                "provider_id": None,
                "status": "queued",
                "error": None,
                "attachments": [],
                "meta": meta,
                "created_at": None,
            }
        )

    def keys_of(self, outcome: TriageOutcome) -> list[int]:
        return self._keys.get(id(outcome), [])

    def assessment(
        self,
        receipt: Receipt,
        decision: Decision,
        conv: dict[str, Any],
        now: datetime,
        extra_reasons: list[str] | None = None,
    ) -> None:
        """The decision as applied: level and referral as shown on the conversation
        (a counsellor's pinned override wins over the rules' verdict)."""
        self.assessments.append(
            {
                "conversation_id": receipt.conversation_id,
                "message_id": receipt.message_id,
                "source": "rules",
                "level": conv["level"],
                "urgent": decision.urgent,
                "refer_to": conv["refer_to"],
                "priority": conv["priority"],
                "reasons": [*decision.reasons, *(extra_reasons or [])],
                "counsellor_id": None,
                "created_at": now,
            }
        )

    async def flush(
        self, conn: AsyncConnection, conversations: dict[int, dict[str, Any]], now: datetime
    ) -> None:
        for row in self.messages:
            row["created_at"] = now
        if self.messages:
            result = await conn.execute(
                insert(t.messages).returning(t.messages.c.id, sort_by_parameter_order=True),
                self.messages,
            )
            ids = [row.id for row in result]
            await conn.execute(
                insert(t.outbox_items),
                [
                    {
                        "message_id": message_id,
                        "channel": row["channel"],
                        "state": "queued",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for message_id, row in zip(ids, self.messages, strict=True)
                ],
            )
            for index, (message_id, row) in enumerate(zip(ids, self.messages, strict=True)):
                self.views[index] = _bot_view(message_id, row, now)
        if self.assessments:
            await conn.execute(insert(t.assessments), self.assessments)
        changed = [c for c in conversations.values() if c.get("changed")]
        if changed:
            c = t.conversations
            await conn.execute(
                update(c)
                .where(c.c.id == bindparam("cid"))
                .values(
                    status=bindparam("new_status"),
                    level=bindparam("new_level"),
                    urgent=bindparam("new_urgent"),
                    refer_to=bindparam("new_refer_to"),
                    priority=bindparam("new_priority"),
                    triage_state=bindparam("new_state"),
                    waiting_since=bindparam("new_waiting_since"),
                    updated_at=now,
                ),
                [
                    {
                        "cid": conv["id"],
                        "new_status": conv["status"],
                        "new_level": conv["level"],
                        "new_urgent": conv["urgent"],
                        "new_refer_to": conv["refer_to"],
                        "new_priority": conv["priority"],
                        "new_state": conv["state"],
                        "new_waiting_since": conv["waiting_since"],
                    }
                    for conv in changed
                ],
            )
        located = [c for c in conversations.values() if c.get("new_postcode")]
        if located:
            await conn.execute(
                update(t.contacts)
                .where(t.contacts.c.id == bindparam("kid"))
                .values(postcode=bindparam("new_pc")),
                [{"kid": c["contact_id"], "new_pc": c["new_postcode"]} for c in located],
            )


def _bot_view(message_id: int, row: dict[str, Any], now: datetime) -> dict[str, Any]:
    from server.views import iso

    return {
        "id": message_id,
        "conversation_id": row["conversation_id"],
        "direction": "out",
        "author": "bot",
        "author_name": None,
        "channel": row["channel"],
        "text": row["body"],
        "internal": False,
        "status": "queued",
        "error": None,
        "attachments": [],
        "client_id": None,
        "at": iso(now),
    }
