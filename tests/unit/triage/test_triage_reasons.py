"""Reasons in Danish and English: one template table, English stored, Danish rendered."""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path

import pytest

from triage import MessageContext, TriageConfig, TriageEngine, TriageState, load_config
from triage.evaluation import read_cases
from triage.reasons import (
    COUNT_WORDS,
    LABEL_SLOTS,
    LEVEL_NAMES,
    TEMPLATES,
    SlotValue,
    label_pairs,
    reason,
    render_reason,
    render_reasons,
    render_rule,
    rule_part,
)

REPO = Path(__file__).resolve().parents[3]
SLOT = re.compile(r"\{(\w+)\}")
# Holds ": " and a quote mark, as people's own words can.
QUOTE = "vil ikke leve: 'nu'"


@lru_cache(maxsize=1)
def cfg() -> TriageConfig:
    return load_config(REPO / "config")


def samples(key: str) -> list[tuple[dict[str, SlotValue], dict[str, SlotValue]]]:
    """(English slots, Danish slots) for the template: one per label it can take."""
    names = set(SLOT.findall(TEMPLATES[key].en))
    pairs = label_pairs(cfg())
    label_slot = next((n for n in LABEL_SLOTS if n in names), None)
    labels = list(pairs[label_slot].items()) if label_slot else [("", "")]
    out = []
    for en_label, da_label in labels:
        if label_slot and en_label == da_label:
            continue  # a list without a label (e.g. [remote]) never shows in a reason
        en: dict[str, SlotValue] = {}
        da: dict[str, SlotValue] = {}
        for name in names:
            if name == label_slot:
                en[name], da[name] = en_label, da_label
            elif name == "quote":
                en[name] = da[name] = QUOTE
            elif name == "barriers":
                chosen = [cfg().barriers["diagnosis_or_disability"], cfg().barriers["debt"]]
                en[name] = [b.label for b in chosen]
                da[name] = [b.label_da or "" for b in chosen]
            elif name == "count":
                en[name] = da[name] = 3
            elif name == "n":
                en[name] = da[name] = "4"
            elif name == "level":
                en[name] = da[name] = "face_to_face"
        out.append((en, da))
    return out


def fill_da(key: str, slots: dict[str, SlotValue]) -> str:
    def value(match: re.Match[str]) -> str:
        name, raw = match.group(1), slots[match.group(1)]
        if name == "barriers":
            assert not isinstance(raw, (str, int))
            return ", ".join(raw)
        if name == "count":
            return COUNT_WORDS["da"][int(str(raw))]
        if name == "level":
            return LEVEL_NAMES["da"][str(raw)]
        return str(raw)

    return SLOT.sub(value, TEMPLATES[key].da)


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_every_template_renders_in_both_languages(key: str) -> None:
    for en_slots, da_slots in samples(key):
        english = reason(key, **en_slots)
        assert render_reason(english, "en", cfg()) == english
        danish = render_reason(english, "da", cfg())
        assert danish == fill_da(key, da_slots)
        assert danish != english
        if "quote" in en_slots:
            assert f"'{QUOTE}'" in danish  # the person's words are kept verbatim


def test_example_from_the_danish_inbox() -> None:
    english = "Mentions thoughts of suicide or wanting to be dead: 'vil ikke leve'"
    assert (
        render_reason(english, "da", cfg())
        == "Nævner tanker om selvmord eller om at være død: 'vil ikke leve'"
    )
    assert render_reason("One barrier: debt", "da", cfg()) == "Én barriere: gæld"
    two = "Two barriers: a diagnosis, disability or health problem, debt"
    assert (
        render_reason(two, "da", cfg())
        == "To barrierer: en diagnose, et handicap eller et helbredsproblem, gæld"
    )
    assert render_reason("7 barriers: debt, housing", "da", cfg()).startswith("7 barrierer: ")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "The caller sounded fine, lowering the level",  # a counsellor's override reason
        "Mentions something no config names: 'x'",  # not a known label
        "Mentions self-harm: 'cut' and more",  # not the template's end
        "Level kept at",
    ],
)
def test_unknown_text_comes_back_unchanged(text: str) -> None:
    assert render_reason(text, "da", cfg()) == text
    assert render_reason(text, "en", cfg()) == text


def test_unknown_language_keeps_the_english() -> None:
    english = reason("factual")
    assert render_reason(english, "de", cfg()) == english


def test_every_label_has_a_danish_twin() -> None:
    for section in (cfg().danger, cfg().needs, cfg().barriers):
        for name, info in section.items():
            if info.label != name:  # lists without a label never show in a reason
                assert info.label_da, f"{name} has no label_da"
    for slot, pairs in label_pairs(cfg()).items():
        assert len(set(pairs.values())) == len(set(pairs)), f"two {slot} labels, one Danish"


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_every_rule_name_renders_in_danish(key: str) -> None:
    """The dashboard's rule: a reason up to its first ": " (server/stats.py rule_of)."""
    for en_slots, _ in samples(key):
        english = reason(key, **en_slots)
        rule = rule_part(english)
        assert render_rule(rule, "da", cfg()) == rule_part(render_reason(english, "da", cfg()))
        assert render_rule(rule, "en", cfg()) == rule
    assert render_rule("Some older rule", "da", cfg()) == "Some older rule"


def test_danish_rule_name_is_one_per_english_rule() -> None:
    """The statistics group by the text before ": "; that part must not depend on slots
    other than labels, or one English rule would get several Danish names."""
    for template in TEMPLATES.values():
        en_rule, da_rule = template.en.split(": ")[0], template.da.split(": ")[0]
        assert set(SLOT.findall(en_rule)) == set(SLOT.findall(da_rule))


def test_phone_reasons_have_danish() -> None:
    from channels.twilio import call_events

    for text in {call_events.URGENT_REASON, *call_events.QUEUE_REASONS.values()}:
        assert render_reason(text, "da", cfg()) != text


def produced_reasons(path: Path) -> set[str]:
    """Every reason the engine writes over the cases, at every step."""
    engine = TriageEngine(cfg())
    found: set[str] = set()
    for case in read_cases(path):
        state = TriageState()
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
            found.update(decision.reasons)
            for action in decision.actions:
                found.update(getattr(action, "reasons", []))
    return found


@pytest.mark.parametrize(
    "path", ["tests/data/triage/dev-set.jsonl", "config/triage/own-cases.jsonl"]
)
def test_every_reason_the_engine_writes_has_danish(path: str) -> None:
    reasons = sorted(produced_reasons(REPO / path))
    assert reasons
    danish = render_reasons(reasons, "da", cfg())
    untranslated = [en for en, da in zip(reasons, danish, strict=True) if en == da]
    assert not untranslated


def test_engine_builds_reasons_only_through_the_table() -> None:
    """No reason sentence written as a literal or f-string outside triage/reasons.py."""

    def adds_a_reason(func: ast.expr) -> bool:
        if not isinstance(func, ast.Attribute):
            return False
        owner = func.value
        name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
        return func.attr == "add_reason" or (func.attr == "append" and name == "reasons")

    for path in sorted((REPO / "triage").glob("*.py")):
        if path.name == "reasons.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and adds_a_reason(node.func):
                for arg in node.args:
                    assert not isinstance(arg, ast.JoinedStr), f"{path.name}:{node.lineno}"
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        assert " " not in arg.value, f"{path.name}:{node.lineno}"
