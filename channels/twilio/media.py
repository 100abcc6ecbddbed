"""MMS media: fetched from Twilio after the message is stored, kept as attachments.

Store first, fetch after. The text reaches the counsellors, and Twilio its answer,
at once whatever the media's size or Twilio's speed (a fetch before storing would
hold the webhook, and a slow fetch would make Twilio retry it). The entry keeps
Twilio's URL, so media a fetch missed (a node stopped mid-fetch, Twilio down) is
still named in the message; a fetched item gets the download `index` of its blob
(GET /api/messages/{id}/attachments/{index}), as e-mail attachments do.

Twilio serves media behind the account's credentials (HTTP basic auth) and
redirects to its storage; the credentials go only to Twilio's API origin, and
aiohttp drops them on a redirect to another origin.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web
from yarl import URL

from server import keys
from server.messages import Blob

log = logging.getLogger(__name__)
MAX_MEDIA_BYTES = 5 * 1024 * 1024
FETCH_TIMEOUT_S = 60.0
TWILIO_API = "https://api.twilio.com"
MEDIA_TASKS: web.AppKey[set[asyncio.Task[None]]] = web.AppKey("twilio_media_tasks", set)


def api_origin(app: web.Application) -> URL:
    return URL(app[keys.settings].twilio.api_base_url or TWILIO_API).origin()


def fetchable(app: web.Application, url: object) -> bool:
    """Only Twilio's own media URLs: nothing else gets the account's credentials."""
    if not isinstance(url, str):
        return False
    try:
        return URL(url).origin() == api_origin(app)
    except ValueError:
        return False


def fetch_media_later(
    app: web.Application, message_id: int, attachments: list[dict[str, Any]]
) -> None:
    """Fetch a stored message's media in the background (not in sandbox mode)."""
    twilio = app[keys.settings].twilio
    tasks = app.get(MEDIA_TASKS)
    if tasks is None or not (twilio.account_sid and twilio.auth_token):
        return
    task = asyncio.create_task(fetch_and_attach(app, message_id, attachments))
    tasks.add(task)  # a reference, so the task is not collected mid-fetch
    task.add_done_callback(tasks.discard)


async def fetch_and_attach(
    app: web.Application, message_id: int, attachments: list[dict[str, Any]]
) -> None:
    twilio = app[keys.settings].twilio
    auth = aiohttp.BasicAuth(twilio.account_sid, twilio.auth_token)
    fetched: dict[int, Blob] = {}
    try:
        timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT_S)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            for position, entry in enumerate(attachments):
                url = entry.get("url")
                if not fetchable(app, url):
                    log.warning(
                        "mms media %r of message %s not fetched: not Twilio's", url, message_id
                    )
                    continue
                blob = await fetch_one(http, auth, str(url), entry, position)
                if blob is not None:
                    fetched[position] = blob
        if fetched:
            await app[keys.centre].add_attachments(message_id, fetched)
            log.info("mms media of message %s kept: %s item(s)", message_id, len(fetched))
    except Exception:
        log.exception("mms media of message %s not kept; its Twilio URLs remain", message_id)


async def fetch_one(
    http: aiohttp.ClientSession,
    auth: aiohttp.BasicAuth,
    url: str,
    entry: dict[str, Any],
    position: int,
) -> Blob | None:
    try:
        async with http.get(url, auth=auth, allow_redirects=True, max_redirects=5) as response:
            if response.status != 200:
                log.warning("mms media %s: Twilio answered %s", url, response.status)
                return None
            if (response.content_length or 0) > MAX_MEDIA_BYTES:
                log.warning("mms media %s: %s bytes, over the limit", url, response.content_length)
                return None
            data = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                data.extend(chunk)
                if len(data) > MAX_MEDIA_BYTES:
                    log.warning("mms media %s: over %s bytes, not kept", url, MAX_MEDIA_BYTES)
                    return None
            content_type = response.content_type or str(entry.get("content_type") or "")
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("mms media %s not fetched: %r", url, exc)
        return None
    content_type = content_type or "application/octet-stream"
    extension = mimetypes.guess_extension(content_type) or ""
    return Blob("attachment", bytes(data), f"mms-{position + 1}{extension}", content_type)


async def media_ctx(app: web.Application) -> AsyncIterator[None]:
    app[MEDIA_TASKS] = set()
    yield
    # Stopping: a fetch cut short leaves the Twilio URL in the message.
    tasks: set[asyncio.Task[None]] = app[MEDIA_TASKS]
    pending = list(tasks)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
