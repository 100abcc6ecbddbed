"""Needs and barriers read from everyday words, not only from the named condition."""

from __future__ import annotations

import pytest

from tests.unit.triage.test_triage_rules import run


@pytest.mark.parametrize(
    "texts",
    [
        (
            "I dropped my evening classes, I barely leave the house these days",
            "I stopped eating properly and I feel empty most of the time",
        ),
        (
            "har ikke kunnet komme i skole i en måned",
            "jeg orker ikke se nogen og der er noget galt med mig tror jeg",
        ),
    ],
)
def test_plain_signs_of_low_mood_that_stop_daily_life_go_to_health_care(
    texts: tuple[str, ...],
) -> None:
    d = run(*texts, age=24)
    assert (d.level, d.refer_to) == ("face_to_face", "health_social"), d.reasons


def test_low_mood_alone_or_a_stopped_day_alone_is_not_a_health_need() -> None:
    mood = run("no energy for this exam period lol, when do the grades come out?", age=20)
    assert mood.level == "self_help", mood.reasons
    stopped = run("I called in sick today, can you tell me when uni applications close?", age=30)
    assert stopped.refer_to != "health_social", stopped.reasons


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Jeg er pædagog for børn med autisme og vil læse til lærer. Hvad kræves?", "da"),
        ("I volunteer at a drop-in for the homeless. What do I need for social work?", "en"),
    ],
)
def test_barrier_words_about_the_people_one_works_with_are_not_the_writers(
    text: str, language: str
) -> None:
    d = run(text, language=language, age=30)
    assert d.level == "self_help", d.reasons


def test_a_barrier_of_the_writers_own_beside_their_work_still_counts() -> None:
    d = run("I work with children but I have ADHD myself. What are the requirements?", age=28)
    assert d.level == "brief", d.reasons


def test_loans_one_cannot_pay_are_debt() -> None:
    one = run("Vi er ved at skilles, og der er lån i mit navn, som jeg ikke kan betale.", age=41)
    assert one.level == "face_to_face", one.reasons
    paid = run("I have a car loan that I pay every month. Can I get SU as an adult?", age=35)
    assert paid.level == "self_help", paid.reasons


@pytest.mark.parametrize(
    "text",
    [
        "is there someone i can talk to about my uni application?",
        "findes der nogen jeg kan snakke med om min ansøgning?",
    ],
)
def test_asking_for_someone_to_talk_to_is_a_request_for_a_person(text: str) -> None:
    d = run(text)
    assert d.level == "brief" and d.state.requested_human, d.reasons


def test_wavering_between_two_jobs_is_indecision() -> None:
    d = run("jeg svinger mellem tømrer og elektriker, og jeg ved bare ikke rigtig", age=30)
    assert d.level == "brief", d.reasons


def test_a_place_on_a_programme_is_progress_so_earlier_contacts_do_not_count() -> None:
    d = run("nu har jeg fået plads på pædagoguddannelsen, men er i tvivl om SU-lån", prior=4)
    assert d.level == "brief", d.reasons
