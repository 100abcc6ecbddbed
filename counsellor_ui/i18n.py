"""Interface texts in English and Danish from the gettext catalogues in locale/.

Only the .po files are kept in the repository; they are compiled into memory at
first use (babel), so there is no binary .mo to keep in step.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from babel.messages import mofile, pofile
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"
DOMAIN = "messages"


def pick_language(value: str | None) -> str:
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def _po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(language: str) -> Translations:
    """The compiled catalogue; a committed .mo is used when it is there."""
    mo_path = _po_path(language).with_suffix(".mo")
    if mo_path.exists():
        with mo_path.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)
    po_path = _po_path(language)
    if not po_path.exists():
        return Translations()
    with po_path.open("rb") as handle:
        catalog = pofile.read_po(handle, locale=language)
    buffer = io.BytesIO()
    mofile.write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@functools.cache
def js_catalogue(language: str) -> dict[str, str]:
    """msgid → translation, for the browser (only the translated entries)."""
    po_path = _po_path(language)
    if not po_path.exists():
        return {}
    with po_path.open("rb") as handle:
        catalog = pofile.read_po(handle, locale=language)
    return {
        str(message.id): str(message.string)
        for message in catalog
        if message.id and isinstance(message.id, str) and message.string and not message.fuzzy
    }


def gettext(language: str, text: str) -> str:
    return translations(pick_language(language)).gettext(text)
