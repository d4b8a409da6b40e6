"""Look a reference up by DOI, PMID, PMCID or ISBN.

`identify(text)` recognises what was pasted; `look_up(kind, value)` asks the
right service (Crossref, then doi.org; PubMed; the PMC ID Converter, then
PubMed; Open Library) and returns a ReferenceData with the title in sentence
case and the journal's NLM abbreviation, ready for the reference form.
Failures raise `ServiceError` (or its subclass `NotFound`) with a message
for the person who asked. A lookup asks only its services' hosts, at public
addresses, and ends by one deadline (HEALTH_LOOKUP["DEADLINE"]) however many
requests, redirects and retries it takes.
"""

import re

from references.identifiers import IdentifierError, detect_identifier, normalize_isbn
from references.journals import abbreviate
from references.lookup.books import look_up_isbn
from references.lookup.client import NotFound, ServiceError, config
from references.lookup.connection import Deadline
from references.lookup.crossref import look_up_doi
from references.lookup.pubmed import convert_pmcid, look_up_pmid
from references.records import ReferenceData

__all__ = ["KINDS", "NotFound", "ServiceError", "identify", "look_up"]

KINDS = {"doi": "DOI", "pmid": "PMID", "pmcid": "PMCID", "isbn": "ISBN"}
MAX_INPUT = 300
# Pasted links to a record, as people copy them from the address bar.
LINKS = [
    (re.compile(r"^https?://(?:www\.)?pubmed\.ncbi\.nlm\.nih\.gov/(\d+)/?$"), "pmid:"),
    (re.compile(r"^https?://(?:www\.)?ncbi\.nlm\.nih\.gov/pubmed/(\d+)/?$"), "pmid:"),
    (
        re.compile(
            r"^https?://(?:www\.)?(?:pmc\.ncbi\.nlm\.nih\.gov|ncbi\.nlm\.nih\.gov/pmc)"
            r"/articles/(PMC\d+)/?$",
            re.I,
        ),
        "",
    ),
]


def identify(text: str) -> tuple[str, str]:
    """("doi" | "pmid" | "pmcid" | "isbn", the normalised identifier).

    Raise IdentifierError saying what was expected when nothing fits.
    """
    text = " ".join((text or "").split())
    if len(text) > MAX_INPUT:
        raise IdentifierError("That is too long for an identifier.")
    for pattern, prefix in LINKS:
        match = pattern.match(text)
        if match:
            text = prefix + match.group(1)
    found = detect_identifier(text)
    if found is None and re.fullmatch(
        r"(?i)(isbn[-: 0-9]*)?[0-9][-0-9 ]{8,16}[0-9X]", text
    ):
        normalize_isbn(text)  # an ISBN with a wrong check digit says so
    if found is None:
        raise IdentifierError(
            f"“{text[:80]}” is not a DOI (10.1093/humrep/deab049), PMID "
            "(33990841), PMCID (PMC8487651) or ISBN (978-0-19-024655-6, with a "
            "correct check digit)."
        )
    return found


def look_up(kind: str, value: str) -> ReferenceData:
    """The record for a normalised identifier, from its service."""
    if len(value) > MAX_INPUT:
        raise IdentifierError("That is too long for an identifier.")
    deadline = Deadline(float(config("DEADLINE")))
    if kind == "doi":
        record = look_up_doi(value, deadline)
    elif kind == "pmid":
        record = look_up_pmid(value, deadline)
    elif kind == "pmcid":
        ids = convert_pmcid(value, deadline)
        if ids["pmid"]:
            record = look_up_pmid(ids["pmid"], deadline)
        elif ids["doi"]:
            record = look_up_doi(ids["doi"], deadline)
        else:
            raise NotFound("PubMed Central knows this PMCID but gives no PMID or DOI.")
        record.pmcid = record.pmcid or value
    elif kind == "isbn":
        record = look_up_isbn(value, deadline)
    else:
        raise ValueError(kind)
    abbreviate([record])
    return record
