"""The browser phone's Access Token: signed with the API key, a VoiceGrant, one identity."""

from __future__ import annotations

from dataclasses import dataclass

import jwt
import pytest

from channels.twilio.client_token import TTL_S, client_token, identity_of, signing_key
from server.settings import TwilioSettings

ACCOUNT_SID = "AC" + "0" * 32
KEY_SID = "SK" + "1" * 32
SECRET = "a-32-byte-or-longer-api-key-secret-for-hs256"


def test_the_token_carries_a_voice_grant_for_the_counsellor() -> None:
    token = client_token(ACCOUNT_SID, KEY_SID, SECRET, identity_of(7))
    header = jwt.get_unverified_header(token)
    assert header["cty"] == "twilio-fpa;v=1" and header["alg"] == "HS256"
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert (claims["iss"], claims["sub"]) == (KEY_SID, ACCOUNT_SID)
    assert claims["grants"]["identity"] == "counsellor-7"
    # It receives calls dialled to client:counsellor-7 and places none.
    assert claims["grants"]["voice"] == {"incoming": {"allow": True}}
    assert claims["exp"] - claims["nbf"] == TTL_S


def test_a_token_signed_with_another_secret_does_not_verify() -> None:
    token = client_token(ACCOUNT_SID, KEY_SID, SECRET, identity_of(7))
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, SECRET + "x", algorithms=["HS256"])


@dataclass(frozen=True)
class WithKey:
    account_sid: str = ACCOUNT_SID
    auth_token: str = "t"
    api_key_sid: str = KEY_SID
    api_key_secret: str = SECRET


def test_the_signing_key_needs_both_its_sid_and_its_secret() -> None:
    assert signing_key(TwilioSettings(account_sid=ACCOUNT_SID, auth_token="t")) is None
    assert signing_key(WithKey(api_key_secret="")) is None  # type: ignore[arg-type]
    assert signing_key(WithKey()) == (KEY_SID, SECRET)  # type: ignore[arg-type]
