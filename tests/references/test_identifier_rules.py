import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from references.identifiers import (
    IdentifierError,
    detect_identifier,
    doi_key,
    normalize_doi,
    normalize_isbn,
    normalize_pmcid,
    normalize_pmid,
)


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("10.1093/humrep/deab049", "10.1093/humrep/deab049"),
        ("https://doi.org/10.1093/HUMREP/deab049", "10.1093/HUMREP/deab049"),
        ("http://dx.doi.org/10.1093/humrep/deab049", "10.1093/humrep/deab049"),
        ("doi:10.1056/NEJMoa1504927", "10.1056/NEJMoa1504927"),
        ("DOI: 10.1093/humrep/deab049.", "10.1093/humrep/deab049"),
        (" \t10.7554/eLife.80092 ", "10.7554/eLife.80092"),
    ],
)
def test_doi_prefixes_stripped_case_kept(raw, expected):
    """DOI URLs, doi: prefixes and whitespace go; the DOI keeps its case."""
    assert normalize_doi(raw) == expected


def test_doi_key_folds_case():
    """DOIs are compared case-insensitively through doi_key."""
    assert doi_key("10.1056/NEJMoa1504927") == doi_key("10.1056/nejmoa1504927")


@pytest.mark.parametrize("raw", ["10.1093", "11.1234/abc", "10.12/abc", "humrep"])
def test_bad_doi_says_what_is_wrong(raw):
    """An invalid DOI raises an error that explains the expected shape."""
    with pytest.raises(IdentifierError, match="is not a DOI: a DOI looks like"):
        normalize_doi(raw)


def test_early_wiley_doi_is_accepted():
    """Early Wiley DOIs outside Crossref's main pattern are still valid."""
    doi = "10.1002/(SICI)1097-4636(199706)35:4<433::AID-JBM1>3.0.CO;2-Q"
    assert normalize_doi(doi) == doi


@pytest.mark.parametrize("raw,expected", [("33990841", "33990841"), ("PMID: 1", "1")])
def test_pmid_valid(raw, expected):
    """PMIDs are 1–8 digits, and a PMID: prefix is accepted."""
    assert normalize_pmid(raw) == expected


@pytest.mark.parametrize("raw", ["0", "012345", "123456789", "12a"])
def test_pmid_invalid(raw):
    """Leading zeros, more than 8 digits and letters are refused."""
    with pytest.raises(IdentifierError, match="not a PMID"):
        normalize_pmid(raw)


def test_pmcid_normalized():
    """PMCIDs are stored uppercase with their PMC prefix."""
    assert normalize_pmcid("pmc8487651") == "PMC8487651"
    with pytest.raises(IdentifierError, match="PMC followed by digits"):
        normalize_pmcid("PMCX1")


@pytest.mark.parametrize(
    "raw,expected",
    [("978-0-306-40615-7", "9780306406157"), ("0-306-40615-2", "0306406152")],
)
def test_isbn_checksums(raw, expected):
    """Valid ISBN-10 and ISBN-13 are compacted."""
    assert normalize_isbn(raw) == expected


def test_isbn_bad_checksum():
    """A wrong check digit is reported as such."""
    with pytest.raises(IdentifierError, match="wrong check digit for an ISBN-13"):
        normalize_isbn("978-0-306-40615-8")


def test_isbn_wrong_length():
    """A wrong length is reported separately from a bad checksum."""
    with pytest.raises(IdentifierError, match="should have 10 digits"):
        normalize_isbn("12345")


def test_detect_identifier():
    """detect_identifier recognizes each kind."""
    assert detect_identifier("10.1093/humrep/deab049") == (
        "doi",
        "10.1093/humrep/deab049",
    )
    assert detect_identifier("PMC8487651") == ("pmcid", "PMC8487651")
    assert detect_identifier("33990841") == ("pmid", "33990841")
    assert detect_identifier("not an id") is None


@given(st.text())
def test_normalizers_never_crash(text):
    """On any text, normalizers return a string or raise IdentifierError."""
    for normalize in (normalize_doi, normalize_pmid, normalize_pmcid, normalize_isbn):
        with contextlib.suppress(IdentifierError):
            assert isinstance(normalize(text), str)
    detect_identifier(text)
