"""Group commit: inbound messages that arrive together are stored in one transaction.

Under load most of the cost of a message is the transaction around it, so the
writer takes everything queued while the previous transaction ran and stores
it at once. Each message is still acknowledged only after its commit. At low
load a batch is one message, so nothing waits for a batch to fill.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server import intake
from server.messages import InboundMessage, Receipt
from server.models import Status, utcnow
from server.triage_step import TriageStep

log = logging.getLogger(__name__)
Pending = tuple[InboundMessage, asyncio.Future[Receipt]]


class GroupCommitWriter:
    def __init__(
        self,
        engine: AsyncEngine,
        reopen_window: timedelta,
        triage: TriageStep | None = None,
        max_batch: int = 100,
    ) -> None:
        self.engine = engine
        self.reopen_window = reopen_window
        self.triage = triage
        # With triage, a new conversation starts with the bot, not in the queue.
        self.initial_status = Status.BOT if triage else Status.WAITING
        self.max_batch = max_batch
        self._pending: list[Pending] = []
        self._writer: asyncio.Task[None] | None = None

    async def store(self, inbound: InboundMessage) -> Receipt:
        future: asyncio.Future[Receipt] = asyncio.get_running_loop().create_future()
        self._pending.append((inbound, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain(), name="group-commit")
        return await future

    async def _drain(self) -> None:
        while self._pending:
            batch = self._pending[: self.max_batch]
            self._pending = self._pending[self.max_batch :]
            try:
                async with self.engine.begin() as conn:
                    receipts = await self._store(conn, [inbound for inbound, _ in batch])
            except Exception as exc:
                # One message spoiled the batch (a race with another node, a
                # late duplicate): store each alone so the others still land.
                log.info("batch of %s falls back to one by one: %r", len(batch), exc)
                for inbound, future in batch:
                    await self._settle_one(inbound, future)
                continue
            for (_, future), receipt in zip(batch, receipts, strict=True):
                if not future.done():
                    future.set_result(receipt)

    async def _store(self, conn: AsyncConnection, batch: list[InboundMessage]) -> list[Receipt]:
        now = utcnow()
        receipts = await intake.store_batch(
            conn, batch, now, self.reopen_window, self.initial_status
        )
        if self.triage is None:
            return receipts
        outcomes = await self.triage.run(conn, batch, receipts, now)
        return [replace(r, triage=o) for r, o in zip(receipts, outcomes, strict=True)]

    async def _settle_one(self, inbound: InboundMessage, future: asyncio.Future[Receipt]) -> None:
        try:
            receipt = await self.store_alone(inbound)
        except Exception as exc:
            if not future.done():
                future.set_exception(exc)
        else:
            if not future.done():
                future.set_result(receipt)

    async def store_alone(self, inbound: InboundMessage) -> Receipt:
        for attempt in range(3):
            try:
                async with self.engine.begin() as conn:
                    (receipt,) = await self._store(conn, [inbound])
                    return receipt
            except intake.DuplicateAfterWrite:
                async with self.engine.connect() as conn:
                    duplicate = await intake.find_duplicate(conn, inbound)
                if duplicate is not None:
                    return duplicate
            except IntegrityError:
                # Another node stored this contact or message first; the next
                # attempt finds what it stored.
                if attempt == 2:
                    raise
        raise RuntimeError(f"could not store message {inbound.provider_id}")

    async def stop(self) -> None:
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)
