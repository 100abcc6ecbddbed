"""The counsellor's browser phone: a Twilio Access Token with a VoiceGrant.

`GET /api/twilio/client-token` (a signed-in counsellor). The browser client (Twilio's
Voice JS SDK) registers under the identity the token names, `counsellor-<id>`, so
`POST /api/conversations/{id}/call {"to": "client:counsellor-<id>"}` rings it.
Twilio accepts access tokens signed only with an API key (SK...) and its secret,
never the auth token, so the browser phone needs [twilio] api_key_sid and
api_key_secret (the secret from the environment: EGUIDANCE_TWILIO__API_KEY_SECRET).
"""

from __future__ import annotations

from aiohttp import web
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from server import keys
from server.errors import Conflict
from server.settings import TwilioSettings
from server.web_helpers import current_counsellor

TTL_S = 3600


def identity_of(counsellor_id: int) -> str:
    return f"counsellor-{counsellor_id}"


def client_token(account_sid: str, key_sid: str, secret: str, identity: str) -> str:
    """A token that lets a browser receive calls dialled to client:<identity>; it
    cannot place calls (no outgoing application), as counsellors only answer."""
    token = AccessToken(account_sid, key_sid, secret, identity=identity, ttl=TTL_S)
    token.add_grant(VoiceGrant(incoming_allow=True))
    return str(token.to_jwt())


def signing_key(twilio: TwilioSettings) -> tuple[str, str] | None:
    # Without an API key there is no browser phone, nothing else is missing.
    if twilio.api_key_sid and twilio.api_key_secret:
        return twilio.api_key_sid, twilio.api_key_secret
    return None


async def client_token_route(request: web.Request) -> web.Response:
    from channels.twilio import is_sandbox

    who = await current_counsellor(request)
    twilio = request.app[keys.settings].twilio
    if is_sandbox(twilio):
        raise Conflict(
            "sandbox mode (no Twilio credentials): there is no browser phone; "
            "the simulator at /simulator plays the counsellor's phone",
            "sandbox",
        )
    key = signing_key(twilio)
    if key is None:
        raise Conflict(
            "the browser phone needs a Twilio API key: set [twilio] api_key_sid and "
            "EGUIDANCE_TWILIO__API_KEY_SECRET",
            "no_api_key",
        )
    identity = identity_of(who.id)
    token = client_token(twilio.account_sid, key[0], key[1], identity)
    body = {"token": token, "identity": identity, "to": f"client:{identity}", "ttl_s": TTL_S}
    return web.json_response(body, headers={"Cache-Control": "no-store"})
