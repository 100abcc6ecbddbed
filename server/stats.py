"""Statistics for supervisors: volumes, first-response times and how often counsellors
override triage, per rule, so the rules can be tuned."""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from server import reason_views
from server import tables as t
from triage import TriageConfig
from triage.reasons import render_rule

EVIDENCE = re.compile(r":\s.*$")


def rule_of(reason: str) -> str:
    """A reason without its particulars after the colon: "Mentions self-harm: 'cut'" is
    the rule "Mentions self-harm"."""
    return EVIDENCE.sub("", reason).strip()


def override_rates(
    assessments: Iterable[Any], cfg: TriageConfig | None = None
) -> list[dict[str, Any]]:
    """Per rule: in how many conversations it fired, and in how many of those a
    counsellor then overrode the triage. Rows must come in id order. Rules are grouped
    by the stored English; `rule_da` names the rule for the Danish dashboard."""
    fired: defaultdict[str, set[int]] = defaultdict(set)
    danish: dict[str, str] = {}  # English rule -> Danish name
    overridden: defaultdict[str, set[int]] = defaultdict(set)
    last_rules: dict[int, set[str]] = {}
    for row in assessments:
        if row.source == "rules":
            rules = {rule_of(reason) for reason in row.reasons or []}
            for rule in rules - danish.keys():
                danish[rule] = render_rule(rule, "da", cfg) if cfg else rule
            last_rules[row.conversation_id] = rules
            for rule in rules:
                fired[rule].add(row.conversation_id)
        else:
            for rule in last_rules.get(row.conversation_id, set()):
                overridden[rule].add(row.conversation_id)
    return sorted(
        (
            {
                "rule": rule,
                "rule_da": danish[rule],
                "conversations": len(ids),
                "overridden": len(overridden[rule]),
                "override_rate": round(len(overridden[rule]) / len(ids), 3),
            }
            for rule, ids in fired.items()
        ),
        key=lambda item: (-item["override_rate"], -item["conversations"], item["rule"]),
    )


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def first_response_s(
    created_at: datetime, waiting_since: datetime | None, first_response_at: datetime | None
) -> float | None:
    """Seconds from joining the queue to the first answer: the time with the bot before
    is not the counsellors' to count. A conversation that never waited (taken from the
    bot) or that waits again after its first answer (reopened; waiting_since moved on)
    counts from its creation."""
    if first_response_at is None:
        return None
    start = created_at
    if waiting_since is not None and created_at <= waiting_since <= first_response_at:
        start = waiting_since
    return (first_response_at - start).total_seconds()


async def statistics_since(conn: AsyncConnection, since: datetime) -> dict[str, Any]:
    c, a = t.conversations, t.assessments
    conversations = (
        await conn.execute(
            select(
                c.c.channel,
                c.c.level,
                c.c.urgent,
                c.c.created_at,
                c.c.waiting_since,
                c.c.first_response_at,
            ).where(c.c.created_at >= since)
        )
    ).all()
    first_response: defaultdict[str, list[float]] = defaultdict(list)
    for row in conversations:
        seconds = first_response_s(row.created_at, row.waiting_since, row.first_response_at)
        if seconds is not None:
            first_response[row.channel].append(seconds)
    assessments = (
        await conn.execute(
            select(a.c.conversation_id, a.c.source, a.c.reasons)
            .where(a.c.created_at >= since)
            .order_by(a.c.id)
        )
    ).all()
    decided = {row.conversation_id for row in assessments if row.source == "rules"}
    overridden = {row.conversation_id for row in assessments if row.source == "counsellor"}
    return {
        "since": since.isoformat(),
        "conversations": {
            "total": len(conversations),
            "by_channel": dict(Counter(row.channel for row in conversations)),
            "by_level": dict(Counter(row.level or "unassessed" for row in conversations)),
            "urgent": sum(1 for row in conversations if row.urgent),
        },
        "first_response_s": {
            channel: {
                "median": statistics.median(values),
                "p90": percentile(values, 0.9),
                "count": len(values),
            }
            for channel, values in first_response.items()
        },
        "triage": {
            "conversations_assessed": len(decided),
            "conversations_overridden": len(overridden),
            "override_rate": round(len(overridden) / len(decided), 3) if decided else None,
            "by_rule": override_rates(assessments, reason_views.config_for(conn)),
        },
    }


def since_days(days: int, now: datetime) -> datetime:
    return now - timedelta(days=days)
