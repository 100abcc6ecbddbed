"""The IMAP source against a real Dovecot on loopback (scripts/mailserver), on SQLite
and PostgreSQL: mail in the mailbox becomes conversations, the cursor in
email_imap_cursor lets a restart fetch nothing twice, IDLE delivers mail appended
while connected, and a reconnect resyncs by UID."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import aioimaplib
import pytest
from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from channels.email.imap import IMAP_SETTINGS, IMAP_SOURCE, ImapSource
from channels.email.imap_state import CursorStore, ImapSettings
from server import keys
from server import tables as t
from server.app import create_app
from server.settings import Settings
from tests.support.server import free_port

MAILSERVER = Path(__file__).resolve().parents[2] / "scripts" / "mailserver"
USER, PASSWORD = "vejledning", "imap-test-password"


@dataclass
class Dovecot:
    directory: str
    port: int

    def start(self) -> None:
        subprocess.run(
            [str(MAILSERVER), "start", self.directory, str(self.port), USER, PASSWORD],
            check=True,
            timeout=30,
        )

    def stop(self) -> None:
        subprocess.run([str(MAILSERVER), "stop", self.directory], check=False, timeout=30)

    async def append(self, mail: EmailMessage) -> None:
        client = aioimaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        await client.wait_hello_from_server()
        assert (await client.login(USER, PASSWORD)).result == "OK"
        assert (await client.append(mail.as_bytes(), mailbox="INBOX")).result == "OK"
        await client.logout()

    async def uidvalidity(self) -> int:
        client = aioimaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        await client.wait_hello_from_server()
        assert (await client.login(USER, PASSWORD)).result == "OK"
        selected = await client.select("INBOX")
        await client.logout()
        return ImapSource._uidvalidity(selected.lines)


def dovecot_installed() -> bool:
    return bool(shutil.which("dovecot") or os.access("/usr/sbin/dovecot", os.X_OK))


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    if not dovecot_installed():
        message = "Dovecot is not installed: run scripts/mailserver install (as root)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Not under pytest's tmp_path: Dovecot's own users must reach the directory.
    directory = tempfile.mkdtemp(prefix="eguidance-dovecot-")
    os.chmod(directory, 0o755)
    server = Dovecot(directory, free_port())
    server.start()
    yield server
    server.stop()
    shutil.rmtree(directory, ignore_errors=True)


def person_mail(text: str, sender: str = "line@example.dk") -> EmailMessage:
    mail = EmailMessage()
    mail["Return-Path"] = f"<{sender}>"
    mail["Delivered-To"] = "vejledning@example.org"
    mail["From"] = f"Line <{sender}>"
    mail["To"] = "vejledning@example.org"
    mail["Subject"] = "Spørgsmål"
    mail["Message-ID"] = make_msgid(domain="example.dk")
    mail.set_content(text)
    return mail


def imap_settings(dovecot: Dovecot) -> ImapSettings:
    return ImapSettings(
        host="127.0.0.1",
        port=dovecot.port,
        username=USER,
        password=PASSWORD,
        tls="none",
        poll_interval_s=60,  # longer than any test: only IDLE can bring mail in time
        reconnect_max_s=1,
        timeout_s=5,
    )


@asynccontextmanager
async def running_app(base: Settings, dovecot: Dovecot) -> AsyncIterator[web.Application]:
    """The whole application in this process (on the parametrised database), with the
    IMAP source pointed at Dovecot."""
    settings = replace(
        base,
        email=replace(base.email, listen_port=0),
        opening_hours=replace(base.opening_hours, mode="always_open"),
    )
    app = create_app(settings)
    app[IMAP_SETTINGS] = imap_settings(dovecot)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        yield app
    finally:
        await runner.cleanup()


async def inbound_texts(app: web.Application) -> list[str]:
    m = t.messages
    async with app[keys.engine].connect() as conn:
        rows = await conn.execute(
            select(m.c.body).where(m.c.channel == "email", m.c.direction == "in").order_by(m.c.id)
        )
        return [row.body for row in rows]


async def wait_texts(app: web.Application, count: int, limit_s: float = 15) -> list[str]:
    async with asyncio.timeout(limit_s):
        while len(texts := await inbound_texts(app)) < count:  # noqa: ASYNC110 (a database)
            await asyncio.sleep(0.1)
    return texts


async def conversations(app: web.Application) -> int:
    async with app[keys.engine].connect() as conn:
        count = select(func.count()).select_from(t.conversations)
        return int((await conn.execute(count)).scalar_one())


async def idling(source: ImapSource) -> None:
    await asyncio.wait_for(source.idling.wait(), 15)


async def cursor(app: web.Application) -> tuple[int, int] | None:
    """(uidvalidity, last_uid) as the database holds them for the app's mailbox."""
    c = t.email_imap_cursors
    async with app[keys.engine].connect() as conn:
        row = (
            await conn.execute(
                select(c.c.uidvalidity, c.c.last_uid).where(
                    c.c.mailbox == app[IMAP_SETTINGS].mailbox_key
                )
            )
        ).first()
    return (int(row.uidvalidity), int(row.last_uid)) if row is not None else None


