"""The baseline: a bare python-socketio server that does no work but relay.

It acks a visitor's `message` on /chat and emits it to the counsellors on
/inbox, exactly the path eGuidance measures, minus storage, triage and queue.
"""

from __future__ import annotations

import itertools
import sys
from typing import Any

import socketio
from aiohttp import web


def create_app() -> web.Application:
    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
    app = web.Application()
    sio.attach(app)
    ids = itertools.count(1)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app.router.add_get("/healthz", healthz)

    @sio.on("connect", namespace="/inbox")
    async def counsellor_connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        await sio.enter_room(sid, "counsellors", namespace="/inbox")

    @sio.on("message", namespace="/chat")
    async def visitor_message(sid: str, data: dict[str, Any]) -> dict[str, Any]:
        message_id = next(ids)
        await sio.emit(
            "message.created",
            {"conversation_id": 0, "message": {"id": message_id, "text": data["text"]}},
            room="counsellors",
            namespace="/inbox",
        )
        return {"id": message_id}

    return app


if __name__ == "__main__":
    web.run_app(create_app(), host="127.0.0.1", port=int(sys.argv[1]), print=None)
