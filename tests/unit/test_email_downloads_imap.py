"""Pure pieces of the download routes, the simulator's mail and the IMAP source."""

from __future__ import annotations

import pytest

from channels.email.downloads import content_disposition, safe_filename, served_type
from channels.email.imap import envelope_of
from channels.email.imap_state import ImapSettings
from channels.email.simulator import build_mail
from server.errors import Invalid
from server.settings import EmailSettings

SERVICE = "vejledning@example.org"


@pytest.mark.parametrize(
    ("stored", "served"),
    [
        ("application/pdf", "application/pdf"),
        ("image/png", "image/png"),
        ("text/html", "application/octet-stream"),
        ("TEXT/HTML; charset=utf-8", "application/octet-stream"),
        ("image/svg+xml", "application/octet-stream"),
        ("text/plain\r\nX-Evil: 1", "application/octet-stream"),
        ("", "application/octet-stream"),
        (None, "application/octet-stream"),
    ],
)
def test_served_type_never_renders_active_content(stored: str | None, served: str) -> None:
    assert served_type(stored) == served


def test_content_disposition_is_rfc5987_with_an_ascii_fallback() -> None:
    value = content_disposition("CV – Line Nørgaard.pdf")
    assert value.startswith('attachment; filename="CV _ Line N_rgaard.pdf"')
    assert value.endswith("filename*=UTF-8''CV%20%E2%80%93%20Line%20N%C3%B8rgaard.pdf")
    assert safe_filename('../../etc/"passwd"\r\n', "x") == "_.._etc_passwd_"
    assert safe_filename(None, "fallback.bin") == "fallback.bin"


def test_simulator_builds_a_mail_like_a_client_would() -> None:
    mail = build_mail(
        {"from": "Line <line@example.dk>", "subject": "Hej\r\nBcc: x", "text": "Tekst"}, SERVICE
    )
    assert mail["From"].addresses[0].addr_spec == "line@example.dk"
    assert mail["Subject"] == "Hej Bcc: x"  # no header injection
    assert mail["To"] == SERVICE and mail["Message-ID"]
    with pytest.raises(Invalid):
        build_mail({"from": "nobody", "text": "x"}, SERVICE)
    with pytest.raises(Invalid):
        build_mail({"from": "a@b.dk", "text": "x", "to": "other@example.org"}, SERVICE)
    with pytest.raises(Invalid):
        build_mail({"from": "a@b.dk", "text": "  "}, SERVICE)


def test_envelope_from_delivery_headers() -> None:
    raw = (
        b"Return-Path: <line@example.dk>\r\nDelivered-To: vejledning+1-abcdefghijkl@example.org\r\n"
        b"From: Line <line@example.dk>\r\nSubject: x\r\n\r\nHej\r\n"
    )
    assert envelope_of(raw, SERVICE) == (
        "line@example.dk",
        ["vejledning+1-abcdefghijkl@example.org"],
    )
    bounce = b"Return-Path: <>\r\nFrom: MAILER-DAEMON@example.org\r\n\r\nx\r\n"
    assert envelope_of(bounce, SERVICE) == ("", [SERVICE])
    plain = b"From: Bo <bo@example.dk>\r\n\r\nx\r\n"
    assert envelope_of(plain, SERVICE)[0] == "Bo <bo@example.dk>"


def test_imap_settings_read_the_email_imap_keys() -> None:
    email = EmailSettings(imap_host="imap.example.org", imap_port=143, imap_tls="none")
    settings = ImapSettings.from_email_settings(email)
    assert (settings.host, settings.port, settings.tls, settings.mailbox) == (
        "imap.example.org", 143, "none", "INBOX",
    )  # fmt: skip
    assert settings.idle_renew_s == email.imap_idle_renew_s
    assert not ImapSettings.from_email_settings(EmailSettings()).enabled
    with pytest.raises(ValueError, match="imap_tls"):
        ImapSettings(tls="starttls").check()
