"""Counsellor accounts: create, authenticate, look up, presence, the team's workload."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server import tables as t
from server.auth import hash_password, verify_password
from server.errors import Conflict, Invalid
from server.models import Role, Status, utcnow

if TYPE_CHECKING:
    from server.realtime import Notifier

PRESENCE = ("available", "away", "offline")
HANDLING = (Status.ACTIVE.value, Status.PENDING.value)


@dataclass(frozen=True)
class Identity:
    """The signed-in counsellor, as the API and the inbox see them."""

    id: int
    email: str
    name: str
    role: str

    @property
    def is_supervisor(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN)

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "email": self.email, "name": self.name, "role": self.role}


def normalise_email(email: str) -> str:
    return email.strip().lower()


def default_name(email: str) -> str:
    """'anna.jensen@…' → 'Anna Jensen': visitors see the first name, never an address."""
    local = email.split("@")[0]
    return (
        " ".join(part.capitalize() for part in re.split(r"[._\-+]+", local) if part) or "Vejleder"
    )


async def create_counsellor(
    engine: AsyncEngine, email: str, password: str, role: str, name: str | None = None
) -> Identity:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise Invalid(f"{email!r} is not an e-mail address")
    if role not in {r.value for r in Role}:
        raise Invalid(f"role must be one of {', '.join(r.value for r in Role)}")
    if len(password) < 8:
        raise Invalid("the password must have at least 8 characters")
    display = name or default_name(email)
    try:
        async with engine.begin() as conn:
            new_id = (
                await conn.execute(
                    insert(t.counsellors)
                    .values(
                        email=email,
                        name=display,
                        password_hash=hash_password(password),
                        role=role,
                        languages=["da", "en"],
                        channels=[],
                        capacity=4,
                        presence="offline",
                        active=True,
                        created_at=utcnow(),
                    )
                    .returning(t.counsellors.c.id)
                )
            ).scalar_one()
    except IntegrityError as exc:
        raise Conflict(f"a counsellor with e-mail {email} exists already") from exc
    return Identity(int(new_id), email, display, role)


async def authenticate(engine: AsyncEngine, email: str, password: str) -> Identity | None:
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(t.counsellors).where(
                    t.counsellors.c.email == normalise_email(email),
                    t.counsellors.c.active.is_(True),
                )
            )
        ).first()
    if not verify_password(row.password_hash if row else None, password) or row is None:
        return None
    return Identity(row.id, row.email, row.name, row.role)


async def identity(engine: AsyncEngine, counsellor_id: int) -> Identity | None:
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(t.counsellors).where(
                    t.counsellors.c.id == counsellor_id, t.counsellors.c.active.is_(True)
                )
            )
        ).first()
    return Identity(row.id, row.email, row.name, row.role) if row else None


async def set_presence(engine: AsyncEngine, counsellor_id: int, presence: str) -> None:
    if presence not in PRESENCE:
        raise Invalid(f"presence must be one of {', '.join(PRESENCE)}")
    async with engine.begin() as conn:
        await conn.execute(
            update(t.counsellors)
            .where(t.counsellors.c.id == counsellor_id)
            .values(presence=presence)
        )


async def team(conn: AsyncConnection, *, include_inactive: bool = False) -> list[dict[str, Any]]:
    """Each counsellor with presence, capacity and how many conversations they handle."""
    c, k = t.conversations, t.counsellors
    handling: dict[int, int] = dict(
        (
            await conn.execute(
                select(c.c.assignee_id, func.count())
                .where(c.c.status.in_(HANDLING), c.c.assignee_id.is_not(None))
                .group_by(c.c.assignee_id)
            )
        ).all()
    )
    query = select(k).order_by(k.c.name)
    if not include_inactive:
        query = query.where(k.c.active.is_(True))
    rows = (await conn.execute(query)).all()
    return [
        {
            "id": r.id,
            "name": r.name,
            "email": r.email,
            "role": r.role,
            "presence": r.presence,
            "capacity": r.capacity,
            "handling": int(handling.get(r.id, 0)),
            "languages": r.languages or [],
            "channels": r.channels or [],
            "active": r.active,
        }
        for r in rows
    ]


async def announce_team(engine: AsyncEngine, notifier: Notifier) -> None:
    """`counsellors.updated` on /inbox: every account (the inactive ones too, marked),
    after a presence, capacity or active status changed. Call after the commit."""
    async with engine.connect() as conn:
        items = await team(conn, include_inactive=True)
    await notifier.to_counsellors("counsellors.updated", {"items": items})
