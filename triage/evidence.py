"""Adding what one message says to the conversation's evidence (the state)."""

from __future__ import annotations

from triage.analysis import Findings
from triage.config import TriageConfig
from triage.override import WARNING
from triage.reasons import reason
from triage.state import TriageState

# Need lists that are recorded without a reason line of their own.
QUIET = {"question", "remote", "no_progress", "decided"}
PROFILE_FROM_BARRIERS = {"unemployment": "out_of_work", "dropout": "dropout"}


def _danger(state: TriageState, found: Findings, cfg: TriageConfig) -> None:
    for finding in found.danger:
        label = cfg.danger[finding.category].label
        if finding.about_self:
            state.add_signal("danger_self")
            state.add_reason(reason("danger_self", danger=label, quote=finding.quote))
        else:
            state.add_signal("danger_other")
            state.add_reason(reason("danger_other", danger=label, quote=finding.quote))
    for finding in found.joked_slang:
        state.add_signal("slang_joked")
        state.add_reason(reason("slang_joked", quote=finding.quote))
    if state.has("slang_joked") and found.has("ctx:means_it") and not state.has("danger_self"):
        state.add_signal("danger_self")
        state.add_reason(reason("slang_meant"))
    if found.has("ctx:hopelessness"):
        state.add_signal("hopeless")
        state.add_reason(reason("hopeless", quote=found.quote("ctx:hopelessness")))
        if state.has("slang_joked"):
            state.add_signal("danger_self")
            state.add_reason(reason("slang_hopeless"))
    _warning_signs(state, found, cfg)
    for quote in (h.quote for h in found.hits.get("ctx:figures_of_speech", [])):
        state.add_reason(reason("figure_of_speech", quote=quote))
    for quote in found.ignored_danger:
        state.add_reason(reason("danger_topic", quote=quote))
    for quote in found.accidents:
        state.add_reason(reason("danger_accident", quote=quote))
    for quote in found.past:
        state.add_reason(reason("danger_past", quote=quote))
    if found.has("ctx:in_care"):
        state.add_signal("in_care")
        state.add_reason(reason("in_care", quote=found.quote("ctx:in_care")))
    if found.has("ctx:not_in_care"):
        state.add_signal("not_in_care")
        state.add_reason(reason("not_in_care", quote=found.quote("ctx:not_in_care")))


def _warning_signs(state: TriageState, found: Findings, cfg: TriageConfig) -> None:
    """Signs that can each be innocent (giving a guitar away, a thank-you, hopelessness)
    but that together, in one conversation, are read as danger."""
    for finding in found.warnings:
        who = "self" if finding.about_self else "other"
        state.add_signal(f"{WARNING}{who}:{finding.category}")
        info = cfg.warning_signs[finding.category]
        state.add_reason(reason("warning_sign", sign=info.label, quote=finding.quote))
        alone = info.unexplained_is_danger and finding.about_self
        if alone and not found.has("ctx:explained_absence") and not state.has("danger_self"):
            state.add_signal("danger_self")
            state.add_reason(reason("warning_sign_unexplained"))
    needed = int(cfg.thresholds["levels"]["warning_signs_for_danger"])
    kinds: dict[str, set[str]] = {"self": set(), "other": set()}
    for signal in state.signals:
        if signal.startswith(WARNING):
            who, kind = signal[len(WARNING) :].split(":", 1)
            kinds[who].add(kind)
    kinds["self"] |= {s for s in ("hopeless", "slang_joked") if state.has(s)}
    # Signs about the writer and about someone else also add up: a friend's goodbye quoted
    # in the writer's words ("take care of my cat for me") reads as the writer's own.
    mixed = kinds["self"] | kinds["other"] if kinds["other"] else set()
    for who, signal, signs in (
        ("self", "danger_self", kinds["self"]),
        ("other", "danger_other", kinds["other"]),
        ("other", "danger_other", mixed),
    ):
        if len(signs) >= needed and not state.has(signal):
            state.add_signal(signal)
            state.add_reason(reason("warning_signs_many", count=len(signs)))
            if who == "self":
                return


def _needs(state: TriageState, found: Findings, cfg: TriageConfig) -> None:
    for name, info in cfg.needs.items():
        if not found.has(f"need:{name}"):
            continue
        if name == "human_word" and found.word_count > 3:
            continue
        if name == "in_person" and _all_remote(found):
            continue
        if name == "local_service" and found.has("need:only_wondering"):
            state.add_signal("only_wondering")
            label = cfg.needs["only_wondering"].label
            state.add_reason(reason("need", need=label, quote=found.quote("need:local_service")))
            continue
        state.add_signal("human_request" if name == "human_word" else name)
        if name not in QUIET:
            state.add_reason(reason("need", need=info.label, quote=found.quote(f"need:{name}")))
    if found.is_question:
        state.add_signal("question")
    _wondering_later(state, found, cfg)


def _wondering_later(state: TriageState, found: Findings, cfg: TriageConfig) -> None:
    """A local service named earlier, then "is it even worth it?": the person only wonders.
    The level it raised is weighed again from the rest of the evidence, which stays."""
    asks = found.has("ctx:worth_it_later") and not found.has("need:local_service")
    if asks and state.has("local_service"):
        state.remove_signal("local_service")
        state.level = None
        state.add_signal("only_wondering")
        label = cfg.needs["only_wondering"].label
        state.add_reason(reason("need", need=label, quote=found.quote("ctx:worth_it_later")))


def _all_remote(found: Findings) -> bool:
    # A sentence that turns remote down ("svært over mail og telefon") is no remote wish.
    declined = {h.sentence for h in found.hits.get("ctx:not_remote", [])}
    remote = {h.sentence for h in found.hits.get("need:remote", []) if h.sentence not in declined}
    return all(h.sentence in remote for h in found.hits.get("need:in_person", []))


def _profile(state: TriageState, found: Findings) -> None:
    for concept in found.hits:
        if concept.startswith("profile:"):
            state.add_profile(concept.split(":", 1)[1])
    for barrier, item in PROFILE_FROM_BARRIERS.items():
        if barrier in found.barriers:
            state.add_profile(item)


def apply_findings(state: TriageState, found: Findings, cfg: TriageConfig) -> None:
    """Fold one message's findings into the state: signals, barriers, profile, reasons."""
    _danger(state, found, cfg)
    _needs(state, found, cfg)
    for name, quote in found.barriers.items():
        if name not in state.barriers:
            state.add_barrier(name)
            state.add_reason(reason("barrier", barrier=cfg.barriers[name].label, quote=quote))
    _profile(state, found)
    if found.reported_contacts is not None:
        state.prior_contacts = max(state.prior_contacts or 0, found.reported_contacts)
    if found.stated_age is not None:
        state.age = found.stated_age
    if found.stated_postcode is not None:
        state.postcode = found.stated_postcode
