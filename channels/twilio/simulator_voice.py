"""Simulated phone calls: the real voice hooks, fed forms built the way Twilio builds them.

The simulator plays Twilio's part: it calls a hook, reads the TwiML it answers, says
aloud (into the simulator store) what <Say> would say, and follows the action URL of
the <Gather>, <Enqueue> or <Record> with the keys the person chose. Only the hooks
of a call (the caller's menu, queue and voicemail, and a counsellor's connect,
bridge and dial) can be reached this way. simulator_calls plays the counsellor's side.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree

from aiohttp import web
from multidict import MultiDict, MultiDictProxy

from channels.twilio.connect import CONNECT_HANDLERS
from channels.twilio.phone import normalise_number
from channels.twilio.simulator_store import CallSession, SimulatorStore
from channels.twilio.voice import HANDLERS
from channels.twilio.voice_hooks import HOOKS, Handler
from server import keys
from server.errors import Invalid

THEN = ("wait", "voicemail", "callback")
SERVICE_NUMBER = "+4570000000"
CALL_HANDLERS: dict[str, Handler] = {**HANDLERS, **CONNECT_HANDLERS}


def service_number(app: web.Application) -> str:
    return app[keys.settings].twilio.from_number or SERVICE_NUMBER


def status_url(app: web.Application) -> str:
    """Where Twilio sends a call's status: for an inbound call, the number's setting."""
    return app[keys.settings].server.public_url.rstrip("/") + HOOKS + "/status"


def call_form(
    app: web.Application, sid: str, number: str, direction: str, **extra: str
) -> MultiDictProxy[str]:
    """Twilio's fields for a hook of call `sid` with the person at `number`."""
    service = service_number(app)
    person, line = (number, service) if direction == "inbound" else (service, number)
    base = {"CallSid": sid, "AccountSid": "ACsandbox", "From": person, "To": line}
    base |= {"Direction": direction, "CallStatus": "in-progress"}
    return MultiDictProxy(MultiDict({**base, **extra}))


async def follow(
    app: web.Application, store: SimulatorStore, number: str, url: str, form: MultiDictProxy[str]
) -> tuple[str, ElementTree.Element]:
    """Runs the hook at `url` as Twilio would fetch it; returns its path and TwiML."""
    parts = urlsplit(url)
    path = parts.path.removeprefix(HOOKS) if parts.path.startswith(HOOKS) else parts.path
    handler = CALL_HANDLERS.get(path)
    if handler is None:
        raise Invalid(f"the simulator cannot follow {path!r}")
    answer = await handler(SimRequest(app, dict(parse_qsl(parts.query))), form)
    if isinstance(answer, web.Response):
        return path or "/", ElementTree.fromstring("<Response/>")
    root = ElementTree.fromstring(str(answer))
    for said in root.iter("Say"):
        store.add_outbound(number, said.text or "", "system", kind="say")
    return path or "/", root


@dataclass(frozen=True)
class SimRequest:
    """What a voice hook reads of its request (see voice_hooks.HookRequest)."""

    app: web.Application
    query: Mapping[str, str]


@dataclass(frozen=True)
class SimCall:
    number: str
    language: str  # the key pressed at the greeting: "1" Danish, "2" English
    menu: str  # the key pressed in the menu: "1", "2", "3"
    then: str  # in the queue: "wait", "voicemail" or "callback"
    text: str  # the voicemail, as its transcription would read


def parse_call(data: Mapping[str, object]) -> SimCall:
    number, text = data.get("from"), data.get("text") or ""
    language, menu, then = data.get("language"), data.get("menu"), data.get("then")
    if not isinstance(number, str) or not number.strip():
        raise Invalid("from must be a phone number")
    if language not in ("1", "2") or menu not in ("1", "2", "3") or then not in THEN:
        raise Invalid("language is 1|2, menu 1|2|3, then wait|voicemail|callback")
    if not isinstance(text, str) or len(text) > 1600:
        raise Invalid("text has at most 1600 characters")
    if then == "voicemail" and not text.strip():
        raise Invalid("a voicemail needs a text")
    return SimCall(number.strip(), language, menu, then, text.strip())


