"""Which received mail is automatic (RFC 3834, channels/email/loops.py), and which
Message-IDs are real enough to deduplicate by (channels/email/parsing.py)."""

from __future__ import annotations

import pytest

from channels.email.loops import automatic_reasons
from channels.email.parsing import message_ids, parse_bytes, parse_mail

PERSON = "mette@example.dk"


def mail(*headers: str, body: str = "Hej") -> bytes:
    lines = [f"From: {PERSON}", "To: vejledning@example.org", "Subject: x", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n" + body + "\r\n").encode()


def reasons(*headers: str, envelope_sender: str = PERSON) -> list[str]:
    return automatic_reasons(parse_bytes(mail(*headers)), envelope_sender)


def test_a_persons_mail_has_no_reason() -> None:
    assert reasons() == []
    assert reasons("Precedence: normal") == []


@pytest.mark.parametrize("envelope_sender", ["", "<>", " <> "])
def test_an_empty_return_path_is_automatic(envelope_sender: str) -> None:
    assert reasons(envelope_sender=envelope_sender) == ["empty return path"]


@pytest.mark.parametrize("value", ["no", "No", "no; comment"])
def test_auto_submitted_no_is_a_person(value: str) -> None:
    assert reasons(f"Auto-Submitted: {value}") == []


@pytest.mark.parametrize("value", ["auto-replied", "auto-generated", "auto-notified; owner"])
def test_auto_submitted_other_than_no_is_automatic(value: str) -> None:
    assert reasons(f"Auto-Submitted: {value}") == [f"auto-submitted: {value.split(';')[0]}"]


@pytest.mark.parametrize("value", ["bulk", "junk", "list", "Bulk"])
def test_bulk_precedence_alone_is_automatic(value: str) -> None:
    assert reasons(f"Precedence: {value}") == [f"precedence: {value.lower()}"]


def test_list_id_alone_is_automatic() -> None:
    assert reasons("List-Id: Nyheder <nyheder.example.com>") == ["mailing list"]


@pytest.mark.parametrize("junk", ["<>", "<<>>", "foo", "<a b@c>", "<@example.dk>", "<a@>", ""])
def test_an_empty_or_junk_message_id_is_replaced_by_one_from_the_bytes(junk: str) -> None:
    first = parse_mail(mail(f"Message-ID: {junk}", body="Første"))
    second = parse_mail(mail(f"Message-ID: {junk}", body="Anden"))
    assert first.message_id.endswith("@no-message-id.invalid")
    # Two different mails must not share an id, or the second is dropped as a duplicate.
    assert first.message_id != second.message_id
    # The same bytes again (a retried delivery) keep theirs, so they still dedupe.
    assert parse_mail(mail(f"Message-ID: {junk}", body="Første")).message_id == first.message_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<a@b.dk>", ["a@b.dk"]),
        ("a@b.dk", ["a@b.dk"]),
        ("<CAF=x+y@mail.gmail.com>", ["CAF=x+y@mail.gmail.com"]),
        ("<> <root@b.dk> <<>> <junk> <x@y.dk>", ["root@b.dk", "x@y.dk"]),
        ("<>", []),
        ("foo", []),
    ],
)
def test_message_ids_keeps_only_real_ids(value: str, expected: list[str]) -> None:
    assert message_ids(value) == expected


def test_junk_in_threading_headers_threads_nowhere() -> None:
    parsed = parse_mail(mail("Message-ID: <m1@b.dk>", "In-Reply-To: <>", "References: <> foo"))
    assert parsed.message_id == "m1@b.dk"
    assert parsed.thread_refs == []
