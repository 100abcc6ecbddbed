"""SQLite for SQLAlchemy's asyncio engine, called on the event loop's own thread.

aiosqlite hands every cursor call to a worker thread and back: cursor, execute,
fetch and close are four hops per statement, each waiting for the event loop to
come round. Under load a one-message transaction (about seven statements, 27 hops)
spent most of its 25 ms there. SQLite in WAL mode with synchronous=NORMAL answers
in microseconds and does not fsync on commit, so calling it directly costs less
than one hop. The price: a slow query (a dashboard over years of rows) holds the
loop while it runs. Several nodes use PostgreSQL, not this.

The classes below offer the awaitable interface SQLAlchemy's aiosqlite dialect
drives (the same one aiosqlite offers); every awaitable is finished when it is
returned, so awaiting it never gives up the loop.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any


class LoopCursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> LoopCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = ()) -> LoopCursor:
        self._cursor.execute(sql, parameters if parameters is not None else ())
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> LoopCursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class _RunNow:
    """Stands in for aiosqlite's request queue, which SQLAlchemy uses to set the
    isolation level: the function runs at once and its future is already done."""

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:  # the future carries it to the awaiting caller
            future.set_exception(error)


class LoopConnection:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        self._connection: sqlite3.Connection | None = connection
        self._tx = _RunNow()

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> LoopCursor:
        return LoopCursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Any = ()) -> LoopCursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    def stop(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()


def connector(path: str, timeout_s: float) -> Callable[[], Any]:
    """The async_creator for create_async_engine."""

    async def connect() -> LoopConnection:
        # isolation_level=None: SQLAlchemy issues BEGIN itself (server.db makes it
        # BEGIN IMMEDIATE).
        return LoopConnection(sqlite3.connect(path, timeout=timeout_s, isolation_level=None))

    return connect
