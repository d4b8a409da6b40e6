"""PMIDs and PMCIDs: NCBI E-utilities efetch, and the PMC ID Converter.

efetch's PubmedArticle XML has what a reference needs: authors with given
names, the journal's ISO abbreviation, pagination, the DOI and PMCID, and the
publication types that suggest an evidence level. A PMCID is first turned
into a PMID (or, for articles PubMed lacks, a DOI) by the ID Converter.
"""

import json
import re
import xml.etree.ElementTree as ET

from references.importers.common import (
    ImportFormatError,
    finish_record,
    parse_month,
    parse_number,
)
from references.lookup.client import (
    NotFound,
    ServiceError,
    build_url,
    config,
    contact,
    get,
)
from references.lookup.connection import Deadline
from references.records import Author, ReferenceData

PMC_HOSTS = ["pmc.ncbi.nlm.nih.gov"]


def _ncbi_params(**params) -> dict:
    params["tool"] = "reviewed-health"
    if contact():
        params["email"] = contact()
    return params


def _text(element) -> str:
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def full_page_range(pages: str) -> str:
    """MEDLINE's "1784-95" as "1784-1795", as AMA prints page ranges."""
    match = re.fullmatch(r"(\d+)-(\d+)", pages.strip())
    if not match:
        return pages.strip()
    first, last = match.groups()
    if len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return f"{first}-{last}"


def _authors(article) -> list[Author]:
    authors = []
    for person in article.findall("AuthorList/Author"):
        if person.get("ValidYN", "Y") != "Y":
            continue
        group = _text(person.find("CollectiveName"))
        if group:
            authors.append(Author(literal=group))
            continue
        family = _text(person.find("LastName"))
        if family:
            given = _text(person.find("ForeName")) or _text(person.find("Initials"))
            authors.append(
                Author(family=family, given=given, suffix=_text(person.find("Suffix")))
            )
    return authors


def parse_efetch(xml: bytes, pmid: str) -> ReferenceData:
    """The ReferenceData of one PubmedArticle in an efetch answer."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        raise ServiceError("PubMed sent an answer that is not valid XML.") from None
    node = root.find("PubmedArticle")
    if node is None:
        raise NotFound("PubMed has no article with this PMID.")
    citation = node.find("MedlineCitation")
    article = citation.find("Article") if citation is not None else None
    if article is None:
        raise ServiceError("PubMed sent a record without an article.")
    journal = article.find("Journal")
    issue = journal.find("JournalIssue") if journal is not None else None
    date = issue.find("PubDate") if issue is not None else None
    year_text = _text(date.find("Year")) if date is not None else ""
    if not year_text and date is not None:
        year_text = _text(date.find("MedlineDate"))[:4]
    ids = {
        item.get("IdType"): _text(item)
        for item in node.findall("PubmedData/ArticleIdList/ArticleId")
    }
    doi = ids.get("doi") or next(
        (_text(e) for e in article.findall("ELocationID") if e.get("EIdType") == "doi"),
        "",
    )
    try:
        year = int(year_text) if year_text.isdigit() else None
        month = (
            parse_month(_text(date.find("Month")), 1, None)
            if date is not None
            else None
        )
        day = (
            parse_number(_text(date.find("Day")), "day", 1, None)
            if date is not None
            else None
        )
        data = ReferenceData(
            kind="journal_article",
            title=_text(article.find("ArticleTitle")),
            authors=_authors(article),
            container_title=_text(journal.find("Title")) if journal is not None else "",
            journal_abbrev=(
                _text(journal.find("ISOAbbreviation")) if journal is not None else ""
            ),
            year=year,
            month=month,
            day=day if month else None,
            volume=_text(issue.find("Volume")) if issue is not None else "",
            issue=_text(issue.find("Issue")) if issue is not None else "",
            pages=full_page_range(_text(article.find("Pagination/MedlinePgn"))),
            doi=doi,
            pmid=_text(citation.find("PMID")) or pmid,
            pmcid=ids.get("pmc", ""),
            publication_types=[
                _text(t) for t in article.findall("PublicationTypeList/PublicationType")
            ],
        )
        return finish_record(data, 1, None)
    except ImportFormatError as error:
        raise ServiceError(f"PubMed sent a record we cannot use: {error}") from None


def look_up_pmid(pmid: str, deadline: Deadline | None = None) -> ReferenceData:
    """A PubMed article's record, from efetch."""
    url = build_url(
        config("EUTILS_URL"),
        "efetch.fcgi",
        _ncbi_params(db="pubmed", id=pmid, retmode="xml"),
    )
    response = get(url, accept="application/xml", service="PubMed", deadline=deadline)
    return parse_efetch(response.body, pmid)


def convert_pmcid(pmcid: str, deadline: Deadline | None = None) -> dict:
    """The PMC ID Converter's record for a PMCID: {"pmid": …, "doi": …}."""
    url = build_url(config("IDCONV_URL"), "", _ncbi_params(ids=pmcid, format="json"))
    # NCBI has moved PMC to its own host, where the old address may redirect.
    response = get(
        url, service="the PMC ID Converter", deadline=deadline, hosts=PMC_HOSTS
    )
    try:
        answer = json.loads(response.text())
    except (ValueError, RecursionError):
        raise ServiceError(
            "The PMC ID Converter sent an answer that is not valid JSON."
        ) from None
    records = answer.get("records") if isinstance(answer, dict) else None
    record = records[0] if isinstance(records, list) and records else None
    if not isinstance(record, dict) or record.get("status") == "error":
        raise NotFound("PubMed Central has no article with this PMCID.")
    return {key: str(record.get(key, "") or "") for key in ("pmid", "doi", "pmcid")}
