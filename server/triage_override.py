"""A counsellor overrides the triage: level, urgent flag, referral; always with a reason."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update

from server import tables as t
from server.accounts import Identity
from server.errors import Invalid, NotFound
from server.models import utcnow
from triage import TriageState, apply_override

LEVELS = ("self_help", "brief", "face_to_face")
DESTINATIONS = ("youth_guidance", "study_guidance", "jobcentre", "health_social")
URGENT_PRIORITY = 100


def validate(body: dict[str, Any]) -> dict[str, Any]:
    """The fields to change; raises Invalid for anything else."""
    reason = body.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise Invalid("give a reason for the override", "reason_required")
    changes: dict[str, Any] = {}
    if "level" in body:
        if body["level"] not in LEVELS:
            raise Invalid(f"level must be one of {', '.join(LEVELS)}")
        changes["level"] = body["level"]
    if "urgent" in body:
        if not isinstance(body["urgent"], bool):
            raise Invalid("urgent must be true or false")
        changes["urgent"] = body["urgent"]
    if "refer_to" in body:
        if body["refer_to"] is not None and body["refer_to"] not in DESTINATIONS:
            raise Invalid(f"refer_to must be null or one of {', '.join(DESTINATIONS)}")
        changes["refer_to"] = body["refer_to"]
    if not changes:
        raise Invalid("nothing to change: give level, urgent or refer_to")
    return changes


async def override(
    centre: Any, conversation_id: int, who: Identity, body: dict[str, Any]
) -> dict[str, Any]:
    changes = validate(body)
    reason = body["reason"].strip()[:1000]
    now = utcnow()
    async with centre.engine.begin() as conn:
        row = (
            await conn.execute(
                # Locked, so a message being triaged at the same moment is either seen
                # here or sees this override (the intake locks the row before triage).
                select(t.conversations)
                .where(t.conversations.c.id == conversation_id)
                .with_for_update()
            )
        ).first()
        if row is None:
            raise NotFound(f"conversation {conversation_id} does not exist")
        # The triage state remembers the override too, or the person's next message
        # would write the rules' verdict (and a lowered urgent flag) straight back.
        state = apply_override(TriageState.from_dict(row.triage_state), changes)
        values = dict(changes, updated_at=now, triage_state=state.to_dict())
        if changes.get("urgent"):
            values["priority"] = max(row.priority, URGENT_PRIORITY)
        elif changes.get("urgent") is False and row.priority >= URGENT_PRIORITY:
            # Not urgent after all: it leaves the top of the queue for its place by need.
            values["priority"] = await _priority_by_need(conn, conversation_id)
        await conn.execute(
            update(t.conversations).where(t.conversations.c.id == conversation_id).values(**values)
        )
        await conn.execute(
            insert(t.assessments).values(
                conversation_id=conversation_id,
                source="counsellor",
                level=changes.get("level", row.level),
                urgent=changes.get("urgent", row.urgent),
                refer_to=changes.get("refer_to", row.refer_to),
                priority=values.get("priority", row.priority),
                reasons=[reason],
                counsellor_id=who.id,
                created_at=now,
            )
        )
        await conn.execute(
            insert(t.audit_events).values(
                at=now,
                actor_kind="counsellor",
                actor_id=who.id,
                action="triage_override",
                conversation_id=conversation_id,
                data={
                    "before": {"level": row.level, "urgent": row.urgent, "refer_to": row.refer_to},
                    "after": changes,
                    "reason": reason,
                },
            )
        )
    summary = await centre._conversation_changed(conversation_id, left_queue=False)
    return {**summary, "refer_to": changes.get("refer_to", row.refer_to), "reason": reason}


async def _priority_by_need(conn: Any, conversation_id: int) -> int:
    """The priority the rules last gave it while it was not urgent, else none."""
    a = t.assessments
    found = (
        await conn.execute(
            select(a.c.priority)
            .where(a.c.conversation_id == conversation_id, a.c.urgent.is_(False))
            .order_by(a.c.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    return min(int(found or 0), URGENT_PRIORITY - 1)
