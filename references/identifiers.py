"""Normalize and validate DOIs, PMIDs, PMCIDs and ISBNs.

Each `normalize_*` returns the canonical form ("" for blank input) or raises
`IdentifierError` with a message that says what is wrong.
"""

import re

DOI = re.compile(r"^10\.\d{4,9}/[-._;()/:A-Z0-9]+$", re.IGNORECASE)
# Early Wiley DOIs break Crossref's main pattern (e.g. 10.1002/(SICI)...<...>).
WILEY_DOI = re.compile(r"^10\.1002/\S+$", re.IGNORECASE)
DOI_PREFIXES = re.compile(
    r"^(?:https?://(?:dx\.)?doi\.org/|doi\.org/|doi:\s*)", re.IGNORECASE
)
PMID = re.compile(r"^[1-9]\d{0,7}$")
PMCID = re.compile(r"^PMC\d+$")


class IdentifierError(ValueError):
    """An identifier that cannot be valid, with a message a person can act on."""


def normalize_doi(value: str) -> str:
    """A bare DOI as registered: prefixes like https://doi.org/ and doi: removed.

    DOIs are case-insensitive but printed as registered (10.1056/NEJMoa1504927),
    so the case is kept; compare them with `doi_key`.
    """
    text = (value or "").strip()
    if not text:
        return ""
    text = DOI_PREFIXES.sub("", text).strip().rstrip(".,;")
    if not (DOI.match(text) or WILEY_DOI.match(text)):
        raise IdentifierError(
            f"“{value.strip()[:80]}” is not a DOI: a DOI looks like "
            "10.1234/abcd (10., 4–9 digits, a slash, then the suffix)."
        )
    return text


def doi_key(doi: str) -> str:
    """The form DOIs are compared and deduplicated in: case folded."""
    return (doi or "").lower()


def normalize_pmid(value: str) -> str:
    """A PubMed ID: 1–8 digits, no leading zero; a PMID: prefix is allowed."""
    text = (value or "").strip()
    if not text:
        return ""
    text = re.sub(r"^pmid:\s*", "", text, flags=re.IGNORECASE)
    if not PMID.match(text):
        raise IdentifierError(
            f"“{value.strip()[:80]}” is not a PMID: it should be 1 to 8 digits "
            "with no leading zero, e.g. 33990841."
        )
    return text


def normalize_pmcid(value: str) -> str:
    """A PubMed Central ID in the form PMC123456."""
    text = (value or "").strip()
    if not text:
        return ""
    text = re.sub(r"^pmcid:\s*", "", text, flags=re.IGNORECASE).upper()
    if text.isdigit():
        text = "PMC" + text
    if not PMCID.match(text):
        raise IdentifierError(
            f"“{value.strip()[:80]}” is not a PMCID: it should be PMC followed by "
            "digits, e.g. PMC8487651."
        )
    return text


def _isbn10_ok(digits: str) -> bool:
    total = sum(
        (10 - i) * (10 if ch == "X" else int(ch)) for i, ch in enumerate(digits)
    )
    return total % 11 == 0


def _isbn13_ok(digits: str) -> bool:
    total = sum((3 if i % 2 else 1) * int(ch) for i, ch in enumerate(digits))
    return total % 10 == 0


def normalize_isbn(value: str) -> str:
    """A compact ISBN-10 or ISBN-13 with a correct check digit."""
    text = (value or "").strip()
    if not text:
        return ""
    compact = re.sub(r"^isbn(?:-1[03])?:?\s*", "", text, flags=re.IGNORECASE)
    compact = re.sub(r"[\s-]", "", compact).upper()
    if re.fullmatch(r"\d{9}[\dX]", compact):
        if not _isbn10_ok(compact):
            raise IdentifierError(
                f"“{text[:80]}” has a wrong check digit for an ISBN-10; "
                "check for a typing error."
            )
        return compact
    if re.fullmatch(r"97[89]\d{10}", compact):
        if not _isbn13_ok(compact):
            raise IdentifierError(
                f"“{text[:80]}” has a wrong check digit for an ISBN-13; "
                "check for a typing error."
            )
        return compact
    raise IdentifierError(
        f"“{text[:80]}” is not an ISBN: it should have 10 digits (the last may "
        "be X) or 13 digits starting 978 or 979."
    )


def detect_identifier(value: str) -> tuple[str, str] | None:
    """Guess which identifier `value` is: ("doi", "10.x/y") and so on, or None."""
    for kind, normalize in (
        ("doi", normalize_doi),
        ("pmcid", normalize_pmcid),
        ("pmid", normalize_pmid),
        ("isbn", normalize_isbn),
    ):
        if kind == "pmcid" and not (value or "").strip().upper().startswith("PMC"):
            continue
        try:
            normalized = normalize(value)
        except IdentifierError:
            continue
        if normalized:
            return kind, normalized
    return None
