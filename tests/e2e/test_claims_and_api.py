"""The counsellor API through the real server: claims, auth, bad input."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import aiohttp

from tests.support.clients import Counsellor, Visitor
from tests.support.server import ServerProcess


async def test_two_counsellors_claiming_at_once_one_wins_the_other_gets_409(
    visitors: Callable[..., Visitor], counsellors: Callable[[str], Counsellor]
) -> None:
    anna = await counsellors("anna@example.org").login()
    bo = await counsellors("bo@example.org").login()
    for n in range(5):
        visitor = await visitors().connect()
        conversation_id = (await visitor.send(f"hej {n}, jeg vil tale med en vejleder"))[
            "conversation_id"
        ]
        path = f"/api/conversations/{conversation_id}/claim"
        results = await asyncio.gather(anna.request("POST", path), bo.request("POST", path))
        statuses = sorted(status for status, _ in results)
        assert statuses == [200, 409]
        loser = next(body for status, body in results if status == 409)
        assert loser["error"]["code"] == "already_claimed"


async def test_a_reply_to_someone_elses_conversation_is_refused(
    visitors: Callable[..., Visitor], counsellors: Callable[[str], Counsellor]
) -> None:
    anna = await counsellors("anna@example.org").login()
    bo = await counsellors("bo@example.org").login()
    conversation_id = (await (await visitors().connect()).send("hej"))["conversation_id"]
    assert (await anna.request("POST", f"/api/conversations/{conversation_id}/claim"))[0] == 200
    status, body = await bo.request(
        "POST", f"/api/conversations/{conversation_id}/messages", json={"text": "mig her"}
    )
    assert status == 409 and body["error"]["code"] == "already_claimed"
    # An internal note from a colleague is fine.
    status, _ = await bo.request(
        "POST",
        f"/api/conversations/{conversation_id}/messages",
        json={"text": "husk SU-reglerne", "internal": True},
    )
    assert status == 201
    # Release puts it back; then transfer hands it to a colleague.
    assert (await anna.request("POST", f"/api/conversations/{conversation_id}/release"))[0] == 200
    status, counsellor_list = await anna.request("GET", "/api/counsellors")
    bo_id = next(c["id"] for c in counsellor_list["items"] if c["email"] == "bo@example.org")
    status, moved = await anna.request(
        "POST", f"/api/conversations/{conversation_id}/transfer", json={"to": bo_id}
    )
    assert status == 200 and moved["assignee_id"] == bo_id


async def test_requests_without_login_or_with_bad_bodies_get_clear_errors(
    server: ServerProcess, counsellors: Callable[[str], Counsellor]
) -> None:
    async with aiohttp.ClientSession(server.url) as anonymous:
        for method, path in [
            ("GET", "/api/queue"),
            ("GET", "/api/conversations/1"),
            ("POST", "/api/conversations/1/claim"),
        ]:
            async with anonymous.request(method, path) as response:
                assert response.status == 401
                assert (await response.json())["error"]["code"] == "not_authenticated"
        async with anonymous.get(
            "/api/queue", headers={"Authorization": "Bearer forged.token"}
        ) as response:
            assert response.status == 401
        async with anonymous.post(
            "/api/auth/login", json={"email": "anna@example.org", "password": "wrong"}
        ) as response:
            assert response.status == 401
            assert (await response.json())["error"]["code"] == "invalid_credentials"
        async with anonymous.post(
            "/api/auth/login", data="{not json", headers={"Content-Type": "application/json"}
        ) as response:
            assert response.status == 400
            assert (await response.json())["error"]["code"] == "invalid_json"
        async with anonymous.post("/api/auth/login", data="email=x") as response:
            assert response.status == 415

    anna = await counsellors("anna@example.org").login()
    assert (await anna.request("POST", "/api/conversations/4242/claim"))[0] == 404
    assert (await anna.request("GET", "/api/conversations/abc"))[0] == 400
    status, body = await anna.request(
        "POST", "/api/conversations/4242/messages", json={"text": "x"}
    )
    assert status == 404
    status, body = await anna.request("POST", "/api/conversations/1/messages", json={})
    assert status == 400 and body["error"]["code"] == "missing_field"


async def test_login_attempts_are_rate_limited(server: ServerProcess) -> None:
    async with aiohttp.ClientSession(server.url) as client:
        statuses = []
        for _ in range(12):
            async with client.post(
                "/api/auth/login", json={"email": "bo@example.org", "password": "guess"}
            ) as response:
                statuses.append(response.status)
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]


async def test_cookie_sessions_need_the_csrf_header_for_changes(
    server: ServerProcess, visitors: Callable[..., Visitor]
) -> None:
    conversation_id = (await (await visitors().connect()).send("hej"))["conversation_id"]
    # unsafe=True: the jar keeps cookies for an IP address such as 127.0.0.1.
    async with aiohttp.ClientSession(
        server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)
    ) as browser:
        async with browser.post(
            "/api/auth/login",
            json={"email": "anna@example.org", "password": "correct-horse-battery"},
        ) as response:
            csrf = (await response.json())["csrf_token"]
            cookie = response.cookies["eg_session"]
            assert cookie["httponly"] and cookie["samesite"] == "Lax"
        async with browser.get("/api/me") as response:
            assert response.status == 200
        claim = f"/api/conversations/{conversation_id}/claim"
        async with browser.post(claim) as response:
            assert response.status == 403
            assert (await response.json())["error"]["code"] == "csrf"
        async with browser.post(claim, headers={"X-CSRF-Token": csrf}) as response:
            assert response.status == 200


async def test_script_text_is_stored_as_written_and_returned_as_data(
    visitors: Callable[..., Visitor],
    counsellors: Callable[[str], Counsellor],
    server: ServerProcess,
) -> None:
    anna = await counsellors("anna@example.org").login()
    attack = "<script>alert(1)</script>"
    conversation_id = (await (await visitors().connect()).send(attack))["conversation_id"]
    status, detail = await anna.request("GET", f"/api/conversations/{conversation_id}")
    assert status == 200 and detail["messages"][0]["text"] == attack
    async with aiohttp.ClientSession(server.url) as client, client.get("/inbox") as response:
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


async def test_health_readiness_metrics_and_openapi(
    server: ServerProcess, visitors: Callable[..., Visitor]
) -> None:
    await (await visitors().connect()).send("Kan jeg tale med en vejleder?")
    async with aiohttp.ClientSession(server.url) as client:
        async with client.get("/healthz") as response:
            assert response.status == 200
        async with client.get("/readyz") as response:
            assert response.status == 200
            assert (await response.json())["checks"] == {"database": "ok"}
        async with client.get("/metrics") as response:
            text = await response.text()
            assert 'eguidance_messages_received_total{channel="chat"} 1.0' in text
            assert "eguidance_queue_waiting 1.0" in text
        async with client.get("/api/openapi.json") as response:
            spec = await response.json()
            assert spec["openapi"].startswith("3.")
            assert "/api/conversations/{id}/claim" in spec["paths"]
            # The inbox's own endpoints describe themselves too.
            for path, method in [
                ("/api/queue/take-next", "post"),
                ("/api/contacts/{id}", "patch"),
                ("/api/contacts/{id}/merge", "post"),
                ("/api/canned-replies", "get"),
                ("/api/counsellors/workload", "get"),
                ("/api/dashboard", "get"),
                ("/api/users", "post"),
                ("/api/users/{id}/deactivate", "post"),
            ]:
                assert method in spec["paths"][path], path


async def test_queue_items_carry_the_triage_reasons(
    server: ServerProcess,
    visitors: Callable[..., Visitor],
    counsellors: Callable[[str], Counsellor],
) -> None:
    anna = await counsellors("anna@example.org").login()
    await anna.connect_inbox()
    conversation_id = (await (await visitors().connect()).send("jeg vil ikke leve mere"))[
        "conversation_id"
    ]
    pushed = await anna.log.wait_for(
        "queue.updated", lambda e: any(i["conversation_id"] == conversation_id for i in e["items"])
    )
    (item,) = [i for i in pushed["items"] if i["conversation_id"] == conversation_id]
    assert item["urgent"] and item["reasons"] and all(isinstance(r, str) for r in item["reasons"])
    status, queue = await anna.request("GET", "/api/queue")
    assert status == 200
    assert queue["items"][0]["reasons"] == item["reasons"]

    # A counsellor's override, with its reason, becomes the decision the queue shows.
    status, _ = await anna.request(
        "PUT",
        f"/api/conversations/{conversation_id}/triage",
        json={"level": "face_to_face", "urgent": True, "reason": "Talt med den unge"},
    )
    assert status == 200
    _, queue = await anna.request("GET", "/api/queue")
    assert queue["items"][0]["reasons"] == ["Talt med den unge"]
    _, detail = await anna.request("GET", f"/api/conversations/{conversation_id}")
    assert detail["triage"]["reasons"] == ["Talt med den unge"]


async def test_contact_postcode_is_a_danish_postcode_or_empty(
    server: ServerProcess,
    visitors: Callable[..., Visitor],
    counsellors: Callable[[str], Counsellor],
) -> None:
    anna = await counsellors("anna@example.org").login()
    conversation_id = (await (await visitors().connect()).send("Hej"))["conversation_id"]
    _, detail = await anna.request("GET", f"/api/conversations/{conversation_id}")
    contact = f"/api/contacts/{detail['contact']['id']}"
    status, body = await anna.request("PATCH", contact, json={"postcode": " 8000 "})
    assert status == 200 and body["postcode"] == "8000"
    _, detail = await anna.request("GET", f"/api/conversations/{conversation_id}")
    assert detail["contact"]["postcode"] == "8000"
    for bad in ["800", "80000", "DK-8000", "８０００", 8000]:
        status, body = await anna.request("PATCH", contact, json={"postcode": bad})
        assert status == 400 and body["error"]["code"] == "bad_postcode", bad
    status, body = await anna.request("PATCH", contact, json={"postcode": ""})
    assert status == 200 and body["postcode"] is None


async def test_team_changes_are_pushed_as_counsellors_updated(
    server: ServerProcess, counsellors: Callable[[str], Counsellor]
) -> None:
    anna = await (await counsellors("anna@example.org").login()).connect_inbox()
    bo = await counsellors("bo@example.org").login()
    status, _ = await bo.request("PUT", "/api/me/presence", json={"presence": "away"})
    assert status == 200

    def bo_is(presence: str) -> Callable[[dict[str, Any]], bool]:
        return lambda e: any(
            c["email"] == "bo@example.org" and c["presence"] == presence for c in e["items"]
        )

    event = await anna.log.wait_for("counsellors.updated", bo_is("away"))
    (entry,) = [c for c in event["items"] if c["email"] == "bo@example.org"]
    assert entry["active"] is True and entry["capacity"] >= 1 and entry["handling"] == 0
    await bo.request("PUT", "/api/me/presence", json={"presence": "available"})
    await anna.log.wait_for("counsellors.updated", bo_is("available"))


ASK_DA = "Hej, jeg vil gerne tale med en vejleder om gymnasiet"
ASK_EN = "Hi, I would like to talk to a counsellor about upper secondary school"


async def queued(counsellor: Counsellor, conversation_id: int) -> None:
    """Waits until the conversation is in the waiting queue (triage is done with it)."""
    for _ in range(100):
        _, queue = await counsellor.request("GET", "/api/queue")
        if any(i["conversation_id"] == conversation_id for i in queue["items"]):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"conversation {conversation_id} did not join the queue")


async def test_admin_edits_a_counsellor_and_take_next_respects_languages_and_capacity(
    server: ServerProcess,
    visitors: Callable[..., Visitor],
    counsellors: Callable[[str], Counsellor],
) -> None:
    server.add_user("ida@example.org", "correct-horse-battery", "admin")
    ida = await counsellors("ida@example.org").login()
    anna = await (await counsellors("anna@example.org").login()).connect_inbox()
    _, team = await ida.request("GET", "/api/users")
    anna_id = next(c["id"] for c in team["items"] if c["email"] == "anna@example.org")

    # Only admins, and only valid values.
    path = f"/api/users/{anna_id}"
    assert (await anna.request("PATCH", path, json={"capacity": 9}))[0] == 403
    bad_bodies: list[dict[str, Any]] = [
        {"languages": ["de"]},
        {"languages": []},
        {"channels": ["fax"]},
        {"capacity": -1},
        {"capacity": "2"},
        {"role": "boss"},
        {"name": " "},
        {"email": "x@example.org"},
        {},
    ]
    for bad in bad_bodies:
        status, body = await ida.request("PATCH", path, json=bad)
        assert status == 400, (bad, body)
    assert (await ida.request("PATCH", "/api/users/999", json={"capacity": 2}))[0] == 404
    _, me = await ida.request("GET", "/api/me")
    ida_id = (me.get("counsellor") or me)["id"]
    status, body = await ida.request("PATCH", f"/api/users/{ida_id}", json={"role": "counsellor"})
    assert status == 400 and body["error"]["code"] == "self"

    status, edited = await ida.request(
        "PATCH", path, json={"languages": ["da"], "capacity": 1, "name": "Anna Holm"}
    )
    assert status == 200, edited
    assert (edited["languages"], edited["capacity"], edited["name"]) == (["da"], 1, "Anna Holm")
    event = await anna.log.wait_for(
        "counsellors.updated",
        lambda e: any(c["id"] == anna_id and c["capacity"] == 1 for c in e["items"]),
    )
    assert next(c for c in event["items"] if c["id"] == anna_id)["languages"] == ["da"]

    # The English conversation is first in the queue; Anna has Danish only: she gets the Danish.
    english = (await (await visitors("en").connect()).send(ASK_EN))["conversation_id"]
    await queued(anna, english)
    danish = (await (await visitors("da").connect()).send(ASK_DA))["conversation_id"]
    await queued(anna, danish)
    _, queue = await anna.request("GET", "/api/queue")
    order = [i["conversation_id"] for i in queue["items"]]
    assert order.index(english) < order.index(danish)
    status, taken = await anna.request("POST", "/api/queue/take-next")
    assert status == 200, taken
    assert taken["conversation"]["conversation_id"] == danish

    # One conversation is her capacity: the next take is refused, and nothing is claimed.
    status, body = await anna.request("POST", "/api/queue/take-next")
    assert status == 409 and body["error"]["code"] == "at_capacity"
    assert "capacity" in body["error"]["message"]
    _, detail = await anna.request("GET", f"/api/conversations/{english}")
    assert detail["status"] == "waiting" and detail["assignee_id"] is None
