"""Read BibTeX, RIS, CSL-JSON and PubMed MEDLINE (.nbib) into ReferenceData.

All or nothing: a malformed record raises `ImportFormatError` naming its
record number, line and field, and no records are returned. The parsers check
the shape of what they read (a date is a date, a name list is a list); the
values themselves are checked against the model's rules by
`references.library.validate_records`, which `plan_import` runs.
"""

import re

from references.importers.bibtex import parse_bibtex
from references.importers.common import ImportFormatError
from references.importers.csl_json import parse_csl_json
from references.importers.medline import parse_medline
from references.importers.ris import parse_ris
from references.records import ReferenceData

__all__ = [
    "FORMATS",
    "ImportFormatError",
    "detect_format",
    "parse",
    "parse_bibtex",
    "parse_csl_json",
    "parse_medline",
    "parse_ris",
]

FORMATS = [
    ("bibtex", "BibTeX"),
    ("ris", "RIS"),
    ("csl_json", "CSL-JSON"),
    ("medline", "PubMed MEDLINE (.nbib)"),
]


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
