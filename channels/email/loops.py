"""Mail that must not get an automatic answer (RFC 3834), and the daily limits."""

from __future__ import annotations

from email.message import Message

from channels.email.parsing import header

AUTO_REPLIED = "auto-replied"
# Automatic mail (the receipt, triage's questions and articles) a person gets in 24 h:
# one, so that an auto-responder that marks nothing cannot keep a loop going.
AUTOMATIC_MAILS_PER_DAY = 1
# Safety beats the limit: the crisis contacts for someone triage found in danger go
# even over it (triage sends them once per conversation; never to automatic mail).
EXEMPT_ACTIONS = frozenset({"send_crisis_contacts"})
BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}


def automatic_reasons(message: Message, envelope_sender: str) -> list[str]:
    """Why this message is automatic or bulk mail; empty for a person's mail."""
    reasons: list[str] = []
    auto = header(message, "Auto-Submitted").lower()
    if auto and auto.split(";")[0].strip() != "no":
        reasons.append(f"auto-submitted: {auto.split(';')[0].strip()}")
    precedence = header(message, "Precedence").lower()
    if precedence in BULK_PRECEDENCE:
        reasons.append(f"precedence: {precedence}")
    if header(message, "List-Id") or header(message, "List-Unsubscribe"):
        reasons.append("mailing list")
    if envelope_sender.strip("<> ") == "":
        reasons.append("empty return path")
    if header(message, "X-Autoreply") or header(message, "X-Autorespond"):
        reasons.append("x-autoreply")
    if header(message, "X-Auto-Response-Suppress").lower() in {"all", "oof", "autoreply"}:
        reasons.append("x-auto-response-suppress")
    return reasons
