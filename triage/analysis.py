"""Reading one message: which word lists it hits, and who any danger concerns."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from triage.config import TriageConfig
from triage.lexicon import Hit
from triage.text import Token, fold, tokenize
from triage.who import contains, is_about_writer

# A job or topic word makes danger words its topic only this close before them ("an essay
# on self-harm"), not a whole sentence later ("an essay on my future, where she writes...").
TOPIC_REACH = 15
# Barriers are more often the writer's own: only the topic's next few words are its.
BARRIER_TOPIC_REACH = 8


@dataclass(frozen=True)
class DangerFinding:
    category: str
    quote: str
    about_self: bool


@dataclass
class Findings:
    """Everything one message says, as far as the word lists can tell."""

    hits: dict[str, list[Hit]] = field(default_factory=dict)  # concept -> hits
    danger: list[DangerFinding] = field(default_factory=list)
    joked_slang: list[DangerFinding] = field(default_factory=list)
    warnings: list[DangerFinding] = field(default_factory=list)  # category: the sign's name
    ignored_danger: list[str] = field(default_factory=list)  # quotes about a career/topic
    accidents: list[str] = field(default_factory=list)  # quotes of hurt by accident
    past: list[str] = field(default_factory=list)  # quotes of danger long over
    barriers: dict[str, str] = field(default_factory=dict)  # barrier -> quote
    is_question: bool = False
    word_count: int = 0
    reported_contacts: int | None = None
    stated_age: int | None = None
    stated_postcode: str | None = None

    def has(self, concept: str) -> bool:
        return bool(self.hits.get(concept))

    def quote(self, concept: str) -> str:
        hits = self.hits.get(concept)
        return hits[0].quote if hits else ""


def _group(hits: Sequence[Hit]) -> dict[str, list[Hit]]:
    grouped: dict[str, list[Hit]] = {}
    for hit in hits:
        grouped.setdefault(hit.concept, []).append(hit)
    return grouped


def _read_danger(cfg: TriageConfig, text: str, tokens: list[Token], found: Findings) -> None:
    meant = {h.sentence for h in found.hits.get("ctx:means_it", [])}
    blanked = [
        hit
        for name in ("figures_of_speech", "topic_phrases")
        for hit in found.hits.get(f"ctx:{name}", [])
        if name != "figures_of_speech" or hit.sentence not in meant
    ]
    masked = frozenset(i for h in blanked for i in range(h.start, h.end))
    concepts = [f"danger:{name}" for name in cfg.danger]
    context = found.hits.get("ctx:career_or_topic", [])
    someone_else = found.has("ctx:about_someone_else")
    accidents = {h.sentence for h in found.hits.get("ctx:accidents", [])}
    left_school = {h.sentence for h in found.hits.get("ctx:left_school", [])}
    school_work = {h.sentence for h in found.hits.get("ctx:school_work", [])}
    over = found.has("ctx:resolved_past") and not found.has("ctx:recurring")
    for hit in cfg.lexicon.find(text, tokens, concepts, masked):
        name = hit.concept.split(":", 1)[1]
        info = cfg.danger[name]
        topic = any(
            c.sentence == hit.sentence and 0 < hit.start - c.start <= TOPIC_REACH for c in context
        )
        if topic or hit.sentence in school_work:
            found.ignored_danger.append(hit.quote)
            continue
        if info.school_can_cancel and hit.sentence in left_school:
            found.ignored_danger.append(hit.quote)
            continue
        if info.accident_can_cancel and hit.sentence in accidents:
            found.accidents.append(hit.quote)
            continue
        if over:
            found.past.append(hit.quote)
            continue
        about_self = is_about_writer(cfg, hit, tokens, info.who)
        if someone_else and not contains(tokens, hit.start, hit.end, cfg.person["reflexive_self"]):
            about_self = False
        finding = DangerFinding(name, hit.quote, about_self)
        joked = info.joke_can_cancel and found.has("ctx:jokes") and not found.has("ctx:means_it")
        (found.joked_slang if joked else found.danger).append(finding)
    for hit in (h for c, hits in found.hits.items() if c.startswith("warning:") for h in hits):
        who = cfg.warning_signs[hit.concept.split(":", 1)[1]].who
        # "writer": a sign only the writer can give ("nobody will come looking").
        about_self = who == "writer" or is_about_writer(cfg, hit, tokens, who)
        about_self = about_self and not someone_else
        found.warnings.append(DangerFinding(hit.concept.split(":", 1)[1], hit.quote, about_self))


def _topical_barrier(cfg: TriageConfig, hit: Hit, tokens: list[Token], found: Findings) -> bool:
    """Barrier words that are the topic of a job or a cause ("volunteer at a drop-in for
    the homeless", "arbejder med børn med autisme") describe other people, unless the
    writer comes in between ("I work with kids, but I have ADHD")."""
    person = cfg.person
    topics = [*found.hits.get("ctx:career_or_topic", []), *found.hits.get("ctx:barrier_topic", [])]
    for c in topics:
        if c.sentence != hit.sentence or not 0 < hit.start - c.start <= BARRIER_TOPIC_REACH:
            continue
        writer = (*person["subject_self"], *person["object_self"])
        if not contains(tokens, c.end, hit.start, writer):
            return True
    return False


def _read_barriers(cfg: TriageConfig, tokens: list[Token], found: Findings) -> None:
    for name in cfg.barriers:
        hits = found.hits.get(f"barrier:{name}")
        if not hits:
            continue
        kept = [h for h in hits if not _topical_barrier(cfg, h, tokens, found)]
        found.hits[f"barrier:{name}"] = kept
        if kept:
            found.barriers[name] = kept[0].quote


def _number(word: str, cfg: TriageConfig) -> int | None:
    return int(word) if word.isdigit() else cfg.numbers.get(word)


_CONTACT_NTH = (
    re.compile(r"\b(\d+)(?:st|nd|rd|th|\.)?\s+(?:gang|time)\b"),
    re.compile(r"\b([a-z]+)\s+(?:gang|time)\b"),
)
_CONTACT_VERBS = ("skrevet", "written", "contacted", "kontaktet", "ringet", "called")
_CONTACT_TIMES = re.compile(r"\b(\w+)\s+(?:gange|times)\b")
_OWN_AGE = re.compile(r"\b(?:jeg er|i am|i'm|im)\s+(\w+)\b(?!\s*(?:kr|%|procent|aar siden))")
_AGE_YEARS = re.compile(r"\b(\d{2})\s*(?:aar gammel|years old|aarig|year old)\b")
_CHILD_AGE = re.compile(
    r"\b(?:soen|datter|son|daughter|barn|child|lillebror|lillesoester|pige|dreng|girl|boy)"
    r"\s+(?:paa|is|er|of|\(|,)?\s*(\w+)"
)
# A Danish postcode (1000-9990) only where the words say it is one, so that years and
# amounts are never read as postcodes: "postnummer 2200", "jeg bor i 8000 Aarhus".
_POSTCODE_NAMED = re.compile(
    r"\b(?:postnummer|postnr|post nr|postkode|postcode|post code|postal code|zip code|zip)"
    r"\.?\s*(?:er|is|:)?\s*(\d{4})\b(?![.,]\d)"
)
_POSTCODE_HOME = re.compile(
    r"\b(?:bor|boende|bosat|live|lives|living|based)(?:\s+(?:jeg|vi|nu|now))*"
    r"\s+(?:i|paa|in|at|near|ved)\s+"
    r"(\d{4})\b(?![.,]\d)(?!\s*(?:kr|dkk|%|procent|percent))"
)


def read_postcode(text: str) -> str | None:
    """The last postcode the person gives as theirs, or None."""
    folded = fold(text)
    found = [m for regex in (_POSTCODE_NAMED, _POSTCODE_HOME) for m in regex.finditer(folded)]
    for m in sorted(found, key=lambda m: m.start(), reverse=True):
        if 1000 <= int(m.group(1)) <= 9990:
            return m.group(1)
    return None


def _read_numbers(cfg: TriageConfig, text: str, found: Findings) -> None:
    folded = fold(text)
    for regex in _CONTACT_NTH:
        for m in regex.finditer(folded):
            n = _number(m.group(1), cfg)
            if n is not None and 2 <= n <= 30:
                found.reported_contacts = max(found.reported_contacts or 0, n - 1)
    if any(verb in folded for verb in _CONTACT_VERBS):
        for m in _CONTACT_TIMES.finditer(folded):
            n = _number(m.group(1), cfg)
            if n is not None and 2 <= n <= 30:
                found.reported_contacts = max(found.reported_contacts or 0, n)
    for regex in (_CHILD_AGE, _OWN_AGE, _AGE_YEARS):
        for m in regex.finditer(folded):
            n = _number(m.group(1), cfg)
            if n is not None and 10 <= n <= 99:
                found.stated_age = n
                return


def _without_hedged_needs(hits: list[Hit]) -> list[Hit]:
    """Need words inside a polite hedge ("idk if this is the right place") are no need."""
    hedged = {i for h in hits if h.concept == "ctx:hedges" for i in range(h.start, h.end)}
    return [h for h in hits if not (h.concept.startswith("need:") and h.start in hedged)]


def analyse(cfg: TriageConfig, text: str) -> Findings:
    tokens = tokenize(text, cfg.rules)
    found = Findings(word_count=len(tokens))
    others = [c for c in cfg.lexicon.patterns if not c.startswith(("danger:", "article:"))]
    found.hits = _group(_without_hedged_needs(cfg.lexicon.find(text, tokens, others)))
    _read_danger(cfg, text, tokens, found)
    _read_barriers(cfg, tokens, found)
    _read_numbers(cfg, text, found)
    found.stated_postcode = read_postcode(text)
    found.is_question = "?" in text or found.has("need:question")
    return found


def detect_language(cfg: TriageConfig, text: str) -> str | None:
    """Danish or English by common small words; None when there is no evidence either way."""
    words = re.findall(r"\w+", fold(text))
    scores = {lang: sum(w in vocab for w in words) for lang, vocab in cfg.language_words.items()}
    scores["da"] = scores.get("da", 0) + 2 * sum(ch in "æøåÆØÅ" for ch in text)
    best = max(scores, key=lambda k: scores[k])
    if scores[best] == 0 or list(scores.values()).count(scores[best]) > 1:
        return None
    return best
