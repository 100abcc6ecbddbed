"""Every message in tests/data/email parses to what its manifest says."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from channels.email.bounces import read_bounce
from channels.email.inbound import to_inbound
from channels.email.parsing import parse_mail
from channels.email.quotes import latest_reply

DATA = Path(__file__).resolve().parents[1] / "data" / "email"
CASES = tomllib.loads((DATA / "manifest.toml").read_text())["message"]
SECRET = "unit-test-secret"


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_fixture_parses_as_expected(case: dict[str, Any]) -> None:
    raw = (DATA / case["file"]).read_bytes()
    parsed = parse_mail(raw, "sender@example.net")
    bounce = read_bounce(parsed.message, "sender@example.net")
    if case["action"] == "bounce":
        assert bounce is not None
        assert bounce.original_message_id == case["original_message_id"]
        assert case["reason_contains"] in bounce.reason
        return
    assert bounce is None
    inbound = to_inbound(parsed, raw, "sender@example.net", ["vejledning@example.org"], SECRET)
    assert inbound.address == case["address"]
    assert inbound.text == case["text"]
    assert inbound.thread_refs == case["thread_refs"]
    assert inbound.meta["automatic"] is case["automatic"]
    if "name" in case:
        assert inbound.name == case["name"]
    if "subject" in case:
        assert inbound.meta["subject"] == case["subject"]
    if "html_only" in case:
        assert inbound.meta["html_only"] is case["html_only"]
    assert inbound.attachments == case.get("attachments", [])
    assert inbound.blobs[0].kind == "raw" and inbound.blobs[0].data == raw
    assert len(inbound.blobs) == 1 + len(case.get("attachments", []))


def test_every_fixture_file_is_in_the_manifest() -> None:
    assert {p.name for p in DATA.glob("*.eml")} == {c["file"] for c in CASES}


def test_full_text_is_kept_when_history_is_cut() -> None:
    raw = (DATA / "gmail_reply.eml").read_bytes()
    inbound = to_inbound(parse_mail(raw), raw, "x@y.dk", ["vejledning@example.org"], SECRET)
    assert "Hvor gammel er du?" in inbound.meta["full_text"]
    assert inbound.provider_id == "CAK7uVq0xk+gmail=reply=0002@mail.gmail.com"


def test_mail_without_message_id_gets_a_stable_one() -> None:
    raw = b"From: a@b.dk\r\nTo: vejledning@example.org\r\nSubject: x\r\n\r\nHej\r\n"
    assert parse_mail(raw).message_id == parse_mail(raw).message_id
    assert parse_mail(raw).message_id.endswith("@no-message-id.invalid")


def test_attachments_over_the_given_limit_are_listed_not_kept() -> None:
    raw = (DATA / "attachment_pdf.eml").read_bytes()
    size = parse_mail(raw).attachments[0].size
    kept = parse_mail(raw, max_attachment_bytes=size).attachments[0]
    assert not kept.dropped and len(kept.data) == size
    dropped = parse_mail(raw, max_attachment_bytes=size - 1).attachments[0]
    assert dropped.dropped and dropped.data == b"" and dropped.size == size
    assert dropped.listing()["dropped"] == "too_large"


def test_sender_falls_back_to_the_envelope() -> None:
    raw = b"To: vejledning@example.org\r\nSubject: x\r\n\r\nHej\r\n"
    assert parse_mail(raw, "Person@Example.DK").address == "person@example.dk"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Tak for sidst.\nTakket være jer fik jeg job.",
            "Tak for sidst.\nTakket være jer fik jeg job.",
        ),
        ("Svar her.\n\nMvh\nBo", "Svar her."),
        ("Hej\n- punkt et\n- punkt to", "Hej\n- punkt et\n- punkt to"),
        ("Yes.\n\nOn Mon, 3 Mar 2025 at 10:12, X <x@y.dk> wrote:\n> old", "Yes."),
        ("Ja.\n\n-----Original Message-----\nFrom: x\nSent: y\n\nold", "Ja."),
        (
            "Ok.\n\nDen tor. 26. nov. 2026 kl. 10.12 skrev Vejledning <\n"
            "vejledning@example.org>:\n\n> Hej\n>",
            "Ok.",
        ),
        (
            "Ok.\n\nOn Thu, 26 Nov 2026 at 10:12, Vejledning\n<vejledning@example.org> wrote:\n> x",
            "Ok.",
        ),
        ("Ja.\n" + "_" * 32 + "\nFra: Vejledning\nSendt: 26. nov.\nTil: P\nEmne: x\n\nold", "Ja."),
        # A person's own words above a quote are not an attribution.
        ("I wrote to them.\nThey said:\n> no", "I wrote to them.\nThey said:"),
    ],
)
def test_latest_reply(text: str, expected: str | None) -> None:
    assert latest_reply(text) == (text if expected is None else expected)
