"""Counsellor accounts: create, authenticate, look up, presence, the team's workload."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server import tables as t
from server.auth import hash_password, new_session_id, verify_password
from server.errors import Conflict, Invalid
from server.models import Role, Status, utcnow

if TYPE_CHECKING:
    from server.realtime import Notifier

PRESENCE = ("available", "away", "offline")
HANDLING = (Status.ACTIVE.value, Status.PENDING.value)
# last_seen_at is written at most this often per session: a request costs one read.
TOUCH_EVERY = timedelta(minutes=1)
# Expired session rows are kept this long (who signed in from where), then deleted.
KEEP_ENDED_SESSIONS = timedelta(days=7)


@dataclass(frozen=True)
class Identity:
    """The signed-in counsellor, as the API and the inbox see them."""

    id: int
    email: str
    name: str
    role: str
    # The server-side session the request came with (None outside a request).
    session_id: str | None = None

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


def _session_lives(now: datetime) -> ColumnElement[bool]:
    """A session counts while it is not revoked, not expired and its account is active."""
    s, k = t.counsellor_sessions, t.counsellors
    return (s.c.revoked_at.is_(None)) & (s.c.expires_at > now) & (k.c.active.is_(True))


async def open_session(
    engine: AsyncEngine, counsellor_id: int, ttl_s: int, user_agent: str, ip: str
) -> str:
    """A new session for a login; also forgets this counsellor's long-ended ones."""
    now, s = utcnow(), t.counsellor_sessions
    session_id = new_session_id()
    async with engine.begin() as conn:
        await conn.execute(
            delete(s).where(
                s.c.counsellor_id == counsellor_id, s.c.expires_at < now - KEEP_ENDED_SESSIONS
            )
        )
        await conn.execute(
            insert(s).values(
                id=session_id,
                counsellor_id=counsellor_id,
                created_at=now,
                last_seen_at=now,
                expires_at=now + timedelta(seconds=ttl_s),
                user_agent=user_agent[:200] or None,
                ip=ip[:64] or None,
            )
        )
    return session_id


async def session_identity(
    engine: AsyncEngine, counsellor_id: int, session_id: str
) -> Identity | None:
    """Who holds this live session, in the one query a request costs; None when the
    session is revoked, expired or unknown, or the account was deactivated."""
    now, s, k = utcnow(), t.counsellor_sessions, t.counsellors
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(k.c.id, k.c.email, k.c.name, k.c.role, s.c.last_seen_at)
                .join_from(s, k, s.c.counsellor_id == k.c.id)
                .where(s.c.id == session_id, s.c.counsellor_id == counsellor_id)
                .where(_session_lives(now))
            )
        ).first()
    if row is None:
        return None
    if row.last_seen_at < now - TOUCH_EVERY:
        async with engine.begin() as conn:
            await conn.execute(
                update(s)
                .where(s.c.id == session_id, s.c.last_seen_at < now - TOUCH_EVERY)
                .values(last_seen_at=now)
            )
    return Identity(row.id, row.email, row.name, row.role, session_id)


async def live_sessions(engine: AsyncEngine, session_ids: Iterable[str]) -> set[str]:
    """Which of these sessions still count (the inbox sockets' periodic re-check)."""
    ids = list(session_ids)
    if not ids:
        return set()
    s, k = t.counsellor_sessions, t.counsellors
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(s.c.id)
            .join_from(s, k, s.c.counsellor_id == k.c.id)
            .where(s.c.id.in_(ids))
            .where(_session_lives(utcnow()))
        )
        return set(rows.scalars())


async def end_session(engine: AsyncEngine, session_id: str) -> None:
    """Logout: this session only; the counsellor's other devices stay signed in."""
    s = t.counsellor_sessions
    async with engine.begin() as conn:
        await conn.execute(
            update(s)
            .where(s.c.id == session_id, s.c.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


async def end_all_sessions(conn: AsyncConnection, counsellor_id: int) -> None:
    """Every session of the account (deactivation, a new password), in the caller's
    transaction, so the change and the revocation commit together."""
    s = t.counsellor_sessions
    await conn.execute(
        update(s)
        .where(s.c.counsellor_id == counsellor_id, s.c.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def deactivate_counsellor(engine: AsyncEngine, counsellor_id: int) -> bool:
    """The account can no longer sign in and its sessions end; False when unknown."""
    async with engine.begin() as conn:
        result = await conn.execute(
            update(t.counsellors)
            .where(t.counsellors.c.id == counsellor_id)
            .values(active=False, presence="offline")
        )
        if not result.rowcount:
            return False
        await end_all_sessions(conn, counsellor_id)
    return True


async def set_presence(engine: AsyncEngine, counsellor_id: int, presence: str) -> None:
    if presence not in PRESENCE:
        raise Invalid(f"presence must be one of {', '.join(PRESENCE)}")
    async with engine.begin() as conn:
        await conn.execute(
            update(t.counsellors)
            .where(t.counsellors.c.id == counsellor_id)
            .values(presence=presence)
        )


async def come_online(engine: AsyncEngine, counsellor_id: int) -> bool:
    """The first inbox socket: offline becomes available; a chosen "away" stays.
    True when the presence changed."""
    k = t.counsellors
    async with engine.begin() as conn:
        result = await conn.execute(
            update(k)
            .where(k.c.id == counsellor_id, k.c.presence == "offline")
            .values(presence="available")
        )
    return bool(result.rowcount)


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
