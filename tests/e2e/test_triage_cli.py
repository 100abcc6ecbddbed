"""`eguidance triage classify|eval` as a person runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEV_SET = REPO / "tests" / "data" / "triage" / "dev-set.jsonl"
OWN_CASES = REPO / "config" / "triage" / "own-cases.jsonl"


def eguidance(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_classify_prints_one_decision_per_case_in_order() -> None:
    result = eguidance("triage", "classify", str(DEV_SET))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    cases = [json.loads(line) for line in DEV_SET.read_text().splitlines() if line.strip()]
    assert [line["id"] for line in lines] == [case["id"] for case in cases]
    for line in lines:
        assert set(line) == {"id", "level", "urgent", "refer_to", "reasons"}
        assert line["level"] in ("self_help", "brief", "face_to_face")
        assert line["reasons"] and all(isinstance(r, str) for r in line["reasons"])


def test_eval_meets_the_policy_targets_on_the_dev_set_and_the_held_out_cases() -> None:
    for cases in (DEV_SET, OWN_CASES):
        result = eguidance("triage", "eval", str(cases))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "urgent_recall" in result.stdout and "| no" not in result.stdout


def test_eval_fails_clearly_on_a_bad_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "x", "messages": ["hej"]}\nnot json\n')
    result = eguidance("triage", "eval", str(broken))
    assert result.returncode != 0 and "line 2" in result.stderr
    result = eguidance("triage", "classify", str(tmp_path / "missing.jsonl"))
    assert result.returncode != 0 and "no such file" in result.stderr
