"""Read BibTeX, RIS, CSL-JSON and PubMed MEDLINE (.nbib) into ReferenceData.

All or nothing: a malformed record raises `ImportFormatError` naming its
record number, line and field, and no records are returned. The parsers check
the shape of what they read (a date is a date, a name list is a list); the
values themselves are checked against the model's rules by
`references.library.validate_records`, which `plan_import` runs.
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
        self,
        message: str,
        record: int | None = None,
        line: int | None = None,
        field: str | None = None,
    ):
        self.record, self.line, self.field = record, line, field
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
        raise ImportFormatError("missing title.", record, line, "title")
    for name in ("doi", "pmid", "pmcid", "isbn"):
        normalize = getattr(identifiers, f"normalize_{name}")
        try:
            setattr(data, name, normalize(getattr(data, name)))
        except identifiers.IdentifierError as error:
            raise ImportFormatError(str(error), record, line, name) from None
    data.pages = re.sub(r"\s*(--|–|—)\s*", "-", data.pages.strip())
    data.url = data.url.strip()
    if not data.evidence_level:
        data.evidence_level = suggest_evidence_level(data.publication_types)
    return data


def _year(value, record, line) -> int | None:
    text = str(value or "").strip()
    if not text:
        return None
    match = re.match(r"([0-9]{4})(?![0-9])", text)
    if not match:
        raise ImportFormatError(
            f"the year “{text[:40]}” is not a year.", record, line, "year"
        )
    return int(match.group(1))


def _number(text: str, what: str, record, line) -> int | None:
    """A date part as a number; None when it is not written in digits."""
    text = text.strip()
    if not re.fullmatch(r"[0-9]+", text):
        return None
    if len(text) > 6:
        raise ImportFormatError(
            f"the {what} “{text[:20]}…” is not a {what}.", record, line, what
        )
    return int(text)


def _month(text: str, record, line) -> int | None:
    """A month written as a number or a name; None for seasons and the like."""
    text = text.strip().lower()
    number = _number(text, "month", record, line)
    if number is not None:
        return number
    return MONTH_NAMES.get(text[:3])


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
            month=_month(fields.get("month", ""), number, line),
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
            title=text("title") or text("primary_title"),
            authors=[_person(a) for a in authors if isinstance(a, str) and a.strip()],
            container_title=text("secondary_title")
            or text("journal_name")
            or text("alternate_title3"),
            journal_abbrev=text("alternate_title1") or text("alternate_title2"),
            year=_year(text("year") or (parts[0] if parts else ""), number, line),
            month=_number(parts[1], "month", number, line) if len(parts) > 1 else None,
            day=_number(parts[2], "day", number, line) if len(parts) > 2 else None,
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
        records.append(_finish(data, number, line))
    return records


def _ris_fields(entry: dict):
    """A getter for one RIS entry's tags as text; repeated tags give the first."""

    def text(key: str) -> str:
        value = entry.get(key)
        if isinstance(value, list):
            value = value[0] if value else ""
        return value if isinstance(value, str) else ""

    return text


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


CSL_DATE_SHAPE = '{"date-parts": [[2024, 3, 14]]}'
CSL_NAME_SHAPE = '[{"family": "Najmabadi", "given": "Shahpar"}]'


def _json_kind(value) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return {dict: "an object", list: "a list", str: "text"}.get(type(value), "a number")


def _csl_text(item: dict, key: str, number: int) -> str:
    """A text field; whole numbers are accepted as text (CSL allows "volume": 36).

    Crossref writes some fields as lists of text ("container-title": ["BMJ"]);
    the first entry is taken.
    """
    value = item.get(key)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = value[0] if value else None
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ImportFormatError(
        f"“{key}” must be text, not {_json_kind(value)}.", number, field=key
    )


