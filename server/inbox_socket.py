"""Socket.IO /inbox: counsellors' live feed. Refuses anyone not signed in, and drops
the sockets of a session that ended.

How a session's sockets end on every node: revoking is a database write (logout,
deactivation) or just time passing (expiry). Each node re-checks the sessions of its
own sockets every SESSION_CHECK_S in one query and disconnects those that ended; the
node that handled a logout also disconnects that session's sockets at once. An emit
through the Redis manager would not do: it reaches the clients on the other nodes,
never their namespace handlers, so it cannot make a node disconnect anyone, whereas
the database is what every node reads, and it also covers expiry and any change made
straight in the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

import socketio
from aiohttp import web

from server import accounts, keys
from server.auth import SESSION_COOKIE, InvalidToken
from server.realtime import COUNSELLORS_ROOM, INBOX, StrictNamespace, counsellor_room, refuse

log = logging.getLogger(__name__)
# How stale a revoked session's socket may get on a node that did not revoke it.
SESSION_CHECK_S = 5.0
# A page reload closes the last socket and opens a new one within a moment; going
# offline only after this long lets a chosen "away" survive the reload.
RECONNECT_GRACE_S = 5.0


class InboxNamespace(StrictNamespace):
    def __init__(self, app: web.Application) -> None:
        super().__init__(INBOX)
        self.app = app
        self._sockets_of: Counter[int] = Counter()
        self._sids_of_session: dict[str, set[str]] = {}
        self._watcher: asyncio.Task[None] | None = None
        self._going_offline: dict[int, asyncio.Task[None]] = {}

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        counsellor_id, session_id = self._authenticate(environ, auth)
        engine = self.app[keys.engine]
        who = await accounts.session_identity(engine, counsellor_id, session_id)
        if who is None:
            raise refuse("unauthorized", "your session has ended; log in again")
        await self.save_session(
            sid, {"counsellor_id": who.id, "name": who.name, "session_id": session_id}
        )
        self._sids_of_session.setdefault(session_id, set()).add(sid)
        self._watch_sessions()
        self._sockets_of[who.id] += 1
        self.app[keys.metrics].sockets.labels(INBOX).inc()
        await self.enter_room(sid, COUNSELLORS_ROOM)
        await self.enter_room(sid, counsellor_room(who.id))
        changed = False
        if self._sockets_of[who.id] == 1:
            pending = self._going_offline.pop(who.id, None)
            if pending is not None:
                pending.cancel()
            changed = await accounts.come_online(engine, who.id)
        # Runs after the CONNECT packet is queued, so the client gets it.
        self.server.start_background_task(self._welcome, sid, changed)

    def connected(self, counsellor_id: int) -> bool:
        """Whether the counsellor has an inbox socket on this node."""
        return self._sockets_of.get(counsellor_id, 0) > 0

    async def end_session(self, session_id: str) -> int:
        """Disconnects this node's sockets of the session; how many there were."""
        sids = list(self._sids_of_session.get(session_id, ()))
        for sid in sids:
            await self.disconnect(sid)
        return len(sids)

    async def drop_ended_sessions(self) -> None:
        """One query for all of this node's sessions; disconnects the ended ones."""
        ids = set(self._sids_of_session)
        for session_id in ids - await accounts.live_sessions(self.app[keys.engine], ids):
            log.info("inbox session ended: closing its sockets")
            await self.end_session(session_id)

    def _watch_sessions(self) -> None:
        if self._watcher is None or self._watcher.done():
            self._watcher = asyncio.create_task(self._recheck_sessions(), name="inbox-sessions")

    async def _recheck_sessions(self) -> None:
        # Runs while this node has sockets; the next connect starts it again.
        while self._sids_of_session:
            await asyncio.sleep(SESSION_CHECK_S)
            try:
                await self.drop_ended_sessions()
            except Exception:
                log.exception("re-checking the inbox sessions failed; trying again")

    def _authenticate(self, environ: dict[str, Any], auth: Any) -> tuple[int, str]:
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
            return signer.counsellor_session(token)
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
        self._forget(sid, session.get("session_id"))
        self.app[keys.metrics].sockets.labels(INBOX).dec()
        self._sockets_of[counsellor_id] -= 1
        if self._sockets_of[counsellor_id] > 0:
            return
        del self._sockets_of[counsellor_id]
        if reason == socketio.AsyncServer.reason.SERVER_DISCONNECT:
            # Ended session or node shutdown: no reload is coming on this node.
            await self._go_offline(counsellor_id)
        else:
            self._going_offline[counsellor_id] = asyncio.create_task(
                self._offline_after_grace(counsellor_id)
            )

    def _forget(self, sid: str, session_id: str | None) -> None:
        sids = self._sids_of_session.get(session_id or "")
        if sids is not None:
            sids.discard(sid)
            if not sids:
                del self._sids_of_session[session_id or ""]
        watcher = self._watcher
        # Not from inside the watcher: it may be closing several sessions, and it
        # stops by itself once none are left.
        if (
            watcher is not None
            and not self._sids_of_session
            and watcher is not asyncio.current_task()
        ):
            watcher.cancel()
            self._watcher = None

    async def _offline_after_grace(self, counsellor_id: int) -> None:
        await asyncio.sleep(RECONNECT_GRACE_S)
        self._going_offline.pop(counsellor_id, None)
        if self.connected(counsellor_id):
            return
        try:
            await self._go_offline(counsellor_id)
        except Exception:
            log.exception("setting counsellor %s offline failed", counsellor_id)

    async def _go_offline(self, counsellor_id: int) -> None:
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


def namespace(app: web.Application) -> InboxNamespace:
    handler = app[keys.sio].namespace_handlers.get(INBOX)
    if not isinstance(handler, InboxNamespace):
        raise RuntimeError("the /inbox namespace is not registered")
    return handler
