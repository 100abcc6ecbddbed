"""A counsellor downloads a mail's attachments and its original source; nothing renders
inline, and nobody without a login gets anything."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest

from tests.e2e.test_email_support import MailNode, logged_in, mail_node, person_mail, wait_until
from tests.support.clients import Counsellor

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<html><body><script>alert(document.cookie)</script>Hej</body></html>"
PDF_NAME = "CV – Line Nørgaard.pdf"


@pytest.fixture
async def node(tmp_path: Path) -> AsyncIterator[MailNode]:
    async with mail_node(tmp_path / "node") as started:
        yield started


@pytest.fixture
async def anna(node: MailNode) -> AsyncIterator[Counsellor]:
    async with logged_in(node) as counsellor:
        yield counsellor


async def get(anna: Counsellor, path: str, login: bool = True) -> tuple[int, Any, bytes]:
    headers = {"Authorization": f"Bearer {anna.token}"} if login else {}
    async with aiohttp.ClientSession(anna.base_url) as http, http.get(path, headers=headers) as r:
        return r.status, r.headers, await r.read()


async def first_message(anna: Counsellor) -> dict[str, Any] | None:
    _, body = await anna.request("GET", "/api/conversations")
    for item in body["items"]:
        _, conversation = await anna.request("GET", f"/api/conversations/{item['conversation_id']}")
        return dict(conversation["messages"][0])
    return None


async def test_attachments_and_raw_source_download(node: MailNode, anna: Counsellor) -> None:
    mail = person_mail("Hej, her er mit CV og min ansøgning.")
    mail.add_attachment(PDF, maintype="application", subtype="pdf", filename=PDF_NAME)
    mail.add_attachment(HTML, maintype="text", subtype="html", filename="ansøgning.html")
    await node.send(mail)
    message = await wait_until(lambda: first_message(anna))
    listing = message["attachments"]
    assert [a["index"] for a in listing] == [0, 1]
    base = f"/api/messages/{message['id']}"

    status, headers, body = await get(anna, f"{base}/attachments/0")
    assert status == 200 and body == PDF
    assert headers["Content-Type"] == "application/pdf"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Disposition"].startswith("attachment;")
    assert f"filename*=UTF-8''{quote(PDF_NAME, safe='')}" in headers["Content-Disposition"]

    status, headers, body = await get(anna, f"{base}/attachments/1")
    assert status == 200 and body == HTML
    # HTML is never served as HTML from our origin: a download of inert bytes.
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Content-Disposition"].startswith("attachment;")
    assert "ans%C3%B8gning.html" in headers["Content-Disposition"]

    status, headers, body = await get(anna, f"{base}/raw")
    assert status == 200 and headers["Content-Type"] == "message/rfc822"
    original = message_from_bytes(body, policy=policy.default)
    assert original["Message-ID"] == mail["Message-ID"]

    for path in (f"{base}/attachments/0", f"{base}/raw"):
        status, _, body = await get(anna, path, login=False)
        assert status == 401 and PDF not in body
    status, _, _ = await get(anna, f"{base}/attachments/2")
    assert status == 404
    status, _, _ = await get(anna, f"/api/messages/{message['id'] + 999}/raw")
    assert status == 404

    # The OpenAPI document describes both downloads, binary answers and errors.
    status, _, body = await get(anna, "/api/openapi.json")
    assert status == 200
    paths = json.loads(body)["paths"]
    attachment_op = paths["/api/messages/{id}/attachments/{n}"]["get"]
    raw_op = paths["/api/messages/{id}/raw"]["get"]
    assert "application/octet-stream" in attachment_op["responses"]["200"]["content"]
    assert list(raw_op["responses"]["200"]["content"]) == ["message/rfc822"]
    assert {"id", "n"} == {p["name"] for p in attachment_op["parameters"]}
    for op in (attachment_op, raw_op):
        assert {"401", "403", "404"} <= set(op["responses"])
