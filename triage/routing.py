"""Where a face_to_face referral goes (see config/triage/routing.toml for the order)."""

from __future__ import annotations

from triage.config import TriageConfig
from triage.reasons import reason
from triage.state import TriageState


def in_care(state: TriageState) -> bool:
    return state.has("in_care") and not state.has("not_in_care")


def adult(state: TriageState, cfg: TriageConfig) -> bool:
    """25 or over, or age unknown (most who write about rent and debt are adults)."""
    return state.age is None or state.age > int(cfg.routing.get("youth_max_age", 24))


def health_need(state: TriageState) -> bool:
    """Mental health (named, or plain signs of a low mood) stops daily life, untreated, and
    the person wants no decision only guidance can make (a plan, special support): then the
    need lies in health care."""
    condition = state.has("mental_health") or state.has("low_mood")
    both = condition and state.has("daily_life_stopped")
    return both and not in_care(state) and not state.has("local_service")


# Below this age a dropout is taken to have left a youth education even when it is not named.
ADULT_STUDENT_AGE = 20
# Below this age, words about university are a plan for later, not a move into it now.
SCHOOL_LEAVING_AGE = 18


def _no_youth_education(state: TriageState) -> bool:
    if "no_youth_education" in state.profile:
        return True
    school_age = state.age is not None and state.age < SCHOOL_LEAVING_AGE
    if "dropout" not in state.profile or ("higher_education" in state.profile and not school_age):
        return False
    named = "youth_education" in state.profile
    return named or state.age is None or state.age < ADULT_STUDENT_AGE


def route(state: TriageState, cfg: TriageConfig) -> tuple[str, str]:
    """The refer_to value and a plain reason for it."""
    defaults = cfg.routing
    profile = set(state.profile)
    age = state.age
    young = age is not None and age <= int(defaults.get("youth_max_age", 24))
    final_year = "youth_education_final" in profile
    student_age = age is not None and age >= ADULT_STUDENT_AGE
    higher = "higher_education" in profile or ("university_subject" in profile and student_age)
    no_youth = _no_youth_education(state)
    out_of_work = "out_of_work" in profile
    if health_need(state):
        return "health_social", reason("referral_health")
    if final_year and higher:
        return "study_guidance", reason("referral_final_year")
    if out_of_work and age is not None and not young:
        return str(defaults.get("adult_out_of_work", "jobcentre")), reason("referral_out_of_work")
    money_or_home = bool({"debt", "housing"} & set(state.barriers))
    money_or_home = money_or_home or state.has("pressing_money_or_housing")
    if "in_work" in profile and money_or_home and not young:
        return "health_social", reason("referral_debt_housing")
    school_age = age is not None and age < SCHOOL_LEAVING_AGE
    if (final_year or higher) and not no_youth and (final_year or not school_age):
        return "study_guidance", reason("referral_higher")
    if no_youth and (age is None or young):
        return "youth_guidance", reason("referral_no_youth_education")
    if out_of_work and not young:
        return str(defaults.get("adult_out_of_work", "jobcentre")), reason("referral_out_of_work")
    if "dropout" in profile and not no_youth:
        return "study_guidance", reason("referral_left_programme")
    if "in_work" in profile and money_or_home:
        return "health_social", reason("referral_debt_housing")
    if young:
        return "youth_guidance", reason("referral_young")
    if age is None:
        return str(defaults.get("age_unknown", "youth_guidance")), reason("referral_age_unknown")
    return str(defaults.get("adult_other", "jobcentre")), reason("referral_adult")
