"""GET /simulator/email: a mail program in the browser for sandbox mode.

A person writes to the service (or answers one of its mails) and sees the service's
mails to their address from the sandbox mailbox, polled by static/simulator.js. The
page holds the shared simulator token in a <meta> element: the CSP forbids inline
scripts, and the script echoes it in X-Simulator-Token.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from aiohttp import web

from server import keys

STATIC = Path(__file__).resolve().parent / "static"
PAGE_TEMPLATES: web.AppKey[jinja2.Environment] = web.AppKey(
    "email_simulator_templates", jinja2.Environment
)
DEFAULT_SENDER = "Line Nørgaard <line@example.dk>"
LABELS = {
    "da": {
        "title": "E-mail-simulator",
        "intro": "Sandkassetilstand: ingen mail forlader serveren.",
        "other_language": "English",
        "from": "Din e-mailadresse",
        "to": "Til",
        "subject": "Emne",
        "text": "Din mail",
        "send": "Send mail",
        "replying": "Svar på",
        "new_mail": "Skriv en ny mail i stedet",
        "mailbox": "Mail til og fra tjenesten",
        "empty": "Ingen mails endnu.",
        "reply": "Svar",
        "you": "Dig",
        "service": "Tjenesten",
        "sent": "Sendt",
    },
    "en": {
        "title": "E-mail simulator",
        "intro": "Sandbox mode: no mail leaves the server.",
        "other_language": "Dansk",
        "from": "Your e-mail address",
        "to": "To",
        "subject": "Subject",
        "text": "Your mail",
        "send": "Send mail",
        "replying": "Replying to",
        "new_mail": "Write a new mail instead",
        "mailbox": "Mail to and from the service",
        "empty": "No mail yet.",
        "reply": "Reply",
        "you": "You",
        "service": "The service",
        "sent": "Sent",
    },
}


async def simulator_page(request: web.Request) -> web.Response:
    language = request.query.get("language", "da")
    language = language if language in LABELS else "da"
    html = (
        request.app[PAGE_TEMPLATES]
        .get_template("simulator.html")
        .render(
            language=language,
            other_language="en" if language == "da" else "da",
            labels=LABELS[language],
            token=request.app[keys.simulator_token].value,
            service=request.app[keys.settings].email.address,
            sender=DEFAULT_SENDER,
        )
    )
    response = web.Response(text=html, content_type="text/html")
    # The page carries the token: no cache keeps it.
    response.headers["Cache-Control"] = "no-store"
    return response


def add_routes(app: web.Application) -> None:
    app[PAGE_TEMPLATES] = jinja2.Environment(
        loader=jinja2.PackageLoader("channels.email"), autoescape=True
    )
    app.router.add_get("/simulator/email", simulator_page)
    app.router.add_static("/static/email/", STATIC)
