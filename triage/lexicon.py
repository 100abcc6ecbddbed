"""Word-list matching.

An entry in a word list is a short phrase. Its words must appear in order, next to each
other and inside one sentence, with three extras:
  word*     any word starting with "word" (selvmord* finds "selvmordstanker")
  a|b|c     any one of the words
  ...       up to `gap` other words in between
  $         the end of the sentence ("do it $" is not "do it with my application")
Words of `fuzzy_min` letters or more also match with one typo (one letter added, dropped,
changed or two letters swapped), as long as the first letter is right.
Shorter words are too easily another word ("leve"/"lave"), so only in the lists named by
`short_typo_lists` (danger: a miss costs more than a false alarm), and only the commonest
slip of fast typing: a phrase of three or more words may have ONE letter dropped from ONE
short word after its first ("vil ikke lve mere") when every other word is spelt right,
so the neighbours vouch for the meaning. A changed letter is not allowed: "gider ikke
lave mere" (can't be bothered to do more) must not read as "gider ikke leve mere".

A concept may also be found by a combination: a word from EACH of its groups somewhere in
one sentence, in any order ("a blade" + "my thighs"). That says a thing the way people
vary it most, where listing every phrasing would never end.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from triage.text import TextRules, Token, normalise_pattern_words, within_one_edit

GAP = "..."
END = "$"
_END_KEYS = frozenset({END})
GROUP_MARK = "&"  # internal concept of one group of a combination: "danger:self_harm&0.1"
SHORT_TYPO_MIN_WORDS = 3  # words in a phrase before one short word may have a typo
SHORT_TYPO_MIN_LETTERS = 4  # "dø", "mig", "vil" are too short to guess at


@dataclass(frozen=True)
class Pattern:
    concept: str
    source: str  # the entry as written in the config, for reasons and debugging
    elements: tuple[frozenset[str] | None, ...]  # None is a gap; keys are words or "stem*"
    short_typo: bool = False  # may one short word (not the first) have a typo?


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
    if element == END:
        return _END_KEYS
    return frozenset(alt for alt in element.split("|") if alt)


class Lexicon:
    """Compiled word lists: concept name -> patterns, with a first-word index for speed."""

    def __init__(
        self,
        lists: Mapping[str, Sequence[str]],
        rules: TextRules,
        gap: int = 4,
        fuzzy_min: int = 6,
        short_typo_lists: Sequence[str] = (),
        combinations: Mapping[str, Sequence[Sequence[Sequence[str]]]] = {},
        not_typos: Iterable[str] = (),
    ) -> None:
        self.rules = rules
        self.gap = gap
        self.fuzzy_min = fuzzy_min
        self._short_typo_prefixes = tuple(f"{name}:" for name in short_typo_lists)
        self._not_typos = frozenset(not_typos)
        self.patterns: dict[str, list[Pattern]] = {}
        self._first: dict[str, list[Pattern]] = {}
        self._words: set[str] = set()
        self._stems: set[str] = set()
        for concept, entries in lists.items():
            self.patterns[concept] = [self._compile(concept, entry) for entry in entries]
        # concept -> its combinations, each a tuple of group concepts.
        self.combinations: dict[str, list[tuple[str, ...]]] = {}
        for concept, combos in combinations.items():
            self.patterns.setdefault(concept, [])
            for k, groups in enumerate(combos):
                names = tuple(f"{concept}{GROUP_MARK}{k}.{g}" for g in range(len(groups)))
                for name, entries in zip(names, groups, strict=True):
                    self.patterns[name] = [self._compile(name, entry) for entry in entries]
                self.combinations.setdefault(concept, []).append(names)
        # Near spellings share the first letter (see keys): look only among those.
        self._fuzzy_by_first: dict[str, tuple[str, ...]] = {}
        for w in sorted(self._words):
            if len(w) >= self.fuzzy_min:
                self._fuzzy_by_first[w[0]] = (*self._fuzzy_by_first.get(w[0], ()), w)
        self._stems_by_first: dict[str, tuple[str, ...]] = {}
        for stem in sorted(self._stems):
            self._stems_by_first[stem[0]] = (*self._stems_by_first.get(stem[0], ()), stem)
        self._key_cache: dict[str, frozenset[str]] = {}

    def _compile(self, concept: str, entry: str) -> Pattern:
        elements = tuple(_element_keys(e) for e in normalise_pattern_words(entry, self.rules))
        while elements and elements[0] is None:
            elements = elements[1:]
        if not elements or elements[0] is _END_KEYS or _END_KEYS in elements[:-1]:
            problem = "empty word-list entry, or $ not at its end"
            raise ValueError(f"{problem}, in {concept!r}: {entry!r}")
        words = sum(element not in (None, _END_KEYS) for element in elements)
        short_typo = words >= SHORT_TYPO_MIN_WORDS and concept.startswith(self._short_typo_prefixes)
        pattern = Pattern(concept, entry, elements, short_typo and bool(self._short_typo_prefixes))
        for element in elements:
            for key in () if element is _END_KEYS else element or ():
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
        loose = word not in self._not_typos
        # A stem matches from the first letter on (see _stem_matches): look only among those.
        stems = self._stems_by_first.get(word[:1], ())
        keys.update(s for s in stems if self._stem_matches(word, s[:-1], loose))
        if len(word) >= self.fuzzy_min and not word.isdigit() and word not in self._not_typos:
            # Typos rarely hit the first letter; requiring it avoids "piller" ~ "killer".
            keys.update(
                w for w in self._fuzzy_by_first.get(word[0], ()) if within_one_edit(word, w)
            )
        result = frozenset(keys)
        if len(self._key_cache) < 50_000:
            self._key_cache[word] = result
        return result

    def _stem_matches(self, word: str, stem: str, loose: bool = True) -> bool:
        if word.startswith(stem):
            return True
        if not loose or len(stem) < self.fuzzy_min or word[:1] != stem[:1]:
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
        if wanted is not None:
            wanted.update(
                g for c in list(wanted) for combo in self.combinations.get(c, ()) for g in combo
            )
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
                        pattern.elements,
                        0,
                        tokens,
                        token_keys,
                        i,
                        tokens[i].sentence,
                        pattern.short_typo,
                    )
                    if end < 0 or (pattern.concept, i) in seen:
                        continue
                    seen.add((pattern.concept, i))
                    quote = text[tokens[i].start : tokens[end - 1].end]
                    hits.append(
                        Hit(pattern.concept, pattern.source, i, end, tokens[i].sentence, quote)
                    )
        return self._combine(text, tokens, hits) if self.combinations else hits

    def _combine(self, text: str, tokens: Sequence[Token], hits: list[Hit]) -> list[Hit]:
        """Replace the hits of combination groups by one hit per sentence where every
        group of a combination is found."""
        plain = [h for h in hits if GROUP_MARK not in h.concept]
        by_group: dict[tuple[str, int], list[Hit]] = {}
        for hit in hits:
            if GROUP_MARK in hit.concept:
                by_group.setdefault((hit.concept, hit.sentence), []).append(hit)
        sentences = sorted({sentence for _, sentence in by_group})
        for concept, combos in self.combinations.items():
            for combo in combos:
                for sentence in sentences:
                    parts = [by_group.get((group, sentence)) for group in combo]
                    if not all(parts) or any(
                        h.concept == concept and h.sentence == sentence for h in plain
                    ):
                        continue
                    chosen = [group_hits[0] for group_hits in parts if group_hits]
                    start = min(h.start for h in chosen)
                    end = max(h.end for h in chosen)
                    source = " + ".join(h.source for h in chosen)
                    quote = text[tokens[start].start : tokens[end - 1].end]
                    plain.append(Hit(concept, source, start, end, sentence, quote))
        return plain

    def _match(
        self,
        elements: tuple[frozenset[str] | None, ...],
        e: int,
        tokens: Sequence[Token],
        token_keys: Sequence[frozenset[str]],
        i: int,
        sentence: int,
        typo_left: bool = False,
    ) -> int:
        if e == len(elements):
            return i
        element = elements[e]
        if element is _END_KEYS:
            at_end = i >= len(tokens) or tokens[i].sentence != sentence
            return self._match(elements, e + 1, tokens, token_keys, i, sentence) if at_end else -1
        if element is None:
            for skip in range(self.gap + 1):
                end = self._match(
                    elements, e + 1, tokens, token_keys, i + skip, sentence, typo_left
                )
                if end >= 0:
                    return end
            return -1
        # A masked token (a figure of speech) has no keys and never matches, even loosely.
        if i >= len(tokens) or tokens[i].sentence != sentence or not token_keys[i]:
            return -1
        if element.isdisjoint(token_keys[i]):
            if not (typo_left and e > 0 and self._short_typo(tokens[i].norm, element)):
                return -1
            typo_left = False
        return self._match(elements, e + 1, tokens, token_keys, i + 1, sentence, typo_left)

    def _short_typo(self, word: str, element: frozenset[str]) -> bool:
        """A short list word (longer ones are fuzzy anyway) with one letter dropped,
        the first letter kept. A word the lists use as itself ("her" in "hits her") is
        no typo ("not be her anymore")."""
        if word.isdigit() or word in self._words:
            return False
        return any(
            SHORT_TYPO_MIN_LETTERS <= len(key) < self.fuzzy_min
            and len(word) == len(key) - 1
            and not key.endswith("*")
            and key[0] == word[0]
            and within_one_edit(word, key)
            for key in element
        )
