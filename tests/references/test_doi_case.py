"""DOIs are stored and printed as registered, and compared case-insensitively."""

import json

import pytest
from django.db import IntegrityError, transaction

from references.formatting import format_reference
from references.importers import parse
from references.library import apply_import, plan_import
from references.models import Reference

NEJM = "10.1056/NEJMoa1504927"


def csl(*dois: str) -> str:
    return json.dumps(
        [
            {"title": f"Progesterone trial {n}", "DOI": doi, "issued": {}}
            for n, doi in enumerate(dois)
        ]
    )


def test_saved_doi_keeps_its_case(db):
    """A DOI entered with a prefix is stored bare, in its registered case."""
    reference = Reference.objects.create(title="Trial", doi=f"doi:{NEJM}")
    reference.refresh_from_db()
    assert reference.doi == NEJM


def test_formatted_doi_keeps_its_case(db):
    """AMA and Vancouver print the DOI as registered."""
    reference = Reference.objects.create(title="Trial", doi=f"https://doi.org/{NEJM}")
    assert format_reference(reference, "ama").endswith(f"doi:{NEJM}")
    assert format_reference(reference, "vancouver").endswith(f"doi: {NEJM}")


def test_imported_doi_keeps_its_case(db):
    """An import stores the DOI as the file gives it."""
    [created] = apply_import(plan_import(parse(csl(NEJM))))
    assert Reference.objects.get(pk=created.pk).doi == NEJM


def test_import_finds_an_existing_doi_in_another_case(db):
    """An import skips a DOI already stored in lower case."""
    existing = Reference.objects.create(title="Trial", doi=NEJM.lower())
    plan = plan_import(parse(csl(NEJM)))
    assert plan.new == []
    assert [(ref, why) for _, ref, why in plan.duplicates] == [(existing, "DOI")]


def test_import_keeps_one_copy_of_a_doi_repeated_in_another_case(db):
    """The same DOI twice in one file, in two cases, is imported once."""
    plan = plan_import(parse(csl(NEJM, NEJM.upper())))
    assert [record.doi for record in plan.new] == [NEJM]


def test_model_validation_finds_a_duplicate_in_another_case(db):
    """The form refuses a DOI that differs from a stored one only in case."""
    Reference.objects.create(title="Trial", doi=NEJM)
    duplicate = Reference(title="Again", doi=NEJM.lower())
    with pytest.raises(Exception, match="already exists"):
        duplicate.full_clean()


def test_database_refuses_a_duplicate_in_another_case(db):
    """The unique index on Lower(doi) backs the check."""
    Reference.objects.create(title="Trial", doi=NEJM)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reference.objects.create(title="Again", doi=NEJM.upper())


def test_with_doi_matches_any_case(db):
    """The queryset lookup ignores case and never matches blank DOIs."""
    reference = Reference.objects.create(title="Trial", doi=NEJM)
    Reference.objects.create(title="No DOI")
    assert list(Reference.objects.with_doi(NEJM.upper())) == [reference]
    assert list(Reference.objects.with_dois(["", NEJM.lower()])) == [reference]


@pytest.mark.parametrize(
    "query", [NEJM.upper(), f"https://doi.org/{NEJM.lower()}", f"doi:{NEJM}"]
)
def test_admin_search_finds_a_doi_in_any_case(client, editor, query):
    """Pasting the DOI in another case into the admin search finds it."""
    Reference.objects.create(title="Trial", doi=NEJM, citation_key="coomarasamy2015")
    client.force_login(editor)
    response = client.get("/admin/references/reference/", {"q": query})
    assert b"coomarasamy2015" in response.content
