"""Two server processes sharing PostgreSQL and Redis: one contact centre."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import aiohttp
import pytest

from tests.support.clients import Counsellor, Visitor
from tests.support.server import ServerProcess

PASSWORD = "correct-horse-battery"


@pytest.fixture
def nodes(tmp_path: Path, pg_url: str, redis_url: str) -> Iterator[tuple[ServerProcess, ...]]:
    shared = {
        "EGUIDANCE_DATABASE__URL": pg_url,
        "EGUIDANCE_REDIS__URL": redis_url,
        # Its own pub/sub channel, so nothing else on this Redis can interfere.
        "EGUIDANCE_REDIS__CHANNEL": f"eguidance-test-{uuid.uuid4().hex[:8]}",
    }
    a = ServerProcess(tmp_path / "a", shared, name="node-a")
    b = ServerProcess(tmp_path / "b", shared, name="node-b")
    # Both start at once on an empty database: the migration lock keeps them apart.
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(ServerProcess.start, (a, b)))
    a.add_user("anna@example.org", PASSWORD)
    b.add_user("bo@example.org", PASSWORD)
    yield a, b
    a.stop()
    b.stop()


async def test_visitor_on_one_node_and_counsellor_on_the_other(
    nodes: tuple[ServerProcess, ServerProcess],
) -> None:
    a, b = nodes
    visitor = Visitor(a.url)
    bo = Counsellor(b.url, "bo@example.org", PASSWORD)
    anna = Counsellor(a.url, "anna@example.org", PASSWORD)
    try:
        await bo.login()
        await bo.connect_inbox()
        await anna.login()
        await visitor.connect()
        ack = await visitor.send("Hej fra node A, jeg vil gerne tale med en vejleder")
        created = await bo.log.wait_for(
            "message.created", lambda e: e["message"]["id"] == ack["id"]
        )
        conversation_id = created["conversation_id"]
        await bo.log.wait_for(
            "queue.updated",
            lambda e: any(i["conversation_id"] == conversation_id for i in e["items"]),
        )

        path = f"/api/conversations/{conversation_id}/claim"
        results = await asyncio.gather(anna.request("POST", path), bo.request("POST", path))
        assert sorted(status for status, _ in results) == [200, 409]
        holder = bo if results[1][0] == 200 else anna
        _, reply = await holder.request(
            "POST",
            f"/api/conversations/{conversation_id}/messages",
            json={"text": "Svar fra den anden node"},
        )
        seen = await visitor.message(lambda m: m["id"] == reply["message"]["id"])
        assert seen["text"] == "Svar fra den anden node"

        async with aiohttp.ClientSession(b.url) as client, client.get("/readyz") as response:
            assert response.status == 200
            assert (await response.json())["checks"] == {"database": "ok", "redis": "ok"}
    finally:
        await visitor.disconnect()
        await bo.close()
        await anna.close()


async def test_a_visitor_who_moves_to_the_other_node_gets_the_replay(
    nodes: tuple[ServerProcess, ServerProcess],
) -> None:
    a, b = nodes
    visitor = Visitor(a.url)
    anna = Counsellor(b.url, "anna@example.org", PASSWORD)
    try:
        await anna.login()
        await visitor.connect()
        ack = await visitor.send("Første besked")
        await visitor.disconnect()
        conversation_id = ack["conversation_id"]
        _, reply = await anna.request(
            "POST",
            f"/api/conversations/{conversation_id}/messages",
            json={"text": "Du var væk, her er svaret"},
        )
        moved = Visitor(b.url)
        moved.token = visitor.token
        await moved.connect(last_seen_id=ack["id"])
        seen = await moved.message(lambda m: m["id"] == reply["message"]["id"])
        assert seen["author"] == "counsellor"
        await moved.disconnect()
    finally:
        await visitor.disconnect()
        await anna.close()
