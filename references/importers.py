"""Read BibTeX, RIS, CSL-JSON and PubMed MEDLINE (.nbib) into ReferenceData.

All or nothing: a malformed record raises `ImportFormatError` naming its
record number and line, and no records are returned.
"""

import datetime
import json
import re
from collections.abc import Iterator

import bibtexparser
import rispy

from references import identifiers
from references.records import Author, ReferenceData, suggest_evidence_level

FORMATS = [
    ("bibtex", "BibTeX"),
    ("ris", "RIS"),
    ("csl_json", "CSL-JSON"),
    ("medline", "PubMed MEDLINE (.nbib)"),
]
MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}


class ImportFormatError(ValueError):
    """A record that cannot be imported; nothing from the file is imported."""

    def __init__(
        self, message: str, record: int | None = None, line: int | None = None
    ):
        self.record, self.line = record, line
        where = []
        if record is not None:
            where.append(f"Record {record}")
        if line is not None:
            where.append(f"line {line}")
        prefix = " (".join(where) + (")" if len(where) == 2 else "")
        super().__init__(f"{prefix}: {message}" if prefix else message)


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def detect_format(text: str) -> str:
    """Guess the format from the first meaningful characters."""
    text = _strip_bom(text).lstrip()
    if text.startswith("@"):
        return "bibtex"
    if text.startswith(("[", "{")):
        return "csl_json"
    if re.search(r"^PMID- ", text, re.M):
        return "medline"
    if re.search(r"^TY  -", text, re.M):
        return "ris"
    raise ImportFormatError(
        "Unknown format: expected BibTeX, RIS, CSL-JSON or PubMed MEDLINE."
    )


def parse(text: str, fmt: str | None = None) -> list[ReferenceData]:
    """Parse a whole file; raise ImportFormatError on the first bad record."""
    text = _strip_bom(text)
    fmt = fmt or detect_format(text)
    parsers = {
        "bibtex": parse_bibtex,
        "ris": parse_ris,
        "csl_json": parse_csl_json,
        "medline": parse_medline,
    }
    if fmt not in parsers:
        raise ImportFormatError(f"Unknown format {fmt!r}.")
    return parsers[fmt](text)


def _finish(data: ReferenceData, record: int, line: int | None) -> ReferenceData:
    """Check the title and normalize identifiers, reporting where a record fails."""
    data.source_line = line
    data.title = " ".join(data.title.split()).rstrip(".")
    if not data.title:
        raise ImportFormatError("missing title.", record, line)
    for name in ("doi", "pmid", "pmcid", "isbn"):
        normalize = getattr(identifiers, f"normalize_{name}")
        try:
            setattr(data, name, normalize(getattr(data, name)))
        except identifiers.IdentifierError as error:
            raise ImportFormatError(str(error), record, line) from None
    data.pages = re.sub(r"\s*(--|–|—)\s*", "-", data.pages.strip())
    if not data.evidence_level:
        data.evidence_level = suggest_evidence_level(data.publication_types)
    return data


def _year(value, record, line) -> int | None:
    text = str(value or "").strip()
    if not text:
        return None
    match = re.match(r"(\d{4})", text)
    if not match:
        raise ImportFormatError(f"the year “{text}” is not a year.", record, line)
    return int(match.group(1))


def _person(name: str) -> Author:
    name = " ".join(name.split())
    if name.startswith("{") and name.endswith("}"):
        return Author(literal=name[1:-1])
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        return Author(family=family, given=given)
    parts = name.split(" ")
    if len(parts) == 1:
        return Author(literal=name)
    return Author(family=parts[-1], given=" ".join(parts[:-1]))


