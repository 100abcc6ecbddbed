"""Phone calls: language, opening hours, a keypad menu, the queue, voicemail, call-backs.

Every hook answers TwiML built with VoiceResponse. What a caller chooses, leaves or
misses becomes a message in their conversation on channel "voice" (address: the
E.164 number), so counsellors see calls beside texts.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from aiohttp import web
from twilio.twiml.voice_response import VoiceResponse

from channels.twilio.phone import normalise_number
from channels.twilio.signature import Form, plain_error, signed_form
from channels.twilio.sms import VOICE, twiml
from channels.twilio.voice_texts import EVENT_TEXT, GREETING, SAY_LANGUAGE, TEXTS, TOPICS
from server import keys
from server.messages import InboundMessage

log = logging.getLogger(__name__)
HOOKS = "/hooks/twilio/voice"
QUEUE = "eguidance"
URGENT_QUEUE = "eguidance-urgent"
URGENT_REASON = "Caller chose 'I need to talk to someone now' in the phone menu"
MISSED = {"busy", "no-answer", "failed", "canceled"}
# What a caller pressed while waiting, until the queue's action hook asks (one node;
# another node asks the caller again).
QUEUE_CHOICES: web.AppKey[OrderedDict[str, str]] = web.AppKey("twilio_queue_choices", OrderedDict)
KEEP_CHOICES = 1000


class StoreFailed(Exception):
    """The call event was not stored; Twilio should try again."""


def _lang(request: web.Request) -> str:
    lang = request.query.get("lang", "da")
    return lang if lang in TEXTS else "da"


def _url(request: web.Request, hook: str, lang: str | None = None) -> str:
    base = request.app[keys.settings].server.public_url.rstrip("/") + HOOKS + hook
    return f"{base}?lang={lang}" if lang else base


def _say(node: Any, text: str, lang: str) -> None:
    node.say(text, language=SAY_LANGUAGE[lang])


def _t(lang: str, key: str, **values: Any) -> str:
    return TEXTS[lang][key].format(**values)


async def store_call_event(
    app: web.Application,
    form: Form,
    kind: str,
    text: str,
    *,
    provider_id: str | None = None,
    attachments: list[dict[str, Any]] | None = None,
    author: str = "system",
) -> None:
    caller = form.get("From") or form.get("Caller") or ""
    call_sid = form.get("CallSid") or ""
    if not caller or not call_sid:
        log.warning("call event %s without From/CallSid not stored", kind)
        return
    inbound = InboundMessage(
        channel=VOICE,
        address=normalise_number(caller),
        provider_id=provider_id or f"{call_sid}:{kind}",
        text=text,
        attachments=attachments or [],
        meta={"call_sid": call_sid, "kind": kind},
        author=author,
        urgent_reason=URGENT_REASON if kind == "urgent" else None,
        linked_channels=("sms",),
    )
    try:
        await app[keys.centre].receive(inbound)
    except Exception as exc:
        log.exception("storing call event %s for %s failed", kind, call_sid)
        raise StoreFailed(kind) from exc


def _record(request: web.Request, response: VoiceResponse, lang: str) -> VoiceResponse:
    response.record(
        action=_url(request, "/recorded", lang),
        max_length=180,
        finish_on_key="#",
        play_beep=True,
        transcribe=True,
        transcribe_callback=_url(request, "/transcript", lang),
    )
    return response


def _menu_or_closed(request: web.Request, lang: str) -> VoiceResponse:
    response = VoiceResponse()
    if request.app[keys.hours].is_open():
        gather = response.gather(num_digits=1, action=_url(request, "/menu", lang), timeout=8)
        _say(gather, _t(lang, "menu"), lang)
        response.redirect(_url(request, "/language", lang))
        return response
    server = request.app[keys.settings].server
    hours = request.app[keys.hours].describe(lang)
    _say(response, _t(lang, "closed", hours=hours, crisis=server.crisis_phone), lang)
    return _record(request, response, lang)


def _enqueue(request: web.Request, response: VoiceResponse, lang: str, queue: str) -> None:
    response.enqueue(
        queue,
        wait_url=_url(request, "/wait", lang),
        action=_url(request, "/left", lang),
    )


async def incoming(request: web.Request, form: Form) -> VoiceResponse:
    service = request.app[keys.settings].server.service_name
    response = VoiceResponse()
    gather = response.gather(num_digits=1, action=_url(request, "/language"), timeout=6)
    _say(gather, GREETING[0].format(service=service), "da")
    _say(gather, GREETING[1].format(service=service), "en")
    response.redirect(_url(request, "/language", "da"))
    return response


async def language(request: web.Request, form: Form) -> VoiceResponse:
    digits = form.get("Digits")
    lang = "en" if digits == "2" else "da" if digits == "1" else _lang(request)
    return _menu_or_closed(request, lang)


async def menu(request: web.Request, form: Form) -> VoiceResponse:
    lang = _lang(request)
    topic = TOPICS.get(form.get("Digits", ""))
    response = VoiceResponse()
    if topic is None:
        _say(response, _t(lang, "invalid"), lang)
        response.redirect(_url(request, "/language", lang))
        return response
    if topic == "urgent":
        await store_call_event(request.app, form, "urgent", EVENT_TEXT["urgent"], author="contact")
        crisis = request.app[keys.settings].server.crisis_phone
        _say(response, _t(lang, "urgent", crisis=crisis), lang)
        _enqueue(request, response, lang, URGENT_QUEUE)
        return response
    _say(response, _t(lang, "queued"), lang)
    _enqueue(request, response, lang, QUEUE)
    return response


async def wait(request: web.Request, form: Form) -> VoiceResponse:
    lang = _lang(request)
    response = VoiceResponse()
    position = form.get("QueuePosition")
    if position:
        _say(response, _t(lang, "position", position=position), lang)
    gather = response.gather(num_digits=1, action=_url(request, "/wait-choice", lang), timeout=10)
    _say(gather, _t(lang, "wait_choice"), lang)
    return response


async def wait_choice(request: web.Request, form: Form) -> VoiceResponse:
    choice = {"1": "voicemail", "2": "callback"}.get(form.get("Digits", ""))
    response = VoiceResponse()
    if choice is None:
        return response  # back to waiting
    choices = request.app[QUEUE_CHOICES]
    choices[form.get("CallSid", "")] = choice
    while len(choices) > KEEP_CHOICES:
        choices.popitem(last=False)
    response.leave()
    return response


async def _callback(request: web.Request, form: Form, lang: str) -> VoiceResponse:
    await store_call_event(request.app, form, "callback", EVENT_TEXT["callback"], author="contact")
    response = VoiceResponse()
    _say(response, _t(lang, "callback"), lang)
    response.hangup()
    return response


async def left(request: web.Request, form: Form) -> VoiceResponse:
    """The Enqueue action: the caller was answered, hung up, or chose to leave."""
    lang = _lang(request)
    result = form.get("QueueResult", "")
    seconds = form.get("QueueTime", "0")
    if result in ("bridged", "hangup"):
        kind = "answered" if result == "bridged" else "abandoned"
        await store_call_event(request.app, form, kind, EVENT_TEXT[kind].format(seconds=seconds))
        return VoiceResponse()
    choice = request.app[QUEUE_CHOICES].pop(form.get("CallSid", ""), None)
    if choice == "callback":
        return await _callback(request, form, lang)
    if choice == "voicemail" or result != "leave":
        response = VoiceResponse()
        _say(response, _t(lang, "record"), lang)
        return _record(request, response, lang)
    response = VoiceResponse()
    gather = response.gather(num_digits=1, action=_url(request, "/after-queue", lang), timeout=8)
    _say(gather, _t(lang, "leave_choice"), lang)
    return _record(request, response, lang)


async def after_queue(request: web.Request, form: Form) -> VoiceResponse:
    lang = _lang(request)
    if form.get("Digits") == "2":
        return await _callback(request, form, lang)
    response = VoiceResponse()
    _say(response, _t(lang, "record"), lang)
    return _record(request, response, lang)


async def recorded(request: web.Request, form: Form) -> VoiceResponse:
    lang = _lang(request)
    url = form.get("RecordingUrl")
    if url:
        await store_call_event(
            request.app,
            form,
            "voicemail",
            EVENT_TEXT["voicemail"].format(seconds=form.get("RecordingDuration", "?")),
            provider_id=form.get("RecordingSid") or None,
            attachments=[{"url": url, "content_type": "audio/x-wav"}],
            author="contact",
        )
    response = VoiceResponse()
    _say(response, _t(lang, "thanks"), lang)
    response.hangup()
    return response


async def transcript(request: web.Request, form: Form) -> web.Response:
    text = (form.get("TranscriptionText") or "").strip()
    if form.get("TranscriptionStatus", "completed") != "completed" or not text:
        log.info("voicemail transcription for %s not usable", form.get("CallSid"))
        return plain_error(200, "ignored")
    sid = form.get("TranscriptionSid") or f"{form.get('RecordingSid')}:transcript"
    try:
        await store_call_event(
            request.app, form, "transcript", text, provider_id=sid, author="contact"
        )
    except StoreFailed:
        return plain_error(503, "not stored, try again")
    return plain_error(200, "ok")


async def call_status(request: web.Request, form: Form) -> web.Response:
    status = form.get("CallStatus", "")
    if status in MISSED:
        text = EVENT_TEXT["missed"].format(status=status)
        kind = "missed"
    elif status == "completed":
        text = EVENT_TEXT["completed"].format(seconds=form.get("CallDuration", "0"))
        kind = "completed"
    else:
        return plain_error(200, "ignored")
    try:
        await store_call_event(request.app, form, kind, text)
    except StoreFailed:
        return plain_error(503, "not stored, try again")
    return plain_error(200, "ok")


def _twiml_hook(handler: Any) -> Any:
    async def hook(request: web.Request) -> web.Response:
        form = await signed_form(request)
        if isinstance(form, web.Response):
            return form
        try:
            answer = await handler(request, form)
        except StoreFailed:
            return plain_error(503, "not stored, try again")
        return answer if isinstance(answer, web.Response) else twiml(str(answer))

    return hook


def add_routes(app: web.Application) -> None:
    app[QUEUE_CHOICES] = OrderedDict()
    for path, handler in (
        ("", incoming),
        ("/language", language),
        ("/menu", menu),
        ("/wait", wait),
        ("/wait-choice", wait_choice),
        ("/left", left),
        ("/after-queue", after_queue),
        ("/recorded", recorded),
        ("/transcript", transcript),
        ("/status", call_status),
    ):
        app.router.add_post(HOOKS + path, _twiml_hook(handler))
