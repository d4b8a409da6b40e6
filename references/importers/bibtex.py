"""BibTeX, read with bibtexparser 2."""

import re

import bibtexparser

from references.importers.common import (
    ImportFormatError,
    finish_record,
    parse_month,
    parse_person,
    parse_year,
)
from references.records import Author, ReferenceData
from references.titles import sentence_case

BIBTEX_KINDS = {
    "article": "journal_article",
    "book": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "techreport": "guideline",
    "report": "guideline",
    "online": "web_page",
    "misc": "web_page",
    "electronic": "web_page",
}


def _unbrace(value: str) -> str:
    return re.sub(r"(?<!\\)[{}]", "", value or "").strip()


def _bibtex_authors(value: str) -> list[Author]:
    if not value:
        return []
    names = re.split(r"\s+and\s+(?![^{]*})", value.strip())
    return [
        parse_person(n) if n.strip().startswith("{") else parse_person(_unbrace(n))
        for n in names
    ]


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def parse_bibtex(text: str) -> list[ReferenceData]:
    starts = [m.start() for m in re.finditer(r"^[ \t]*@\w+[ \t]*\{", text, re.M)]
    try:
        library = bibtexparser.parse_string(text)
    except Exception as error:  # the parser has no error type of its own
        raise ImportFormatError(f"malformed BibTeX: {error}") from None
    if library.failed_blocks:
        block = library.failed_blocks[0]
        line = getattr(block, "start_line", None)
        line = line + 1 if isinstance(line, int) else None
        record = next(
            (i for i, start in enumerate(starts, 1) if _line_of(text, start) == line),
            None,
        )
        raise ImportFormatError(
            f"malformed BibTeX entry ({type(block).__name__}); check its braces "
            "and commas.",
            record,
            line,
        )
    records = []
    for number, entry in enumerate(library.entries, 1):
        fields = {
            k.lower(): _unbrace(str(v.value)) for k, v in entry.fields_dict.items()
        }
        raw_authors = entry.fields_dict.get("author")
        line = (entry.start_line + 1) if isinstance(entry.start_line, int) else None
        kind = BIBTEX_KINDS.get(entry.entry_type.lower(), "journal_article")
        raw_title = entry.fields_dict.get("title")
        title = fields.get("title", "")
        if kind == "journal_article" and raw_title is not None:
            # Braced words are protected from the sentence case, as in BibTeX.
            title = sentence_case(str(raw_title.value), braces=True)
        data = ReferenceData(
            kind=kind,
            title=title,
            authors=_bibtex_authors(str(raw_authors.value) if raw_authors else ""),
            editors=_bibtex_authors(fields.get("editor", "")),
            container_title=fields.get("journal")
            or fields.get("booktitle")
            or fields.get("howpublished", ""),
            journal_abbrev=fields.get("shortjournal", ""),
            year=parse_year(fields.get("year"), number, line),
            month=parse_month(fields.get("month", ""), number, line),
            volume=fields.get("volume", ""),
            issue=fields.get("number", "") or fields.get("issue", ""),
            pages=fields.get("pages", ""),
            publisher=fields.get("publisher", "") or fields.get("institution", ""),
            publisher_place=fields.get("address", ""),
            edition=fields.get("edition", ""),
            doi=fields.get("doi", ""),
            pmid=fields.get("pmid", ""),
            pmcid=fields.get("pmcid", ""),
            isbn=fields.get("isbn", ""),
            url=fields.get("url", ""),
            citation_key=entry.key,
        )
        records.append(finish_record(data, number, line))
    return records
