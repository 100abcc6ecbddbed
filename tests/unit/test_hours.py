from datetime import UTC, datetime

import pytest

from server.hours import OpeningHours
from server.settings import OpeningHoursSettings

SCHEDULE = {"mon": ["09:00-21:00"], "fri": ["09:00-16:00"], "sat": []}


def hours(mode: str = "schedule") -> OpeningHours:
    return OpeningHours.from_settings(
        OpeningHoursSettings(mode=mode, timezone="Europe/Copenhagen", schedule=SCHEDULE)
    )


def test_open_inside_the_local_schedule() -> None:
    # Monday 30 Nov 2026, 08:30 UTC is 09:30 in Copenhagen (UTC+1 in winter).
    assert hours().is_open(datetime(2026, 11, 30, 8, 30, tzinfo=UTC))
    assert not hours().is_open(datetime(2026, 11, 30, 7, 30, tzinfo=UTC))


def test_closed_at_the_weekend_and_next_opening_is_monday_morning() -> None:
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert not hours().is_open(saturday)
    assert hours().next_opening(saturday) == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def test_modes_override_the_schedule() -> None:
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert hours("always_open").is_open(saturday)
    assert not hours("closed").is_open(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    assert hours("closed").next_opening() is None


def test_the_schedule_is_described_in_danish_and_english() -> None:
    status = hours().status(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
    assert status["open"] is False
    assert "mandag 09:00–21:00" in str(status["text_da"])
    assert "lørdag lukket" in str(status["text_da"])
    assert "Friday 09:00–16:00" in str(status["text_en"])


def test_a_bad_range_is_refused() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        OpeningHours.from_settings(OpeningHoursSettings(schedule={"mon": ["17:00-09:00"]}))
    with pytest.raises(ValueError, match="mode"):
        OpeningHours.from_settings(OpeningHoursSettings(mode="sometimes"))
