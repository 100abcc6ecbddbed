"""The engine's input, its actions and its decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from triage.state import TriageState

LEVELS = ("self_help", "brief", "face_to_face")
REFER_TO = ("youth_guidance", "study_guidance", "jobcentre", "health_social")


def level_rank(level: str | None) -> int:
    return -1 if level is None else LEVELS.index(level)


def max_level(a: str | None, b: str | None) -> str | None:
    return a if level_rank(a) >= level_rank(b) else b


@dataclass(frozen=True)
class MessageContext:
    text: str
    channel: str  # "chat" | "sms" | "email" | "voice" ("phone" is read as "voice")
    language: str | None = None  # "da" | "en" | None (detect)
    age: int | None = None
    prior_contacts_30d: int | None = None


@dataclass(frozen=True)
class AskQuestion:
    kind: ClassVar[str] = "ask_question"
    question_id: str
    text: str
    language: str
    choices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OfferSelfHelp:
    kind: ClassVar[str] = "offer_self_help"
    article_id: str
    title: str
    link: str
    text: str  # ends with the offer of a counsellor
    language: str


@dataclass(frozen=True)
class Escalate:
    kind: ClassVar[str] = "escalate"
    level: str
    priority: int
    urgent: bool
    refer_to: str | None
    reasons: list[str]
    requested_human: bool


@dataclass(frozen=True)
class SendCrisisContacts:
    kind: ClassVar[str] = "send_crisis_contacts"
    text: str
    language: str


Action = AskQuestion | OfferSelfHelp | Escalate | SendCrisisContacts


@dataclass(frozen=True)
class Decision:
    """The new state, what to do now, and the overall assessment after this message."""

    state: TriageState
    actions: list[Action]
    level: str
    urgent: bool
    refer_to: str | None
    reasons: list[str]
