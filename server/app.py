"""The application factory: wires settings, database, realtime, channels and the UI."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import jinja2
from aiohttp import web

from server import api, api_referrals, attachments, db, health, keys
from server.auth import TokenSigner, resolve_secret_key
from server.centre import ContactCentre
from server.followups import follow_ups_ctx
from server.hours import OpeningHours
from server.inbox_socket import InboxNamespace
from server.metrics import Metrics
from server.outbox import ChannelSender, OutboxWorker
from server.ratelimit import RateLimiter
from server.realtime import Notifier, create_socket_server
from server.settings import Settings
from server.triage_step import TriageStep
from triage import TriageEngine, load_config

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1024 * 1024


def create_app(settings: Settings) -> web.Application:
    """Only wiring: everything that starts or stops lives in a *_ctx function."""
    import channels.email
    import channels.twilio
    import channels.webchat
    from counsellor_ui import views as ui_views
    from server.page_token import PageToken
    from server.web_helpers import error_middleware, security_headers_middleware

    app = web.Application(
        client_max_size=MAX_BODY_BYTES, middlewares=[error_middleware, security_headers_middleware]
    )
    app[keys.settings] = settings
    app[keys.metrics] = Metrics()
    app[keys.hours] = OpeningHours.from_settings(settings.opening_hours)
    app[keys.login_limiter] = RateLimiter(settings.auth.login_attempts_per_minute)
    app[keys.templates] = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [jinja2.PackageLoader("channels.webchat"), jinja2.PackageLoader("counsellor_ui")]
        ),
        autoescape=True,
    )
    sio = create_socket_server(settings)
    sio.attach(app)
    app[keys.sio] = sio
    sio.register_namespace(InboxNamespace(app))
    app[keys.notifier] = Notifier(sio)
    senders: dict[str, ChannelSender] = {}
    app[keys.senders] = senders
    app[keys.simulator_token] = PageToken()
    app[keys.openapi_paths] = {}

    app.router.add_routes(health.routes)
    app.router.add_routes(api.routes)
    app.router.add_routes(api_referrals.routes)
    attachments.add_routes(app)
    ui_views.add_routes(app)
    ui_views.add_api_routes(app)

    app.cleanup_ctx.append(database_ctx)
    app.cleanup_ctx.append(services_ctx)
    app.cleanup_ctx.append(outbox_ctx)
    app.cleanup_ctx.append(follow_ups_ctx)
    # Each channel adds its routes, sender and listeners; its start-up runs after
    # the core's, so the database and the service layer are there for it.
    for channel in (channels.webchat, channels.twilio, channels.email):
        channel.install(app)
    app.on_shutdown.append(close_sockets)
    return app


async def close_sockets(app: web.Application) -> None:
    """Close this node's sockets first: an open websocket would hold the shutdown
    until its timeout. Clients reconnect (to another node) and replay."""
    sio = app[keys.sio]
    if sio.eio.sockets:  # engineio fails on an empty set of sockets
        await sio.eio.disconnect()
    await sio.shutdown()


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.settings]
    engine = db.create_engine(settings)
    await db.migrate(engine)
    app[keys.engine] = engine
    app[keys.signer] = TokenSigner(
        resolve_secret_key(settings), settings.auth.session_ttl_s, settings.chat.visitor_token_ttl_s
    )
    yield
    await engine.dispose()


async def services_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.settings]
    app[keys.triage_config] = load_config(settings.config_dir)
    triage = None
    if settings.triage.enabled:
        triage = TriageStep(TriageEngine(app[keys.triage_config]))
    centre = ContactCentre(
        app[keys.engine],
        app[keys.notifier],
        app[keys.settings],
        app[keys.metrics],
        wake_outbox=lambda: app[keys.outbox].wake(),
        triage=triage,
        # The same dict the channels fill in create_app: the centre asks a reply's
        # sender before storing it (an SMS over 1,600 characters is refused).
        senders=app[keys.senders],
    )
    app[keys.centre] = centre
    yield
    await centre.queue_broadcast.stop()


async def outbox_ctx(app: web.Application) -> AsyncIterator[None]:
    worker = OutboxWorker(
        app[keys.engine],
        app[keys.senders],
        app[keys.settings].outbox,
        app[keys.centre].delivery_changed,
    )
    app[keys.outbox] = worker
    task = asyncio.create_task(worker.run(), name="outbox")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
