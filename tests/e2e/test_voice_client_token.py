"""The browser phone's token and the call routes in the OpenAPI document, on the real server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import jwt
import pytest

from tests.support.clients import Counsellor
from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio, twilio_env
from tests.support.server import ServerProcess

PASSWORD = "correct-horse-battery"
KEY_SID = "SK" + "2" * 32
KEY_SECRET = "e2e-api-key-secret-long-enough-for-hs256"


async def node_with(tmp_path: Path, env: dict[str, str]) -> AsyncIterator[Counsellor]:
    node = ServerProcess(tmp_path / "node", env=env)
    node.add_user("anna@example.org", PASSWORD, "counsellor")
    node.start()
    anna = await Counsellor(node.url, "anna@example.org", PASSWORD).login()
    yield anna
    await anna.close()
    node.stop()


@pytest.fixture
async def sandbox_anna(tmp_path: Path) -> AsyncIterator[Counsellor]:
    async for anna in node_with(tmp_path, {}):
        yield anna


@pytest.fixture
async def fake() -> AsyncIterator[FakeTwilio]:
    fake = await FakeTwilio(ACCOUNT_SID, AUTH_TOKEN).start()
    yield fake
    await fake.stop()


async def test_openapi_lists_the_call_and_client_token_routes(sandbox_anna: Counsellor) -> None:
    status, document = await sandbox_anna.request("GET", "/api/openapi.json")
    assert status == 200
    call = document["paths"]["/api/conversations/{id}/call"]
    assert set(call) == {"get", "post"}
    assert call["post"]["requestBody"]["content"]["application/json"]["schema"]["required"] == [
        "to"
    ]
    assert "201" in call["post"]["responses"] and "409" in call["post"]["responses"]
    token = document["paths"]["/api/twilio/client-token"]["get"]
    assert {"200", "401", "409"} <= set(token["responses"])


async def test_sandbox_mode_has_no_browser_phone(sandbox_anna: Counsellor) -> None:
    stranger = Counsellor(sandbox_anna.base_url, "nobody@example.org", "-")
    try:
        status, _ = await stranger.request("GET", "/api/twilio/client-token")
    finally:
        await stranger.close()
    assert status == 401
    status, body = await sandbox_anna.request("GET", "/api/twilio/client-token")
    assert status == 409 and body["error"]["code"] == "sandbox"
    assert "/simulator" in body["error"]["message"]


async def test_credentials_without_an_api_key_say_what_is_missing(
    tmp_path: Path, fake: FakeTwilio
) -> None:
    async for anna in node_with(tmp_path, twilio_env(fake)):
        status, body = await anna.request("GET", "/api/twilio/client-token")
        assert status == 409 and body["error"]["code"] == "no_api_key"
        assert "API_KEY_SECRET" in body["error"]["message"]


async def test_a_counsellor_gets_a_voice_token_for_their_own_identity(
    tmp_path: Path, fake: FakeTwilio
) -> None:
    env = {
        **twilio_env(fake),
        "EGUIDANCE_TWILIO__API_KEY_SID": KEY_SID,
        "EGUIDANCE_TWILIO__API_KEY_SECRET": KEY_SECRET,
    }
    async for anna in node_with(tmp_path, env):
        status, me = await anna.request("GET", "/api/me")
        assert status == 200
        status, body = await anna.request("GET", "/api/twilio/client-token")
        assert status == 200, body
        identity = f"counsellor-{me['id']}"
        assert body["identity"] == identity and body["to"] == f"client:{identity}"
        claims = jwt.decode(body["token"], KEY_SECRET, algorithms=["HS256"])
        assert (claims["iss"], claims["sub"]) == (KEY_SID, ACCOUNT_SID)
        assert claims["grants"]["identity"] == identity
        assert claims["grants"]["voice"]["incoming"]["allow"] is True
