"""Contacts as the inbox sees them: read, edit the profile, merge two into one."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server import queue
from server import tables as t
from server.accounts import Identity
from server.errors import Invalid, NotFound
from server.models import utcnow
from server.views import iso

MAX_NAME = 200
MAX_PROFILE = 10_000
DANISH_POSTCODE = re.compile(r"[0-9]{4}")


async def contact_view(conn: AsyncConnection, contact_id: int) -> dict[str, Any]:
    row = (await conn.execute(select(t.contacts).where(t.contacts.c.id == contact_id))).first()
    if row is None:
        raise NotFound(f"contact {contact_id} does not exist")
    a, c = t.contact_addresses, t.conversations
    addresses = (
        await conn.execute(
            select(a.c.channel, a.c.address, a.c.opted_out)
            .where(a.c.contact_id == contact_id)
            .order_by(a.c.id)
        )
    ).all()
    conversations = (
        await conn.execute(
            select(c.c.id, c.c.channel, c.c.status, c.c.level, c.c.urgent, c.c.created_at)
            .where(c.c.contact_id == contact_id)
            .order_by(c.c.id.desc())
            .limit(50)
        )
    ).all()
    previews = await queue.last_previews(conn, [r.id for r in conversations])
    return {
        "id": row.id,
        "name": row.name,
        "language": row.language,
        "profile": row.profile or "",
        "postcode": row.postcode,
        "created_at": iso(row.created_at),
        "addresses": [
            {"channel": r.channel, "address": r.address, "opted_out": r.opted_out}
            for r in addresses
        ],
        "conversations": [
            {
                "id": r.id,
                "channel": r.channel,
                "status": r.status,
                "level": r.level,
                "urgent": r.urgent,
                "created_at": iso(r.created_at),
                "preview": previews.get(r.id, ""),
            }
            for r in conversations
        ],
    }


def postcode_value(raw: object) -> str | None:
    """A Danish postcode (four digits), or None to clear it (empty or null)."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise Invalid("postcode must be a string of four digits, or empty", "bad_postcode")
    value = raw.strip()
    if not value:
        return None
    if not DANISH_POSTCODE.fullmatch(value):
        raise Invalid(f"{value!r} is not a Danish postcode (four digits)", "bad_postcode")
    return value


def profile_changes(body: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if "name" in body:
        name = body["name"]
        if name is not None and not isinstance(name, str):
            raise Invalid("name must be a string or null")
        name = (name or "").strip()
        if len(name) > MAX_NAME:
            raise Invalid(f"name may have at most {MAX_NAME} characters")
        changes["name"] = name or None
    if "profile" in body:
        if not isinstance(body["profile"], str):
            raise Invalid("profile must be a string")
        if len(body["profile"]) > MAX_PROFILE:
            raise Invalid(f"profile may have at most {MAX_PROFILE} characters")
        changes["profile"] = body["profile"]
    if "postcode" in body:
        changes["postcode"] = postcode_value(body["postcode"])
    if not changes:
        raise Invalid("nothing to change: give name, profile or postcode")
    return changes


async def update_contact(
    engine: AsyncEngine, contact_id: int, who: Identity, body: dict[str, Any]
) -> dict[str, Any]:
    changes = profile_changes(body)
    async with engine.begin() as conn:
        result = await conn.execute(
            update(t.contacts).where(t.contacts.c.id == contact_id).values(**changes)
        )
        if not result.rowcount:
            raise NotFound(f"contact {contact_id} does not exist")
        await _audit(
            conn, who, "contact_update", {"contact_id": contact_id, "fields": sorted(changes)}
        )
        return await contact_view(conn, contact_id)


async def merge_contacts(
    engine: AsyncEngine, keep_id: int, other_id: int, who: Identity
) -> dict[str, Any]:
    """Moves the other contact's addresses and conversations to `keep_id`, joins the
    profiles, and deletes the other contact: all in one transaction."""
    if keep_id == other_id:
        raise Invalid("a contact cannot be merged with itself")
    c = t.contacts
    async with engine.begin() as conn:
        rows = {
            r.id: r
            for r in (await conn.execute(select(c).where(c.c.id.in_([keep_id, other_id])))).all()
        }
        for wanted in (keep_id, other_id):
            if wanted not in rows:
                raise NotFound(f"contact {wanted} does not exist")
        keep, other = rows[keep_id], rows[other_id]
        moved_addresses = (
            await conn.execute(
                update(t.contact_addresses)
                .where(t.contact_addresses.c.contact_id == other_id)
                .values(contact_id=keep_id)
            )
        ).rowcount
        moved_conversations = (
            await conn.execute(
                update(t.conversations)
                .where(t.conversations.c.contact_id == other_id)
                .values(contact_id=keep_id)
            )
        ).rowcount
        profiles = [p.strip() for p in (keep.profile, other.profile) if p and p.strip()]
        await conn.execute(
            update(c)
            .where(c.c.id == keep_id)
            .values(
                name=keep.name or other.name,
                language=keep.language or other.language,
                postcode=keep.postcode or other.postcode,
                profile="\n\n".join(profiles),
            )
        )
        await conn.execute(delete(c).where(c.c.id == other_id))
        await _audit(
            conn,
            who,
            "contact_merge",
            {
                "kept": keep_id,
                "merged": other_id,
                "merged_name": other.name,
                "addresses": moved_addresses,
                "conversations": moved_conversations,
            },
        )
        return await contact_view(conn, keep_id)


async def _audit(conn: AsyncConnection, who: Identity, action: str, data: dict[str, Any]) -> None:
    await conn.execute(
        insert(t.audit_events).values(
            at=utcnow(), actor_kind="counsellor", actor_id=who.id, action=action, data=data
        )
    )