class SimulatedCall:
    def __init__(self, app: web.Application, store: SimulatorStore, call: SimCall) -> None:
        self.app = app
        self.store = store
        self.call = call
        self.number = normalise_number(call.number)
        self.sid = "CAsim" + secrets.token_hex(14)
        self.queue_sid = "QUsim" + secrets.token_hex(14)
        self.started = time.monotonic()
        self.trace: list[str] = []

    async def hook(self, url: str, **fields: str) -> ElementTree.Element:
        form = call_form(self.app, self.sid, self.call.number, "inbound", **fields)
        path, root = await follow(self.app, self.store, self.number, url, form)
        self.trace.append(path)
        return root

    async def run(self) -> str:
        """Rings, presses the keys, and ends where the person chose; returns how it ended."""
        ended = await self._keys()
        if ended != "waiting":
            # The call is over: Twilio reports it to the number's status callback.
            seconds = str(max(1, round(time.monotonic() - self.started)))
            await self.hook(status_url(self.app), CallStatus="completed", CallDuration=seconds)
        return ended

    async def _keys(self) -> str:
        call = self.call
        self.store.add_inbound(self.sid, self.number, _summary(call), kind="call")
        root = await self.hook(HOOKS)
        root = await self.hook(_action(root, "Gather"), Digits=call.language)
        if root.find("Record") is not None:  # closed: straight to a voicemail
            return await self._voicemail(root)
        root = await self.hook(_action(root, "Gather"), Digits=call.menu)
        enqueue = root.find("Enqueue")
        if enqueue is None:
            return "ended"
        fields = {"QueueSid": self.queue_sid, "QueuePosition": "1", "QueueTime": "0"}
        root = await self.hook(enqueue.get("waitUrl") or "", **fields)
        if call.then == "wait":
            # Still on the line: a counsellor can take it, or the caller hang up.
            waiting = CallSession(
                self.sid,
                self.number,
                "inbound",
                lang="en" if call.language == "2" else "da",
                status_callback=status_url(self.app),
                left_url=enqueue.get("action") or "",
                started=self.started,
                queued=time.monotonic(),
            )
            self.store.calls[self.sid] = waiting
            self.store.add_call_state(waiting, "waiting", "")
            return "waiting"
        digit = "1" if call.then == "voicemail" else "2"
        await self.hook(_action(root, "Gather"), Digits=digit)
        root = await self.hook(enqueue.get("action") or "", QueueResult="leave", QueueTime="5")
        if call.then == "voicemail":
            return await self._voicemail(root)
        return "callback"

    async def _voicemail(self, root: ElementTree.Element) -> str:
        if not self.call.text:
            return "ended"
        record = root.find("Record")
        if record is None:
            return "ended"
        recording = "REsim" + secrets.token_hex(14)
        public = self.app[keys.settings].server.public_url.rstrip("/")
        await self.hook(
            record.get("action") or "",
            RecordingUrl=f"{public}/simulator?recording={recording}",
            RecordingSid=recording,
            RecordingDuration=str(max(1, len(self.call.text) // 12)),
        )
        await self.hook(
            record.get("transcribeCallback") or "",
            RecordingSid=recording,
            TranscriptionSid="TRsim" + secrets.token_hex(14),
            TranscriptionStatus="completed",
            TranscriptionText=self.call.text,
        )
        return "voicemail"


def _action(root: ElementTree.Element, verb: str) -> str:
    node = root.find(verb)
    if node is None or not node.get("action"):
        raise Invalid(f"the phone line did not answer with a {verb}")
    return node.get("action") or ""


def _summary(call: SimCall) -> str:
    return f"{call.language} → {call.menu} → {call.then}"
