"""Triage reasons as the API serves them: `reasons` (English, as stored) and
`reasons_da` (rendered by triage.reasons), so the inbox shows the UI's language.

The read models are reached through the service layer and handlers that only hand
them a database connection (centre.queue_items, the /api handlers), so the app's
triage config is registered here once at start-up, per database engine, and looked
up from the connection. A connection of an unregistered engine (a test calling a read
model directly) gets the English in both fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from weakref import WeakKeyDictionary

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server import keys
from triage import TriageConfig
from triage.reasons import render_reason

_configs: WeakKeyDictionary[AsyncEngine, TriageConfig] = WeakKeyDictionary()


def register(engine: AsyncEngine, cfg: TriageConfig) -> None:
    _configs[engine] = cfg


async def register_app(app: web.Application) -> None:
    """on_startup: runs after the cleanup contexts, so engine and config are there."""
    register(app[keys.engine], app[keys.triage_config])


def config_for(conn: AsyncConnection) -> TriageConfig | None:
    return _configs.get(conn.engine)


def in_danish(reasons: Iterable[Any], cfg: TriageConfig | None) -> list[str]:
    texts = [str(r) for r in reasons]
    if cfg is None:
        return texts
    return [render_reason(text, "da", cfg) for text in texts]


def both(reasons: Iterable[Any], cfg: TriageConfig | None) -> dict[str, list[str]]:
    """The fields to add to a payload: {"reasons": English, "reasons_da": Danish}."""
    texts = [str(r) for r in reasons]
    return {"reasons": texts, "reasons_da": in_danish(texts, cfg)}
