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


def run(*texts: str) -> Decision:
    """The decision after the person's messages, one at a time, as the server runs them."""
    engine, state = TriageEngine(cfg()), TriageState()
    decision = None
    for text in texts:
        decision = engine.assess(state, MessageContext(text, "chat", None))
        state = decision.state
    assert decision is not None
    return decision


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


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # Something sharp on a part of the body, in either order.
        ("har brugt et barberblad på lårene igen", "self_harm"),
        ("my thighs, with a razor. again", "self_harm"),
        ("der er snitsår på min arm som ingen har set", "self_harm"),
        # A whole packet, or a lot, of a medicine swallowed; saving one up.
        ("slugte en hel æske panodil for en time siden", "overdose"),
        ("took like 30 ibuprofen after school", "overdose"),
        ("jeg gemmer mine sovepiller i en skuffe", "overdose"),
        ("googled how many paracetamol is lethal", "suicide"),
        # A letter to be found afterwards; looking up a way to die.
        ("har skrevet en besked til min bror som han skal finde bagefter", "suicide"),
        ("i wrote a note for mum to find when i am gone", "suicide"),
        ("har googlet smertefri måder at dø på", "suicide"),
        ("I have planned when I am going to do it", "suicide"),
        ("jeg kan ikke holde ud at leve sådan her", "suicide"),
        ("tired of being alive tbh", "suicide"),
        # Abuse by what someone does; secrecy imposed on the child.
        ("min stedfar befamler mig", "violence"),
        ("my coach sends me messages at night and says it is our secret", "violence"),
        ("a teacher texts me at night and wants me to keep it secret", "violence"),
        ("jeg har blå mærker efter min kæreste", "violence"),
        # Paid for pictures, and threats to show them.
        ("a man on snap gives me gift cards for pics", "exploitation"),
        ("han siger han viser dem til alle hvis jeg ikke sender flere", "exploitation"),
        # A place to sleep on the condition of sex or "doing things".
        ("jeg må bo hos ham så længe jeg gør ting med ham", "exploitation"),
        ("this guy lets me stay at his if i do stuff for his mates", "exploitation"),
        # Wishing to be dead, said by whoever wishes it.
        ("jeg ønsker tit, at jeg var død", "suicide"),
        ("sometimes I wish I were dead", "suicide"),
        # Verb first after a time word; a hand on the throat.
        ("i weekenden sparkede han mig i maven", "violence"),
        ("he squeezed my throat when I said I wanted a job", "violence"),
        # Paid to come to parties; someone else keeps the money.
        ("his mates pay me to come to their parties", "exploitation"),
        ("de betaler mig, men min kæreste beholder pengene", "exploitation"),
        ("googled how much of my dads sleeping pills it would take", "overdose"),
        # Thrown out tonight; sleeping rough.
        ("mor har sat mig på porten", "homeless_tonight"),
        ("sleeping in my car because mum kicked me out", "homeless_tonight"),
        ("ved ik hvor jeg skal sove i nat", "homeless_tonight"),
        # Leaning out; making it look like an accident; a plan for a last day.
        ("tænker på at læne mig lidt for langt ud over rækværket", "suicide"),
        ("I could make it look like an accident", "suicide"),
        ("har lagt en plan for min sidste dag", "suicide"),
        ("he slammed me against the door and held me there", "violence"),
        ("min mors kæreste har slået mig med en knytnæve", "violence"),
        ("looked up how many sleeping pills it takes", "overdose"),
    ],
)
def test_danger_said_by_combination_or_new_words_is_urgent(text: str, category: str) -> None:
    found = analyse(cfg(), text)
    assert category in {f.category for f in found.danger}, found.danger
    assert run(text).urgent


@pytest.mark.parametrize(
    "text",
    [
        "we had a knife skills class and I nicked my arm",  # an accident
        "skar mig på armen da jeg faldt på cyklen",  # an accident
        "jeg har planlagt hvordan jeg vil gøre det med min ansøgning",  # the plan has an object
        "I read the letter and will find out more afterwards",
        "jeg tog mange fag på hf, kan jeg bruge dem til medicin?",
        "tog en hel pakke tyggegummi under eksamen",
        "min far har blå mærker efter han faldt på cyklen",  # his bruises, not the writer's
        "slept at the station after the concert lol",  # once, in the past, by choice
        "har et ar på armen fra en cykelulykke",
        "hun sagde jeg ikke må fortælle nogen at hun har søgt",  # a secret, no adult
        "I'm planning to study bridge engineering",
        "thinking about becoming a truck driver",
        "we stood on the roof of the school for the graduation photo",
        "jeg gider ikke at leve af SU resten af mit liv",
        "jeg må bo hos min moster hvis jeg hjælper med opvasken",  # a chore, not sex
        "I wish the exam was dead easy",
        "min chef betaler mig for at komme tidligt på arbejde",
        "my boss pays me and keeps the receipts",
    ],
)
def test_combinations_do_not_fire_on_ordinary_sentences(text: str) -> None:
    d = run(text)
    assert not d.urgent, d.reasons


