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

    def initials(self) -> str:
        parts = self.given.replace("-", " ").replace(".", " ").split()
        return "".join(p[0].upper() for p in parts if p)

    def as_dict(self) -> dict:
        if self.literal:
            return {"literal": self.literal}
        return {"family": self.family, "given": self.given}

    @classmethod
    def from_dict(cls, data) -> "Author":
        if isinstance(data, Author):
            return data
        return cls(
            family=data.get("family", ""),
            given=data.get("given", ""),
            literal=data.get("literal", ""),
        )


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
    types = {t.strip().lower() for t in publication_types or []}
    for names, level in PUBLICATION_TYPE_LEVELS:
        if types & names:
            return level
    return ""


def _ascii_word(text: str) -> str:
    normalized = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z]", "", normalized.encode("ascii", "ignore").decode().lower())


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
    first = Author.from_dict(authors[0]) if authors else None
    if first and first.literal:
        stem = _ascii_word(first.literal.split()[0])
    elif first:
        stem = _ascii_word(first.family)
    else:
        words = [w for w in re.split(r"\W+", title or "") if _ascii_word(w)]
        stem = _ascii_word(words[0]) if words else ""
    base = (stem or "ref") + (str(year) if year else "nd")
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
