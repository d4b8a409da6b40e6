"""Plain bibliographic records shared by the importers and formatters."""

import datetime
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
