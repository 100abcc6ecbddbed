"""Delivers replies to the visitor's live sockets (every tab, on any node)."""

from __future__ import annotations

from channels.webchat.events import visitor_message
from server.messages import OutboundMessage
from server.realtime import Notifier


class WebChatSender:
    def __init__(self, notifier: Notifier) -> None:
        self.notifier = notifier

    async def send(self, message: OutboundMessage) -> str | None:
        # A visitor who is offline gets the message from replay when they return,
        # so the emit itself cannot fail the delivery.
        await self.notifier.to_conversation(
            message.conversation_id,
            "message",
            visitor_message(
                message.message_id,
                message.author_kind,
                message.author_name,
                message.text,
                message.created_at,
                None,
            ),
        )
        return None
