"""Counsellor accounts: create, authenticate, look up, presence."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from server import tables as t
from server.auth import hash_password, verify_password
from server.errors import Conflict, Invalid
from server.models import Role, utcnow

PRESENCE = ("available", "away", "offline")


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
