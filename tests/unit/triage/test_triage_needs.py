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


def test_asking_later_whether_a_local_service_is_worth_it_only_wonders() -> None:
    d = run(
        "I've been a cook for 15 years without papers",
        "a friend told me I could have my prior learning assessed and skip half the course",
        "but is that really worth it when I'm 45?",
        age=45,
    )
    assert d.level == "brief", d.reasons
    wants = run("I want my prior learning assessed so I can skip half the course", age=45)
    assert wants.level == "face_to_face", wants.reasons


@pytest.mark.parametrize(
    "text",
    [
        "should I take the gap year in Australia or start engineering straight away?",
        "skal jeg tage 3.g færdig eller skifte til en EUX nu?",
    ],
)
def test_should_i_this_or_that_asks_advice_on_a_choice(text: str) -> None:
    assert run(text, age=19).level == "brief", run(text, age=19).reasons


@pytest.mark.parametrize(
    ("texts", "age", "refer_to"),
    [
        (
            ["I'm in 2.g and want to quit", "my mum lost her job and I have dyspraxia"],
            17,
            "youth_guidance",
        ),
        (
            ["jeg er stoppet på hf", "mine forældre skal gå fra hinanden og der er kaos herhjemme"],
            18,
            "youth_guidance",
        ),
        (
            [
                "I came to Denmark from Eritrea a year and a half ago. I am a nurse, but I "
                "am without a job and receive benefits. My Danish is still weak."
            ],
            36,
            "jobcentre",
        ),
    ],
)
def test_everyday_words_for_several_barriers_are_face_to_face(
    texts: list[str], age: int, refer_to: str
) -> None:
    d = run(*texts, age=age)
    assert (d.level, d.refer_to) == ("face_to_face", refer_to), d.reasons


def test_panic_that_keeps_someone_from_school_and_shops_is_a_health_need() -> None:
    d = run("panic attacks most days, I can't go to school or even the shop", age=18)
    assert d.refer_to == "health_social", d.reasons


def test_after_our_talk_i_applied_is_progress() -> None:
    d = run("Efter vores snak fik jeg søgt to elevpladser, nu er jeg i tvivl om den ene", prior=3)
    assert d.level == "brief", d.reasons


def test_if_i_can_apply_is_a_factual_question() -> None:
    d = run("just need to know if i can apply for nursing with my hf exam", age=21)
    assert d.level == "self_help", d.reasons


@pytest.mark.parametrize(
    ("texts", "age", "refer_to"),
    [
        (
            ["I'm on sick leave with depression. Most days I can't do much at all."],
            40,
            "health_social",
        ),
        (
            ["jeg har ikke været til forelæsninger længe, orker ingenting og alt er tungt"],
            23,
            "health_social",
        ),
        (
            ["Jeg er ledig og vil gerne have et møde, jeg er ikke så god til det over mail"],
            45,
            "jobcentre",
        ),
        (["har studenten nu, men ved stadig ikke hvad jeg skal læse"], 20, "study_guidance"),
    ],
)
def test_more_everyday_words_for_a_face_to_face_need(
    texts: list[str], age: int, refer_to: str
) -> None:
    d = run(*texts, age=age, prior=4 if "stadig" in texts[0] else None)
    assert (d.level, d.refer_to) == ("face_to_face", refer_to), d.reasons


@pytest.mark.parametrize(
    "text",
    [
        "kan en vejleder ikke læse reglerne igennem med mig?",
        "I'm freaking out about the waiting list, what are my chances?",
        "jeg er frisør men tænker om jeg ikke skulle lave noget andet, ved faktisk ikke hvad",
    ],
)
def test_more_everyday_words_for_a_brief_need(text: str) -> None:
    d = run(text, age=30)
    assert d.level == "brief", d.reasons


def test_a_depression_that_is_over_is_no_health_need() -> None:
    d = run("jeg var sygemeldt med depression for et par år siden, nu er jeg i tvivl om et fag")
    assert d.refer_to != "health_social", d.reasons
