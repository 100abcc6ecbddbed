"""Counsellor passwords and the signed tokens of counsellors and visitors."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from server.settings import Settings

SESSION_COOKIE = "eg_session"
CSRF_COOKIE = "eg_csrf"


class InvalidToken(Exception):
    """A token that is forged, malformed or too old."""


_hasher = PasswordHasher()
# Compared against when the e-mail is unknown, so a login takes as long either way.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def new_session_id() -> str:
    """Unguessable, so a leaked signing key alone does not open someone's session."""
    return secrets.token_urlsafe(24)


def resolve_secret_key(settings: Settings) -> str:
    """The key that signs tokens: set, read from a named file, or made once in data_dir."""
    if settings.server.secret_key:
        return settings.server.secret_key
    if settings.server.secret_key_file:
        return Path(settings.server.secret_key_file).read_text().strip()
    path = settings.data_path / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x") as handle:
            handle.write(secrets.token_urlsafe(48))
        path.chmod(0o600)
    except FileExistsError:
        pass
    return path.read_text().strip()


@dataclass(frozen=True)
class TokenSigner:
    """Signs and checks the two kinds of token, each with its own salt and lifetime."""

    secret_key: str
    session_ttl_s: int
    visitor_ttl_s: int

    def _serializer(self, salt: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret_key, salt=salt)

    def counsellor_token(self, counsellor_id: int, session_id: str | None = None) -> str:
        """The token names a server-side session row; one without a session (made
        before sessions were stored) is refused by `counsellor_session`."""
        data: dict[str, object] = {"c": counsellor_id}
        if session_id is not None:
            data["s"] = session_id
        return self._serializer("counsellor").dumps(data)

    def counsellor_id(self, token: str) -> int:
        """Only that the signature holds: whether the session still lives is the
        database's answer (`accounts.session_identity`)."""
        return self._counsellor_data(token)[0]

    def counsellor_session(self, token: str) -> tuple[int, str]:
        counsellor_id, session_id = self._counsellor_data(token)
        if session_id is None:
            raise InvalidToken("this token is from before sessions; log in again")
        return counsellor_id, session_id

    def _counsellor_data(self, token: str) -> tuple[int, str | None]:
        data = self._loads("counsellor", token, self.session_ttl_s)
        if not isinstance(data, dict) or not isinstance(data.get("c"), int):
            raise InvalidToken("malformed counsellor token")
        session_id = data.get("s")
        if session_id is not None and not isinstance(session_id, str):
            raise InvalidToken("malformed counsellor token")
        return int(data["c"]), session_id

    def visitor_token(self, visitor_id: str) -> str:
        return self._serializer("visitor").dumps({"v": visitor_id})

    def visitor_id(self, token: str) -> str:
        data = self._loads("visitor", token, self.visitor_ttl_s)
        if not isinstance(data, dict) or not isinstance(data.get("v"), str):
            raise InvalidToken("malformed visitor token")
        return str(data["v"])

    def csrf_token(self, session_token: str) -> str:
        return self._serializer("csrf").dumps(session_token[-24:])

    def check_csrf(self, session_token: str, csrf_token: str) -> bool:
        try:
            data = self._loads("csrf", csrf_token, self.session_ttl_s)
        except InvalidToken:
            return False
        return secrets.compare_digest(str(data), session_token[-24:])

    def _loads(self, salt: str, token: str, max_age: int) -> object:
        if not isinstance(token, str) or len(token) > 1024:
            raise InvalidToken("malformed token")
        try:
            return self._serializer(salt).loads(token, max_age=max_age)
        except SignatureExpired as exc:
            raise InvalidToken("token expired") from exc
        except BadSignature as exc:
            raise InvalidToken("token signature does not match") from exc