def _csl_date(item: dict, key: str, number: int) -> list[int]:
    """[year, month, day] (as many as given) from a CSL date object."""
    value = item.get(key)
    if value is None:
        return []

    def bad():
        return ImportFormatError(
            f"“{key}” must be a date like {CSL_DATE_SHAPE}.", number, field=key
        )

    if not isinstance(value, dict):
        raise bad()
    if "date-parts" in value:
        parts = value["date-parts"]
        if not isinstance(parts, list) or not all(isinstance(p, list) for p in parts):
            raise bad()
        first = parts[0] if parts else []
        if len(first) > 3:
            raise bad()
        numbers = []
        for part in first:
            if part == "":
                break  # some exporters pad a partial date: [["2021", "", ""]]
            if isinstance(part, str) and re.fullmatch(r"[0-9]{1,6}", part.strip()):
                part = int(part)
            if not isinstance(part, int) or isinstance(part, bool):
                raise bad()
            numbers.append(part)
        return numbers
    raw = value.get("raw")
    if raw is None:
        return []  # a season or literal date: nothing to store
    if not isinstance(raw, str):
        raise bad()
    numbers = re.findall(r"[0-9]+", raw)[:3]
    if any(len(n) > 6 for n in numbers):
        raise bad()
    return [int(n) for n in numbers]


def _csl_names(item: dict, key: str, number: int) -> list[Author]:
    value = item.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ImportFormatError(
            f"“{key}” must be a list of names like {CSL_NAME_SHAPE}, not "
            f"{_json_kind(value)}.",
            number,
            field=key,
        )
    names = []
    for position, name in enumerate(value, 1):
        if not isinstance(name, dict):
            raise ImportFormatError(
                f"“{key}” name {position} must be an object like "
                f'{{"family": "Najmabadi", "given": "Shahpar"}}, not '
                f"{_json_kind(name)}.",
                number,
                field=key,
            )
        parts = {}
        for part in ("family", "given", "literal", "suffix", "non-dropping-particle"):
            text = name.get(part)
            if text is not None and not isinstance(text, str):
                raise ImportFormatError(
                    f"“{key}” name {position}: “{part}” must be text, not "
                    f"{_json_kind(text)}.",
                    number,
                    field=key,
                )
            parts[part] = text or ""
        if parts["literal"]:
            names.append(Author(literal=parts["literal"]))
            continue
        family = " ".join(
            p for p in (parts["non-dropping-particle"], parts["family"]) if p
        )
        names.append(
            Author(family=family, given=parts["given"], suffix=parts["suffix"])
        )
    return names


def _csl_accessed(item: dict, number: int) -> datetime.date | None:
    parts = _csl_date(item, "accessed", number)
    if not parts:
        return None
    if len(parts) != 3:
        raise ImportFormatError(
            "“accessed” needs a year, month and day, like "
            '{"date-parts": [[2024, 3, 14]]}.',
            number,
            field="accessed",
        )
    try:
        return datetime.date(*parts)
    except (ValueError, OverflowError):
        shown = "-".join(str(p)[:6] for p in parts)
        raise ImportFormatError(
            f"“accessed” {shown} is not a real date.", number, field="accessed"
        ) from None


def parse_csl_json(text: str) -> list[ReferenceData]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFormatError(
            f"invalid JSON: {error.msg}.", line=error.lineno
        ) from None
    except RecursionError:
        raise ImportFormatError("invalid JSON: it is nested too deeply.") from None
    except ValueError:  # an integer too long to convert
        raise ImportFormatError("invalid JSON: a number is too long.") from None
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise ImportFormatError("CSL-JSON must be a list of items.")
    records = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise ImportFormatError("each item must be a JSON object.", number)
        records.append(_finish(_csl_record(item, number), number, None))
    return records


def _csl_record(item: dict, number: int) -> ReferenceData:
    def text(key: str) -> str:
        return _csl_text(item, key, number)

    issued = _csl_date(item, "issued", number)
    return ReferenceData(
        kind=CSL_KINDS.get(text("type"), "journal_article"),
        title=text("title"),
        authors=_csl_names(item, "author", number),
        editors=_csl_names(item, "editor", number),
        container_title=text("container-title"),
        journal_abbrev=text("container-title-short") or text("journalAbbreviation"),
        year=issued[0] if issued else None,
        month=issued[1] if len(issued) > 1 else None,
        day=issued[2] if len(issued) > 2 else None,
        volume=text("volume"),
        issue=text("issue"),
        pages=text("page"),
        publisher=text("publisher"),
        publisher_place=text("publisher-place"),
        edition=text("edition"),
        doi=text("DOI"),
        pmid=text("PMID"),
        pmcid=text("PMCID"),
        isbn=text("ISBN"),
        url=text("URL"),
        accessed=_csl_accessed(item, number),
    )


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
        month = _month(date_parts[1], number, line) if len(date_parts) > 1 else None
        day = (
            _number(date_parts[2], "day", number, line) if len(date_parts) > 2 else None
        )
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
            day=day,
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
