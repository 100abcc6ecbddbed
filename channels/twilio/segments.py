"""How many SMS segments a text costs: GSM-7 (160/153) or UCS-2 (70/67)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from server.web_helpers import current_counsellor

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each costs an escape character plus itself.
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
MAX_CHARS = 1600


def sms_segments(text: str) -> dict[str, Any]:
    """{encoding, segments, chars}: chars counts code units in the chosen encoding."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        # UTF-16 code units: characters outside the BMP (emoji) take two.
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    if units == 0:
        segments = 0
    elif units <= single:
        segments = 1
    else:
        segments = -(-units // multi)
    return {"encoding": encoding, "segments": segments, "chars": units}


async def segments_route(request: web.Request) -> web.Response:
    await current_counsellor(request)
    text = request.query.get("text", "")
    result = sms_segments(text)
    result["too_long"] = len(text) > MAX_CHARS
    result["max_chars"] = MAX_CHARS
    return web.json_response(result)
