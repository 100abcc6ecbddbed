"""Self-help articles: Markdown files with front matter, and matching a message to one."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    language: str
    tags: tuple[str, ...]  # word-list entries (same syntax as config/triage/*.toml)
    link: str
    body: str

    @property
    def summary(self) -> str:
        """The first paragraph of the body, used as the bot's answer."""
        paragraphs = [p.strip() for p in self.body.split("\n\n") if p.strip()]
        text = next((p for p in paragraphs if not p.startswith("#")), "")
        return " ".join(line.strip() for line in text.splitlines())


def _simple_front_matter(text: str) -> dict[str, object]:
    data: dict[str, object] = {}
    for line in text.splitlines():
        if ":" not in line or line.lstrip().startswith("#"):
            continue
        key, value = (part.strip() for part in line.split(":", 1))
        if value.startswith("[") and value.endswith("]"):
            data[key] = [v.strip().strip("\"'") for v in value[1:-1].split(",") if v.strip()]
        else:
            data[key] = value.strip("\"'")
    return data


def parse_article(path: Path) -> Article:
    """Read `+++` (TOML) or `---` (simple `key: value`) front matter, then the Markdown body."""
    text = path.read_text(encoding="utf-8")
    fence = text[:3]
    if fence not in ("+++", "---"):
        raise ValueError(f"{path}: article must start with +++ or --- front matter")
    head, _, body = text[3:].partition(f"\n{fence}")
    data = tomllib.loads(head) if fence == "+++" else _simple_front_matter(head)
    tags = data.get("tags", [])
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",") if t.strip()]
    return Article(
        id=str(data.get("id", path.stem)),
        title=str(data["title"]),
        language=str(data["language"]),
        tags=tuple(str(t) for t in tags),  # type: ignore[union-attr]
        link=str(data.get("link", "")),
        body=body.strip(),
    )


def load_articles(directory: Path) -> list[Article]:
    if not directory.is_dir():
        return []
    return [parse_article(p) for p in sorted(directory.glob("*.md")) if p.name != "README.md"]
