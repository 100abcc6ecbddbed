"""Outside opening hours the widget is told so, and messages still wait in the queue."""

from __future__ import annotations

from pathlib import Path

from tests.support.clients import Counsellor, Visitor
from tests.support.server import ServerProcess

PASSWORD = "correct-horse-battery"


async def test_closed_service_tells_the_visitor_and_keeps_the_message(tmp_path: Path) -> None:
    node = ServerProcess(
        tmp_path / "closed",
        env={
            "EGUIDANCE_OPENING_HOURS__MODE": "schedule",
            "EGUIDANCE_OPENING_HOURS__SCHEDULE": "{}",
        },
    )
    node.add_user("anna@example.org", PASSWORD)
    node.start()
    visitor = Visitor(node.url, "en")
    anna = Counsellor(node.url, "anna@example.org", PASSWORD)
    try:
        await visitor.connect()
        status = await visitor.log.wait_for("status")
        assert status["opening_hours"]["open"] is False
        assert "Monday closed" in status["opening_hours"]["text_en"]
        assert "mandag lukket" in status["opening_hours"]["text_da"]
        ack = await visitor.send("Can I talk to a counsellor about the deadline?")
        await anna.login()
        _, queue = await anna.request("GET", "/api/queue")
        assert [i["conversation_id"] for i in queue["items"]] == [ack["conversation_id"]]
    finally:
        await visitor.disconnect()
        await anna.close()
        node.stop()