def test_an_accident_is_named_in_the_reasons_so_the_counsellor_sees_why() -> None:
    d = run("we had a knife skills class and I nicked my arm")
    assert any("accident" in r for r in d.reasons), d.reasons


@pytest.mark.parametrize(
    ("text", "about_self"),
    [
        ("my sister is being forced to marry", False),  # nobody named inside: the subject
        ("my friend says there is violence at home", False),
        ("there is violence at home", True),
        ("my family wants me to marry my cousin", True),
        ("min veninde har snitsår på armen", False),
        ("my brother swallowed a whole packet of pills", False),
    ],
)
def test_who_is_in_danger_follows_the_sentence_when_the_words_name_nobody(
    text: str, about_self: bool
) -> None:
    found = analyse(cfg(), text).danger
    assert found and all(f.about_self == about_self for f in found), found


def test_one_warning_sign_alone_is_not_danger() -> None:
    for text in (
        "I gave my guitar to my cousin today",
        "thanks for trying, you were nice to me",
        "har ordnet mine papirer til banken",
    ):
        assert not run(text).urgent, text


def test_one_warning_sign_with_a_factual_question_goes_to_a_counsellor_not_self_help() -> None:
    d = run("I've given away most of my games. When is the deadline for htx?")
    assert (d.urgent, d.level) == (False, "brief"), d.reasons


def test_two_different_warning_signs_in_one_conversation_are_danger_to_the_writer() -> None:
    d = run(
        "you don't need to help me with the application anymore",
        "I gave my PS5 and my guitar to my cousin today",
        "just wanted to say thanks for trying",
    )
    assert d.urgent and (d.level, d.refer_to) == ("face_to_face", "health_social")
    assert any("warning signs" in r for r in d.reasons), d.reasons


def test_hopelessness_counts_as_a_warning_sign() -> None:
    d = run("det er lige meget nu", "har givet mine ting og min cykel til min bror")
    assert d.urgent, d.reasons


def test_warning_signs_about_someone_else_make_it_urgent_but_brief() -> None:
    d = run(
        "Jeg skriver om min søn på 19. I går fandt jeg et reb i hans skab og en seddel. "
        "Han har skrevet et brev til sin lillesøster."
    )
    assert (d.urgent, d.level, d.refer_to) == (True, "brief", None), d.reasons


def test_danger_words_in_school_work_are_its_topic() -> None:
    d = run("I googled the lethal dose of caffeine for a biology project, is biology good?")
    assert not d.urgent, d.reasons


def test_a_word_of_its_own_is_not_read_as_a_typo_of_a_danger_word() -> None:
    assert not analyse(cfg(), "my friend snapped me a pic of her new haircut").danger
    assert analyse(cfg(), "my dad slaped me").danger  # a real typo still counts


def test_a_topic_word_far_before_the_danger_words_does_not_hide_them() -> None:
    text = (
        "hun har skrevet en stil om sin fremtid hvor hun skriver at hun ikke har nogen "
        "fremtid og at hun har lagt en plan for sin sidste dag"
    )
    d = run(text)
    assert d.urgent and d.level == "brief", d.reasons  # she, not the writer
    assert not run("jeg skriver en opgave om selvskade blandt unge").urgent


def test_hiding_and_coping_by_hurting_add_up_to_danger() -> None:
    d = run("skal man have lange ærmer på i idræt?", "jeg gør det bare når alt bliver for meget")
    assert d.urgent, d.reasons


def test_a_friends_goodbye_and_silence_are_danger_to_the_friend() -> None:
    d = run("my friend posted 'thanks for everything, bye' and now she is not answering")
    assert (d.urgent, d.level) == (True, "brief"), d.reasons


def test_danger_words_in_a_story_or_a_job_are_the_topic() -> None:
    for text in (
        "vi læser en novelle hvor hovedpersonen begår selvmord til sidst, hvad kræver htx?",
        "i wanna become a paramedic like the ppl who show up to car crashes and overdoses",
    ):
        assert not run(text).urgent, text


