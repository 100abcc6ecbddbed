"""`eguidance triage classify/eval`: run labelled cases through the engine and score them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from triage.engine import TriageEngine
from triage.models import MessageContext
from triage.state import TriageState

TARGETS: dict[str, float] = {
    "urgent_recall": 1.00,
    "urgent_precision": 0.90,
    "level_accuracy": 0.85,
    "face_to_face_precision": 0.85,
    "face_to_face_recall": 0.85,
    "self_help_precision": 0.90,
    "refer_to_accuracy": 0.80,
}


@dataclass(frozen=True)
class Metric:
    name: str
    hits: int
    total: int
    target: float

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else 1.0

    @property
    def ok(self) -> bool:
        return self.value >= self.target - 1e-9


@dataclass
class EvalReport:
    cases: int
    metrics: list[Metric]
    mismatches: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(m.ok for m in self.metrics)

    def metric(self, name: str) -> Metric:
        return next(m for m in self.metrics if m.name == name)


def read_cases(path: Path) -> list[dict[str, Any]]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def classify_case(engine: TriageEngine, case: dict[str, Any]) -> dict[str, Any]:
    """Feed the case's messages one by one through the engine, starting from a fresh state."""
    state = TriageState()
    result: dict[str, Any] = {"level": "brief", "urgent": False, "refer_to": None, "reasons": []}
    for text in case["messages"]:
        message = MessageContext(
            text=text,
            channel=case.get("channel", "chat"),
            language=case.get("language"),
            age=case.get("age"),
            prior_contacts_30d=case.get("prior_contacts_30d"),
        )
        decision = engine.assess(state, message)
        state = decision.state
        result = {
            "level": decision.level,
            "urgent": decision.urgent,
            "refer_to": decision.refer_to,
            "reasons": decision.reasons,
        }
    return {"id": case.get("id"), **result}


def _metrics(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[Metric]:
    def count(pred: Any) -> int:
        return sum(1 for exp, got in pairs if pred(exp, got))

    f2f_expected = [(e, g) for e, g in pairs if e["level"] == "face_to_face"]
    return [
        Metric(
            "urgent_recall",
            count(lambda e, g: e["urgent"] and g["urgent"]),
            count(lambda e, g: e["urgent"]),
            TARGETS["urgent_recall"],
        ),
        Metric(
            "urgent_precision",
            count(lambda e, g: e["urgent"] and g["urgent"]),
            count(lambda e, g: g["urgent"]),
            TARGETS["urgent_precision"],
        ),
        Metric(
            "level_accuracy",
            count(lambda e, g: e["level"] == g["level"]),
            len(pairs),
            TARGETS["level_accuracy"],
        ),
        Metric(
            "face_to_face_precision",
            count(_both("face_to_face")),
            count(lambda e, g: g["level"] == "face_to_face"),
            TARGETS["face_to_face_precision"],
        ),
        Metric(
            "face_to_face_recall",
            count(_both("face_to_face")),
            count(lambda e, g: e["level"] == "face_to_face"),
            TARGETS["face_to_face_recall"],
        ),
        Metric(
            "self_help_precision",
            count(_both("self_help")),
            count(lambda e, g: g["level"] == "self_help"),
            TARGETS["self_help_precision"],
        ),
        Metric(
            "refer_to_accuracy",
            sum(e["refer_to"] == g["refer_to"] for e, g in f2f_expected),
            len(f2f_expected),
            TARGETS["refer_to_accuracy"],
        ),
    ]


def _both(level: str) -> Any:
    return lambda e, g: e["level"] == level and g["level"] == level


def evaluate(engine: TriageEngine, cases: list[dict[str, Any]]) -> EvalReport:
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    mismatches: list[dict[str, Any]] = []
    for case in cases:
        got = classify_case(engine, case)
        expected = case["expected"]
        pairs.append((expected, got))
        keys = ("level", "urgent", "refer_to")
        if any(expected.get(k) != got[k] for k in keys):
            mismatches.append(
                {"id": case.get("id"), "expected": expected, "got": {k: got[k] for k in keys}}
            )
    return EvalReport(len(cases), _metrics(pairs), mismatches)


def format_report(report: EvalReport) -> str:
    """A plain-text table: metric | value | target | ok, then the cases that differ."""
    rows = [("metric", "value", "count", "target", "ok")]
    for m in report.metrics:
        rows.append(
            (
                m.name,
                f"{m.value:.2f}",
                f"{m.hits}/{m.total}",
                f"{m.target:.2f}",
                "yes" if m.ok else "NO",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    lines.append(f"\n{report.cases} cases, {len(report.mismatches)} with any difference")
    for item in report.mismatches:
        e, g = item["expected"], item["got"]
        lines.append(
            f"  {item['id']}: expected {e['level']}/{e['urgent']}/{e['refer_to']}"
            f" got {g['level']}/{g['urgent']}/{g['refer_to']}"
        )
    return "\n".join(lines)
