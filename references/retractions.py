"""Read the Retraction Watch CSV that Crossref publishes, and match references.

The file has known quirks: dates like "3/14/2021 0:00", PMIDs of 0, DOIs of
"unavailable", stray invalid UTF-8, and sometimes a trailing comma in the
header. A retraction, withdrawal or removal blocks citing a paper; the other
notices (expression of concern, partial retraction, correction, erratum,
addendum) are recorded and reviewed, not blocked.
"""

import csv
import datetime
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from references import identifiers

REQUIRED_COLUMNS = {
    "Record ID",
    "Title",
    "RetractionDate",
    "RetractionDOI",
    "OriginalPaperDOI",
    "OriginalPaperPubMedID",
    "RetractionNature",
    "Reason",
}
NATURES = [
    ("retraction", "Retraction"),
    ("withdrawal", "Withdrawal"),
    ("removal", "Removal"),
    ("expression_of_concern", "Expression of concern"),
    ("partial_retraction", "Partial retraction"),
    ("correction", "Correction"),
    ("erratum", "Erratum"),
    ("addendum", "Addendum"),
    ("other", "Other notice"),
]
# Which notice a reference shows when it has several: the most serious.
NATURE_RANK = {
    "retraction": 5,
    "withdrawal": 5,
    "removal": 5,
    "partial_retraction": 4,
    "expression_of_concern": 3,
    "correction": 1,
    "erratum": 1,
    "addendum": 1,
    "other": 0,
}
BLOCKING = frozenset({"retraction", "withdrawal", "removal"})
# What Crossref's `updated-by[].type`, the CSV's RetractionNature and
# PubMed's wording call each kind (lower case, "-" and " " read as "_").
NATURE_NAMES = {
    "retraction": "retraction",
    "retracted": "retraction",
    "withdrawal": "withdrawal",
    "withdrawn": "withdrawal",
    "removal": "removal",
    "removed": "removal",
    "expression_of_concern": "expression_of_concern",
    "partial_retraction": "partial_retraction",
    "correction": "correction",
    "corrigendum": "correction",
    "erratum": "erratum",
    "addendum": "addendum",
}


@dataclass(frozen=True)
class RetractionNotice:
    record_id: str
    original_doi: str
    original_pmid: str
    nature: str
    notice_doi: str
    date: datetime.date | None
    reason: str
    title: str


def apply_notice(reference, notice: RetractionNotice, checked_at) -> bool:
    """Copy a notice onto a reference (anything with the retraction fields);
    False when it already carries that notice."""
    if (
        reference.retraction_status == notice.nature
        and reference.retraction_notice_doi == notice.notice_doi
    ):
        return False
    reference.retraction_status = notice.nature
    reference.retraction_notice_doi = notice.notice_doi
    reference.retraction_date = notice.date
    reference.retraction_reason = notice.reason
    reference.retraction_checked_at = checked_at
    return True


def is_blocking(nature: str) -> bool:
    """A retraction, withdrawal or removal blocks; the rest are warnings."""
    return nature in BLOCKING


def parse_nature(value: str) -> str:
    """The kind of a notice, from the CSV's RetractionNature or Crossref's
    update type: "Retraction", "expression_of_concern", "Partial Retraction"…

    Anything unknown (a Reinstatement, a new_version) is "other".
    """
    text = re.sub(r"[\s_-]+", "_", (value or "").strip().lower())
    if text in NATURE_NAMES:
        return NATURE_NAMES[text]
    if "concern" in text:
        return "expression_of_concern"
    return "other"


def more_serious(new: str, old: str) -> bool:
    """Whether a notice of kind `new` should replace one of kind `old` on a
    reference (an equal rank replaces: the later notice wins)."""
    return NATURE_RANK.get(new, 0) >= NATURE_RANK.get(old, -1) if old else True


def parse_date(value: str) -> datetime.date | None:
    """Dates come as M/D/YYYY (often with " 0:00") or YYYY-MM-DD."""
    text = (value or "").strip().split(" ")[0]
    for pattern in ("%m/%d/%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _doi(value: str) -> str:
    try:
        return identifiers.normalize_doi(value)
    except identifiers.IdentifierError:
        return ""


def _pmid(value: str) -> str:
    text = re.sub(r"\.0$", "", (value or "").strip())
    try:
        return identifiers.normalize_pmid(text)
    except identifiers.IdentifierError:
        return ""


def iter_notices(stream: BinaryIO) -> Iterator[RetractionNotice]:
    """Yield one notice per CSV row, decoding invalid UTF-8 as U+FFFD."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    reader = csv.DictReader(text)
    header = {name.strip().lstrip("\ufeff") for name in reader.fieldnames or [] if name}
    missing = REQUIRED_COLUMNS - header
    if missing:
        raise ValueError(
            "This is not a Retraction Watch CSV: missing column(s) "
            + ", ".join(sorted(missing))
            + "."
        )
    for row in reader:
        row = {(k or "").strip().lstrip("\ufeff"): (v or "") for k, v in row.items()}
        yield RetractionNotice(
            record_id=row.get("Record ID", "").strip(),
            original_doi=_doi(row.get("OriginalPaperDOI", "")),
            original_pmid=_pmid(row.get("OriginalPaperPubMedID", "")),
            nature=parse_nature(row.get("RetractionNature", "")),
            notice_doi=_doi(row.get("RetractionDOI", "")),
            date=parse_date(row.get("RetractionDate", "")),
            reason="; ".join(
                part.strip(" +")
                for part in row.get("Reason", "").split(";")
                if part.strip(" +")
            ),
            title=row.get("Title", "").strip(),
        )


class RetractionIndex:
    """Notices by original DOI (case-insensitively) and PMID.

    The most serious, latest notice for a paper wins.
    """

    def __init__(self) -> None:
        self.by_doi: dict[str, RetractionNotice] = {}
        self.by_pmid: dict[str, RetractionNotice] = {}

    @staticmethod
    def _better(new: RetractionNotice, old: RetractionNotice | None) -> bool:
        if old is None:
            return True
        new_key = (NATURE_RANK[new.nature], new.date or datetime.date.min)
        old_key = (NATURE_RANK[old.nature], old.date or datetime.date.min)
        return new_key > old_key

    def add(self, notice: RetractionNotice) -> None:
        doi = identifiers.doi_key(notice.original_doi)
        if doi and self._better(notice, self.by_doi.get(doi)):
            self.by_doi[doi] = notice
        if notice.original_pmid and self._better(
            notice, self.by_pmid.get(notice.original_pmid)
        ):
            self.by_pmid[notice.original_pmid] = notice

    def lookup(self, doi: str = "", pmid: str = "") -> RetractionNotice | None:
        """Match by DOI first, then by PMID."""
        doi = identifiers.doi_key(doi)
        if doi and doi in self.by_doi:
            return self.by_doi[doi]
        if pmid and pmid in self.by_pmid:
            return self.by_pmid[pmid]
        return None

    def __len__(self) -> int:
        return len(self.by_doi.keys() | {f"pmid:{p}" for p in self.by_pmid})
