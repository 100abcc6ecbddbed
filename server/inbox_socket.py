"""Socket.IO /inbox: counsellors' live feed. Refuses anyone not signed in."""

from __future__ import annotations

import logging
from collections import Counter
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from server import accounts, keys
from server.auth import SESSION_COOKIE, InvalidToken
from server.realtime import COUNSELLORS_ROOM, INBOX, StrictNamespace, counsellor_room, refuse

log = logging.getLogger(__name__)


class InboxNamespace(StrictNamespace):
    def __init__(self, app: web.Application) -> None:
        super().__init__(INBOX)
        self.app = app
        self._sockets_of: Counter[int] = Counter()

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        counsellor_id = self._authenticate(environ, auth)
        who = await accounts.identity(self.app[keys.engine], counsellor_id)
        if who is None:
            raise refuse("unauthorized", "this account no longer exists")
        await self.save_session(sid, {"counsellor_id": who.id, "name": who.name})
        await self.enter_room(sid, COUNSELLORS_ROOM)
        await self.enter_room(sid, counsellor_room(who.id))
        self._sockets_of[who.id] += 1
        self.app[keys.metrics].sockets.labels(INBOX).inc()
        first = self._sockets_of[who.id] == 1
        if first:
            await accounts.set_presence(self.app[keys.engine], who.id, "available")
        # Runs after the CONNECT packet is queued, so the client gets it.
        self.server.start_background_task(self._welcome, sid, first)

    def _authenticate(self, environ: dict[str, Any], auth: Any) -> int:
        signer = self.app[keys.signer]
        token = auth.get("token") if isinstance(auth, dict) else None
        if not token:
            token = _cookie(environ, SESSION_COOKIE)
            if token and not self._same_origin(environ):
                # A cookie is sent by any site's page; only our own pages may use it.
                raise refuse("bad_origin", "cookie login only from this site")
        if not token:
            raise refuse("unauthorized", "log in first")
        try:
            return signer.counsellor_id(token)
        except InvalidToken as exc:
            raise refuse("unauthorized", str(exc)) from exc

    def _same_origin(self, environ: dict[str, Any]) -> bool:
        origin = environ.get("HTTP_ORIGIN")
        if not origin:
            return True
        public = urlsplit(self.app[keys.settings].server.public_url).netloc
        return urlsplit(origin).netloc in {public, environ.get("HTTP_HOST", "")}

    async def _welcome(self, sid: str, presence_changed: bool) -> None:
        items = await self.app[keys.centre].queue_items()
        await self.emit("queue.updated", {"items": items}, to=sid)
        if presence_changed:
            await self._announce_team()

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        session = await self.get_session(sid)
        counsellor_id = session.get("counsellor_id")
        if counsellor_id is None:
            return
        self.app[keys.metrics].sockets.labels(INBOX).dec()
        self._sockets_of[counsellor_id] -= 1
        if self._sockets_of[counsellor_id] <= 0:
            del self._sockets_of[counsellor_id]
            await accounts.set_presence(self.app[keys.engine], counsellor_id, "offline")
            self.app[keys.centre].queue_broadcast.changed()
            await self._announce_team()

    async def _announce_team(self) -> None:
        await accounts.announce_team(self.app[keys.engine], self.app[keys.notifier])

    async def on_typing(self, sid: str, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict) or not isinstance(data.get("conversation_id"), int):
            return {"error": {"code": "invalid", "message": "typing needs a conversation_id"}}
        session = await self.get_session(sid)
        await self.app[keys.centre].notifier.to_conversation(
            data["conversation_id"],
            "typing",
            {
                "author": "counsellor",
                "author_name": session.get("name"),
                "typing": bool(data.get("typing")),
            },
        )
        return {"ok": True}


def _cookie(environ: dict[str, Any], name: str) -> str | None:
    header = environ.get("HTTP_COOKIE")
    if not header:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None
