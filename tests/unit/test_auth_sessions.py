"""The counsellor token names a server-side session; without one it is refused."""

import pytest
from itsdangerous import URLSafeTimedSerializer

from server.auth import InvalidToken, TokenSigner, new_session_id

SIGNER = TokenSigner("k" * 32, session_ttl_s=60, visitor_ttl_s=60)


def test_the_token_carries_the_counsellor_and_the_session() -> None:
    session_id = new_session_id()
    token = SIGNER.counsellor_token(7, session_id)
    assert SIGNER.counsellor_session(token) == (7, session_id)
    assert SIGNER.counsellor_id(token) == 7


def test_a_token_without_a_session_is_refused() -> None:
    # A token signed before sessions were stored: valid signature, no session to check.
    with pytest.raises(InvalidToken, match="before sessions"):
        SIGNER.counsellor_session(SIGNER.counsellor_token(7))


@pytest.mark.parametrize("payload", [{"c": 7, "s": 12}, {"c": "7", "s": "abc"}, ["7", "abc"]])
def test_a_malformed_signed_token_is_refused(payload: object) -> None:
    token = URLSafeTimedSerializer("k" * 32, salt="counsellor").dumps(payload)
    with pytest.raises(InvalidToken, match="malformed"):
        SIGNER.counsellor_session(token)


def test_a_forged_or_old_token_is_refused() -> None:
    token = SIGNER.counsellor_token(7, new_session_id())
    with pytest.raises(InvalidToken):
        TokenSigner("other" * 8, 60, 60).counsellor_session(token)
    with pytest.raises(InvalidToken, match="expired"):
        TokenSigner("k" * 32, session_ttl_s=-1, visitor_ttl_s=60).counsellor_session(token)


def test_session_ids_are_long_random_and_url_safe() -> None:
    ids = {new_session_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(len(i) >= 32 and i.replace("-", "").replace("_", "").isalnum() for i in ids)
