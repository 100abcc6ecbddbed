"""One rule at a time, in Danish and English."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from triage import (
    Decision,
    Escalate,
    MessageContext,
    SendCrisisContacts,
    TriageConfig,
    TriageEngine,
    TriageState,
    choose_service,
    load_config,
)

REPO = Path(__file__).resolve().parents[3]


@lru_cache(maxsize=1)
def cfg() -> TriageConfig:
    return load_config(REPO / "config")


def run(
    *texts: str,
    channel: str = "chat",
    language: str | None = None,
    age: int | None = None,
    prior: int | None = None,
) -> Decision:
    engine = TriageEngine(cfg())
    state = TriageState()
    decision = None
    for text in texts:
        decision = engine.assess(state, MessageContext(text, channel, language, age, prior))
        state = decision.state
    assert decision is not None
    return decision


@pytest.mark.parametrize(
    "text",
    [
        "jeg vil ikke leve mere",
        "har haft selvmordstanker hele ugen",
        "jeg skar i mig selv i går",
        "jeg har samlet piller",
        "min stedfar slår mig",
        "min mor har smidt mig ud og jeg har ingen steder at sove",
        "i want to kill myself",
        "i dont want to live anymore",
        "cut myself again last night",
        "took a load of tablets an hour ago",
        "my dad hits me",
        "kicked out tonight, nowhere to sleep",
        "he pays me money for nudes and says he will send the pictures to everyone",
    ],
)
def test_danger_to_the_writer_is_urgent_face_to_face_health_social(text: str) -> None:
    d = run(text)
    assert d.urgent
    assert (d.level, d.refer_to) == ("face_to_face", "health_social")
    assert any(isinstance(a, SendCrisisContacts) for a in d.actions)


@pytest.mark.parametrize(
    "text",
    [
        "min veninde skriver at hun vil dø",
        "my friend says she wants to kill herself",
        "my son texted that he does not want to live anymore",
        "it's not me it's my friend, she is going to end it tonight",
    ],
)
def test_danger_to_someone_else_is_urgent_brief(text: str) -> None:
    d = run(text)
    assert d.urgent
    assert (d.level, d.refer_to) == ("brief", None)


@pytest.mark.parametrize(
    "text",
    [
        "jeg skar i mig selv i går, men jeg ser min psykolog hver uge",
        "I'm in a psychiatric ward after trying to kill myself",
    ],
)
def test_danger_already_in_care_is_urgent_brief(text: str) -> None:
    d = run(text)
    assert d.urgent and d.level == "brief"


def test_not_in_care_wins_over_care_words() -> None:
    d = run("I self harm and I'm not getting any treatment, no psychologist")
    assert d.urgent and d.level == "face_to_face"


@pytest.mark.parametrize(
    "text",
    [
        "jeg er ved at dø af grin, hvad er kvote 2?",
        "den eksamen slår mig ihjel, hvornår er fristen?",
        "den her deadline tager livet af mig, hvornår er fristen?",
        "this deadline is killing me, when is it?",
        "I'm dying to study medicine, what is the grade average?",
        "my mum's gonna kill me lol, when do i apply?",
        "I want to work with teenagers who self-harm, what should I study?",
        "jeg vil gerne arbejde med børn der er udsat for vold, hvad er adgangskravene?",
    ],
)
def test_figures_of_speech_and_career_interest_are_not_danger(text: str) -> None:
    d = run(text)
    assert not d.urgent
    assert d.level == "self_help"


def test_slang_joke_is_not_urgent_but_slang_then_hopelessness_is() -> None:
    assert not run("if i have to fill in one more form i'll kms 😂").urgent
    assert run("kms").urgent
    assert run("kms lol", "honestly nothing matters anymore").urgent


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("kan jeg ikke bare snakke med en rigtig person?", "da"),
        ("jeg vil gerne tale med en vejleder", "da"),
        ("vejleder", "da"),
        ("can i talk to a real person", "en"),
        ("could someone call me back please", "en"),
    ],
)
def test_human_request_escalates_at_once(text: str, language: str) -> None:
    d = run(text, language=language)
    escalations = [a for a in d.actions if isinstance(a, Escalate)]
    assert escalations and escalations[0].requested_human
    assert d.level == "brief"


def test_human_request_lifts_a_self_help_question() -> None:
    d = run("hvornår er fristen for kvote 2?", "kan jeg ikke bare snakke med et menneske?")
    assert d.level == "brief"


def test_in_person_request_is_face_to_face_but_video_is_not() -> None:
    assert run("kan jeg møde en vejleder ansigt til ansigt?", age=15).level == "face_to_face"
    assert run("can I meet a counsellor in person?", age=30).level == "face_to_face"
    assert run("kan vi tale sammen over video?").level == "brief"


def test_a_barrier_rules_out_self_help() -> None:
    assert run("hvad er adgangskravene til hhx? er ordblind btw").level == "brief"
    assert run("what are the requirements for hf? I have a lot of debt").level == "brief"


def test_two_barriers_are_face_to_face() -> None:
    d = run("jeg er ordblind og har gæld", age=20)
    assert d.level == "face_to_face"
    assert any(r.startswith("Two barriers") for r in d.reasons)


def test_recent_arrival_and_language_count_as_two() -> None:
    d = run("I came to Denmark from Syria 5 months ago, my Danish is not good", age=19)
    assert d.level == "face_to_face"
    assert run("I moved to Odense from Brazil four years ago, my Danish is at module 3").level == (
        "brief"
    )


def test_repeat_contacts_without_progress_are_face_to_face() -> None:
    d = run("hej igen, jeg kan stadig ikke vælge mellem eud og 10. klasse", age=16, prior=3)
    assert (d.level, d.refer_to) == ("face_to_face", "youth_guidance")


def test_repeat_contacts_with_progress_do_not_count() -> None:
    d = run("hej igen, ansøgningen er sendt, tak for hjælpen! hvornår kommer svaret?", prior=4)
    assert d.level == "self_help"


def test_contacts_counted_in_the_text() -> None:
    d = run("det er 5. gang jeg skriver og jeg kan stadig ikke vælge", age=17)
    assert d.level == "face_to_face"
    assert d.state.prior_contacts == 4


def test_two_prior_contacts_are_below_the_threshold() -> None:
    assert run("hej igen, er stadig i tvivl om eud", prior=2).level == "brief"


@pytest.mark.parametrize(
    ("texts", "age", "refer_to"),
    [
        (["jeg går i 9. klasse og vil gerne mødes med en vejleder"], 15, "youth_guidance"),
        (
            ["I'm in 3.g on stx, want to study medicine at university, can I meet someone?"],
            18,
            "study_guidance",
        ),
        (["jeg er ledig og på dagpenge, kan jeg få et møde med en vejleder?"], 40, "jobcentre"),
        (
            ["I have depression and can't get out of bed. I'm not seeing anyone."],
            22,
            "health_social",
        ),
        (
            ["jeg arbejder på et lager men har gæld og bliver sat ud af min lejlighed"],
            35,
            "health_social",
        ),
        (["stoppet på hhx, ordblind og ved slet ikke hvad jeg vil"], 17, "youth_guidance"),
        # 20 or over and left a programme not named as a youth education: higher education.
        (["stoppede på nanoteknologi og kører i ring. Kan jeg få et møde?"], 23, "study_guidance"),
        # ...but a named youth education keeps a young dropout with youth guidance.
        (["droppede ud af tømreruddannelsen og er ordblind og gået i stå"], 22, "youth_guidance"),
        # A university subject counts as higher education from 20 on.
        (["kan jeg få et møde? ved ikke om jeg skal stoppe på biologi"], 21, "study_guidance"),
        # An adult out of work goes to the jobcentre even when a programme is named.
        (
            ["on unemployment benefit, I want my prior learning assessed for nursing school"],
            41,
            "jobcentre",
        ),
    ],
)
def test_refer_to_routing(texts: list[str], age: int, refer_to: str) -> None:
    d = run(*texts, age=age)
    assert (d.level, d.refer_to) == ("face_to_face", refer_to)


def test_parent_writing_about_a_child_is_levelled_by_the_child() -> None:
    d = run("Min datter på 17 er stoppet på stx og er ordblind. Kan vi mødes med en vejleder?")
    assert d.state.age == 17
    assert d.refer_to == "youth_guidance"


def test_prior_learning_assessment_wanted_vs_wondered() -> None:
    assert run("jeg er på dagpenge og vil have lavet en RKV, hvordan?", age=50).level == (
        "face_to_face"
    )
    assert run("is it worth doing an RKV before I start?", age=35).level == "brief"


def test_choose_service_by_postcode_age_and_default() -> None:
    aarhus = choose_service(cfg(), "youth_guidance", 16, "8000")
    assert aarhus is not None and aarhus.municipality == "Aarhus"
    default = choose_service(cfg(), "youth_guidance", 16, None)
    assert default is not None and default.default
    adult = choose_service(cfg(), "health_social", 40, "2100")
    assert adult is not None and adult.age_min <= 40 <= adult.age_max
    assert all(s.slots for s in cfg().services)
    assert choose_service(cfg(), None, 20, "8000") is None


def test_a_polite_hedge_is_not_indecision() -> None:
    d = run("idk if this is the right place but how do u apply for the SU loan?")
    assert d.level == "self_help", d.reasons
    assert run("idk which programme to pick").level == "brief"


def test_not_wanting_it_over_the_phone_is_still_a_request_to_meet() -> None:
    d = run("jeg vil helst ikke tage det over telefonen – kan jeg få et møde med en vejleder?")
    assert d.level == "face_to_face", d.reasons
    assert run("kan jeg få et møde med en vejleder over video?").level != "face_to_face"


def test_deeply_stuck_after_trying_everything_is_face_to_face() -> None:
    d = run("I'm completely stuck about my degree, I've tried everything and nothing helps")
    assert d.level == "face_to_face", d.reasons
    assert run("I'm a bit stuck between two programmes").level == "brief"


def test_a_decision_on_special_support_needs_a_local_service() -> None:
    d = run("who can make a decision about special support and a shorter school day for me?")
    assert d.level == "face_to_face", d.reasons


def test_a_plan_or_special_support_keeps_a_health_need_with_guidance() -> None:
    health = run("I have depression and can't get out of bed. I'm not seeing anyone.", age=22)
    assert health.refer_to == "health_social"
    plan = run(
        "Min datter har angst og har ikke været i skole i et halvt år. "
        "Vi vil gerne have hjælp til at lave en plan efter 9. klasse.",
        age=15,
    )
    assert (plan.level, plan.refer_to) == ("face_to_face", "youth_guidance"), plan.reasons


def test_an_either_or_question_is_not_indecision() -> None:
    d = run("Kan jeg blive optaget med min SOSU-uddannelse, eller skal jeg have suppleringsfag?")
    assert d.level == "self_help", d.reasons


def test_came_from_a_country_a_year_ago_is_a_recent_arrival() -> None:
    d = run("i came from Ukraine 1 year ago. my danish is very bad, what school can i go to?")
    assert d.level == "face_to_face", d.reasons


def test_pressing_money_or_housing_trouble_for_an_adult_in_work_is_social_care() -> None:
    d = run("I work full time in a shop and there's a debt collector after me", age=34)
    assert (d.level, d.refer_to) == ("face_to_face", "health_social"), d.reasons
    young = run("I work in a shop and there's a debt collector after me", age=19)
    assert young.level == "brief", young.reasons


def test_words_about_university_are_a_plan_for_later_at_school_age() -> None:
    d = run("min søn på 16 har ikke været i skole i et halvt år, har ADHD og vil være ingeniør")
    assert (d.level, d.refer_to) == ("face_to_face", "youth_guidance"), d.reasons


def test_a_word_of_its_own_is_not_a_typo_of_a_barrier_word() -> None:
    d = run("hvilke adgangskrav gælder for kandidaten i historie?", age=24)
    assert d.level == "self_help", d.reasons


def test_money_trouble_is_a_barrier_and_rules_out_self_help() -> None:
    d = run("har ikke råd til at flytte hjemmefra hvis jeg kommer ind i kbh, hvornår er fristen?")
    assert d.level == "brief", d.reasons


def test_finding_it_hard_over_mail_and_phone_is_a_wish_to_meet() -> None:
    d = run(
        "Vi vil gerne have et møde ansigt til ansigt med en vejleder, da det er svært at "
        "tale om over mail og telefon.",
        age=16,
    )
    assert d.level == "face_to_face", d.reasons


@pytest.mark.parametrize(
    "text",
    [
        "hej! should I tage et sabbatår eller starte på uni direkte? kan ikke bestemme mig",
        "nanoscience vs chemistry at AU?",
        "my average ended up at 6.8, am i just screwed or are there other ways in?",
        "I hold a law degree from Brazil. How do I get my degree assessed?",
    ],
)
def test_everyday_words_for_a_brief_need_rule_out_self_help(text: str) -> None:
    assert run(text).level == "brief", run(text).reasons
