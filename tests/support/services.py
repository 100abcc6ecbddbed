"""Reaching the real PostgreSQL and Redis on this machine's loopback ports.

Under CI (the CI variable set) a service that does not answer fails the test;
on a laptop the test is skipped with a message saying how to run it.
"""

from __future__ import annotations

import asyncio
import os
import uuid

import asyncpg
import pytest
import redis

PG_ADMIN_URL = os.environ.get("EGUIDANCE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("EGUIDANCE_TEST_REDIS", "redis://127.0.0.1:6379/0")


def unavailable(what: str, error: Exception) -> None:
    message = (
        f"{what} is not reachable ({error}); start it with scripts/services "
        "or run the whole suite with scripts/test"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create_pg_database() -> str:
    """A new empty database; returns its plain postgresql:// URL."""
    name = f"eguidance_test_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as exc:
        unavailable("PostgreSQL on 127.0.0.1:5432", exc)
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def check_redis() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        unavailable("Redis on 127.0.0.1:6379", exc)
    return REDIS_URL
