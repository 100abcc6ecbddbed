"""From the evidence in the state to a level, the urgent flag, a referral and a priority."""

from __future__ import annotations

from dataclasses import dataclass, field

from triage.config import TriageConfig
from triage.models import level_rank, max_level
from triage.override import WARNING
from triage.reasons import reason
from triage.routing import adult, health_need, in_care, route
from triage.state import TriageState

# Signals that on their own show the need is at least brief (besides barriers).
BRIEF_SIGNALS = (
    "human_request",
    "indecision",
    "advice",
    "worry",
    "rejection",
    "help_reading",
    "hopeless",
    "recognition",
    "only_wondering",
    "stuck",
    "deeply_stuck",
    "pressing_money_or_housing",
    "answer_choice",
    "unclear_after_questions",
)
SELF_HELP_SIGNALS = ("question", "answer_factual")


@dataclass
class Assessment:
    level: str | None  # None: the need cannot be told yet
    urgent: bool
    refer_to: str | None
    reasons: list[str] = field(default_factory=list)  # derived now; evidence is in state.reasons
    repeated: bool = False


def _repeated(state: TriageState, cfg: TriageConfig, other_need: bool) -> tuple[bool, str | None]:
    prior = state.prior_contacts or 0
    if prior < cfg.thresholds["levels"]["repeat_contacts"]:
        return False, None
    if state.has("progress"):
        return False, reason("repeat_progress", n=prior)
    if state.has("no_progress") or other_need:
        return True, reason("repeat_no_progress", n=prior)
    return False, reason("repeat_new", n=prior)


def _barrier_reason(state: TriageState, cfg: TriageConfig) -> str | None:
    names = [cfg.barriers[b].label for b in state.barriers]
    if not names:
        return None
    if len(names) == 1:
        return reason("barriers_one", barriers=names)
    return reason("barriers_many", count=len(names), barriers=names)


def _face_to_face_reasons(state: TriageState, cfg: TriageConfig, repeated: bool) -> list[str]:
    reasons: list[str] = []
    if state.has("in_person"):
        reasons.append(reason("asked_in_person"))
    if state.has("local_service"):
        reasons.append(reason("local_service"))
    points = len(state.barriers) + state.has("stuck")
    if points >= cfg.thresholds["levels"]["barriers_for_face_to_face"]:
        stuck = state.has("stuck") and len(state.barriers) < points
        reasons.append(reason("complexity_stuck" if stuck else "complexity"))
    if state.has("strong_anxiety"):
        reasons.append(reason("anxiety"))
    if state.has("deeply_stuck"):
        reasons.append(reason("deeply_stuck"))
    if state.has("pressing_money_or_housing") and adult(state, cfg):
        reasons.append(reason("social_need"))
    if repeated:
        reasons.append(reason("repeated"))
    if health_need(state):
        reasons.append(reason("health_need"))
    return reasons


def non_urgent_level(state: TriageState, cfg: TriageConfig) -> Assessment:
    # One warning sign is not danger, but a counsellor should read it: never self-help.
    warned = any(s.startswith(WARNING) for s in state.signals)
    other_need = bool(state.barriers) or warned or any(state.has(s) for s in BRIEF_SIGNALS)
    repeated, repeat_note = _repeated(state, cfg, other_need)
    reasons = [r for r in (_barrier_reason(state, cfg), repeat_note) if r]
    f2f = _face_to_face_reasons(state, cfg, repeated)
    if f2f:
        return Assessment("face_to_face", False, None, reasons + f2f, repeated)
    if other_need:
        return Assessment("brief", False, None, reasons, repeated)
    if any(state.has(s) for s in SELF_HELP_SIGNALS):
        return Assessment("self_help", False, None, [*reasons, reason("factual")])
    return Assessment(None, False, None, reasons)


def urgent_level(state: TriageState) -> Assessment:
    if state.has("danger_self") and not in_care(state):
        return Assessment("face_to_face", True, "health_social", [reason("urgent_self")])
    if state.has("danger_self"):
        return Assessment("brief", True, None, [reason("urgent_in_care")])
    return Assessment("brief", True, None, [reason("urgent_other")])


def assess_state(state: TriageState, cfg: TriageConfig) -> Assessment:
    """The overall assessment now. Levels never go down; urgent never clears by itself."""
    urgent = state.urgent or state.has("danger_self") or state.has("danger_other")
    result = urgent_level(state) if urgent else non_urgent_level(state, cfg)
    level = max_level(result.level, state.level)
    if level_rank(level) > level_rank(result.level):
        result.reasons.append(reason("level_kept", level=str(level)))
    result.level = level
    if level == "face_to_face" and result.refer_to is None:
        result.refer_to, note = route(state, cfg)
        result.reasons.append(note)
    return result


def priority(state: TriageState, result: Assessment, cfg: TriageConfig) -> int:
    table = cfg.thresholds["priority"]
    value = int(table["urgent"] if result.urgent else table.get(result.level or "brief", 0))
    if state.age is not None and state.age < 18:
        value += int(table["under_18"])
    if result.repeated:
        value += int(table["repeat_contacts"])
    if state.requested_human:
        value += int(table["requested_human"])
    return value
