"""Pure triage engine for eGuidance: no database, no network; data from config/."""

from triage.config import TriageConfig, load_config
from triage.engine import TriageEngine
from triage.models import (
    Action,
    AskQuestion,
    Decision,
    Escalate,
    MessageContext,
    OfferSelfHelp,
    SendCrisisContacts,
)
from triage.override import apply_override
from triage.services import Service, choose_service
from triage.state import TriageState

__all__ = [
    "Action",
    "AskQuestion",
    "Decision",
    "Escalate",
    "MessageContext",
    "OfferSelfHelp",
    "SendCrisisContacts",
    "Service",
    "TriageConfig",
    "TriageEngine",
    "TriageState",
    "apply_override",
    "choose_service",
    "load_config",
]
