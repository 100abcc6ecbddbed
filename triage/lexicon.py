"""Word-list matching.

An entry in a word list is a short phrase. Its words must appear in order, next to each
other and inside one sentence, with three extras:
  word*     any word starting with "word" (selvmord* finds "selvmordstanker")
  a|b|c     any one of the words
  ...       up to `gap` other words in between
Words of `fuzzy_min` letters or more also match with one typo (one letter added, dropped,
changed or two letters swapped), as long as the first letter is right.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from triage.text import TextRules, Token, normalise_pattern_words, within_one_edit

GAP = "..."


@dataclass(frozen=True)
class Pattern:
    concept: str
    source: str  # the entry as written in the config, for reasons and debugging
    elements: tuple[frozenset[str] | None, ...]  # None is a gap; keys are words or "stem*"


@dataclass(frozen=True)
class Hit:
    concept: str
    source: str
    start: int  # token indices, end exclusive
    end: int
    sentence: int
    quote: str


def _element_keys(element: str) -> frozenset[str] | None:
    if element == GAP:
        return None
    return frozenset(alt for alt in element.split("|") if alt)


class Lexicon:
    """Compiled word lists: concept name -> patterns, with a first-word index for speed."""

    def __init__(
        self, lists: Mapping[str, Sequence[str]], rules: TextRules, gap: int = 4, fuzzy_min: int = 6
    ) -> None:
        self.rules = rules
        self.gap = gap
        self.fuzzy_min = fuzzy_min
        self.patterns: dict[str, list[Pattern]] = {}
        self._first: dict[str, list[Pattern]] = {}
        self._words: set[str] = set()
        self._stems: set[str] = set()
        for concept, entries in lists.items():
            self.patterns[concept] = [self._compile(concept, entry) for entry in entries]
        self._key_cache: dict[str, frozenset[str]] = {}

    def _compile(self, concept: str, entry: str) -> Pattern:
        elements = tuple(_element_keys(e) for e in normalise_pattern_words(entry, self.rules))
        while elements and elements[0] is None:
            elements = elements[1:]
        if not elements:
            raise ValueError(f"empty word-list entry in {concept!r}: {entry!r}")
        pattern = Pattern(concept, entry, elements)
        for element in elements:
            for key in element or ():
                (self._stems if key.endswith("*") else self._words).add(key)
        first = elements[0]
        assert first is not None
        for key in first:
            self._first.setdefault(key, []).append(pattern)
        return pattern

    def keys(self, word: str) -> frozenset[str]:
        """Every list key a text word answers to: itself, near spellings, matching stems."""
        cached = self._key_cache.get(word)
        if cached is not None:
            return cached
        keys = {word}
        keys.update(s for s in self._stems if self._stem_matches(word, s[:-1]))
        if len(word) >= self.fuzzy_min and not word.isdigit():
            # Typos rarely hit the first letter; requiring it avoids "piller" ~ "killer".
            keys.update(
                w
                for w in self._words
                if len(w) >= self.fuzzy_min and w[0] == word[0] and within_one_edit(word, w)
            )
        result = frozenset(keys)
        if len(self._key_cache) < 50_000:
            self._key_cache[word] = result
        return result

    def _stem_matches(self, word: str, stem: str) -> bool:
        if word.startswith(stem):
            return True
        if len(stem) < self.fuzzy_min or word[:1] != stem[:1]:
            return False
        n = len(stem)
        return any(within_one_edit(word[:k], stem) for k in (n - 1, n, n + 1) if k <= len(word))

    def find(
        self,
        text: str,
        tokens: Sequence[Token],
        concepts: Iterable[str] | None = None,
        masked: frozenset[int] = frozenset(),
    ) -> list[Hit]:
        """All hits of the given concepts (all when None); masked token positions never match."""
        wanted = set(concepts) if concepts is not None else None
        token_keys = [
            frozenset() if i in masked else self.keys(t.norm) for i, t in enumerate(tokens)
        ]
        hits: list[Hit] = []
        seen: set[tuple[str, int]] = set()
        for i, keys in enumerate(token_keys):
            for key in keys:
                for pattern in self._first.get(key, ()):
                    if wanted is not None and pattern.concept not in wanted:
                        continue
                    end = self._match(
                        pattern.elements, 0, tokens, token_keys, i, tokens[i].sentence
                    )
                    if end < 0 or (pattern.concept, i) in seen:
                        continue
                    seen.add((pattern.concept, i))
                    quote = text[tokens[i].start : tokens[end - 1].end]
                    hits.append(
                        Hit(pattern.concept, pattern.source, i, end, tokens[i].sentence, quote)
                    )
        return hits

    def _match(
        self,
        elements: tuple[frozenset[str] | None, ...],
        e: int,
        tokens: Sequence[Token],
        token_keys: Sequence[frozenset[str]],
        i: int,
        sentence: int,
    ) -> int:
        if e == len(elements):
            return i
        element = elements[e]
        if element is None:
            for skip in range(self.gap + 1):
                end = self._match(elements, e + 1, tokens, token_keys, i + skip, sentence)
                if end >= 0:
                    return end
            return -1
        if i >= len(tokens) or tokens[i].sentence != sentence:
            return -1
        if element.isdisjoint(token_keys[i]):
            return -1
        return self._match(elements, e + 1, tokens, token_keys, i + 1, sentence)
