"""Every message in tests/data/email, sent to the real server process's SMTP listener,
does what its manifest says: opens a new conversation (with a receipt), threads into
the conversation of the mail it answers, marks a bounced mail failed, or gets no
automatic answer.

One node serves the whole module. Conversations reopen only by threading (reopen
window 0), so a reply that lands in the conversation it answers got there through
its In-Reply-To/References, not because the person's conversation was still open."""

from __future__ import annotations

import asyncio
import smtplib
import tomllib
from collections.abc import AsyncIterator
from email.message import EmailMessage
from typing import Any

import pytest
import pytest_asyncio

from channels.email.parsing import parse_mail
from tests.e2e.test_email_support import (
    DATA,
    SERVICE,
    MailNode,
    email_conversations,
    logged_in,
    mail_node,
    person_mail,
    wait_until,
)
from tests.support.clients import Counsellor

CASES: list[dict[str, Any]] = tomllib.loads((DATA / "manifest.toml").read_text())["message"]
# The tests share the module's node, so they run on the module's event loop.
ON_MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def node(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[MailNode]:
    workdir = tmp_path_factory.mktemp("fixtures") / "node"
    async with mail_node(workdir, {"EGUIDANCE_CONVERSATIONS__REOPEN_WINDOW_S": "0"}) as started:
        yield started


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def anna(node: MailNode) -> AsyncIterator[Counsellor]:
    async with logged_in(node) as counsellor:
        yield counsellor


def to(address: str) -> Any:
    return lambda mail: mail["To"].addresses[0].addr_spec == address


async def conversation_with(anna: Counsellor, text: str) -> dict[str, Any]:
    """The e-mail conversation holding an inbound message with this text."""

    async def probe() -> dict[str, Any] | None:
        for conversation in await email_conversations(anna):
            if any(m["direction"] == "in" and m["text"] == text for m in conversation["messages"]):
                return conversation
        return None

    return dict(await wait_until(probe))


async def close(anna: Counsellor, conversation_id: int) -> None:
    await anna.request("POST", f"/api/conversations/{conversation_id}/claim")  # may be ours
    status, body = await anna.request("POST", f"/api/conversations/{conversation_id}/close")
    assert status == 200, body


async def answered_conversation(
    node: MailNode, anna: Counsellor, address: str, name: str
) -> tuple[int, str]:
    """A closed conversation with `address` that a counsellor answered: its id and the
    Message-ID of the answer (what the person's client will put in In-Reply-To)."""
    seed = f"Første mail før {name}."
    await node.send(person_mail(seed, sender=address), sender=address)
    conversation_id = int((await conversation_with(anna, seed))["id"])
    await anna.request("POST", f"/api/conversations/{conversation_id}/claim")
    marker = f"Svar fra Anna før {name}."
    status, body = await anna.request(
        "POST", f"/api/conversations/{conversation_id}/messages", json={"text": marker}
    )
    assert status == 201, body
    answer = await node.sink.wait_for(
        lambda m: to(address)(m) and marker in str(m.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    )
    await close(anna, conversation_id)
    return conversation_id, answer["Message-ID"].strip("<>")


async def send_raw(node: MailNode, raw: bytes, envelope_sender: str) -> None:
    # smtplib sends the bytes exactly as they are (8-bit bodies included) and, unlike
    # aiosmtplib, lets a bounce come from the empty return path.
    def send() -> None:
        with smtplib.SMTP("127.0.0.1", node.smtp_port, timeout=10) as client:
            client.sendmail(envelope_sender, [SERVICE], raw)

    await asyncio.to_thread(send)


async def no_automatic_answer_since(node: MailNode, address: str, before: int) -> None:
    """Nothing more went to `address`. The outbox sends in order, so once a later
    person's receipt has gone, any answer to this mail would have gone before it."""
    barrier = f"barrier-{len(node.sink.mails)}@example.net"
    await node.send(person_mail("Hej, jeg har et spørgsmål.", sender=barrier), sender=barrier)
    await node.sink.wait_for(to(barrier))
    assert len(node.sink.to(address)) == before


async def check_bounce(node: MailNode, anna: Counsellor, case: dict[str, Any]) -> None:
    conversation_id, answer_id = await answered_conversation(
        node, anna, "bounced.person@example.dk", case["file"]
    )
    count = len(await email_conversations(anna))
    raw = (DATA / case["file"]).read_bytes()
    await send_raw(node, raw.replace(case["original_message_id"].encode(), answer_id.encode()), "")

    async def failed() -> list[dict[str, Any]]:
        (conversation,) = [c for c in await email_conversations(anna) if c["id"] == conversation_id]
        return [m for m in conversation["messages"] if m["status"] == "failed"]

    (message,) = await wait_until(failed)
    assert message["author"] == "counsellor"
    assert case["reason_contains"] in (message["error"] or "")
    assert len(await email_conversations(anna)) == count  # no conversation for a bounce


async def check_threaded(node: MailNode, anna: Counsellor, case: dict[str, Any]) -> None:
    ours = next(ref for ref in case["thread_refs"] if ref.startswith("eguidance."))
    address = case["address"]
    conversation_id, answer_id = await answered_conversation(node, anna, address, case["file"])
    mails_before = len(node.sink.to(address))
    raw = (DATA / case["file"]).read_bytes().replace(ours.encode(), answer_id.encode())
    await send_raw(node, raw, address)
    conversation = await conversation_with(anna, case["text"])
    assert conversation["id"] == conversation_id, "not threaded into the answered conversation"
    if case["automatic"]:
        await no_automatic_answer_since(node, address, mails_before)
    await close(anna, conversation_id)


async def check_new(node: MailNode, anna: Counsellor, case: dict[str, Any]) -> None:
    address = case["address"]
    known = {c["id"] for c in await email_conversations(anna)}
    mails_before = len(node.sink.to(address))
    raw = (DATA / case["file"]).read_bytes()
    await send_raw(node, raw, address)
    conversation = await conversation_with(anna, case["text"])
    assert conversation["id"] not in known, "not a new conversation"
    first = conversation["messages"][0]
    assert first["text"] == case["text"]
    assert [{k: v for k, v in a.items() if k != "url"} for a in first["attachments"]] == case.get(
        "attachments", []
    )
    if case["automatic"]:
        await no_automatic_answer_since(node, address, mails_before)
    else:
        receipt: EmailMessage = await node.sink.wait_for(to(address))
        assert receipt["Auto-Submitted"] == "auto-replied"
        assert receipt["In-Reply-To"] == f"<{parse_mail(raw).message_id}>"
    await close(anna, int(conversation["id"]))


@ON_MODULE_LOOP
@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
async def test_fixture_through_the_real_listener(
    node: MailNode, anna: Counsellor, case: dict[str, Any]
) -> None:
    if case["action"] == "bounce":
        await check_bounce(node, anna, case)
    elif any(ref.startswith("eguidance.") for ref in case["thread_refs"]):
        await check_threaded(node, anna, case)
    else:
        await check_new(node, anna, case)


def test_every_kind_of_action_is_covered() -> None:
    kinds = {
        "bounce" if c["action"] == "bounce" else
        "threaded" if any(r.startswith("eguidance.") for r in c["thread_refs"]) else
        "new"
        for c in CASES
    }  # fmt: skip
    assert kinds == {"bounce", "threaded", "new"}
    assert any(c.get("automatic") for c in CASES)
    assert len(CASES) >= 13
