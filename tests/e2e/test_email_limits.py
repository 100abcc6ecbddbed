"""[email] max_message_bytes and max_attachment_bytes, set in the environment, are what
the real server's SMTP listener and parsing enforce."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiosmtplib
import pytest

from tests.e2e.test_email_support import (
    email_conversation,
    logged_in,
    mail_node,
    person_mail,
    wait_until,
)

LIMITS = {
    "EGUIDANCE_EMAIL__MAX_MESSAGE_BYTES": "20000",
    "EGUIDANCE_EMAIL__MAX_ATTACHMENT_BYTES": "1000",
}


async def test_configured_size_limits_apply(tmp_path: Path) -> None:
    async with mail_node(tmp_path / "node", LIMITS) as node, logged_in(node) as anna:
        # Far below the 10 MB default, above the configured 20000 bytes.
        with pytest.raises(aiosmtplib.SMTPResponseException) as oversize:
            await node.send(person_mail("Et langt brev. " * 2000))
        assert oversize.value.code == 552

        mail = person_mail("Her er to filer.")
        mail.add_attachment(b"x" * 1500, maintype="application", subtype="pdf", filename="cv.pdf")
        mail.add_attachment(b"y" * 500, maintype="text", subtype="plain", filename="note.txt")
        await node.send(mail)

        async def first_message() -> dict[str, Any] | None:
            _, body = await anna.request("GET", "/api/conversations")
            if not any(c["channel"] == "email" for c in body["items"]):
                return None
            return dict((await email_conversation(anna))["messages"][0])

        message = await wait_until(first_message)
        assert message["text"] == "Her er to filer."
        big, small = message["attachments"]
        assert big == {
            "filename": "cv.pdf",
            "content_type": "application/pdf",
            "size": 1500,
            "dropped": "too_large",
        }
        assert small["filename"] == "note.txt" and small["index"] == 0
