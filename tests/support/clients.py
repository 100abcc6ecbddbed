"""Real clients: a visitor on Socket.IO /chat and a counsellor on the REST API and /inbox."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from typing import Any

import aiohttp
import socketio

Predicate = Any


class EventLog:
    """Every event a socket received, and a way to wait for one."""

    def __init__(self) -> None:
        self.events: defaultdict[str, list[Any]] = defaultdict(list)
        self._changed = asyncio.Condition()

    async def record(self, event: str, data: Any) -> None:
        async with self._changed:
            self.events[event].append(data)
            self._changed.notify_all()

    async def wait_for(self, event: str, predicate: Predicate = None, limit_s: float = 10.0) -> Any:
        def found() -> Any:
            for data in self.events[event]:
                if predicate is None or predicate(data):
                    return data
            return None

        async with asyncio.timeout(limit_s), self._changed:
            while (match := found()) is None:
                await self._changed.wait()
            return match


def _listen(client: socketio.AsyncClient, namespace: str, log: EventLog) -> None:
    async def catch_all(event: str, *args: Any) -> None:
        await log.record(event, args[0] if args else None)

    client.on("*", catch_all, namespace=namespace)


class Visitor:
    def __init__(self, base_url: str, language: str = "da") -> None:
        self.base_url = base_url
        self.language = language
        self.token: str | None = None
        self.last_seen_id = 0
        self.client: socketio.AsyncClient | None = None
        self.log = EventLog()
        self.connect_error: Any = None

    async def connect(
        self, *, token: str | None = None, last_seen_id: int | None = None, fresh_log: bool = True
    ) -> Visitor:
        if fresh_log:
            self.log = EventLog()
        self.client = socketio.AsyncClient(reconnection=False)
        _listen(self.client, "/chat", self.log)
        errors: list[Any] = []
        self.client.on("connect_error", lambda data: errors.append(data), namespace="/chat")
        auth: dict[str, Any] = {"language": self.language}
        if token or self.token:
            auth["visitor_token"] = token or self.token
        if last_seen_id is not None:
            auth["last_seen_id"] = last_seen_id
        try:
            await self.client.connect(
                self.base_url,
                namespaces=["/chat"],
                auth=auth,
                transports=["websocket"],
                wait_timeout=10,
            )
        except socketio.exceptions.ConnectionError:
            self.connect_error = errors[0] if errors else "refused"
            raise
        session = await self.log.wait_for("session")
        self.token = session["visitor_token"]
        return self

    async def send(self, text: str, client_id: str | None = None) -> dict[str, Any]:
        assert self.client is not None
        ack = await self.client.call(
            "message",
            {"client_id": client_id or uuid.uuid4().hex, "text": text},
            namespace="/chat",
            timeout=10,
        )
        return dict(ack)

    async def emit(self, event: str, data: Any) -> Any:
        assert self.client is not None
        return await self.client.call(event, data, namespace="/chat", timeout=10)

    async def message(self, predicate: Predicate) -> dict[str, Any]:
        found = await self.log.wait_for("message", predicate)
        self.last_seen_id = max(self.last_seen_id, found["id"])
        return dict(found)

    async def disconnect(self) -> None:
        if self.client is not None:
            await self.client.disconnect()


class Counsellor:
    def __init__(self, base_url: str, email: str, password: str) -> None:
        self.base_url = base_url
        self.email = email
        self.password = password
        self.http = aiohttp.ClientSession(base_url)
        self.token = ""
        self.inbox: socketio.AsyncClient | None = None
        self.log = EventLog()

    async def login(self) -> Counsellor:
        async with self.http.post(
            "/api/auth/login", json={"email": self.email, "password": self.password}
        ) as response:
            assert response.status == 200, await response.text()
            self.token = (await response.json())["token"]
        return self

    async def request(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        async with self.http.request(method, path, headers=headers, **kwargs) as response:
            body = (
                await response.json()
                if response.content_type == "application/json"
                else await response.text()
            )
            return response.status, body

    async def connect_inbox(self) -> Counsellor:
        self.inbox = socketio.AsyncClient(reconnection=False)
        _listen(self.inbox, "/inbox", self.log)
        await self.inbox.connect(
            self.base_url,
            namespaces=["/inbox"],
            auth={"token": self.token},
            transports=["websocket"],
            wait_timeout=10,
        )
        await self.log.wait_for("queue.updated")
        return self

    async def close(self) -> None:
        if self.inbox is not None:
            await self.inbox.disconnect()
        await self.http.close()
