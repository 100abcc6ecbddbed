"""`eguidance triage classify|eval FILE.jsonl`: the server's own engine on labelled cases."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from server.settings import load_settings
from triage import TriageEngine, load_config
from triage.evaluation import classify_case, evaluate, format_report


def add_commands(commands: Any) -> None:
    triage = commands.add_parser("triage", help="run the triage engine on labelled cases")
    sub = triage.add_subparsers(title="triage commands")
    classify = sub.add_parser("classify", help="print one decision (JSON) per case")
    classify.add_argument("file", type=Path)
    classify.set_defaults(run=run_classify)
    scored = sub.add_parser("eval", help="score the decisions against each case's expected")
    scored.add_argument("file", type=Path)
    scored.set_defaults(run=run_eval)


def _engine(args: argparse.Namespace) -> TriageEngine:
    settings = load_settings(args.config)
    return TriageEngine(load_config(settings.config_dir))


def _cases(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise SystemExit(f"eguidance: no such file: {path}") from exc
    cases = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SystemExit(f"eguidance: {path} line {number}: not JSON ({exc.msg})") from exc
        if not isinstance(case, dict) or not isinstance(case.get("messages"), list):
            raise SystemExit(f"eguidance: {path} line {number}: a case needs a messages list")
        cases.append(case)
    return cases


def run_classify(args: argparse.Namespace) -> int:
    engine = _engine(args)
    for case in _cases(args.file):
        print(json.dumps(classify_case(engine, case), ensure_ascii=False))
    return 0


def run_eval(args: argparse.Namespace) -> int:
    cases = _cases(args.file)
    missing = [case.get("id", "?") for case in cases if "expected" not in case]
    if missing:
        print(
            f"eguidance: cases without 'expected': {', '.join(map(str, missing[:10]))}",
            file=sys.stderr,
        )
        return 2
    report = evaluate(_engine(args), cases)
    print(format_report(report))
    return 0 if report.ok else 1
