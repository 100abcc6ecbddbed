"""Every typed key the aiohttp application holds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    import jinja2
    import socketio
    from sqlalchemy.ext.asyncio import AsyncEngine

    from server.auth import TokenSigner
    from server.centre import ContactCentre
    from server.hours import OpeningHours
    from server.metrics import Metrics
    from server.outbox import ChannelSender, OutboxWorker
    from server.page_token import PageToken
    from server.ratelimit import RateLimiter
    from server.realtime import Notifier
    from server.settings import Settings
    from triage import TriageConfig

settings: web.AppKey[Settings] = web.AppKey("settings")
engine: web.AppKey[AsyncEngine] = web.AppKey("engine")
sio: web.AppKey[socketio.AsyncServer] = web.AppKey("sio")
notifier: web.AppKey[Notifier] = web.AppKey("notifier")
signer: web.AppKey[TokenSigner] = web.AppKey("signer")
centre: web.AppKey[ContactCentre] = web.AppKey("centre")
hours: web.AppKey[OpeningHours] = web.AppKey("hours")
metrics: web.AppKey[Metrics] = web.AppKey("metrics")
outbox: web.AppKey[OutboxWorker] = web.AppKey("outbox")
senders: web.AppKey[dict[str, ChannelSender]] = web.AppKey("senders")
login_limiter: web.AppKey[RateLimiter] = web.AppKey("login_limiter")
templates: web.AppKey[jinja2.Environment] = web.AppKey("templates")
triage_config: web.AppKey[TriageConfig] = web.AppKey("triage_config")
simulator_token: web.AppKey[PageToken] = web.AppKey("simulator_token")
# Path items channels add to /api/openapi.json for the routes they own.
openapi_paths: web.AppKey[dict[str, Any]] = web.AppKey("openapi_paths")
