"""Phone numbers as one spelling (E.164), so a person who texts and phones is one address."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "DK"


def normalise_number(raw: str, region: str = DEFAULT_REGION) -> str:
    """E.164 for a dialable number ("+4512345678"); anything else as it came.

    Short codes ("1220") and alphanumeric senders ("Netto") are not phone numbers a
    person can be called back on; they are kept verbatim (stripped), so replies and
    dedupe still work on what the provider sent.
    """
    text = raw.strip()
    digits = text.lstrip("+").replace(" ", "").replace("-", "")
    if not digits.isdigit() or len(digits) < 8:
        return text
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_possible_number(number):
        return text
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
