"""The optional IMAP source, for services whose mailbox lives elsewhere.

It logs in, selects the mailbox, delivers every message with a UID above the last
one it delivered (through the same inbound path as the SMTP listener), then waits
with IDLE where the server offers it, or polls. The last UID per mailbox and
UIDVALIDITY is stored (table email_imap_cursor) after each message, so a restart or
reconnect resyncs from there; a message delivered but not yet recorded is fetched
again, which dedupe on Message-ID makes harmless. A failure to store stops the round
without moving the cursor: the message is fetched again after the reconnect (with
backoff).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable

import aioimaplib
from aiohttp import web

from channels.email.imap_state import CursorStore, ImapSettings
from channels.email.inbound import Delivered, deliver
from channels.email.parsing import header, message_ids, parse_bytes
from server import keys

log = logging.getLogger(__name__)
UIDVALIDITY = re.compile(rb"\[UIDVALIDITY (\d+)\]")
Deliver = Callable[[bytes], Awaitable[Delivered]]


class ImapError(Exception):
    """The server refused something (login, select, fetch)."""


def envelope_of(raw: bytes, service_address: str) -> tuple[str, list[str]]:
    """(envelope sender, recipients) as the delivering server recorded them: the
    Return-Path ("" for a bounce) and Delivered-To/X-Original-To (plus-address tokens)."""
    try:
        message = parse_bytes(raw)
    except Exception:
        return "", [service_address]
    return_path = header(message, "Return-Path")
    ids = message_ids(return_path) if return_path.strip("<> ") else []
    sender = ids[0] if ids else ("" if return_path else header(message, "From"))
    recipients = [
        value.strip("<> ")
        for name in ("Delivered-To", "X-Original-To")
        if (value := header(message, name))
    ]
    return sender, recipients or [service_address]


def _literal(lines: list[bytes | bytearray]) -> bytes | None:
    for line in lines:
        if isinstance(line, bytearray):
            return bytes(line)
    return None


class ImapSource:
    def __init__(self, settings: ImapSettings, store: CursorStore, deliver: Deliver) -> None:
        settings.check()
        self.settings = settings
        self.store = store
        self.deliver = deliver
        self.fetched = 0  # messages fetched from the server by this process
        self.sessions = 0  # successful logins, for tests and logs
        self.idling = asyncio.Event()  # set while an IDLE is in progress
        self._lost = asyncio.Event()

    async def run(self) -> None:
        """Forever: a session, and after a failure a reconnect with backoff."""
        backoff = 1.0
        while True:
            sessions = self.sessions
            try:
                await self._session()
            except (asyncio.CancelledError, KeyboardInterrupt):
                raise
            except Exception as exc:
                log.warning("IMAP %s: %r; reconnecting in %.0fs", self._name, exc, backoff)
            self.idling.clear()
            if self.sessions > sessions:
                backoff = 1.0  # that session worked: the next attempt comes soon
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.settings.reconnect_max_s)

    @property
    def _name(self) -> str:
        return self.settings.mailbox_key

    def _connect(self) -> aioimaplib.IMAP4:
        s = self.settings
        self._lost = asyncio.Event()

        def lost(_: Exception | None) -> None:
            self._lost.set()

        context = ssl.create_default_context() if s.tls == "tls" else None
        return aioimaplib.IMAP4(
            s.host, s.port, timeout=s.timeout_s, conn_lost_cb=lost, ssl_context=context
        )

    async def _session(self) -> None:
        client = self._connect()
        try:
            await client.wait_hello_from_server()
            answer = await client.login(self.settings.username, self.settings.password)
            if answer.result != "OK":
                raise ImapError(f"login refused: {answer.lines[-1:]!r}")
            selected = await client.select(self.settings.mailbox)
            if selected.result != "OK":
                raise ImapError(f"select {self.settings.mailbox} refused: {selected.lines[-1:]!r}")
            uidvalidity = self._uidvalidity(selected.lines)
            self.sessions += 1
            log.info("IMAP %s connected (UIDVALIDITY %s)", self._name, uidvalidity)
            idle = client.has_capability("IDLE")
            while not self._lost.is_set():
                await self._fetch_new(client, uidvalidity)
                if idle:
                    await self._idle(client)
                else:
                    await self._poll_wait()
            raise ImapError("connection lost")
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.logout(), 2)

    @staticmethod
    def _uidvalidity(lines: list[bytes]) -> int:
        for line in lines:
            found = UIDVALIDITY.search(bytes(line))
            if found:
                return int(found.group(1))
        raise ImapError("the server sent no UIDVALIDITY")

    async def _fetch_new(self, client: aioimaplib.IMAP4, uidvalidity: int) -> None:
        last = await self.store.last_uid(self._name, uidvalidity)
        found = await client.uid_search(f"UID {last + 1}:*", charset=None)
        if found.result != "OK":
            raise ImapError(f"search refused: {found.lines[-1:]!r}")
        # "n:*" always matches the highest UID, even one below n: keep only new ones.
        uids = sorted(
            {int(x) for line in found.lines[:-1] for x in bytes(line).split() if x.isdigit()}
        )
        for uid in (u for u in uids if u > last):
            fetched = await client.uid("fetch", str(uid), "(UID BODY.PEEK[])")
            raw = _literal(fetched.lines) if fetched.result == "OK" else None
            if raw is None:
                raise ImapError(f"fetch of UID {uid} failed: {fetched.lines[-1:]!r}")
            self.fetched += 1
            result = await self.deliver(raw)  # raises when storing failed: cursor stays
            if result.code != 250:
                log.warning("IMAP %s UID %s not stored: %s", self._name, uid, result.reply)
            await self.store.save(self._name, uidvalidity, uid)

    async def _idle(self, client: aioimaplib.IMAP4) -> None:
        """Wait until the server reports new mail, the renew time passes or the
        connection drops."""
        idle = await client.idle_start(timeout=self.settings.idle_renew_s)
        self.idling.set()
        try:
            while client.has_pending_idle() and not self._lost.is_set():
                push = asyncio.ensure_future(client.wait_server_push())
                lost = asyncio.ensure_future(self._lost.wait())
                done, _ = await asyncio.wait({push, lost}, return_when=asyncio.FIRST_COMPLETED)
                for task in (push, lost):
                    task.cancel()
                if push not in done or push.cancelled():
                    break
                lines = push.result()
                if lines == aioimaplib.STOP_WAIT_SERVER_PUSH:
                    break
                if any(b"EXISTS" in bytes(line) for line in lines):
                    break
        finally:
            self.idling.clear()
            if not self._lost.is_set():
                client.idle_done()
                await asyncio.wait_for(idle, self.settings.timeout_s)

    async def _poll_wait(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._lost.wait(), self.settings.poll_interval_s)


IMAP_SETTINGS: web.AppKey[ImapSettings] = web.AppKey("email_imap_settings", ImapSettings)
IMAP_SOURCE: web.AppKey[ImapSource] = web.AppKey("email_imap_source", ImapSource)


async def imap_source_ctx(app: web.Application) -> AsyncIterator[None]:
    """Run the IMAP source while the app runs, when an IMAP host is configured."""
    imap = app[IMAP_SETTINGS]
    if not imap.enabled:
        yield
        return
    settings = app[keys.settings]
    service = settings.email.address

    async def deliver_raw(raw: bytes) -> Delivered:
        sender, recipients = envelope_of(raw, service)
        return await deliver(
            app[keys.centre],
            app[keys.signer].secret_key,
            raw,
            sender,
            recipients,
            max_attachment_bytes=settings.email.max_attachment_bytes,
        )

    source = ImapSource(imap, CursorStore(app[keys.engine]), deliver_raw)
    app[IMAP_SOURCE] = source
    task = asyncio.create_task(source.run(), name="email-imap-source")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
