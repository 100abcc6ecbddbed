"""The reply token alone threads a reply: a new mail to the Reply-To plus-address (no
In-Reply-To, no References) lands in the conversation that sent it, even after it was
closed; a forged or someone else's token is ignored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_email_support import (
    FIRST,
    MailNode,
    email_conversations,
    logged_in,
    mail_node,
    person_mail,
    wait_until,
)
from tests.support.clients import Counsellor

METTE = "mette.aero@example.dk"


@pytest.fixture
async def node(tmp_path: Path) -> AsyncIterator[MailNode]:
    # No reopening by time: only threading may bring a closed conversation back.
    env = {"EGUIDANCE_CONVERSATIONS__REOPEN_WINDOW_S": "0"}
    async with mail_node(tmp_path / "node", env) as started:
        yield started


@pytest.fixture
async def anna(node: MailNode) -> AsyncIterator[Counsellor]:
    async with logged_in(node) as counsellor:
        yield counsellor


async def closed_conversation_and_reply_to(node: MailNode, anna: Counsellor) -> tuple[int, str]:
    """Mette writes, gets the receipt, and a counsellor closes the conversation."""
    await node.send(person_mail(FIRST))
    (receipt,) = await node.sink.wait_count(METTE, 1)
    (conversation,) = await email_conversations(anna)
    for action in ("claim", "close"):
        path = f"/api/conversations/{conversation['id']}/{action}"
        status, body = await anna.request("POST", path)
        assert status == 200, body
    return conversation["id"], receipt["Reply-To"].addresses[0].addr_spec


async def texts_by_conversation(anna: Counsellor, count: int) -> list[dict[str, Any]]:
    async def probe() -> list[dict[str, Any]] | None:
        found = await email_conversations(anna)
        inbound = sum(1 for c in found for m in c["messages"] if m["direction"] == "in")
        return found if inbound >= count else None

    return list(await wait_until(probe))


async def test_a_new_mail_to_the_plus_address_reopens_its_conversation(
    node: MailNode, anna: Counsellor
) -> None:
    conversation_id, reply_to = await closed_conversation_and_reply_to(node, anna)
    assert reply_to.startswith(f"vejledning+{conversation_id}-")
    later = person_mail("Jeg har tænkt over det og vil gerne læse videre.", subject="Ny mail")
    later.replace_header("To", reply_to)
    await node.send(later, recipients=[reply_to])
    (conversation,) = await texts_by_conversation(anna, 2)
    assert conversation["id"] == conversation_id
    assert conversation["status"] != "closed"
    assert conversation["messages"][-1]["text"].startswith("Jeg har tænkt over det")


async def test_the_subject_tag_alone_threads_too(node: MailNode, anna: Counsellor) -> None:
    conversation_id, reply_to = await closed_conversation_and_reply_to(node, anna)
    token = reply_to.split("+")[1].split("@")[0]
    await node.send(person_mail("En ting mere.", subject=f"Opfølgning [#{token}]"))
    (conversation,) = await texts_by_conversation(anna, 2)
    assert conversation["id"] == conversation_id and conversation["status"] != "closed"


async def test_forged_and_borrowed_tokens_start_new_conversations(
    node: MailNode, anna: Counsellor
) -> None:
    conversation_id, reply_to = await closed_conversation_and_reply_to(node, anna)
    forged = f"vejledning+{conversation_id}-aaaaaaaaaaaa@example.org"
    mail = person_mail("Forfalsket token.", subject="Hej igen")
    mail.replace_header("To", forged)
    await node.send(mail, recipients=[forged])
    # Someone else with Mette's genuine token gets a conversation of their own.
    borrowed = person_mail("Jeg har fået adressen af en ven.", sender="Bo <bo@example.dk>")
    borrowed.replace_header("To", reply_to)
    await node.send(borrowed, recipients=[reply_to])
    conversations = await texts_by_conversation(anna, 3)
    assert len(conversations) == 3
    first, *others = conversations
    assert first["id"] == conversation_id and first["status"] == "closed"
    assert len(first["messages"]) == 2  # her first mail and the receipt, nothing new
    owners = sorted(c["contact"]["addresses"][0]["address"] for c in others)
    assert owners == ["bo@example.dk", METTE]
