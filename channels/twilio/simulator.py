"""/simulator: a phone in the browser for sandbox mode (no Twilio credentials).

Inbound texts go through the same handler as Twilio's webhook (`handle_sms`), and
calls through the same voice hooks (`simulator_voice`), with forms built the way
Twilio builds them; replies, what the line says and outbound calls land in the
simulator store. A call a counsellor takes stays connected until one side hangs up
here (`simulator_calls`). The page token is the process's one simulator token
(keys.simulator_token), shared with the other channels' simulators.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from xml.etree import ElementTree

import jinja2
from aiohttp import web

from channels.twilio.call_events import StoreFailed
from channels.twilio.phone import normalise_number
from channels.twilio.signature import plain_error
from channels.twilio.simulator_calls import SimulatedCaller
from channels.twilio.simulator_store import SimulatorStore
from channels.twilio.simulator_voice import SimulatedCall, parse_call, service_number
from channels.twilio.sms import handle_sms
from server import keys
from server.errors import Invalid
from server.page_token import TOKEN_HEADER
from server.web_helpers import json_body

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
SIMULATOR: web.AppKey[SimulatorStore] = web.AppKey("twilio_simulator", SimulatorStore)
SIMULATED_CALLER: web.AppKey[SimulatedCaller] = web.AppKey(
    "twilio_simulated_caller", SimulatedCaller
)
SIMULATOR_TEMPLATES: web.AppKey[jinja2.Environment] = web.AppKey(
    "twilio_templates", jinja2.Environment
)
LABELS = {
    "da": {
        "title": "SMS- og telefonsimulator",
        "intro": "Sandkassetilstand: ingen SMS eller opkald forlader serveren.",
        "number": "Dit telefonnummer",
        "text": "Besked",
        "send": "Send SMS",
        "phone": "Telefonen",
        "empty": "Ingen beskeder endnu.",
        "you": "Dig",
        "service": "Tjenesten",
        "call_title": "Ring til tjenesten",
        "language": "Tast ved velkomsten",
        "lang_da": "1 · dansk",
        "lang_en": "2 · engelsk",
        "menu": "Tast i menuen",
        "menu_1": "1 · uddannelse",
        "menu_2": "2 · job og karriere",
        "menu_3": "3 · jeg har brug for at tale med nogen nu",
        "then": "I køen",
        "then_wait": "vent i køen",
        "then_voicemail": "indtal en besked",
        "then_callback": "bed om at blive ringet op",
        "voicemail": "Beskeden (som udskrift)",
        "call": "Ring op",
        "calling": "Ringer til",
        "says": "Telefonen siger",
        "you_call": "Du ringer",
        "connected": "Forbundet med",
        "ended": "Opkaldet er slut",
        "waiting": "Du venter i køen",
        "hang_up": "Læg på",
        "counsellor_hangs_up": "Vejlederen lægger på",
        "email": "E-mail",
    },
    "en": {
        "title": "SMS and phone simulator",
        "intro": "Sandbox mode: no text or call leaves the server.",
        "number": "Your phone number",
        "text": "Message",
        "send": "Send SMS",
        "phone": "The phone",
        "empty": "No messages yet.",
        "you": "You",
        "service": "The service",
        "call_title": "Call the service",
        "language": "Key at the greeting",
        "lang_da": "1 · Danish",
        "lang_en": "2 · English",
        "menu": "Key in the menu",
        "menu_1": "1 · education",
        "menu_2": "2 · jobs and careers",
        "menu_3": "3 · I need to talk to someone now",
        "then": "In the queue",
        "then_wait": "wait in the queue",
        "then_voicemail": "leave a voicemail",
        "then_callback": "ask for a call-back",
        "voicemail": "The message (as its transcript)",
        "call": "Place call",
        "calling": "Calling",
        "says": "The line says",
        "you_call": "You call",
        "connected": "Connected to",
        "ended": "The call ended",
        "waiting": "You are waiting in the queue",
        "hang_up": "Hang up",
        "counsellor_hangs_up": "The counsellor hangs up",
        "email": "E-mail",
    },
}


async def simulator_page(request: web.Request) -> web.Response:
    language = request.query.get("language", "da")
    language = language if language in LABELS else "da"
    html = (
        request.app[SIMULATOR_TEMPLATES]
        .get_template("simulator.html")
        .render(
            language=language,
            labels=LABELS[language],
            token=request.app[keys.simulator_token].value,
            service_number=service_number(request.app),
        )
    )
    return web.Response(text=html, content_type="text/html")


def _check_token(request: web.Request) -> web.Response | None:
    if not request.app[keys.simulator_token].accepts(request):
        log.warning("simulator request without the page's token refused")
        return plain_error(403, f"missing or wrong {TOKEN_HEADER}")
    return None


async def simulator_messages(request: web.Request) -> web.Response:
    refused = _check_token(request)
    if refused is not None:
        return refused
    try:
        after = int(request.query.get("after", "0"))
    except ValueError as exc:
        raise Invalid("after must be a number") from exc
    number = request.query.get("number")
    number = normalise_number(number) if number else None
    return web.json_response({"messages": request.app[SIMULATOR].since(after, number)})


async def simulator_send(request: web.Request) -> web.Response:
    refused = _check_token(request)
    if refused is not None:
        return refused
    data = await json_body(request, "from", "text")
    sender, text = data["from"], data["text"]
    if not isinstance(sender, str) or not sender.strip():
        raise Invalid("from must be a phone number")
    if not isinstance(text, str) or not text.strip() or len(text) > 1600:
        raise Invalid("text must have 1 to 1600 characters")
    sid = "SMsim" + secrets.token_hex(14)
    form = {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": "ACsandbox",
        "From": sender.strip(),
        "To": service_number(request.app),
        "Body": text,
        "NumMedia": "0",
    }
    store = request.app[SIMULATOR]
    answer = await handle_sms(request.app, form)
    if answer.status != 200:
        return answer
    number = normalise_number(sender)
    store.add_inbound(sid, number, text)
    # A keyword answered in the TwiML itself (HELP) reaches the phone too.
    for reply in ElementTree.fromstring(answer.text or "<Response/>").iter("Message"):
        store.add_outbound(number, reply.text or "", "system")
    return web.json_response({"sid": sid, "twiml": answer.text}, status=201)


async def simulator_call(request: web.Request) -> web.Response:
    refused = _check_token(request)
    if refused is not None:
        return refused
    data = await json_body(request, "from", "language", "menu", "then")
    call = SimulatedCall(request.app, request.app[SIMULATOR], parse_call(data))
    ended = await call.run()
    return web.json_response({"sid": call.sid, "ended": ended, "hooks": call.trace}, status=201)


async def simulator_hang_up(request: web.Request) -> web.Response:
    """{sid, by: caller|counsellor}: one side of a simulated call hangs up."""
    refused = _check_token(request)
    if refused is not None:
        return refused
    data = await json_body(request, "sid", "by")
    sid, by = data["sid"], data["by"]
    if not isinstance(sid, str) or not isinstance(by, str):
        raise Invalid("sid and by are strings")
    try:
        ended = await request.app[SIMULATED_CALLER].hang_up(sid, by)
    except StoreFailed:
        return plain_error(503, "the end of the call was not stored, try again")
    return web.json_response(ended)


def add_routes(app: web.Application, caller: SimulatedCaller) -> None:
    app[SIMULATED_CALLER] = caller
    app[SIMULATOR_TEMPLATES] = jinja2.Environment(
        loader=jinja2.PackageLoader("channels.twilio"), autoescape=True
    )
    app.router.add_get("/simulator", simulator_page)
    app.router.add_get("/simulator/api/messages", simulator_messages)
    app.router.add_post("/simulator/api/sms", simulator_send)
    app.router.add_post("/simulator/api/call", simulator_call)
    app.router.add_post("/simulator/api/hangup", simulator_hang_up)
    app.router.add_static("/static/twilio/", STATIC)
