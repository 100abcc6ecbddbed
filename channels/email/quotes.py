"""The new text of a reply: quoted history and signatures cut off.

mail-parser-reply finds where the quoted history starts (Danish and English
"Den … skrev:", "On … wrote:", Outlook's "Fra:/Sendt:" block, "Original Message").
Its own signature rules are not used: its Danish list cuts at any line starting
with "Tak" or "Hilsen", which would drop what people actually wrote. Signatures are
cut here by rules that only match at the end of the text.
"""

from __future__ import annotations

import re

from mailparser_reply import EmailReplyParser

_parser = EmailReplyParser(languages=["da", "en"])
SIGNATURE_DELIMITER = re.compile(r"^-- ?$")
MOBILE_FOOTER = re.compile(
    r"^(sendt fra min|sendt fra|sent from my|sent from|hent outlook til|get outlook for)\b",
    re.IGNORECASE,
)
VALEDICTION = re.compile(
    r"^(med venlig hilsen|venlig hilsen|de bedste hilsner|bedste hilsner|mvh\.?|vh\.?|"
    r"kh\.?|hilsen|kind regards|best regards|regards|best wishes|cheers|thanks,?|"
    r"thank you,?)[,.!]?$",
    re.IGNORECASE,
)
# Outlook's line between the reply and the "Fra:/From:" block of the quoted mail.
OUTLOOK_SEPARATOR = re.compile(r"^\s*_{10,}\s*$")
# "On … wrote:" / "Den … skrev:", which clients wrap over up to three lines when the
# sender's name and address are long ("skrev Vejledning <" / "vejledning@…>:").
ATTRIBUTION_WORDS = ("wrote", "skrev")
MAX_ATTRIBUTION_LINES = 3
WRAPPED_ATTRIBUTION = re.compile(r"^(on|den|d\.)\s.*\d.*\b(wrote|skrev)\b.*:$", re.IGNORECASE)
# A closing greeting is a signature only when little follows it: a name, a phone number.
MAX_SIGNOFF_LINES = 4
MAX_SIGNOFF_LINE_CHARS = 60


def latest_reply(text: str) -> str:
    """The part of an e-mail body the person wrote now."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        message = _parser.read(normalised)
        reply = message.replies[0] if message.replies else None
        # The first reply's content still has no header (it comes before the first one).
        top = reply.content if reply is not None else normalised
    except Exception:  # the library's regexes on odd input: keep everything rather than fail
        top = normalised
    lines = _drop_quoted_lines(top.split("\n"))
    lines = _drop_trailing_separator(lines)
    lines = _cut_signature(lines)
    return "\n".join(lines).strip()


def _drop_quoted_lines(lines: list[str]) -> list[str]:
    """Lines quoted with '>' at the end of the text (bottom-posted history) go."""
    kept = list(lines)
    while kept and (kept[-1].lstrip().startswith(">") or not kept[-1].strip()):
        kept.pop()
    if len(kept) < len(lines):
        kept = _drop_attribution(kept)
    # Interleaved quotes ("> question", then the answer) stay: the answer needs them.
    return kept


def _drop_attribution(lines: list[str]) -> list[str]:
    """The attribution ("… wrote:") left directly above removed quotes, whole even
    when the client wrapped it over several lines."""
    if not lines or not lines[-1].rstrip().endswith(":"):
        return lines
    if any(word in lines[-1].lower() for word in ATTRIBUTION_WORDS):
        return lines[:-1]
    # Wrapped: only a clear "On/Den <date> … wrote/skrev …:", so that a person's own
    # "I wrote to them.\nThey said:" above a quote stays.
    for start in range(len(lines) - 2, max(len(lines) - MAX_ATTRIBUTION_LINES, 0) - 1, -1):
        if not lines[start].strip():
            break  # an attribution has no blank line inside it
        if WRAPPED_ATTRIBUTION.match(" ".join(x.strip() for x in lines[start:])):
            return lines[:start]
    return lines


def _drop_trailing_separator(lines: list[str]) -> list[str]:
    """Outlook's underscore line, left behind when the quoted block below it is cut."""
    kept = list(lines)
    while kept and (OUTLOOK_SEPARATOR.match(kept[-1]) or not kept[-1].strip()):
        kept.pop()
    return kept


def _cut_signature(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if SIGNATURE_DELIMITER.match(line.rstrip("\n")) and index > 0:
            return lines[:index]
    for index, line in enumerate(lines):
        if index > 0 and MOBILE_FOOTER.match(line.strip()):
            rest = [x for x in lines[index + 1 :] if x.strip()]
            if len(rest) <= 1:
                return lines[:index]
    for index in range(len(lines) - 1, 0, -1):
        if VALEDICTION.match(lines[index].strip()):
            rest = [x for x in lines[index + 1 :] if x.strip()]
            if len(rest) <= MAX_SIGNOFF_LINES and all(
                len(x.strip()) <= MAX_SIGNOFF_LINE_CHARS for x in rest
            ):
                return lines[:index]
            break
    return lines
