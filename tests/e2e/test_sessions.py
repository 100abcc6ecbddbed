"""Server-side counsellor sessions: a logout, a deactivation or an expiry ends a
session for the REST API and for its /inbox sockets, on every node; a page reload
keeps the presence the counsellor chose."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio

from server.inbox_socket import RECONNECT_GRACE_S, SESSION_CHECK_S
from tests.e2e.conftest import PASSWORD
from tests.support.clients import Counsellor
from tests.support.server import ServerProcess

# Long enough for a node's periodic session re-check to have run twice.
ENDED_WITHIN_S = 3 * SESSION_CHECK_S


async def watch_inbox(counsellor: Counsellor) -> asyncio.Event:
    """Connects the counsellor's /inbox socket; the event is set when the server drops it."""
    await counsellor.connect_inbox()
    assert counsellor.inbox is not None
    dropped = asyncio.Event()
    counsellor.inbox.on("disconnect", lambda *_: dropped.set(), namespace="/inbox")
    return dropped


async def inbox_refused(base_url: str, token: str) -> bool:
    client = socketio.AsyncClient(reconnection=False)
    try:
        await client.connect(
            base_url,
            namespaces=["/inbox"],
            auth={"token": token},
            transports=["websocket"],
            wait_timeout=10,
        )
    except socketio.exceptions.ConnectionError:
        return True
    await client.disconnect()
    return False


async def refused(counsellor: Counsellor) -> bool:
    status, body = await counsellor.request("GET", "/api/me")
    return status == 401 and body["error"]["code"] == "session_ended"


async def test_logout_ends_that_session_only(
    server: ServerProcess, counsellors: Callable[[str], Counsellor]
) -> None:
    laptop = await counsellors("anna@example.org").login()
    phone = await counsellors("anna@example.org").login()
    dropped = await watch_inbox(laptop)
    phone_dropped = await watch_inbox(phone)

    status, _ = await laptop.request("POST", "/api/auth/logout")
    assert status == 200

    assert await refused(laptop)
    await asyncio.wait_for(dropped.wait(), ENDED_WITHIN_S)
    assert await inbox_refused(server.url, laptop.token)
    status, me = await phone.request("GET", "/api/me")
    assert status == 200 and me["email"] == "anna@example.org"
    assert not phone_dropped.is_set()
    assert not await inbox_refused(server.url, phone.token)


async def test_a_deactivated_counsellor_is_signed_out_everywhere(
    server: ServerProcess, counsellors: Callable[[str], Counsellor]
) -> None:
    server.add_user("ada@example.org", PASSWORD, "admin")
    ada = await counsellors("ada@example.org").login()
    anna = await counsellors("anna@example.org").login()
    dropped = await watch_inbox(anna)
    _, me = await anna.request("GET", "/api/me")

    status, _ = await ada.request("POST", f"/api/users/{me['id']}/deactivate")
    assert status == 200

    status, _ = await anna.request("GET", "/api/me")
    assert status == 401
    await asyncio.wait_for(dropped.wait(), ENDED_WITHIN_S)
    assert await inbox_refused(server.url, anna.token)
    async with anna.http.post(
        "/api/auth/login", json={"email": anna.email, "password": PASSWORD}
    ) as response:
        assert response.status == 401


async def test_an_expired_session_is_refused(
    server: ServerProcess, counsellors: Callable[[str], Counsellor]
) -> None:
    anna = await counsellors("anna@example.org").login()
    dropped = await watch_inbox(anna)
    assert (await anna.request("GET", "/api/me"))[0] == 200

    with sqlite3.connect(server.workdir / "data" / "eguidance.db", timeout=10) as db:
        db.execute("UPDATE counsellor_session SET expires_at = created_at")

    assert await refused(anna)
    await asyncio.wait_for(dropped.wait(), ENDED_WITHIN_S)
    assert await inbox_refused(server.url, anna.token)
    await anna.login()  # a new login makes a new session
    assert (await anna.request("GET", "/api/me"))[0] == 200


async def inbox_sockets(base_url: str) -> float:
    async with aiohttp.ClientSession(base_url) as client, client.get("/metrics") as response:
        text = await response.text()
    for line in text.splitlines():
        if line.startswith('eguidance_sockets{namespace="/inbox"}'):
            return float(line.split()[-1])
    return 0.0


async def inbox_sockets_become(base_url: str, count: int) -> None:
    for _ in range(200):
        if await inbox_sockets(base_url) == count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the node never had {count} inbox socket(s)")


async def test_a_page_reload_keeps_the_chosen_presence(
    server: ServerProcess, counsellors: Callable[[str], Counsellor]
) -> None:
    bo = await (await counsellors("bo@example.org").login()).connect_inbox()
    anna = await (await counsellors("anna@example.org").login()).connect_inbox()
    assert (await anna.request("PUT", "/api/me/presence", json={"presence": "away"}))[0] == 200

    def anna_is(presence: str) -> Callable[[dict[str, Any]], bool]:
        return lambda e: any(
            c["email"] == "anna@example.org" and c["presence"] == presence for c in e["items"]
        )

    await bo.log.wait_for("counsellors.updated", anna_is("away"))
    assert anna.inbox is not None
    await anna.inbox.disconnect()
    # The server has seen the old socket go (only bo's is left) before the new one comes.
    await inbox_sockets_become(server.url, 1)
    await anna.connect_inbox()

    _, team = await bo.request("GET", "/api/counsellors")
    assert anna_is("away")(team)

    # Leaving for good still ends in "offline" for the team.
    await anna.inbox.disconnect()
    await bo.log.wait_for("counsellors.updated", anna_is("offline"), RECONNECT_GRACE_S + 10)


@pytest.fixture
def nodes(tmp_path: Path, pg_url: str, redis_url: str) -> Iterator[tuple[ServerProcess, ...]]:
    shared = {
        "EGUIDANCE_DATABASE__URL": pg_url,
        "EGUIDANCE_REDIS__URL": redis_url,
        "EGUIDANCE_REDIS__CHANNEL": f"eguidance-test-{uuid.uuid4().hex[:8]}",
    }
    a = ServerProcess(tmp_path / "a", shared, name="node-a")
    b = ServerProcess(tmp_path / "b", shared, name="node-b")
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(ServerProcess.start, (a, b)))
    a.add_user("anna@example.org", PASSWORD)
    yield a, b
    a.stop()
    b.stop()


async def test_a_logout_on_one_node_drops_the_socket_on_the_other(
    nodes: tuple[ServerProcess, ServerProcess],
) -> None:
    a, b = nodes
    on_a = Counsellor(a.url, "anna@example.org", PASSWORD)
    on_b = Counsellor(b.url, "anna@example.org", PASSWORD)
    try:
        await on_a.login()
        on_b.token = on_a.token  # the same session, its socket on the other node
        dropped = await watch_inbox(on_b)
        assert (await on_a.request("POST", "/api/auth/logout"))[0] == 200
        await asyncio.wait_for(dropped.wait(), ENDED_WITHIN_S)
        assert (await on_b.request("GET", "/api/me"))[0] == 401
        assert await inbox_refused(b.url, on_a.token)
    finally:
        await on_a.close()
        await on_b.close()
