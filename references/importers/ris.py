"""RIS, read with rispy."""

import re

import rispy

from references.importers.common import (
    ImportFormatError,
    finish_record,
    parse_number,
    parse_person,
    parse_year,
)
from references.records import ReferenceData
from references.titles import sentence_case

RIS_KINDS = {
    "JOUR": "journal_article",
    "JFULL": "journal_article",
    "MGZN": "journal_article",
    "BOOK": "book",
    "CHAP": "chapter",
    "RPRT": "guideline",
    "GOVDOC": "guideline",
    "ELEC": "web_page",
    "WEB": "web_page",
}


def _title(title: str, ris_type: str) -> str:
    """Journal article titles in sentence case, as AMA prints them."""
    if RIS_KINDS.get(ris_type, "journal_article") == "journal_article":
        return sentence_case(title)
    return title


def parse_ris(text: str) -> list[ReferenceData]:
    lines = [i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith("TY  -")]
    try:
        entries = rispy.loads(text)
    except Exception as error:  # rispy raises IOError and friends on bad input
        raise ImportFormatError(f"malformed RIS: {error}") from None
    if len(entries) != len(lines):
        raise ImportFormatError(
            f"found {len(lines)} “TY  -” lines but {len(entries)} complete records; "
            "each record must end with “ER  -”."
        )
    records = []
    for number, (entry, line) in enumerate(zip(entries, lines, strict=True), 1):
        text = _ris_fields(entry)
        pages = text("start_page")
        if text("end_page"):
            pages = f"{pages}-{text('end_page')}"
        # DA is YYYY/MM/DD/other; anything else only gives a year.
        date = text("date")
        if re.match(r"[0-9]{4}/", date):
            parts = date.split("/")
        else:
            parts = re.findall(r"[0-9]+", date)[:1]
        pmid = ""
        accession = text("accession_number").strip()
        if re.fullmatch(r"[1-9][0-9]{0,7}", accession):
            pmid = accession
        authors = entry.get("authors") or entry.get("first_authors") or []
        data = ReferenceData(
            kind=RIS_KINDS.get(text("type_of_reference"), "journal_article"),
            title=_title(
                text("title") or text("primary_title"), text("type_of_reference")
            ),
            authors=[
                parse_person(a) for a in authors if isinstance(a, str) and a.strip()
            ],
            container_title=text("secondary_title")
            or text("journal_name")
            or text("alternate_title3"),
            journal_abbrev=text("alternate_title1") or text("alternate_title2"),
            year=parse_year(text("year") or (parts[0] if parts else ""), number, line),
            month=parse_number(parts[1], "month", number, line)
            if len(parts) > 1
            else None,
            day=parse_number(parts[2], "day", number, line) if len(parts) > 2 else None,
            volume=text("volume"),
            issue=text("number"),
            pages=pages,
            publisher=text("publisher"),
            publisher_place=text("place_published"),
            edition=text("edition"),
            doi=text("doi"),
            pmid=pmid,
            isbn=text("issn") if text("type_of_reference") == "BOOK" else "",
            url=text("urls"),
        )
        records.append(finish_record(data, number, line))
    return records


def _ris_fields(entry: dict):
    """A getter for one RIS entry's tags as text; repeated tags give the first."""

    def text(key: str) -> str:
        value = entry.get(key)
        if isinstance(value, list):
            value = value[0] if value else ""
        return value if isinstance(value, str) else ""

    return text
