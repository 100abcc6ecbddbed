"""One e-mail's bytes as the facts the channel needs, surviving broken mail.

Headers are read with `email.policy.default`; a header that policy cannot parse
falls back to the raw value decoded leniently. Bodies are decoded by their declared
charset, then UTF-8, then windows-1252 (what "iso-8859-1" and unlabelled 8-bit mail
from Danish clients usually is).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from channels.email.htmltext import html_to_text
from channels.email.quotes import latest_reply

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024  # [email] max_attachment_bytes' default
MAX_TEXT_CHARS = 20000
MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
# What a usable msg-id looks like: a non-empty local part, "@", a domain, no spaces.
# Anything else ("<>", "foo") is no id at all: two mails would share it and the second
# would be dropped as a duplicate.
REAL_MESSAGE_ID = re.compile(r"[^<>\s]+@[^<>\s@]+")
ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# Charsets mail clients label wrongly: read them as their superset.
CHARSET_ALIASES = {
    "iso-8859-1": "windows-1252",
    "latin-1": "windows-1252",
    "latin1": "windows-1252",
}


@dataclass(frozen=True)
class Attachment:
    filename: str | None
    content_type: str
    data: bytes
    dropped: bool = False  # over the size limit: listed, not kept
    size: int = 0

    def listing(self) -> dict[str, object]:
        entry: dict[str, object] = {
            "filename": self.filename,
            "content_type": self.content_type,
            "size": self.size,
        }
        if self.dropped:
            entry["dropped"] = "too_large"
        return entry


@dataclass
class ParsedMail:
    message: EmailMessage
    message_id: str  # without angle brackets; made from the bytes when missing
    address: str  # lowercase addr-spec of the sender
    name: str | None
    subject: str
    text: str  # what the person wrote now
    full_text: str  # the whole body as text
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    html_only: bool = False
    language: str | None = None

    @property
    def thread_refs(self) -> list[str]:
        """What this answers, most specific first: In-Reply-To, then References backwards."""
        refs = [*self.in_reply_to, *reversed(self.references)]
        return list(dict.fromkeys(refs))


def parse_bytes(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def header(message: Message, name: str) -> str:
    """A header's decoded text, or "" — never an exception for a malformed one."""
    try:
        value = message.get(name)
        return "" if value is None else str(value).strip()
    except Exception:
        pass
    for key, raw in message.raw_items():
        if key.lower() == name.lower():
            return _lenient_decode(str(raw))
    return ""


def _lenient_decode(raw: str) -> str:
    try:
        return str(make_header(decode_header(raw))).strip()
    except Exception:
        return re.sub(r"\s+", " ", raw).strip()


def message_ids(value: str) -> list[str]:
    """Every real <id> in a header such as References, without the brackets; empty
    and junk ids are left out."""
    found = MESSAGE_ID.findall(value)
    if not found and value.strip() and " " not in value.strip():
        found = [value.strip().strip("<>")]
    return [id_ for id_ in found if is_real_message_id(id_)]


def is_real_message_id(value: str) -> bool:
    return REAL_MESSAGE_ID.fullmatch(value) is not None


def normalise_address(value: str) -> tuple[str, str | None]:
    """(lowercase addr-spec, display name or None) from a From-like header text; for a
    header too broken to parse, the first thing in it that looks like an address."""
    pairs = getaddresses([value]) if value else []
    name, addr = pairs[0] if pairs else parseaddr(value)
    addr = addr.strip().strip("<>").lower()
    if ADDRESS.fullmatch(addr):
        return addr, (name.strip() or None)
    found = ADDRESS.search(value.replace("@@", " "))
    return (found.group(0).lower(), None) if found else ("", None)


def decode_part(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        text = part.get_payload()
        return text if isinstance(text, str) else ""
    declared = (part.get_content_charset() or "").lower()
    for charset in (CHARSET_ALIASES.get(declared, declared), "utf-8"):
        if not charset:
            continue
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("windows-1252", errors="replace")


def _body_part(message: EmailMessage) -> Message | None:
    try:
        body = message.get_body(preferencelist=("plain", "html"))
    except Exception:
        body = None
    if body is not None:
        return body
    for part in message.walk():
        if part.get_content_maintype() == "text" and not part.is_multipart():
            return part
    return None


def body_text(message: EmailMessage) -> tuple[str, bool]:
    """(the body as plain text, whether it came from HTML)."""
    part = _body_part(message)
    if part is None:
        return "", False
    text = decode_part(part)
    if part.get_content_subtype() == "html":
        return html_to_text(text), True
    return text, False


def attachments(message: EmailMessage, max_bytes: int = MAX_ATTACHMENT_BYTES) -> list[Attachment]:
    """Every attachment; one over max_bytes is listed with its size but not kept."""
    found: list[Attachment] = []
    try:
        parts = list(message.iter_attachments())
    except Exception:
        parts = []
    for part in parts:
        if part.is_multipart():
            continue
        data = part.get_payload(decode=True)
        data = data if isinstance(data, bytes) else b""
        try:
            filename = part.get_filename()
        except Exception:
            filename = None
        content_type = part.get_content_type()
        if len(data) > max_bytes:
            found.append(Attachment(filename, content_type, b"", dropped=True, size=len(data)))
        else:
            found.append(Attachment(filename, content_type, data, size=len(data)))
    return found


def synthetic_message_id(raw: bytes) -> str:
    """A stable id for mail without a Message-ID, so a retried delivery still dedupes."""
    return f"{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id.invalid"


def parse_mail(
    raw: bytes, envelope_sender: str = "", max_attachment_bytes: int = MAX_ATTACHMENT_BYTES
) -> ParsedMail:
    message = parse_bytes(raw)
    ids = message_ids(header(message, "Message-ID"))
    address, name = normalise_address(header(message, "From"))
    if not address or "@" not in address:
        address, name = normalise_address(envelope_sender)
    full, html_only = body_text(message)
    full = full.replace("\r\n", "\n")[:MAX_TEXT_CHARS]
    language = header(message, "Content-Language").lower()[:2] or None
    return ParsedMail(
        message=message,
        message_id=ids[0] if ids else synthetic_message_id(raw),
        address=address,
        name=name,
        subject=header(message, "Subject"),
        text=latest_reply(full),
        full_text=full.strip(),
        in_reply_to=message_ids(header(message, "In-Reply-To"))[:1],
        references=message_ids(header(message, "References"))[-20:],
        attachments=attachments(message, max_attachment_bytes),
        html_only=html_only,
        language=language if language in {"da", "en"} else None,
    )
