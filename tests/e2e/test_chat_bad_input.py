"""Bad input on /chat and /inbox gets a clear error, and nothing stored is harmed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import socketio

from tests.support.clients import Counsellor, Visitor
from tests.support.server import ServerProcess


async def test_messages_over_the_limit_empty_or_malformed_are_refused(
    visitors: Callable[..., Visitor], counsellors: Callable[[str], Counsellor]
) -> None:
    visitor = await visitors().connect()
    kept = await visitor.send("en god besked")
    too_long = await visitor.send("x" * 4001)
    assert too_long["error"]["code"] == "too_long"
    assert (await visitor.send("   "))["error"]["code"] == "empty_message"
    assert (await visitor.emit("message", "just a string"))["error"]["code"] == "invalid"
    assert (await visitor.emit("message", {"text": "no id"}))["error"]["code"] == "invalid"
    assert (await visitor.send("x" * 4000))["id"] > kept["id"]
    anna = await counsellors("anna@example.org").login()
    _, detail = await anna.request("GET", f"/api/conversations/{kept['conversation_id']}")
    written = [m["text"][:13] for m in detail["messages"] if m["direction"] == "in"]
    assert written == ["en god besked", "x" * 13]


async def test_unknown_events_get_an_error(visitors: Callable[..., Visitor]) -> None:
    visitor = await visitors().connect()
    answer = await visitor.emit("delete_everything", {})
    assert answer["error"]["code"] == "unknown_event"
    assert (await visitor.log.wait_for("error"))["code"] == "unknown_event"
    assert "id" in await visitor.send("still works")


async def test_a_forged_visitor_token_is_refused(visitors: Callable[..., Visitor]) -> None:
    real = await visitors().connect()
    forged = visitors()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await forged.connect(token=real.token[:-4] + "AAAA")  # type: ignore[index]
    assert forged.connect_error["data"]["code"] == "invalid_token"


async def test_the_inbox_socket_refuses_anyone_not_signed_in(server: ServerProcess) -> None:
    for auth in (None, {"token": "forged"}):
        client = socketio.AsyncClient(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(
                server.url,
                namespaces=["/inbox"],
                auth=auth,
                transports=["websocket"],
                wait_timeout=5,
            )
        await client.disconnect()


def test_user_add_prints_a_generated_password_once(server: ServerProcess) -> None:
    result = server.cli(
        "user", "add", "ny@example.org", "--role", "supervisor", "--name", "Ny Vejleder"
    )
    assert result.returncode == 0, result.stderr
    assert "password: " in result.stdout
    again = server.cli("user", "add", "ny@example.org", "--role", "supervisor")
    assert again.returncode == 1 and "exists already" in again.stderr
    bad = server.cli("user", "add", "not-an-email")
    assert bad.returncode == 1 and "not an e-mail" in bad.stderr
