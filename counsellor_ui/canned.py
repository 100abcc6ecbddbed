"""Canned replies from config/canned_replies.toml, in Danish and English."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any

FILE_NAME = "canned_replies.toml"


@functools.cache
def load(config_dir: Path) -> list[dict[str, Any]]:
    path = config_dir / FILE_NAME
    if not path.exists():
        return []
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return [r for r in data.get("reply", []) if isinstance(r, dict) and r.get("id")]


def for_language(replies: list[dict[str, Any]], language: str) -> list[dict[str, str]]:
    """Each reply's title and text in the language, or in the other one when missing."""
    items = []
    for reply in replies:
        texts = reply.get(language) or reply.get("da") or reply.get("en") or {}
        if texts.get("text"):
            items.append(
                {
                    "id": str(reply["id"]),
                    "title": str(texts.get("title") or reply["id"]),
                    "text": str(texts["text"]),
                }
            )
    return items
