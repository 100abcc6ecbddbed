from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import insert

from server import db
from server import tables as t
from server.settings import load_settings
from server.stats import first_response_s, override_rates, percentile, rule_of, statistics_since
from triage import TriageConfig, load_config

REPO = Path(__file__).resolve().parents[2]


@lru_cache(maxsize=1)
def cfg() -> TriageConfig:
    return load_config(REPO / "config")


def row(conversation_id: int, source: str, *reasons: str) -> SimpleNamespace:
    return SimpleNamespace(conversation_id=conversation_id, source=source, reasons=list(reasons))


def test_a_rule_is_a_reason_without_its_quoted_evidence() -> None:
    assert rule_of("Mentions self-harm: 'cut myself'") == "Mentions self-harm"
    assert rule_of("Factual question, no barrier") == "Factual question, no barrier"


def test_overrides_count_against_the_rules_of_the_decision_they_overrode() -> None:
    rates = override_rates(
        [
            row(1, "rules", "Factual question, no barrier"),
            row(2, "rules", "Factual question, no barrier"),
            row(2, "rules", "Two barriers: dyslexia, housing"),
            row(2, "counsellor", "Knows her well; needs a meeting"),
            row(3, "rules", "Mentions self-harm: 'cut'"),
            row(3, "rules", "Mentions self-harm: 'cutting again'"),
        ]
    )
    by_rule = {item["rule"]: item for item in rates}
    assert by_rule["Two barriers"] == {
        "rule": "Two barriers",
        "rule_da": "Two barriers",  # no config given: the English
        "conversations": 1,
        "overridden": 1,
        "override_rate": 1.0,
    }
    # Fired in 1 and 2, overridden only where it was the latest decision before the override.
    assert by_rule["Factual question, no barrier"]["overridden"] == 0
    assert by_rule["Mentions self-harm"]["conversations"] == 1
    assert rates[0]["rule"] == "Two barriers"


def test_percentile() -> None:
    assert percentile([], 0.9) is None
    assert percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9) == 90
    assert percentile([5], 0.5) == 5


def test_rules_get_their_danish_name_for_the_dashboard() -> None:
    rates = override_rates(
        [
            row(1, "rules", "Two barriers: dyslexia, housing", "Referral: adult (default)"),
            row(2, "rules", "Mentions self-harm: 'cut'", "Asks for a person: 'a human'"),
            row(2, "counsellor", "Knows her well"),
            row(3, "rules", "Some older wording: 'x'"),
        ],
        cfg(),
    )
    names = {item["rule"]: item["rule_da"] for item in rates}
    assert names == {
        "Two barriers": "To barrierer",
        "Referral": "Henvisning",
        "Mentions self-harm": "Nævner selvskade",
        "Asks for a person": "Beder om at tale med en person",
        "Some older wording": "Some older wording",  # unknown: kept as stored
    }


# -- first response: from joining the queue ----------------------------------------------

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_first_response_counts_from_joining_the_queue_not_the_bot_time() -> None:
    # Five minutes with the bot, queued at 9:05, answered at 9:07: two minutes.
    assert first_response_s(T0, T0 + timedelta(minutes=5), T0 + timedelta(minutes=7)) == 120
    # Not answered: nothing to count.
    assert first_response_s(T0, T0 + timedelta(minutes=5), None) is None
    # Taken from the bot without queueing: from its creation.
    assert first_response_s(T0, None, T0 + timedelta(minutes=3)) == 180
    # Reopened after the first answer (waiting_since moved on): from its creation.
    assert first_response_s(T0, T0 + timedelta(hours=2), T0 + timedelta(minutes=4)) == 240


async def test_the_dashboard_figures_leave_out_the_bot_time(tmp_path: Path) -> None:
    settings = load_settings(
        environ={},
        overrides={"server": {"data_dir": str(tmp_path), "secret_key": "test-secret-key"}},
    )
    engine = db.create_engine(settings)
    await db.migrate(engine)
    try:
        async with engine.begin() as conn:
            contact = (
                await conn.execute(
                    insert(t.contacts).values(name="Mads", created_at=T0).returning(t.contacts.c.id)
                )
            ).scalar_one()
            for minutes_with_bot, minutes_waiting in ((10, 1), (20, 3)):
                queued = T0 + timedelta(minutes=minutes_with_bot)
                await conn.execute(
                    insert(t.conversations).values(
                        contact_id=contact,
                        channel="chat",
                        status="active",
                        created_at=T0,
                        updated_at=T0,
                        last_message_at=T0,
                        waiting_since=queued,
                        first_response_at=queued + timedelta(minutes=minutes_waiting),
                    )
                )
        async with engine.connect() as conn:
            figures = await statistics_since(conn, T0 - timedelta(hours=1))
    finally:
        await engine.dispose()
    chat = figures["first_response_s"]["chat"]
    assert chat == {"median": 120.0, "p90": 180.0, "count": 2}
