"""The sandbox simulator's page token: one per process, shared by every channel's
simulator, so one page can drive SMS, calls and e-mail.

The simulator's pages carry it and its POSTs must echo it in X-Simulator-Token:
another site can neither read it nor make a browser send that header.
"""

from __future__ import annotations

import secrets

from aiohttp import web

TOKEN_HEADER = "X-Simulator-Token"


class PageToken:
    def __init__(self) -> None:
        self.value = secrets.token_urlsafe(24)

    def accepts(self, request: web.Request) -> bool:
        return secrets.compare_digest(request.headers.get(TOKEN_HEADER, ""), self.value)
