"""Readable word-level diffs between two revisions, for reviewers.

difflib compares every token of one side with each occurrence of it on the
other, spaces and "the" included, so aligning the words of a whole
5,000-word body at once takes seconds. A long text is therefore compared as
`htmldiff` compares a page: by lines first (paragraphs, list items,
reference lines), then by sentences inside a changed run of lines that is
still long, and word by word only inside runs small enough to align in a few
milliseconds (WORD_PAIRS). Every page shares one Budget of time, checked
between those steps: once it is spent, the changes left are shown deleted
and inserted whole, and the diff says that it is coarse.
"""

import difflib
import re
import time
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

# Words, runs of whitespace, and single punctuation marks are the diff units,
# so a changed word is marked alone and line breaks survive.
TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
WORD = re.compile(r"\w+|[^\w\s]", re.UNICODE)
# The coarser units, tried in turn on a text too long to align word by word:
# a line with the blank lines after it (so blank lines never anchor a match),
# then a sentence (or the rest of a line).
LINE = re.compile(r"[^\n]*\n(?:[ \t]*\n)*|[^\n]+")
SENTENCE = re.compile(r".+?(?:[.!?]+\s+|\n\s*|\Z)", re.S)
UNITS = (LINE, SENTENCE)

# Seconds a page may spend aligning. Showing what is left whole then takes
# about 0.1 s more for a body at the size limit, so a page stays under 1 s.
BUDGET = 0.4
# Token pairs (one side's tokens times the other's) past which two runs are
# compared by lines or sentences first: difflib takes about 40 ns a pair on a
# busy 2-core machine, so no single alignment takes more than a few
# milliseconds, and a paragraph of 100 words still aligns word by word.
WORD_PAIRS = 60_000
MAX_UNITS = 4_000  # lines or sentences a side, past which none are aligned

DIFF_FIELDS = [
    ("title", _("Title")),
    ("byline_text", _("Authors")),
    ("topic_text", _("Topics")),
    ("summary", _("Summary")),
    ("body", _("Body")),
    ("seo_title", _("SEO title")),
    ("meta_description", _("Meta description")),
    ("social_image", _("Social image")),
    ("social_image_alt", _("Social image alt text")),
    ("medical_audience", _("Medical audience")),
    ("disclosures", _("Disclosures")),
    ("review_interval_months", _("Review interval (months)")),
    ("change_class", _("Kind of change")),
    ("correction_note", _("Correction note")),
]


class Budget:
    """The time one page may spend aligning words, shared by all its diffs.

    It also counts the work. Each search for a match compares at most the
    items of its range on the old side with the items of the new side up to
    the range's end; `pairs` sums those products and `largest` is the biggest.
    The tests bound these rather than the time, which drifts on a shared
    machine.
    """

    def __init__(self, seconds: float | None = None) -> None:
        self.deadline = time.monotonic() + (BUDGET if seconds is None else seconds)
        self.pairs = 0
        self.largest = 0

    def spent(self) -> bool:
        return time.monotonic() > self.deadline

    def count(self, pairs: int) -> None:
        self.pairs += pairs
        self.largest = max(self.largest, pairs)


def align(
    old: list, new: list, budget: Budget, autojunk: bool = False, ends: bool = False
) -> tuple[list[tuple[bool, int, int, int, int]], bool]:
    """difflib's opcodes as (changed, i1, i2, j1, j2), and whether the
    alignment finished.

    The longest matches are found one at a time, as SequenceMatcher does, so
    that the budget is checked between them: once it is spent, the ranges
    not yet searched come out as changes. With `ends`, what both sides share
    at their start and end is matched first, in one pass: much cheaper for
    a long paragraph changed in one place, though a space next to a change
    may then fall on the other side of the mark.
    """
    head, tail = common_ends(old, new) if ends else (0, 0)
    high, new_high = len(old) - tail, len(new) - tail
    matches = [(0, 0, head), (high, new_high, tail)]
    ranges = [(head, high, head, new_high)] if head < high and head < new_high else []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=autojunk)
    while ranges and not budget.spent():
        low, high, new_low, new_high = ranges.pop()
        budget.count((high - low) * new_high)
        i, j, size = matcher.find_longest_match(low, high, new_low, new_high)
        if size:
            matches.append((i, j, size))
            if low < i and new_low < j:
                ranges.append((low, i, new_low, j))
            if i + size < high and j + size < new_high:
                ranges.append((i + size, high, j + size, new_high))
    ops, i, j = [], 0, 0
    for at, new_at, size in [*sorted(matches), (len(old), len(new), 0)]:
        if i < at or j < new_at:
            ops.append((True, i, at, j, new_at))
        if size:
            ops.append((False, at, at + size, new_at, new_at + size))
        i, j = at + size, new_at + size
    return ops, not ranges


def common_ends(old: list, new: list) -> tuple[int, int]:
    """How many items both sides share at the start, and then at the end."""
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[-1 - end] == new[-1 - end]:
        end += 1
    return start, end


@dataclass
class TextDiff:
    html: SafeString
    inserted: int
    deleted: int
    coarse: bool  # some changes are shown whole, not word by word


