"""Normalisation, tokens, fuzzy matching and language detection."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from triage import TriageConfig, load_config
from triage.analysis import analyse, detect_language
from triage.text import fold, tokenize, within_one_edit

REPO = Path(__file__).resolve().parents[3]


@lru_cache(maxsize=1)
def cfg() -> TriageConfig:
    return load_config(REPO / "config")


def words(text: str) -> list[str]:
    return [t.norm for t in tokenize(text, cfg().rules)]


def test_fold_danish_letters_and_accents() -> None:
    assert fold("Hvornår SØGER Æble") == "hvornaar soeger aeble"
    assert fold("café Tomás") == "cafe tomas"


def test_folded_and_unfolded_spelling_hit_the_same_list() -> None:
    for text in ("hvornår er ansøgningsfristen?", "hvornaar er ansoegningsfristen?"):
        assert analyse(cfg(), text).is_question


def test_textspeak_and_contractions_expand() -> None:
    assert words("idk, I'm ik sure") == ["i", "do", "not", "know", "i", "am", "ikke", "sure"]
    assert words("don't") == ["do", "not"]


def test_danish_ordinals_do_not_end_sentences() -> None:
    tokens = tokenize("Jeg går i 3.g og 10. klasse", cfg().rules)
    assert {t.sentence for t in tokens} == {0}
    assert len({t.sentence for t in tokenize("Hej. Farvel", cfg().rules)}) == 2


def test_laughing_emoji_reads_as_lol_and_others_are_dropped() -> None:
    assert words("haha 😂 👍") == ["haha", "lol"]


def test_one_edit_matching() -> None:
    assert within_one_edit("adgangskravne", "adgangskravene")
    assert within_one_edit("ordblnd", "ordblind")
    assert within_one_edit("sygeplejeske", "sygeplejerske")
    assert within_one_edit("ab", "ba")
    assert not within_one_edit("ordblind", "ordbog")


def test_typos_in_long_words_still_match() -> None:
    assert "reading_writing" in analyse(cfg(), "jeg er ordblnd").barriers
    assert analyse(cfg(), "jeg har selvmordstankr").danger


def test_language_detection() -> None:
    assert detect_language(cfg(), "hej, hvad er fristen for at søge?") == "da"
    assert detect_language(cfg(), "hi, what is the deadline to apply?") == "en"
    assert detect_language(cfg(), "kms") is None


def test_danish_inverted_word_order_is_read_in_plain_order() -> None:
    assert words("nu kan jeg ikke vælge") == ["nu", "jeg", "kan", "ikke", "vaelge"]
    assert words("så ved jeg ik hvad") == ["saa", "jeg", "ved", "ikke", "hvad"]
    assert words("jeg kan ikke vælge") == ["jeg", "kan", "ikke", "vaelge"]


def test_a_straightened_inversion_keeps_the_quote_whole() -> None:
    found = analyse(cfg(), "nu kan jeg ikke vælge mellem de to")
    assert found.quote("need:indecision").startswith("kan jeg ikke")


def test_english_contractions_after_an_apostrophe_are_expanded() -> None:
    assert words("he'll do it") == ["he", "will", "do", "it"]
    assert words("I'd go") == ["i", "would", "go"]
    assert words("they’re here") == ["they", "are", "here"]  # a typographic apostrophe
    assert words("mum's pills") == ["mums", "pills"]  # a possessive stays one word


def test_danish_subordinate_negation_is_read_in_main_clause_order() -> None:
    assert words("fordi jeg ikke kan sove") == ["fordi", "jeg", "kan", "ikke", "sove"]
    found = analyse(cfg(), "jeg er så bange, at jeg ikke kan sove om natten")
    assert found.has("need:strong_anxiety")
