"""The API serves every triage reason twice: `reasons` (English, as stored) and
`reasons_da` (the same in Danish), for the queue, the conversation and its timeline."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.clients import Counsellor, Visitor

SUICIDE_EN = "Mentions thoughts of suicide or wanting to be dead: "
SUICIDE_DA = "Nævner tanker om selvmord eller om at være død: "


async def test_queue_and_conversation_carry_the_danish_reasons(
    visitors: Callable[..., Visitor], counsellors: Callable[[str], Counsellor]
) -> None:
    anna = await counsellors("anna@example.org").login()
    await anna.connect_inbox()
    person = await visitors().connect()
    ack = await person.send("jeg kan ikke mere og vil ikke leve mere")

    pushed = await anna.log.wait_for("queue.updated", lambda e: len(e["items"]) == 1)
    status, listed = await anna.request("GET", "/api/queue")
    assert status == 200
    for item in (pushed["items"][0], listed["items"][0]):
        assert any(r.startswith(SUICIDE_EN) for r in item["reasons"]), item
        assert any(r.startswith(SUICIDE_DA) for r in item["reasons_da"]), item
        assert len(item["reasons_da"]) == len(item["reasons"])

    status, detail = await anna.request("GET", f"/api/conversations/{ack['conversation_id']}")
    assert status == 200
    triage = detail["triage"]
    assert any(r.startswith(SUICIDE_DA) for r in triage["reasons_da"]), triage
    assert any(r.startswith(SUICIDE_EN) for r in triage["reasons"]), triage
    decision = detail["assessments"][-1]
    assert decision["reasons"] == triage["reasons"]
    assert decision["reasons_da"] == triage["reasons_da"]
