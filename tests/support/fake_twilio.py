"""A small fake of Twilio's REST API on loopback: records what was sent, fails on demand."""

from __future__ import annotations

import asyncio
import base64
import secrets
from collections import deque
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from aiohttp import web

from tests.support.server import free_port

ERRORS = {
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21211: (400, "The 'To' number is not a valid phone number."),
    20404: (404, "The requested resource was not found"),
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


@dataclass
class PlacedCall:
    """A request about a call: `kind` "create" (Calls.json) or "dequeue" (a queue member)."""

    kind: str
    sid: str
    to: str
    url: str | None
    queue_sid: str | None
    form: dict[str, str]


class FakeTwilio:
    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.sent: list[SentSms] = []
        self.calls: list[PlacedCall] = []
        self.attempts = 0
        self._failures: deque[int] = deque()
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        # Set: message creates answer at once. Cleared by hold_creates: a create is
        # recorded (wait_for_sms sees it) but answered only on release_creates.
        self._creates_open = asyncio.Event()
        self._creates_open.set()
        self.media: dict[str, tuple[bytes, str]] = {}
        self.media_fetches = 0
        self.media_open = asyncio.Event()  # cleared: media requests wait for it
        self.media_open.set()

    def fail_next(self, code: int, times: int = 1) -> None:
        """The next `times` sends answer Twilio error `code` (21610, 20429 → 429, 20500 → 500)."""
        self._failures.extend([code] * times)

    def hold_creates(self) -> None:
        """Message creates wait before answering: Twilio has the message (and may
        call back about it) while the sender does not know its sid yet."""
        self._creates_open.clear()

    def release_creates(self) -> None:
        self._creates_open.set()

    def add_media(self, data: bytes, content_type: str) -> str:
        """Media of an inbound MMS; returns its URL as Twilio gives it in MediaUrlN."""
        media_sid = "ME" + secrets.token_hex(16)
        self.media[media_sid] = (data, content_type)
        message_sid = "MM" + secrets.token_hex(16)
        account = f"{self.url}/2010-04-01/Accounts/{self.account_sid}"
        return f"{account}/Messages/{message_sid}/Media/{media_sid}"

    async def _get_media(self, request: web.Request) -> web.Response:
        """Behind the account's basic auth, then a redirect to the storage, as Twilio does."""
        self.media_fetches += 1
        await self.media_open.wait()
        if not self._authorised(request) or request.match_info["sid"] != self.account_sid:
            return _error(401, 20003, "Authenticate")
        if request.match_info["media_sid"] not in self.media:
            return _error(404, 20404, "The requested resource was not found")
        raise web.HTTPFound(f"/media-storage/{request.match_info['media_sid']}")

    async def _media_storage(self, request: web.Request) -> web.Response:
        data, content_type = self.media[request.match_info["media_sid"]]
        return web.Response(body=data, headers={"Content-Type": content_type})

    async def start(self) -> FakeTwilio:
        app = web.Application()
        accounts = "/2010-04-01/Accounts/{sid}"
        app.router.add_post(accounts + "/Messages.json", self._create_message)
        app.router.add_post(accounts + "/Calls.json", self._create_call)
        app.router.add_post(
            accounts + "/Queues/{queue_sid}/Members/{call_sid}.json", self._update_member
        )
        app.router.add_get(accounts + "/Messages/{message_sid}/Media/{media_sid}", self._get_media)
        app.router.add_get("/media-storage/{media_sid}", self._media_storage)
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

    async def wait_for_call(self, predicate: Any = None, limit_s: float = 10.0) -> PlacedCall:
        def found() -> PlacedCall | None:
            return next((c for c in self.calls if predicate is None or predicate(c)), None)

        async with asyncio.timeout(limit_s), self._changed:
            while (match := found()) is None:
                await self._changed.wait()
            return match

    async def _refused(self, request: web.Request) -> web.Response | None:
        """401 for wrong credentials, or the next error asked for with fail_next."""
        self.attempts += 1
        if not self._authorised(request) or request.match_info["sid"] != self.account_sid:
            return _error(401, 20003, "Authenticate")
        if self._failures:
            code = self._failures.popleft()
            status, message = ERRORS[code]
            return _error(status, code, message)
        return None

    async def _record_call(self, call: PlacedCall) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _create_call(self, request: web.Request) -> web.Response:
        refused = await self._refused(request)
        if refused is not None:
            return refused
        form = {key: str(value) for key, value in (await request.post()).items()}
        sid = "CA" + secrets.token_hex(16)
        await self._record_call(
            PlacedCall("create", sid, form.get("To", ""), form.get("Url"), None, form)
        )
        return web.json_response(
            {
                "sid": sid,
                "account_sid": self.account_sid,
                "to": form.get("To"),
                "from": form.get("From"),
                "status": "queued",
                "direction": "outbound-api",
                "api_version": "2010-04-01",
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Calls/{sid}.json",
            },
            status=201,
        )

    async def _update_member(self, request: web.Request) -> web.Response:
        refused = await self._refused(request)
        if refused is not None:
            return refused
        form = {key: str(value) for key, value in (await request.post()).items()}
        call_sid, queue_sid = request.match_info["call_sid"], request.match_info["queue_sid"]
        await self._record_call(
            PlacedCall("dequeue", call_sid, "", form.get("Url"), queue_sid, form)
        )
        return web.json_response(
            {
                "call_sid": call_sid,
                "queue_sid": queue_sid,
                "account_sid": self.account_sid,
                "date_enqueued": "Tue, 07 Aug 2018 08:08:08 +0000",
                "position": 0,
                "wait_time": 30,
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Queues/{queue_sid}"
                f"/Members/{call_sid}.json",
            }
        )

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
        await self._creates_open.wait()
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
        self.last_content_type = ""

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
        from yarl import URL

        form = MultiDict(params)
        headers = {}
        if sign:
            headers["X-Twilio-Signature"] = signature or self.validator.compute_signature(
                self.base_url + path, form
            )
        async with (
            aiohttp.ClientSession() as http,
            # encoded=True: sent byte for byte as signed, as Twilio does ("%3A" stays).
            http.post(
                URL(self.base_url + path, encoded=True), data=list(form.items()), headers=headers
            ) as response,
        ):
            self.last_content_type = response.content_type
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
        # Stored, then acknowledged with an empty TwiML answer (a reply would cost an SMS).
        assert self.last_content_type == "text/xml", self.last_content_type
        root = ElementTree.fromstring(text)
        assert (root.tag, list(root), (root.text or "").strip()) == ("Response", [], ""), text
        return sid
