"""The channel details of a message the inbox shows beside its text: an e-mail's
subject, full text and attachments, a call's kind, duration, recording and
transcript, an SMS's segments and delivery error code.

Only what the channels stored is shown; nothing here calls a provider.
"""

from __future__ import annotations

import re
from typing import Any

EMAIL, SMS, VOICE = "email", "sms", "voice"
# Call events whose text ends in the call's length ("varighed 42 s", "Talebesked (42 s)").
TIMED_KINDS = frozenset(
    {"completed", "outbound_completed", "counsellor_completed", "voicemail", "recording"}
)
SECONDS = re.compile(r"(\d+)\s*s\b")
ERROR_CODE = re.compile(r"\berror\s+(\d{3,6})\b", re.IGNORECASE)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def call_duration(kind: str | None, text: str, meta: dict[str, Any]) -> int | None:
    """The call's length in seconds: what the channel stored, else what its text says."""
    stored = _int(meta.get("duration"))
    if stored is not None:
        return stored
    if kind not in TIMED_KINDS:
        return None
    found = SECONDS.findall(text or "")
    return int(found[-1]) if found else None


def error_code(error: str | None) -> str | None:
    """The provider's error code in a stored delivery error ("twilio error 30003: …")."""
    found = ERROR_CODE.search(error or "")
    return found.group(1) if found else None


def _email(message_id: int, meta: dict[str, Any], attachments: list[Any]) -> dict[str, Any]:
    listing = []
    for entry in attachments:
        if not isinstance(entry, dict):
            continue
        item = {k: entry.get(k) for k in ("filename", "content_type", "size", "dropped")}
        index = _int(entry.get("index"))
        if index is not None and not entry.get("dropped"):
            item["url"] = f"/api/messages/{message_id}/attachments/{index}"
        listing.append(item)
    out: dict[str, Any] = {"subject": str(meta.get("subject") or ""), "attachments": listing}
    if meta.get("full_text"):
        out["full_text"] = str(meta["full_text"])
    if meta.get("message_id"):
        out["raw_url"] = f"/api/messages/{message_id}/raw"
    if meta.get("automatic_reasons"):
        out["automatic_reasons"] = list(meta["automatic_reasons"])
    return out


def _voice(text: str, meta: dict[str, Any], attachments: list[Any]) -> dict[str, Any]:
    kind = meta.get("kind")
    out: dict[str, Any] = {"kind": kind, "duration": call_duration(kind, text, meta)}
    for entry in attachments:
        if not isinstance(entry, dict):
            continue
        url = entry.get("url")
        audio = kind == "voicemail" or str(entry.get("content_type", "")).startswith("audio/")
        if isinstance(url, str) and url.startswith(("https://", "http://")) and audio:
            out["recording"] = url
            break
    if kind == "transcript":
        out["transcript"] = text
    if meta.get("call_sid"):
        out["call_sid"] = str(meta["call_sid"])
    return out


def _sms(direction: str, meta: dict[str, Any], error: str | None) -> dict[str, Any]:
    segments = _int(meta.get("segments", meta.get("NumSegments")))
    out: dict[str, Any] = {"segments": segments}
    if direction == "out":
        out["error_code"] = error_code(error)
    return out


def message_meta(
    message_id: int,
    channel: str,
    direction: str,
    text: str,
    error: str | None,
    attachments: list[Any] | None,
    meta: dict[str, Any] | None,
) -> dict[str, Any]:
    meta = meta or {}
    shown = _by_channel(message_id, channel, direction, text, error, attachments or [], meta)
    if direction == "out" and isinstance(meta.get("to"), str):
        # A reply sent to another of the person's addresses says which one.
        shown["to"] = meta["to"]
    return shown


def _by_channel(
    message_id: int,
    channel: str,
    direction: str,
    text: str,
    error: str | None,
    attachments: list[Any],
    meta: dict[str, Any],
) -> dict[str, Any]:
    if channel == EMAIL:
        return _email(message_id, meta, attachments)
    if channel == VOICE and meta.get("kind"):
        return _voice(text, meta, attachments)
    if channel == SMS or (channel == VOICE and direction == "out"):
        # A reply in a phone conversation goes out as an SMS.
        return _sms(direction, meta, error)
    return {}


def link_transcripts(messages: list[dict[str, Any]]) -> None:
    """A voicemail's transcript arrives later as its own event: show it on the voicemail too."""
    voicemails = {
        m["meta"].get("call_sid"): m
        for m in messages
        if m.get("meta", {}).get("kind") == "voicemail" and m["meta"].get("call_sid")
    }
    for message in messages:
        meta = message.get("meta", {})
        if meta.get("kind") == "transcript" and meta.get("call_sid") in voicemails:
            voicemails[meta["call_sid"]]["meta"]["transcript"] = message["text"]
