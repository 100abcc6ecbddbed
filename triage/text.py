"""Text normalisation: case and letter folding, emoji, text-speak, tokens with sentence numbers.

Every word list is normalised with the same functions as the messages, so "æ" and "ae",
"don't" and "dont", "ik" and "ikke" meet in the middle.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_LETTER_FOLDS = {"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}
_WORD_RE = re.compile(r"\w+(?:['’´`]\w+)*|[^\w\s]", re.UNICODE)
_SENTENCE_END = {".", "!", "?", ";", "\n"}


def fold(text: str) -> str:
    """Lowercase, fold æ/ø/å to ae/oe/aa and strip remaining accents (é -> e)."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = "".join(_LETTER_FOLDS.get(ch, ch) for ch in text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def is_emoji(ch: str) -> bool:
    return unicodedata.category(ch) in {"So", "Sk", "Cs"} or 0x1F000 <= ord(ch) <= 0x1FAFF


@dataclass(frozen=True)
class Token:
    norm: str
    start: int  # offsets into the original text, for quoting
    end: int
    sentence: int


@dataclass(frozen=True)
class TextRules:
    """Normalisation data from config: text-speak expansions and emoji meanings."""

    textspeak: dict[str, tuple[str, ...]] = field(default_factory=dict)
    emoji: dict[str, str] = field(default_factory=dict)
    # English endings after an apostrophe: "he'll" is "he will", not the word "hell".
    contractions: dict[str, str] = field(default_factory=dict)
    # Danish puts the subject after the verb after a fronted word ("nu kan jeg ikke vælge"):
    # verb + pronoun + negation is read in plain order ("jeg kan ikke vælge").
    inverted_verbs: frozenset[str] = frozenset()
    inverted_pronouns: frozenset[str] = frozenset()
    negations: frozenset[str] = frozenset()

    def expand(self, word: str) -> tuple[str, ...]:
        return self.textspeak.get(word, (word,))

    def words(self, raw: str) -> tuple[str, ...]:
        """One written word as the words it stands for."""
        folded = fold(raw)
        if not _APOSTROPHE.search(folded):
            return self.expand(folded)
        head, _, tail = _APOSTROPHE.sub("'", folded).partition("'")
        if tail in self.contractions:
            return (*self.expand(head), self.contractions[tail])
        return self.expand(_APOSTROPHE.sub("", folded))


_APOSTROPHE = re.compile(r"['’´`]")


def _is_sentence_break(text: str, pos: int, piece: str) -> bool:
    if piece not in _SENTENCE_END:
        return False
    # "3.g", "10. klasse", "5. gang": a full stop after a digit is a Danish ordinal.
    return not (piece == "." and pos > 0 and text[pos - 1].isdigit())


def tokenize(text: str, rules: TextRules) -> list[Token]:
    """Split text into normalised word tokens, numbering sentences as it goes."""
    tokens: list[Token] = []
    sentence = 0
    last_end = 0
    for match in _WORD_RE.finditer(text):
        if "\n" in text[last_end : match.start()]:
            sentence += 1
        last_end = match.end()
        piece = match.group(0)
        if not (piece[0].isalnum() or piece[0] == "_"):
            sentence += _is_sentence_break(text, match.start(), piece)
            meaning = rules.emoji.get(piece) if is_emoji(piece) else None
            if meaning:
                tokens.append(Token(meaning, match.start(), match.end(), sentence))
            continue
        for word in rules.words(piece):
            tokens.append(Token(word, match.start(), match.end(), sentence))
    return _straighten_inversions(tokens, rules) if rules.inverted_verbs else tokens


def _swap(out: list[Token], i: int) -> None:
    """Swap the words of out[i] and out[i + 1]; both then span both, so a quote starting
    at either shows the pair in the order it was written."""
    first, second = out[i], out[i + 1]
    out[i] = Token(second.norm, first.start, second.end, first.sentence)
    out[i + 1] = Token(first.norm, first.start, second.end, second.sentence)


def _straighten_inversions(tokens: list[Token], rules: TextRules) -> list[Token]:
    """Danish word order read in one order: "at jeg ikke kan" as "at jeg kan ikke", and
    "nu kan jeg ikke" as "nu jeg kan ikke", so the lists need only "kan ikke"."""
    out = list(tokens)
    for i in range(len(out) - 1):
        negation, verb = out[i], out[i + 1]
        if negation.norm in rules.negations and verb.norm in rules.inverted_verbs:
            _swap(out, i)
    for i in range(len(out) - 2):
        verb, pronoun, negation = out[i], out[i + 1], out[i + 2]
        if (
            verb.norm in rules.inverted_verbs
            and pronoun.norm in rules.inverted_pronouns
            and negation.norm in rules.negations
            and verb.sentence == negation.sentence
        ):
            _swap(out, i)
    return out


def _straighten_elements(elements: list[str], rules: TextRules) -> list[str]:
    """The same subordinate-clause swap in a list entry ("ikke kan" -> "kan ikke")."""
    out = list(elements)
    for i in range(len(out) - 1):
        verbs = out[i + 1].split("|")
        if out[i] in rules.negations and all(v in rules.inverted_verbs for v in verbs):
            out[i], out[i + 1] = out[i + 1], out[i]
    return out


def normalise_pattern_words(pattern: str, rules: TextRules) -> list[str]:
    """Normalise one word-list entry into its elements (words, alternatives, stems, gaps)."""
    folded = fold(pattern).replace("-", " ").replace("/", "|")
    folded = re.sub(r"['’´`]", "", folded)
    elements: list[str] = []
    for element in folded.split():
        if element in ("...", "$") or "|" in element or element.endswith("*"):
            elements.append(element)
        else:
            elements.extend(rules.expand(re.sub(r"[^\w]", "", element)))
    return _straighten_elements([e for e in elements if e], rules)


def within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    return a[i:] == b[i + 1 :]
