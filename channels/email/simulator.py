"""The e-mail simulator (sandbox mode only): POST /simulator/api/email {from, subject,
text, in_reply_to?} builds a real EmailMessage and delivers it through the same inbound
path as the SMTP listener; the answers land in the sandbox mailbox (GET
/simulator/email.json). The page at GET /simulator/email drives both.

Like the SMS simulator, the POST must carry the process's shared simulator token in
X-Simulator-Token (the page carries it; GET /simulator/email/token gives it to
same-origin scripts; another site can neither read it nor make a browser send the
header).
"""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from aiohttp import web

from channels.email import simulator_page
from channels.email.inbound import deliver
from channels.email.parsing import MAX_TEXT_CHARS, normalise_address
from channels.email.reply_token import split_plus
from server import keys
from server.errors import Invalid
from server.models import utcnow
from server.page_token import TOKEN_HEADER
from server.web_helpers import error_response, json_body

log = logging.getLogger(__name__)
MAX_SUBJECT_CHARS = 500


def _text(data: dict[str, object], name: str, limit: int, required: bool) -> str:
    value = data.get(name, "")
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        raise Invalid(f"{name} must be a text of {int(required)} to {limit} characters")
    return value


def build_mail(data: dict[str, object], service: str) -> EmailMessage:
    """The mail a person's client would send, from the simulator's form."""
    address, name = normalise_address(_text(data, "from", 320, True))
    if not address:
        raise Invalid("from must be an e-mail address")
    to = _text(data, "to", 320, False).strip().lower() or service
    if split_plus(to)[0] != service.lower():
        raise Invalid(f"to must be {service} or one of its plus-addresses")
    mail = EmailMessage()
    mail["From"] = formataddr((name or "", address))
    mail["To"] = to
    mail["Subject"] = " ".join(_text(data, "subject", MAX_SUBJECT_CHARS, False).split())
    mail["Date"] = format_datetime(utcnow())
    mail["Message-ID"] = make_msgid(domain="simulator.invalid")
    in_reply_to = _text(data, "in_reply_to", 998, False).strip()
    if in_reply_to:
        reference = f"<{in_reply_to.strip('<>')}>"
        mail["In-Reply-To"] = reference
        mail["References"] = reference
    mail.set_content(_text(data, "text", MAX_TEXT_CHARS, True), charset="utf-8")
    return mail


async def simulator_token(request: web.Request) -> web.Response:
    response = web.json_response({"token": request.app[keys.simulator_token].value})
    response.headers["Cache-Control"] = "no-store"
    return response


async def simulator_send(request: web.Request) -> web.Response:
    if not request.app[keys.simulator_token].accepts(request):
        log.warning("e-mail simulator request without the page's token refused")
        return error_response(403, "simulator_token", f"missing or wrong {TOKEN_HEADER}")
    data = await json_body(request, "from", "text")
    service = request.app[keys.settings].email.address
    mail = build_mail(data, service)
    recipient = str(mail["To"])
    try:
        result = await deliver(
            request.app[keys.centre],
            request.app[keys.signer].secret_key,
            mail.as_bytes(),
            mail["From"].addresses[0].addr_spec,
            [recipient],
            max_attachment_bytes=request.app[keys.settings].email.max_attachment_bytes,
        )
    except Exception:
        log.exception("storing a simulated mail failed")
        return error_response(503, "try_again", "could not store the message now, try again")
    if result.code != 250:
        return error_response(400, "refused", result.reply)
    message_id = str(mail["Message-ID"]).strip("<>")
    return web.json_response({"message_id": message_id, "smtp": result.reply}, status=201)


def add_routes(app: web.Application) -> None:
    simulator_page.add_routes(app)
    app.router.add_get("/simulator/email/token", simulator_token)
    app.router.add_post("/simulator/api/email", simulator_send)
