"""Sandbox mode (no smtp_host): outgoing mail is kept in memory and shown as JSON at
GET /simulator/email.json, for the simulator page. Nothing leaves the server.

The route needs no token: it only reads, and without CORS headers another site's
page cannot read the answer (the /simulator page itself is public in sandbox mode).
"""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from aiohttp import web

KEEP = 500
SHOWN_HEADERS = (
    "From", "To", "Reply-To", "Subject", "Message-ID", "In-Reply-To", "References",
    "Auto-Submitted", "Content-Language",
)  # fmt: skip


class Mailbox:
    def __init__(self) -> None:
        self.mails: deque[dict[str, Any]] = deque(maxlen=KEEP)
        self._next = 1

    def add(self, message: EmailMessage) -> dict[str, Any]:
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        entry = {
            "id": self._next,
            "to": str(message["To"]),
            "subject": str(message["Subject"]),
            "message_id": str(message["Message-ID"]).strip("<>"),
            "headers": {name: str(message[name]) for name in SHOWN_HEADERS if message[name]},
            "text": text.get_content() if text is not None else "",
            "html": html.get_content() if html is not None else "",
            "at": datetime.now(UTC).isoformat(),
        }
        self._next += 1
        self.mails.append(entry)
        return entry

    def since(self, after: int, to: str | None = None) -> list[dict[str, Any]]:
        return [m for m in self.mails if m["id"] > after and (to is None or m["to"] == to)]


MAILBOX: web.AppKey[Mailbox] = web.AppKey("email_mailbox", Mailbox)


async def mailbox_json(request: web.Request) -> web.Response:
    mailbox = request.app[MAILBOX]
    try:
        after = int(request.query.get("after", "0"))
    except ValueError:
        return web.json_response({"error": "after must be a number"}, status=400)
    to = request.query.get("to") or None
    return web.json_response({"mails": mailbox.since(after, to.lower() if to else None)})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/simulator/email.json", mailbox_json)
