from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

from server.stats import override_rates, percentile, rule_of
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
