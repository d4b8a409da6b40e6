"""The claims a source supports: the sentences of a rendered revision that
cite it.

A revision's `body_html` keeps each citation where it was made, as
`<sup class="citation">[2, 4–6]</sup>` (articles/rendering.py), so the
sentence around each marker is the claim that relies on those sources. A
plain function over the stored HTML: no rendering again, no models.
"""

import re
from html.parser import HTMLParser

from django.utils.text import Truncator

# Where the sentences of a block are: each block's text is split on its own.
BLOCKS = {
    "p",
    "li",
    "td",
    "th",
    "h2",
    "h3",
    "h4",
    "figcaption",
    "blockquote",
    "pre",
}
OPEN, CLOSE = "\ue000", "\ue001"
MARKER = re.compile(f"{OPEN}(\\d+){CLOSE}")
# A sentence ends at . ! or ? (with a closing quote or bracket, and any
# citation markers that follow), before white space.
SENTENCE_END = re.compile(
    f'([.!?]["”’)\\]]?(?:{OPEN}\\d+{CLOSE})*)\\s+(?=[A-Z0-9“‘"(\\[])'
)
SPACED_MARKER = re.compile(f"\\s*{OPEN}\\d+{CLOSE}")
NUMBER_RUN = re.compile(r"(\d+)\s*(?:[–-]\s*(\d+))?")
MAX_SENTENCE = 400
MAX_RANGE = 500


def cited_numbers(text: str) -> list[int]:
    """The reference numbers in a citation's text: "[2, 4–6]" → [2, 4, 5, 6]."""
    numbers = []
    for start, end in NUMBER_RUN.findall(text):
        first = int(start)
        last = int(end) if end else first
        if last < first or last - first > MAX_RANGE:
            last = first
        numbers += range(first, last + 1)
    return numbers


class _Blocks(HTMLParser):
    """The text of each block, with a marker for each reference a citation in
    it names, in place of the citation."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.stack: list[list[str]] = [[]]
        self.citation: list[str] | None = None
        self.citation_depth = 0

    def handle_starttag(self, tag, attrs) -> None:
        if self.citation is not None:
            if tag == "sup":
                self.citation_depth += 1
            return
        if tag == "sup" and "citation" in (dict(attrs).get("class") or "").split():
            self.citation, self.citation_depth = [], 1
        elif tag in BLOCKS:
            self.stack.append([])
        elif tag in {"br", "img"}:
            self.stack[-1].append(" ")

    def handle_endtag(self, tag) -> None:
        if self.citation is not None:
            if tag == "sup":
                self.citation_depth -= 1
                if self.citation_depth == 0:
                    numbers = cited_numbers("".join(self.citation))
                    self.stack[-1].append("".join(f"{OPEN}{n}{CLOSE}" for n in numbers))
                    self.citation = None
            return
        if tag in BLOCKS and len(self.stack) > 1:
            self.blocks.append("".join(self.stack.pop()))
            self.stack[-1].append(" ")

    def handle_data(self, data) -> None:
        target = self.citation if self.citation is not None else self.stack[-1]
        target.append(data.replace(OPEN, "").replace(CLOSE, ""))

    def close(self) -> None:
        super().close()
        while self.stack:
            self.blocks.append("".join(self.stack.pop()))


def _sentences(block: str) -> list[str]:
    parts = SENTENCE_END.split(block)
    # split() with a group gives text, end, text, end, …: glue each end back.
    sentences = [
        parts[i] + (parts[i + 1] if i + 1 < len(parts) else "")
        for i in range(0, len(parts), 2)
    ]
    return [s for s in (" ".join(s.split()) for s in sentences) if s]


def sentences_by_number(body_html: str) -> dict[int, list[str]]:
    """Each cited reference's number → the sentences citing it, in the order of
    the text, as plain text without the citation markers."""
    parser = _Blocks()
    parser.feed(body_html or "")
    parser.close()
    found: dict[int, list[str]] = {}
    for block in parser.blocks:
        for sentence in _sentences(block):
            numbers = {int(n) for n in MARKER.findall(sentence)}
            if not numbers:
                continue
            # "disease [@w1998]." reads "disease." once the marker is gone.
            text = " ".join(SPACED_MARKER.sub("", sentence).split())
            text = Truncator(text).chars(MAX_SENTENCE)
            for number in sorted(numbers):
                if text not in found.setdefault(number, []):
                    found[number].append(text)
    return found


def citing_sentences(body_html: str, number: int) -> list[str]:
    """The sentences of `body_html` that cite reference `number`."""
    return sentences_by_number(body_html).get(number, [])


def _plain_blocks(body_html: str) -> list[str]:
    parser = _Blocks()
    parser.feed(body_html or "")
    parser.close()
    blocks = [" ".join(SPACED_MARKER.sub("", block).split()) for block in parser.blocks]
    return [block for block in blocks if block]


def find_passage(body_html: str, quote: str) -> tuple[str, str, str] | None:
    """The block of `body_html` a reader quoted, as (before, quote, after) in
    plain text, matched without regard to case or spacing; None when no block
    holds it (a quote from the title, or one the reader typed)."""
    words = (quote or "").split()
    if len(" ".join(words)) < 3:
        return None
    pattern = re.compile(r"\s+".join(map(re.escape, words)), re.IGNORECASE)
    for block in _plain_blocks(body_html):
        found = pattern.search(block)
        if found:
            return block[: found.start()], found.group(), block[found.end() :]
    return None
