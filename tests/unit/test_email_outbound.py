"""Reply tokens, the loop rules and the composed mail, without a network."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from channels.email.compose import Composed, compose, reply_subject, templates
from channels.email.reply_token import (
    find_conversation,
    make_token,
    plus_address,
    split_plus,
    verify_token,
)
from channels.email.sender import check_loop_rules
from server.hours import OpeningHours
from server.messages import OutboundMessage, SendError
from server.settings import OpeningHoursSettings, Settings
from server.thread_context import ThreadContext

SECRET = "unit-test-secret"


def outbound(author_kind: str = "bot", **meta: object) -> OutboundMessage:
    return OutboundMessage(
        message_id=17,
        conversation_id=5,
        channel="email",
        address="mette@example.dk",
        text="Tak for din mail.\n\n1. Hvor gammel er du?\n2. <Hvad> laver du nu?",
        author_kind=author_kind,
        author_name="Anna" if author_kind == "counsellor" else None,
        created_at="2025-03-03T10:00:00+00:00",
        meta=dict(meta),
    )


def test_token_round_trip_and_forgery() -> None:
    token = make_token(SECRET, 42)
    assert verify_token(SECRET, token) == 42
    assert verify_token("other-secret", token) is None
    assert verify_token(SECRET, token.replace("42-", "43-")) is None
    address = plus_address("vejledning@example.org", token)
    assert split_plus(address) == ("vejledning@example.org", token)
    assert find_conversation(SECRET, [f"SV: Re: Hej [#{token}]"]) == 42
    assert find_conversation(SECRET, ["Re: Hej [#42-aaaaaaaaaaaa]"]) is None


def test_reply_subject_strips_prefixes_and_old_tags() -> None:
    token = make_token(SECRET, 5)
    assert reply_subject(f"SV: Re: SU [#{token}]", "eGuidance", "da", token) == (
        f"Re: SU [#{token}]"
    )
    assert reply_subject("", "eGuidance", "en", token).startswith("Re: Your message to eGuidance")


def test_no_automatic_answer_to_automatic_mail() -> None:
    with pytest.raises(SendError) as caught:
        check_loop_rules(outbound(), ThreadContext(inbound_automatic=True))
    assert caught.value.permanent and caught.value.code == "auto_reply_suppressed"
    # A counsellor's answer always goes.
    assert check_loop_rules(outbound("counsellor"), ThreadContext(inbound_automatic=True)) is False


def test_one_automatic_mail_a_day() -> None:
    assert check_loop_rules(outbound(), ThreadContext(first_outbound=True)) is True
    assert check_loop_rules(outbound(), ThreadContext(first_outbound=False)) is False
    # A receipt, a question list or an article: the second automatic mail does not go.
    for action in ("acknowledge", "ask_question", "offer_self_help"):
        for first in (True, False):
            with pytest.raises(SendError) as caught:
                check_loop_rules(
                    outbound(triage_action=action),
                    ThreadContext(first_outbound=first, automatic_today=1),
                )
            assert caught.value.permanent and caught.value.code == "auto_reply_limited"


def test_crisis_contacts_go_over_the_limit_but_never_to_automatic_mail() -> None:
    crisis = outbound(triage_action="send_crisis_contacts")
    assert check_loop_rules(crisis, ThreadContext(first_outbound=True, automatic_today=3))
    assert not check_loop_rules(crisis, ThreadContext(first_outbound=False, automatic_today=3))
    with pytest.raises(SendError) as caught:
        check_loop_rules(crisis, ThreadContext(inbound_automatic=True))
    assert caught.value.code == "auto_reply_suppressed"


def test_a_counsellors_or_systems_mail_is_not_limited() -> None:
    busy = ThreadContext(first_outbound=False, automatic_today=5)
    assert check_loop_rules(outbound("counsellor"), busy) is False
    assert check_loop_rules(outbound("system"), busy) is False


def _compose(message: OutboundMessage, context: ThreadContext, receipt: bool) -> Composed:
    settings = Settings()
    hours = OpeningHours.from_settings(OpeningHoursSettings(mode="always_open"))
    return compose(message, context, settings, hours, SECRET, templates(), receipt)


def test_receipt_is_threaded_marked_automatic_and_has_both_parts() -> None:
    context = ThreadContext(
        in_reply_to="in-2@example.dk", references=["root@example.dk"], subject="SU", language="da"
    )
    composed = _compose(outbound(triage_action="ask_question", language="da"), context, True)
    mail = message_from_bytes(composed.message.as_bytes(), policy=policy.default)
    assert mail["Message-ID"] == f"<{composed.message_id}>"
    assert mail["In-Reply-To"] == "<in-2@example.dk>"
    assert mail["References"] == "<root@example.dk> <in-2@example.dk>"
    assert mail["Auto-Submitted"] == "auto-replied"
    assert mail["Subject"] == f"Re: SU [#{make_token(SECRET, 5)}]"
    assert split_plus(mail["Reply-To"].addresses[0].addr_spec)[1] == make_token(SECRET, 5)
    text_part, html_part = mail.get_body(("plain",)), mail.get_body(("html",))
    assert text_part is not None and html_part is not None
    text, html = text_part.get_content(), html_part.get_content()
    assert "Vi har modtaget din mail" in text
    assert "1. Hvor gammel er du?" in text and "70 201 201" in text
    assert "&lt;Hvad&gt;" in html and "<Hvad>" not in html
    assert "døgnåbent" in text


def test_counsellor_reply_is_signed_and_not_automatic() -> None:
    composed = _compose(outbound("counsellor"), ThreadContext(subject="SU"), False)
    mail = composed.message
    assert mail["Auto-Submitted"] is None
    assert "Anna" in str(mail["From"])
    assert "Venlig hilsen\nAnna\neGuidance" in composed.text
    assert "Vi har modtaget din mail" not in composed.text
    # The same message gets the same Message-ID on a retry.
    assert _compose(outbound("counsellor"), ThreadContext(), False).message_id == (
        composed.message_id
    )
