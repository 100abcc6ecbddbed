"""Triage runs in the transaction that stores the message, on real databases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from server import tables as t
from server import triage_override
from server.accounts import Identity, create_counsellor
from server.group_commit import GroupCommitWriter
from server.messages import InboundMessage
from server.settings import Settings
from server.triage_step import TriageStep
from tests.integration.test_intake import DAY
from triage import TriageEngine, load_config


def writer(engine: AsyncEngine, settings: Settings) -> GroupCommitWriter:
    return GroupCommitWriter(
        engine, DAY, TriageStep(TriageEngine(load_config(settings.config_dir)))
    )


async def rows(engine: AsyncEngine, table):  # type: ignore[no-untyped-def]
    async with engine.connect() as conn:
        return (await conn.execute(select(table).order_by(table.c.id))).all()


async def test_a_question_is_stored_with_its_outbox_item_and_the_assessment(
    engine: AsyncEngine, settings: Settings
) -> None:
    receipt = await writer(engine, settings).store(
        InboundMessage("sms", "+4520000000", "SM1", "hej")
    )
    assert receipt.triage is not None and len(receipt.triage.bot_messages) == 1
    messages = await rows(engine, t.messages)
    assert [(m.direction, m.author_kind) for m in messages] == [("in", "contact"), ("out", "bot")]
    assert "Svar 1" in messages[1].body  # the SMS phrasing, numbered choices included
    outbox = await rows(engine, t.outbox_items)
    assert [o.message_id for o in outbox] == [messages[1].id]
    (conversation,) = await rows(engine, t.conversations)
    assert conversation.status == "bot" and conversation.triage_state["questions_asked"]
    (assessment,) = await rows(engine, t.assessments)
    assert assessment.message_id == messages[0].id and assessment.source == "rules"


async def test_danger_escalates_at_once_and_a_duplicate_is_not_assessed_twice(
    engine: AsyncEngine, settings: Settings
) -> None:
    store = writer(engine, settings)
    danger = InboundMessage("sms", "+4520000001", "SM2", "min far slår mig og jeg tør ikke gå hjem")
    first = await store.store(danger)
    again = await store.store(danger)
    assert first.triage.alert_reasons and first.triage.joined_queue
    assert again.duplicate and again.triage is None
    (conversation,) = await rows(engine, t.conversations)
    assert (conversation.status, conversation.urgent) == ("waiting", True)
    assert conversation.priority >= 100
    assert len(await rows(engine, t.assessments)) == 1
    bot = [m for m in await rows(engine, t.messages) if m.author_kind == "bot"]
    assert len(bot) == 1 and bot[0].meta["triage_action"] == "send_crisis_contacts"


async def test_a_conversation_with_a_counsellor_is_not_triaged(
    engine: AsyncEngine, settings: Settings
) -> None:
    store = writer(engine, settings)
    first = await store.store(InboundMessage("chat", "v1", "v1:1", "jeg vil tale med en vejleder"))
    async with engine.begin() as conn:
        await conn.execute(t.conversations.update().values(status="active"))
    later = await store.store(InboundMessage("chat", "v1", "v1:2", "hvornår er fristen?"))
    assert later.conversation_id == first.conversation_id and later.triage is None
    assert len(await rows(engine, t.assessments)) == 1


async def test_channel_facts_are_not_triaged_and_channel_danger_is_urgent(
    engine: AsyncEngine, settings: Settings
) -> None:
    store = writer(engine, settings)
    missed = await store.store(
        InboundMessage(
            "voice", "+4520000002", "CA1:missed", "Ubesvaret opkald (no-answer).", author="system"
        )
    )
    assert missed.triage is None
    urgent = await store.store(
        InboundMessage(
            "voice",
            "+4520000002",
            "CA2:urgent",
            "Opkald: valgte 3 i telefonmenuen",
            urgent_reason="Caller chose 'I need to talk to someone now'",
        )
    )
    assert urgent.triage.alert_reasons[-1] == "Caller chose 'I need to talk to someone now'"
    (conversation,) = await rows(engine, t.conversations)
    assert (conversation.status, conversation.urgent) == ("waiting", True)
    assert conversation.priority >= 100
    messages = await rows(engine, t.messages)
    assert messages[0].author_kind == "system"
    (assessment,) = await rows(engine, t.assessments)
    assert assessment.urgent and "talk to someone now" in assessment.reasons[-1]


async def test_a_new_email_conversation_queued_at_once_still_gets_an_acknowledgement(
    engine: AsyncEngine, settings: Settings
) -> None:
    store = writer(engine, settings)
    queued = await store.store(
        InboundMessage(
            "email",
            "ida@example.dk",
            "<m1@ida>",
            "Jeg vil gerne tale med en vejleder.",
            language="da",
        )
    )
    assert queued.triage.joined_queue
    (ack,) = queued.triage.bot_messages
    assert ack["text"].startswith("Tak for din henvendelse")
    later = await store.store(
        InboundMessage(
            "email",
            "ida@example.dk",
            "<m2@ida>",
            "Jeg vil gerne tale med en vejleder.",
            language="da",
        )
    )
    assert later.triage is None or later.triage.bot_messages == []  # once, not every mail


async def test_automatic_mail_is_stored_but_never_assessed(
    engine: AsyncEngine, settings: Settings
) -> None:
    store = writer(engine, settings)
    away = await store.store(
        InboundMessage(
            "email", "bo@example.dk", "<ooo@bo>", "Jeg er på ferie til mandag.", automatic=True
        )
    )
    assert away.triage is None and not away.duplicate
    assert await rows(engine, t.assessments) == []


async def test_a_queue_reason_queues_without_a_question_and_is_among_the_reasons(
    engine: AsyncEngine, settings: Settings
) -> None:
    store = writer(engine, settings)
    neutral = "Talebesked (12 s) - udskrift følger."
    # Without the channel's fact, triage asks what the message is about.
    asked = await store.store(InboundMessage("voice", "+4520000003", "RE1", neutral))
    assert asked.triage is not None and len(asked.triage.bot_messages) == 1
    queued = await store.store(
        InboundMessage(
            "voice", "+4520000004", "RE2", neutral, queue_reason="Caller left a voicemail"
        )
    )
    assert queued.triage.joined_queue and queued.triage.bot_messages == []
    by_id = {c.id: c for c in await rows(engine, t.conversations)}
    assert by_id[asked.conversation_id].status == "bot"
    conversation = by_id[queued.conversation_id]
    assert conversation.status == "waiting" and conversation.waiting_since is not None
    assert conversation.triage_state["pending_question"] is None
    assessment = [a for a in await rows(engine, t.assessments) if a.message_id == queued.message_id]
    assert "Caller left a voicemail" in assessment[0].reasons
    assert assessment[0].level in ("brief", "face_to_face")
    bot = [m for m in await rows(engine, t.messages) if m.conversation_id == queued.conversation_id]
    assert [m.author_kind for m in bot] == ["contact"]

    # The transcript that follows is assessed too, still without a question.
    later = await store.store(
        InboundMessage(
            "voice",
            "+4520000004",
            "TR2",
            "Hej, jeg ringer om noget",
            queue_reason="Caller left a voicemail",
        )
    )
    assert later.conversation_id == queued.conversation_id
    assert later.triage is not None and later.triage.bot_messages == []


async def test_a_queue_reason_still_sends_crisis_contacts_for_words_of_danger(
    engine: AsyncEngine, settings: Settings
) -> None:
    receipt = await writer(engine, settings).store(
        InboundMessage(
            "voice",
            "+4520000005",
            "TR3",
            "jeg vil ikke leve mere",
            queue_reason="Caller left a voicemail",
        )
    )
    (conversation,) = await rows(engine, t.conversations)
    assert (conversation.status, conversation.urgent) == ("waiting", True)
    actions = [m["text"] for m in receipt.triage.bot_messages]
    bot = [m for m in await rows(engine, t.messages) if m.author_kind == "bot"]
    assert len(actions) == 1 and bot[0].meta["triage_action"] == "send_crisis_contacts"


async def test_a_queue_reason_queues_a_conversation_triage_escalated_before(
    engine: AsyncEngine, settings: Settings
) -> None:
    store = writer(engine, settings)
    first = await store.store(
        InboundMessage("voice", "+4520000006", "CA9:callback", "x", queue_reason="Call back")
    )
    # Back with the bot (as after a counsellor's override), with the same verdict.
    async with engine.begin() as conn:
        await conn.execute(t.conversations.update().values(status="bot", waiting_since=None))
    again = await store.store(
        InboundMessage("voice", "+4520000006", "CA10:callback", "x", queue_reason="Call back")
    )
    assert again.conversation_id == first.conversation_id and again.triage.joined_queue
    (conversation,) = await rows(engine, t.conversations)
    assert conversation.status == "waiting" and conversation.waiting_since is not None


async def test_a_postcode_the_person_gives_is_kept_on_the_contact(
    engine: AsyncEngine, settings: Settings
) -> None:
    store = writer(engine, settings)
    await store.store(InboundMessage("chat", "ida", "c1", "hej, jeg bor i 8000 Aarhus"))
    (contact,) = await rows(engine, t.contacts)
    assert contact.postcode == "8000"
    # A message without one leaves it; a counsellor's correction stays until the
    # person gives another.
    async with engine.begin() as conn:
        await conn.execute(t.contacts.update().values(postcode="8200"))
    await store.store(InboundMessage("chat", "ida", "c2", "jeg er 17 og går i 9. klasse"))
    assert (await rows(engine, t.contacts))[0].postcode == "8200"
    await store.store(InboundMessage("chat", "ida", "c3", "nu bor jeg i 5000 Odense"))
    assert (await rows(engine, t.contacts))[0].postcode == "5000"


class OverrideCentre:
    """What triage_override needs of the centre: the engine, and a change notice."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def _conversation_changed(self, conversation_id: int, left_queue: bool) -> dict[str, Any]:
        return {"conversation_id": conversation_id}


