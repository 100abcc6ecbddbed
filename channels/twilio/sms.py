"""Inbound SMS: Twilio's webhook, opt-out keywords, and delivery status callbacks."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from twilio.twiml.messaging_response import MessagingResponse

from channels.twilio.phone import normalise_number
from channels.twilio.signature import Form, plain_error, signed_form
from server import keys
from server.messages import InboundMessage

log = logging.getLogger(__name__)
SMS = "sms"
VOICE = "voice"
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "AFMELD"})
START_WORDS = frozenset({"START", "YES", "UNSTOP", "TILMELD"})
HELP_WORDS = frozenset({"HELP", "INFO", "HJÆLP", "HJAELP"})
KNOWN_FIELDS = frozenset(
    {"MessageSid", "SmsSid", "SmsMessageSid", "AccountSid", "From", "To", "Body", "NumMedia"}
)
META_FIELDS = ("FromCountry", "FromCity", "NumSegments", "MessagingServiceSid", "ApiVersion")
STATUS_MAP = {
    "accepted": "queued",
    "scheduled": "queued",
    "queued": "queued",
    "sending": "sending",
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "undelivered": "failed",
    "failed": "failed",
    "canceled": "failed",
}


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
    return InboundMessage(
        channel=SMS,
        address=normalise_number(form["From"]),
        provider_id=form["MessageSid"],
        text=form.get("Body", ""),
        attachments=attachments,
        meta=meta,
        linked_channels=("voice",),
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
    """Store one inbound SMS, then answer TwiML; shared by the webhook and the simulator."""
    missing = [name for name in ("From", "MessageSid") if not form.get(name)]
    if missing:
        log.warning("sms hook refused: missing %s", ", ".join(missing))
        return plain_error(400, f"missing {', '.join(missing)}")
    inbound = inbound_from_form(form)
    word = keyword(inbound.text)
    reply = MessagingResponse()
    if word == "help":
        log.info("sms HELP from %s answered", inbound.address)
        reply.message(help_text(app))
        return twiml(str(reply))
    if word == "stop":
        # Before storing too, so a bot reply triggered by this very message is refused.
        await set_phone_opt_out(app, inbound.address, True)
    try:
        receipt = await app[keys.centre].receive(inbound)
    except Exception:
        log.exception("storing sms %s failed; Twilio will retry", inbound.provider_id)
        return plain_error(503, "not stored, try again")
    if word is not None:
        await set_phone_opt_out(app, inbound.address, word == "stop")
        log.info("sms %s from %s recorded", word.upper(), inbound.address)
    log.debug("sms %s stored as message %s", inbound.provider_id, receipt.message_id)
    return twiml(str(reply))


def twiml(xml: str) -> web.Response:
    return web.Response(text=xml, content_type="text/xml")


async def sms_hook(request: web.Request) -> web.Response:
    form = await signed_form(request)
    if isinstance(form, web.Response):
        return form
    return await handle_sms(request.app, form)


async def sms_status_hook(request: web.Request) -> web.Response:
    form = await signed_form(request)
    if isinstance(form, web.Response):
        return form
    sid = form.get("MessageSid") or form.get("SmsSid")
    raw_status = (form.get("MessageStatus") or form.get("SmsStatus") or "").lower()
    if not sid or not raw_status:
        log.warning("sms status refused: missing MessageSid or MessageStatus")
        return plain_error(400, "missing MessageSid or MessageStatus")
    status = STATUS_MAP.get(raw_status)
    if status is None:
        log.info("sms status %r for %s ignored", raw_status, sid)
        return plain_error(200, "ignored")
    code = form.get("ErrorCode")
    error = f"twilio error {code}: {form.get('ErrorMessage', '')}".strip(": ") if code else None
    if status == "failed" and error is None:
        error = f"twilio reported {raw_status}"
    centre = request.app[keys.centre]
    # A reply in a phone conversation goes out as an SMS too, on channel "voice".
    found = await centre.delivery_report(SMS, sid, status, error) or (
        await centre.delivery_report(VOICE, sid, status, error)
    )
    if not found:
        log.warning("sms status %s for unknown message %s", raw_status, sid)
        return plain_error(404, "unknown message")
    if code == "21610":
        number = form.get("To")
        if number:
            await set_phone_opt_out(request.app, normalise_number(number), True)
    return plain_error(200, "ok")


def add_routes(app: web.Application) -> None:
    app.router.add_post("/hooks/twilio/sms", sms_hook)
    app.router.add_post("/hooks/twilio/sms/status", sms_status_hook)
