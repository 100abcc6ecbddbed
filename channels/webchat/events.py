"""The shapes of /chat events, in the visitor's vocabulary."""

from __future__ import annotations

from typing import Any

AUTHOR_FOR_VISITOR = {
    "contact": "visitor",
    "counsellor": "counsellor",
    "bot": "bot",
    "system": "system",
}


def visitor_message(
    message_id: int,
    author_kind: str,
    author_name: str | None,
    text: str,
    at: str | None,
    client_id: str | None,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": message_id,
        "author": AUTHOR_FOR_VISITOR.get(author_kind, "system"),
        "text": text,
        "at": at,
    }
    if author_name:
        # First name only: counsellors' full names are not for the public.
        event["author_name"] = author_name.split()[0]
    if client_id:
        event["client_id"] = client_id
    return event


def from_view(view: dict[str, Any]) -> dict[str, Any]:
    return visitor_message(
        view["id"],
        view["author"],
        view["author_name"],
        view["text"],
        view["at"],
        view.get("client_id"),
    )
