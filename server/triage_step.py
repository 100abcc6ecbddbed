"""Runs the triage engine on each new message of a conversation not yet with a counsellor.

It works inside the transaction that stores the messages, so a message is never
stored without its assessment, and what triage decided (bot replies, escalation,
the Assessment history) commits with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from server import tables as t
from server.messages import InboundMessage, Receipt
from server.models import Status
from server.triage_override import URGENT_PRIORITY
from server.triage_writes import TriageWrites
from triage import (
    AskQuestion,
    Decision,
    Escalate,
    MessageContext,
    OfferSelfHelp,
    SendCrisisContacts,
    TriageEngine,
    TriageState,
)
from triage.override import release_on_new_danger, shown
from triage.reasons import reason

TRIAGED = (Status.BOT.value, Status.WAITING.value)
# Channels where a new conversation always gets an answer at once (see _acknowledge).
ACKNOWLEDGED_CHANNELS = frozenset({"email"})


@dataclass
class TriageOutcome:
    """What the service must announce after the commit."""

    conversation_id: int
    bot_messages: list[dict[str, Any]] = field(default_factory=list)
    joined_queue: bool = False
    alert_reasons: list[str] | None = None


def render_question(action: AskQuestion, channel: str) -> str:
    """Chat shows the choices as a numbered list; answering with the number works."""
    if channel != "chat" or not action.choices:
        return action.text
    lines = [f"{number}. {choice}" for number, choice in enumerate(action.choices, start=1)]
    return "\n".join([action.text, *lines])


def bot_text(action: AskQuestion | OfferSelfHelp | SendCrisisContacts, channel: str) -> str:
    if isinstance(action, AskQuestion):
        return render_question(action, channel)
    return action.text


def _make_urgent(conv: dict[str, Any], reason: str, outcome: TriageOutcome, now: datetime) -> None:
    """Danger the channel established: urgent and queued, whatever the words said."""
    if not conv["urgent"]:
        outcome.alert_reasons = [*(outcome.alert_reasons or []), reason]
    conv.update(urgent=True, priority=max(conv["priority"], URGENT_PRIORITY), changed=True)
    if conv["status"] == Status.BOT.value:
        conv.update(status=Status.WAITING.value, waiting_since=now)
    outcome.joined_queue = True


def _asked_for_a_person(state: TriageState, reason: str) -> None:
    """The channel's fact becomes evidence before the engine reads the words: it then
    asks no question (the need is at least brief), adds the priority of someone who
    asked for a person, and leaves no question pending for the next message."""
    state.add_signal("human_request")
    state.requested_human = True
    state.add_reason(reason)


def _queue(
    conv: dict[str, Any],
    reason: str,
    outcome: TriageOutcome,
    writes: TriageWrites,
    now: datetime,
) -> None:
    """Queued whatever the engine decided: it escalates only when its verdict changed,
    and a conversation already escalated once may be back with the bot."""
    if conv["status"] == Status.BOT.value:
        conv.update(status=Status.WAITING.value, waiting_since=now, changed=True)
        outcome.joined_queue = True
    assessment = writes.assessments[-1]
    if reason not in assessment["reasons"]:
        assessment["reasons"] = [*assessment["reasons"], reason]


class TriageStep:
    def __init__(self, engine: TriageEngine) -> None:
        self.engine = engine

    def _acknowledge(
        self,
        receipt: Receipt,
        conv: dict[str, Any],
        decision: Decision,
        outcome: TriageOutcome,
        writes: TriageWrites,
    ) -> None:
        """Someone who wrote where people do not wait at the screen hears that it
        arrived, even when triage had nothing to ask (it queued them at once)."""
        texts = self.engine.config.messages["acknowledgement"]
        language = decision.state.language or conv["language"] or "da"
        writes.bot_message(
            outcome,
            receipt.conversation_id,
            conv["channel"],
            texts.get(language, texts["da"]),
            {"triage_action": "acknowledge", "language": language},
        )

    async def run(
        self,
        conn: AsyncConnection,
        batch: list[InboundMessage],
        receipts: list[Receipt],
        now: datetime,
    ) -> list[TriageOutcome | None]:
        fresh = [(m, r) for m, r in zip(batch, receipts, strict=True) if not r.duplicate]
        conversations = await _conversations(conn, {r.conversation_id for _, r in fresh})
        writes = TriageWrites()
        outcomes: dict[int, TriageOutcome] = {}
        for inbound, receipt in fresh:
            conv = conversations[receipt.conversation_id]
            if conv["status"] not in TRIAGED or inbound.author != "contact" or inbound.automatic:
                continue
            if receipt.new_conversation:
                conv["prior"] = await _prior_contacts(conn, receipt, now)
            state = TriageState.from_dict(conv["state"])
            if inbound.queue_reason:
                _asked_for_a_person(state, inbound.queue_reason)
            decision = self.engine.assess(
                state,
                MessageContext(
                    inbound.text,
                    inbound.channel,
                    conv["language"],
                    prior_contacts_30d=conv.get("prior"),
                ),
            )
            outcome = outcomes.setdefault(
                receipt.conversation_id, TriageOutcome(receipt.conversation_id)
            )
            _apply(decision, conv, receipt, outcome, writes, now, bool(inbound.queue_reason))
            if inbound.queue_reason:
                _queue(conv, inbound.queue_reason, outcome, writes, now)
            if (
                receipt.new_conversation
                and inbound.channel in ACKNOWLEDGED_CHANNELS
                and not writes.keys_of(outcome)
            ):
                self._acknowledge(receipt, conv, decision, outcome, writes)
            if inbound.urgent_reason:
                _make_urgent(conv, inbound.urgent_reason, outcome, now)
                writes.assessments[-1].update(
                    urgent=True,
                    priority=conv["priority"],
                    reasons=[*writes.assessments[-1]["reasons"], inbound.urgent_reason],
                )
        await writes.flush(conn, conversations, now)
        for outcome in outcomes.values():
            outcome.bot_messages = [writes.views[key] for key in writes.keys_of(outcome)]
        return [outcomes.get(r.conversation_id) if not r.duplicate else None for r in receipts]


def _apply(
    decision: Decision,
    conv: dict[str, Any],
    receipt: Receipt,
    outcome: TriageOutcome,
    writes: TriageWrites,
    now: datetime,
    queued: bool = False,
) -> None:
    """queued: the person already asked for a person, so no question or article is
    sent (crisis contacts still are)."""
    extra: list[str] = []
    if decision.urgent and not conv["urgent"]:
        outcome.alert_reasons = list(decision.reasons)
        # Danger the counsellor has not seen yet outweighs their earlier override.
        if release_on_new_danger(decision.state):
            extra.append(reason("override_released"))
    level, refer_to = shown(decision.state, decision.level, decision.refer_to)
    if decision.state.overridden:
        extra.append(reason("override_kept"))
    said = decision.state.postcode
    if said and said != (conv["state"] or {}).get("postcode"):
        # Only a newly given postcode reaches the contact, so one a counsellor set
        # in the contact panel stays until the person says another.
        conv["new_postcode"] = said
    conv.update(
        state=decision.state.to_dict(),
        changed=True,
        level=level,
        urgent=conv["urgent"] or decision.urgent,
        refer_to=refer_to,
    )
    for action in decision.actions:
        if isinstance(action, Escalate):
            conv["priority"] = max(conv["priority"], action.priority)
            if conv["status"] == Status.BOT.value:
                conv.update(status=Status.WAITING.value, waiting_since=now)
                outcome.joined_queue = True
            elif action.urgent:
                outcome.joined_queue = True  # it moves to the top
        elif queued and isinstance(action, AskQuestion | OfferSelfHelp):
            continue
        else:
            writes.bot_message(
                outcome,
                receipt.conversation_id,
                conv["channel"],
                bot_text(action, conv["channel"]),
                {"triage_action": action.kind, "language": action.language},
            )
    writes.assessment(receipt, decision, conv, now, extra)


async def _conversations(conn: AsyncConnection, ids: set[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    c = t.conversations
    rows = await conn.execute(
        select(
            c.c.id,
            c.c.status,
            c.c.channel,
            c.c.language,
            c.c.triage_state,
            c.c.level,
            c.c.urgent,
            c.c.priority,
            c.c.refer_to,
            c.c.waiting_since,
            c.c.contact_id,
        ).where(c.c.id.in_(ids))
    )
    return {
        row.id: {
            "id": row.id,
            "status": row.status,
            "channel": row.channel,
            "language": row.language,
            "state": row.triage_state or {},
            "level": row.level,
            "urgent": row.urgent,
            "priority": row.priority,
            "refer_to": row.refer_to,
            "waiting_since": row.waiting_since,
            "contact_id": row.contact_id,
        }
        for row in rows
    }


async def _prior_contacts(conn: AsyncConnection, receipt: Receipt, now: datetime) -> int:
    c = t.conversations
    count = (
        await conn.execute(
            select(func.count())
            .select_from(c)
            .where(
                c.c.contact_id == receipt.contact_id,
                c.c.id != receipt.conversation_id,
                c.c.created_at >= now - timedelta(days=30),
            )
        )
    ).scalar_one()
    return int(count)
