"""Referral rules without I/O: statuses and their transitions, appointment slots,
follow-ups, and the confirmation the person gets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from server.errors import Conflict, Invalid
from server.ical import CalendarEvent, Method, calendar
from triage.services import HasServices, Service, choose_service

TIMEZONE = ZoneInfo("Europe/Copenhagen")
HORIZON = timedelta(days=14)
FOLLOW_UP_AFTER = timedelta(days=14)
APPOINTMENT = timedelta(hours=1)
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
CALENDAR_FILENAME = "vejledning.ics"


class ReferralStatus(StrEnum):
    PROPOSED = "proposed"
    BOOKED = "booked"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


TRANSITIONS: dict[str, frozenset[str]] = {
    ReferralStatus.PROPOSED: frozenset({ReferralStatus.BOOKED, ReferralStatus.CANCELLED}),
    ReferralStatus.BOOKED: frozenset(
        {ReferralStatus.ATTENDED, ReferralStatus.NO_SHOW, ReferralStatus.CANCELLED}
    ),
}


def check_status(value: object) -> ReferralStatus:
    if value not in {s.value for s in ReferralStatus}:
        raise Invalid(f"status must be one of {', '.join(s.value for s in ReferralStatus)}")
    return ReferralStatus(str(value))


def check_transition(current: str, new: str) -> None:
    if new not in TRANSITIONS.get(current, frozenset()):
        raise Conflict(f"a {current} referral cannot become {new}", "invalid_transition")


def service_view(service: Service) -> dict[str, Any]:
    return {k: v for k, v in asdict(service).items() if k not in ("postcodes", "default")}


def find_service(config: HasServices, service_id: object) -> Service:
    for service in config.services:
        if service.id == service_id:
            return service
    raise Invalid(f"no referral service {service_id!r}", "unknown_service")


def services_for(
    config: HasServices, refer_to: str | None, age: int | None, postcode: str | None
) -> list[Service]:
    """Services of a kind, the one choose_service picks first."""
    kinds = [s for s in config.services if refer_to is None or s.kind == refer_to]
    best = choose_service(config, refer_to, age, postcode)
    return ([best] if best else []) + [s for s in kinds if s != best]


def _weekly(spec: str) -> tuple[int, time]:
    day, _, clock = spec.strip().lower().partition(" ")
    hour, _, minute = clock.strip().partition(":")
    return WEEKDAYS[day[:3]], time(int(hour), int(minute or 0))


def upcoming_slots(service: Service, now: datetime, horizon: timedelta = HORIZON) -> list[datetime]:
    """The service's weekly appointment times from now to the horizon, local time."""
    weekly = [_weekly(spec) for spec in service.slots]
    start, end = now.astimezone(TIMEZONE), now + horizon
    found: list[datetime] = []
    for offset in range(horizon.days + 1):
        day: date = start.date() + timedelta(days=offset)
        for weekday, clock in weekly:
            at = datetime.combine(day, clock, tzinfo=TIMEZONE)
            if day.weekday() == weekday and now < at <= end:
                found.append(at)
    return sorted(found)


def slot_key(value: datetime) -> str:
    """The one spelling a slot is stored and compared in."""
    return value.astimezone(TIMEZONE).isoformat(timespec="seconds")


def parse_slot(value: object) -> datetime:
    if not isinstance(value, str):
        raise Invalid("slot must be an ISO 8601 date and time", "invalid_slot")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise Invalid("slot must be an ISO 8601 date and time", "invalid_slot") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=TIMEZONE)
    return parsed.astimezone(TIMEZONE)


def free_slots(service: Service, taken: Iterable[str], now: datetime) -> list[str]:
    booked = set(taken)
    return [key for at in upcoming_slots(service, now) if (key := slot_key(at)) not in booked]


def bookable_slot(service: Service, slot: object, taken: Iterable[str], now: datetime) -> str:
    """The slot's key; 400 when the service has no such time, 409 when it is taken."""
    key = slot_key(parse_slot(slot))
    if key not in {slot_key(at) for at in upcoming_slots(service, now)}:
        raise Invalid(
            f"{service.name} has no appointment at {key} in the next {HORIZON.days} days",
            "slot_unavailable",
        )
    if key in set(taken):
        raise slot_taken()
    return key


def slot_taken() -> Conflict:
    return Conflict("that appointment time is already booked", "slot_taken")


def follow_up_due(booked_at: datetime, slot: str | None) -> datetime:
    """When a booked referral needs the counsellor to check it happened."""
    due = booked_at + FOLLOW_UP_AFTER
    if slot:
        due = min(due, parse_slot(slot) + FOLLOW_UP_AFTER)
    return due


DA_DAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
DA_MONTHS = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)


def when(at: datetime, language: str) -> str:
    if language == "en":
        return f"{at:%A} {at.day} {at:%B} {at.year} at {at:%H:%M}"
    day, month = DA_DAYS[at.weekday()], DA_MONTHS[at.month - 1]
    return f"{day} den {at.day}. {month} {at.year} kl. {at:%H:%M}"


def confirmation_text(service: Service, slot: str, language: str) -> str:
    at = parse_slot(slot)
    if language == "en":
        return (
            f"Your appointment is booked: {service.name}, {when(at, 'en')}.\n"
            f"Address: {service.address}\nPhone: {service.phone}\n"
            "If you cannot come, please call them to cancel."
        )
    return (
        f"Din tid er booket: {service.name}, {when(at, 'da')}.\n"
        f"Adresse: {service.address}\nTelefon: {service.phone}\n"
        "Hvis du ikke kan komme, så ring og meld afbud."
    )


def calendar_file(
    service: Service,
    slot: str,
    referral_id: int,
    domain: str,
    stamp: datetime,
    method: Method = Method.PUBLISH,
    uid: str | None = None,
    organizer: str = "",
) -> dict[str, str]:
    """The .ics a message's meta carries; e-mail attaches it with its method."""
    start = parse_slot(slot)
    event = CalendarEvent(
        uid=uid or f"referral-{referral_id}@{domain}",
        start=start,
        end=start + APPOINTMENT,
        summary=service.name,
        location=service.address,
        description=f"Telefon / phone: {service.phone}",
        organizer=organizer,
    )
    content = calendar(event, stamp, method)
    return {"filename": CALENDAR_FILENAME, "content": content, "method": method.value}
