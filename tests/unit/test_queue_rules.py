from datetime import UTC, datetime, timedelta

from server.queue import QueueEntry, estimate_wait_s, queue_order_key, typical_handle_time_s

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def entry(cid: int, *, urgent: bool = False, priority: int = 0, minutes: int = 0) -> QueueEntry:
    return QueueEntry(
        cid, "chat", urgent, None, priority, T0 + timedelta(minutes=minutes), None, None
    )


def test_urgent_first_then_priority_then_longest_waiting() -> None:
    entries = [
        entry(1, minutes=0),
        entry(2, priority=20, minutes=5),
        entry(3, urgent=True, minutes=9),
        entry(4, priority=20, minutes=1),
        entry(5, urgent=True, priority=0, minutes=10),
    ]
    ordered = [e.conversation_id for e in sorted(entries, key=queue_order_key)]
    assert ordered == [3, 5, 4, 2, 1]


def test_same_moment_falls_back_to_the_older_conversation() -> None:
    assert sorted([entry(9), entry(7)], key=queue_order_key)[0].conversation_id == 7


def test_wait_estimate_grows_with_position_and_shrinks_with_counsellors() -> None:
    assert estimate_wait_s(1, 1, 300) == 300
    assert estimate_wait_s(3, 1, 300) == 900
    assert estimate_wait_s(3, 3, 300) == 300
    assert estimate_wait_s(4, 3, 300) == 600
    # Nobody online: counted as one counsellor, not a division by zero.
    assert estimate_wait_s(2, 0, 300) == 600
    assert estimate_wait_s(0, 2, 300) == 0


def test_handle_time_needs_enough_samples() -> None:
    assert typical_handle_time_s([100, 200], 480) == 480
    assert typical_handle_time_s([100, 200, 300, 400, 500], 480) == 300
    assert typical_handle_time_s([1, 2, 3, 4, 5], 480) == 30.0
