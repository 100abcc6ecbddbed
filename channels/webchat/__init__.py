"""Web chat: the embeddable widget and its Socket.IO namespace /chat."""

from __future__ import annotations

from typing import TYPE_CHECKING

CHANNEL = "chat"

if TYPE_CHECKING:
    from aiohttp import web


def install(app: web.Application) -> None:
    """Wire the channel into the app: namespace, sender, routes."""
    from channels.webchat import routes
    from channels.webchat.namespace import ChatNamespace
    from channels.webchat.sender import WebChatSender
    from server import keys

    app[keys.sio].register_namespace(ChatNamespace(app))
    app[keys.senders][CHANNEL] = WebChatSender(app[keys.notifier])
    routes.add_routes(app)
