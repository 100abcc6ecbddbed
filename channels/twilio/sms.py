"""Inbound SMS: Twilio's webhook and the opt-out, opt-in and help keywords."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from twilio.twiml.messaging_response import MessagingResponse

from channels.twilio.media import fetch_media_later
from channels.twilio.phone import normalise_number
from channels.twilio.signature import Form, plain_error, signed_form
from server import keys
from server.messages import InboundMessage

log = logging.getLogger(__name__)
SMS = "sms"
VOICE = "voice"
# Twilio's own opt-out and opt-in words for long codes (it filters them too), plus
# the Danish ones people here write.
STOP_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE", "AFMELD"}
)
START_WORDS = frozenset({"START", "YES", "UNSTOP", "TILMELD"})
HELP_WORDS = frozenset({"HELP", "INFO", "HJÆLP", "HJAELP"})
KNOWN_FIELDS = frozenset(
    {"MessageSid", "SmsSid", "SmsMessageSid", "AccountSid", "From", "To", "Body", "NumMedia"}
)
META_FIELDS = ("FromCountry", "FromCity", "NumSegments", "MessagingServiceSid", "ApiVersion")


def keyword(body: str) -> str | None:
    """ "stop", "start" or "help" when the whole text is such a keyword."""
    word = body.strip().strip(".!").upper()
    if word in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    if word in HELP_WORDS:
        return "help"
    return None


def inbound_from_form(form: Mapping[str, str] | Form) -> InboundMessage:
    attachments: list[dict[str, Any]] = []
    try:
        count = min(int(form.get("NumMedia") or 0), 10)
    except ValueError:
        count = 0
    for i in range(count):
        url = form.get(f"MediaUrl{i}")
        if url:
            attachments.append({"url": url, "content_type": form.get(f"MediaContentType{i}") or ""})
    meta: dict[str, Any] = {"to": form.get("To", ""), "from_raw": form.get("From", "")}
    meta.update({name: form[name] for name in META_FIELDS if name in form})
    text = form.get("Body", "")
    word = keyword(text)
    if word is not None:
        meta["keyword"] = word
    return InboundMessage(
        channel=SMS,
        address=normalise_number(form["From"]),
        provider_id=form["MessageSid"],
        text=text,
        attachments=attachments,
        meta=meta,
        linked_channels=("voice",),
        # A keyword is for the channel, not a question for triage or a bot to answer.
        automatic=word is not None,
    )


def help_text(app: web.Application) -> str:
    settings = app[keys.settings].server
    hours = app[keys.hours]
    return (
        f"{settings.service_name}: skriv dit spørgsmål, så svarer en vejleder. "
        f"Åbent: {hours.describe('da')}. Akut hjælp: {settings.crisis_phone}. "
        f"Skriv STOP for at afmelde.\n"
        f"{settings.service_name}: text your question and a counsellor will answer. "
        f"Open: {hours.describe('en')}. Urgent help: {settings.crisis_phone}. "
        f"Text STOP to unsubscribe."
    )


async def set_phone_opt_out(app: web.Application, address: str, opted_out: bool) -> None:
    # The same number may be a caller too; stop (or resume) both.
    centre = app[keys.centre]
    for channel in (SMS, VOICE):
        await centre.set_opt_out(channel, address, opted_out)


async def handle_sms(app: web.Application, form: Mapping[str, str] | Form) -> web.Response:
    """Store one inbound SMS, then answer TwiML; shared by the webhook and the simulator.

    Keywords are stored like any text (nothing a person sends is left out of the
    record) before they are acted on or answered; they are marked automatic, so
    triage neither assesses nor answers them.
    """
    missing = [name for name in ("From", "MessageSid") if not form.get(name)]
    if missing:
        log.warning("sms hook refused: missing %s", ", ".join(missing))
        return plain_error(400, f"missing {', '.join(missing)}")
    inbound = inbound_from_form(form)
    word = keyword(inbound.text)
    if word == "stop":
        # Honoured even when storing fails below (Twilio retries the webhook).
        await set_phone_opt_out(app, inbound.address, True)
    try:
        receipt = await app[keys.centre].receive(inbound)
    except Exception:
        log.exception("storing sms %s failed; Twilio will retry", inbound.provider_id)
        return plain_error(503, "not stored, try again")
    reply = MessagingResponse()
    if word in ("stop", "start"):
        # Again after storing: a first text opens the contact the opt-out is kept on.
        await set_phone_opt_out(app, inbound.address, word == "stop")
    elif word == "help":
        reply.message(help_text(app))
    if word is not None:
        log.info("sms %s from %s recorded", word.upper(), inbound.address)
    if inbound.attachments and not receipt.duplicate:
        fetch_media_later(app, receipt.message_id, inbound.attachments)
    log.debug("sms %s stored as message %s", inbound.provider_id, receipt.message_id)
    return twiml(str(reply))


def twiml(xml: str) -> web.Response:
    return web.Response(text=xml, content_type="text/xml")


async def sms_hook(request: web.Request) -> web.Response:
    form = await signed_form(request)
    if isinstance(form, web.Response):
        return form
    return await handle_sms(request.app, form)


def add_routes(app: web.Application) -> None:
    app.router.add_post("/hooks/twilio/sms", sms_hook)
