"""The booked appointment's iCalendar file (RFC 5545), and its place in the e-mail."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest

from channels.email.compose import compose, templates
from server.hours import OpeningHours
from server.ical import CalendarEvent, Method, calendar, escape_text, fold, utc_stamp
from server.messages import OutboundMessage
from server.settings import OpeningHoursSettings, Settings
from server.thread_context import ThreadContext

CPH = ZoneInfo("Europe/Copenhagen")
STAMP = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def unfold(text: str) -> list[str]:
    assert text.endswith("\r\n")
    return text[:-2].replace("\r\n ", "").split("\r\n")


def event(**changes: object) -> CalendarEvent:
    values: dict[str, object] = {
        "uid": "referral-7@example.org",
        "start": datetime(2025, 3, 10, 9, 0, tzinfo=CPH),
        "end": datetime(2025, 3, 10, 10, 0, tzinfo=CPH),
        "summary": "KUU København – Ungdommens Uddannelsesvejledning",
        "location": "Gyldenløvesgade 15, 1600 København V",
    }
    values.update(changes)
    return CalendarEvent(**values)  # type: ignore[arg-type]


def test_text_values_escape_backslash_semicolon_comma_and_newlines() -> None:
    assert escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"
    # The backslash goes first: an escape is never escaped twice.
    assert escape_text(";") == "\\;"


def test_long_lines_fold_at_75_octets_without_splitting_a_character() -> None:
    line = "SUMMARY:" + "æøå" * 40
    folded = fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line
    assert fold("DTSTART:20250310T080000Z") == "DTSTART:20250310T080000Z"


def test_the_calendar_has_crlf_lines_and_the_required_properties() -> None:
    text = calendar(event(description="Ring, hvis du bliver forhindret; tak"), STAMP)
    assert "\n" not in text.replace("\r\n", "")
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    body = lines[lines.index("BEGIN:VEVENT") + 1 : lines.index("END:VEVENT")]
    props = dict(line.split(":", 1) for line in body)
    assert props["UID"] == "referral-7@example.org"
    assert props["DTSTAMP"] == "20250301T120000Z"
    # 09:00 in Copenhagen in March (CET, UTC+1) is 08:00 UTC.
    assert props["DTSTART"] == "20250310T080000Z" and props["DTEND"] == "20250310T090000Z"
    assert props["SUMMARY"] == "KUU København – Ungdommens Uddannelsesvejledning"
    assert props["LOCATION"] == "Gyldenløvesgade 15\\, 1600 København V"
    assert props["DESCRIPTION"] == "Ring\\, hvis du bliver forhindret\\; tak"


def test_summer_time_is_converted_to_utc() -> None:
    assert utc_stamp(datetime(2025, 7, 1, 9, 0, tzinfo=CPH)) == "20250701T070000Z"
    with pytest.raises(ValueError):
        utc_stamp(datetime(2025, 7, 1, 9, 0))


def _outbound(meta: dict[str, object]) -> OutboundMessage:
    return OutboundMessage(
        message_id=3,
        conversation_id=2,
        channel="email",
        address="mette@example.dk",
        text="Din tid er booket.",
        author_kind="system",
        author_name=None,
        created_at="2025-03-01T12:00:00Z",
        meta=meta,
    )


def _mail(meta: dict[str, object]) -> EmailMessage:
    hours = OpeningHours.from_settings(OpeningHoursSettings(mode="always_open"))
    composed = compose(
        _outbound(meta), ThreadContext(), Settings(), hours, "secret", templates(), False
    )
    mail = message_from_bytes(composed.message.as_bytes(), policy=policy.default)
    assert isinstance(mail, EmailMessage)
    return mail


def test_the_mail_carries_the_calendar_as_a_text_calendar_attachment() -> None:
    content = calendar(event(), STAMP)
    mail = _mail({"calendar": {"filename": "vejledning.ics", "content": content}})
    parts = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    assert parts[0].get_filename() == "vejledning.ics"
    assert parts[0].get_param("method") == "PUBLISH"
    payload = parts[0].get_payload(decode=True)
    assert isinstance(payload, bytes) and payload.decode("utf-8") == content
    texts = [p for p in mail.walk() if p.get_content_type() == "text/plain"]
    assert "Din tid er booket." in texts[0].get_content()


def test_a_mail_without_a_calendar_has_no_attachment() -> None:
    mail = _mail({})
    types = [p.get_content_type() for p in mail.walk()]
    assert "text/calendar" not in types
    assert mail.get_content_type() == "multipart/alternative"


def test_a_cancellation_withdraws_the_event_under_the_same_uid() -> None:
    booked = unfold(calendar(event(organizer="vejledning@example.org"), STAMP))
    cancelled = unfold(calendar(event(organizer="vejledning@example.org"), STAMP, Method.CANCEL))
    assert "METHOD:PUBLISH" in booked and "METHOD:CANCEL" in cancelled

    def props(lines: list[str]) -> dict[str, str]:
        body = lines[lines.index("BEGIN:VEVENT") + 1 : lines.index("END:VEVENT")]
        return dict(line.split(":", 1) for line in body)

    before, after = props(booked), props(cancelled)
    assert before["UID"] == after["UID"] == "referral-7@example.org"
    assert (before["STATUS"], after["STATUS"]) == ("CONFIRMED", "CANCELLED")
    # A higher SEQUENCE: calendars apply the cancellation over the booking.
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after["ORGANIZER"] == "mailto:vejledning@example.org"
    assert after["DTSTART"] == before["DTSTART"]
