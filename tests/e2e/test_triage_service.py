"""Triage in the running service: questions, self-help, escalation, danger, overrides."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from tests.support.clients import Counsellor, Visitor


async def conversation(anna: Counsellor, conversation_id: int) -> dict[str, Any]:
    status, body = await anna.request("GET", f"/api/conversations/{conversation_id}")
    assert status == 200
    return dict(body)


async def test_an_urgent_chat_jumps_the_queue_raises_the_alert_and_gets_crisis_contacts(
    visitors: Callable[..., Visitor], counsellors: Callable[[str], Counsellor]
) -> None:
    anna = await counsellors("anna@example.org").login()
    await anna.connect_inbox()
    waiting = await visitors().connect()
    await waiting.send("Jeg vil gerne tale med en vejleder om SU")
    await anna.log.wait_for("queue.updated", lambda e: len(e["items"]) == 1)

    person = await visitors().connect()
    ack = await person.send("jeg kan ikke mere og vil ikke leve mere")
    alert = await anna.log.wait_for("triage.alert")
    assert alert["conversation_id"] == ack["conversation_id"]
    assert any(
        "suicide" in reason.lower() or "dead" in reason.lower() for reason in alert["reasons"]
    ), alert["reasons"]
    queue = await anna.log.wait_for("queue.updated", lambda e: len(e["items"]) == 2)
    top = queue["items"][0]
    assert top["conversation_id"] == ack["conversation_id"] and top["urgent"] is True
    crisis = await person.message(lambda m: m["author"] == "bot")
    assert "70 201 201" in crisis["text"] or "112" in crisis["text"]
    detail = await conversation(anna, ack["conversation_id"])
    assert detail["urgent"] is True and detail["status"] == "waiting"
    # No questions are asked of someone in danger: the only bot message is the crisis text.
    assert [m for m in detail["messages"] if m["author"] == "bot"] == [
        m for m in detail["messages"] if m["id"] == crisis["id"]
    ]


async def test_a_chat_gets_questions_one_at_a_time_and_is_queued_when_it_asks_for_a_person(
    visitors: Callable[..., Visitor], counsellors: Callable[[str], Counsellor]
) -> None:
    anna = await counsellors("anna@example.org").login()
    visitor = await visitors("en").connect()
    ack = await visitor.send("hi")
    question = await visitor.message(lambda m: m["author"] == "bot")
    assert question["text"].startswith("What would you like help with?")
    assert "3. I'd like to talk to a counsellor" in question["text"]
    detail = await conversation(anna, ack["conversation_id"])
    assert detail["status"] == "bot"
    _, queue = await anna.request("GET", "/api/queue")
    assert queue["items"] == []

    await visitor.send("3")
    for _ in range(50):
        detail = await conversation(anna, ack["conversation_id"])
        if detail["status"] == "waiting":
            break
    assert detail["status"] == "waiting" and detail["level"] in ("brief", "face_to_face")
    _, queue = await anna.request("GET", "/api/queue")
    assert [i["conversation_id"] for i in queue["items"]] == [ack["conversation_id"]]
    bot_questions = [m for m in detail["messages"] if m["author"] == "bot"]
    assert len(bot_questions) == 1


async def test_a_factual_question_gets_a_self_help_article_with_the_offer_of_a_person(
    visitors: Callable[..., Visitor], counsellors: Callable[[str], Counsellor]
) -> None:
    anna = await counsellors("anna@example.org").login()
    visitor = await visitors("da").connect()
    ack = await visitor.send("Hvornår er fristen for at søge ind på optagelse.dk?")
    article = await visitor.message(lambda m: m["author"] == "bot")
    assert "frist" in article["text"].lower()
    assert "vejleder" in article["text"].lower()  # the offer of a counsellor
    detail = await conversation(anna, ack["conversation_id"])
    assert detail["level"] == "self_help" and detail["status"] == "bot"
    assert detail["assessments"][-1]["source"] == "rules"
    assert detail["assessments"][-1]["reasons"]


async def test_a_counsellor_override_is_stored_with_its_reason(
    visitors: Callable[..., Visitor], counsellors: Callable[[str], Counsellor]
) -> None:
    anna = await counsellors("anna@example.org").login()
    visitor = await visitors().connect()
    ack = await visitor.send("Jeg vil gerne tale med en vejleder om at skifte uddannelse")
    path = f"/api/conversations/{ack['conversation_id']}/triage"
    status, body = await anna.request("PUT", path, json={"level": "face_to_face"})
    assert status == 400 and body["error"]["code"] == "reason_required"
    status, body = await anna.request(
        "PUT",
        path,
        json={
            "level": "face_to_face",
            "refer_to": "study_guidance",
            "reason": "Har været i kontakt fire gange uden fremskridt",
        },
    )
    assert status == 200
    detail = await conversation(anna, ack["conversation_id"])
    assert detail["level"] == "face_to_face" and detail["triage"]["refer_to"] == "study_guidance"
    override = detail["assessments"][-1]
    assert override["source"] == "counsellor" and override["counsellor_id"] is not None
    assert override["reasons"] == ["Har været i kontakt fire gange uden fremskridt"]


async def test_an_override_outlasts_the_next_message_but_new_danger_is_urgent_again(
    visitors: Callable[..., Visitor], counsellors: Callable[[str], Counsellor]
) -> None:
    anna = await counsellors("anna@example.org").login()
    await anna.connect_inbox()
    person = await visitors("da").connect()
    ack = await person.send("jeg vil ikke leve mere")
    cid = ack["conversation_id"]
    await anna.log.wait_for("triage.alert", lambda e: e["conversation_id"] == cid)
    status, _ = await anna.request(
        "PUT",
        f"/api/conversations/{cid}/triage",
        json={"level": "brief", "urgent": False, "reason": "Citerede en sangtekst"},
    )
    assert status == 200
    detail = await conversation(anna, cid)
    assert (detail["status"], detail["urgent"], detail["level"]) == ("waiting", False, "brief")

    await person.send("tak")
    detail = await conversation(anna, cid)
    assert [m["text"] for m in detail["messages"] if m["author"] != "bot"][-1] == "tak"
    assert (detail["urgent"], detail["level"], detail["triage"]["refer_to"]) == (
        False,
        "brief",
        None,
    )
    assert detail["assessments"][-1]["source"] == "rules"

    # Words of danger again: urgent again, with an alert (and none in between for "tak":
    # the alerts of one conversation reach the socket in order).
    await person.send("jeg har lyst til at dø")
    await anna.log.wait_for(
        "triage.alert",
        lambda e: e["conversation_id"] == cid and any("lyst til at dø" in r for r in e["reasons"]),
    )
    alerts = [e for e in anna.log.events["triage.alert"] if e["conversation_id"] == cid]
    assert len(alerts) == 2
    detail = await conversation(anna, cid)
    assert (detail["urgent"], detail["level"]) == (True, "face_to_face")


async def test_the_statistics_show_the_override_rate_per_rule_to_supervisors_only(
    visitors: Callable[..., Visitor], counsellors: Callable[[str], Counsellor]
) -> None:
    anna = await counsellors("anna@example.org").login()
    sara = await counsellors("sara@example.org").login()
    visitor = await visitors().connect()
    ack = await visitor.send("Jeg vil gerne tale med en vejleder om at skifte uddannelse")
    await anna.request(
        "PUT",
        f"/api/conversations/{ack['conversation_id']}/triage",
        json={"level": "face_to_face", "reason": "Tredje henvendelse"},
    )
    status, _ = await anna.request("GET", "/api/stats")
    assert status == 403
    status, stats = await sara.request("GET", "/api/stats?days=7")
    assert status == 200
    assert stats["conversations"]["by_channel"] == {"chat": 1}
    assert stats["triage"]["conversations_overridden"] == 1
    assert stats["triage"]["override_rate"] == 1.0
    assert stats["triage"]["by_rule"] and all(
        item["overridden"] == 1 for item in stats["triage"]["by_rule"]
    )
    assert (await sara.request("GET", "/api/stats?days=abc"))[0] == 400


async def test_a_postcode_written_in_the_chat_picks_the_local_service(
    visitors: Callable[..., Visitor], counsellors: Callable[[str], Counsellor]
) -> None:
    anna = await counsellors("anna@example.org").login()
    aarhus = await visitors("da").connect()
    ack = await aarhus.send(
        "Jeg er 18 år og er droppet ud af gymnasiet. Jeg er ordblind og har gæld, "
        "og jeg ved ikke hvad jeg skal. Jeg bor i 8000 Aarhus."
    )
    elsewhere = await visitors("da").connect()
    other = await elsewhere.send(
        "Jeg er 18 år og er droppet ud af gymnasiet. Jeg er ordblind og har gæld, "
        "og jeg ved ikke hvad jeg skal."
    )
    proposals = {}
    for conversation_id in (ack["conversation_id"], other["conversation_id"]):
        for _ in range(100):
            detail = await conversation(anna, conversation_id)
            if detail["level"] == "face_to_face":
                break
            await asyncio.sleep(0.1)
        assert detail["triage"]["refer_to"] == "youth_guidance"
        path = f"/api/conversations/{conversation_id}/referral-proposal"
        status, proposals[conversation_id] = await anna.request("GET", path)
        assert status == 200
    local = proposals[ack["conversation_id"]]
    assert local["postcode"] == "8000" and local["service"]["id"] == "uu-aarhus"
    assert local["service"]["name"] == "Ungdommens Uddannelsesvejledning Aarhus"
    # No postcode: the default youth guidance centre, with the others as alternatives.
    fallback = proposals[other["conversation_id"]]
    assert fallback["postcode"] is None and fallback["service"]["id"] == "kuu-koebenhavn"
    assert "uu-aarhus" in [s["id"] for s in fallback["alternatives"]]
