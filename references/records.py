"""Plain bibliographic records shared by the importers and formatters."""

import datetime
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

KINDS = [
    ("journal_article", "Journal article"),
    ("book", "Book"),
    ("chapter", "Book chapter"),
    ("guideline", "Guideline or report"),
    ("web_page", "Web page"),
]

EVIDENCE_LEVELS = [
    ("systematic_review", "Systematic review or meta-analysis"),
    ("rct", "Randomised controlled trial"),
    ("cohort", "Cohort study"),
    ("case_control", "Case-control study"),
    ("cross_sectional", "Cross-sectional study"),
    ("case_series", "Case series or case report"),
    ("guideline", "Clinical guideline"),
    ("expert_opinion", "Expert opinion"),
    ("mechanistic", "Mechanistic or laboratory study"),
    ("other", "Other"),
]


@dataclass
class Author:
    family: str = ""
    given: str = ""
    literal: str = ""
    suffix: str = ""

    def initials(self) -> str:
        parts = self.given.replace("-", " ").replace(".", " ").split()
        return "".join(p[0].upper() for p in parts if p)

    def as_dict(self) -> dict:
        if self.literal:
            return {"literal": self.literal}
        data = {"family": self.family, "given": self.given}
        if self.suffix:
            data["suffix"] = self.suffix
        return data

    @classmethod
    def from_dict(cls, data: object) -> "Author":
        """An Author from stored JSON, degrading gracefully on malformed data.

        Rows saved before validation existed may hold a bare string, a number
        or null instead of a name object; they become a literal name (or an
        empty Author, which formatting skips) rather than an error.
        """
        if isinstance(data, Author):
            return data
        if isinstance(data, dict):
            return cls(
                **{
                    name: _text(data.get(name))
                    for name in ("family", "given", "literal", "suffix")
                }
            )
        return cls(literal=_text(data))

    def is_empty(self) -> bool:
        return not (self.family.strip() or self.literal.strip())


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def people(value: object) -> list[Author]:
    """The names in a stored authors or editors value, skipping unusable ones."""
    if isinstance(value, dict | str):
        value = [value]
    if not isinstance(value, list | tuple):
        return []
    authors = [Author.from_dict(item) for item in value]
    return [a for a in authors if not a.is_empty()]


@dataclass
class ReferenceData:
    kind: str = "journal_article"
    title: str = ""
    authors: list[Author] = field(default_factory=list)
    editors: list[Author] = field(default_factory=list)
    container_title: str = ""
    journal_abbrev: str = ""
    year: int | None = None
    month: int | None = None
    day: int | None = None
    volume: str = ""
    issue: str = ""
    pages: str = ""
    publisher: str = ""
    publisher_place: str = ""
    edition: str = ""
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    isbn: str = ""
    url: str = ""
    accessed: datetime.date | None = None
    publication_types: list[str] = field(default_factory=list)
    evidence_level: str = ""
    citation_key: str = ""
    source_line: int | None = None


# PubMed publication types that imply a level, strongest evidence first.
PUBLICATION_TYPE_LEVELS = [
    ({"meta-analysis", "systematic review"}, "systematic_review"),
    ({"randomized controlled trial"}, "rct"),
    ({"practice guideline", "guideline"}, "guideline"),
    ({"case reports"}, "case_series"),
    ({"editorial", "comment", "letter"}, "expert_opinion"),
]


def suggest_evidence_level(publication_types: list[str]) -> str:
    """The evidence level PubMed publication types imply, or "" if none."""
    if not isinstance(publication_types, list | tuple):
        return ""
    types = {t.strip().lower() for t in publication_types if isinstance(t, str)}
    for names, level in PUBLICATION_TYPE_LEVELS:
        if types & names:
            return level
    return ""


def _ascii_word(text: str) -> str:
    normalized = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z]", "", normalized.encode("ascii", "ignore").decode().lower())


MAX_KEY_STEM = 60


def make_citation_key(
    authors: list,
    year: int | None,
    title: str,
    taken: Callable[[str], bool],
    last_suffix: dict[str, int] | None = None,
) -> str:
    """A key like najmabadi2021, with a, b, … appended when it is taken.

    A bulk import passes the same `last_suffix` dict for every record, so the
    search for a free suffix resumes where the previous one for that stem ended
    (keys are only ever added, so every suffix below it is still taken). Without
    it, 400 records by authors called Smith in one year would cost 80,000 probes.
    """
    names = people(authors)
    first = names[0] if names else None
    if first and first.literal.strip():
        stem = _ascii_word(first.literal.split()[0])
    elif first:
        stem = _ascii_word(first.family)
    else:
        words = [w for w in re.split(r"\W+", title or "") if _ascii_word(w)]
        stem = _ascii_word(words[0]) if words else ""
    # The key must fit its 80-character field with room for a year and suffix.
    base = (stem[:MAX_KEY_STEM] or "ref") + (str(year) if year else "nd")
    suffix = last_suffix.get(base, 0) if last_suffix is not None else 0
    key = base + _suffix(suffix)
    while taken(key):
        suffix += 1
        key = base + _suffix(suffix)
    if last_suffix is not None:
        last_suffix[base] = suffix
    return key


def _suffix(n: int) -> str:
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters
