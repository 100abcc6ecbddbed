"""Outbound SMS: through Twilio's REST API, or into the simulator in sandbox mode."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import aiohttp
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from channels.twilio.segments import MAX_CHARS
from channels.twilio.simulator_store import SimulatorStore
from server.messages import OutboundMessage, SendError
from server.settings import Settings

log = logging.getLogger(__name__)
SEND_TIMEOUT_S = 15.0
OptOut = Callable[[str], Awaitable[None]]


def check_sendable(message: OutboundMessage) -> None:
    """What Twilio would refuse whatever we do; the centre asks before storing a reply."""
    if not message.address:
        raise SendError("the contact has no phone number", permanent=True, code="no_address")
    if len(message.text) > MAX_CHARS:
        raise SendError(
            f"an SMS can have at most {MAX_CHARS} characters and this one has "
            f"{len(message.text)}: shorten it or send it as several replies",
            permanent=True,
            code="too_long",
        )


class TwilioSmsSender:
    """One Twilio client per process; the outbox does the retrying, never the client."""

    def __init__(self, settings: Settings, on_opted_out: OptOut) -> None:
        self.settings = settings
        self.on_opted_out = on_opted_out
        self._http: AsyncTwilioHttpClient | None = None
        self._client: Client | None = None

    def open(self) -> None:
        twilio = self.settings.twilio
        # max_retries=None: no aiohttp_retry wrapper, one attempt per send.
        self._http = AsyncTwilioHttpClient(max_retries=None)
        self._client = Client(twilio.account_sid, twilio.auth_token, http_client=self._http)
        if twilio.api_base_url:
            self._client.api.base_url = twilio.api_base_url.rstrip("/")

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()

    @property
    def client(self) -> Client:
        if self._client is None:
            raise SendError("the Twilio client is not started")
        return self._client

    def check(self, message: OutboundMessage) -> None:
        check_sendable(message)

    @property
    def status_callback(self) -> str:
        return self.settings.server.public_url.rstrip("/") + "/hooks/twilio/sms/status"

    async def send(self, message: OutboundMessage) -> str | None:
        check_sendable(message)
        if self._client is None:
            raise SendError("the Twilio client is not started")
        try:
            async with asyncio.timeout(SEND_TIMEOUT_S):
                created = await self._client.messages.create_async(
                    to=message.address,
                    from_=self.settings.twilio.from_number,
                    body=message.text,
                    status_callback=self.status_callback,
                )
        except TwilioRestException as exc:
            raise await self._send_error(message, exc.status, exc.code, exc.msg) from exc
        except TwilioException as exc:
            status, code = getattr(exc, "status", 0), getattr(exc, "code", None)
            raise await self._send_error(message, int(status or 0), code, str(exc)) from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise SendError(f"Twilio not reachable: {exc!r}") from exc
        return str(created.sid)

    async def _send_error(
        self, message: OutboundMessage, status: int, code: object, text: str
    ) -> SendError:
        code_text = str(code) if code is not None else None
        reason = f"Twilio answered {status} (error {code_text}): {text}"
        if code_text == "21610":
            await self.on_opted_out(message.address)
            return SendError(
                "the person has opted out of SMS (STOP) — Twilio error 21610",
                permanent=True,
                code="21610",
            )
        if status == 429 or status >= 500 or status == 0:
            return SendError(reason, permanent=False, code=code_text)
        return SendError(reason, permanent=True, code=code_text)


class SimulatorSender:
    """Sandbox mode: outbound SMS land in the simulator's store for the page to show."""

    def __init__(self, store: SimulatorStore) -> None:
        self.store = store

    def check(self, message: OutboundMessage) -> None:
        check_sendable(message)

    async def send(self, message: OutboundMessage) -> str | None:
        check_sendable(message)
        return self.store.add_outbound(message.address, message.text, message.author_kind)