def test_danger_long_over_is_a_past_event_unless_it_is_happening_again() -> None:
    past = run("I overdosed back in 2019, been clean 4 years. smith or plumber?")
    assert not past.urgent, past.reasons
    assert any("past" in r for r in past.reasons), past.reasons
    again = run("jeg skar i mig selv for mange år siden, og nu er jeg begyndt igen")
    assert again.urgent, again.reasons


def test_a_cause_named_after_the_danger_is_its_topic() -> None:
    d = run("I volunteer on a suicide prevention helpline, where is a list of psychology degrees?")
    assert not d.urgent, d.reasons


def test_an_entry_that_says_i_puts_the_writer_in_danger_whoever_else_is_named() -> None:
    d = run("a guy on snap has pics of me and says he'll send them to my school unless i send more")
    assert (d.urgent, d.level, d.refer_to) == (True, "face_to_face", "health_social"), d.reasons


@pytest.mark.parametrize(
    ("text", "about_self"),
    [
        ("min kæreste har voldtaget mig", True),  # "mig" right after the words
        ("he says he knows where I live", True),  # "I" inside the words
        ("min veninde bliver slået af sin kæreste", False),
        ("my sister's boyfriend is pimping her out", False),
        ("han tvang mig til sex", True),
    ],
)
def test_who_is_in_danger_from_someone_else(text: str, about_self: bool) -> None:
    found = analyse(cfg(), text).danger
    assert found and any(f.about_self == about_self for f in found), found
    assert run(text).urgent


def test_a_parent_writing_about_a_son_puts_the_danger_with_the_son() -> None:
    d = run(
        "I wrote to you about my son's apprenticeship. Last night he said he doesn't see the "
        "point in living, and I found searches on his laptop about ways to end it."
    )
    assert (d.urgent, d.level, d.refer_to) == (True, "brief", None), d.reasons


def test_not_expecting_to_be_here_and_giving_things_away_add_up() -> None:
    d = run(
        "is it too late for 10th grade",
        "i dont think ill be here by then",
        "ive started giving my stuff away",
    )
    assert d.urgent, d.reasons


def test_control_at_home_and_a_threat_add_up_to_danger_to_the_writer() -> None:
    d = run(
        "my brothers drive me to school and pick me up and im not allowed my own phone",
        "they said nobody will come looking",
    )
    assert (d.urgent, d.level, d.refer_to) == (True, "face_to_face", "health_social"), d.reasons


def test_the_person_just_before_the_words_can_be_the_one_in_danger() -> None:
    (finding,) = analyse(cfg(), "they booked her a one-way ticket to Iraq").danger
    assert not finding.about_self


def test_a_place_and_a_named_day_add_up_to_danger() -> None:
    d = run("har været ude ved motorvejsbroen tre aftener i træk", "på søndag gør jeg det")
    assert d.urgent, d.reasons


def test_letters_saying_it_is_not_their_fault_and_nothing_mattering_add_up() -> None:
    one = run("hvornår er fristen? ikke at det betyder noget")
    assert not one.urgent, one.reasons
    d = run(
        "when is the deadline? not that it matters",
        "i wrote some notes to my sisters. it's not their fault",
    )
    assert (d.urgent, d.level, d.refer_to) == (True, "face_to_face", "health_social"), d.reasons


def test_control_over_money_and_phone_and_a_threat_add_up() -> None:
    d = run("Min mand bestemmer over mine penge og tjekker min telefon. Jeg er bange for ham.")
    assert d.urgent, d.reasons


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("hun har barberblade gemt i sin skuffe", "self_harm"),
        ("min bror siger han slår mig ihjel for familiens skyld, og han mener det", "violence"),
        ("my uncle says he will kill me, he is not joking", "violence"),
        ("he held a knife to my throat last night", "violence"),
        ("my ex is waiting outside my building every night", "violence"),
        ("I get free weed from them as long as I sleep with their friends", "exploitation"),
        ("min fars venner har fundet en mand til mig", "forced_marriage"),
        ("he says I still owe him for the flat and he keeps my passport", "exploitation"),
        ("took a good few of my pills with a bottle of red wine, rødvin actually", "overdose"),
        ("vil bare sove og ik wake up igen", "suicide"),
    ],
)
def test_more_ways_of_saying_danger(text: str, category: str) -> None:
    found = analyse(cfg(), text)
    assert category in {f.category for f in found.danger}, (found.danger, found.hits)


