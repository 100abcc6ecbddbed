"""A counsellor takes a call: the waiting caller is put through, or called back.

`POST /api/conversations/{id}/call {to}` (the counsellor's phone, E.164, or
"client:<identity>" for a browser client). A caller still in a Twilio queue is
taken out of it with the Queue Member API (that call, not the front of the queue)
and sent to `/connect`, which <Dial>s the counsellor; a caller who left the queue
(a call-back request, a voicemail, a missed call) is called with the REST API and
`/bridge` <Dial>s the counsellor once they answer. `/dialled` records whether the
counsellor answered and for how long; a waiting caller the counsellor missed goes
back into the queue.
"""

from __future__ import annotations

import re
import secrets

from aiohttp import web
from twilio.twiml.voice_response import Dial, VoiceResponse

from channels.twilio.call_events import call_state, store_call_event
from channels.twilio.calls import Caller
from channels.twilio.client_token import identity_of
from channels.twilio.phone import normalise_number
from channels.twilio.signature import Form
from channels.twilio.sms import SMS, VOICE
from channels.twilio.voice import QUEUE, URGENT_QUEUE, enqueue
from channels.twilio.voice_hooks import (
    HOOKS,
    Handler,
    HookRequest,
    hook_url,
    lang_of,
    line,
    say,
    twiml_hook,
)
from channels.twilio.voice_texts import EVENT_TEXT
from server import accounts, keys, views
from server.errors import Conflict, Forbidden, Invalid
from server.web_helpers import current_counsellor, json_body, path_id

CALLER: web.AppKey[Caller] = web.AppKey("twilio_caller")
CLIENT_IDENTITY = re.compile(r"[A-Za-z0-9_.@-]{1,121}")
HELD = ("active", "pending")
DIAL_TIMEOUT_S = 25


def counsellor_target(raw: object) -> str:
    """The counsellor's phone in E.164, or "client:<identity>"; 400 otherwise."""
    if not isinstance(raw, str) or not raw.strip():
        raise Invalid("to must be a phone number or client:<identity>", "bad_number")
    text = raw.strip()
    if text.startswith("client:"):
        if not CLIENT_IDENTITY.fullmatch(text[7:]):
            raise Invalid("a client identity has 1-121 letters, digits or _.@-", "bad_number")
        return text
    number = normalise_number(text)
    if not re.fullmatch(r"\+\d{8,15}", number):
        raise Invalid(f"{text!r} is not a phone number (E.164) one can call", "bad_number")
    return number


def _caller_number(conversation: dict[str, object]) -> str:
    contact = conversation["contact"]
    addresses = contact["addresses"] if isinstance(contact, dict) else []
    for channel in (VOICE, SMS):
        for address in addresses:
            if address["channel"] == channel:
                return str(address["address"])
    raise Conflict("the conversation has no phone number to call", "no_number")


async def place_call(request: web.Request) -> web.Response:
    who = await current_counsellor(request)
    conversation_id = path_id(request)
    target = counsellor_target((await json_body(request, "to"))["to"])
    if target.startswith("client:") and target != f"client:{identity_of(who.id)}":
        # A browser client rings whoever registered it: only one's own.
        raise Forbidden(
            f"you can connect only your own browser phone, client:{identity_of(who.id)}"
        )
    app = request.app
    async with app[keys.engine].connect() as conn:
        conversation = await views.conversation(conn, conversation_id)
    if conversation["channel"] != VOICE:
        raise Conflict("only a phone conversation can be connected by phone", "not_a_call")
    if conversation["assignee_id"] != who.id or conversation["status"] not in HELD:
        raise Conflict("claim the conversation before you take its call", "not_yours")
    number = _caller_number(conversation)
    state = await call_state(app[keys.engine], conversation_id)
    query = {"to": target, "by": str(who.id)}
    if state.waiting and state.call_sid and state.queue:
        urgent = "1" if conversation["urgent"] else "0"
        url = hook_url(request, "/connect", state.lang, urgent=urgent, **query)
        call_sid = await app[CALLER].dequeue(state.queue, state.call_sid, url, number)
        kind, text = "connecting", EVENT_TEXT["connecting"]
        provider_id = f"{call_sid}:connecting:{secrets.token_hex(4)}"
    else:
        url = hook_url(request, "/bridge", state.lang, **query)
        call_sid = await app[CALLER].call(number, url, hook_url(request, "/status"))
        kind, text = "outbound_call", EVENT_TEXT["calling"]
        provider_id = f"{call_sid}:outbound_call"
    await store_call_event(
        app,
        {"CallSid": call_sid},
        kind,
        text.format(counsellor=who.name, to=target, number=number),
        provider_id=provider_id,
        number=number,
        meta={"counsellor_id": who.id, "to": target},
    )
    action = "connect" if kind == "connecting" else "call_back"
    return web.json_response({"call_sid": call_sid, "action": action, "to": target}, status=201)


