"""Admins edit a counsellor: name, role, languages, channels and capacity.

The rules that read these live in counsellor_ui/api.py (take next); this module only
checks a change and stores it. An empty list of channels means every channel."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server import tables as t
from server.accounts import HANDLING
from server.errors import Invalid, NotFound
from server.models import Role

LANGUAGES = ("da", "en")
CHANNELS = ("chat", "sms", "email", "voice")
MAX_CAPACITY = 50
MAX_NAME = 200
FIELDS = ("name", "role", "languages", "channels", "capacity")


def _choices(value: object, allowed: tuple[str, ...], field: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(f"{field} must be a list of {', '.join(allowed)}")
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise Invalid(f"unknown {field}: {', '.join(unknown)}; allowed: {', '.join(allowed)}")
    return [v for v in allowed if v in value]  # one order, no repeats


def checked_changes(body: dict[str, Any]) -> dict[str, Any]:
    """The columns to write, checked; raises Invalid with the reason."""
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise Invalid(f"cannot change {', '.join(unknown)}; only {', '.join(FIELDS)}")
    changes: dict[str, Any] = {}
    if "name" in body:
        name = body["name"]
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
            raise Invalid(f"name must be text of 1 to {MAX_NAME} characters")
        changes["name"] = name.strip()
    if "role" in body:
        if body["role"] not in {r.value for r in Role}:
            raise Invalid(f"role must be one of {', '.join(r.value for r in Role)}")
        changes["role"] = body["role"]
    if "languages" in body:
        languages = _choices(body["languages"], LANGUAGES, "languages")
        if not languages:
            raise Invalid("a counsellor needs at least one language", "no_language")
        changes["languages"] = languages
    if "channels" in body:
        changes["channels"] = _choices(body["channels"], CHANNELS, "channels")
    if "capacity" in body:
        capacity = body["capacity"]
        if not isinstance(capacity, int) or isinstance(capacity, bool):
            raise Invalid("capacity must be a whole number")
        if not 0 <= capacity <= MAX_CAPACITY:
            raise Invalid(f"capacity must be between 0 and {MAX_CAPACITY}")
        changes["capacity"] = capacity
    if not changes:
        raise Invalid(f"give at least one of {', '.join(FIELDS)}")
    return changes


async def update_counsellor(
    engine: AsyncEngine, counsellor_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    """Writes checked changes; returns the values before, for the audit trail."""
    k = t.counsellors
    async with engine.begin() as conn:
        before = (
            await conn.execute(
                select(*(k.c[field] for field in changes)).where(k.c.id == counsellor_id)
            )
        ).first()
        if before is None:
            raise NotFound(f"counsellor {counsellor_id} does not exist")
        await conn.execute(update(k).where(k.c.id == counsellor_id).values(**changes))
    return dict(before._mapping)


async def serving_profile(conn: AsyncConnection, counsellor_id: int) -> Any:
    """Languages, channels, capacity and how many conversations they handle now."""
    k, c = t.counsellors, t.conversations
    handling = (
        select(func.count())
        .where(c.c.assignee_id == counsellor_id, c.c.status.in_(HANDLING))
        .scalar_subquery()
    )
    return (
        await conn.execute(
            select(k.c.languages, k.c.channels, k.c.capacity, handling.label("handling")).where(
                k.c.id == counsellor_id
            )
        )
    ).one()
