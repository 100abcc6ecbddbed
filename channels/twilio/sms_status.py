"""Twilio's delivery status callbacks for the SMS we send.

Twilio may call back before the outbox has recorded the MessageSid its create call
returned: the callback and the API answer race, and a node can even be slower to
commit than Twilio is to report "sent". Twilio does not retry status callbacks, so
an unknown sid is not answered at once while any node is inside a send on these
channels (`sends_in_flight`, from the database, so it holds across nodes): the
hook looks again until that send is recorded, and only then calls the sid unknown.
With no send in flight an unknown sid is answered 404 at once.
"""

from __future__ import annotations

import asyncio
import logging
import time

from aiohttp import web

from channels.twilio.phone import normalise_number
from channels.twilio.signature import plain_error, signed_form
from channels.twilio.sms import SMS, VOICE, set_phone_opt_out
from server import keys
from server.outbox import sends_in_flight

log = logging.getLogger(__name__)
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
# Below Twilio's 15 s webhook timeout, above a slow create call's answer.
WAIT_FOR_SEND_S = 10.0
LOOK_AGAIN_S = 0.1


async def report(app: web.Application, sid: str, status: str, error: str | None) -> bool:
    centre = app[keys.centre]
    # A reply in a phone conversation goes out as an SMS too, on channel "voice".
    return await centre.delivery_report(SMS, sid, status, error) or (
        await centre.delivery_report(VOICE, sid, status, error)
    )


async def report_when_recorded(
    app: web.Application, sid: str, status: str, error: str | None
) -> bool:
    """Apply the report, waiting for a send in flight to record its sid first."""
    if await report(app, sid, status, error):
        return True
    engine = app[keys.engine]
    deadline = time.monotonic() + WAIT_FOR_SEND_S
    logged = False
    while time.monotonic() < deadline and await sends_in_flight(engine, (SMS, VOICE)):
        if not logged:
            log.info("sms status for %s waits for a send in flight to record its sid", sid)
            logged = True
        await asyncio.sleep(LOOK_AGAIN_S)
        if await report(app, sid, status, error):
            return True
    # Once more: the send may have been recorded between the last look and the check.
    return await report(app, sid, status, error)


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
    if not await report_when_recorded(request.app, sid, status, error):
        log.warning("sms status %s for unknown message %s", raw_status, sid)
        return plain_error(404, "unknown message")
    if code == "21610":
        number = form.get("To")
        if number:
            await set_phone_opt_out(request.app, normalise_number(number), True)
    return plain_error(200, "ok")


def add_routes(app: web.Application) -> None:
    app.router.add_post("/hooks/twilio/sms/status", sms_status_hook)
