"""The sandbox's phone network, in memory, per process: every SMS sent or received,
what the line said, and the calls in progress."""

from __future__ import annotations

import secrets
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

KEEP = 1000


@dataclass(frozen=True)
class SimulatedSms:
    id: int
    sid: str
    direction: str  # "in" (from a person) | "out" (from the service)
    number: str  # the person's number
    text: str
    author: str
    at: str
    # "sms" | "say" (what the phone line said) | "call" (calling <text>) | and the
    # state of a call: "waiting" (in the queue), "connected" (put through to <text>),
    # "ended" (after <text>)
    kind: str = "sms"


@dataclass
class CallSession:
    """A simulated call still going on: waiting in the queue, or put through."""

    sid: str
    number: str  # the person's number, E.164
    direction: str  # "inbound" (they called) | "outbound-api" (the service called them)
    lang: str = "da"
    status_callback: str = ""
    left_url: str = ""  # the <Enqueue action> while the caller waits in the queue
    started: float = field(default_factory=time.monotonic)
    queued: float | None = None
    # Set once a counsellor is on the line: the <Dial action>, who, and since when.
    dial_action: str = ""
    target: str = ""
    leg_sid: str = ""
    connected: float | None = None


class SimulatorStore:
    def __init__(self) -> None:
        self.messages: deque[SimulatedSms] = deque(maxlen=KEEP)
        self.calls: dict[str, CallSession] = {}
        self._next = 1

    def _add(
        self, sid: str, direction: str, number: str, text: str, author: str, kind: str = "sms"
    ) -> SimulatedSms:
        now = datetime.now(UTC).isoformat()
        sms = SimulatedSms(self._next, sid, direction, number, text, author, now, kind)
        self._next += 1
        self.messages.append(sms)
        return sms

    def add_outbound(self, number: str, text: str, author: str, kind: str = "sms") -> str:
        sid = ("CAsim" if kind == "call" else "SMsim") + secrets.token_hex(14)
        self._add(sid, "out", number, text, author, kind)
        return sid

    def add_inbound(self, sid: str, number: str, text: str, kind: str = "sms") -> None:
        self._add(sid, "in", number, text, "contact", kind)

    def add_call_state(self, call: CallSession, kind: str, text: str) -> None:
        """ "connected" or "ended", under the call's own sid so the page can tell which."""
        self._add(call.sid, "out", call.number, text, "system", kind)

    def since(self, after_id: int, number: str | None = None) -> list[dict[str, Any]]:
        return [
            asdict(m)
            for m in self.messages
            if m.id > after_id and (number is None or m.number == number)
        ]
