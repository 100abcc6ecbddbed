"""Opening hours: is the service open now, and when does it open next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.settings import OpeningHoursSettings

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {
    "da": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
CLOSED_WORD = {"da": "lukket", "en": "closed"}


@dataclass(frozen=True)
class OpeningHours:
    mode: str
    zone: ZoneInfo
    ranges: tuple[tuple[tuple[time, time], ...], ...]  # per weekday, Monday first

    @classmethod
    def from_settings(cls, settings: OpeningHoursSettings) -> OpeningHours:
        if settings.mode not in {"schedule", "always_open", "closed"}:
            raise ValueError(
                f"opening_hours.mode must be schedule|always_open|closed, not {settings.mode!r}"
            )
        ranges = tuple(
            tuple(_parse_range(text) for text in settings.schedule.get(day, [])) for day in DAYS
        )
        return cls(settings.mode, ZoneInfo(settings.timezone), ranges)

    def is_open(self, at: datetime | None = None) -> bool:
        if self.mode != "schedule":
            return self.mode == "always_open"
        local = (at or datetime.now(UTC)).astimezone(self.zone)
        return any(start <= local.time() < end for start, end in self.ranges[local.weekday()])

    def next_opening(self, at: datetime | None = None) -> datetime | None:
        """The next moment the service opens (now, if it is open); None if it never does."""
        if self.mode == "always_open":
            return at or datetime.now(UTC)
        if self.mode == "closed":
            return None
        local = (at or datetime.now(UTC)).astimezone(self.zone)
        for offset in range(8):
            day = local.date() + timedelta(days=offset)
            for start, end in self.ranges[day.weekday()]:
                opening = datetime.combine(day, start, self.zone)
                closing = datetime.combine(day, end, self.zone)
                if closing > local:
                    return max(opening, local)
        return None

    def describe(self, language: str) -> str:
        """The weekly schedule as one line of text, e.g. 'Monday 09:00–21:00, …'."""
        lang = language if language in DAY_NAMES else "en"
        if self.mode == "always_open":
            return "døgnåbent" if lang == "da" else "open around the clock"
        if self.mode == "closed":
            return CLOSED_WORD[lang]
        parts = []
        for name, ranges in zip(DAY_NAMES[lang], self.ranges, strict=True):
            hours = ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in ranges) or CLOSED_WORD[lang]
            parts.append(f"{name} {hours}")
        return "; ".join(parts)

    def status(self, at: datetime | None = None) -> dict[str, object]:
        """What the widget shows: open or not, and the hours in both languages."""
        nxt = self.next_opening(at)
        return {
            "open": self.is_open(at),
            "next_open": nxt.astimezone(UTC).isoformat() if nxt else None,
            "text_da": self.describe("da"),
            "text_en": self.describe("en"),
        }


def _parse_range(text: str) -> tuple[time, time]:
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-", 1))
    except ValueError as exc:
        raise ValueError(f"opening hours range {text!r} is not HH:MM-HH:MM") from exc
    if end <= start:
        raise ValueError(f"opening hours range {text!r} ends before it starts")
    return start, end
