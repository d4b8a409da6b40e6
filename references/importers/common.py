"""What every importer shares: the error type, dates, names and the finish."""

import re

from references import identifiers
from references.records import Author, ReferenceData, suggest_evidence_level

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


def finish_record(data: ReferenceData, record: int, line: int | None) -> ReferenceData:
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


def parse_year(value, record, line) -> int | None:
    text = str(value or "").strip()
    if not text:
        return None
    match = re.match(r"([0-9]{4})(?![0-9])", text)
    if not match:
        raise ImportFormatError(
            f"the year “{text[:40]}” is not a year.", record, line, "year"
        )
    return int(match.group(1))


def parse_number(text: str, what: str, record, line) -> int | None:
    """A date part as a number; None when it is not written in digits."""
    text = text.strip()
    if not re.fullmatch(r"[0-9]+", text):
        return None
    if len(text) > 6:
        raise ImportFormatError(
            f"the {what} “{text[:20]}…” is not a {what}.", record, line, what
        )
    return int(text)


def parse_month(text: str, record, line) -> int | None:
    """A month written as a number or a name; None for seasons and the like."""
    text = text.strip().lower()
    number = parse_number(text, "month", record, line)
    if number is not None:
        return number
    return MONTH_NAMES.get(text[:3])


def parse_person(name: str) -> Author:
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
