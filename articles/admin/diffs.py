"""Readable word-level diffs between two revisions, for reviewers."""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

# Words, runs of whitespace, and single punctuation marks are the diff units,
# so a changed word is marked alone and line breaks survive.
TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)

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
]


@dataclass
class FieldDiff:
    name: str
    label: str
    changed: bool
    html: SafeString
    inserted: int = 0
    deleted: int = 0


def word_diff(old: str, new: str) -> tuple[SafeString, int, int]:
    """HTML with <del> and <ins> around changed words, and the word counts."""
    old_tokens, new_tokens = TOKEN.findall(old or ""), TOKEN.findall(new or "")
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    # Runs of [old tokens, new tokens, changed?]; a change separated from the
    # next one only by spaces is merged with it, so a rewritten phrase reads
    # as one deletion and one insertion rather than alternating words.
    runs: list[list] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        old_part, new_part = old_tokens[i1:i2], new_tokens[j1:j2]
        changed = op != "equal"
        if runs and runs[-1][2] and (changed or "".join(old_part).isspace()):
            runs[-1][0] += old_part
            runs[-1][1] += new_part
        else:
            runs.append([old_part, new_part, changed])
    parts, inserted, deleted = [], 0, 0
    for old_part, new_part, changed in runs:
        before, after = "".join(old_part), "".join(new_part)
        if not changed:
            parts.append(escape(before))
            continue
        if before:
            deleted += sum(1 for t in old_part if not t.isspace())
            parts.append(f"<del>{escape(before)}</del>")
        if after:
            inserted += sum(1 for t in new_part if not t.isspace())
            parts.append(f"<ins>{escape(after)}</ins>")
    return mark_safe("".join(parts)), inserted, deleted


def _text(value) -> str:
    return "" if value is None else str(value)


def reference_lines(cited: list[dict]) -> str:
    return "\n".join(f"[{ref['number']}] {ref['text']}" for ref in cited or [])


def compare(old, new, include_references: bool = True) -> list[FieldDiff]:
    """Diff every reviewed field of two revisions (old may be None)."""
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
        html, inserted, deleted = word_diff(before, after)
        diffs.append(
            FieldDiff(
                name=name,
                label=label,
                changed=before != after,
                html=html,
                inserted=inserted,
                deleted=deleted,
            )
        )
    return diffs
