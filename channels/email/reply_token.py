"""The reply token: which conversation a reply belongs to, signed so it cannot be forged.

It travels in the Reply-To plus-address (vejledning+<token>@example.org) and as a
subject tag "[#<token>]". It is short (conversation id and a 60-bit HMAC) so the
subject stays readable. The server checks that the hinted conversation belongs to
the same person, so a leaked token lets nobody into someone else's conversation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

SALT = b"eguidance-email-reply-token"
TOKEN = re.compile(r"\b(\d{1,12})-([a-z2-7]{12})\b")
SUBJECT_TAG = re.compile(r"\s*\[#(\d{1,12}-[a-z2-7]{12})\]")


def _mac(secret_key: str, conversation_id: int) -> str:
    digest = hmac.new(
        secret_key.encode(), SALT + str(conversation_id).encode(), hashlib.sha256
    ).digest()
    return base64.b32encode(digest).decode().lower()[:12]


def make_token(secret_key: str, conversation_id: int) -> str:
    return f"{conversation_id}-{_mac(secret_key, conversation_id)}"


def verify_token(secret_key: str, token: str) -> int | None:
    match = TOKEN.fullmatch(token.strip().lower())
    if match is None:
        return None
    conversation_id = int(match.group(1))
    if hmac.compare_digest(match.group(2), _mac(secret_key, conversation_id)):
        return conversation_id
    return None


def plus_address(service_address: str, token: str) -> str:
    local, _, domain = service_address.partition("@")
    return f"{local}+{token}@{domain}"


def split_plus(address: str) -> tuple[str, str | None]:
    """("vejledning@example.org", "123-abc…") from "vejledning+123-abc…@example.org"."""
    local, _, domain = address.strip().strip("<>").lower().partition("@")
    base, plus, tag = local.partition("+")
    return f"{base}@{domain}", (tag if plus else None)


def subject_tag(token: str) -> str:
    return f"[#{token}]"


def strip_subject_tag(subject: str) -> str:
    return SUBJECT_TAG.sub("", subject).strip()


def find_conversation(secret_key: str, candidates: list[str]) -> int | None:
    """The first valid token among plus-address tags and subject texts."""
    for text in candidates:
        for match in TOKEN.finditer(text.lower()):
            found = verify_token(secret_key, match.group(0))
            if found is not None:
                return found
    return None
