"""The reference tests read their fixtures from inside the repository."""

from pathlib import Path

import pytest

from tests.references import (
    test_citation_formatting,
    test_import_formats,
    test_reference_library,
)

REPOSITORY = Path(__file__).resolve().parents[2]
FILES = [
    "najmabadi2021.bib",
    "najmabadi2021.ris",
    "najmabadi2021.csl.json",
    "pubmed-medline-10-records.txt",
    "README.md",
]


@pytest.mark.parametrize(
    "module", [test_citation_formatting, test_import_formats, test_reference_library]
)
def test_fixtures_folder_is_inside_the_repository(module):
    """No test module reads fixtures from a folder beside the repository."""
    assert module.FIXTURES.resolve().is_relative_to(REPOSITORY)


@pytest.mark.parametrize("name", FILES)
def test_every_fixture_file_is_committed_with_the_tests(name):
    """Each fixture file (and the README giving its source) is in tests/fixtures."""
    assert (REPOSITORY / "tests" / "fixtures" / name).is_file()
