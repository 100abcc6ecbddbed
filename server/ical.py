"""A one-event iCalendar file (RFC 5545): the appointment a referral booked, or its
cancellation (iTIP, RFC 5546: the same UID with METHOD:CANCEL and a higher SEQUENCE)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

CRLF = "\r\n"
MAX_OCTETS = 75
PRODID = "-//eGuidance//Referral//DA"


class Method(StrEnum):
    PUBLISH = "PUBLISH"
    CANCEL = "CANCEL"


# What each method says about the event: its STATUS and its SEQUENCE (revision).
EVENT_STATE = {Method.PUBLISH: ("CONFIRMED", 0), Method.CANCEL: ("CANCELLED", 1)}


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    start: datetime  # aware
    end: datetime  # aware
    summary: str
    location: str = ""
    description: str = ""
    organizer: str = ""  # an e-mail address


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash first, so later escapes stay single."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def utc_stamp(value: datetime) -> str:
    """A DATE-TIME in UTC ("Z"): needs no VTIMEZONE component beside it."""
    if value.tzinfo is None:
        raise ValueError("calendar times must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on lines that begin with a space (RFC 5545
    3.1), split between characters, never inside a UTF-8 sequence."""
    parts: list[str] = []
    current, size, limit = "", 0, MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            # The continuation's leading space counts towards its 75 octets.
            current, size, limit = "", 0, MAX_OCTETS - 1
        current += char
        size += width
    parts.append(current)
    return (CRLF + " ").join(parts)


def calendar(event: CalendarEvent, stamp: datetime, method: Method = Method.PUBLISH) -> str:
    """The whole VCALENDAR text, CRLF line ends, folded."""
    status, sequence = EVENT_STATE[method]
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{utc_stamp(stamp)}",
        f"DTSTART:{utc_stamp(event.start)}",
        f"DTEND:{utc_stamp(event.end)}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.organizer:
        lines.append(f"ORGANIZER:mailto:{event.organizer}")
    lines += [f"STATUS:{status}", "TRANSP:OPAQUE", "END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + CRLF for line in lines)
