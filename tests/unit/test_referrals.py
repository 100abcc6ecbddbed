"""Referral rules without a database: slots, transitions, follow-ups, the confirmation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from server.errors import Conflict, Invalid
from server.ical import Method
from server.referral_notices import calendar_uid, cancellation_text
from server.referral_rules import (
    TIMEZONE,
    bookable_slot,
    calendar_file,
    check_status,
    check_transition,
    confirmation_text,
    follow_up_due,
    free_slots,
    services_for,
    upcoming_slots,
)
from triage import MessageContext, TriageEngine, TriageState, load_config
from triage.analysis import read_postcode
from triage.services import Service, load_services

REPO = Path(__file__).resolve().parents[2]

SERVICE = Service(
    id="kuu-koebenhavn",
    kind="youth_guidance",
    name="KUU København",
    address="Gyldenløvesgade 15, 1600 København V",
    phone="33 17 33 00",
    slots=("mon 09:00", "thu 15:00"),
)
# Wednesday 5 March 2025, 12:00 in Copenhagen (CET).
NOW = datetime(2025, 3, 5, 11, 0, tzinfo=UTC)


def test_upcoming_slots_are_the_weekly_times_of_the_next_14_days_in_local_time() -> None:
    slots = upcoming_slots(SERVICE, NOW)
    assert [s.isoformat() for s in slots] == [
        "2025-03-06T15:00:00+01:00",
        "2025-03-10T09:00:00+01:00",
        "2025-03-13T15:00:00+01:00",
        "2025-03-17T09:00:00+01:00",
    ]
    assert all(s.tzinfo == TIMEZONE for s in slots)


def test_a_slot_later_today_counts_and_one_earlier_today_does_not() -> None:
    thursday_noon = datetime(2025, 3, 6, 11, 0, tzinfo=UTC)
    assert upcoming_slots(SERVICE, thursday_noon)[0].isoformat() == "2025-03-06T15:00:00+01:00"
    thursday_evening = datetime(2025, 3, 6, 17, 0, tzinfo=UTC)
    assert upcoming_slots(SERVICE, thursday_evening)[0].isoformat() == ("2025-03-10T09:00:00+01:00")


def test_slots_across_the_change_to_summer_time_keep_their_local_clock() -> None:
    # Summer time starts on Sunday 30 March 2025.
    slots = upcoming_slots(SERVICE, datetime(2025, 3, 27, 20, 0, tzinfo=UTC))
    assert "2025-03-31T09:00:00+02:00" in [s.isoformat() for s in slots]
    assert "2025-04-03T15:00:00+02:00" in [s.isoformat() for s in slots]


def test_free_slots_leave_out_those_booked() -> None:
    taken = ["2025-03-10T09:00:00+01:00"]
    assert free_slots(SERVICE, taken, NOW) == [
        "2025-03-06T15:00:00+01:00",
        "2025-03-13T15:00:00+01:00",
        "2025-03-17T09:00:00+01:00",
    ]


def test_a_slot_is_bookable_in_any_iso_spelling_of_the_same_instant() -> None:
    assert bookable_slot(SERVICE, "2025-03-10T08:00:00Z", [], NOW) == "2025-03-10T09:00:00+01:00"
    with pytest.raises(Conflict) as taken:
        bookable_slot(SERVICE, "2025-03-10T09:00+01:00", ["2025-03-10T09:00:00+01:00"], NOW)
    assert taken.value.code == "slot_taken"
    for wrong in ("2025-03-11T09:00:00+01:00", "2025-04-28T09:00:00+02:00", "soon", 7):
        with pytest.raises(Invalid):
            bookable_slot(SERVICE, wrong, [], NOW)


@pytest.mark.parametrize(
    ("current", "new"),
    [
        ("proposed", "booked"),
        ("proposed", "cancelled"),
        ("booked", "attended"),
        ("booked", "no_show"),
        ("booked", "cancelled"),
    ],
)
def test_allowed_transitions(current: str, new: str) -> None:
    check_transition(current, new)


@pytest.mark.parametrize(
    ("current", "new"),
    [
        ("proposed", "attended"),
        ("proposed", "no_show"),
        ("booked", "booked"),
        ("booked", "proposed"),
        ("attended", "cancelled"),
        ("cancelled", "booked"),
        ("no_show", "attended"),
    ],
)
def test_other_transitions_are_conflicts(current: str, new: str) -> None:
    with pytest.raises(Conflict) as caught:
        check_transition(current, new)
    assert caught.value.code == "invalid_transition"


def test_an_unknown_status_is_invalid() -> None:
    assert check_status("no_show") == "no_show"
    with pytest.raises(Invalid):
        check_status("done")


def test_the_follow_up_is_due_14_days_after_booking_or_after_the_slot() -> None:
    booked = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
    assert follow_up_due(booked, None) == booked + timedelta(days=14)
    assert follow_up_due(booked, "2025-03-10T09:00:00+01:00") == booked + timedelta(days=14)


def test_the_confirmation_speaks_the_persons_language() -> None:
    slot = "2025-03-10T09:00:00+01:00"
    da = confirmation_text(SERVICE, slot, "da")
    assert "mandag den 10. marts 2025 kl. 09:00" in da
    assert SERVICE.address in da and SERVICE.phone in da
    en = confirmation_text(SERVICE, slot, "en")
    assert "Monday 10 March 2025 at 09:00" in en and "Address:" in en


def test_the_calendar_file_is_named_and_starts_at_the_slot() -> None:
    file = calendar_file(SERVICE, "2025-03-10T09:00:00+01:00", 4, "example.org", NOW)
    assert file["filename"] == "vejledning.ics"
    assert "DTSTART:20250310T080000Z\r\n" in file["content"]
    assert "UID:referral-4@example.org\r\n" in file["content"]


def test_services_for_a_kind_put_the_persons_own_first() -> None:
    class Config:
        services = load_services(Path(__file__).resolve().parents[2] / "config/services.toml")

    found = services_for(Config(), "youth_guidance", 18, "8000")
    assert found[0].id == "uu-aarhus"
    assert {s.kind for s in found} == {"youth_guidance"} and len(found) == 4
    assert services_for(Config(), "youth_guidance", 18, None)[0].id == "kuu-koebenhavn"


@pytest.mark.parametrize(
    ("text", "postcode"),
    [
        ("jeg bor i 8000 Aarhus og ved ikke hvad jeg skal", "8000"),
        ("Mit postnummer er 2200", "2200"),
        ("postnr. 5000, og jeg er 17", "5000"),
        ("I live in 2100 København Ø", "2100"),
        ("Jeg boede i 2300 før, men nu bor jeg i 9000 Aalborg", "9000"),
        ("I lived in 8000 but now I live in 5000 Odense", "5000"),
        ("zip code: 6700", "6700"),
    ],
)
def test_a_postcode_the_person_gives_as_theirs_is_read(text: str, postcode: str) -> None:
    assert read_postcode(text) == postcode


@pytest.mark.parametrize(
    "text",
    [
        "Jeg blev student i 2023 og har søgt 8000 steder",
        "jeg tjener 8000 kr om måneden",
        "bor i 8000 kr lejlighed",
        "postnummer 0800",
        "postnummer 12345",
        "jeg har boet i 2019 i Aarhus",
    ],
)
def test_years_amounts_and_other_numbers_are_not_postcodes(text: str) -> None:
    assert read_postcode(text) is None


def test_triage_keeps_the_postcode_in_its_state_across_messages() -> None:
    engine = TriageEngine(load_config(REPO / "config"))
    first = engine.assess(TriageState(), MessageContext("hej, jeg bor i 8000 Aarhus", "chat"))
    assert first.state.postcode == "8000"
    later = engine.assess(first.state, MessageContext("jeg er 17 og har droppet ud", "chat"))
    assert later.state.postcode == "8000"
    assert TriageState.from_dict(later.state.to_dict()).postcode == "8000"


def test_the_cancellation_speaks_the_persons_language_and_offers_another_time() -> None:
    slot = "2025-03-10T09:00:00+01:00"
    da = cancellation_text(SERVICE, slot, "da")
    assert "KUU København mandag den 10. marts 2025 kl. 09:00 er aflyst" in da
    assert "finde en ny tid" in da
    en = cancellation_text(SERVICE, slot, "en")
    assert "at KUU København on Monday 10 March 2025 at 09:00 is cancelled" in en
    assert "find another time" in en


def test_the_cancelling_calendar_names_the_bookings_uid() -> None:
    booked = calendar_file(SERVICE, "2025-03-10T09:00:00+01:00", 4, "example.org", NOW)
    uid = calendar_uid(booked["content"])
    assert uid == "referral-4@example.org" and booked["method"] == "PUBLISH"
    cancel = calendar_file(
        SERVICE, "2025-03-10T09:00:00+01:00", 4, "other.org", NOW, Method.CANCEL, uid
    )
    assert cancel["method"] == "CANCEL"
    assert "UID:referral-4@example.org\r\n" in cancel["content"]
    assert "METHOD:CANCEL\r\n" in cancel["content"]
    long_uid = "referral-4@" + "a" * 80 + ".example.org"
    folded = calendar_file(SERVICE, "2025-03-10T09:00:00+01:00", 4, "x", NOW, uid=long_uid)
    assert calendar_uid(folded["content"]) == long_uid
