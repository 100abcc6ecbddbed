"""Delivery status only moves forward: queued → sent → delivered, or to failed."""

from __future__ import annotations

RANK = {"received": 0, "queued": 1, "sending": 2, "sent": 3, "delivered": 4, "read": 5}
FINAL = {"failed"}


def can_advance(current: str, new: str) -> bool:
    """True when a status report may replace the current status."""
    if current == new or current in FINAL:
        return False
    if new in FINAL:
        return current != "read"
    if new not in RANK:
        return False
    return RANK[new] > RANK.get(current, -1)


def backoff_s(attempt: int, base_s: float, max_s: float) -> float:
    """Exponential backoff: base, 2×base, 4×base, … capped at max."""
    return float(min(max_s, base_s * (2 ** max(attempt - 1, 0))))