async def get_call(request: web.Request) -> web.Response:
    await current_counsellor(request)
    state = await call_state(request.app[keys.engine], path_id(request))
    return web.json_response(state.as_dict())


def _dial(request: HookRequest, response: VoiceResponse, lang: str, mode: str) -> None:
    target = request.query.get("to", "")
    query = {
        "mode": mode,
        "by": request.query.get("by", ""),
        "urgent": request.query.get("urgent", "0"),
    }
    caller_id = request.app[keys.settings].twilio.from_number or None
    dial = Dial(
        action=hook_url(request, "/dialled", lang, **query),
        timeout=DIAL_TIMEOUT_S,
        caller_id=caller_id,
    )
    if target.startswith("client:"):
        dial.client(target[7:])
    else:
        dial.number(target)
    response.append(dial)


async def connect(request: HookRequest, form: Form) -> VoiceResponse:
    """The waiting caller, just taken out of the queue: put through to the counsellor."""
    lang = lang_of(request)
    response = VoiceResponse()
    say(response, line(lang, "connecting"), lang)
    _dial(request, response, lang, "queue")
    return response


async def bridge(request: HookRequest, form: Form) -> VoiceResponse:
    """The person we called back answered: a short line, then the counsellor."""
    lang = lang_of(request)
    service = request.app[keys.settings].server.service_name
    response = VoiceResponse()
    say(response, line(lang, "bridge", service=service), lang)
    _dial(request, response, lang, "callback")
    return response


async def _counsellor_name(app: web.Application, raw_id: str) -> str:
    who = await accounts.identity(app[keys.engine], int(raw_id)) if raw_id.isdigit() else None
    return who.name if who is not None else "Vejlederen"


async def dialled(request: HookRequest, form: Form) -> VoiceResponse:
    """The <Dial> to the counsellor ended: answered (with its length) or not."""
    lang = lang_of(request)
    status = form.get("DialCallStatus", "")
    name = await _counsellor_name(request.app, request.query.get("by", ""))
    leg = form.get("DialCallSid") or secrets.token_hex(8)
    response = VoiceResponse()
    if status in ("completed", "answered"):
        seconds = form.get("DialCallDuration", "0")
        text = EVENT_TEXT["counsellor_completed"].format(counsellor=name, seconds=seconds)
        await store_call_event(
            request.app, form, "counsellor_completed", text, provider_id=f"{leg}:dialled"
        )
        response.hangup()
        return response
    text = EVENT_TEXT["counsellor_missed"].format(counsellor=name, status=status or "?")
    await store_call_event(
        request.app, form, "counsellor_missed", text, provider_id=f"{leg}:dialled"
    )
    say(response, line(lang, "not_reached"), lang)
    if request.query.get("mode") == "queue":
        await store_call_event(
            request.app,
            form,
            "requeued",
            EVENT_TEXT["requeued"],
            provider_id=f"{leg}:requeued",
        )
        queue = URGENT_QUEUE if request.query.get("urgent") == "1" else QUEUE
        enqueue(request, response, lang, queue, "")
        return response
    say(response, line(lang, "retry_later"), lang)
    response.hangup()
    return response


# The hooks of a call a counsellor takes: the simulator runs these too.
CONNECT_HANDLERS: dict[str, Handler] = {"/connect": connect, "/bridge": bridge, "/dialled": dialled}


def add_routes(app: web.Application, caller: Caller) -> None:
    app[CALLER] = caller
    app.router.add_post("/api/conversations/{id}/call", place_call)
    app.router.add_get("/api/conversations/{id}/call", get_call)
    for path, handler in CONNECT_HANDLERS.items():
        app.router.add_post(HOOKS + path, twiml_hook(handler))
