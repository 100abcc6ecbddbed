"""Mail that must not get an automatic answer (RFC 3834), and the daily limits."""

from __future__ import annotations

from email.message import Message

from channels.email.parsing import header

AUTO_REPLIED = "auto-replied"
# Automatic mail (the receipt, triage's questions and articles) an address gets in 24 h:
# one receipt, and a backstop for a loop with an auto-responder that marks nothing.
RECEIPTS_PER_DAY = 1
BOT_MAILS_PER_DAY = 5
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
