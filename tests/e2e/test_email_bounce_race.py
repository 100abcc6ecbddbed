"""A bounce that arrives while our SMTP send is still in progress, before the outbox
has recorded the send, still marks the outbound mail failed."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.e2e.test_email_support import (
    DATA,
    FIRST,
    SERVICE,
    Sink,
    email_conversation,
    logged_in,
    mail_node,
    person_mail,
    wait_until,
)

UNKNOWN = "nobody@example.dk"
PLACEHOLDER = b"<eguidance.42.a1b2c3d4e5f60718@example.org>"


class BouncingRelay(Sink):
    """A relay that learns at once that the recipient does not exist, and returns the
    bounce to our listener before it has even answered our DATA."""

    listener_port = 0
    bounced: list[str]

    def __init__(self) -> None:
        super().__init__()
        self.bounced = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        mail: EmailMessage = self.mails[-1]
        if envelope.rcpt_tos == [UNKNOWN]:
            dsn = (
                (DATA / "bounce_dsn.eml")
                .read_bytes()
                .replace(PLACEHOLDER, mail["Message-ID"].encode())
            )
            # A bounce has an empty return path (MAIL FROM:<>); our listener answers
            # only once the bounce is applied (or matched nothing).
            client = aiosmtplib.SMTP(hostname="127.0.0.1", port=self.listener_port)
            async with client:
                await client.sendmail("", [SERVICE], dsn)
            self.bounced.append(mail["Message-ID"])
        return answer


async def test_bounce_before_the_send_is_recorded_still_fails_the_message(
    tmp_path: Path,
) -> None:
    relay = BouncingRelay()
    async with mail_node(tmp_path / "node", sink=relay) as node, logged_in(node) as anna:
        relay.listener_port = node.smtp_port
        await node.send(person_mail(FIRST, sender=f"Nobody <{UNKNOWN}>"))

        async def settled_receipt() -> dict[str, object] | None:
            messages = (await email_conversation(anna))["messages"]
            out = [m for m in messages if m["direction"] == "out"]
            # queued/sending until the outbox is done with it; then sent or failed.
            return out[0] if out and out[0]["status"] in {"sent", "failed"} else None

        receipt = await wait_until(settled_receipt)
        assert relay.bounced, "the relay never saw the receipt"
        assert receipt["status"] == "failed"
        assert "5.1.1" in str(receipt["error"])
