"""Writing reasons from the table in triage/reason_texts.py, and reading them back.

The English text is what is stored (assessments, triage state, eval output, the
per-rule statistics), so old rows stay valid. `render_reason` turns a stored English
reason into another language by matching it against the same table: each {slot} in a
template becomes a regex group, label slots are mapped to the config's `label_da`,
quotes are kept verbatim. Text that matches no template (older wording, a
counsellor's own words) comes back unchanged. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from triage.config import TriageConfig
from triage.reason_texts import COUNT_WORDS, LEVEL_NAMES, TEMPLATES

LANGUAGES = ("en", "da")

LABEL_SLOTS = ("danger", "need", "barrier", "sign")
SLOT = re.compile(r"\{(\w+)\}")

SlotValue = str | int | Sequence[str]


def reason(key: str, **slots: SlotValue) -> str:
    """The stored (English) text of one reason; label slots take the English label."""
    return _fill(TEMPLATES[key].en, "en", slots)


def _fill(template: str, language: str, slots: dict[str, SlotValue]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        raw = slots[name]
        if name == "barriers":
            return ", ".join([str(raw)] if isinstance(raw, str | int) else list(raw))
        if name == "count":
            number = int(str(raw))
            return COUNT_WORDS[language].get(number, str(number))
        if name == "level":
            return LEVEL_NAMES[language].get(str(raw), str(raw))
        return str(raw)

    return SLOT.sub(value, template)


def label_pairs(cfg: TriageConfig) -> dict[str, dict[str, str]]:
    """Per label slot: English label → Danish label (English when none is written)."""
    sections = {
        "danger": cfg.danger,
        "need": cfg.needs,
        "barrier": cfg.barriers,
        "sign": cfg.warning_signs,
    }
    return {
        slot: {info.label: info.label_da or info.label for info in section.values()}
        for slot, section in sections.items()
    }


def _alternation(labels: Sequence[str]) -> str:
    if not labels:
        return "(?!)"
    # Longest first, so a label that is the start of another cannot win too early.
    return "|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True))


class ReasonRenderer:
    """The template table compiled against one config's labels."""

    def __init__(self, cfg: TriageConfig) -> None:
        self.labels = label_pairs(cfg)
        self.words = {slot: _alternation(list(pairs)) for slot, pairs in self.labels.items()}
        self.words["barriers"] = f"(?:{self.words['barrier']})(?:, (?:{self.words['barrier']}))*"
        self.words["count"] = "|".join([*COUNT_WORDS["en"].values(), r"\d+"])
        self.words["n"] = r"\d+"
        self.words["level"] = r"\w+"
        self.words["quote"] = r".*"
        self.patterns = [(key, self._pattern(t.en)) for key, t in TEMPLATES.items()]
        # The statistics' rules: the part of a reason before its first ": ".
        self.rule_patterns = [(key, self._pattern(rule_part(t.en))) for key, t in TEMPLATES.items()]

    def _pattern(self, template: str) -> re.Pattern[str]:
        parts: list[str] = []
        last = 0
        for match in SLOT.finditer(template):
            parts.append(re.escape(template[last : match.start()]))
            name = match.group(1)
            parts.append(f"(?P<{name}>{self.words[name]})")
            last = match.end()
        parts.append(re.escape(template[last:]))
        return re.compile("".join(parts), re.DOTALL)

    def parse(self, text: str) -> tuple[str, dict[str, str]] | None:
        """The template key and slot values of a stored reason, or None."""
        for key, pattern in self.patterns:
            match = pattern.fullmatch(text)
            if match:
                return key, match.groupdict()
        return None

    def render(self, text: str, language: str) -> str:
        if language == "en" or language not in LANGUAGES:
            return text
        parsed = self.parse(text)
        if parsed is None:
            return text
        key, found = parsed
        return _fill(getattr(TEMPLATES[key], language), language, self._slots(found))

    def render_rule(self, rule: str, language: str) -> str:
        """A rule (a reason up to its first ": ") in `language`; unknown ones unchanged."""
        if language == "en" or language not in LANGUAGES:
            return rule
        for key, pattern in self.rule_patterns:
            match = pattern.fullmatch(rule)
            if match:
                template = rule_part(getattr(TEMPLATES[key], language))
                return _fill(template, language, self._slots(match.groupdict()))
        return rule

    def _slots(self, found: dict[str, str]) -> dict[str, SlotValue]:
        slots: dict[str, SlotValue] = {}
        for name, raw in found.items():
            if name in LABEL_SLOTS:
                slots[name] = self.labels[name].get(raw, raw)
            elif name == "barriers":
                slots[name] = [self.labels["barrier"].get(b, b) for b in self._split(raw)]
            elif name == "count":
                slots[name] = _count(raw)
            else:
                slots[name] = raw
        return slots

    def _split(self, joined: str) -> list[str]:
        # Labels may hold ", " themselves; take whole labels from the left instead.
        one = re.compile(f"({self.words['barrier']})(?:, |$)")
        names, at = [], 0
        while at < len(joined):
            match = one.match(joined, at)
            if match is None:
                return [joined]
            names.append(match.group(1))
            at = match.end()
        return names


def rule_part(text: str) -> str:
    return text.split(": ", 1)[0]


def _count(word: str) -> int:
    for number, name in COUNT_WORDS["en"].items():
        if name == word:
            return number
    return int(word)


_last: tuple[TriageConfig, ReasonRenderer] | None = None


def renderer(cfg: TriageConfig) -> ReasonRenderer:
    """The renderer for `cfg`, compiled once (the app holds one config)."""
    global _last
    if _last is None or _last[0] is not cfg:
        _last = (cfg, ReasonRenderer(cfg))
    return _last[1]


def render_reason(text: str, language: str, cfg: TriageConfig) -> str:
    """A stored (English) reason in `language`; unknown text comes back unchanged."""
    return renderer(cfg).render(text, language)


def render_rule(rule: str, language: str, cfg: TriageConfig) -> str:
    """A statistics rule name (see server/stats.py rule_of) in `language`."""
    return renderer(cfg).render_rule(rule, language)


def render_reasons(texts: Sequence[str], language: str, cfg: TriageConfig) -> list[str]:
    return [render_reason(str(text), language, cfg) for text in texts]
