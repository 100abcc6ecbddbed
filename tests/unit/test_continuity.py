from datetime import UTC, datetime, timedelta

from server.intake import decide_continuity

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def test_first_contact_opens_a_conversation() -> None:
    assert decide_continuity(None, None, None, NOW, DAY).action == "new"


def test_an_open_conversation_continues_whatever_its_state() -> None:
    for status in ("bot", "waiting", "active", "pending"):
        decision = decide_continuity(status, None, 7, NOW, DAY)
        assert (decision.action, decision.previous_id) == ("continue", 7)


def test_a_recently_closed_conversation_reopens() -> None:
    decision = decide_continuity("closed", NOW - timedelta(hours=23), 7, NOW, DAY)
    assert (decision.action, decision.previous_id) == ("reopen", 7)


def test_an_old_closed_conversation_gives_a_new_one_linked_to_it() -> None:
    decision = decide_continuity("closed", NOW - timedelta(hours=25), 7, NOW, DAY)
    assert (decision.action, decision.previous_id) == ("new", 7)
