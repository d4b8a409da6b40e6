"""PubMed MEDLINE (.nbib), as PubMed's "Save citation" writes it."""

import re
from collections.abc import Iterator

from references.importers.common import (
    ImportFormatError,
    finish_record,
    parse_month,
    parse_number,
    parse_person,
    parse_year,
)
from references.records import Author, ReferenceData

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
            parse_month(date_parts[1], number, line) if len(date_parts) > 1 else None
        )
        day = (
            parse_number(date_parts[2], "day", number, line)
            if len(date_parts) > 2
            else None
        )
        authors = [parse_person(name) for name in first("FAU") or []]
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
            year=parse_year(date_parts[0] if date_parts else "", number, line),
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
        records.append(finish_record(data, number, line))
    return records


def _medline_short_author(name: str) -> Author:
    family, _, initials = name.rpartition(" ")
    if not family:
        return Author(family=name)
    return Author(family=family, given=" ".join(initials))
