"""Nobody is left without an answer when the bot cannot reach them: a person's first
mail gets the receipt; their reply asks a factual question that triage answers with
a self-help article; the one-automatic-mail-a-day rule refuses the article; the
conversation is now in the queue for a counsellor, with the reason shown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.test_email_support import (
    FIRST,
    email_conversation,
    logged_in,
    mail_node,
    person_mail,
    wait_messages,
    wait_until,
)

QUESTION = "Hvornår er ansøgningsfristen til gymnasiet?"


async def test_a_refused_bot_article_puts_the_conversation_in_the_queue(tmp_path: Path) -> None:
    async with mail_node(tmp_path / "node") as node, logged_in(node) as anna:
        first = person_mail(FIRST)
        await node.send(first)
        receipt = await node.sink.wait_for(lambda m: m["In-Reply-To"] == first["Message-ID"])
        await wait_messages(
            anna, lambda ms: any(m["author"] == "bot" and m["status"] == "sent" for m in ms)
        )
        conversation = await email_conversation(anna)
        assert conversation["status"] == "bot"
        assert not (await anna.request("GET", "/api/queue"))[1]["items"]

        await node.send(
            person_mail(
                QUESTION,
                subject=str(receipt["Subject"]),
                in_reply_to=str(receipt["Message-ID"]),
            )
        )

        def article_failed(messages: list[dict[str, Any]]) -> bool:
            return any(
                m["author"] == "bot"
                and m["status"] == "failed"
                and "24 hours" in (m["error"] or "")
                for m in messages
            )

        await wait_messages(anna, article_failed)

        async def queued() -> dict[str, Any] | None:
            _, body = await anna.request("GET", "/api/queue")
            items = [i for i in body["items"] if i["conversation_id"] == conversation["id"]]
            return items[0] if items else None

        item = await wait_until(queued)
        assert item["channel"] == "email" and item["waiting_since"]
        assert item["reasons"][0].startswith("The bot could not reach the person")
        detail = await email_conversation(anna)
        assert detail["status"] == "waiting"
        assert detail["triage"]["reasons"][0].startswith("The bot could not reach the person")
        assert len(node.sink.to("mette.aero@example.dk")) == 1  # only the receipt went
