"""Outgoing mail: the ChannelSender the outbox calls, over SMTP or into the sandbox.

The Message-ID is derived from the message (compose.message_id_for) and stored as the
message's provider id before the mail goes out: a bounce, or a person's reply, can
arrive before the SMTP send returns and the outbox records it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from email.message import EmailMessage

import aiosmtplib
import jinja2
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from channels.email.compose import Composed, compose, templates
from channels.email.loops import AUTOMATIC_MAILS_PER_DAY, EXEMPT_ACTIONS
from channels.email.sandbox import Mailbox
from server import tables as t
from server.hours import OpeningHours
from server.messages import OutboundMessage, SendError
from server.settings import EmailSettings, Settings
from server.thread_context import ThreadContext, thread_context

log = logging.getLogger(__name__)
TLS_MODES = {"starttls", "tls", "none"}
SMTP_TIMEOUT_S = 30.0
Transport = Callable[[EmailMessage], Awaitable[None]]


def check_loop_rules(outbound: OutboundMessage, context: ThreadContext) -> bool:
    """Whether a bot mail is the conversation's receipt; raises SendError when automatic
    mail must not go (RFC 3834: no automatic answer to automatic mail, and limits)."""
    if outbound.author_kind == "counsellor":
        return False
    if context.inbound_automatic:
        raise SendError(
            "no automatic answer to automatic mail (auto-reply, bounce or list mail)",
            permanent=True,
            code="auto_reply_suppressed",
        )
    # The limit is on the bot's answers to incoming mail; a system notice (a referral
    # a counsellor booked) answers no mail, so it cannot keep a loop going.
    limited = outbound.author_kind == "bot"
    exempt = outbound.meta.get("triage_action") in EXEMPT_ACTIONS
    if limited and not exempt and context.automatic_today >= AUTOMATIC_MAILS_PER_DAY:
        raise SendError(
            "this address had its automatic mail in the last 24 hours",
            permanent=True,
            code="auto_reply_limited",
        )
    # A conversation's first mail, when the bot sends it, is its receipt.
    return context.first_outbound


class EmailSender:
    def __init__(
        self,
        settings: Settings,
        hours: OpeningHours,
        engine: Callable[[], AsyncEngine],
        secret_key: Callable[[], str],
        transport: Transport,
    ) -> None:
        self.settings = settings
        self.hours = hours
        self.engine = engine
        self.secret_key = secret_key
        self.transport = transport
        self.env: jinja2.Environment = templates()

    async def send(self, message: OutboundMessage) -> str | None:
        if not message.address or "@" not in message.address:
            raise SendError("the contact has no e-mail address", permanent=True, code="no_address")
        context = await thread_context(self.engine(), message)
        receipt = check_loop_rules(message, context)
        composed = self.compose(message, context, receipt)
        await store_provider_id(self.engine(), message.message_id, composed.message_id)
        await self.transport(composed.message)
        return composed.message_id

    def compose(self, message: OutboundMessage, context: ThreadContext, receipt: bool) -> Composed:
        return compose(
            message, context, self.settings, self.hours, self.secret_key(), self.env, receipt
        )


async def store_provider_id(engine: AsyncEngine, message_id: int, provider_id: str) -> None:
    """Record the Message-ID before sending, so that whatever refers to it (a bounce, a
    reply) finds the message even while the send is still in progress. Every attempt
    at a message has the same id, so a retry writes the same value."""
    m = t.messages
    async with engine.begin() as conn:
        await conn.execute(
            update(m)
            .where(m.c.id == message_id, m.c.provider_id.is_distinct_from(provider_id))
            .values(provider_id=provider_id)
        )


def smtp_transport(email: EmailSettings) -> Transport:
    """Sends through the configured relay; TLS as configured, never downgraded."""
    if email.smtp_tls not in TLS_MODES:
        raise ValueError(
            f"email.smtp_tls must be one of {sorted(TLS_MODES)}, not {email.smtp_tls!r}"
        )

    async def send(message: EmailMessage) -> None:
        try:
            await aiosmtplib.send(
                message,
                hostname=email.smtp_host,
                port=email.smtp_port,
                username=email.smtp_username or None,
                password=email.smtp_password or None,
                use_tls=email.smtp_tls == "tls",
                # True: fail when the server does not offer STARTTLS (no silent plain text).
                start_tls=email.smtp_tls == "starttls",
                timeout=SMTP_TIMEOUT_S,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [error.code for error in exc.recipients]
            raise SendError(
                f"recipient refused: {exc}", permanent=all(500 <= c < 600 for c in codes)
            ) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise SendError(
                f"SMTP {exc.code}: {exc.message}"[:500],
                permanent=500 <= exc.code < 600,
                code=f"smtp_{exc.code}",
            ) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            if "starttls" in str(exc).lower():
                # The relay offers no STARTTLS: fail rather than send in plain text.
                log.error("the mail relay does not offer STARTTLS: %s", exc)
                raise SendError(f"relay: {exc}", code="starttls_unavailable") from exc
            raise SendError(f"relay unreachable: {exc!r}"[:500], code="relay_unreachable") from exc

    return send


def sandbox_transport(mailbox: Mailbox) -> Transport:
    async def send(message: EmailMessage) -> None:
        mailbox.add(message)

    return send
