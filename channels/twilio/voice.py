"""Phone calls: language, opening hours, a keypad menu, the queue, voicemail, call-backs.

Every hook answers TwiML built with VoiceResponse. What a caller chooses, leaves or
misses becomes a message in their conversation on channel "voice" (address: the
E.164 number), so counsellors see calls beside texts.
"""

from __future__ import annotations

import logging

from aiohttp import web
from twilio.twiml.voice_response import VoiceResponse

from channels.twilio.call_events import (
    WAIT_CHOICES,
    StoreFailed,
    store_call_event,
    wait_choice_of,
)
from channels.twilio.signature import Form, plain_error
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
from channels.twilio.voice_texts import EVENT_TEXT, GREETING, TOPIC_TEXT, TOPICS
from server import keys

log = logging.getLogger(__name__)
QUEUE = "eguidance"
URGENT_QUEUE = "eguidance-urgent"
MISSED = {"busy", "no-answer", "failed", "canceled"}


def _record(request: HookRequest, response: VoiceResponse, lang: str) -> VoiceResponse:
    response.record(
        action=hook_url(request, "/recorded", lang),
        max_length=180,
        finish_on_key="#",
        play_beep=True,
        transcribe=True,
        transcribe_callback=hook_url(request, "/transcript", lang),
    )
    return response


def _menu_or_closed(request: HookRequest, lang: str) -> VoiceResponse:
    response = VoiceResponse()
    if request.app[keys.hours].is_open():
        gather = response.gather(num_digits=1, action=hook_url(request, "/menu", lang), timeout=8)
        # Inside the Gather, so a caller who knows the hours can press on at once.
        say(gather, line(lang, "open", hours=request.app[keys.hours].describe(lang)), lang)
        say(gather, line(lang, "menu"), lang)
        response.redirect(hook_url(request, "/language", lang))
        return response
    server = request.app[keys.settings].server
    hours = request.app[keys.hours].describe(lang)
    say(response, line(lang, "closed", hours=hours, crisis=server.crisis_phone), lang)
    return _record(request, response, lang)


def enqueue(
    request: HookRequest, response: VoiceResponse, lang: str, queue: str, topic: str
) -> None:
    response.enqueue(
        queue,
        wait_url=hook_url(request, "/wait", lang, topic=topic),
        action=hook_url(request, "/left", lang),
    )


async def incoming(request: HookRequest, form: Form) -> VoiceResponse:
    service = request.app[keys.settings].server.service_name
    response = VoiceResponse()
    gather = response.gather(num_digits=1, action=hook_url(request, "/language"), timeout=6)
    say(gather, GREETING[0].format(service=service), "da")
    say(gather, GREETING[1].format(service=service), "en")
    response.redirect(hook_url(request, "/language", "da"))
    return response


async def language(request: HookRequest, form: Form) -> VoiceResponse:
    digits = form.get("Digits")
    lang = "en" if digits == "2" else "da" if digits == "1" else lang_of(request)
    return _menu_or_closed(request, lang)


async def menu(request: HookRequest, form: Form) -> VoiceResponse:
    lang = lang_of(request)
    topic = TOPICS.get(form.get("Digits", ""))
    response = VoiceResponse()
    if topic is None:
        say(response, line(lang, "invalid"), lang)
        response.redirect(hook_url(request, "/language", lang))
        return response
    if topic == "urgent":
        await store_call_event(request.app, form, "urgent", EVENT_TEXT["urgent"], author="contact")
        crisis = request.app[keys.settings].server.crisis_phone
        say(response, line(lang, "urgent", crisis=crisis), lang)
        enqueue(request, response, lang, URGENT_QUEUE, topic)
        return response
    say(response, line(lang, "queued"), lang)
    enqueue(request, response, lang, QUEUE, topic)
    return response


async def wait(request: HookRequest, form: Form) -> VoiceResponse:
    lang = lang_of(request)
    queue_sid = form.get("QueueSid")
    if queue_sid:
        # The first wait puts the caller in the counsellors' queue (later loops are
        # duplicates); its meta says which Twilio queue holds the call.
        topic = TOPIC_TEXT.get(request.query.get("topic", ""), "")
        try:
            await store_call_event(
                request.app,
                form,
                "queued",
                EVENT_TEXT["queued"].format(topic=topic),
                author="contact",
                meta={"queue": queue_sid, "lang": lang},
            )
        except StoreFailed:
            log.warning("queue event of %s not stored; tried again next loop", form.get("CallSid"))
    response = VoiceResponse()
    position = form.get("QueuePosition")
    if position:
        say(response, line(lang, "position", position=position), lang)
    gather = response.gather(
        num_digits=1, action=hook_url(request, "/wait-choice", lang), timeout=10
    )
    say(gather, line(lang, "wait_choice"), lang)
    return response


