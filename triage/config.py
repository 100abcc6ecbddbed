"""Loading config/triage/*.toml, config/services.toml and config/knowledge/*.md."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from triage.knowledge import Article, load_articles
from triage.lexicon import Lexicon
from triage.services import Service, load_services
from triage.text import TextRules, fold

LANGS = ("da", "en")


@dataclass(frozen=True)
class ListInfo:
    label: str
    label_da: str | None = None  # the label in the Danish inbox (see triage/reasons.py)
    level: str | None = None
    who: str = "subject"  # danger only
    joke_can_cancel: bool = False  # danger only
    accident_can_cancel: bool = False  # danger only
    school_can_cancel: bool = False  # danger only: "smidt ud af gym" is no home lost
    unexplained_is_danger: bool = False  # warning signs: danger alone when nothing explains it


@dataclass(frozen=True)
class Question:
    id: str
    answers: tuple[str, ...]
    texts: dict[str, dict[str, Any]]  # language -> {text, choices, sms, voice, email}


@dataclass
class TriageConfig:
    rules: TextRules
    lexicon: Lexicon
    danger: dict[str, ListInfo]
    warning_signs: dict[str, ListInfo]  # two different ones together count as danger
    needs: dict[str, ListInfo]
    barriers: dict[str, ListInfo]
    person: dict[str, tuple[tuple[str, ...], ...]]  # word sequences, e.g. ("mig", "selv")
    routing: dict[str, Any]
    thresholds: dict[str, Any]
    questions: dict[str, Question]
    question_order: list[str]
    messages: dict[str, dict[str, str]]
    language_words: dict[str, frozenset[str]]
    numbers: dict[str, int]
    articles: list[Article] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _entries(section: dict[str, Any], keys: tuple[str, ...] = LANGS) -> list[str]:
    return [entry for key in keys for entry in section.get(key, [])]


def _text_rules(data: dict[str, Any]) -> TextRules:
    textspeak = {fold(k): tuple(fold(v).split()) for k, v in data.get("textspeak", {}).items()}
    inversion = data.get("inversion", {})
    return TextRules(
        textspeak=textspeak,
        emoji=dict(data.get("emoji", {})),
        contractions={fold(k): fold(v) for k, v in data.get("contractions", {}).items()},
        inverted_verbs=frozenset(fold(w) for w in inversion.get("verbs", [])),
        inverted_pronouns=frozenset(fold(w) for w in inversion.get("pronouns", [])),
        negations=frozenset(fold(w) for w in inversion.get("negations", [])),
    )


Combinations = dict[str, list[list[list[str]]]]


def _lists(
    lists: dict[str, list[str]],
    combos: Combinations,
    prefix: str,
    data: dict[str, Any],
    skip: set[str],
) -> dict[str, ListInfo]:
    infos: dict[str, ListInfo] = {}
    for name, section in data.items():
        if name in skip or not isinstance(section, dict):
            continue
        lists[f"{prefix}:{name}"] = _entries(section)
        together = [list(map(list, combo["groups"])) for combo in section.get("together", [])]
        if together:
            combos[f"{prefix}:{name}"] = together
        infos[name] = ListInfo(
            label=section.get("label", name),
            label_da=section.get("label_da"),
            level=section.get("level"),
            who=section.get("who", "subject"),
            joke_can_cancel=bool(section.get("joke_can_cancel", False)),
            accident_can_cancel=bool(section.get("accident_can_cancel", False)),
            school_can_cancel=bool(section.get("school_can_cancel", False)),
            unexplained_is_danger=bool(section.get("unexplained_is_danger", False)),
        )
    return infos


def _plain_lists(lists: dict[str, list[str]], prefix: str, data: dict[str, Any]) -> None:
    for name, section in data.items():
        if isinstance(section, dict) and any(k in section for k in LANGS):
            lists[f"{prefix}:{name}"] = _entries(section)


def _questions(data: dict[str, Any]) -> dict[str, Question]:
    questions: dict[str, Question] = {}
    for qid in data["order"]:
        section = data[qid]
        texts = {lang: section[lang] for lang in LANGS if lang in section}
        questions[qid] = Question(qid, tuple(section["answers"]), texts)
    return questions


def load_config(config_dir: Path) -> TriageConfig:
    """Read the whole triage configuration from `config_dir` (the repository's config/)."""
    base = Path(config_dir)
    tdir = base / "triage"
    norm = _read(tdir / "normalisation.toml")
    danger, needs = _read(tdir / "danger.toml"), _read(tdir / "needs.toml")
    barriers, routing = _read(tdir / "barriers.toml"), _read(tdir / "routing.toml")
    questions = _read(tdir / "questions.toml")
    lists: dict[str, list[str]] = {}
    combos: Combinations = {}
    special = {"figures_of_speech", "career_or_topic", "jokes", "hopelessness", "in_care"}
    special |= {"accidents", "warning_signs", "school_work", "resolved_past", "recurring"}
    special |= {"topic_phrases", "means_it", "left_school", "explained_absence"}
    special |= {"not_in_care", "person"}
    danger_info = _lists(lists, combos, "danger", danger, skip=special)
    _plain_lists(lists, "ctx", {k: v for k, v in danger.items() if k in special})
    lists["ctx:about_someone_else"] = list(danger["person"]["about_someone_else"])
    signs = {k: v for k, v in danger["warning_signs"].items() if isinstance(v, dict)}
    warning_info = _lists(lists, combos, "warning", signs, skip=set())
    need_context = {"hedges", "not_remote", "worth_it_later"}
    need_info = _lists(lists, combos, "need", needs, skip=need_context)
    _plain_lists(lists, "ctx", {k: v for k, v in needs.items() if k in need_context})
    barrier_context = {"barrier_topic"}
    barrier_info = _lists(lists, combos, "barrier", barriers, skip=barrier_context)
    _plain_lists(lists, "ctx", {k: v for k, v in barriers.items() if k in barrier_context})
    _plain_lists(lists, "profile", routing)
    articles = load_articles(base / "knowledge")
    for article in articles:
        lists[f"article:{article.id}"] = list(article.tags)
    rules = _text_rules(norm)
    matching = norm.get("matching", {})
    lexicon = Lexicon(
        lists,
        rules,
        gap=int(matching.get("gap_words", 4)),
        fuzzy_min=int(matching.get("fuzzy_min_length", 6)),
        short_typo_lists=tuple(matching.get("short_word_typo_lists", ())),
        combinations=combos,
        not_typos=[fold(w) for w in matching.get("not_typos", [])],
    )
    person = {
        k: tuple(tuple(fold(e).split()) for e in v)
        for k, v in danger["person"].items()
        if k != "about_someone_else"
    }
    return TriageConfig(
        rules=rules,
        lexicon=lexicon,
        danger=danger_info,
        warning_signs=warning_info,
        needs=need_info,
        barriers=barrier_info,
        person=person,
        routing=routing.get("defaults", {}),
        thresholds=_read(tdir / "thresholds.toml"),
        questions=_questions(questions),
        question_order=list(questions["order"]),
        messages=_read(tdir / "messages.toml"),
        language_words={k: frozenset(fold(w) for w in v) for k, v in norm["language"].items()},
        numbers={fold(k): int(v) for k, v in norm.get("numbers", {}).items()},
        articles=articles,
        services=load_services(base / "services.toml"),
    )
