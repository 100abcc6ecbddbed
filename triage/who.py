"""Who a danger finding is about: the writer, or someone they write about.

Worked out from the words of the list entry and the sentence around them (see the
[person] lists in config/triage/danger.toml).
"""

from __future__ import annotations

from collections.abc import Sequence

from triage.config import TriageConfig
from triage.lexicon import Hit
from triage.text import Token, normalise_pattern_words


def contains(
    tokens: Sequence[Token],
    start: int,
    end: int,
    phrases: Sequence[Sequence[str]],
    fixed: frozenset[str] = frozenset(),
) -> bool:
    """fixed: words the list entry itself spells out; they name nobody (the "her" of
    "ikke være her mere" is Danish for "here", not the English "her")."""
    words = [None if t.norm in fixed else t.norm for t in tokens[start:end]]
    for phrase in phrases:
        n = len(phrase)
        if any(words[i : i + n] == list(phrase) for i in range(len(words) - n + 1)):
            return True
    return False


def _subject_before(cfg: TriageConfig, hit: Hit, tokens: Sequence[Token]) -> bool | None:
    """Whether the nearest "I" or "she" before the hit in its sentence is the writer."""
    for j in range(hit.start - 1, -1, -1):
        if tokens[j].sentence != hit.sentence:
            break
        if contains(tokens, j, j + 1, cfg.person["subject_self"]):
            # "I found ... in her bag", "i går fandt jeg ...": the writer only saw it.
            return not contains(tokens, max(0, j - 1), hit.start, cfg.person["witness_verbs"])
        if contains(tokens, j, j + 1, cfg.person["subject_other"]):
            return False
    return None


def _fixed_words(cfg: TriageConfig, source: str) -> frozenset[str]:
    """The words an entry spells out. In a Danish entry "i" is "in", not the English "I"."""
    words = [w for w in normalise_pattern_words(source, cfg.rules) if w not in ("...", "$")]
    fixed = {w for w in words if "|" not in w and not w.endswith("*")}
    plain = {part for w in words for part in w.split("|")} - {"i"}
    if plain & cfg.language_words.get("da", frozenset()) and not plain & cfg.language_words.get(
        "en", frozenset()
    ):
        fixed.discard("i")
    return frozenset(fixed)


def _me_after_the_subject(cfg: TriageConfig, hit: Hit, tokens: Sequence[Token]) -> bool:
    """Nobody named as the one it is done to, but "me" in the same clause before the words:
    "he buys me things and says it is our secret" (not "she told me that she ...")."""
    person = cfg.person
    j = hit.start - 1
    while j >= 0 and tokens[j].sentence == hit.sentence:
        if contains(tokens, j, j + 1, person["subject_self"] + person["subject_other"]):
            return contains(tokens, j + 1, hit.start, person["me"])
        j -= 1
    return False


def _done_to(cfg: TriageConfig, hit: Hit, tokens: Sequence[Token]) -> bool | None:
    """The person the words end on, or the one just after them, maybe after a preposition:
    "kan ikke vække ham", "tager kvælertag på mig"."""
    person = cfg.person
    end = hit.end
    candidates = [end - 1]
    if end < len(tokens) and tokens[end].sentence == tokens[end - 1].sentence:
        candidates.append(end)
        step = end + 1
        if contains(tokens, end, end + 1, person["prepositions"]) and step < len(tokens):
            candidates.append(step)
    for i in candidates:
        if tokens[i].sentence != tokens[end - 1].sentence:
            continue
        if contains(tokens, i, i + 1, person["me"]):
            return True
        if contains(tokens, i, i + 1, person["him_or_her"]):
            return False
    return None


def is_about_writer(cfg: TriageConfig, hit: Hit, tokens: Sequence[Token], who: str) -> bool:
    person = cfg.person
    if contains(tokens, hit.start, hit.end, person["reflexive_self"]):
        return True
    if contains(tokens, hit.start, hit.end, person["reflexive_other"]):
        return False
    fixed = _fixed_words(cfg, hit.source)
    if any((word,) in person["subject_self"] or (word,) in person["object_self"] for word in fixed):
        return True  # the entry itself names the writer: "if i was gone", "better without me"
    done_to = _done_to(cfg, hit, tokens)
    if done_to is not None:
        return done_to
    subject = _subject_before(cfg, hit, tokens)
    if who == "subject" and subject is not None:
        return subject
    # The words themselves, or the one right after them ("har voldtaget mig"), say who.
    after = hit.end + 1 if hit.end < len(tokens) and tokens[hit.end].sentence == hit.sentence else 0
    if contains(tokens, hit.start, max(hit.end, after), person["object_self"]):
        return True
    if contains(tokens, hit.start, hit.end, person["subject_self"]):
        return True  # "knows where I live"
    if contains(tokens, hit.start, hit.end, person["object_other"], fixed):
        return False
    before = max(0, hit.start - 2)  # "booked her a ticket": two words back
    while tokens[before].sentence != hit.sentence and before < hit.start:
        before += 1
    if contains(tokens, before, hit.start, person["object_other"]):
        return False
    if contains(tokens, hit.start, hit.end, person["subject_other"], fixed):
        return False  # "engaged to a man she has never met"
    if who == "object" and _me_after_the_subject(cfg, hit, tokens):
        return True
    # Nobody named inside the words ("forced to marry"): whoever the sentence is about.
    return subject is not False
