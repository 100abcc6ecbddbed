"""The plumbing every voice hook shares: its request, its URLs, its TwiML answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol
from urllib.parse import urlencode

from aiohttp import web
from twilio.twiml.voice_response import VoiceResponse

from channels.twilio.call_events import StoreFailed
from channels.twilio.signature import Form, plain_error, signed_form
from channels.twilio.sms import twiml
from channels.twilio.voice_texts import SAY_LANGUAGE, TEXTS
from server import keys

HOOKS = "/hooks/twilio/voice"


class HookRequest(Protocol):
    """What a hook reads of its request: a web.Request, or the simulator's stand-in."""

    @property
    def app(self) -> web.Application: ...

    @property
    def query(self) -> Mapping[str, str]: ...


Handler = Callable[[HookRequest, Form], Awaitable[VoiceResponse | web.Response]]


def lang_of(request: HookRequest) -> str:
    lang = request.query.get("lang", "da")
    return lang if lang in TEXTS else "da"


def hook_url(request: HookRequest, hook: str, lang: str | None = None, **query: str) -> str:
    base = request.app[keys.settings].server.public_url.rstrip("/") + HOOKS + hook
    params = {"lang": lang, **query} if lang else query
    return f"{base}?{urlencode(params)}" if params else base


def say(node: Any, text: str, lang: str) -> None:
    node.say(text, language=SAY_LANGUAGE[lang])


def line(lang: str, key: str, **values: Any) -> str:
    return TEXTS[lang][key].format(**values)


def twiml_hook(handler: Handler) -> Callable[[web.Request], Awaitable[web.Response]]:
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
