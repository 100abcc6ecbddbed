"""Who a danger finding is about (triage/who.py): the writer, or someone they write about."""

from __future__ import annotations

import pytest

from tests.unit.triage.test_triage_danger import cfg, run
from triage.analysis import analyse


def about_self(text: str) -> list[bool]:
    return [f.about_self for f in analyse(cfg(), text).danger]


@pytest.mark.parametrize(
    "text",
    [
        "yesterday i found razor blades hidden in her pencil case",
        "I går fandt jeg blodige plastre i hans skraldespand",
        "i found a note on the table saying sorry to everyone",
    ],
)
def test_a_writer_who_found_or_saw_it_is_a_witness(text: str) -> None:
    found = about_self(text)
    assert found and not any(found), analyse(cfg(), text).danger


def test_the_writer_who_does_it_is_not_a_witness() -> None:
    assert about_self("I hide razor blades in my pencil case") == [True]


def test_me_in_the_same_clause_makes_the_writer_the_one_it_is_done_to() -> None:
    d = run("my coach buys me things and says it's our secret")
    assert (d.urgent, d.level) == (True, "face_to_face"), d.reasons
    told = run("hun fortalte mig, at hendes stedfar slår hende, og hun tør ikke gå hjem")
    assert (told.urgent, told.level) == (True, "brief"), told.reasons


def test_danish_i_in_a_list_entry_is_a_preposition_not_the_writer() -> None:
    assert about_self("hun siger hun ikke vil vågne i morgen") == [False]
    assert about_self("jeg vil ikke vågne i morgen") == [True]


@pytest.mark.parametrize(
    ("text", "writer"),
    [
        ("jeg kan næsten ikke vække ham efter pillerne", False),
        ("min kæreste tager kvælertag på mig når han drikker", True),
        ("hendes far slår hende", False),
    ],
)
def test_the_person_the_words_end_on_is_the_one_in_danger(text: str, writer: bool) -> None:
    found = about_self(text)
    assert found and all(f is writer for f in found), analyse(cfg(), text).danger
