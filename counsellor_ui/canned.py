"""Canned replies from config/canned_replies.toml, in Danish and English.

The inbox offers them in the conversation's language, whatever the interface's
(counsellor_ui/static/canned.js), and lets the counsellor see the other one."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any

FILE_NAME = "canned_replies.toml"
LANGUAGES = ("da", "en")


@functools.cache
def load(config_dir: Path) -> list[dict[str, Any]]:
    path = config_dir / FILE_NAME
    if not path.exists():
        return []
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return [r for r in data.get("reply", []) if isinstance(r, dict) and r.get("id")]


def for_language(replies: list[dict[str, Any]], language: str) -> list[dict[str, str]]:
    """Each reply's title and text in the language, or in the other one when missing
    (its `language` then says which)."""
    items = []
    for reply in replies:
        found = next((lang for lang in (language, "da", "en") if reply.get(lang)), None)
        texts = reply[found] if found else {}
        if texts.get("text"):
            items.append(
                {
                    "id": str(reply["id"]),
                    "title": str(texts.get("title") or reply["id"]),
                    "text": str(texts["text"]),
                    "language": str(found),
                }
            )
    return items
