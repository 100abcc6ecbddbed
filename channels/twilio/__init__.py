"""Twilio: SMS and phone calls, or the browser simulator when there are no credentials.

Addresses are E.164 phone numbers. SMS are stored on channel "sms", calls
(voicemails, call events) on channel "voice"; a reply in a voice conversation goes
to the caller as an SMS. Sandbox mode means no auth token: webhooks cannot be
verified, so the public hooks refuse everything and `/simulator` feeds the same
handlers instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web

    from server.settings import TwilioSettings


def is_sandbox(twilio: TwilioSettings) -> bool:
    return not (twilio.account_sid and twilio.auth_token)


def install(app: web.Application) -> None:
    """Wire the channel into the app: senders, webhooks, the simulator in sandbox mode."""
    from channels.twilio import (
        api_docs,
        client_token,
        connect,
        media,
        segments,
        simulator,
        sms,
        sms_status,
        voice,
    )
    from channels.twilio.calls import Caller, TwilioCaller
    from channels.twilio.sender import SimulatorSender, TwilioSmsSender
    from channels.twilio.simulator_calls import SimulatedCaller
    from channels.twilio.simulator_store import SimulatorStore
    from server import keys

    settings = app[keys.settings]
    sender: TwilioSmsSender | SimulatorSender
    caller: Caller
    if is_sandbox(settings.twilio):
        store = SimulatorStore()
        app[simulator.SIMULATOR] = store
        sender = SimulatorSender(store)
        simulated = SimulatedCaller(app, store)
        caller = simulated
        simulator.add_routes(app, simulated)
    else:
        twilio_sender = TwilioSmsSender(
            settings, lambda number: sms.set_phone_opt_out(app, number, True)
        )
        sender = twilio_sender
        caller = TwilioCaller(twilio_sender)

        async def twilio_client_ctx(app: web.Application) -> AsyncIterator[None]:
            twilio_sender.open()
            yield
            await twilio_sender.close()

        app.cleanup_ctx.append(twilio_client_ctx)
        app.cleanup_ctx.append(media.media_ctx)
    app[keys.senders][sms.SMS] = sender
    app[keys.senders][sms.VOICE] = sender
    sms.add_routes(app)
    sms_status.add_routes(app)
    voice.add_routes(app)
    connect.add_routes(app, caller)
    app.router.add_get("/api/sms/segments", segments.segments_route)
    app.router.add_get("/api/twilio/client-token", client_token.client_token_route)
    app[keys.openapi_paths].update(api_docs.paths())
