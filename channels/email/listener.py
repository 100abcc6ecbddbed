"""The SMTP listener: aiosmtpd's asyncio protocol served on the application's loop.

It answers 250 only after the message is stored; 451 when storing failed, so the
sending server tries again; 550 for anyone but the service's address (plus-addresses
with a reply token included); 552 above [email] max_message_bytes (announced in EHLO
as SIZE).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from aiosmtpd.smtp import SMTP, Envelope, Session

from channels.email.inbound import deliver
from channels.email.reply_token import split_plus
from server import keys

log = logging.getLogger(__name__)


class MailHandler:
    def __init__(self, app: web.Application) -> None:
        self.app = app
        email = app[keys.settings].email
        self.address = email.address.lower()
        self.max_attachment_bytes = email.max_attachment_bytes

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        base, _ = split_plus(address)
        if base != self.address:
            log.info("mail for %r refused: not the service's address", address)
            return "550 5.1.1 no such recipient here"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if not isinstance(raw, bytes) or not raw:
            return "554 5.6.0 empty message"
        try:
            result = await deliver(
                self.app[keys.centre],
                self.app[keys.signer].secret_key,
                raw,
                envelope.mail_from or "",
                list(envelope.rcpt_tos),
                max_attachment_bytes=self.max_attachment_bytes,
            )
        except Exception:
            log.exception("storing a received mail failed; the sender will try again")
            return "451 4.3.0 could not store the message now, try again later"
        return result.reply


def create_smtp(app: web.Application) -> SMTP:
    email = app[keys.settings].email
    domain = email.address.partition("@")[2] or "localhost"
    return SMTP(
        MailHandler(app),
        data_size_limit=email.max_message_bytes,
        enable_SMTPUTF8=True,
        hostname=domain,
        ident="eGuidance ESMTP",
        loop=asyncio.get_running_loop(),
    )


async def smtp_listener_ctx(app: web.Application) -> AsyncIterator[None]:
    """Serve SMTP on [email] listen_host:listen_port while the app runs (port 0: off)."""
    email = app[keys.settings].email
    # aiosmtpd logs every SMTP command at INFO; keep its warnings and errors only.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    server: Any = None
    if email.listen_port == 0:
        log.info("SMTP listener off (email.listen_port = 0)")
    else:
        loop = asyncio.get_running_loop()
        try:
            server = await loop.create_server(
                lambda: create_smtp(app), email.listen_host, email.listen_port
            )
        except OSError as exc:
            # A node that silently took no mail would lose it: refuse to start.
            raise RuntimeError(
                f"cannot listen for e-mail on {email.listen_host}:{email.listen_port}: {exc} "
                "(set EGUIDANCE_EMAIL__LISTEN_PORT to a free port, or 0 to turn it off)"
            ) from exc
        log.info("SMTP listener on %s:%s", email.listen_host, email.listen_port)
    yield
    if server is not None:
        server.close()
        await server.wait_closed()
