"""What the phone line says, in Danish and English."""

from __future__ import annotations

SAY_LANGUAGE = {"da": "da-DK", "en": "en-GB"}

TEXTS: dict[str, dict[str, str]] = {
    "da": {
        "open": "Åbningstider: {hours}.",
        "menu": "Tryk 1 for valg af uddannelse. Tryk 2 for job og karriere. "
        "Tryk 3 hvis du har brug for at tale med nogen nu.",
        "invalid": "Det valg findes ikke.",
        "queued": "Du bliver stillet i kø til en vejleder.",
        "urgent": "Vi sætter dig forrest i køen. Er du i fare, så ring 1 1 2. "
        "Du kan også ringe til Livslinien på {crisis}.",
        "closed": "Vi har lukket lige nu. Vores åbningstider er: {hours}. "
        "Har du brug for hjælp nu, så ring til {crisis}, eller 1 1 2 ved fare. "
        "Indtal en besked efter tonen, så vender en vejleder tilbage.",
        "position": "Du er nummer {position} i køen.",
        "wait_choice": "Tryk 1 for at indtale en besked i stedet. "
        "Tryk 2 hvis du vil ringes op, når der er en ledig vejleder.",
        "record": "Indtal din besked efter tonen. Tryk firkant, når du er færdig.",
        "callback": "Tak. En vejleder ringer dig op på det nummer, du ringer fra. Farvel.",
        "thanks": "Tak for din besked. En vejleder vender tilbage. Farvel.",
        "leave_choice": "Tryk 1 for at indtale en besked, eller 2 for at blive ringet op.",
        "connecting": "Du stilles nu om til en vejleder.",
        "bridge": "Hej, det er {service}, der ringer dig op. Vent et øjeblik, "
        "så stiller vi dig om til en vejleder.",
        "not_reached": "Vejlederen kunne ikke tage telefonen.",
        "retry_later": "Vi ringer igen senere. Farvel.",
    },
    "en": {
        "open": "Opening hours: {hours}.",
        "menu": "Press 1 for choosing an education. Press 2 for jobs and careers. "
        "Press 3 if you need to talk to someone now.",
        "invalid": "That is not one of the choices.",
        "queued": "You are being put in the queue for a counsellor.",
        "urgent": "We are putting you first in the queue. If you are in danger, call 1 1 2. "
        "You can also call the helpline on {crisis}.",
        "closed": "We are closed right now. Our opening hours are: {hours}. "
        "If you need help now, call {crisis}, or 1 1 2 in an emergency. "
        "Leave a message after the tone and a counsellor will get back to you.",
        "position": "You are number {position} in the queue.",
        "wait_choice": "Press 1 to leave a message instead. "
        "Press 2 to be called back when a counsellor is free.",
        "record": "Leave your message after the tone. Press the hash key when you are done.",
        "callback": "Thank you. A counsellor will call you back on the number you are calling "
        "from. Goodbye.",
        "thanks": "Thank you for your message. A counsellor will get back to you. Goodbye.",
        "leave_choice": "Press 1 to leave a message, or 2 to be called back.",
        "connecting": "You are being put through to a counsellor now.",
        "bridge": "Hello, this is {service} calling you back. Please hold while we put "
        "you through to a counsellor.",
        "not_reached": "The counsellor could not take the call.",
        "retry_later": "We will call you again later. Goodbye.",
    },
}

GREETING = (
    "Velkommen til {service}. Tryk 1 for dansk.",
    "Welcome to {service}. For English, press 2.",
)
TOPICS = {"1": "education", "2": "job_career", "3": "urgent"}
TOPIC_TEXT = {"education": "uddannelse", "job_career": "job og karriere", "urgent": "akut"}
# Stored in the conversation so the counsellor reads what the caller chose.
EVENT_TEXT = {
    "urgent": 'Opkald: valgte 3 i telefonmenuen - "Jeg har brug for at tale med nogen nu".',
    # These events queue the caller through InboundMessage.queue_reason, not words.
    "queued": "Opkald: venter i telefonkøen ({topic}).",
    "callback": "Opkald: beder om at blive ringet op (valgt i telefonkøen).",
    "voicemail": "Talebesked ({seconds} s) - udskrift følger.",
    "answered": "Opkald besvaret af en vejleder efter {seconds} s i kø.",
    "abandoned": "Opkald afbrudt af den der ringede efter {seconds} s i kø.",
    "missed": "Ubesvaret opkald ({status}).",
    "completed": "Opkald afsluttet, varighed {seconds} s.",
    "outbound_completed": "Opringning besvaret, varighed {seconds} s.",
    "outbound_missed": "Opringning ikke besvaret ({status}).",
    "connecting": "Opkaldet tages ud af køen og stilles om til {counsellor} ({to}).",
    "calling": "Ringer op til {number} for {counsellor} ({to}).",
    "counsellor_completed": "Samtale med {counsellor}, varighed {seconds} s.",
    "counsellor_missed": "{counsellor} tog ikke telefonen ({status}).",
    "requeued": "Opkaldet er sat tilbage i telefonkøen.",
    "chose_voicemail": "Opkald: forlader telefonkøen for at indtale en besked.",
    "chose_callback": "Opkald: forlader telefonkøen for at blive ringet op.",
}
