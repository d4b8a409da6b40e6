"""Shared data for the evidence watcher tests: the recorded answers and
the cited works they are about."""

from pathlib import Path

from references.models import Reference

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "evidence"
WAKEFIELD_DOI = "10.1016/S0140-6736(97)11096-0"
WAKEFIELD = {
    "citation_key": "wakefield1998",
    "kind": "journal_article",
    "title": (
        "Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and "
        "pervasive developmental disorder in children"
    ),
    "authors": [{"family": "Wakefield", "given": "Andrew J"}],
    "container_title": "The Lancet",
    "year": 1998,
    "volume": "351",
    "pages": "637-641",
}
ZHOU = {
    "citation_key": "zhou2020",
    "kind": "journal_article",
    "title": (
        "A pneumonia outbreak associated with a new coronavirus of probable bat origin"
    ),
    "authors": [{"family": "Zhou", "given": "Peng"}],
    "container_title": "Nature",
    "year": 2020,
    "doi": "10.1038/s41586-020-2012-7",
}


def wakefield(**fields) -> Reference:
    """The Wakefield paper, by DOI unless `fields` say otherwise."""
    return Reference.objects.create(**{**WAKEFIELD, "doi": WAKEFIELD_DOI, **fields})


def zhou() -> Reference:
    return Reference.objects.create(**ZHOU)
