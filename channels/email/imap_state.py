"""Settings of the optional IMAP source, and where it keeps its place in a mailbox:
the last delivered UID per mailbox and UIDVALIDITY, in the `email_imap_cursor` table."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import case, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from server import tables as t
from server.models import utcnow
from server.settings import EmailSettings

TLS_MODES = {"tls", "none"}


@dataclass(frozen=True)
class ImapSettings:
    host: str = ""  # empty: no IMAP source
    port: int = 993
    username: str = ""
    password: str = ""
    tls: str = "tls"  # "tls" (IMAPS, certificate verified) | "none" (loopback tests only)
    mailbox: str = "INBOX"
    poll_interval_s: float = 60.0  # without IDLE: how often to look for new mail
    idle_renew_s: float = 25 * 60.0  # re-issue IDLE before servers drop it (RFC 2177: 29 min)
    reconnect_max_s: float = 300.0  # the longest wait between reconnection attempts
    timeout_s: float = 30.0

    @classmethod
    def from_email_settings(cls, email: EmailSettings) -> ImapSettings:
        """The `[email] imap_<name>` keys."""
        return cls(**{f.name: getattr(email, f"imap_{f.name}") for f in fields(cls)})

    @property
    def enabled(self) -> bool:
        return bool(self.host)

    @property
    def mailbox_key(self) -> str:
        return f"{self.username}@{self.host}:{self.port}/{self.mailbox}"

    def check(self) -> None:
        if self.tls not in TLS_MODES:
            raise ValueError(f"email.imap_tls must be one of {sorted(TLS_MODES)}, not {self.tls!r}")


class CursorStore:
    """One row per mailbox: (uidvalidity, last_uid), written after every delivered
    message."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def last_uid(self, mailbox_key: str, uidvalidity: int) -> int:
        cursor = t.email_imap_cursors
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(cursor.c.uidvalidity, cursor.c.last_uid).where(
                        cursor.c.mailbox == mailbox_key
                    )
                )
            ).first()
        if row is None or row.uidvalidity != uidvalidity:
            # A new UIDVALIDITY renumbered the mailbox: start over (dedupe on
            # Message-ID makes the re-fetch harmless).
            return 0
        return int(row.last_uid)

    async def save(self, mailbox_key: str, uidvalidity: int, last_uid: int) -> None:
        cursor = t.email_imap_cursors
        async with self.engine.begin() as conn:
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            insert = dialect.insert(cursor).values(
                mailbox=mailbox_key, uidvalidity=uidvalidity, last_uid=last_uid, updated_at=utcnow()
            )
            new = insert.excluded
            # Under the same UIDVALIDITY the cursor never moves back: two nodes polling
            # one mailbox may finish their rounds out of order.
            same_box = cursor.c.uidvalidity == new.uidvalidity
            await conn.execute(
                insert.on_conflict_do_update(
                    index_elements=[cursor.c.mailbox],
                    set_={
                        "uidvalidity": new.uidvalidity,
                        "last_uid": case(
                            (same_box & (cursor.c.last_uid > new.last_uid), cursor.c.last_uid),
                            else_=new.last_uid,
                        ),
                        "updated_at": new.updated_at,
                    },
                )
            )
