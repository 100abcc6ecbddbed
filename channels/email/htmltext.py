"""HTML mail as readable plain text (HTML-only mail, e.g. a newsletter or a web client)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCKS = {
    "p", "div", "br", "tr", "table", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "hr", "section", "article", "header", "footer", "center",
}  # fmt: skip
SKIPPED = {"script", "style", "head", "title", "template", "noscript"}


class _Extractor(HTMLParser):
    """Collects lines with their blockquote depth; quoted lines get a '> ' mark each, so
    the quote stripper treats an HTML reply's history like a plain-text one."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, str]] = [(0, "")]
        self.skip_depth = 0
        self.quote_depth = 0
        self.href: str | None = None
        self.link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skip_depth += 1
            return
        if tag == "blockquote":
            self.quote_depth += 1
            self._newline()
        elif tag == "li":
            self._newline()
            self._add("- ")
        elif tag in BLOCKS:
            self._newline()
        elif tag == "a":
            self.href = dict(attrs).get("href") or ""
            self.link_text = []
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self._add(alt)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if tag == "blockquote":
            self.quote_depth = max(0, self.quote_depth - 1)
            self._newline()
        elif tag in BLOCKS and tag != "br":
            self._newline()
        elif tag == "a" and self.href is not None:
            text = "".join(self.link_text).strip()
            if self.href.startswith(("http://", "https://")) and self.href != text:
                self._add(f" ({self.href})")
            self.href = None

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._newline()
        else:
            self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        data = re.sub(r"\s+", " ", data)
        if self.href is not None:
            self.link_text.append(data)
        self._add(data)

    def _newline(self) -> None:
        self.lines.append((self.quote_depth, ""))

    def _add(self, text: str) -> None:
        depth, line = self.lines[-1]
        if not line.strip():
            depth = self.quote_depth
        self.lines[-1] = (depth, line + text)

    def result(self) -> str:
        out: list[str] = []
        for depth, line in self.lines:
            cleaned = line.strip()
            if not cleaned and (not out or not out[-1]):
                continue
            out.append(("> " * depth + cleaned) if cleaned else "")
        return "\n".join(out).strip()


def html_to_text(html: str) -> str:
    """Readable text: blocks on their own lines, links kept, quoted blocks marked '> '."""
    extractor = _Extractor()
    try:
        extractor.feed(html)
        extractor.close()
    except Exception:  # HTMLParser is lenient; on anything else, strip the tags crudely
        return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", html)).strip()
    return extractor.result()
