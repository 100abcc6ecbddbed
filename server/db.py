"""Database engine, sessions and migrations for SQLite (embedded) and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from server import sqlite_on_loop
from server.settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any constant will do: it only has to be the same on every node.
MIGRATION_LOCK_ID = 740_531_001
BUSY_TIMEOUT_S = 5.0


def database_url(settings: Settings) -> str:
    """The async SQLAlchemy URL for the configured database."""
    url = settings.database.url.strip()
    if not url:
        return f"sqlite+aiosqlite:///{settings.data_path / 'eguidance.db'}"
    parsed = make_url(url)
    drivers = {
        "sqlite": "sqlite+aiosqlite",
        "postgresql": "postgresql+asyncpg",
        "postgres": "postgresql+asyncpg",
    }
    backend = parsed.drivername.split("+")[0]
    if backend not in drivers:
        raise ValueError(
            f"unsupported database URL {parsed.drivername!r}: use sqlite or postgresql"
        )
    return parsed.set(drivername=drivers[backend]).render_as_string(hide_password=False)


def create_engine(settings: Settings) -> AsyncEngine:
    url = database_url(settings)
    if url.startswith("sqlite"):
        db_path = make_url(url).database
        if db_path and db_path != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        # One connection: SQLite writes one transaction at a time anyway, and waiting
        # for the pool is an asyncio wait, where contending connections would sleep
        # in SQLite's busy handler. Callers must not hold one connection while
        # asking for another. It runs on the loop's thread (see sqlite_on_loop), so
        # a lock held by another process (the CLI) is waited for at most 5 s.
        engine = create_async_engine(
            url,
            pool_size=1,
            max_overflow=0,
            async_creator=sqlite_on_loop.connector(db_path or ":memory:", BUSY_TIMEOUT_S),
        )
        _use_immediate_transactions(engine)
        return engine
    return create_async_engine(
        url, pool_size=settings.database.pool_size, max_overflow=10, pool_pre_ping=True
    )


def _use_immediate_transactions(engine: AsyncEngine) -> None:
    """SQLite: take the write lock at BEGIN.

    A deferred transaction that reads and then writes can fail at once with
    SQLITE_BUSY when another connection wrote in between; BEGIN IMMEDIATE waits
    for the lock instead (up to the busy timeout).
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@asynccontextmanager
async def transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One unit of work: commits on success, rolls back on any error."""
    async with engine.begin() as conn:
        yield conn


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision; safe when several nodes start at once."""
    async with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        try:
            await conn.run_sync(_upgrade)
            await conn.commit()
        finally:
            if conn.dialect.name == "postgresql":
                await conn.execute(
                    text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID}
                )
                await conn.commit()


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _upgrade(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def ping(engine: AsyncEngine, limit_s: float = 2.0) -> None:
    async with asyncio.timeout(limit_s), engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
