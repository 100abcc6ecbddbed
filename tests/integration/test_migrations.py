"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL:
after `migrate` on an empty database, alembic's autogenerate comparison finds nothing
to add, drop or change."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

import server.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from server import db

# Server defaults the models do not declare, on purpose: adding a NOT NULL column to a
# table that already has rows needs one (0002 contact_address.opted_out).
MIGRATION_ONLY_DEFAULTS = {("contact_address", "opted_out")}


def differences(connection: Connection, compare_server_default: bool) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "compare_server_default": compare_server_default},
    )
    return list(compare_metadata(context, SQLModel.metadata))


def flat(diff: list[Any]) -> list[tuple[Any, ...]]:
    """Column changes come grouped in a list per column; the rest as one tuple each."""
    return [item for entry in diff for item in (entry if isinstance(entry, list) else [entry])]


async def test_the_migrated_schema_matches_the_models(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        assert await conn.run_sync(differences, False) == []
        defaults = flat(await conn.run_sync(differences, True))
    assert {(d[0], d[2], d[3]) for d in defaults} <= {
        ("modify_default", table, column) for table, column in MIGRATION_ONLY_DEFAULTS
    }


async def test_the_database_is_at_the_one_head_with_the_booking_index(
    engine: AsyncEngine,
) -> None:
    def read(connection: Connection) -> list[Any]:
        return list(inspect(connection).get_indexes("referral"))

    async with engine.connect() as conn:
        indexes = await conn.run_sync(read)
        versions = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars()
        assert list(versions) == ScriptDirectory.from_config(db.alembic_config()).get_heads()
    (booked,) = [i for i in indexes if i["name"] == "uq_referral_booked_slot"]
    assert booked["unique"] and booked["column_names"] == ["service_id", "slot"]
