"""The service's own words in outgoing mail, Danish and English."""

from __future__ import annotations

from datetime import datetime

from server.hours import DAY_NAMES, OpeningHours

TEXTS: dict[str, dict[str, str]] = {
    "da": {
        "subject": "Din henvendelse til {service}",
        "receipt_intro": "Vi har modtaget din mail, og en vejleder svarer dig.",
        "open_now": "Vi har åbent nu og svarer så hurtigt vi kan, normalt samme dag.",
        "opens_at": "Vi har lukket lige nu. Vi åbner igen {day} kl. {time}, og så svarer vi dig.",
        "closed": "Vi har lukket i øjeblikket og svarer dig, så snart vi kan.",
        "hours": "Åbningstider: {hours}.",
        "crisis_title": "Har du brug for hjælp med det samme?",
        "crisis": "Er du i fare eller har tanker om at skade dig selv, så ring 112. "
        "Du kan også ringe til Livslinien på {crisis_phone}.",
        "reply_hint": "Svar blot på denne mail, så havner dit svar hos os.",
        "automatic": "Denne mail er sendt automatisk.",
        "from_service": "{service}",
        "from_counsellor": "{name}, {service}",
        "signature": "Venlig hilsen\n{name}\n{service}",
    },
    "en": {
        "subject": "Your message to {service}",
        "receipt_intro": "We have received your e-mail, and a counsellor will answer you.",
        "open_now": "We are open now and answer as soon as we can, usually the same day.",
        "opens_at": "We are closed right now. We open again on {day} at {time}, "
        "and will answer you then.",
        "closed": "We are closed at the moment and will answer you as soon as we can.",
        "hours": "Opening hours: {hours}.",
        "crisis_title": "Do you need help right now?",
        "crisis": "If you are in danger or thinking of harming yourself, call 112. "
        "You can also call Livslinien on {crisis_phone}.",
        "reply_hint": "Just reply to this e-mail and your answer reaches us.",
        "automatic": "This e-mail was sent automatically.",
        "from_service": "{service}",
        "from_counsellor": "{name}, {service}",
        "signature": "Kind regards\n{name}\n{service}",
    },
}


def language_of(value: object) -> str:
    return value if isinstance(value, str) and value in TEXTS else "da"


def expected_answer(hours: OpeningHours, language: str, now: datetime | None = None) -> str:
    """When the person can expect an answer, from the opening hours."""
    words = TEXTS[language]
    if hours.is_open(now):
        return words["open_now"]
    opening = hours.next_opening(now)
    if opening is None:
        return words["closed"]
    local = opening.astimezone(hours.zone)
    day = DAY_NAMES[language][local.weekday()]
    return words["opens_at"].format(day=day, time=f"{local:%H:%M}")
