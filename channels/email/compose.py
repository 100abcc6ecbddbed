"""An outgoing mail built from an OutboundMessage: headers for threading and loop
prevention, a plain-text and an HTML part rendered from the templates."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

import jinja2

from channels.email.loops import AUTO_REPLIED
from channels.email.reply_token import make_token, plus_address, strip_subject_tag, subject_tag
from channels.email.texts import TEXTS, expected_answer, language_of
from server.hours import OpeningHours
from server.messages import OutboundMessage
from server.models import utcnow
from server.settings import Settings
from server.thread_context import ThreadContext

REPLY_PREFIX = re.compile(r"^\s*((re|sv|aw|vs|fw|fwd|vb)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
MAX_REFERENCES = 10


@dataclass(frozen=True)
class Composed:
    message: EmailMessage
    message_id: str  # without angle brackets: the provider id
    text: str
    html: str


def templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("channels.email"),
        autoescape=jinja2.select_autoescape(["html"]),
        keep_trailing_newline=True,
    )


def message_id_for(outbound: OutboundMessage, secret_key: str, domain: str) -> str:
    """The same id on every attempt at one message (a retried send is recognisable),
    different across installations and databases."""
    seed = f"{outbound.message_id}:{outbound.created_at}".encode()
    mac = hmac.new(secret_key.encode(), seed, hashlib.sha256).hexdigest()[:16]
    return f"eguidance.{outbound.message_id}.{mac}@{domain}"


def reply_subject(original: str, service: str, language: str, token: str) -> str:
    base = REPLY_PREFIX.sub("", strip_subject_tag(original)).strip()
    base = base or TEXTS[language]["subject"].format(service=service)
    return f"Re: {base} {subject_tag(token)}"


def own_subject(subject: str, token: str) -> str:
    """A counsellor's subject, still tagged: the tag is the threading fallback when a
    mail program drops In-Reply-To and the Reply-To address."""
    return f"{strip_subject_tag(subject).strip()} {subject_tag(token)}"


def _paragraphs(text: str) -> list[list[str]]:
    blocks = re.split(r"\n\s*\n", text.strip())
    return [block.split("\n") for block in blocks if block.strip()]


def compose(
    outbound: OutboundMessage,
    context: ThreadContext,
    settings: Settings,
    hours: OpeningHours,
    secret_key: str,
    env: jinja2.Environment,
    receipt: bool,
    now: datetime | None = None,  # the clock, for the answer time; tests set it
) -> Composed:
    service = settings.server.service_name
    address = settings.email.address
    domain = address.partition("@")[2] or "localhost"
    language = language_of(outbound.meta.get("language") or context.language)
    words = TEXTS[language]
    automatic = outbound.author_kind != "counsellor"
    token = make_token(secret_key, outbound.conversation_id)
    message_id = message_id_for(outbound, secret_key, domain)
    subject = (
        own_subject(outbound.subject, token)
        if outbound.subject
        else reply_subject(context.subject, service, language, token)
    )
    name = outbound.author_name if outbound.author_kind == "counsellor" else None
    values = {
        "t": words,
        "language": language,
        "subject": subject,
        "text": outbound.text.strip(),
        "paragraphs": _paragraphs(outbound.text),
        "receipt": receipt,
        "automatic": automatic,
        "answer_time": expected_answer(hours, language, now),
        "hours_line": words["hours"].format(hours=hours.describe(language)),
        "show_crisis": outbound.meta.get("triage_action") != "send_crisis_contacts",
        "crisis": words["crisis"].format(crisis_phone=settings.server.crisis_phone),
        "signature": words["signature"].format(name=name, service=service) if name else "",
    }
    text = env.get_template("message.txt").render(values)
    html = env.get_template("message.html").render(values)

    mail = EmailMessage()
    display = (
        words["from_counsellor"].format(name=name, service=service)
        if name
        else words["from_service"].format(service=service)
    )
    mail["From"] = formataddr((display, address))
    mail["To"] = outbound.address
    mail["Reply-To"] = formataddr((service, plus_address(address, token)))
    mail["Subject"] = subject
    mail["Date"] = format_datetime(utcnow())
    mail["Message-ID"] = f"<{message_id}>"
    if context.in_reply_to:
        mail["In-Reply-To"] = f"<{context.in_reply_to}>"
        chain = [*context.references, context.in_reply_to]
        chain = list(dict.fromkeys(chain))
        # Keep the first (the thread's root) and the latest ones (RFC 5322 3.6.4).
        if len(chain) > MAX_REFERENCES:
            chain = [chain[0], *chain[-(MAX_REFERENCES - 1) :]]
        mail["References"] = " ".join(f"<{ref}>" for ref in chain)
    mail["Content-Language"] = language
    if automatic:
        mail["Auto-Submitted"] = AUTO_REPLIED
        # Exchange and Outlook send no out-of-office reply to this mail.
        mail["X-Auto-Response-Suppress"] = "All"
    mail.set_content(text, charset="utf-8")
    mail.add_alternative(html, subtype="html", charset="utf-8")
    attach_calendar(mail, outbound.meta.get("calendar"))
    return Composed(mail, message_id, text, html)


def attach_calendar(mail: EmailMessage, calendar: object) -> None:
    """A booked appointment's .ics file, as the meta of the message carries it."""
    if not isinstance(calendar, dict) or not isinstance(calendar.get("content"), str):
        return
    # As bytes, so the CRLF line ends iCalendar requires reach the reader unchanged.
    mail.add_attachment(
        calendar["content"].encode("utf-8"),
        maintype="text",
        subtype="calendar",
        filename=str(calendar.get("filename") or "invitation.ics"),
        params={"charset": "utf-8", "method": str(calendar.get("method") or "PUBLISH")},
    )