# BibTeX -------------------------------------------------------------------

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
        _person(n) if n.strip().startswith("{") else _person(_unbrace(n)) for n in names
    ]


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def parse_bibtex(text: str) -> list[ReferenceData]:
    starts = [m.start() for m in re.finditer(r"^[ \t]*@\w+[ \t]*\{", text, re.M)]
    library = bibtexparser.parse_string(text)
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
        month = fields.get("month", "").lower()
        data = ReferenceData(
            kind=BIBTEX_KINDS.get(entry.entry_type.lower(), "journal_article"),
            title=fields.get("title", ""),
            authors=_bibtex_authors(str(raw_authors.value) if raw_authors else ""),
            editors=_bibtex_authors(fields.get("editor", "")),
            container_title=fields.get("journal")
            or fields.get("booktitle")
            or fields.get("howpublished", ""),
            journal_abbrev=fields.get("shortjournal", ""),
            year=_year(fields.get("year"), number, line),
            month=int(month) if month.isdigit() else MONTH_NAMES.get(month[:3]),
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
        records.append(_finish(data, number, line))
    return records


# RIS ----------------------------------------------------------------------

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
        pages = entry.get("start_page", "")
        if entry.get("end_page"):
            pages = f"{pages}-{entry['end_page']}"
        date = entry.get("date", "") or ""
        parts = re.findall(r"\d+", date)
        pmid = ""
        accession = str(entry.get("accession_number", "")).strip()
        if re.fullmatch(r"[1-9]\d{0,7}", accession):
            pmid = accession
        urls = entry.get("urls") or []
        data = ReferenceData(
            kind=RIS_KINDS.get(entry.get("type_of_reference", ""), "journal_article"),
            title=entry.get("title") or entry.get("primary_title") or "",
            authors=[
                _person(a)
                for a in (entry.get("authors") or entry.get("first_authors") or [])
            ],
            container_title=entry.get("secondary_title")
            or entry.get("journal_name")
            or entry.get("alternate_title3", ""),
            journal_abbrev=entry.get("alternate_title1", "")
            or entry.get("alternate_title2", ""),
            year=_year(entry.get("year") or (parts[0] if parts else ""), number, line),
            month=int(parts[1])
            if len(parts) > 1 and 1 <= int(parts[1]) <= 12
            else None,
            volume=str(entry.get("volume", "")),
            issue=str(entry.get("number", "")),
            pages=pages,
            publisher=entry.get("publisher", ""),
            publisher_place=entry.get("place_published", ""),
            edition=str(entry.get("edition", "")),
            doi=entry.get("doi", ""),
            pmid=pmid,
            isbn=entry.get("issn", "")
            if entry.get("type_of_reference") == "BOOK"
            else "",
            url=urls[0] if urls else "",
        )
        records.append(_finish(data, number, line))
    return records


# CSL-JSON -----------------------------------------------------------------

CSL_KINDS = {
    "article-journal": "journal_article",
    "article": "journal_article",
    "book": "book",
    "chapter": "chapter",
    "report": "guideline",
    "webpage": "web_page",
    "post-weblog": "web_page",
}


def _csl_date(value) -> list[int]:
    if isinstance(value, dict) and value.get("date-parts"):
        return [int(p) for p in value["date-parts"][0] if str(p).isdigit()]
    if isinstance(value, dict) and value.get("raw"):
        return [int(p) for p in re.findall(r"\d+", value["raw"])[:3]]
    return []


def _csl_names(values) -> list[Author]:
    return [
        Author(literal=n["literal"])
        if "literal" in n
        else Author(family=n.get("family", ""), given=n.get("given", ""))
        for n in values or []
        if isinstance(n, dict)
    ]


def parse_csl_json(text: str) -> list[ReferenceData]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFormatError(
            f"invalid JSON: {error.msg}.", line=error.lineno
        ) from None
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise ImportFormatError("CSL-JSON must be a list of items.")
    records = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise ImportFormatError("each item must be a JSON object.", number)
        issued = _csl_date(item.get("issued"))
        accessed = _csl_date(item.get("accessed"))
        data = ReferenceData(
            kind=CSL_KINDS.get(item.get("type", ""), "journal_article"),
            title=str(item.get("title", "")),
            authors=_csl_names(item.get("author")),
            editors=_csl_names(item.get("editor")),
            container_title=str(item.get("container-title", "")),
            journal_abbrev=str(
                item.get("container-title-short")
                or item.get("journalAbbreviation")
                or ""
            ),
            year=issued[0] if issued else None,
            month=issued[1] if len(issued) > 1 else None,
            day=issued[2] if len(issued) > 2 else None,
            volume=str(item.get("volume", "")),
            issue=str(item.get("issue", "")),
            pages=str(item.get("page", "")),
            publisher=str(item.get("publisher", "")),
            publisher_place=str(item.get("publisher-place", "")),
            edition=str(item.get("edition", "")),
            doi=str(item.get("DOI", "")),
            pmid=str(item.get("PMID", "")),
            pmcid=str(item.get("PMCID", "")),
            isbn=str(item.get("ISBN", "")),
            url=str(item.get("URL", "")),
            accessed=datetime.date(*accessed) if len(accessed) == 3 else None,
        )
        records.append(_finish(data, number, None))
    return records


# PubMed MEDLINE -------------------------------------------------------------

MEDLINE_LINE = re.compile(r"^([A-Z][A-Z0-9]{0,3})\s*- (.*)$")


def _medline_records(text: str) -> Iterator[tuple[int, list[tuple[str, str]]]]:
    """Yield (first line, [(tag, value), …]) per record, continuations joined."""
    fields: list[tuple[str, str]] = []
    start = None
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        match = MEDLINE_LINE.match(raw)
        if match:
            tag, value = match.group(1), match.group(2).strip()
            if tag == "PMID" and fields:
                yield start, fields
                fields = []
            if not fields:
                start = number
            fields.append((tag, value))
        elif raw.startswith("      ") and fields:
            tag, value = fields[-1]
            fields[-1] = (tag, f"{value} {raw.strip()}")
        else:
            raise ImportFormatError(
                f"unexpected line “{raw[:40]}”; MEDLINE lines start with a tag "
                "like “TI  - ”.",
                line=number,
            )
    if fields:
        yield start, fields


def parse_medline(text: str) -> list[ReferenceData]:
    records = []
    for number, (line, fields) in enumerate(_medline_records(text), 1):
        values: dict[str, list[str]] = {}
        for tag, value in fields:
            values.setdefault(tag, []).append(value)
        first = values.get

        doi = ""
        for value in (first("AID") or []) + (first("LID") or []):
            if value.endswith("[doi]"):
                doi = value[: -len("[doi]")].strip()
                break
        date_parts = (first("DP") or [""])[0].split()
        month = (
            MONTH_NAMES.get(date_parts[1].lower()[:3]) if len(date_parts) > 1 else None
        )
        day = date_parts[2] if len(date_parts) > 2 else ""
        authors = [_person(name) for name in first("FAU") or []]
        if not authors:
            authors = [_medline_short_author(name) for name in first("AU") or []]
        authors += [Author(literal=name) for name in first("CN") or []]
        types = first("PT") or []
        data = ReferenceData(
            kind="journal_article",
            title=(first("TI") or [""])[0],
            authors=authors,
            container_title=(first("JT") or [""])[0],
            journal_abbrev=(first("TA") or [""])[0],
            year=_year(date_parts[0] if date_parts else "", number, line),
            month=month,
            day=int(day) if day.isdigit() else None,
            volume=(first("VI") or [""])[0],
            issue=(first("IP") or [""])[0],
            pages=(first("PG") or [""])[0],
            doi=doi,
            pmid=(first("PMID") or [""])[0],
            pmcid=(first("PMC") or [""])[0],
            publication_types=types,
        )
        records.append(_finish(data, number, line))
    return records


def _medline_short_author(name: str) -> Author:
    family, _, initials = name.rpartition(" ")
    if not family:
        return Author(family=name)
    return Author(family=family, given=" ".join(initials))
