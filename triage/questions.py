"""Choosing the next short question, phrasing it for the channel, and reading the answer."""

from __future__ import annotations

import re

from triage.config import Question, TriageConfig
from triage.models import AskQuestion
from triage.reasons import reason
from triage.state import TriageState
from triage.text import fold

KNOWN_SITUATION = {"in_education", "in_work", "out_of_work", "no_youth_education"}
KNOWN_SITUATION |= {"higher_education", "youth_education_final"}


def _known(state: TriageState, qid: str) -> bool:
    if qid == "age_band":
        return state.age is not None
    if qid == "situation":
        return bool(KNOWN_SITUATION & set(state.profile))
    if qid == "decided":
        return state.has("decided") or state.has("indecision")
    return False


def questions_left(state: TriageState, cfg: TriageConfig) -> int:
    if "email_list" in state.questions_asked:
        return 0
    return max(0, int(cfg.thresholds["levels"]["max_questions"]) - len(state.questions_asked))


def next_questions(state: TriageState, cfg: TriageConfig, channel: str) -> list[str]:
    """The question ids to ask now: one, or for e-mail all that are left, in one list."""
    left = questions_left(state, cfg)
    todo = [
        q for q in cfg.question_order if q not in state.questions_asked and not _known(state, q)
    ]
    todo = todo[:left]
    return todo if channel == "email" else todo[:1]


def build_question(cfg: TriageConfig, qids: list[str], channel: str, lang: str) -> AskQuestion:
    texts = [cfg.questions[q].texts.get(lang) or cfg.questions[q].texts["da"] for q in qids]
    if channel == "email":
        intro = cfg.messages["email_questions"][lang]
        items = "\n".join(f"{i}. {t['email']}" for i, t in enumerate(texts, start=1))
        return AskQuestion(",".join(qids), f"{intro}\n\n{items}", lang, [])
    text = texts[0]
    phrasing = {"sms": text["sms"], "voice": text["voice"]}.get(channel, text["text"])
    return AskQuestion(qids[0], phrasing, lang, list(text["choices"]))


def _choice_index(question: Question, text: str) -> int | None:
    digit = re.match(r"\s*(\d)\b", text)
    if digit:
        index = int(digit.group(1)) - 1
        return index if 0 <= index < len(question.answers) else None
    words = set(re.findall(r"\w+", fold(text)))
    best, best_score = None, 0.0
    for texts in question.texts.values():
        for index, label in enumerate(texts["choices"]):
            label_words = set(re.findall(r"\w+", fold(label)))
            score = len(words & label_words) / max(1, len(label_words))
            if score > best_score:
                best, best_score = index, score
    return best if best_score >= 0.5 else None


def apply_answer(state: TriageState, text: str, cfg: TriageConfig) -> str | None:
    """Read a reply to the pending chat/SMS/phone question; returns the answer's meaning."""
    qid = state.pending_question
    state.pending_question = None
    if qid is None or qid not in cfg.questions:
        return None
    index = _choice_index(cfg.questions[qid], text)
    if index is None:
        return None
    meaning = cfg.questions[qid].answers[index]
    _apply_meaning(state, meaning, cfg)
    return meaning


def _apply_meaning(state: TriageState, meaning: str, cfg: TriageConfig) -> None:
    bands = cfg.thresholds.get("age_bands", {})
    if meaning in bands:
        state.age = int(bands[meaning])
    elif meaning == "factual":
        state.add_signal("answer_factual")
    elif meaning == "choice":
        state.add_signal("answer_choice")
        state.add_reason(reason("answered_choice"))
    elif meaning == "person":
        state.add_signal("human_request")
        state.add_reason(reason("answered_person"))
    elif meaning == "undecided":
        state.add_signal("indecision")
        state.add_reason(reason("answered_unsure"))
    elif meaning == "decided":
        state.add_signal("decided")
    elif meaning == "neither":
        state.add_profile("out_of_work")
    else:
        state.add_profile(meaning)
