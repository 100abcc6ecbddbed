"""What the engine remembers about a conversation between messages (JSON round trip)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

STATE_VERSION = 1


@dataclass
class TriageState:
    """Evidence collected so far. Sets are kept as sorted lists so the state is plain JSON.

    `level` is the committed level (None while the need is unclear); it never goes down.
    `urgent` never clears by itself; only a counsellor override (outside the engine) can,
    through triage/override.py. `overridden` holds the level and referral a counsellor
    set: the engine carries them but never decides on them; the service shows them
    instead of the engine's verdict until new danger or a later override.
    """

    version: int = STATE_VERSION
    language: str | None = None
    level: str | None = None
    urgent: bool = False
    refer_to: str | None = None
    requested_human: bool = False
    signals: list[str] = field(default_factory=list)
    barriers: list[str] = field(default_factory=list)
    profile: list[str] = field(default_factory=list)
    age: int | None = None
    postcode: str | None = None  # the person's own, when they gave it
    prior_contacts: int | None = None
    questions_asked: list[str] = field(default_factory=list)
    pending_question: str | None = None
    offered_articles: list[str] = field(default_factory=list)
    escalated: dict[str, Any] | None = None  # what the last Escalate said
    crisis_sent: bool = False
    reasons: list[str] = field(default_factory=list)
    messages_seen: int = 0
    overridden: dict[str, str | None] = field(default_factory=dict)

    def has(self, signal: str) -> bool:
        return signal in self.signals

    def add_signal(self, signal: str) -> None:
        if signal not in self.signals:
            self.signals = sorted([*self.signals, signal])

    def remove_signal(self, signal: str) -> None:
        self.signals = [s for s in self.signals if s != signal]

    def add_barrier(self, barrier: str) -> None:
        if barrier not in self.barriers:
            self.barriers = sorted([*self.barriers, barrier])

    def add_profile(self, item: str) -> None:
        if item not in self.profile:
            self.profile = sorted([*self.profile, item])

    def add_reason(self, reason: str) -> None:
        if reason not in self.reasons:
            self.reasons = [*self.reasons, reason]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> TriageState:
        if not data:
            return cls()
        known = {f.name for f in fields(cls)}
        state = cls(**{k: v for k, v in data.items() if k in known})
        for name in ("signals", "barriers", "profile", "questions_asked", "offered_articles"):
            setattr(state, name, list(getattr(state, name) or []))
        state.reasons = list(state.reasons or [])
        state.overridden = dict(state.overridden or {})
        return state

    def copy(self) -> TriageState:
        return TriageState.from_dict(self.to_dict())