async def wait_choice(request: HookRequest, form: Form) -> VoiceResponse:
    """A key pressed while waiting: stored as a call event before the caller leaves
    the queue, so the /left hook reads it from the database on whichever node
    Twilio calls next."""
    choice = {"1": "voicemail", "2": "callback"}.get(form.get("Digits", ""))
    response = VoiceResponse()
    if choice is None:
        return response  # back to waiting
    kind = WAIT_CHOICES[choice]
    try:
        await store_call_event(request.app, form, kind, EVENT_TEXT[kind])
    except StoreFailed:
        # Leaving anyway: /left finds no choice and asks the caller again.
        log.warning("wait choice of %s not stored; the caller is asked again", form.get("CallSid"))
    response.leave()
    return response


async def _callback(request: HookRequest, form: Form, lang: str) -> VoiceResponse:
    await store_call_event(request.app, form, "callback", EVENT_TEXT["callback"], author="contact")
    response = VoiceResponse()
    say(response, line(lang, "callback"), lang)
    response.hangup()
    return response


async def left(request: HookRequest, form: Form) -> VoiceResponse:
    """The Enqueue action: the caller was answered, hung up, or chose to leave."""
    lang = lang_of(request)
    result = form.get("QueueResult", "")
    seconds = form.get("QueueTime", "0")
    if result in ("redirected", "redirected-from-waitUrl"):
        return VoiceResponse()  # a counsellor's connect hook has the call now
    if result in ("bridged", "hangup"):
        kind = "answered" if result == "bridged" else "abandoned"
        await store_call_event(request.app, form, kind, EVENT_TEXT[kind].format(seconds=seconds))
        return VoiceResponse()
    choice = await wait_choice_of(request.app[keys.engine], form.get("CallSid", ""))
    if choice == "callback":
        return await _callback(request, form, lang)
    if choice == "voicemail" or result != "leave":
        response = VoiceResponse()
        say(response, line(lang, "record"), lang)
        return _record(request, response, lang)
    response = VoiceResponse()
    gather = response.gather(
        num_digits=1, action=hook_url(request, "/after-queue", lang), timeout=8
    )
    say(gather, line(lang, "leave_choice"), lang)
    return _record(request, response, lang)


async def after_queue(request: HookRequest, form: Form) -> VoiceResponse:
    lang = lang_of(request)
    if form.get("Digits") == "2":
        return await _callback(request, form, lang)
    response = VoiceResponse()
    say(response, line(lang, "record"), lang)
    return _record(request, response, lang)


async def recorded(request: HookRequest, form: Form) -> VoiceResponse:
    lang = lang_of(request)
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
    say(response, line(lang, "thanks"), lang)
    response.hangup()
    return response


async def transcript(request: HookRequest, form: Form) -> web.Response:
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


async def call_status(request: HookRequest, form: Form) -> web.Response:
    status = form.get("CallStatus", "")
    prefix = "outbound_" if (form.get("Direction") or "").startswith("outbound") else ""
    if status in MISSED:
        kind = prefix + "missed"
        text = EVENT_TEXT[kind].format(status=status)
    elif status == "completed":
        kind = prefix + "completed"
        text = EVENT_TEXT[kind].format(seconds=form.get("CallDuration", "0"))
    else:
        return plain_error(200, "ignored")
    try:
        await store_call_event(request.app, form, kind, text)
    except StoreFailed:
        return plain_error(503, "not stored, try again")
    return plain_error(200, "ok")


# A caller's own call, hook by hook: the simulator runs these too.
HANDLERS: dict[str, Handler] = {
    "": incoming,
    "/language": language,
    "/menu": menu,
    "/wait": wait,
    "/wait-choice": wait_choice,
    "/left": left,
    "/after-queue": after_queue,
    "/recorded": recorded,
    "/transcript": transcript,
    "/status": call_status,
}


def add_routes(app: web.Application) -> None:
    for path, handler in HANDLERS.items():
        app.router.add_post(HOOKS + path, twiml_hook(handler))
