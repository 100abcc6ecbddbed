"""Sandbox mode: the simulator plays Twilio and the counsellor's phone when a
counsellor takes a call.

A waiting simulated caller is taken out of the queue and put through (`/left` with
"redirected", then `/connect`); a call-back rings the simulated person (`/bridge`).
Both phones answer at once: there is no one to pick them up. The call then stays
connected until the caller or the counsellor hangs up on the simulator page, and the
<Dial action> (`/dialled`) and the status callback run with the call's length, as
Twilio sends them, so the conversation's timeline shows the call and its duration.
"""

from __future__ import annotations

import math
import secrets
import time
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

from aiohttp import web

from channels.twilio.simulator_store import CallSession, SimulatorStore
from channels.twilio.simulator_voice import call_form, follow
from server.errors import Conflict, Invalid, NotFound

SIDES = ("caller", "counsellor")


def _seconds(since: float, now: float) -> str:
    return str(math.ceil(now - since))


def _target(url: str) -> str:
    return parse_qs(urlsplit(url).query).get("to", ["?"])[0]


class SimulatedCaller:
    """The calls.Caller of sandbox mode: no telephone rings, the simulator page does."""

    def __init__(self, app: web.Application, store: SimulatorStore) -> None:
        self.app = app
        self.store = store

    async def _hook(self, call: CallSession, url: str, **fields: str) -> ElementTree.Element:
        form = call_form(self.app, call.sid, call.number, call.direction, **fields)
        _, root = await follow(self.app, self.store, call.number, url, form)
        return root

    async def dequeue(self, queue_sid: str, call_sid: str, url: str, caller: str) -> str:
        call = self.store.calls.get(call_sid)
        if call is None or call.connected is not None:
            # As Twilio answers for a call no longer in the queue (calls._rest_error).
            raise Conflict("the simulated caller is no longer waiting", "not_waiting")
        # The caller hears the counsellor's phone ring: "calling <counsellor>".
        self.store.add_outbound(caller, _target(url), "system", kind="call")
        waited = _seconds(call.queued or call.started, time.monotonic())
        await self._hook(call, call.left_url, QueueResult="redirected", QueueTime=waited)
        self._put_through(call, await self._hook(call, url))
        return call_sid

    async def call(self, to: str, url: str, status_callback: str) -> str:
        sid = self.store.add_outbound(to, to, "system", kind="call")
        call = CallSession(sid, to, "outbound-api", status_callback=status_callback)
        # The person answers: Twilio fetches the call's URL, which dials the counsellor.
        self._put_through(call, await self._hook(call, url))
        return sid

    def _put_through(self, call: CallSession, root: ElementTree.Element) -> None:
        dial = root.find("Dial")
        if dial is None:
            return  # the line said something and hung up: nothing to connect
        client = dial.findtext("Client")
        call.target = f"client:{client}" if client else dial.findtext("Number") or "?"
        call.dial_action = dial.get("action") or ""
        call.leg_sid = "CAsim" + secrets.token_hex(14)
        call.connected = time.monotonic()
        self.store.calls[call.sid] = call
        self.store.add_call_state(call, "connected", call.target)

    async def hang_up(self, sid: str, by: str) -> dict[str, object]:
        """Either side hangs up: Twilio's requests for the end of the call, in its order."""
        if by not in SIDES:
            raise Invalid("by is caller or counsellor")
        call = self.store.calls.get(sid)
        if call is None:
            raise NotFound("no simulated call with that sid is going on", "no_call")
        if call.connected is None and by == "counsellor":
            raise Conflict("no counsellor is on this call yet", "not_connected")
        # Taken out before the first await, so a second hang-up finds no call.
        del self.store.calls[sid]
        now = time.monotonic()
        try:
            if call.connected is None:
                queued = _seconds(call.queued or call.started, now)
                await self._hook(call, call.left_url, QueueResult="hangup", QueueTime=queued)
                talked = None
            else:
                talked = _seconds(call.connected, now)
                await self._hook(
                    call,
                    call.dial_action,
                    DialCallSid=call.leg_sid,
                    DialCallStatus="completed",
                    DialCallDuration=talked,
                )
            total = _seconds(call.started, now)
            await self._hook(call, call.status_callback, CallStatus="completed", CallDuration=total)
        except Exception:
            # Nothing recorded twice on a retry: every event has its own provider id.
            self.store.calls[sid] = call
            raise
        self.store.add_call_state(call, "ended", f"{talked or total} s")
        return {"sid": sid, "by": by, "seconds": int(total), "talked": talked and int(talked)}
