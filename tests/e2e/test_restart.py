"""A node that restarts loses nothing: the visitor comes back to the same conversation."""

from __future__ import annotations

from pathlib import Path

from tests.support.clients import Counsellor, Visitor
from tests.support.server import ServerProcess

PASSWORD = "correct-horse-battery"


async def test_conversation_and_unsent_replies_survive_a_restart(tmp_path: Path) -> None:
    node = ServerProcess(tmp_path / "node")
    node.add_user("anna@example.org", PASSWORD)
    node.start()
    visitor = Visitor(node.url)
    anna = Counsellor(node.url, "anna@example.org", PASSWORD)
    try:
        await visitor.connect()
        ack = await visitor.send("Jeg vil gerne tale med en vejleder")
        await anna.login()
        conversation_id = ack["conversation_id"]
        await anna.request("POST", f"/api/conversations/{conversation_id}/claim")
        _, reply = await anna.request(
            "POST", f"/api/conversations/{conversation_id}/messages", json={"text": "Jeg er her"}
        )
        await visitor.message(lambda m: m["id"] == reply["message"]["id"])
        await visitor.disconnect()
        await anna.close()

        node.stop()
        node.start()  # same data directory, same secret key

        anna = Counsellor(node.url, "anna@example.org", PASSWORD)
        await anna.login()
        _, later = await anna.request(
            "POST",
            f"/api/conversations/{conversation_id}/messages",
            json={"text": "Er du der stadig?"},
        )
        visitor.base_url = node.url
        await visitor.connect(last_seen_id=reply["message"]["id"])
        session = await visitor.log.wait_for("session")
        assert session["conversation_id"] == conversation_id
        seen = await visitor.message(lambda m: m["id"] == later["message"]["id"])
        assert seen["text"] == "Er du der stadig?"
        again = await visitor.send("Ja!")
        assert again["conversation_id"] == conversation_id
    finally:
        await visitor.disconnect()
        await anna.close()
        node.stop()
