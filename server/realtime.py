"""Socket.IO: the server object, the rooms, and the events sent after each commit.

With a Redis URL the server uses AsyncRedisManager, so an emit on one node
reaches sockets on every node.
"""

from __future__ import annotations

import logging
from typing import Any

import socketio

from server.settings import Settings

log = logging.getLogger(__name__)

CHAT = "/chat"
INBOX = "/inbox"
COUNSELLORS_ROOM = "counsellors"


def conversation_room(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"


def counsellor_room(counsellor_id: int) -> str:
    return f"counsellor:{counsellor_id}"


def create_socket_server(settings: Settings) -> socketio.AsyncServer:
    manager = None
    if settings.redis.url:
        manager = socketio.AsyncRedisManager(settings.redis.url, channel=settings.redis.channel)
    return socketio.AsyncServer(
        async_mode="aiohttp",
        client_manager=manager,
        # The widget is embedded on other sites; /inbox checks the origin itself.
        cors_allowed_origins="*",
        max_http_buffer_size=64 * 1024,
        ping_interval=20,
        ping_timeout=20,
        logger=False,
        engineio_logger=False,
    )


class Notifier:
    """Sends realtime events. Call only after the transaction that caused them committed."""

    def __init__(self, sio: socketio.AsyncServer) -> None:
        self.sio = sio

    async def to_counsellors(self, event: str, data: Any) -> None:
        await self._emit(event, data, room=COUNSELLORS_ROOM, namespace=INBOX)

    async def to_counsellor(self, counsellor_id: int, event: str, data: Any) -> None:
        await self._emit(event, data, room=counsellor_room(counsellor_id), namespace=INBOX)

    async def to_conversation(self, conversation_id: int, event: str, data: Any) -> None:
        """To the person's live sockets (web chat) in this conversation."""
        await self._emit(event, data, room=conversation_room(conversation_id), namespace=CHAT)

    async def _emit(self, event: str, data: Any, *, room: str, namespace: str) -> None:
        # The data is stored already; a failed push is repaired by the client's
        # replay on reconnect, so it must not fail the request that caused it.
        try:
            await self.sio.emit(event, data, room=room, namespace=namespace)
        except Exception:
            log.exception("realtime emit %s to %s failed", event, room)


class StrictNamespace(socketio.AsyncNamespace):
    """A namespace that answers an unknown event with an error instead of ignoring it."""

    async def trigger_event(self, event: str, *args: Any) -> Any:
        if event in {"connect", "disconnect"} or hasattr(self, f"on_{event}"):
            return await super().trigger_event(event, *args)
        sid = args[0] if args else None
        log.info("%s socket %s sent unknown event %r", self.namespace, sid, event)
        error = {"code": "unknown_event", "message": f"unknown event {event!r}"}
        if sid is not None:
            await self.emit("error", error, to=sid)
        return {"error": error}


def refuse(code: str, message: str) -> socketio.exceptions.ConnectionRefusedError:
    """The error a connect handler raises; the client sees {message, data: {code, message}}."""
    log.info("socket refused: %s (%s)", code, message)
    return socketio.exceptions.ConnectionRefusedError(message, {"code": code, "message": message})
