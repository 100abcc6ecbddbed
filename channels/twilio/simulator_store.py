"""The sandbox's phone network: every SMS sent or received, in memory, per process."""

from __future__ import annotations

import secrets
from collections import deque
from dataclasses import asdict, dataclass
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
    kind: str = "sms"  # "sms" | "say" (what the phone line said) | "call" (calling <text>)


class SimulatorStore:
    def __init__(self) -> None:
        self.messages: deque[SimulatedSms] = deque(maxlen=KEEP)
        self._next = 1
        # Pages of this process carry it, and the simulator's POSTs must echo it in a
        # header: another site cannot make a browser send that header.
        self.token = secrets.token_urlsafe(24)

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

    def since(self, after_id: int, number: str | None = None) -> list[dict[str, Any]]:
        return [
            asdict(m)
            for m in self.messages
            if m.id > after_id and (number is None or m.number == number)
        ]
