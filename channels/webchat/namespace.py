"""Socket.IO /chat: turns a visitor's socket events into InboundMessages and back."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from aiohttp import web

from channels.webchat import CHANNEL
from channels.webchat.events import from_view, visitor_message
from server import keys, views
from server.auth import InvalidToken
from server.messages import InboundMessage
from server.models import utcnow
from server.queue import counsellors_online
from server.queue_broadcast import queue_position
from server.realtime import CHAT, StrictNamespace, conversation_room, refuse

log = logging.getLogger(__name__)
LANGUAGES = ("da", "en")


def visitor_room(visitor_id: str) -> str:
    return f"visitor:{visitor_id}"


def error_ack(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


class ChatNamespace(StrictNamespace):
    def __init__(self, app: web.Application) -> None:
        super().__init__(CHAT)
        self.app = app

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        auth = auth if isinstance(auth, dict) else {}
        signer = self.app[keys.signer]
        token = auth.get("visitor_token")
        if token:
            try:
                visitor_id = signer.visitor_id(token)
            except InvalidToken as exc:
                raise refuse("invalid_token", f"visitor token rejected: {exc}") from exc
        else:
            visitor_id = secrets.token_hex(16)
            token = signer.visitor_token(visitor_id)
        language = auth.get("language") if auth.get("language") in LANGUAGES else "da"
        last_seen = auth.get("last_seen_id")
        last_seen = last_seen if isinstance(last_seen, int) and last_seen >= 0 else 0
        settings = self.app[keys.settings]
        async with self.app[keys.engine].connect() as conn:
            conversation = await views.latest_conversation(
                conn, CHANNEL, visitor_id, settings.conversations.reopen_window_s
            )
        conversation_id = conversation["id"] if conversation else None
        await self.save_session(
            sid,
            {"visitor_id": visitor_id, "language": language, "conversation_id": conversation_id},
        )
        await self.enter_room(sid, visitor_room(visitor_id))
        if conversation_id is not None:
            await self.enter_room(sid, conversation_room(conversation_id))
        self.app[keys.metrics].sockets.labels(CHAT).inc()
        # Started last, so it runs after the CONNECT packet has been queued.
        self.server.start_background_task(self._welcome, sid, token, conversation_id, last_seen)

    async def _welcome(
        self, sid: str, token: str, conversation_id: int | None, last_seen: int
    ) -> None:
        await self.emit(
            "session", {"visitor_token": token, "conversation_id": conversation_id}, to=sid
        )
        centre = self.app[keys.centre]
        if conversation_id is not None:
            async with self.app[keys.engine].connect() as conn:
                missed = await views.messages(
                    conn,
                    conversation_id,
                    after_id=last_seen,
                    include_internal=False,
                    limit=self.app[keys.settings].chat.history_limit,
                )
            for view in missed:
                await self.emit("message", from_view(view), to=sid)
            await self.emit("queue", await queue_position(centre, conversation_id), to=sid)
        await self.emit("status", await self._status(), to=sid)

    async def _status(self) -> dict[str, Any]:
        async with self.app[keys.engine].connect() as conn:
            online = await counsellors_online(conn)
        return {"opening_hours": self.app[keys.hours].status(), "online": online}

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        self.app[keys.metrics].sockets.labels(CHAT).dec()

    async def on_message(self, sid: str, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            return error_ack("invalid", "send {client_id, text}")
        client_id, text = data.get("client_id"), data.get("text")
        if not isinstance(client_id, str) or not 0 < len(client_id) <= 100:
            return error_ack("invalid", "client_id must be a string of 1 to 100 characters")
        if not isinstance(text, str) or not text.strip():
            return error_ack("empty_message", "the message is empty")
        limit = self.app[keys.settings].chat.max_message_chars
        if len(text) > limit:
            log.info("chat message from %s over %s characters refused", sid, limit)
            return error_ack("too_long", f"a message can have at most {limit} characters")
        session = await self.get_session(sid)
        visitor_id = session["visitor_id"]
        inbound = InboundMessage(
            channel=CHANNEL,
            address=visitor_id,
            provider_id=f"{visitor_id}:{client_id}",
            text=text.strip(),
            language=session["language"],
            meta={"client_id": client_id, "language": session["language"]},
        )
        try:
            receipt = await self.app[keys.centre].receive(inbound)
        except Exception:
            log.exception("storing a chat message failed")
            return error_ack("try_again", "the message was not stored; send it again")
        if session.get("conversation_id") != receipt.conversation_id:
            await self._join_conversation(visitor_id, receipt.conversation_id)
        if not receipt.duplicate:
            await self.emit(
                "message",
                visitor_message(
                    receipt.message_id,
                    "contact",
                    None,
                    inbound.text,
                    views.iso(utcnow()),
                    client_id,
                ),
                room=conversation_room(receipt.conversation_id),
                skip_sid=sid,
            )
        return {"id": receipt.message_id, "conversation_id": receipt.conversation_id}

    async def _join_conversation(self, visitor_id: str, conversation_id: int) -> None:
        """Every socket of this visitor on this node joins the new conversation's room."""
        room = visitor_room(visitor_id)
        for sid, _eio_sid in list(self.server.manager.get_participants(CHAT, room)):
            session = await self.get_session(sid)
            session["conversation_id"] = conversation_id
            await self.save_session(sid, session)
            await self.enter_room(sid, conversation_room(conversation_id))
        await self.emit("session", {"conversation_id": conversation_id}, room=room)
        await self.emit(
            "queue", await queue_position(self.app[keys.centre], conversation_id), room=room
        )

    async def on_language(self, sid: str, data: Any) -> dict[str, Any]:
        language = data.get("language") if isinstance(data, dict) else None
        if language not in LANGUAGES:
            return error_ack("invalid", "language must be da or en")
        session = await self.get_session(sid)
        session["language"] = language
        await self.save_session(sid, session)
        return {"language": language}

    async def on_typing(self, sid: str, data: Any) -> None:
        session = await self.get_session(sid)
        if session.get("conversation_id") is None or not isinstance(data, dict):
            return
        await self.app[keys.centre].notifier.to_counsellors(
            "typing",
            {
                "conversation_id": session["conversation_id"],
                "author": "contact",
                "typing": bool(data.get("typing")),
            },
        )
