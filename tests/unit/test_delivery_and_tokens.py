import pytest

from server.auth import InvalidToken, TokenSigner, hash_password, verify_password
from server.delivery import backoff_s, can_advance
from server.ratelimit import RateLimiter


@pytest.mark.parametrize(
    "current, new, expected",
    [
        ("queued", "sent", True),
        ("sent", "delivered", True),
        ("delivered", "sent", False),
        ("sent", "queued", False),
        ("sent", "failed", True),
        ("failed", "delivered", False),
        ("delivered", "delivered", False),
        ("queued", "bogus", False),
    ],
)
def test_delivery_status_only_moves_forward(current: str, new: str, expected: bool) -> None:
    assert can_advance(current, new) is expected


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [backoff_s(n, 2, 30) for n in range(1, 7)] == [2, 4, 8, 16, 30, 30]


def test_tokens_round_trip_and_refuse_forgery_and_age() -> None:
    signer = TokenSigner("k" * 32, session_ttl_s=60, visitor_ttl_s=60)
    assert signer.counsellor_id(signer.counsellor_token(5)) == 5
    assert signer.visitor_id(signer.visitor_token("abc")) == "abc"
    with pytest.raises(InvalidToken):
        signer.counsellor_id(signer.visitor_token("abc"))  # another kind of token
    with pytest.raises(InvalidToken):
        TokenSigner("other" * 8, 60, 60).visitor_id(signer.visitor_token("abc"))
    expired = TokenSigner("k" * 32, session_ttl_s=-1, visitor_ttl_s=-1)
    with pytest.raises(InvalidToken, match="expired"):
        expired.visitor_id(signer.visitor_token("abc"))


def test_csrf_token_belongs_to_its_session() -> None:
    signer = TokenSigner("k" * 32, 60, 60)
    session = signer.counsellor_token(1)
    csrf = signer.csrf_token(session)
    assert signer.check_csrf(session, csrf)
    assert not signer.check_csrf(signer.counsellor_token(2), csrf)
    assert not signer.check_csrf(session, "forged")


def test_passwords_are_hashed_with_argon2() -> None:
    hashed = hash_password("correct horse")
    assert hashed.startswith("$argon2")
    assert verify_password(hashed, "correct horse")
    assert not verify_password(hashed, "wrong")
    assert not verify_password(None, "anything")


def test_rate_limiter_counts_per_key_in_a_window() -> None:
    limiter = RateLimiter(limit=2, window_s=60)
    assert limiter.allow("a", now=0) and limiter.allow("a", now=1)
    assert not limiter.allow("a", now=2)
    assert limiter.allow("b", now=2)
    assert limiter.allow("a", now=61.5)


def test_a_counsellor_without_a_name_gets_one_from_the_address_not_the_address() -> None:
    from server.accounts import default_name

    assert default_name("anna.jensen@example.org") == "Anna Jensen"
    assert default_name("bo@example.org") == "Bo"
    assert default_name("...@example.org") == "Vejleder"
