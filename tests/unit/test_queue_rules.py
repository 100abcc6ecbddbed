from datetime import UTC, datetime, timedelta
from typing import Any

from server.queue import (
    QueueEntry,
    decision_reasons,
    estimate_wait_s,
    queue_order_key,
    typical_handle_time_s,
)
from server.views_meta import call_duration, error_code, link_transcripts, message_meta

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def entry(cid: int, *, urgent: bool = False, priority: int = 0, minutes: int = 0) -> QueueEntry:
    return QueueEntry(
        cid, "chat", urgent, None, priority, T0 + timedelta(minutes=minutes), None, None
    )


def test_urgent_first_then_priority_then_longest_waiting() -> None:
    entries = [
        entry(1, minutes=0),
        entry(2, priority=20, minutes=5),
        entry(3, urgent=True, minutes=9),
        entry(4, priority=20, minutes=1),
        entry(5, urgent=True, priority=0, minutes=10),
    ]
    ordered = [e.conversation_id for e in sorted(entries, key=queue_order_key)]
    assert ordered == [3, 5, 4, 2, 1]


def test_same_moment_falls_back_to_the_older_conversation() -> None:
    assert sorted([entry(9), entry(7)], key=queue_order_key)[0].conversation_id == 7


def test_wait_estimate_grows_with_position_and_shrinks_with_counsellors() -> None:
    assert estimate_wait_s(1, 1, 300) == 300
    assert estimate_wait_s(3, 1, 300) == 900
    assert estimate_wait_s(3, 3, 300) == 300
    assert estimate_wait_s(4, 3, 300) == 600
    # Nobody online: counted as one counsellor, not a division by zero.
    assert estimate_wait_s(2, 0, 300) == 600
    assert estimate_wait_s(0, 2, 300) == 0


def test_handle_time_needs_enough_samples() -> None:
    assert typical_handle_time_s([100, 200], 480) == 480
    assert typical_handle_time_s([100, 200, 300, 400, 500], 480) == 300
    assert typical_handle_time_s([1, 2, 3, 4, 5], 480) == 30.0


def test_the_latest_assessment_gives_the_reasons_else_the_triage_state() -> None:
    state = {"reasons": ["Asks for a person"], "level": "brief"}
    assert decision_reasons(state, ["Counsellor: talked to them"]) == (
        "Counsellor: talked to them",
    )
    assert decision_reasons(state, []) == ("Asks for a person",)
    assert decision_reasons(state, None) == ("Asks for a person",)
    assert decision_reasons({}, None) == ()
    assert decision_reasons(None, None) == ()
    assert decision_reasons({"reasons": "not a list"}, None) == ()


def test_email_meta_has_subject_full_text_and_download_links() -> None:
    meta = message_meta(
        7,
        "email",
        "in",
        "Tak for svaret.",
        None,
        [
            {"filename": "cv.pdf", "content_type": "application/pdf", "size": 10, "index": 0},
            {"filename": "big.zip", "content_type": "application/zip", "dropped": "too_large"},
        ],
        {"subject": "Eux", "full_text": "Tak for svaret.\n> tidligere", "message_id": "<a@b>"},
    )
    assert meta["subject"] == "Eux"
    assert meta["full_text"].startswith("Tak for svaret.")
    assert meta["attachments"][0]["url"] == "/api/messages/7/attachments/0"
    assert "url" not in meta["attachments"][1]
    assert meta["raw_url"] == "/api/messages/7/raw"


def test_call_meta_has_kind_duration_recording_and_transcript() -> None:
    assert call_duration("completed", "Opkald afsluttet, varighed 42 s.", {}) == 42
    assert call_duration("voicemail", "Talebesked (17 s) - udskrift følger.", {}) == 17
    assert call_duration("answered", "Opkald besvaret efter 12 s i kø.", {}) is None
    assert call_duration("answered", "…", {"duration": "90"}) == 90
    voicemail: dict[str, Any] = {
        "id": 1,
        "text": "Talebesked (17 s) - udskrift følger.",
        "meta": message_meta(
            1,
            "voice",
            "in",
            "Talebesked (17 s) - udskrift følger.",
            None,
            [{"url": "https://api.twilio.com/rec/RE1", "content_type": "audio/x-wav"}],
            {"kind": "voicemail", "call_sid": "CA1"},
        ),
    }
    assert voicemail["meta"]["recording"] == "https://api.twilio.com/rec/RE1"
    assert voicemail["meta"]["duration"] == 17
    transcript: dict[str, Any] = {
        "id": 2,
        "text": "Ring mig op om eux",
        "meta": message_meta(
            2,
            "voice",
            "in",
            "Ring mig op om eux",
            None,
            [],
            {"kind": "transcript", "call_sid": "CA1"},
        ),
    }
    link_transcripts([voicemail, transcript])
    assert voicemail["meta"]["transcript"] == "Ring mig op om eux"
    # A recording link is only ever a web address.
    odd = message_meta(
        3, "voice", "in", "x", None, [{"url": "javascript:alert(1)"}], {"kind": "voicemail"}
    )
    assert "recording" not in odd


def test_sms_meta_has_segments_and_the_providers_error_code() -> None:
    assert message_meta(1, "sms", "in", "hej", None, [], {"NumSegments": "2"})["segments"] == 2
    failed = message_meta(2, "sms", "out", "hej", "twilio error 30003: Unreachable", [], {})
    assert failed["error_code"] == "30003"
    assert error_code("Twilio answered 400 (error 21610): unsubscribed") == "21610"
    assert error_code(None) is None
    assert message_meta(3, "webchat", "in", "hej", None, [], {"client_id": "x"}) == {}
