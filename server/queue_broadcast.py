"""Pushing the queue: to counsellors the whole list, to each waiting person their place."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from server.centre import ContactCentre

log = logging.getLogger(__name__)


class QueueBroadcaster:
    """Pushes the queue to counsellors and positions to waiting people.

    Changes arriving close together are coalesced into one push, so a burst of
    new conversations costs one queue read, not one per message.
    """

    def __init__(self, centre: ContactCentre, delay_s: float = 0.05) -> None:
        self.centre = centre
        self.delay_s = delay_s
        self._task: asyncio.Task[None] | None = None
        self._dirty = False
        self._left: set[int] = set()

    def changed(self, left: int | None = None) -> None:
        if left is not None:
            self._left.add(left)
        self._dirty = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while self._dirty:
            self._dirty = False
            await asyncio.sleep(self.delay_s)
            try:
                await self.push()
            except Exception:
                log.exception("queue broadcast failed")

    async def push(self) -> None:
        items = await self.centre.queue_items()
        notifier = self.centre.notifier
        await notifier.to_counsellors("queue.updated", {"items": items})
        left, self._left = self._left, set()
        for conversation_id in left:
            await notifier.to_conversation(
                conversation_id, "queue", {"position": None, "estimated_wait_s": None}
            )
        for item in items:
            await notifier.to_conversation(
                item["conversation_id"],
                "queue",
                {"position": item["position"], "estimated_wait_s": item["estimated_wait_s"]},
            )

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


async def queue_position(centre: ContactCentre, conversation_id: int) -> dict[str, Any]:
    """Where one conversation stands in the queue (position None when not waiting)."""
    for item in await centre.queue_items():
        if item["conversation_id"] == conversation_id:
            return {"position": item["position"], "estimated_wait_s": item["estimated_wait_s"]}
    return {"position": None, "estimated_wait_s": None}
