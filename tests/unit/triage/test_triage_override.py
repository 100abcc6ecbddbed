"""A counsellor's override in the triage state: the next message does not undo it,
but new danger still makes the conversation urgent."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from triage import MessageContext, TriageEngine, TriageState, apply_override, load_config
from triage.override import release_on_new_danger, shown
from triage.reasons import reason

REPO = Path(__file__).resolve().parents[3]


@lru_cache(maxsize=1)
def engine() -> TriageEngine:
    return TriageEngine(load_config(REPO / "config"))


def say(state: TriageState, text: str) -> tuple[TriageState, bool, str, str | None]:
    d = engine().assess(state, MessageContext(text, "chat", "da"))
    return d.state, d.urgent, d.level, d.refer_to


def test_lowering_urgent_clears_the_danger_evidence_until_new_danger_arrives() -> None:
    state, urgent, _, _ = say(TriageState(), "jeg vil ikke leve mere")
    assert urgent and state.crisis_sent
    state = apply_override(state, {"urgent": False})
    assert not state.urgent and not state.has("danger_self") and not state.crisis_sent
    assert reason("urgent_lowered") in state.reasons
    state, urgent, _, _ = say(state, "tak")
    assert not urgent
    state, urgent, level, refer_to = say(state, "jeg har lyst til at dø")
    assert urgent and (level, refer_to) == ("face_to_face", "health_social")
    assert state.crisis_sent  # the crisis contacts go out again


def test_raising_urgent_sticks() -> None:
    state = apply_override(TriageState(), {"urgent": True})
    _, urgent, _, _ = say(state, "hvornår er fristen for kvote 2?")
    assert urgent


def test_pins_are_shown_over_the_rules_and_a_later_override_replaces_them() -> None:
    state, _, level, refer_to = say(TriageState(), "jeg vil gerne møde en vejleder personligt")
    assert level == "face_to_face"
    state = apply_override(state, {"level": "brief"})
    state, _, level, refer_to = say(state, "jeg er 19")
    assert shown(state, level, refer_to) == ("brief", None)  # no referral below face_to_face
    state = apply_override(state, {"level": "face_to_face", "refer_to": "jobcentre"})
    assert shown(state, "brief", None) == ("face_to_face", "jobcentre")
    state = apply_override(state, {"refer_to": "study_guidance"})
    assert state.overridden == {"level": "face_to_face", "refer_to": "study_guidance"}
    assert TriageState.from_dict(state.to_dict()).overridden == state.overridden


def test_new_danger_releases_the_pins() -> None:
    state = apply_override(TriageState(), {"level": "self_help"})
    assert release_on_new_danger(state) and state.overridden == {}
    assert reason("override_released") in state.reasons
    assert not release_on_new_danger(state)


def test_an_old_state_without_pins_still_loads() -> None:
    data = TriageState().to_dict()
    del data["overridden"]
    assert TriageState.from_dict(data).overridden == {}
