"""Conversation flow: questions, channels, urgent handling, state, monotone levels."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from triage import (
    AskQuestion,
    Escalate,
    MessageContext,
    OfferSelfHelp,
    SendCrisisContacts,
    TriageConfig,
    TriageEngine,
    TriageState,
    load_config,
)

REPO = Path(__file__).resolve().parents[3]


@lru_cache(maxsize=1)
def engine() -> TriageEngine:
    cfg: TriageConfig = load_config(REPO / "config")
    return TriageEngine(cfg)


def talk(texts: list[str], channel: str = "chat", **kw: object) -> list[object]:
    state = TriageState()
    decisions: list[object] = []
    for text in texts:
        d = engine().assess(state, MessageContext(text, channel, **kw))  # type: ignore[arg-type]
        decisions.append(d)
        state = d.state
    return decisions


def kinds(decision: object) -> list[str]:
    return [a.kind for a in decision.actions]  # type: ignore[attr-defined]


def test_unclear_chat_asks_one_question_at_a_time_and_never_more_than_three() -> None:
    ds = talk(["hej", "hmm", "ved ik", "øh"], language="da")
    asked = [a for d in ds for a in d.actions if isinstance(a, AskQuestion)]  # type: ignore[attr-defined]
    assert len(asked) == 3
    assert len({q.question_id for q in asked}) == 3
    assert all(q.choices for q in asked)
    last = ds[-1]
    assert kinds(last) == ["escalate"]
    assert last.level == "brief"  # type: ignore[attr-defined]


def test_unclear_level_is_reported_as_brief_but_not_committed() -> None:
    first, second = talk(["hej", "hvornår er fristen for kvote 2?"], language="da")
    assert first.level == "brief" and first.state.level is None  # type: ignore[attr-defined]
    assert second.level == "self_help"  # type: ignore[attr-defined]


def test_email_asks_all_questions_in_one_list() -> None:
    (d,) = talk(["Hej\n\nJeg har brug for hjælp til min fremtid.\n\nMvh Jonas"], "email")
    (question,) = d.actions  # type: ignore[attr-defined]
    assert isinstance(question, AskQuestion)
    assert question.choices == []
    assert "1." in question.text and "2." in question.text and "3." in question.text
    assert question.language == "da"


def test_email_reply_that_is_still_unclear_goes_to_a_counsellor() -> None:
    ds = talk(["Hello, I need some help.", "Thanks."], "email")
    assert kinds(ds[1]) == ["escalate"]


def test_sms_and_voice_questions_number_the_choices() -> None:
    (sms,) = talk(["hej"], "sms", language="da")
    (voice,) = talk(["hello"], "phone", language="en")
    assert "1" in sms.actions[0].text  # type: ignore[attr-defined]
    assert "Press 1" in voice.actions[0].text  # type: ignore[attr-defined]


def test_keypad_answer_is_understood() -> None:
    ds = talk(["hello", "2"], "voice", language="en")
    assert ds[1].level == "brief"  # type: ignore[attr-defined]
    assert "Answered that they want help to choose" in ds[1].reasons  # type: ignore[attr-defined]


def test_age_band_answer_sets_an_age() -> None:
    state = TriageState(pending_question="age_band", questions_asked=["age_band"])
    d = engine().assess(state, MessageContext("3", "sms", "da"))
    assert d.state.age == 30


def test_urgent_never_asks_and_sends_crisis_contacts_in_the_persons_language() -> None:
    state = TriageState(pending_question="what_help", questions_asked=["what_help"])
    d = engine().assess(state, MessageContext("I just want to die", "chat"))
    assert not any(isinstance(a, AskQuestion) for a in d.actions)
    crisis = [a for a in d.actions if isinstance(a, SendCrisisContacts)]
    assert crisis and crisis[0].language == "en" and "112" in crisis[0].text
    esc = [a for a in d.actions if isinstance(a, Escalate)]
    assert esc and esc[0].urgent and esc[0].priority >= 100
    (da,) = talk(["jeg vil ikke leve mere"])
    assert da.actions[-1].language == "da"  # type: ignore[attr-defined]


def test_urgent_never_clears_and_crisis_contacts_are_sent_once() -> None:
    ds = talk(["jeg vil ikke leve mere", "okay", "hvornår er fristen?"])
    assert all(d.urgent for d in ds)  # type: ignore[attr-defined]
    sent = [a for d in ds for a in d.actions if isinstance(a, SendCrisisContacts)]  # type: ignore[attr-defined]
    assert len(sent) == 1
    assert not any(isinstance(a, AskQuestion | OfferSelfHelp) for d in ds for a in d.actions)  # type: ignore[attr-defined]


def test_levels_never_go_down() -> None:
    ds = talk(["jeg er ordblind og har gæld", "hvornår er fristen?"], age=20)
    assert [d.level for d in ds] == ["face_to_face", "face_to_face"]  # type: ignore[attr-defined]


def test_escalate_is_not_repeated_when_nothing_changes() -> None:
    ds = talk(["kan jeg tale med en vejleder?", "tak"])
    assert kinds(ds[0]) == ["escalate"]
    assert kinds(ds[1]) == []


def test_self_help_offer_matches_language_and_ends_with_counsellor_offer() -> None:
    (da,) = talk(["hvornår er fristen for kvote 2?"])
    (en,) = talk(["what is the deadline for kvote 2?"])
    for d, lang, word in ((da, "da", "vejleder"), (en, "en", "counsellor")):
        (offer,) = d.actions  # type: ignore[attr-defined]
        assert isinstance(offer, OfferSelfHelp)
        assert offer.language == lang and offer.link.startswith("https://")
        assert offer.text.rstrip().endswith("kø.") or offer.text.rstrip().endswith("queue.")
        assert word in offer.text.splitlines()[-1]


def test_state_round_trips_through_json() -> None:
    ds = talk(["hej", "jeg er ordblind", "kan jeg tale med en vejleder?"], age=16)
    state = ds[-1].state  # type: ignore[attr-defined]
    again = TriageState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert again == state
    assert TriageState.from_dict(None) == TriageState()
    assert TriageState.from_dict({}) == TriageState()


def test_continuing_from_a_restored_state_gives_the_same_decision() -> None:
    first = talk(["hej"], language="da")[0]
    restored = TriageState.from_dict(json.loads(json.dumps(first.state.to_dict())))  # type: ignore[attr-defined]
    msg = MessageContext("2", "chat", "da")
    a = engine().assess(first.state, msg)  # type: ignore[attr-defined]
    b = engine().assess(restored, msg)
    assert (a.level, a.reasons, a.actions) == (b.level, b.reasons, b.actions)


def test_priority_bumps_for_young_age_and_repeat_contacts() -> None:
    young = talk(["kan jeg tale med en vejleder?"], age=15)[0]
    adult = talk(["kan jeg tale med en vejleder?"], age=30)[0]
    assert young.actions[0].priority > adult.actions[0].priority  # type: ignore[attr-defined]
