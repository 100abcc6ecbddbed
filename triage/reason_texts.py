"""Every reason sentence the triage writes, in English and Danish: the one table.

The English is what is stored; the Danish is what the Danish inbox shows (rendered by
triage/reasons.py). Change an English text only with care: stored reasons in the old
wording no longer match and are then shown in English.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    en: str
    da: str


# Slots: quote (verbatim), danger/need/barrier (a label of that config file),
# barriers (a ", "-joined list of barrier labels), count (a number word), n (digits),
# level (a level id). Keep the part before the first ": " the same for one English
# rule, so the statistics' Danish rule names stay one per English rule.
TEMPLATES: dict[str, Template] = {
    "danger_self": Template("Mentions {danger}: '{quote}'", "Nævner {danger}: '{quote}'"),
    "danger_other": Template(
        "Mentions {danger} concerning someone else: '{quote}'",
        "Nævner {danger} hos en anden person: '{quote}'",
    ),
    "slang_joked": Template(
        "Suicide slang read as a joke about something trivial: '{quote}'",
        "Selvmordsslang læst som en spøg om noget ubetydeligt: '{quote}'",
    ),
    "hopeless": Template("Sounds hopeless: '{quote}'", "Lyder håbløs: '{quote}'"),
    "slang_meant": Template(
        "Suicide slang, then says it is no joke: treated as danger",
        "Selvmordsslang, og så at det ikke er for sjov: behandles som fare",
    ),
    "slang_hopeless": Template(
        "Suicide slang together with hopelessness is always treated as danger",
        "Selvmordsslang sammen med håbløshed behandles altid som fare",
    ),
    "figure_of_speech": Template(
        "Figure of speech, not danger: '{quote}'", "Talemåde, ikke fare: '{quote}'"
    ),
    "danger_topic": Template(
        "Danger words describe a job or topic, not the writer: '{quote}'",
        "Fareordene handler om et job eller et emne, ikke om personen selv: '{quote}'",
    ),
    "danger_accident": Template(
        "Words of hurt describe an accident, not self-harm: '{quote}'",
        "Ordene om skade beskriver et uheld, ikke selvskade: '{quote}'",
    ),
    "danger_past": Template(
        "Danger words describe a past that is over, not now: '{quote}'",
        "Fareordene beskriver noget overstået, ikke nu: '{quote}'",
    ),
    "warning_sign": Template("Warning sign: {sign}: '{quote}'", "Advarselstegn: {sign}: '{quote}'"),
    "warning_sign_unexplained": Template(
        "Nothing such as travel or a move explains it, so it is treated as danger",
        "Intet som en rejse eller en flytning forklarer det, så det behandles som fare",
    ),
    "warning_signs_many": Template(
        "{count} different warning signs together are treated as danger",
        "{count} forskellige advarselstegn tilsammen behandles som fare",
    ),
    "in_care": Template(
        "Mentions care or treatment: '{quote}'", "Nævner behandling eller støtte: '{quote}'"
    ),
    "not_in_care": Template(
        "Says they are not in care: '{quote}'",
        "Siger, at vedkommende ikke er i behandling: '{quote}'",
    ),
    "need": Template("{need}: '{quote}'", "{need}: '{quote}'"),
    "barrier": Template(
        "Names a barrier, {barrier}: '{quote}'", "Nævner en barriere, {barrier}: '{quote}'"
    ),
    "repeat_progress": Template(
        "{n} earlier contacts in 30 days, but there has been progress",
        "{n} tidligere henvendelser inden for 30 dage, men der er sket fremskridt",
    ),
    "repeat_no_progress": Template(
        "{n} earlier contacts in 30 days on the same matter without progress",
        "{n} tidligere henvendelser inden for 30 dage om samme sag uden fremskridt",
    ),
    "repeat_new": Template(
        "{n} earlier contacts in 30 days, apparently about something new",
        "{n} tidligere henvendelser inden for 30 dage, tilsyneladende om noget nyt",
    ),
    "barriers_one": Template("One barrier: {barriers}", "Én barriere: {barriers}"),
    "barriers_many": Template("{count} barriers: {barriers}", "{count} barrierer: {barriers}"),
    "asked_in_person": Template("Asked to meet in person", "Har bedt om et personligt møde"),
    "local_service": Template(
        "Needs a decision or service only a local office can give",
        "Har brug for en afgørelse eller ydelse, som kun et lokalt kontor kan give",
    ),
    "complexity": Template(
        "Several barriers together: high complexity",
        "Flere barrierer på én gang: høj kompleksitet",
    ),
    "complexity_stuck": Template(
        "Several barriers together and is stuck: high complexity",
        "Flere barrierer på én gang og gået i stå: høj kompleksitet",
    ),
    "anxiety": Template(
        "Strong anxiety about choosing: low readiness", "Stærk angst for at vælge: lav parathed"
    ),
    "social_need": Template(
        "Money or housing trouble presses an adult: more than guidance alone can meet",
        "Økonomi- eller boligproblemer presser en voksen: mere end vejledning alene kan klare",
    ),
    "deeply_stuck": Template(
        "Deeply stuck, nothing has helped: low readiness",
        "Helt gået i stå, intet har hjulpet: lav parathed",
    ),
    "repeated": Template(
        "Repeated contacts without progress: low readiness",
        "Gentagne henvendelser uden fremskridt: lav parathed",
    ),
    "health_need": Template(
        "Mental health stops daily life and is not treated: health/social care",
        "Psykiske problemer sætter hverdagen i stå og behandles ikke: sundheds- og socialområdet",
    ),
    "factual": Template("Factual question, no barrier", "Faktuelt spørgsmål, ingen barriere"),
    "urgent_self": Template(
        "In danger themselves and not in care: face-to-face with health/social services",
        "Er selv i fare og ikke i behandling: personlig vejledning via sundheds- og socialområdet",
    ),
    "urgent_in_care": Template(
        "Already in care for it: brief, with crisis contacts",
        "Er allerede i behandling for det: kort vejledning med krisekontakter",
    ),
    "urgent_other": Template(
        "The danger concerns someone else: brief at once",
        "Faren gælder en anden person: kort vejledning med det samme",
    ),
    "level_kept": Template(
        "Level kept at {level} from earlier in the conversation",
        "Niveauet fastholdes på {level} fra tidligere i samtalen",
    ),
    "referral_health": Template(
        "Referral: the need lies mainly in health or social care",
        "Henvisning: behovet ligger primært på sundheds- eller socialområdet",
    ),
    "referral_final_year": Template(
        "Referral: finishing a youth education, aiming at higher education",
        "Henvisning: afslutter en ungdomsuddannelse og sigter mod en videregående uddannelse",
    ),
    "referral_higher": Template(
        "Referral: moving into or within higher education",
        "Henvisning: på vej ind i eller videre i en videregående uddannelse",
    ),
    "referral_no_youth_education": Template(
        "Referral: under 25 without a completed youth education",
        "Henvisning: under 25 år uden en gennemført ungdomsuddannelse",
    ),
    "referral_out_of_work": Template(
        "Referral: adult out of work", "Henvisning: voksen uden arbejde"
    ),
    "referral_debt_housing": Template(
        "Referral: adult in work whose need is debt or housing",
        "Henvisning: voksen i arbejde, hvis behov handler om gæld eller bolig",
    ),
    "referral_left_programme": Template(
        "Left a programme that is not a youth education: study guidance",
        "Har forladt en uddannelse, der ikke er en ungdomsuddannelse: studievalg",
    ),
    "referral_young": Template(
        "Referral: under 25 (youth guidance by default)",
        "Henvisning: under 25 år (Ungdommens Uddannelsesvejledning som udgangspunkt)",
    ),
    "referral_age_unknown": Template(
        "Referral: age unknown (default)", "Henvisning: alder ukendt (standard)"
    ),
    "referral_adult": Template("Referral: adult (default)", "Henvisning: voksen (standard)"),
    "answered_choice": Template(
        "Answered that they want help to choose",
        "Svarede, at vedkommende gerne vil have hjælp til at vælge",
    ),
    "answered_person": Template(
        "Answered that they want to talk to a counsellor",
        "Svarede, at vedkommende gerne vil tale med en vejleder",
    ),
    "answered_unsure": Template(
        "Answered that they are unsure", "Svarede, at vedkommende er i tvivl"
    ),
    "unclear": Template(
        "Need not clear yet: asking a short question (brief is the default meanwhile)",
        "Behovet er endnu uklart: stiller et kort spørgsmål "
        "(kort vejledning er standard indtil da)",
    ),
    "unclear_after_questions": Template(
        "Need still unclear after the questions: brief is the default",
        "Behovet er stadig uklart efter spørgsmålene: kort vejledning er standard",
    ),
    # A counsellor's override (triage/override.py and the service's triage step).
    "urgent_lowered": Template(
        "A counsellor lowered the urgent flag; only new signs of danger raise it again",
        "En vejleder har fjernet hastemarkeringen; kun nye tegn på fare gør samtalen akut igen",
    ),
    "override_kept": Template(
        "The counsellor's override of level or referral stands",
        "Vejlederens ændring af niveau eller henvisning står ved magt",
    ),
    "override_released": Template(
        "New signs of danger after the counsellor's override: the rules decide again",
        "Nye tegn på fare efter vejlederens ændring: reglerne afgør igen",
    ),
    # Written by the phone channel (channels/twilio/call_events.py), not by the engine;
    # here so that the Danish inbox reads them in Danish too.
    "phone_urgent": Template(
        "Caller chose 'I need to talk to someone now' in the phone menu",
        "Opkalderen valgte 'Jeg har brug for at tale med nogen nu' i telefonmenuen",
    ),
    "phone_waiting": Template(
        "Caller is waiting in the phone queue", "Opkalderen venter i telefonkøen"
    ),
    "phone_callback": Template(
        "Caller asked to be called back", "Opkalderen har bedt om at blive ringet op"
    ),
    "phone_voicemail": Template(
        "Caller left a voicemail", "Opkalderen har indtalt en telefonbesked"
    ),
    # Written by the server when the bot's message fails for good (server/centre_bot_failure.py);
    # the quote is the channel's error, verbatim.
    "bot_unreachable": Template(
        "The bot could not reach the person, so a counsellor must answer: '{quote}'",
        "Botten kunne ikke nå personen, så en vejleder skal svare: '{quote}'",
    ),
}

COUNT_WORDS = {
    "en": {1: "One", 2: "Two", 3: "Three", 4: "Four", 5: "Five"},
    "da": {1: "Én", 2: "To", 3: "Tre", 4: "Fire", 5: "Fem"},
}
LEVEL_NAMES = {
    "en": {"self_help": "self_help", "brief": "brief", "face_to_face": "face_to_face"},
    "da": {
        "self_help": "selvhjælp",
        "brief": "kort vejledning",
        "face_to_face": "personlig vejledning",
    },
}
