"""A call's hooks on two nodes sharing PostgreSQL: Twilio may send each hook of one
call to a different node behind the load balancer, so what the caller pressed
while waiting is kept in the database, not in one node's memory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.e2e.test_voice import PASSWORD, Call, conversation_texts, said, verbs
from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio, twilio_env
from tests.support.server import ServerProcess


@pytest.fixture
async def nodes(tmp_path: Path, pg_url: str) -> AsyncIterator[tuple[ServerProcess, ServerProcess]]:
    fake = await FakeTwilio(ACCOUNT_SID, AUTH_TOKEN).start()
    shared = {**twilio_env(fake), "EGUIDANCE_DATABASE__URL": pg_url}
    a = ServerProcess(tmp_path / "a", shared, name="node-a")
    b = ServerProcess(tmp_path / "b", shared, name="node-b")
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(ServerProcess.start, (a, b)))
    a.add_user("anna@example.org", PASSWORD)
    yield a, b
    a.stop()
    b.stop()
    await fake.stop()


@pytest.mark.parametrize("digit,expected", [("1", ["Say", "Record"]), ("2", ["Say", "Hangup"])])
async def test_a_wait_loop_choice_on_one_node_is_honoured_by_the_other(
    nodes: tuple[ServerProcess, ServerProcess], digit: str, expected: list[str]
) -> None:
    a, b = nodes
    on_a, on_b = Call(a, "CA" + digit * 32), Call(b, "CA" + digit * 32)
    root = await on_a.post("/hooks/twilio/voice/wait-choice?lang=en", Digits=digit)
    assert verbs(root) == ["Leave"]
    # The queue's action hook reaches the other node: it knows the choice.
    root = await on_b.post("/hooks/twilio/voice/left?lang=en", QueueResult="leave")
    assert verbs(root) == expected
    if digit == "2":
        assert "call you back" in said(root)
        await conversation_texts(a, "beder om at blive ringet op")
    else:
        assert "Leave your message after the tone" in said(root)
    await conversation_texts(a, "forlader telefonkøen")
