"""Danger by concept, not by sentence: new phrasings, text-speak and typos are urgent;
figures of speech and ordinary words that look like danger are not."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from triage import Decision, MessageContext, TriageConfig, TriageEngine, TriageState, load_config
from triage.analysis import analyse

REPO = Path(__file__).resolve().parents[3]


@lru_cache(maxsize=1)
def cfg() -> TriageConfig:
    return load_config(REPO / "config")


def run(text: str, language: str | None = None) -> Decision:
    return TriageEngine(cfg()).assess(TriageState(), MessageContext(text, "chat", language))


@pytest.mark.parametrize(
    "text",
    [
        # Wanting or longing to die.
        "jeg har lyst til at dø",
        "har så meget lyst til at være død",
        "i just wish to die",
        "honestly thinking about ending my life",
        # Cutting or hurting a part of the body.
        "jeg skærer i mine arme",
        "skar i min arm igen i aftes",
        "jeg skærer mig selv",
        "i cut my wrists last night",
        "been cutting my arms again",
        # No reason to live; better off if I did not exist.
        "der er ingen grund til at leve mere",
        "no reason to be alive",
        "alle ville have det bedre hvis jeg ikke fandtes",
        "det ville være bedre for alle hvis jeg var væk",
        "everyone would be better if I was gone",
        "they'd all be better off if i wasnt around",
        # Text-speak, and one dropped letter in a short word of a longer phrase.
        "gider ikk at leve mere",
        "vil ik lve mere",
        "orker ikke at leve længere",
        "gider ikke være her længere",
        # Paid, pressed or forced into pictures, sex or meeting up.
        "en voksen mand betaler mig for billeder",
        "a guy online pays me for pics",
        "he forces me to do stuff with his friends for money",
        "han tvinger mig til at gøre ting for penge",
        "han presser mig til at komme hjem til ham",
    ],
)
def test_new_phrasings_of_danger_to_the_writer_are_urgent(text: str) -> None:
    d = run(text)
    assert d.urgent, d.reasons
    assert (d.level, d.refer_to) == ("face_to_face", "health_social")


@pytest.mark.parametrize(
    "text",
    [
        "jeg dør af grin",
        "I could kill for a coffee",
        "jeg er dødtræt",
        "this exam is killing me",
        "she is drop-dead gorgeous",
        "I nearly died of embarrassment",
        "jeg har lyst til at dø af grin over ham",
        "no reason to panic",
        "I want to cut my hair",
        "I cut my finger cooking",
        "jeg skal skære løg",
        "jeg gider ikke lave mere matematik",  # "lave" is not a typo of "leve"
        "min mormor lever ikke mere",
        "min chef betaler mig for overarbejde",
        "my mum makes me work in the shop for pocket money",
        "tak for hjælpen, kys og kram",  # Danish "kys" is a kiss
        "i can not be her anymore, she is so cool lol",
    ],
)
def test_figures_of_speech_and_look_alikes_are_not_danger(text: str) -> None:
    d = run(text)
    assert not d.urgent, d.reasons


def test_danish_her_means_here_and_leaves_the_danger_with_the_writer() -> None:
    (finding,) = analyse(cfg(), "vil ik vær her mer").danger
    assert finding.about_self
    (finding,) = analyse(cfg(), "she says she can not be here anymore").danger
    assert not finding.about_self


def test_a_short_word_typo_needs_every_other_word_right() -> None:
    assert analyse(cfg(), "ikke lve mere").danger  # one letter dropped, neighbours right
    assert not analyse(cfg(), "ikke lve mre").danger  # two typos: no longer vouched for
    assert not analyse(cfg(), "ikke leeve mere").danger  # a letter added is not allowed
