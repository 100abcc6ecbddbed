"""The word-list matcher on its own: phrases, gaps and combinations of groups."""

from __future__ import annotations

import pytest

from triage.lexicon import Lexicon
from triage.text import TextRules, tokenize

RULES = TextRules()
SHARP_ON_BODY = [[["blade", "razor*", "kniv"], ["thigh*", "lår", "arm"]]]


def concepts(lexicon: Lexicon, text: str) -> list[str]:
    return [hit.concept for hit in lexicon.find(text, tokenize(text, RULES))]


def test_a_combination_needs_every_group_in_one_sentence_in_any_order() -> None:
    lexicon = Lexicon({}, RULES, combinations={"danger:self_harm": SHARP_ON_BODY})
    assert concepts(lexicon, "been using a blade on my thighs again") == ["danger:self_harm"]
    assert concepts(lexicon, "mine lår og så en kniv") == ["danger:self_harm"]
    assert concepts(lexicon, "razors in the bathroom") == []
    assert concepts(lexicon, "I bought a blade. My thighs hurt from running") == []


def test_a_combination_hit_quotes_from_its_first_to_its_last_word() -> None:
    lexicon = Lexicon({}, RULES, combinations={"danger:self_harm": SHARP_ON_BODY})
    text = "ok so. been using a blade on my thighs again, it helps"
    (hit,) = lexicon.find(text, tokenize(text, RULES))
    assert hit.quote == "blade on my thighs"
    assert hit.source == "blade + thigh*"


def test_group_hits_are_never_reported_on_their_own() -> None:
    lexicon = Lexicon({"need:x": ["blade"]}, RULES, combinations={"c": SHARP_ON_BODY})
    assert concepts(lexicon, "a blade") == ["need:x"]


def test_a_phrase_and_a_combination_of_one_concept_in_one_sentence_count_once() -> None:
    lexicon = Lexicon(
        {"danger:self_harm": ["cut my arm"]},
        RULES,
        combinations={"danger:self_harm": SHARP_ON_BODY},
    )
    assert concepts(lexicon, "a kniv, I cut my arm") == ["danger:self_harm"]


def test_asking_for_a_combined_concept_searches_its_groups() -> None:
    lexicon = Lexicon(
        {"need:other": ["arm"]}, RULES, combinations={"danger:self_harm": SHARP_ON_BODY}
    )
    text = "a blade on my arm"
    found = lexicon.find(text, tokenize(text, RULES), concepts=["danger:self_harm"])
    assert [hit.concept for hit in found] == ["danger:self_harm"]


def test_a_dollar_sign_ends_an_entry_at_the_end_of_a_sentence() -> None:
    lexicon = Lexicon({"danger:plan": ["planned how ... do it $"]}, RULES)
    assert concepts(lexicon, "I have planned how I will do it") == ["danger:plan"]
    assert concepts(lexicon, "I have planned how I will do it. Bye") == ["danger:plan"]
    assert concepts(lexicon, "I planned how to do it with my application") == []


def test_a_dollar_sign_may_only_end_an_entry() -> None:
    for entry in ("$ do it", "do $ it"):
        with pytest.raises(ValueError, match="not at its end"):
            Lexicon({"x": [entry]}, RULES)


def test_no_list_entry_reads_a_two_word_alternative_as_two_single_words() -> None:
    """ "a|b c" is "a c" or "b c": an entry meant as "a" or "b c" repeats the "c", or a form
    of it, beside the alternatives ("er her|være her", "gør|vil gøre") and then silently
    never matches as meant."""
    from tests.unit.triage.test_triage_rules import cfg

    def related(a: str, b: str) -> bool:
        return min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a))

    suspicious = []
    for patterns in cfg().lexicon.patterns.values():
        for pattern in patterns:
            pairs = zip(pattern.elements, pattern.elements[1:], strict=False)
            for a, b in pairs:
                if a and b and len(a) > 1 and len(b) > 1 and a & b:
                    suspicious.append(pattern.source)  # "the lesson|gym|the course"
                if not a or not b or len(a) == len(b) or min(len(a), len(b)) != 1:
                    continue
                (word,) = min(a, b, key=len)
                if any(related(word, other) for other in max(a, b, key=len)):
                    suspicious.append(pattern.source)
    assert suspicious == []
