"""Pure pieces of the Twilio channel: segments, numbers, keywords, form translation."""

from __future__ import annotations

import pytest
from multidict import MultiDict
from twilio.request_validator import RequestValidator

from channels.twilio.phone import normalise_number
from channels.twilio.segments import MAX_CHARS, sms_segments
from channels.twilio.sender import check_sendable
from channels.twilio.sms import inbound_from_form, keyword
from server.messages import OutboundMessage, SendError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {"encoding": "GSM-7", "segments": 0, "chars": 0}),
        ("Hej æøå ÆØÅ", {"encoding": "GSM-7", "segments": 1, "chars": 11}),
        ("x" * 160, {"encoding": "GSM-7", "segments": 1, "chars": 160}),
        ("x" * 161, {"encoding": "GSM-7", "segments": 2, "chars": 161}),
        ("x" * 306, {"encoding": "GSM-7", "segments": 2, "chars": 306}),
        ("x" * 307, {"encoding": "GSM-7", "segments": 3, "chars": 307}),
        ("€" * 80, {"encoding": "GSM-7", "segments": 1, "chars": 160}),
        ("€" * 81, {"encoding": "GSM-7", "segments": 2, "chars": 162}),
        ("{[]}", {"encoding": "GSM-7", "segments": 1, "chars": 8}),
        ("ł" * 70, {"encoding": "UCS-2", "segments": 1, "chars": 70}),
        ("ł" * 71, {"encoding": "UCS-2", "segments": 2, "chars": 71}),
        ("ł" * 135, {"encoding": "UCS-2", "segments": 3, "chars": 135}),
        ("Hej 🙂", {"encoding": "UCS-2", "segments": 1, "chars": 6}),
    ],
)
def test_sms_segments(text: str, expected: dict[str, object]) -> None:
    assert sms_segments(text) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12345678", "+4512345678"),
        ("12 34 56 78", "+4512345678"),
        ("+45 12 34 56 78", "+4512345678"),
        ("004512345678", "+4512345678"),
        ("+46701234567", "+46701234567"),
        ("1220", "1220"),
        ("Netto", "Netto"),
        (" eGuidance ", "eGuidance"),
    ],
)
def test_numbers_are_normalised_to_e164_and_senders_kept(raw: str, expected: str) -> None:
    assert normalise_number(raw) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("STOP", "stop"),
        (" stop ", "stop"),
        ("Afmeld", "stop"),
        ("unsubscribe", "stop"),
        ("StopAll", "stop"),
        ("quit.", "stop"),
        ("OPTOUT", "stop"),
        ("revoke", "stop"),
        ("start", "start"),
        ("YES", "start"),
        ("unstop", "start"),
        ("help", "help"),
        ("Hjælp", "help"),
        ("stop med at skrive til mig om det", None),
        ("Hej", None),
    ],
)
def test_keywords_are_whole_texts(body: str, expected: str | None) -> None:
    assert keyword(body) == expected


def test_form_becomes_an_inbound_message_with_attachments_and_meta() -> None:
    form = MultiDict(
        [
            ("MessageSid", "SM1"),
            ("From", "+45 12 34 56 78"),
            ("To", "+4570203040"),
            ("Body", "Hej"),
            ("NumMedia", "2"),
            ("MediaUrl0", "https://x/0"),
            ("MediaContentType0", "image/png"),
            ("MediaUrl1", "https://x/1"),
            ("MediaContentType1", "application/pdf"),
            ("FromCountry", "DK"),
            ("Unknown", "kept out"),
        ]
    )
    inbound = inbound_from_form(form)
    assert (inbound.channel, inbound.address, inbound.provider_id) == ("sms", "+4512345678", "SM1")
    assert inbound.attachments == [
        {"url": "https://x/0", "content_type": "image/png"},
        {"url": "https://x/1", "content_type": "application/pdf"},
    ]
    assert inbound.meta["to"] == "+4570203040" and inbound.meta["FromCountry"] == "DK"


@pytest.mark.parametrize(("body", "word"), [("HELP", "help"), ("Stop", "stop"), ("Hej", None)])
def test_keywords_are_stored_as_automatic_so_triage_skips_them(body: str, word: str | None) -> None:
    inbound = inbound_from_form({"MessageSid": "SM1", "From": "+4512345678", "Body": body})
    assert inbound.text == body
    assert inbound.automatic is (word is not None)
    assert inbound.queue_reason is None
    assert inbound.meta.get("keyword") == word


def test_a_reply_twilio_would_refuse_is_refused_before_it_is_stored() -> None:
    def reply(text: str, address: str = "+4512345678") -> OutboundMessage:
        return OutboundMessage(0, 1, "sms", address, text, "counsellor", None, "")

    check_sendable(reply("x" * MAX_CHARS))
    with pytest.raises(SendError) as too_long:
        check_sendable(reply("x" * (MAX_CHARS + 1)))
    assert too_long.value.code == "too_long" and too_long.value.permanent
    assert "1600" in too_long.value.reason and "1601" in too_long.value.reason
    with pytest.raises(SendError) as no_address:
        check_sendable(reply("Hej", address=""))
    assert no_address.value.code == "no_address"


def test_request_validator_signs_every_value_of_a_repeated_key() -> None:
    validator = RequestValidator("token")
    url = "https://example.org/hooks/twilio/sms"
    form = MultiDict([("A", "1"), ("B", "y"), ("B", "x")])
    signature = validator.compute_signature(url, form)
    assert validator.validate(url, form, signature)
    # A plain dict keeps one value per key: that is not what Twilio signed.
    assert not validator.validate(url, dict(form), signature)
