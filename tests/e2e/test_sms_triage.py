"""Triage over SMS, through Twilio-signed webhooks to the real server: the bot's
questions come one SMS at a time, each after the person's answer, never more than
three, and then the conversation waits for a counsellor."""

from __future__ import annotations

import asyncio
import itertools
import tomllib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.e2e.test_sms import PASSWORD, PERSON
from tests.support.clients import Counsellor
from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio, Webhooks, twilio_env
from tests.support.server import ServerProcess

QUESTIONS = tomllib.loads(
    (Path(__file__).resolve().parents[2] / "config/triage/questions.toml").read_text()
)
DANISH_SMS_QUESTIONS = {QUESTIONS[qid]["da"]["sms"] for qid in QUESTIONS["order"]}


@pytest.fixture
async def fake() -> AsyncIterator[FakeTwilio]:
    twilio = await FakeTwilio(ACCOUNT_SID, AUTH_TOKEN).start()
    yield twilio
    await twilio.stop()


@pytest.fixture
def node(tmp_path: Path, fake: FakeTwilio) -> Iterator[ServerProcess]:
    env = {**twilio_env(fake), "EGUIDANCE_OPENING_HOURS__MODE": "always_open"}
    server = ServerProcess(tmp_path / "node", env=env)
    server.add_user("anna@example.org", PASSWORD, "counsellor")
    server.start()
    yield server
    server.stop()


def questions(fake: FakeTwilio) -> list[str]:
    return [s.body for s in fake.sent if s.to == PERSON and s.body in DANISH_SMS_QUESTIONS]


async def next_step(fake: FakeTwilio, anna: Counsellor, asked: int) -> str:
    """Waits until the bot asks one more question ("question") or the conversation
    is in the queue ("queued")."""
    for _ in range(150):
        if len(questions(fake)) > asked:
            return "question"
        _, queue = await anna.request("GET", "/api/queue")
        if queue["items"]:
            return "queued"
        await asyncio.sleep(0.1)
    raise AssertionError(f"neither a question nor the queue after {asked} questions")


async def test_an_sms_gets_its_questions_one_at_a_time_then_waits_for_a_person(
    node: ServerProcess, fake: FakeTwilio
) -> None:
    hooks = Webhooks(node.url)
    anna = await Counsellor(node.url, "anna@example.org", PASSWORD).login()
    await hooks.sms(PERSON, "Hej, jeg har et spørgsmål")
    # Answers that tell the bot nothing, so it asks all it may.
    answers = iter(["hmm", "ved ikke", "øh", "øhm"])
    while await next_step(fake, anna, len(questions(fake))) == "question":
        assert len(questions(fake)) <= 3, questions(fake)
        await hooks.sms(PERSON, next(answers))
    asked = questions(fake)
    # Never more than three before a person is reachable; none asked twice.
    assert len(asked) == 3 and len(set(asked)) == 3, asked

    _, queue = await anna.request("GET", "/api/queue")
    conversation_id = queue["items"][0]["conversation_id"]
    status, detail = await anna.request("GET", f"/api/conversations/{conversation_id}")
    assert status == 200 and detail["channel"] == "sms"
    kinds = [
        "question" if m["text"] in DANISH_SMS_QUESTIONS else m["direction"]
        for m in detail["messages"]
        if not m.get("internal")
    ]
    # One at a time: the first message is the person's, and every question follows
    # an answer from them, never another question.
    assert kinds[0] == "in" and kinds.count("question") == len(asked), kinds
    for before, after in itertools.pairwise(kinds):
        assert (before, after) != ("question", "question"), kinds
    await anna.close()
