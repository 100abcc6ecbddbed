"""A visitor chats from the widget's socket; a counsellor answers from the inbox."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.clients import Counsellor, Visitor


async def test_visitor_message_reaches_the_counsellor_who_claims_replies_notes_and_closes(
    visitors: Callable[..., Visitor], counsellors: Callable[[str], Counsellor]
) -> None:
    anna = await counsellors("anna@example.org").login()
    await anna.connect_inbox()
    visitor = await visitors("da").connect()

    ack = await visitor.send(
        "Hej, jeg vil gerne tale med en vejleder om gymnasiet", client_id="c-1"
    )
    assert isinstance(ack["id"], int)

    created = await anna.log.wait_for("message.created", lambda e: e["message"]["id"] == ack["id"])
    conversation_id = created["conversation_id"]
    assert created["message"]["text"] == "Hej, jeg vil gerne tale med en vejleder om gymnasiet"
    queued = await anna.log.wait_for(
        "queue.updated", lambda e: any(i["conversation_id"] == conversation_id for i in e["items"])
    )
    assert queued["items"][0]["channel"] == "chat"
    position = await visitor.log.wait_for("queue", lambda e: e["position"] == 1)
    assert position["estimated_wait_s"] > 0

    status, body = await anna.request("POST", f"/api/conversations/{conversation_id}/claim")
    assert status == 200 and body["status"] == "active"
    await visitor.log.wait_for("queue", lambda e: e["position"] is None)

    status, note = await anna.request(
        "POST",
        f"/api/conversations/{conversation_id}/messages",
        json={"text": "Intern: virker usikker", "internal": True},
    )
    assert status == 201 and note["message"]["internal"] is True
    status, reply = await anna.request(
        "POST",
        f"/api/conversations/{conversation_id}/messages",
        json={"text": "Hej! Jeg hedder Anna. Fortæl mere."},
    )
    assert status == 201
    seen = await visitor.message(lambda m: m["id"] == reply["message"]["id"])
    assert seen["author"] == "counsellor" and seen["text"] == "Hej! Jeg hedder Anna. Fortæl mere."
    await anna.log.wait_for("message.updated", lambda e: e["message"]["status"] == "sent")

    status, detail = await anna.request("GET", f"/api/conversations/{conversation_id}")
    assert status == 200
    assert [m["direction"] for m in detail["messages"]] == ["in", "out", "out"]
    assert detail["messages"][1]["internal"] is True
    assert detail["first_response_at"] is not None

    status, closed = await anna.request("POST", f"/api/conversations/{conversation_id}/close")
    assert status == 200 and closed["status"] == "closed"
    await visitor.log.wait_for("conversation.closed")
    # The internal note never reached the visitor.
    assert all("Intern" not in m["text"] for m in visitor.log.events["message"])


async def test_queue_positions_follow_arrival_and_update_when_one_is_taken(
    visitors: Callable[..., Visitor], counsellors: Callable[[str], Counsellor]
) -> None:
    anna = await counsellors("anna@example.org").login()
    first, second = await visitors().connect(), await visitors("en").connect()
    # Asking for a person puts a conversation in the queue at once.
    one = await first.send("Jeg vil gerne tale med en vejleder")
    await second.send("I want to talk to a real person")
    await second.log.wait_for("queue", lambda e: e["position"] == 2)
    status, queue = await anna.request("GET", "/api/queue")
    assert status == 200
    assert [i["position"] for i in queue["items"]] == [1, 2]
    first_id = queue["items"][0]["conversation_id"]
    assert queue["items"][0]["preview"] == "Jeg vil gerne tale med en vejleder"
    status, _ = await anna.request("POST", f"/api/conversations/{first_id}/claim")
    assert status == 200
    await second.log.wait_for("queue", lambda e: e["position"] == 1)
    assert one["conversation_id"] == first_id


async def test_resending_the_same_client_id_stores_one_message(
    visitors: Callable[..., Visitor], counsellors: Callable[[str], Counsellor]
) -> None:
    anna = await counsellors("anna@example.org").login()
    visitor = await visitors().connect()
    first = await visitor.send("hello", client_id="same")
    again = await visitor.send("hello", client_id="same")
    assert first["id"] == again["id"]
    status, detail = await anna.request("GET", f"/api/conversations/{first['conversation_id']}")
    assert status == 200
    assert [m["id"] for m in detail["messages"] if m["direction"] == "in"] == [first["id"]]


async def test_reconnect_with_last_seen_id_replays_only_what_was_missed(
    visitors: Callable[..., Visitor], counsellors: Callable[[str], Counsellor]
) -> None:
    anna = await counsellors("anna@example.org").login()
    visitor = await visitors().connect()
    ack = await visitor.send("er der nogen?")
    conversation_id = ack["conversation_id"]
    await anna.request("POST", f"/api/conversations/{conversation_id}/claim")
    _, seen = await anna.request(
        "POST", f"/api/conversations/{conversation_id}/messages", json={"text": "Ja, hej"}
    )
    await visitor.message(lambda m: m["id"] == seen["message"]["id"])
    await visitor.disconnect()

    missed = []
    for text in ("Er du der stadig?", "Jeg venter på dig"):
        _, body = await anna.request(
            "POST", f"/api/conversations/{conversation_id}/messages", json={"text": text}
        )
        missed.append(body["message"]["id"])
    await anna.request(
        "POST",
        f"/api/conversations/{conversation_id}/messages",
        json={"text": "note", "internal": True},
    )

    await visitor.connect(last_seen_id=visitor.last_seen_id)
    session = await visitor.log.wait_for("session")
    assert session["conversation_id"] == conversation_id
    for message_id in missed:
        await visitor.message(lambda m, wanted=message_id: m["id"] == wanted)
    # The client library may hand events to handlers out of order; the set matters.
    assert sorted(m["id"] for m in visitor.log.events["message"]) == missed


async def test_a_page_reload_without_last_seen_gets_the_whole_conversation(
    visitors: Callable[..., Visitor], counsellors: Callable[[str], Counsellor]
) -> None:
    visitor = await visitors().connect()
    first = await visitor.send("hej")
    second = await visitor.send("jeg vil gerne have hjælp til at vælge")
    anna = await counsellors("anna@example.org").login()
    _, detail = await anna.request("GET", f"/api/conversations/{first['conversation_id']}")
    stored = [m["id"] for m in detail["messages"] if not m["internal"]]
    assert {first["id"], second["id"]} <= set(stored) and len(stored) > 2  # bot answers too
    await visitor.disconnect()
    await visitor.connect()
    for message_id in stored:
        await visitor.message(lambda m, wanted=message_id: m["id"] == wanted)
    assert sorted(m["id"] for m in visitor.log.events["message"]) == sorted(stored)
    authors = {m["id"]: m["author"] for m in visitor.log.events["message"]}
    assert authors[first["id"]] == "visitor" and "bot" in authors.values()


async def test_a_second_tab_of_the_same_visitor_sees_the_visitors_messages(
    visitors: Callable[..., Visitor],
) -> None:
    tab1 = await visitors().connect()
    await tab1.send("første besked")
    tab2 = await visitors().connect(token=tab1.token)
    ack = await tab1.send("anden besked", client_id="tab1-2")
    echo = await tab2.message(lambda m: m["id"] == ack["id"])
    assert echo["client_id"] == "tab1-2" and echo["author"] == "visitor"


async def test_typing_indicators_flow_both_ways(
    visitors: Callable[..., Visitor], counsellors: Callable[[str], Counsellor]
) -> None:
    anna = await counsellors("anna@example.org").login()
    await anna.connect_inbox()
    visitor = await visitors().connect()
    ack = await visitor.send("hej")
    await visitor.emit("typing", {"typing": True})
    typing = await anna.log.wait_for("typing")
    assert typing == {
        "conversation_id": ack["conversation_id"],
        "author": "contact",
        "typing": True,
    }
    assert anna.inbox is not None
    await anna.inbox.call(
        "typing", {"conversation_id": ack["conversation_id"], "typing": True}, namespace="/inbox"
    )
    shown = await visitor.log.wait_for("typing")
    assert shown["author"] == "counsellor" and shown["typing"] is True
