"""Web chat: the embeddable widget and its Socket.IO namespace /chat."""

CHANNEL = "chat"
