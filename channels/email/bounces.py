"""Bounces (delivery status notifications): which mail of ours failed, and why."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage, Message

from channels.email.parsing import decode_part, header, message_ids, parse_bytes


@dataclass(frozen=True)
class Bounce:
    original_message_id: str | None
    reason: str
    permanent: bool


def _is_report(message: Message) -> bool:
    report_type = message.get_param("report-type")
    return (
        message.get_content_type() == "multipart/report"
        and isinstance(report_type, str)
        and report_type.lower() == "delivery-status"
    )


def _status_fields(message: Message) -> list[Message]:
    """The per-message and per-recipient field groups of a message/delivery-status part."""
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            payload = part.get_payload()
            if isinstance(payload, list):
                return [p for p in payload if isinstance(p, Message)]
    return []


def _returned_headers(message: Message) -> Message | None:
    for part in message.walk():
        if part.get_content_type() in {"message/rfc822", "text/rfc822-headers"}:
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return payload[0]
            if part.get_content_type() == "text/rfc822-headers":
                return parse_bytes(decode_part(part).encode("utf-8", "replace"))
    return None


def read_bounce(message: EmailMessage, envelope_sender: str) -> Bounce | None:
    """A Bounce when this is a delivery-status report (or a null-sender mail carrying
    one); None for anything else, which is then treated as an ordinary message."""
    is_report = _is_report(message)
    fields = _status_fields(message)
    if not is_report and not (envelope_sender.strip("<> ") == "" and fields):
        return None
    action, status, diagnostic, original = "", "", "", ""
    for group in fields:
        action = action or header(group, "Action").lower()
        status = status or header(group, "Status")
        diagnostic = diagnostic or header(group, "Diagnostic-Code")
        original = original or header(group, "Original-Message-ID")
    returned = _returned_headers(message)
    ids = message_ids(original)
    if not ids and returned is not None:
        ids = message_ids(header(returned, "Message-ID"))
    if action and action not in {"failed"}:
        # "delayed", "delivered", "relayed", "expanded": not a failure.
        return Bounce(ids[0] if ids else None, action, permanent=False)
    reason = " ".join(" ".join(x.split()) for x in (status, diagnostic) if x) or "bounced"
    return Bounce(ids[0] if ids else None, reason[:500], permanent=True)