@pytest.mark.parametrize(
    "text",
    [
        "got kicked out of class an hour ago lol",
        "blev smidt ud af gym i går pga fravær",
        "my dad will kill me if I fail maths lol",
        "I'm on top of the world right now, I got in!",
        "my boss pays me to come to the company parties as a bartender",
        "she found a husband for her sister at the wedding haha",
        "har fået en overdosis af åbent hus denne uge",
    ],
)
def test_new_danger_words_do_not_fire_on_ordinary_sentences(text: str) -> None:
    d = run(text)
    assert not d.urgent, d.reasons


def test_signs_about_a_friend_quoted_in_the_writers_words_add_up() -> None:
    d = run(
        "my friend sent me 'thanks for everything, take care of my cat for me'",
        "and now she's not answering",
    )
    assert (d.urgent, d.level) == (True, "brief"), d.reasons


def test_an_entry_that_names_the_writer_as_object_puts_the_danger_with_the_writer() -> None:
    d = run("min kone ville klare sig bedre uden mig")
    assert (d.urgent, d.level) == (True, "face_to_face"), d.reasons


def test_not_being_here_later_for_no_reason_is_danger_on_its_own() -> None:
    d = run("hvornår er fristen for gym? tror ikke jeg er her til den alligevel")
    assert (d.urgent, d.level) == (True, "face_to_face"), d.reasons
    travel = run("jeg skal på udveksling, så jeg er her ikke til studiestart. kan jeg udsætte?")
    assert not travel.urgent, travel.reasons


def test_suicide_slang_then_saying_it_is_no_joke_is_danger() -> None:
    d = run("failed the test lol kms", "not even joking this time")
    assert (d.urgent, d.level) == (True, "face_to_face"), d.reasons
    joke = run("the wifi died again lol kms")
    assert not joke.urgent, joke.reasons


@pytest.mark.parametrize(
    ("texts", "level"),
    [
        (["har ikke spist i 5 dage og besvimede på cyklen"], "face_to_face"),
        (
            ["I weigh 39 kg and I still feel huge", "blacked out in the shower this morning"],
            "face_to_face",
        ),
        (["er i behandling for bulimi", "besvimede igen i dag"], "brief"),
        (["sitting on the bridge rn", "can't do this anymore"], "face_to_face"),
        (["sidder med alle mine piller foran mig"], "face_to_face"),
        (
            ["min ex står uden for min opgang hver aften og skriver at jeg ikke slipper"],
            "face_to_face",
        ),
        (["my dealer says I can pay it off by being nice to his friends"], "face_to_face"),
        (["my brothers say they will hurt me if I bring shame on the family"], "face_to_face"),
        (["min mormor fandt en tom pilleæske, og hun kan næsten ikke vække ham"], "brief"),
    ],
)
def test_danger_said_in_everyday_words_from_the_third_safety_set(
    texts: list[str], level: str
) -> None:
    d = run(*texts)
    assert (d.urgent, d.level) == (True, level), d.reasons


@pytest.mark.parametrize(
    "text",
    [
        "hvis jeg skal udfylde én formular mere, smider jeg computeren ud fra Knippelsbro haha",
        "en fra klassen besvimede, han havde bare ikke spist morgenmad",
        "he wants to work with bomber planes in the air force",
        "For fem år siden forsøgte jeg at tage mit liv, men jeg har haft det godt lige siden",
    ],
)
def test_alarming_words_from_the_third_safety_set_that_are_not_danger(text: str) -> None:
    d = run(text)
    assert not d.urgent, d.reasons


@pytest.mark.parametrize(
    ("texts", "level"),
    [
        (["right now I do sugar dating to pay rent"], "face_to_face"),
        (["min lillesøster på 13 har en kæreste på 25 som henter hende"], "brief"),
        (["some older boys say they will stab me if I come to school again"], "face_to_face"),
        (["her boyfriend broke her wrist and she keeps going back"], "brief"),
        (
            ["jeg skylder en fyr penge, og nu skal jeg arbejde det af med hans venner"],
            "face_to_face",
        ),
        (["took a whole blister of paracetamol an hour ago"], "face_to_face"),
        (["the owner takes me into the back room and does stuff to me"], "face_to_face"),
        (["they want to take me to Iraq and marry me off this summer"], "face_to_face"),
        (["my friend gave me her airpods and said she won't need them where she's going"], "brief"),
    ],
)
def test_danger_said_in_everyday_words_from_the_fourth_safety_set(
    texts: list[str], level: str
) -> None:
    d = run(*texts)
    assert (d.urgent, d.level) == (True, level), d.reasons


def test_not_afraid_of_is_no_worry() -> None:
    d = run("jeg er ikke bange for konflikter. hvad er optagelseskravene til fængselsbetjent?")
    assert d.level == "self_help", d.reasons
