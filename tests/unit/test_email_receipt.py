"""The receipt tells the person when to expect an answer, by the opening hours, in
Danish and English, in both the plain-text and the HTML part."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

import pytest

from channels.email.compose import compose, templates
from server.hours import OpeningHours
from server.messages import OutboundMessage
from server.settings import OpeningHoursSettings, Settings
from server.thread_context import ThreadContext

CPH = ZoneInfo("Europe/Copenhagen")
WEEKDAYS = {day: ["09:00-15:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
# Thursday 26 November 2026 in Copenhagen.
THURSDAY_NOON = datetime(2026, 11, 26, 12, 0, tzinfo=CPH)
FRIDAY_EVENING = datetime(2026, 11, 27, 19, 30, tzinfo=CPH)
OPEN_NOW = {
    "da": "Vi har åbent nu og svarer så hurtigt vi kan, normalt samme dag.",
    "en": "We are open now and answer as soon as we can, usually the same day.",
}
OPENS_MONDAY = {
    "da": "Vi har lukket lige nu. Vi åbner igen mandag kl. 09:00, og så svarer vi dig.",
    "en": "We are closed right now. We open again on Monday at 09:00, and will answer you then.",
}
CLOSED = {
    "da": "Vi har lukket i øjeblikket og svarer dig, så snart vi kan.",
    "en": "We are closed at the moment and will answer you as soon as we can.",
}


def receipt_parts(hours: OpeningHours, language: str, now: datetime) -> tuple[str, str]:
    message = OutboundMessage(
        message_id=3,
        conversation_id=2,
        channel="email",
        address="mette@example.dk",
        text="1. Hvor gammel er du?",
        author_kind="bot",
        author_name=None,
        created_at="2026-11-26T11:00:00+00:00",
        meta={"triage_action": "ask_question", "language": language},
    )
    composed = compose(
        message, ThreadContext(), Settings(), hours, "secret", templates(), True, now
    )
    return composed.text, composed.html


def schedule() -> OpeningHours:
    return OpeningHours.from_settings(
        OpeningHoursSettings(mode="schedule", timezone="Europe/Copenhagen", schedule=WEEKDAYS)
    )


@pytest.mark.parametrize("language", ["da", "en"])
def test_within_opening_hours_the_receipt_says_we_answer_today(language: str) -> None:
    text, html = receipt_parts(schedule(), language, THURSDAY_NOON)
    assert OPEN_NOW[language] in text and escape(OPEN_NOW[language]) in html
    assert OPENS_MONDAY[language] not in text


@pytest.mark.parametrize("language", ["da", "en"])
def test_outside_opening_hours_the_receipt_says_when_we_open(language: str) -> None:
    text, html = receipt_parts(schedule(), language, FRIDAY_EVENING)
    assert OPENS_MONDAY[language] in text and escape(OPENS_MONDAY[language]) in html
    assert OPEN_NOW[language] not in text


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize(("mode", "sentence"), [("always_open", OPEN_NOW), ("closed", CLOSED)])
def test_always_open_and_closed_services(
    language: str, mode: str, sentence: dict[str, str]
) -> None:
    hours = OpeningHours.from_settings(OpeningHoursSettings(mode=mode))
    text, html = receipt_parts(hours, language, FRIDAY_EVENING)
    assert sentence[language] in text and escape(sentence[language]) in html


def test_a_counsellors_answer_has_no_answer_time() -> None:
    message = OutboundMessage(
        3, 2, "email", "mette@example.dk", "Hej Mette", "counsellor", "Anna", "", {}
    )
    composed = compose(
        message, ThreadContext(), Settings(), schedule(), "s", templates(), False, THURSDAY_NOON
    )
    assert OPEN_NOW["da"] not in composed.text