class _Runs:
    """The text as runs of [old parts, new parts, changed?]. A change
    separated from the next one only by spaces is merged with it, so a
    rewritten phrase reads as one deletion and one insertion rather than
    alternating words."""

    def __init__(self, budget: Budget):
        self.budget = budget
        self.runs: list[tuple[list[str], list[str], bool]] = []
        self.coarse = False

    def add(self, old: str, new: str, changed: bool) -> None:
        if not old and not new:
            return
        if self.runs and self.runs[-1][2] and (changed or old.isspace()):
            self.runs[-1][0].append(old)
            self.runs[-1][1].append(new)
        else:
            self.runs.append(([old], [new], changed))

    def words(self, old: list[str], new: list[str]) -> None:
        ops, finished = align(old, new, self.budget)
        self.coarse |= not finished
        for changed, i1, i2, j1, j2 in ops:
            self.add("".join(old[i1:i2]), "".join(new[j1:j2]), changed)

    def compare(self, old: str, new: str, level: int = 0) -> None:
        """Align `old` and `new` word by word if they are small enough, else
        by the units of `level` and each changed run of those in turn."""
        if old == new:
            self.add(old, new, changed=False)
            return
        old_tokens, new_tokens = TOKEN.findall(old), TOKEN.findall(new)
        if len(old_tokens) * len(new_tokens) <= WORD_PAIRS:
            self.words(old_tokens, new_tokens)
            return
        if level < len(UNITS) and not self.budget.spent():
            old_units = UNITS[level].findall(old)
            new_units = UNITS[level].findall(new)
            if max(len(old_units), len(new_units)) <= MAX_UNITS:
                ops, finished = align(old_units, new_units, self.budget, autojunk=True)
                self.coarse |= not finished
                for changed, i1, i2, j1, j2 in ops:
                    before, after = "".join(old_units[i1:i2]), "".join(new_units[j1:j2])
                    if changed:
                        self.compare(before, after, level + 1)
                    else:
                        self.add(before, after, changed=False)
                return
        # One long sentence or line, or no time left: what both sides share
        # at their ends stays unmarked, the middle is aligned if it is small
        # enough now, else shown whole.
        start, end = common_ends(old_tokens, new_tokens)
        old_middle = old_tokens[start : len(old_tokens) - end]
        new_middle = new_tokens[start : len(new_tokens) - end]
        self.add("".join(old_tokens[:start]), "".join(new_tokens[:start]), False)
        if len(old_middle) * len(new_middle) <= WORD_PAIRS:
            self.words(old_middle, new_middle)
        else:
            self.coarse = True
            self.add("".join(old_middle), "".join(new_middle), changed=True)
        tail = "".join(new_tokens[len(new_tokens) - end :])
        self.add(tail, tail, changed=False)

    def html(self) -> TextDiff:
        parts, inserted, deleted = [], 0, 0
        for old_parts, new_parts, changed in self.runs:
            before, after = "".join(old_parts), "".join(new_parts)
            if not changed:
                parts.append(escape(before))
                continue
            if before:
                deleted += len(WORD.findall(before))
                parts.append(f"<del>{escape(before)}</del>")
            if after:
                inserted += len(WORD.findall(after))
                parts.append(f"<ins>{escape(after)}</ins>")
        return TextDiff(mark_safe("".join(parts)), inserted, deleted, self.coarse)


def text_diff(old: str, new: str, budget: Budget | None = None) -> TextDiff:
    """HTML with <del> and <ins> around changed words, and the word counts."""
    runs = _Runs(budget or Budget())
    runs.compare(old or "", new or "")
    return runs.html()


def word_diff(old: str, new: str) -> tuple[SafeString, int, int]:
    """The marked HTML, words inserted and words deleted (see text_diff)."""
    diff = text_diff(old, new)
    return diff.html, diff.inserted, diff.deleted


@dataclass
class FieldDiff:
    name: str
    label: str
    changed: bool
    html: SafeString
    inserted: int = 0
    deleted: int = 0
    coarse: bool = False


def _text(value) -> str:
    return "" if value is None else str(value)


def reference_lines(cited: list[dict]) -> str:
    return "\n".join(f"[{ref['number']}] {ref['text']}" for ref in cited or [])


def compare(
    old, new, include_references: bool = True, budget: Budget | None = None
) -> list[FieldDiff]:
    """Diff every reviewed field of two revisions (old may be None), all
    within one time budget."""
    budget = budget or Budget()
    diffs = []
    fields = list(DIFF_FIELDS)
    if include_references:
        fields.append(("cited", _("Cited references")))
    for name, label in fields:
        if name == "cited":
            before = reference_lines(old.cited) if old else ""
            after = reference_lines(new.cited)
        else:
            before = _text(getattr(old, name, "")) if old else ""
            after = _text(getattr(new, name, ""))
        diff = text_diff(before, after, budget)
        diffs.append(
            FieldDiff(
                name=name,
                label=label,
                changed=before != after,
                html=diff.html,
                inserted=diff.inserted,
                deleted=diff.deleted,
                coarse=diff.coarse,
            )
        )
    return diffs
