"""A small fake of Twilio's REST API on loopback: records what was sent, fails on demand."""

from __future__ import annotations

import asyncio
import base64
import secrets
from collections import deque
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.support.server import free_port

ERRORS = {
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21211: (400, "The 'To' number is not a valid phone number."),
    20429: (429, "Too Many Requests"),
    20500: (500, "Internal Server Error"),
}


@dataclass
class SentSms:
    sid: str
    to: str
    from_: str
    body: str
    status_callback: str | None
    form: dict[str, str]


class FakeTwilio:
    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.sent: list[SentSms] = []
        self.attempts = 0
        self._failures: deque[int] = deque()
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None

    def fail_next(self, code: int, times: int = 1) -> None:
        """The next `times` sends answer Twilio error `code` (21610, 20429 → 429, 20500 → 500)."""
        self._failures.extend([code] * times)

    async def start(self) -> FakeTwilio:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self._create_message)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_for_sms(self, predicate: Any = None, limit_s: float = 10.0) -> SentSms:
        def found() -> SentSms | None:
            for sms in self.sent:
                if predicate is None or predicate(sms):
                    return sms
            return None

        async with asyncio.timeout(limit_s), self._changed:
            while (match := found()) is None:
                await self._changed.wait()
            return match

    def _authorised(self, request: web.Request) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}"

    async def _create_message(self, request: web.Request) -> web.Response:
        self.attempts += 1
        if not self._authorised(request) or request.match_info["sid"] != self.account_sid:
            return _error(401, 20003, "Authenticate")
        if self._failures:
            code = self._failures.popleft()
            status, message = ERRORS[code]
            return _error(status, code, message)
        form = await request.post()
        sms = SentSms(
            sid="SM" + secrets.token_hex(16),
            to=str(form.get("To", "")),
            from_=str(form.get("From", "")),
            body=str(form.get("Body", "")),
            status_callback=str(form["StatusCallback"]) if "StatusCallback" in form else None,
            form={key: str(value) for key, value in form.items()},
        )
        async with self._changed:
            self.sent.append(sms)
            self._changed.notify_all()
        return web.json_response(
            {
                "sid": sms.sid,
                "account_sid": self.account_sid,
                "to": sms.to,
                "from": sms.from_,
                "body": sms.body,
                "status": "queued",
                "num_segments": "1",
                "direction": "outbound-api",
                "api_version": "2010-04-01",
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sms.sid}.json",
            },
            status=201,
        )


def _error(status: int, code: int, message: str) -> web.Response:
    return web.json_response(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status=status,
    )


ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "e2e-twilio-auth-token"
FROM_NUMBER = "+4570203040"


def twilio_env(fake: FakeTwilio) -> dict[str, str]:
    return {
        "EGUIDANCE_TWILIO__ACCOUNT_SID": fake.account_sid,
        "EGUIDANCE_TWILIO__AUTH_TOKEN": fake.auth_token,
        "EGUIDANCE_TWILIO__FROM_NUMBER": FROM_NUMBER,
        "EGUIDANCE_TWILIO__API_BASE_URL": fake.url,
    }


class Webhooks:
    """Posts to the server's Twilio hooks the way Twilio does: a signed urlencoded form."""

    def __init__(self, base_url: str, auth_token: str = AUTH_TOKEN) -> None:
        from twilio.request_validator import RequestValidator

        self.base_url = base_url
        self.validator = RequestValidator(auth_token)

    async def post(
        self,
        path: str,
        params: dict[str, str] | list[tuple[str, str]],
        *,
        signature: str | None = None,
        sign: bool = True,
    ) -> tuple[int, str]:
        import aiohttp
        from multidict import MultiDict

        form = MultiDict(params)
        headers = {}
        if sign:
            headers["X-Twilio-Signature"] = signature or self.validator.compute_signature(
                self.base_url + path, form
            )
        async with (
            aiohttp.ClientSession() as http,
            http.post(self.base_url + path, data=list(form.items()), headers=headers) as response,
        ):
            return response.status, await response.text()

    async def sms(self, sender: str, body: str, sid: str | None = None, **extra: str) -> str:
        sid = sid or "SM" + secrets.token_hex(16)
        status, text = await self.post(
            "/hooks/twilio/sms",
            {
                "MessageSid": sid,
                "SmsSid": sid,
                "AccountSid": ACCOUNT_SID,
                "From": sender,
                "To": FROM_NUMBER,
                "Body": body,
                "NumMedia": "0",
                **extra,
            },
        )
        assert status == 200, text
        return sid
