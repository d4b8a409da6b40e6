"""Notices about a cited work, read from what Crossref and PubMed answer.

Pure functions: JSON or XML in, `Finding`s out. Crossref puts the Retraction
Watch data and the publishers' own notices on the cited work (`updated-by`)
and the reverse link on the notice (`update-to`); PubMed marks the work with
a "Retracted Publication" type and CommentsCorrections such as RetractionIn.
"""

import datetime
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from references import identifiers
from references.retractions import parse_nature

MONTHS = {
    name: number
    for number, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun"]
        + ["jul", "aug", "sep", "oct", "nov", "dec"],
        1,
    )
}
# "Lancet. 2010 Feb 6;375(9713):445. doi: 10.1016/S0140-6736(10)60175-4."
REF_SOURCE_DATE = re.compile(r"\b(\d{4})(?: ([A-Z][a-z]{2})(?: (\d{1,2}))?)?\b")
REF_SOURCE_DOI = re.compile(r"doi:\s*(10\.\S+?)\.?(?:\s|$)", re.IGNORECASE)
# PubMed's CommentsCorrections RefTypes that are notices about the work.
PUBMED_REF_TYPES = {
    "RetractionIn": "retraction",
    "RetractedandRepublishedIn": "retraction",
    "PartialRetractionIn": "partial_retraction",
    "ExpressionOfConcernIn": "expression_of_concern",
    "ErratumIn": "erratum",
    "CorrectedandRepublishedIn": "correction",
}


class UnreadableAnswer(ValueError):
    """An answer that is not the JSON or XML the source documents."""


@dataclass(frozen=True)
class Finding:
    """A notice about one cited work (by DOI or PMID)."""

    kind: str
    work_doi: str = ""
    work_pmid: str = ""
    notice_doi: str = ""
    notice_pmid: str = ""
    notice_url: str = ""
    date: datetime.date | None = None
    label: str = ""
    provenance: str = ""
    record_id: str = ""
    reason: str = ""

    @property
    def notice_key(self) -> str:
        """The notice's identity, the same whichever source reports it."""
        if self.notice_doi:
            return identifiers.doi_key(self.notice_doi)
        if self.notice_pmid:
            return f"pmid:{self.notice_pmid}"
        if self.record_id:
            return f"rw:{self.record_id}"
        if self.notice_url:
            return self.notice_url[:320]
        return f"{self.provenance or 'notice'}:{self.kind}"


def _doi(value) -> str:
    try:
        return identifiers.normalize_doi(str(value or ""))
    except identifiers.IdentifierError:
        return ""


def _date_parts(value) -> datetime.date | None:
    """A date from Crossref's {"date-parts": [[2010, 2, 6]]} (or date-time)."""
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list):
        numbers = [*parts[0], 1, 1][:3]
        try:
            return datetime.date(*(int(n) for n in numbers))
        except (TypeError, ValueError):
            pass
    text = value.get("date-time")
    if isinstance(text, str):
        try:
            return datetime.date.fromisoformat(text[:10])
        except ValueError:
            return None
    return None


def _update(entry, **where) -> Finding | None:
    if not isinstance(entry, dict):
        return None
    return Finding(
        kind=parse_nature(str(entry.get("type") or "")),
        date=_date_parts(entry.get("updated")),
        label=str(entry.get("label") or "")[:200],
        provenance=str(entry.get("source") or "")[:50],
        record_id=str(entry.get("record-id") or "")[:20],
        **where,
    )


def message_of(document) -> dict:
    """The `message` of a Crossref answer (or the object itself)."""
    if isinstance(document, dict) and isinstance(document.get("message"), dict):
        return document["message"]
    if isinstance(document, dict):
        return document
    raise UnreadableAnswer("A Crossref answer is a JSON object.")


def crossref_updated_by(work: dict) -> list[Finding]:
    """The notices on a cited work: its `updated-by` entries."""
    doi = _doi(work.get("DOI"))
    found = []
    for entry in work.get("updated-by") or []:
        notice_doi = _doi(entry.get("DOI")) if isinstance(entry, dict) else ""
        finding = _update(entry, work_doi=doi, notice_doi=notice_doi)
        if finding is not None:
            found.append(finding)
    return found


def crossref_update_to(notice: dict) -> list[Finding]:
    """The works a notice updates: its `update-to` entries."""
    notice_doi = _doi(notice.get("DOI"))
    found = []
    for entry in notice.get("update-to") or []:
        work_doi = _doi(entry.get("DOI")) if isinstance(entry, dict) else ""
        finding = _update(entry, work_doi=work_doi, notice_doi=notice_doi)
        if finding is not None and work_doi:
            found.append(finding)
    return found


def crossref_page(document) -> tuple[list[dict], str, int]:
    """The items of a `works` list answer, its next cursor, and its total."""
    message = message_of(document)
    items = message.get("items")
    if not isinstance(items, list):
        raise UnreadableAnswer("A Crossref list answer has `items`.")
    cursor = message.get("next-cursor")
    total = message.get("total-results")
    return (
        [item for item in items if isinstance(item, dict)],
        cursor if isinstance(cursor, str) else "",
        total if isinstance(total, int) else 0,
    )


def _text(element) -> str:
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def ref_source_date(text: str) -> datetime.date | None:
    """The date in a RefSource ("Lancet. 2010 Feb 6;375(9713):445.")."""
    for match in REF_SOURCE_DATE.finditer(text):
        year, month, day = match.groups()
        if not 1800 <= int(year) <= 2200:
            continue
        try:
            return datetime.date(
                int(year), MONTHS.get((month or "jan").lower(), 1), int(day or 1)
            )
        except ValueError:
            return None
    return None


def pubmed_findings(xml: bytes) -> dict[str, list[Finding]]:
    """Notices by the PMID of each work in an efetch PubmedArticleSet.

    Every PMID in the answer has an entry, empty when PubMed marks nothing,
    so a caller can tell "checked, clean" from "not in the answer".
    """
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as error:
        raise UnreadableAnswer(
            f"PubMed sent XML we could not read ({error})."
        ) from None
    if root.tag != "PubmedArticleSet":
        raise UnreadableAnswer("PubMed's efetch answer is a PubmedArticleSet.")
    found: dict[str, list[Finding]] = {}
    for article in root.findall("PubmedArticle"):
        citation = article.find("MedlineCitation")
        pmid = _text(citation.find("PMID")) if citation is not None else ""
        if not pmid:
            continue
        notices = []
        for comment in article.iter("CommentsCorrections"):
            kind = PUBMED_REF_TYPES.get(comment.get("RefType", ""))
            if kind is None:
                continue
            source = _text(comment.find("RefSource"))
            doi = REF_SOURCE_DOI.search(source)
            notices.append(
                Finding(
                    kind=kind,
                    work_pmid=pmid,
                    notice_pmid=_text(comment.find("PMID")),
                    notice_doi=_doi(doi.group(1)) if doi else "",
                    date=ref_source_date(source),
                    label=source[:200],
                    provenance="NLM",
                )
            )
        types = {_text(t) for t in article.iter("PublicationType")}
        retracted = any(n.kind == "retraction" for n in notices)
        if "Retracted Publication" in types and not retracted:
            # Marked retracted before the notice was linked (PubMed lags).
            notices.append(
                Finding(
                    kind="retraction",
                    work_pmid=pmid,
                    notice_url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
                    label="Retracted Publication",
                    provenance="NLM",
                )
            )
        found[pmid] = notices
    return found