async def override(engine: AsyncEngine, conversation_id: int, body: dict[str, Any]) -> None:
    who: Identity = await create_counsellor(
        engine, f"c{len(body)}{conversation_id}@example.org", "password1", "counsellor"
    )
    await triage_override.override(OverrideCentre(engine), conversation_id, who, body)


async def test_an_override_survives_the_next_message_and_new_danger_is_urgent_again(
    engine: AsyncEngine, settings: Settings
) -> None:
    store = writer(engine, settings)
    first = await store.store(InboundMessage("chat", "ole", "o1", "jeg vil ikke leve mere"))
    (conversation,) = await rows(engine, t.conversations)
    assert (conversation.urgent, conversation.level) == (True, "face_to_face")
    await override(
        engine,
        first.conversation_id,
        {"urgent": False, "level": "brief", "reason": "Citerede en sangtekst, ikke i fare"},
    )
    (conversation,) = await rows(engine, t.conversations)
    assert conversation.triage_state["urgent"] is False
    assert conversation.priority < 100  # off the top of the queue
    assert "danger_self" not in conversation.triage_state["signals"]
    assert conversation.triage_state["overridden"] == {"level": "brief"}

    thanks = await store.store(InboundMessage("chat", "ole", "o2", "tak"))
    assert thanks.triage is not None and thanks.triage.alert_reasons is None
    assert thanks.triage.bot_messages == []  # no question, no second crisis text
    (conversation,) = await rows(engine, t.conversations)
    assert (conversation.urgent, conversation.level, conversation.refer_to) == (
        False,
        "brief",
        None,
    )
    latest = (await rows(engine, t.assessments))[-1]
    assert (latest.source, latest.level, latest.urgent) == ("rules", "brief", False)
    assert "The counsellor's override of level or referral stands" in latest.reasons

    danger = await store.store(InboundMessage("chat", "ole", "o3", "vil ikke leve mere"))
    assert danger.triage is not None and danger.triage.alert_reasons
    (conversation,) = await rows(engine, t.conversations)
    assert (conversation.urgent, conversation.level, conversation.refer_to) == (
        True,
        "face_to_face",
        "health_social",
    )
    assert conversation.triage_state["overridden"] == {}
    kinds = [m.meta.get("triage_action") for m in await rows(engine, t.messages) if m.meta]
    assert kinds.count("send_crisis_contacts") == 2  # new danger: the contacts again


async def test_a_pinned_referral_is_kept_and_a_later_override_replaces_it(
    engine: AsyncEngine, settings: Settings
) -> None:
    store = writer(engine, settings)
    first = await store.store(
        InboundMessage("chat", "eva", "e1", "jeg vil gerne møde en vejleder ansigt til ansigt")
    )
    body = {"level": "face_to_face", "refer_to": "jobcentre", "reason": "Er ledig"}
    await override(engine, first.conversation_id, body)
    await store.store(InboundMessage("chat", "eva", "e2", "jeg er 19 og går i 3.g"))
    (conversation,) = await rows(engine, t.conversations)
    assert (conversation.level, conversation.refer_to) == ("face_to_face", "jobcentre")
    await override(
        engine, first.conversation_id, {"refer_to": "study_guidance", "reason": "Går i 3.g"}
    )
    await store.store(InboundMessage("chat", "eva", "e3", "hvornår kan vi mødes?"))
    (conversation,) = await rows(engine, t.conversations)
    assert (conversation.level, conversation.refer_to) == ("face_to_face", "study_guidance")
    assert conversation.triage_state["overridden"] == {
        "level": "face_to_face",
        "refer_to": "study_guidance",
    }
