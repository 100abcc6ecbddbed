"""How long the triage engine takes per message, beside the least any reader must pay.

Replays every labelled conversation (dev set, held-out sets, own cases) one message at a
time through the engine the server runs, and, in the same run, through tokenising alone
(folding, text-speak, word order: what any reading of the text costs). Prints the best of
several rounds for each, and the ratio.

    .venv/bin/python bench/triage_speed.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from triage import TriageEngine, load_config
from triage.evaluation import classify_case, read_cases
from triage.text import tokenize

REPO = Path(__file__).resolve().parents[1]


def best_of(rounds: int, work: Callable[[], None]) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    files = [*sorted((REPO / "tests/data/triage").glob("*.jsonl"))]
    files.append(REPO / "config/triage/own-cases.jsonl")
    cases = [case for path in files for case in read_cases(path)]
    texts = [text for case in cases for text in case["messages"]]
    config = load_config(REPO / "config")
    engine = TriageEngine(config)

    def run_engine() -> None:
        for case in cases:
            classify_case(engine, case)

    def run_tokenise() -> None:
        for text in texts:
            tokenize(text, config.rules)

    engine_s = best_of(args.rounds, run_engine)
    baseline_s = best_of(args.rounds, run_tokenise)
    per = 1000 / len(texts)
    print(f"{len(cases)} conversations, {len(texts)} messages, best of {args.rounds} rounds")
    print(
        f"per message  engine {engine_s * per:6.3f} ms   "
        f"baseline (tokenise only) {baseline_s * per:6.3f} ms   "
        f"ratio {engine_s / baseline_s:5.1f}"
    )


if __name__ == "__main__":
    main()
