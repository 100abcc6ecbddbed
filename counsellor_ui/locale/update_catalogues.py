"""Re-extracts the interface texts and merges them into the .po catalogues.

    .venv/bin/python counsellor_ui/locale/update_catalogues.py

Runs `pybabel extract` (babel.cfg beside this file), then updates da and en: new
texts are added untranslated, texts no longer used are marked obsolete. Texts in
JavaScript template literals are not found by the extractor; EXTRA lists them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
UI = HERE.parent
EXTRA = ["A conversation needs help now.", "opted out"]


def extract() -> Catalog:
    pot = HERE / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(HERE / "babel.cfg"),
            "-k",
            "_",
            "--no-location",
            "--sort-output",
            "--project",
            "eGuidance",
            "-o",
            str(pot),
            str(UI),
        ],
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        template = read_po(handle)
    for text in EXTRA:
        template.add(text)
    return template


def update(template: Catalog, language: str) -> None:
    path = HERE / language / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
    else:
        catalog = Catalog(locale=language, project="eGuidance")
    catalog.update(template, no_fuzzy_matching=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, sort_output=True, omit_header=False, include_previous=False)


if __name__ == "__main__":
    messages = extract()
    for lang in ("da", "en"):
        update(messages, lang)
