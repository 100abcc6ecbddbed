"""E-mail: an SMTP listener for mail in, SMTP (or the sandbox mailbox) for mail out.

Threading: inbound mail is stored with its Message-ID as the provider id, and our
mail goes out with a Message-ID derived from the message and stored as its provider
id before the send (so a bounce racing the send still finds it), so a reply's
In-Reply-To/References find the conversation. A signed reply token in the Reply-To
plus-address and the subject tag is the fallback ([#<token>]).

The receipt: the first outbound message of a conversation, when the bot sends it
(triage's question list, a self-help article or the crisis contacts), goes out
wrapped as the receipt: thanks, when to expect an answer (opening hours) and the
crisis contacts. Counsellors' mail is never wrapped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

CHANNEL = "email"

if TYPE_CHECKING:
    from aiohttp import web


def install(app: web.Application) -> None:
    """Wire the channel into the app: sender, SMTP listener, IMAP source, the raw
    source download (and its OpenAPI path), sandbox routes and the simulator page.
    Attachment downloads are the core's (server/attachments.py): MMS has them too."""
    from channels.email import downloads, sandbox, simulator
    from channels.email.imap import IMAP_SETTINGS, imap_source_ctx
    from channels.email.imap_state import ImapSettings
    from channels.email.listener import smtp_listener_ctx
    from channels.email.sender import EmailSender, Transport, sandbox_transport, smtp_transport
    from server import keys

    settings = app[keys.settings]
    transport: Transport
    if settings.email.smtp_host:
        transport = smtp_transport(settings.email)
    else:
        mailbox = sandbox.Mailbox()
        app[sandbox.MAILBOX] = mailbox
        transport = sandbox_transport(mailbox)
        sandbox.add_routes(app)
        simulator.add_routes(app)
    app[keys.senders][CHANNEL] = EmailSender(
        settings,
        app[keys.hours],
        lambda: app[keys.engine],
        lambda: app[keys.signer].secret_key,
        transport,
    )
    downloads.add_routes(app)
    app[keys.openapi_paths].update(downloads.openapi_paths())
    app.cleanup_ctx.append(smtp_listener_ctx)
    # Tests may replace the settings between create_app and start-up.
    app[IMAP_SETTINGS] = ImapSettings.from_email_settings(settings.email)
    app.cleanup_ctx.append(imap_source_ctx)
