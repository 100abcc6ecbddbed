"""Reading a Twilio webhook: the form with its repeated keys, and its signature.

Twilio signs the URL it was told to call (our public URL), not the one aiohttp sees
behind a proxy, so the check rebuilds it from `[server] public_url` + the raw path
and query string. Without an auth token (sandbox) nothing can be checked, and the
public hooks refuse every request: the simulator feeds the same handlers directly.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from aiohttp import web
from multidict import MultiDict, MultiDictProxy
from twilio.request_validator import SIGNATURE_HEADER, RequestValidator

from server import keys

log = logging.getLogger(__name__)
MAX_FORM_BYTES = 64 * 1024
Form = MultiDictProxy[str]


def plain_error(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text + "\n", content_type="text/plain")


async def read_form(request: web.Request) -> Form | web.Response:
    """The urlencoded form, or the error answer (413 too large, 415, 400)."""
    if request.content_length is not None and request.content_length > MAX_FORM_BYTES:
        log.warning("twilio hook %s: %s-byte body refused", request.path, request.content_length)
        return plain_error(413, "body too large")
    body = await request.content.read(MAX_FORM_BYTES + 1)
    if len(body) > MAX_FORM_BYTES:
        log.warning("twilio hook %s: body over %s bytes refused", request.path, MAX_FORM_BYTES)
        return plain_error(413, "body too large")
    if request.content_type != "application/x-www-form-urlencoded":
        log.warning("twilio hook %s: content type %r refused", request.path, request.content_type)
        return plain_error(415, "send application/x-www-form-urlencoded")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError):
        log.warning("twilio hook %s: malformed form refused", request.path)
        return plain_error(400, "malformed form")
    return MultiDictProxy(MultiDict(pairs))


def signed_url(request: web.Request) -> str:
    public = request.app[keys.settings].server.public_url.rstrip("/")
    return public + request.raw_path


def signature_ok(request: web.Request, form: Form) -> bool:
    """True only for a request signed with our auth token; logs why not."""
    token = request.app[keys.settings].twilio.auth_token
    if not token:
        log.warning("twilio hook %s refused: sandbox mode has no auth token", request.path)
        return False
    signature = request.headers.get(SIGNATURE_HEADER)
    if not signature:
        log.warning("twilio hook %s refused: no %s header", request.path, SIGNATURE_HEADER)
        return False
    if not RequestValidator(token).validate(signed_url(request), form, signature):
        log.warning(
            "twilio hook %s refused: signature does not match %s",
            request.path,
            signed_url(request),
        )
        return False
    return True


async def signed_form(request: web.Request) -> Form | web.Response:
    """The form of a validated webhook, or the error answer to give."""
    form = await read_form(request)
    if isinstance(form, web.Response):
        return form
    if not signature_ok(request, form):
        return plain_error(403, "invalid signature")
    return form
