"""Outbound calls through Twilio's REST API (in sandbox mode simulator_calls plays
Twilio instead).

Two requests only: redirect a waiting caller out of its queue (the Queue Member
API, which dequeues that one call, not the front of the queue) and call a person
back. One attempt each, no client retries: a counsellor sees the failure and can
try again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

import aiohttp
from twilio.base.exceptions import TwilioException, TwilioRestException

from channels.twilio.sender import SEND_TIMEOUT_S, TwilioSmsSender
from server.errors import Conflict, DomainError, Invalid

log = logging.getLogger(__name__)
# Twilio errors that mean "that number cannot be called".
BAD_NUMBER_CODES = {"13223", "13224", "21211", "21214", "21215", "21216", "21217", "21219"}


class ProviderUnavailable(DomainError):
    status = 502
    code = "provider_unavailable"


class Caller(Protocol):
    async def dequeue(self, queue_sid: str, call_sid: str, url: str, caller: str) -> str: ...

    async def call(self, to: str, url: str, status_callback: str) -> str: ...


def _rest_error(exc: Exception, what: str) -> DomainError:
    status = int(getattr(exc, "status", 0) or 0)
    code = str(getattr(exc, "code", "") or "")
    text = getattr(exc, "msg", None) or str(exc)
    reason = f"Twilio answered {status} (error {code or '-'}) to {what}: {text}"
    log.warning(reason)
    if code in BAD_NUMBER_CODES:
        return Invalid(reason, "bad_number")
    if status == 404:
        return Conflict(f"the caller is no longer waiting: {reason}", "not_waiting")
    if 400 <= status < 500 and status != 429:
        return Invalid(reason, "twilio_refused")
    return ProviderUnavailable(reason)


class TwilioCaller:
    def __init__(self, sender: TwilioSmsSender) -> None:
        self.sender = sender

    async def dequeue(self, queue_sid: str, call_sid: str, url: str, caller: str) -> str:
        client = self.sender.client
        try:
            async with asyncio.timeout(SEND_TIMEOUT_S):
                member = (
                    await client.queues(queue_sid)
                    .members(call_sid)
                    .update_async(url=url, method="POST")
                )
        except (TwilioRestException, TwilioException) as exc:
            raise _rest_error(exc, "the queue member update") from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise ProviderUnavailable(f"Twilio not reachable: {exc!r}") from exc
        return str(member.call_sid or call_sid)

    async def call(self, to: str, url: str, status_callback: str) -> str:
        client = self.sender.client
        try:
            async with asyncio.timeout(SEND_TIMEOUT_S):
                created = await client.calls.create_async(
                    to=to,
                    from_=self.sender.settings.twilio.from_number,
                    url=url,
                    method="POST",
                    status_callback=status_callback,
                    status_callback_method="POST",
                )
        except (TwilioRestException, TwilioException) as exc:
            raise _rest_error(exc, "the new call") from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise ProviderUnavailable(f"Twilio not reachable: {exc!r}") from exc
        return str(created.sid)