async def test_cursor_store_keeps_its_place_per_mailbox(engine: AsyncEngine) -> None:
    store = CursorStore(engine)
    # UIDs and UIDVALIDITY are unsigned 32-bit: larger than PostgreSQL's integer.
    big = 2**32 - 1
    assert await store.last_uid("a", big) == 0
    await store.save("a", big, 41)
    await store.save("a", big, 42)
    await store.save("b", 7, 3)
    assert await CursorStore(engine).last_uid("a", big) == 42
    assert await store.last_uid("b", 7) == 3
    # Under one UIDVALIDITY the cursor never goes back (a slower round finishing late).
    await store.save("a", big, 40)
    assert await store.last_uid("a", big) == 42
    # A new UIDVALIDITY renumbered the mailbox: start from the beginning, then move on.
    assert await store.last_uid("a", 8) == 0
    await store.save("a", 8, 1)
    assert await store.last_uid("a", 8) == 1
    assert await store.last_uid("a", big) == 0


async def test_mailbox_mail_arrives_and_a_restart_fetches_nothing_twice(
    dovecot: Dovecot, settings: Settings
) -> None:
    await dovecot.append(person_mail("Hej, jeg vil gerne vide mere om SU."))
    await dovecot.append(person_mail("Hvordan søger man ind?", sender="bo@example.dk"))
    uidvalidity = await dovecot.uidvalidity()
    async with running_app(settings, dovecot) as app:
        texts = await wait_texts(app, 2)
        await idling(app[IMAP_SOURCE])  # the round is over: its cursor is written
        assert texts == ["Hej, jeg vil gerne vide mere om SU.", "Hvordan søger man ind?"]
        assert await conversations(app) == 2
        assert app[IMAP_SOURCE].fetched == 2
        assert await cursor(app) == (uidvalidity, 2)

    await dovecot.append(person_mail("En ting mere."))
    async with running_app(settings, dovecot) as app:
        texts = await wait_texts(app, 3)
        await idling(app[IMAP_SOURCE])
        assert texts[-1] == "En ting mere."
        assert app[IMAP_SOURCE].fetched == 1  # only the new one
        assert await conversations(app) == 2  # Line's second mail continues hers
        assert await cursor(app) == (uidvalidity, 3)


async def test_the_database_cursor_decides_where_fetching_resumes(
    dovecot: Dovecot, settings: Settings, engine: AsyncEngine
) -> None:
    for text in ("Første.", "Anden.", "Tredje."):
        await dovecot.append(person_mail(text))
    uidvalidity = await dovecot.uidvalidity()
    mailbox = imap_settings(dovecot).mailbox_key
    # As a previous run would have left it: the first two delivered.
    await CursorStore(engine).save(mailbox, uidvalidity, 2)
    async with running_app(settings, dovecot) as app:
        await idling(app[IMAP_SOURCE])
        assert await inbound_texts(app) == ["Tredje."]
        assert app[IMAP_SOURCE].fetched == 1
        assert await cursor(app) == (uidvalidity, 3)

    # A cursor from another UIDVALIDITY means nothing: everything again, and dedupe on
    # Message-ID stores nothing twice.
    await CursorStore(engine).save(mailbox, uidvalidity + 1, 3)
    async with running_app(settings, dovecot) as app:
        await idling(app[IMAP_SOURCE])
        assert app[IMAP_SOURCE].fetched == 3
        assert await inbound_texts(app) == ["Tredje.", "Første.", "Anden."]
        assert await cursor(app) == (uidvalidity, 3)


async def test_idle_delivers_mail_appended_while_connected(
    dovecot: Dovecot, settings: Settings
) -> None:
    async with running_app(settings, dovecot) as app:
        source = app[IMAP_SOURCE]
        await idling(source)
        await dovecot.append(person_mail("Kommer den med det samme?"))
        assert await wait_texts(app, 1, limit_s=10) == ["Kommer den med det samme?"]
        assert source.fetched == 1 and source.sessions == 1


async def test_reconnect_resyncs_by_uid(dovecot: Dovecot, settings: Settings) -> None:
    await dovecot.append(person_mail("Før genstarten."))
    async with running_app(settings, dovecot) as app:
        source = app[IMAP_SOURCE]
        await wait_texts(app, 1)
        await idling(source)
        await asyncio.to_thread(dovecot.stop)
        await asyncio.sleep(0.5)
        await asyncio.to_thread(dovecot.start)
        await dovecot.append(person_mail("Efter genstarten."))
        texts = await wait_texts(app, 2, limit_s=20)
        assert texts == ["Før genstarten.", "Efter genstarten."]
        assert source.sessions >= 2
        assert source.fetched == 2  # nothing fetched twice after the reconnect
